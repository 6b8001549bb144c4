/**
 * Names the client list shows beside a page of contacts: the companies people work at, in one
 * query for the whole page and inside the access scope (a company the user may not see shows
 * nothing rather than its name).
 */
import type { Sequelize } from 'sequelize';
import type { CurrentUser } from '../../../host/api.js';
import type { Contact, ContactScope } from '../api.js';

export async function companyNames(db: Sequelize, scope: ContactScope, user: CurrentUser, contacts: Contact[]): Promise<Map<number, string>> {
  const ids = [...new Set(contacts.map((c) => c.company_id).filter((id): id is number => id !== null))];
  if (!ids.length) return new Map();
  const visible = scope.condition(user, 'c');
  const [rows] = await db.query(`SELECT c.id, c.display_name FROM crm_contacts c WHERE c.id IN (${ids.map(() => '?').join(',')}) AND c.deleted_at IS NULL AND ${visible.sql}`, {
    replacements: [...ids, ...visible.params],
  });
  return new Map((rows as Array<{ id: number; display_name: string }>).map((r) => [Number(r.id), r.display_name]));
}

/** The company line under a person's name: the linked company, or the company name typed on the person. */
export function companyOf(contact: Contact, names: Map<number, string>): string | null {
  if (contact.kind !== 'person') return null;
  const company = (contact.company_id ? names.get(contact.company_id) : null) ?? (contact.company_name || null);
  // A person with no name of their own is shown by the company name already.
  return company && company !== contact.name ? company : null;
}
