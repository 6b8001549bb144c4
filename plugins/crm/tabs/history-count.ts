/**
 * The number on the History tab. HistoryWriter lists entries but has no count, so this composes
 * the access scope with one COUNT on the history table (indexed by contact).
 */
import type { Sequelize } from 'sequelize';
import { TOKENS, type CurrentUser, type PluginContext } from '../../../host/api.js';
import { CrmTokens, type ContactScope } from '../api.js';

export async function countHistory(ctx: PluginContext, user: CurrentUser, contactId: number): Promise<number> {
  await ctx.get<ContactScope>(CrmTokens.Scope).assertVisible(user, contactId);
  const [rows] = await ctx.get<Sequelize>(TOKENS.Database).query('SELECT COUNT(*) AS n FROM crm_history WHERE contact_id = ?', { replacements: [contactId] });
  return Number((rows as Array<{ n: number | string }>)[0]?.n ?? 0);
}
