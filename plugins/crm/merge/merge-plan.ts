/**
 * What a merge keeps, decided before anything is written: which contact's value wins for each
 * single-valued field (the master's unless the user chose another; an empty master field takes
 * the first filled value of the others), and the union of every contact's channels and
 * addresses, without repeats. Pure functions over loaded contacts, shared by the merge screen
 * (its preview and default choices) and the merge itself.
 */
import type { Address, Contact } from '../api.js';

/** Single-valued fields a merge chooses a winner for (custom fields are `custom.<key>`). */
export const MERGE_FIELDS = [
  'first_name', 'middle_name', 'last_name', 'company_name', 'job_title', 'company_id', 'buyer_id', 'status_id', 'category_id',
  'client_type_id', 'source_id', 'class_id', 'responsible_id', 'user_id', 'birthday', 'comment', 'external_id', 'photo',
] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

/** One channel row as stored: matching goes by (type, normalized). */
export interface ChannelRecord {
  contact_id: number;
  type: string;
  subtype: string | null;
  value: string;
  normalized: string;
  is_primary: boolean;
  consent: boolean;
}

const empty = (v: unknown): boolean => v === null || v === undefined || v === '' || v === false || (Array.isArray(v) && !v.length);

/** A field's value on a contact: a standard field, the photo or `custom.<key>`. */
export function fieldValue(contact: Contact, field: string): unknown {
  if (field === 'photo') return contact.photo_url;
  if (field.startsWith('custom.')) return contact.custom[field.slice(7)] ?? null;
  return (contact as unknown as Record<string, unknown>)[field] ?? null;
}

/** Every field a merge of these contacts chooses for: the standard ones and each custom key any of them has. */
export function fieldsOf(contacts: Contact[]): string[] {
  const custom = new Set<string>();
  for (const c of contacts) for (const [key, value] of Object.entries(c.custom)) if (!empty(value)) custom.add(`custom.${key}`);
  return [...MERGE_FIELDS, ...[...custom].sort()];
}

/** The default winner of each field: the master's value, or the first filled one among the others. */
export function defaultWinners(master: Contact, others: Contact[]): Record<string, number> {
  const winners: Record<string, number> = {};
  for (const field of fieldsOf([master, ...others])) {
    const filled = [master, ...others].find((c) => !empty(fieldValue(c, field)));
    winners[field] = (filled ?? master).id;
  }
  return winners;
}

/** Fields whose values differ between the contacts (the only ones the screen asks about). */
export function differingFields(contacts: Contact[]): string[] {
  return fieldsOf(contacts).filter((field) => new Set(contacts.map((c) => JSON.stringify(fieldValue(c, field) ?? null))).size > 1);
}

/** The channels after the merge: the master's first, then what the others add, each (type, value) once. */
export function unionChannels(masterId: number, rows: ChannelRecord[]): ChannelRecord[] {
  const seen = new Set<string>();
  const ordered = [...rows.filter((r) => r.contact_id === masterId), ...rows.filter((r) => r.contact_id !== masterId)];
  return ordered.filter((r) => {
    const key = `${r.type}|${r.type === 'messenger' || r.type === 'tax_id' ? r.subtype ?? '' : ''}|${r.normalized}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const addressKey = (a: Address) => JSON.stringify([a.country, a.region, a.city, a.zip, a.street].map((v) => (v ?? '').trim().toLowerCase()));

/** The addresses after the merge: the master's, then the others' that differ. */
export function unionAddresses(master: Contact, others: Contact[]): Address[] {
  const seen = new Set<string>();
  return [master, ...others].flatMap((c) => c.addresses).filter((a) => {
    const key = addressKey(a);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Channel rows in the shape of a contact input's lists (emails, phones, ...). */
export function channelInput(rows: ChannelRecord[]): Record<string, unknown[]> {
  const of = (type: string) => rows.filter((r) => r.type === type);
  const listed = (type: string, withConsent = false) =>
    of(type).map((r) => ({ value: r.value, label: r.subtype, primary: Boolean(r.is_primary), ...(withConsent ? { consent: Boolean(r.consent) } : {}) }));
  return {
    emails: listed('email', true),
    phones: listed('phone'),
    websites: listed('website'),
    messengers: of('messenger').map((r) => ({ type: r.subtype, value: r.value })),
    domains: of('domain').map((r) => r.value),
    tax_ids: of('tax_id').map((r) => ({ type: r.subtype, value: r.value })),
  };
}

