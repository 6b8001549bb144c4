/**
 * A merged contact's old URL and API id lead to its master. Chains (A merged into B, later B
 * into C) are followed; the answer is the master only when the caller may see it, so a redirect
 * never reveals a contact out of the caller's sight.
 */
import type { Request, Response } from 'express';
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, type CurrentUser, type PluginContext } from '../../../host/api.js';
import { CrmTokens, type ContactScope } from '../api.js';

/** Each hop is one primary-key read; the bound only guards against a loop in bad data. */
const MAX_HOPS = 50;

export async function mergedMasterOf(ctx: PluginContext, user: CurrentUser, id: number): Promise<number | null> {
  const db = ctx.get<Sequelize>(TOKENS.Database);
  let current = id;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const [rows] = await db.query('SELECT merged_into_id FROM crm_contacts WHERE id = ?', { replacements: [current] });
    const next = (rows as Array<{ merged_into_id: number | null }>)[0]?.merged_into_id;
    if (next === undefined) return null;
    if (next === null) break;
    current = Number(next);
  }
  if (current === id) return null;
  const scope = ctx.get<ContactScope>(CrmTokens.Scope).condition(user, 'c');
  const [visible] = await db.query(`SELECT c.id FROM crm_contacts c WHERE c.id = ? AND ${scope.sql}`, { replacements: [current, ...scope.params] });
  return (visible as unknown[]).length ? current : null;
}

/**
 * Turns a 404 for a merged contact into a 301 to `<base>/<master id>`; any other error, or a
 * master out of sight, is thrown again as it was.
 */
export async function redirectMerged(ctx: PluginContext, req: Request, res: Response, id: number, err: unknown, base: string): Promise<void> {
  const master = err instanceof HttpError && err.status === 404 ? await mergedMasterOf(ctx, req.user!, id) : null;
  if (master === null) throw err;
  res.redirect(301, `${base}/${master}`);
}
