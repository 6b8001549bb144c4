/**
 * The fields of the client card: which editor each uses, which group it is shown in, how its
 * current value is read from a contact, and how a posted form becomes a contact input. Standard
 * fields are fixed; custom fields come from their definitions.
 */
import type { Address, Channel, Contact, ContactInput, ContactKind, DictionaryName, FieldDefinition, Messenger, TaxId } from '../api.js';
import { str } from './card-support.js';

export type EditorType =
  | 'text'
  | 'textarea'
  | 'date'
  | 'number'
  | 'money'
  | 'email'
  | 'url'
  | 'tel'
  | 'select'
  | 'multiselect'
  | 'checkbox'
  | 'dictionary'
  | 'user'
  | 'company'
  | 'channels'
  | 'messengers'
  | 'domains'
  | 'addresses'
  | 'tax_ids';

export type FieldGroup = 'name' | 'work' | 'channels' | 'classification' | 'other' | 'custom';
/** Shown two per row on wide screens: name beside work, contact details beside the relationship. */
export const GROUPS: FieldGroup[] = ['name', 'work', 'channels', 'classification', 'other', 'custom'];

export interface FieldSpec {
  /** `first_name`, `emails`, `custom.<key>`: the name used in the URL, in history and in errors. */
  key: string;
  group: FieldGroup;
  editor: EditorType;
  /** Shown only for these kinds; all kinds when absent. */
  kinds?: ContactKind[];
  dictionary?: DictionaryName;
  /** Channels with a label and a primary flag. */
  channel?: 'emails' | 'phones' | 'websites';
  custom?: FieldDefinition;
  /** Only administrators change it (which user account a contact is). */
  adminOnly?: boolean;
}

export const TAX_ID_TYPES: TaxId['type'][] = ['nip', 'regon', 'pesel', 'inn', 'edrpou', 'vat_eu'];
export const MESSENGER_TYPES: Messenger['type'][] = ['telegram', 'whatsapp', 'skype'];
export const ADDRESS_PARTS = ['street', 'zip', 'city', 'region', 'country'] as const;

const person: ContactKind[] = ['person'];
const company: ContactKind[] = ['company'];

export const STANDARD_FIELDS: FieldSpec[] = [
  { key: 'first_name', group: 'name', editor: 'text', kinds: person },
  { key: 'middle_name', group: 'name', editor: 'text', kinds: person },
  { key: 'last_name', group: 'name', editor: 'text', kinds: person },
  { key: 'company_name', group: 'name', editor: 'text', kinds: company },
  { key: 'job_title', group: 'work', editor: 'text', kinds: person },
  { key: 'company_id', group: 'work', editor: 'company', kinds: person },
  { key: 'buyer_id', group: 'work', editor: 'company', kinds: company },
  { key: 'tax_ids', group: 'work', editor: 'tax_ids' },
  { key: 'birthday', group: 'work', editor: 'date', kinds: person },
  { key: 'emails', group: 'channels', editor: 'channels', channel: 'emails' },
  { key: 'phones', group: 'channels', editor: 'channels', channel: 'phones' },
  { key: 'messengers', group: 'channels', editor: 'messengers' },
  { key: 'websites', group: 'channels', editor: 'channels', channel: 'websites' },
  { key: 'domains', group: 'channels', editor: 'domains', kinds: company },
  { key: 'addresses', group: 'channels', editor: 'addresses' },
  { key: 'status_id', group: 'classification', editor: 'dictionary', dictionary: 'status' },
  { key: 'category_id', group: 'classification', editor: 'dictionary', dictionary: 'category' },
  { key: 'client_type_id', group: 'classification', editor: 'dictionary', dictionary: 'client_type' },
  { key: 'source_id', group: 'classification', editor: 'dictionary', dictionary: 'source' },
  { key: 'responsible_id', group: 'classification', editor: 'user' },
  { key: 'is_staff', group: 'classification', editor: 'checkbox' },
  { key: 'user_id', group: 'classification', editor: 'user', kinds: person, adminOnly: true },
  { key: 'external_id', group: 'other', editor: 'text' },
  { key: 'comment', group: 'other', editor: 'textarea' },
];

const CUSTOM_EDITORS: Record<FieldDefinition['type'], EditorType> = {
  text: 'text',
  long_text: 'textarea',
  number: 'number',
  money: 'money',
  date: 'date',
  select: 'select',
  multi_select: 'multiselect',
  checkbox: 'checkbox',
  url: 'url',
  email: 'email',
  phone: 'tel',
};

export function customSpec(field: FieldDefinition): FieldSpec {
  return { key: `custom.${field.key}`, group: 'custom', editor: CUSTOM_EDITORS[field.type], custom: field };
}

/** Every field of a contact of this kind, standard (less the hidden ones) then custom, in display order. */
export function fieldsFor(kind: ContactKind, custom: FieldDefinition[], hidden: ReadonlySet<string> = new Set()): FieldSpec[] {
  return [...STANDARD_FIELDS.filter((f) => (!f.kinds || f.kinds.includes(kind)) && !hidden.has(f.key)), ...custom.map(customSpec)];
}

/** The spec of a field name as used in URLs and history, or null (also for hidden custom fields). */
export function specFor(key: string, custom: FieldDefinition[]): FieldSpec | null {
  if (key.startsWith('custom.')) {
    const def = custom.find((f) => f.key === key.slice(7));
    return def ? customSpec(def) : null;
  }
  return STANDARD_FIELDS.find((f) => f.key === key) ?? null;
}

/** The field's current value on the contact, in the API's shape. */
export function readValue(spec: FieldSpec, contact: Contact): unknown {
  if (spec.custom) return contact.custom[spec.custom.key] ?? null;
  return (contact as unknown as Record<string, unknown>)[spec.key] ?? null;
}

const blank = (s: string): boolean => s.trim() === '';
const rows = (v: unknown): Array<Record<string, unknown>> => {
  const list = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [];
  return list.filter((r): r is Record<string, unknown> => Boolean(r) && typeof r === 'object');
};
const checked = (v: unknown): boolean => ['on', '1', 'true', 'yes'].includes(str(Array.isArray(v) ? v.at(-1) : v));
const idOrNull = (v: string): number | string | null => (blank(v) ? null : /^\d+$/.test(v.trim()) ? Number(v.trim()) : v);

/**
 * Turns the posted form of one field into (a) the contact input to save and (b) the value to show
 * again in the form when it has errors. Empty rows of list editors are dropped, so error paths
 * like `emails.1.value` point at the rows as shown again.
 */
export function parseField(spec: FieldSpec, body: Record<string, unknown>): { input: ContactInput; value: unknown } {
  const raw = body.value;
  const text = str(raw);
  const set = (value: unknown): { input: ContactInput; value: unknown } => {
    if (spec.custom) return { input: { custom: { [spec.custom.key]: value } }, value };
    return { input: { [spec.key]: value } as ContactInput, value };
  };
  switch (spec.editor) {
    case 'text':
    case 'textarea':
    case 'email':
    case 'url':
    case 'tel':
    case 'date':
    case 'select':
    case 'number':
    case 'money':
      return set(blank(text) ? null : text);
    case 'checkbox':
      return set(checked(raw));
    case 'multiselect': {
      const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(str).filter((s) => !blank(s));
      return set(list.length ? list : null);
    }
    case 'dictionary':
    case 'user':
    case 'company':
      return set(idOrNull(text));
    case 'channels': {
      const primary = str(body.primary);
      const list: Channel[] = [];
      rows(body.items).forEach((r, i) => {
        const value = str(r.value);
        if (blank(value)) return;
        const channel: Channel = { value, label: blank(str(r.label)) ? null : str(r.label), primary: primary === String(i) };
        if (spec.channel === 'emails') channel.consent = checked(r.consent);
        list.push(channel);
      });
      return set(list);
    }
    case 'messengers': {
      const list = rows(body.items)
        .map((r) => ({ type: str(r.type) as Messenger['type'], value: str(r.value) }))
        .filter((m) => !blank(m.value));
      return set(list);
    }
    case 'domains':
      return set(rows(body.items).map((r) => str(r.value)).filter((d) => !blank(d)));
    case 'tax_ids': {
      const list = rows(body.items)
        .map((r) => ({ type: str(r.type) as TaxId['type'], value: str(r.value) }))
        .filter((t) => !blank(t.value));
      return set(list);
    }
    case 'addresses': {
      const list: Address[] = rows(body.items)
        .map((r) => ({
          label: blank(str(r.label)) ? null : str(r.label),
          ...Object.fromEntries(ADDRESS_PARTS.map((p) => [p, blank(str(r[p])) ? null : str(r[p])])),
        }))
        .filter((a) => ADDRESS_PARTS.some((p) => (a as Record<string, unknown>)[p]));
      return set(list);
    }
  }
}

/** The input that puts an old value back (History's "restore this value"). */
export function restoreInput(field: string, value: unknown): ContactInput {
  if (field.startsWith('custom.')) return { custom: { [field.slice(7)]: value } };
  return { [field]: value } as ContactInput;
}
