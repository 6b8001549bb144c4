/**
 * Contact input: the JSON Schema checked at the edge, then normalization and the checks a schema
 * cannot express (email, phone and tax-id validity, references). Every problem becomes a
 * translated error on its own field; nothing is saved unless all of it is valid.
 */
import type { FieldError } from '../../../host/api.js';
import type { Address, ContactInput, ContactKind, TaxId } from '../api.js';
import { normalizeDomain, normalizeEmail, normalizeMessenger, normalizePhone, normalizeUrl, type CountryCode } from './normalize/channels.js';
import { validateTaxId } from './normalize/tax-ids.js';

const name = { type: ['string', 'null'], maxLength: 190 } as const;
const id = { type: ['integer', 'null'], minimum: 1 } as const;
const channel = {
  type: 'object',
  additionalProperties: false,
  required: ['value'],
  properties: {
    value: { type: 'string', maxLength: 190 },
    label: { type: ['string', 'null'], maxLength: 40 },
    primary: { type: 'boolean' },
    consent: { type: 'boolean' },
  },
} as const;

/** The shape of a contact in POST and PATCH bodies (PATCH adds `version`). */
export const contactInputProperties = {
  kind: { enum: ['person', 'company'] },
  first_name: name,
  middle_name: name,
  last_name: name,
  company_name: name,
  job_title: name,
  company_id: id,
  buyer_id: id,
  status_id: id,
  category_id: id,
  client_type_id: id,
  source_id: id,
  class_id: id,
  responsible_id: id,
  is_staff: { type: 'boolean' },
  user_id: id,
  birthday: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] },
  comment: { type: ['string', 'null'], maxLength: 20000 },
  external_id: { type: ['string', 'null'], maxLength: 190 },
  emails: { type: 'array', maxItems: 20, items: channel },
  phones: { type: 'array', maxItems: 20, items: channel },
  websites: { type: 'array', maxItems: 20, items: channel },
  messengers: {
    type: 'array',
    maxItems: 20,
    items: { type: 'object', additionalProperties: false, required: ['type', 'value'], properties: { type: { enum: ['skype', 'whatsapp', 'telegram'] }, value: { type: 'string', maxLength: 190 } } },
  },
  domains: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 190 } },
  addresses: {
    type: 'array',
    maxItems: 10,
    items: {
      type: 'object',
      additionalProperties: false,
      properties: {
        label: { type: ['string', 'null'], maxLength: 40 },
        country: { type: ['string', 'null'], maxLength: 100 },
        region: { type: ['string', 'null'], maxLength: 100 },
        city: { type: ['string', 'null'], maxLength: 100 },
        zip: { type: ['string', 'null'], maxLength: 20 },
        street: { type: ['string', 'null'], maxLength: 190 },
      },
    },
  },
  tax_ids: {
    type: 'array',
    maxItems: 10,
    items: { type: 'object', additionalProperties: false, required: ['type', 'value'], properties: { type: { enum: ['nip', 'regon', 'pesel', 'inn', 'edrpou', 'vat_eu'] }, value: { type: 'string', maxLength: 40 } } },
  },
  custom: { type: 'object', maxProperties: 200 },
} as const;

export const createContactSchema = { type: 'object', additionalProperties: false, required: ['kind'], properties: contactInputProperties };
export const patchContactSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: { ...contactInputProperties, version: { type: 'integer', minimum: 1 } },
};

export type ChannelKind = 'email' | 'phone' | 'messenger' | 'website' | 'domain' | 'tax_id';

export interface PreparedChannel {
  type: ChannelKind;
  subtype: string | null;
  value: string;
  normalized: string;
  is_primary: boolean;
  consent: boolean;
}

/** Scalar columns a contact input may set. */
export const SCALAR_FIELDS = [
  'first_name', 'middle_name', 'last_name', 'company_name', 'job_title', 'company_id', 'buyer_id', 'status_id', 'category_id',
  'client_type_id', 'source_id', 'class_id', 'responsible_id', 'is_staff', 'user_id', 'birthday', 'comment', 'external_id',
] as const;
export type ScalarField = (typeof SCALAR_FIELDS)[number];

/** API list fields and the channel type each is stored as. */
export const CHANNEL_FIELDS = { emails: 'email', phones: 'phone', messengers: 'messenger', websites: 'website', domains: 'domain', tax_ids: 'tax_id' } as const;
export type ChannelField = keyof typeof CHANNEL_FIELDS;

export interface PreparedInput {
  scalars: Partial<Record<ScalarField, unknown>>;
  channels: Partial<Record<ChannelField, PreparedChannel[]>>;
  addresses?: Address[];
  custom?: Record<string, unknown>;
}

const trimOrNull = (v: unknown): string | null => {
  if (typeof v !== 'string') return v === null || v === undefined ? null : String(v);
  const t = v.trim();
  return t === '' ? null : t;
};

/** Marks exactly one primary per list: the first flagged, else the first. */
function withPrimary(list: PreparedChannel[]): PreparedChannel[] {
  const first = list.findIndex((c) => c.is_primary);
  return list.map((c, i) => ({ ...c, is_primary: i === (first === -1 ? 0 : first) }));
}

function dedupe(list: PreparedChannel[]): PreparedChannel[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const key = `${c.subtype ?? ''}|${c.normalized}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Normalizes the input. `kind` is the contact's kind after the write (for the name rule); pass
 * `creating` to require a name.
 */
export function prepareContactInput(input: ContactInput, kind: ContactKind, options: { creating: boolean; defaultCountry: CountryCode }): { prepared: PreparedInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const prepared: PreparedInput = { scalars: {}, channels: {} };
  const fail = (field: string, message: string, params?: Record<string, unknown>) => errors.push({ field, code: 'invalid', message, params });

  for (const f of SCALAR_FIELDS) {
    if (!(f in input)) continue;
    const raw = (input as Record<string, unknown>)[f];
    prepared.scalars[f] = f === 'is_staff' ? Boolean(raw) : typeof raw === 'string' || raw === null ? trimOrNull(raw) : raw;
  }
  if (prepared.scalars.birthday) {
    const b = String(prepared.scalars.birthday);
    if (Number.isNaN(Date.parse(`${b}T00:00:00Z`)) || b > new Date().toISOString().slice(0, 10)) fail('birthday', 'crm:errors.invalid_birthday');
  }

  if (options.creating) {
    const hasName = kind === 'company' ? Boolean(prepared.scalars.company_name) : Boolean(prepared.scalars.first_name || prepared.scalars.last_name || prepared.scalars.company_name);
    if (!hasName) fail(kind === 'company' ? 'company_name' : 'last_name', 'crm:errors.name_required');
  } else if (kind === 'company' && 'company_name' in prepared.scalars && !prepared.scalars.company_name) {
    fail('company_name', 'crm:errors.name_required');
  }

  const emails = input.emails?.flatMap((c, i) => {
    const normalized = normalizeEmail(c.value);
    if (!normalized) return void fail(`emails.${i}.value`, 'crm:errors.invalid_email'), [];
    return [{ type: 'email' as const, subtype: trimOrNull(c.label), value: normalized, normalized, is_primary: Boolean(c.primary), consent: Boolean(c.consent) }];
  });
  if (emails) prepared.channels.emails = withPrimary(dedupe(emails));

  const phones = input.phones?.flatMap((c, i) => {
    const phone = normalizePhone(c.value, options.defaultCountry);
    if (!phone) return void fail(`phones.${i}.value`, 'crm:errors.invalid_phone'), [];
    return [{ type: 'phone' as const, subtype: trimOrNull(c.label), value: phone.display, normalized: phone.extension ? `${phone.e164};ext=${phone.extension}` : phone.e164, is_primary: Boolean(c.primary), consent: false }];
  });
  if (phones) prepared.channels.phones = withPrimary(dedupe(phones));

  const messengers = input.messengers?.flatMap((m, i) => {
    const normalized = normalizeMessenger(m.type, m.value, options.defaultCountry);
    if (!normalized) return void fail(`messengers.${i}.value`, 'crm:errors.invalid_messenger', { type: m.type }), [];
    return [{ type: 'messenger' as const, subtype: m.type, value: normalized, normalized, is_primary: false, consent: false }];
  });
  if (messengers) prepared.channels.messengers = dedupe(messengers);

  const websites = input.websites?.flatMap((c, i) => {
    const url = normalizeUrl(c.value);
    if (!url) return void fail(`websites.${i}.value`, 'crm:errors.invalid_url'), [];
    return [{ type: 'website' as const, subtype: trimOrNull(c.label), value: url, normalized: url.toLowerCase(), is_primary: Boolean(c.primary), consent: false }];
  });
  if (websites) prepared.channels.websites = withPrimary(dedupe(websites));

  const domains = input.domains?.flatMap((d, i) => {
    const domain = normalizeDomain(d);
    if (!domain) return void fail(`domains.${i}`, 'crm:errors.invalid_domain'), [];
    return [{ type: 'domain' as const, subtype: null, value: domain, normalized: domain, is_primary: false, consent: false }];
  });
  if (domains) prepared.channels.domains = dedupe(domains);

  const taxIds = input.tax_ids?.flatMap((t: TaxId, i) => {
    const result = validateTaxId(t.type, t.value);
    if (!result.ok) return void fail(`tax_ids.${i}.value`, result.reason === 'checksum' ? 'crm:errors.tax_id_checksum' : 'crm:errors.tax_id_format', { type: t.type.toUpperCase() }), [];
    return [{ type: 'tax_id' as const, subtype: t.type, value: result.normalized, normalized: result.normalized, is_primary: false, consent: false }];
  });
  if (taxIds) prepared.channels.tax_ids = dedupe(taxIds);

  if (input.addresses) {
    prepared.addresses = input.addresses
      .map((a) => ({ label: trimOrNull(a.label), country: trimOrNull(a.country), region: trimOrNull(a.region), city: trimOrNull(a.city), zip: trimOrNull(a.zip), street: trimOrNull(a.street) }))
      .filter((a) => a.country || a.region || a.city || a.zip || a.street);
  }
  if (input.custom) prepared.custom = input.custom;
  return { prepared, errors };
}
