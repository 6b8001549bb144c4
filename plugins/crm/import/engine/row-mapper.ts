/**
 * One file row into a contact draft: each mapped cell goes to its field, and everything that can
 * be checked without the database is checked here (ragged rows, lengths, e-mail, phone and tax-id
 * validity through the contacts' own normalization, the name rule, kinds and dates). References
 * (status by name, responsible, company) and duplicates are resolved per batch afterwards.
 */
import type { ContactInput, ContactKind, TaxId } from '../../api.js';
import { prepareContactInput, type PreparedInput } from '../../services/contact-input.js';
import type { CountryCode } from '../../services/normalize/channels.js';
import { detectTaxIdType, validateTaxId, type TaxIdType } from '../../services/normalize/tax-ids.js';
import type { ImportRow } from '../import-contract.js';

/** Why a row cannot be imported: an i18n key with its parameters, and the column it is about. */
export interface Reason {
  key: string;
  params?: Record<string, unknown>;
  column?: string;
}

export type RefName = 'status' | 'category' | 'client_type' | 'source' | 'responsible' | 'company';

export interface Draft {
  line: number;
  cells: string[];
  kind: ContactKind;
  input: ContactInput;
  prepared: PreparedInput | null;
  /** Cells naming records resolved per batch, and the column each came from. */
  refs: Partial<Record<RefName, { value: string; column: string }>>;
  custom: Record<string, { value: unknown; column: string }>;
  externalId: string | null;
  io: Array<{ target: string; value: string; column: string }>;
  /** Whether the row names the contact well enough to create one. */
  hasName: boolean;
  /** Its company is not in the base yet but an earlier row of the file creates it (see ImportRun.check). */
  awaitsCompany?: boolean;
  error: Reason | null;
}

export const NAME_REQUIRED: Reason = { key: 'crm:import.reason.name_required' };

const SHORT = 190;
const LONG = 20000;
const KIND_WORDS: Record<string, ContactKind> = {};
for (const w of ['person', 'individual', 'private', 'osoba', 'osoba fizyczna', 'человек', 'физ. лицо', 'физическое лицо', 'частное лицо', 'персона', 'особа', 'фізична особа', 'фіз. особа']) KIND_WORDS[w] = 'person';
for (const w of ['company', 'organization', 'organisation', 'business', 'firma', 'organizacja', 'przedsiębiorstwo', 'компания', 'организация', 'юр. лицо', 'юридическое лицо', 'компанія', 'організація', 'юридична особа', 'юр. особа']) KIND_WORDS[w] = 'company';

const DMY = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/;

/** ISO dates as they are; "31.12.1980" and "31/12/1980" (day first, as written in PL, RU and UA) turned into ISO. */
export function isoDate(value: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const m = DMY.exec(value);
  if (!m) return null;
  const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

/** Splits a full name: "Иванов Иван Иванович" (three Cyrillic words: last, first, patronymic), else first word first, the rest last. */
function splitFullName(full: string): { first_name?: string; middle_name?: string; last_name?: string } {
  const words = full.split(/\s+/).filter(Boolean);
  if (words.length === 1) return { last_name: words[0] };
  if (words.length === 3 && /\p{Script=Cyrillic}/u.test(full) && /(вич|вна|ич|ична|ьич)$/u.test(words[2]!)) {
    return { last_name: words[0], first_name: words[1], middle_name: words[2] };
  }
  return { first_name: words[0], last_name: words.slice(1).join(' ') };
}

export interface MapperOptions {
  headers: string[];
  mapping: string[];
  defaultKind: ContactKind;
  defaultCountry: CountryCode;
}

/** The row's first reason to fail wins. */
function failDraft(draft: Draft, reason: Reason): void {
  draft.error ??= reason;
}

/** An element of one of the input's lists, with the column it came from (`origin`). */
function addToList(input: ContactInput, origin: Record<string, string[]>, key: string, item: unknown, header: string): void {
  const lists = input as Record<string, unknown[] | undefined>;
  (lists[key] ??= []).push(item);
  origin[key]!.push(header);
}

/** The mapping compiled once per import. */
export class RowMapper {
  private readonly columns: Array<{ index: number; target: string; header: string }>;

  constructor(private readonly options: MapperOptions) {
    this.columns = options.mapping.flatMap((target, index) => (target && target !== 'skip' ? [{ index, target, header: options.headers[index] ?? String(index + 1) }] : []));
  }

  map(row: ImportRow): Draft {
    const draft: Draft = { line: row.line, cells: row.cells, kind: this.options.defaultKind, input: {}, prepared: null, refs: {}, custom: {}, externalId: null, io: [], hasName: false, error: null };
    const expected = this.options.headers.length;
    if (row.cells.length !== expected) {
      draft.error = { key: 'crm:import.reason.ragged', params: { expected, got: row.cells.length } };
      return draft;
    }
    /** Column of each list element, to name the column when normalization refuses a value. */
    const origin: Record<string, string[]> = { emails: [], phones: [], websites: [], domains: [], messengers: [], tax_ids: [] };
    const input = draft.input;
    // One closure a row, not one a cell: tsx names every closure it makes, which costs a microsecond each.
    const list = (key: string, item: unknown) => addToList(input, origin, key, item, header);
    let header = '';
    for (const column of this.columns) {
      const { index, target } = column;
      header = column.header;
      const value = (row.cells[index] ?? '').trim();
      if (!value) continue;
      const limit = target === 'comment' ? LONG : target.startsWith('custom.') || target.startsWith('io.') ? Infinity : SHORT;
      if (value.length > limit) {
        failDraft(draft, { key: 'crm:import.reason.too_long', params: { limit }, column: header });
        continue;
      }
      switch (target) {
        case 'first_name':
        case 'last_name':
        case 'middle_name':
        case 'company_name':
        case 'job_title':
          input[target] = value;
          break;
        case 'full_name':
          Object.assign(input, splitFullName(value));
          break;
        case 'comment':
          input.comment = input.comment ? `${input.comment}\n${value}` : value;
          break;
        case 'email':
          for (const one of value.split(/[;,\s]+/).filter(Boolean)) list('emails', { value: one });
          break;
        case 'phone':
          for (const one of value.split(/[;,]+/).map((s) => s.trim()).filter(Boolean)) list('phones', { value: one });
          break;
        case 'website':
          list('websites', { value });
          break;
        case 'domain':
          list('domains', value);
          break;
        case 'tax_id': {
          const type = detectTaxIdType(value).find((t) => validateTaxId(t, value).ok) ?? detectTaxIdType(value)[0];
          if (!type) failDraft(draft, { key: 'crm:import.reason.unknown_tax_id', column: header });
          else list('tax_ids', { type, value } satisfies TaxId);
          break;
        }
        case 'birthday': {
          const iso = isoDate(value);
          if (iso) input.birthday = iso;
          else failDraft(draft, { key: 'crm:errors.invalid_birthday', column: header });
          break;
        }
        case 'kind': {
          const kind = KIND_WORDS[value.toLowerCase()];
          if (kind) draft.kind = kind;
          else failDraft(draft, { key: 'crm:import.reason.unknown_kind', params: { value }, column: header });
          break;
        }
        case 'status':
        case 'category':
        case 'client_type':
        case 'source':
        case 'responsible':
        case 'company':
          draft.refs[target] = { value, column: header };
          break;
        case 'external_id':
          draft.externalId = value;
          input.external_id = value;
          break;
        default:
          if (target.startsWith('tax_id.')) list('tax_ids', { type: target.slice(7) as TaxIdType, value });
          else if (target.startsWith('messenger.')) list('messengers', { type: target.slice(10), value });
          else if (target.startsWith('address.')) {
            input.addresses ??= [{}];
            (input.addresses[0] as Record<string, string>)[target.slice(8)] = value;
          } else if (target.startsWith('custom.')) {
            const key = target.slice(7);
            const previous = draft.custom[key];
            draft.custom[key] = { value: previous ? [previous.value, value].flat() : value, column: header };
          } else if (target.startsWith('io.')) draft.io.push({ target, value, column: header });
      }
    }
    if (draft.error) return draft;
    // Address parts longer than the columns hold: the contacts' schema limits, checked here.
    for (const [part, max] of [['zip', 20], ['country', 100], ['region', 100], ['city', 100]] as const) {
      const v = (input.addresses?.[0] as Record<string, string> | undefined)?.[part];
      if (v && v.length > max) return { ...draft, error: { key: 'crm:import.reason.too_long', params: { limit: max }, column: this.columns.find((c) => c.target === `address.${part}`)?.header } };
    }
    // The name rule is checked once the row is known to create a contact: an update needs none.
    const { prepared, errors } = prepareContactInput(draft.input, draft.kind, { creating: false, defaultCountry: this.options.defaultCountry });
    if (errors.length) {
      const e = errors[0]!;
      const [list, i] = e.field.split('.');
      const column = list && i !== undefined ? origin[list]?.[Number(i)] : this.columns.find((c) => c.target === e.field)?.header;
      const name = e.message === 'crm:errors.name_required';
      draft.error = { key: name ? NAME_REQUIRED.key : e.message, params: e.params, column: name ? undefined : column };
      return draft;
    }
    draft.prepared = prepared;
    const s = prepared.scalars;
    draft.hasName = draft.kind === 'company' ? Boolean(s.company_name) : Boolean(s.first_name || s.last_name || s.company_name);
    return draft;
  }
}
