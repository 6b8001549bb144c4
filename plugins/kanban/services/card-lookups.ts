/**
 * What a card shows beside the contact itself, for the whole board at once: the names of
 * responsible users, and of the companies people work at (only companies the caller may see).
 */
import type { Sequelize } from 'sequelize';
import type { CurrentUser } from '../../../host/api.js';
import type { Channel, Contact, ContactScope } from '../../crm/api.js';

export async function companyNames(db: Sequelize, scope: ContactScope, user: CurrentUser, contacts: Contact[]): Promise<Map<number, string>> {
  const ids = [...new Set(contacts.map((c) => c.company_id).filter((id): id is number => id !== null))];
  if (!ids.length) return new Map();
  const visible = scope.condition(user, 'c');
  const [rows] = await db.query(
    `SELECT c.id, c.display_name FROM crm_contacts c WHERE c.id IN (${ids.map(() => '?').join(',')}) AND c.deleted_at IS NULL AND ${visible.sql}`,
    { replacements: [...ids, ...visible.params] },
  );
  return new Map((rows as Array<{ id: number; display_name: string }>).map((r) => [Number(r.id), r.display_name]));
}

/** A person's company: the linked one, or the name typed on the person; never the contact's own name. */
export function companyOf(contact: Contact, names: Map<number, string>): string | null {
  if (contact.kind !== 'person') return null;
  const company = (contact.company_id ? names.get(contact.company_id) : null) ?? (contact.company_name || null);
  return company && company !== contact.name ? company : null;
}

/** The primary channel, else the first one. */
export const mainChannel = (list: Channel[]): string | null => (list.find((c) => c.primary) ?? list[0])?.value ?? null;
