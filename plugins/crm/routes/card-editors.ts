/**
 * View models of the card's field fragments: a field shown (label, display items, pencil) and a
 * field being edited (the editor's inputs with the value as posted, errors beside each input).
 */
import type { Address, Channel, Contact, Messenger, TaxId } from '../api.js';
import { ADDRESS_PARTS, MESSENGER_TYPES, readValue, TAX_ID_TYPES, type FieldSpec } from './card-fields.js';
import { displayItems, type CardLookups, type DisplayItem } from './card-format.js';

export interface FieldView {
  contactId: number;
  key: string;
  label: string;
  items: DisplayItem[];
  canEdit: boolean;
  multiline: boolean;
}

interface Option {
  value: string;
  label: string;
  selected: boolean;
}

export interface EditorView {
  /** The input's name: `value` in the card's editors, `custom[key]` in the new-contact form. */
  name: string;
  /** The DOM id of the first input, for its label. */
  id: string;
  kind: 'input' | 'textarea' | 'checkbox' | 'select' | 'multiselect' | 'company' | 'rows';
  inputType?: string;
  step?: string;
  value?: string;
  checked?: boolean;
  options?: Option[];
  /** Company picker: the chosen id and its name. */
  companyLabel?: string;
  rowKind?: 'channel' | 'messenger' | 'domain' | 'tax' | 'address';
  rows?: Array<Record<string, unknown>>;
  /** Channels: a label per row; emails: the consent box. */
  withConsent?: boolean;
  placeholder?: string;
}

export interface FormView {
  contactId: number;
  key: string;
  label: string;
  version: number;
  editor: EditorView;
  /** Errors of the whole field (not of one row). */
  error: string | null;
  /** Someone else saved meanwhile: their value, shown with "keep theirs" / "overwrite with mine". */
  conflict: { items: DisplayItem[] } | null;
  /** Errors that name no input of this editor (shown at the top). */
  otherErrors: string[];
}

export async function fieldView(spec: FieldSpec, contact: Contact, l: CardLookups, canEdit: boolean): Promise<FieldView> {
  return {
    contactId: contact.id,
    key: spec.key,
    label: l.label(spec),
    items: await displayItems(spec, readValue(spec, contact), l),
    canEdit: canEdit && (!spec.adminOnly || l.isAdmin),
    multiline: spec.editor === 'textarea',
  };
}

const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const INPUT_TYPES: Partial<Record<FieldSpec['editor'], string>> = { text: 'text', date: 'date', number: 'number', money: 'number', email: 'email', url: 'url', tel: 'tel' };

function options(list: Array<{ value: string; label: string }>, selected: string[], emptyLabel?: string): Option[] {
  return [...(emptyLabel !== undefined ? [{ value: '', label: emptyLabel }] : []), ...list].map((o) => ({ ...o, selected: selected.includes(o.value) }));
}

/**
 * The editor of a field holding `value` (the stored value, or the value as posted when the form
 * comes back with errors), with `errors` keyed by field path (`emails.0.value`).
 */
export async function editorView(spec: FieldSpec, value: unknown, l: CardLookups, errors: Record<string, string>, companyLabel?: string): Promise<EditorView> {
  return { name: 'value', id: `edit-${spec.key.replace(/\W/g, '-')}`, ...(await baseEditor(spec, value, l, errors, companyLabel)) };
}

async function baseEditor(spec: FieldSpec, value: unknown, l: CardLookups, errors: Record<string, string>, companyLabel?: string): Promise<Omit<EditorView, 'name' | 'id'>> {
  const rowError = (i: number, ...parts: string[]) => parts.map((p) => errors[`${spec.key}.${i}${p ? `.${p}` : ''}`]).find(Boolean) ?? null;
  const list = <T>(): T[] => (Array.isArray(value) ? (value as T[]) : []);
  switch (spec.editor) {
    case 'text':
    case 'date':
    case 'number':
    case 'money':
    case 'email':
    case 'url':
    case 'tel':
      return { kind: 'input', inputType: INPUT_TYPES[spec.editor], step: spec.editor === 'money' ? '0.01' : spec.editor === 'number' ? 'any' : undefined, value: s(value) };
    case 'textarea':
      return { kind: 'textarea', value: s(value) };
    case 'checkbox':
      return { kind: 'checkbox', checked: value === true || value === 'true' };
    case 'select':
      return { kind: 'select', options: options((spec.custom?.options ?? []).map((o) => ({ value: o, label: o })), [s(value)], '—') };
    case 'multiselect':
      return { kind: 'multiselect', options: options((spec.custom?.options ?? []).map((o) => ({ value: o, label: o })), list<string>().map(String)) };
    case 'dictionary': {
      const items = l.dictionary.filter((i) => i.dictionary === spec.dictionary && (i.active || i.id === Number(value)));
      return { kind: 'select', options: options(items.map((i) => ({ value: String(i.id), label: l.itemLabel(i) })), [s(value)], '—') };
    }
    case 'user': {
      const users = l.users.filter((u) => u.isActive || u.id === Number(value));
      return { kind: 'select', options: options(users.map((u) => ({ value: String(u.id), label: u.name })), [s(value)], '—') };
    }
    case 'company': {
      const label = companyLabel ?? (value ? ((await l.company(value))?.name ?? '') : '');
      return { kind: 'company', value: s(value), companyLabel: label };
    }
    case 'channels': {
      const rows = list<Channel>().map((c, i) => ({
        value: c.value,
        label: s(c.label),
        primary: Boolean(c.primary),
        consent: Boolean(c.consent),
        error: rowError(i, 'value', 'label', ''),
      }));
      if (!rows.length) rows.push({ value: '', label: '', primary: true, consent: false, error: null });
      if (!rows.some((r) => r.primary)) rows[0]!.primary = true;
      const inputType = spec.channel === 'emails' ? 'email' : spec.channel === 'phones' ? 'tel' : 'url';
      return { kind: 'rows', rowKind: 'channel', rows, inputType, withConsent: spec.channel === 'emails' };
    }
    case 'messengers': {
      const rows = list<Messenger>().map((m, i) => ({ value: m.value, type: m.type, error: rowError(i, 'value', 'type', '') }));
      if (!rows.length) rows.push({ value: '', type: 'telegram', error: null });
      const types = (type: string) => MESSENGER_TYPES.map((t) => ({ value: t, label: l.t(`crm:card.messenger.${t}`), selected: t === type }));
      return { kind: 'rows', rowKind: 'messenger', rows: rows.map((r) => ({ ...r, types: types(r.type) })) };
    }
    case 'domains': {
      const rows = list<string>().map((d, i) => ({ value: d, error: rowError(i, '') }));
      if (!rows.length) rows.push({ value: '', error: null });
      return { kind: 'rows', rowKind: 'domain', rows };
    }
    case 'tax_ids': {
      const rows = list<TaxId>().map((t, i) => ({ value: t.value, type: t.type, error: rowError(i, 'value', 'type', '') }));
      if (!rows.length) rows.push({ value: '', type: 'nip', error: null });
      const types = (type: string) => TAX_ID_TYPES.map((t) => ({ value: t, label: l.t(`crm:card.tax_id.${t}`), selected: t === type }));
      return { kind: 'rows', rowKind: 'tax', rows: rows.map((r) => ({ ...r, types: types(r.type) })) };
    }
    case 'addresses': {
      const rows = list<Address>().map((a, i) => ({
        label: s(a.label),
        ...Object.fromEntries(ADDRESS_PARTS.map((p) => [p, s(a[p])])),
        error: rowError(i, ...ADDRESS_PARTS, 'label', ''),
      }));
      if (!rows.length) rows.push({ label: '', ...Object.fromEntries(ADDRESS_PARTS.map((p) => [p, ''])), error: null });
      return { kind: 'rows', rowKind: 'address', rows };
    }
  }
}

/** Errors of this field: the whole field's, and any that belong to no input shown. */
export function fieldErrors(spec: FieldSpec, errors: Record<string, string>): { error: string | null; otherErrors: string[] } {
  const own = (f: string) => f === spec.key || f.startsWith(`${spec.key}.`);
  const rowLevel = (f: string) => new RegExp(`^${spec.key.replace(/\./g, '\\.')}\\.\\d+`).test(f);
  return {
    error: errors[spec.key] ?? null,
    otherErrors: Object.entries(errors)
      .filter(([f]) => !own(f) || (!rowLevel(f) && f !== spec.key))
      .map(([, m]) => m),
  };
}
