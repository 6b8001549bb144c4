/** The contribution to the CRM's `crm.contact-class/v1`: the view condition, and an edit check that agrees with it. */
import type { Sequelize } from 'sequelize';
import { TOKENS, type PluginContext } from '../../../host/api.js';
import type { ContactClassRule } from '../../crm/api.js';
import { editCondition, viewCondition } from './access-sql.js';
import { resolvedViewCondition } from './access-resolved.js';

export function classRule(ctx: PluginContext): ContactClassRule {
  return {
    id: 'classes',
    condition: (user, alias) => viewCondition(user, alias),
    resolve: (user, alias) => resolvedViewCondition(ctx.get<Sequelize>(TOKENS.Database), user, alias),
    async canEdit(user, contact) {
      const edit = editCondition(user, 'c');
      const [rows] = await ctx.get<Sequelize>(TOKENS.Database).query(`SELECT c.id FROM crm_contacts c WHERE c.id = ? AND ${edit.sql}`, {
        replacements: [contact.id, ...edit.params],
      });
      return (rows as unknown[]).length > 0;
    },
  };
}
