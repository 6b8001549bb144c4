/**
 * The columns an export can hold: the standard contact fields, every active custom field
 * (`custom.<key>`) and every column other plugins contribute to import and export
 * (`io.<pluginId>.<id>`), with their titles in the user's language; and the cells of a page of
 * contacts, with everything they name (statuses, users, companies, plugin values) looked up once
 * for the whole page. Lists inside one cell are joined with "; ".
 */
import type { TFunction } from 'i18next';
import type { Contributed } from '../../../host/api.js';
import type { Address, Contact, ContactRowField, DictionaryItem, FieldDefinition, IoColumn } from '../api.js';
import { DictionariesService } from '../services/dictionaries-service.js';
import { FieldsService } from '../services/fields-service.js';
import type { ChannelType, ContactRead } from './export-reader.js';
import type { CellValue } from './export-writers.js';

export const JOIN = '; ';

/** What a page's cells need besides the contacts themselves. */
export interface PageLookups {
  /** Translations without parameters, looked up once per export (a cell may ask on every row). */
  t(key: string): string;
  language: string;
  dictionary: Map<number, DictionaryItem>;
  users: Map<number, string>;
  /** Names of the companies people of this page work at, inside the access scope. */
  companies: Map<number, string>;
  /** Values of plugins' columns for this page, by column id then contact id. */
  plugin: Map<string, Map<number, string>>;
}

export interface ExportColumn {
  /** `name`, `custom.<key>`, `io.<pluginId>.<id>`. */
  id: string;
  title: string;
  group: 'standard' | 'custom' | 'plugin';
  /** In the default choice of columns. */
  byDefault: boolean;
  cell(contact: Contact, page: PageLookups): CellValue;
  /** Plugins' columns: their values for a page at once. */
  io?: Contributed<IoColumn>;
  /** What of a contact the cell reads: an export loads only that. */
  reads: ContactRead;
}

const text = (v: string | null | undefined): CellValue => (v === null || v === undefined || v === '' ? null : v);
const joined = (list: string[]): CellValue => (list.length ? list.join(JOIN) : null);
const dateTime = (iso: string | null): CellValue => (iso ? iso.slice(0, 19).replace('T', ' ') : null);

function address(a: Address): string {
  const place = [a.zip, a.city].filter(Boolean).join(' ');
  return [a.street, place, a.region, a.country].filter(Boolean).join(', ');
}

function label(item: DictionaryItem | undefined, language: string): CellValue {
  return item ? DictionariesService.label(item, language) : null;
}

type StandardCell = (c: Contact, p: PageLookups) => CellValue;
type Standard = [id: string, byDefault: boolean, cell: StandardCell, reads: ContactRead];

const field = (...fields: ContactRowField[]): ContactRead => ({ fields });
const channel = (type: ChannelType): ContactRead => ({ channels: [type] });

/** The standard columns in the order the export page offers them; `true` marks the default choice. */
const STANDARD: Standard[] = [
  ['id', false, (c) => c.id, {}],
  ['name', true, (c) => text(c.name), field('name')],
  ['kind', true, (c, p) => p.t(`crm:export.kind.${c.kind}`), field('kind')],
  ['first_name', false, (c) => text(c.first_name), field('first_name')],
  ['middle_name', false, (c) => text(c.middle_name), field('middle_name')],
  ['last_name', false, (c) => text(c.last_name), field('last_name')],
  ['company_name', false, (c) => text(c.company_name), field('company_name')],
  ['company', true, (c, p) => (c.company_id ? text(p.companies.get(c.company_id)) : null), { fields: ['company_id'], companies: true }],
  ['job_title', true, (c) => text(c.job_title), field('job_title')],
  ['emails', true, (c) => joined(c.emails.map((e) => e.value)), channel('email')],
  ['phones', true, (c) => joined(c.phones.map((e) => e.value)), channel('phone')],
  ['messengers', false, (c) => joined(c.messengers.map((m) => `${m.type}: ${m.value}`)), channel('messenger')],
  ['websites', false, (c) => joined(c.websites.map((e) => e.value)), channel('website')],
  ['domains', false, (c) => joined(c.domains), channel('domain')],
  ['addresses', false, (c) => joined(c.addresses.map(address).filter(Boolean)), { addresses: true }],
  ['tax_ids', false, (c) => joined(c.tax_ids.map((x) => `${x.type.toUpperCase()}: ${x.value}`)), channel('tax_id')],
  ['status', true, (c, p) => (c.status_id ? label(p.dictionary.get(c.status_id), p.language) : null), field('status_id')],
  ['category', false, (c, p) => (c.category_id ? label(p.dictionary.get(c.category_id), p.language) : null), field('category_id')],
  ['client_type', false, (c, p) => (c.client_type_id ? label(p.dictionary.get(c.client_type_id), p.language) : null), field('client_type_id')],
  ['source', false, (c, p) => (c.source_id ? label(p.dictionary.get(c.source_id), p.language) : null), field('source_id')],
  ['responsible', true, (c, p) => (c.responsible_id ? text(p.users.get(c.responsible_id)) : null), field('responsible_id')],
  ['birthday', false, (c) => text(c.birthday), field('birthday')],
  ['comment', false, (c) => text(c.comment), field('comment')],
  ['external_id', false, (c) => text(c.external_id), field('external_id')],
  ['created_at', true, (c) => dateTime(c.created_at), field('created_at')],
  ['updated_at', false, (c) => dateTime(c.updated_at), field('updated_at')],
];

function customCell(field: FieldDefinition): StandardCell {
  return (c) => {
    const v = c.custom[field.key];
    if (v === null || v === undefined || v === '') return null;
    if (Array.isArray(v)) return joined(v.map(String));
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    return String(v);
  };
}

/** Every column the user may export, titles in their language. */
export function exportCatalog(t: TFunction, language: string, fields: FieldDefinition[], io: Array<Contributed<IoColumn>>): ExportColumn[] {
  return [
    ...STANDARD.map(([id, byDefault, cell, reads]) => ({ id, title: t(`crm:export.col.${id}`), group: 'standard' as const, byDefault, cell, reads })),
    ...fields.filter((f) => f.active).map((f) => ({ id: `custom.${f.key}`, title: FieldsService.label(f, language), group: 'custom' as const, byDefault: f.in_list, cell: customCell(f), reads: { custom: [f.key] } })),
    ...io.map((c) => {
      const id = `io.${c.pluginId}.${c.id}`;
      // A column that says what it reads keeps the export lean; one that does not gets whole contacts.
      const reads: ContactRead = c.reads ? { fields: c.reads } : { everything: true };
      return { id, title: t(c.title), group: 'plugin' as const, byDefault: false, io: c, reads, cell: (contact: Contact, p: PageLookups) => text(p.plugin.get(id)?.get(contact.id)) };
    }),
  ];
}

export const defaultColumns = (catalog: ExportColumn[]): string[] => catalog.filter((c) => c.byDefault).map((c) => c.id);
