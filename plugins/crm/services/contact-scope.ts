/**
 * The one access scope for contacts. Every query for contacts (lists, counts, cards, tabs,
 * search, exports, mass actions, other plugins' queries) adds `condition(user)`. Contact-class
 * plugins restrict it through the `crm.contact-class/v1` extension point; administrators see all.
 */
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type CurrentUser, type ExtensionRegistry } from '../../../host/api.js';
import { contactClasses, type ContactScope, type ResolvedScope } from '../api.js';

export const notFound = () => new HttpError(404, 'not_found', 'host:errors.not_found');

@injectable()
export class ContactScopeImpl implements ContactScope {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Extensions) private readonly extensions: ExtensionRegistry,
  ) {}

  condition(user: CurrentUser, alias = 'c'): { sql: string; params: unknown[] } {
    if (!user.can('crm.access')) return { sql: '1 = 0', params: [] };
    const parts = [`${alias}.merged_into_id IS NULL`];
    const params: unknown[] = [];
    if (!user.isAdmin) {
      for (const rule of this.extensions.list(contactClasses)) {
        const c = rule.condition(user, alias);
        if (c) {
          parts.push(`(${c.sql})`);
          params.push(...c.params);
        }
      }
    }
    return { sql: parts.join(' AND '), params };
  }

  async resolvedCondition(user: CurrentUser, alias = 'c'): Promise<ResolvedScope> {
    if (!user.can('crm.access')) return { sql: '1 = 0', params: [], unrestricted: false };
    const parts = [`${alias}.merged_into_id IS NULL`];
    const params: unknown[] = [];
    if (!user.isAdmin) {
      for (const rule of this.extensions.list(contactClasses)) {
        const c = rule.resolve ? await rule.resolve(user, alias) : rule.condition(user, alias);
        if (c) {
          parts.push(`(${c.sql})`);
          params.push(...c.params);
        }
      }
    }
    return { sql: parts.join(' AND '), params, unrestricted: parts.length === 1 };
  }

  async assertVisible(user: CurrentUser, contactId: number): Promise<void> {
    const scope = this.condition(user, 'c');
    const [rows] = await this.db.query(`SELECT c.id FROM crm_contacts c WHERE c.id = ? AND ${scope.sql}`, { replacements: [contactId, ...scope.params] });
    if (!(rows as unknown[]).length) throw notFound();
  }

  async canEdit(user: CurrentUser, contactId: number): Promise<boolean> {
    if (!user.can('crm.contacts.edit')) return false;
    const scope = this.condition(user, 'c');
    const [rows] = await this.db.query(`SELECT c.id, c.class_id, c.responsible_id, c.is_staff FROM crm_contacts c WHERE c.id = ? AND ${scope.sql}`, {
      replacements: [contactId, ...scope.params],
    });
    const row = (rows as Array<{ id: number; class_id: number | null; responsible_id: number | null; is_staff: number | boolean }>)[0];
    if (!row) return false;
    if (user.isAdmin) return true;
    for (const rule of this.extensions.list(contactClasses)) {
      if (rule.canEdit && !(await rule.canEdit(user, { ...row, is_staff: Boolean(row.is_staff) }))) return false;
    }
    return true;
  }
}
