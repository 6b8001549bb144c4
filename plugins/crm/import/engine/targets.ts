/**
 * Where a file's column can go (the contract's MappingTarget): the standard fields, the custom
 * fields and the plugins' import columns, with their titles, and the header names in English,
 * Polish, Russian and Ukrainian that suggest each standard one.
 */
import type { FieldDefinition, IoColumn } from '../../api.js';
import type { Contributed } from '../../../../host/api.js';

export const TAX_ID_TARGET_TYPES = ['nip', 'regon', 'pesel', 'inn', 'edrpou', 'vat_eu'] as const;
export const MESSENGER_TARGET_TYPES = ['skype', 'whatsapp', 'telegram'] as const;
export const ADDRESS_PARTS = ['country', 'region', 'city', 'zip', 'street'] as const;

/** The standard targets in the order the wizard lists them, and whether several columns may map to one. */
export const STANDARD_TARGETS: Array<{ id: string; multiple: boolean }> = [
  { id: 'first_name', multiple: false },
  { id: 'last_name', multiple: false },
  { id: 'middle_name', multiple: false },
  { id: 'full_name', multiple: false },
  { id: 'company_name', multiple: false },
  { id: 'job_title', multiple: false },
  { id: 'email', multiple: true },
  { id: 'phone', multiple: true },
  { id: 'website', multiple: true },
  { id: 'domain', multiple: true },
  { id: 'tax_id', multiple: true },
  ...TAX_ID_TARGET_TYPES.map((t) => ({ id: `tax_id.${t}`, multiple: true })),
  ...MESSENGER_TARGET_TYPES.map((t) => ({ id: `messenger.${t}`, multiple: true })),
  ...ADDRESS_PARTS.map((p) => ({ id: `address.${p}`, multiple: false })),
  { id: 'birthday', multiple: false },
  { id: 'comment', multiple: true },
  { id: 'kind', multiple: false },
  { id: 'status', multiple: false },
  { id: 'category', multiple: false },
  { id: 'client_type', multiple: false },
  { id: 'source', multiple: false },
  { id: 'responsible', multiple: false },
  { id: 'company', multiple: false },
  { id: 'external_id', multiple: false },
];

const STANDARD_IDS = new Set(STANDARD_TARGETS.map((t) => t.id));

export const ioTargetId = (column: Contributed<IoColumn>): string => `io.${column.pluginId}.${column.id}`;

/** Header names that suggest each standard target (any case, spacing and punctuation). */
const ALIASES: Record<string, string[]> = {
  first_name: ['first name', 'firstname', 'given name', 'name first', 'imię', 'imie', 'имя', "ім'я", 'імя', 'iм’я', 'ім’я'],
  last_name: ['last name', 'lastname', 'surname', 'family name', 'nazwisko', 'фамилия', 'прізвище'],
  middle_name: ['middle name', 'patronymic', 'drugie imię', 'отчество', 'по батькові', 'по-батькові'],
  full_name: ['name', 'full name', 'contact', 'contact name', 'person', 'imię i nazwisko', 'nazwa kontaktu', 'фио', 'ф.и.о.', 'полное имя', 'контакт', 'піб', 'п.і.б.', 'повне імʼя', "повне ім'я"],
  company_name: ['company', 'company name', 'organization', 'organisation', 'firm', 'firma', 'nazwa firmy', 'przedsiębiorstwo', 'компания', 'организация', 'название компании', 'компанія', 'організація', 'назва компанії'],
  job_title: ['job title', 'title', 'position', 'role', 'stanowisko', 'должность', 'посада'],
  email: ['email', 'e-mail', 'e mail', 'mail', 'email address', 'e-mail address', 'adres e-mail', 'adres email', 'poczta', 'эл. почта', 'электронная почта', 'почта', 'емейл', 'електронна пошта', 'ел. пошта', 'пошта'],
  phone: ['phone', 'phone number', 'telephone', 'tel', 'tel.', 'mobile', 'cell', 'telefon', 'numer telefonu', 'komórka', 'tel. komórkowy', 'телефон', 'номер телефона', 'мобильный', 'номер телефону', 'мобільний'],
  website: ['website', 'web site', 'site', 'url', 'www', 'homepage', 'strona', 'strona www', 'strona internetowa', 'сайт', 'веб-сайт', 'вебсайт'],
  domain: ['domain', 'domena', 'домен'],
  tax_id: ['tax id', 'vat', 'vat id', 'vat number', 'tin'],
  'tax_id.nip': ['nip', 'nip firmy'],
  'tax_id.regon': ['regon'],
  'tax_id.pesel': ['pesel'],
  'tax_id.inn': ['inn', 'инн', 'інн'],
  'tax_id.edrpou': ['edrpou', 'едрпоу', 'єдрпоу', 'код єдрпоу', 'код едрпоу'],
  'tax_id.vat_eu': ['vat eu', 'eu vat', 'nip ue', 'vat ue'],
  'messenger.skype': ['skype', 'скайп'],
  'messenger.whatsapp': ['whatsapp', 'ватсап', 'вотсап'],
  'messenger.telegram': ['telegram', 'телеграм', 'телеграмм'],
  'address.country': ['country', 'kraj', 'państwo', 'страна', 'країна'],
  'address.region': ['region', 'state', 'province', 'województwo', 'регион', 'область', 'регіон'],
  'address.city': ['city', 'town', 'miasto', 'miejscowość', 'город', 'населенный пункт', 'місто'],
  'address.zip': ['zip', 'zip code', 'postal code', 'postcode', 'kod pocztowy', 'индекс', 'почтовый индекс', 'поштовий індекс', 'індекс'],
  'address.street': ['street', 'address', 'ulica', 'adres', 'улица', 'адрес', 'вулиця', 'адреса'],
  birthday: ['birthday', 'birth date', 'date of birth', 'dob', 'data urodzenia', 'urodziny', 'дата рождения', 'день рождения', 'дата народження', 'день народження'],
  comment: ['comment', 'comments', 'note', 'notes', 'description', 'komentarz', 'uwagi', 'notatka', 'opis', 'комментарий', 'примечание', 'заметки', 'коментар', 'примітка', 'нотатки'],
  kind: ['kind', 'type', 'contact type', 'rodzaj', 'typ', 'тип', 'вид'],
  status: ['status', 'stage', 'статус', 'этап', 'етап'],
  category: ['category', 'kategoria', 'категория', 'категорія'],
  client_type: ['client type', 'customer type', 'typ klienta', 'тип клиента', 'тип клієнта'],
  source: ['source', 'lead source', 'źródło', 'zrodlo', 'источник', 'джерело'],
  responsible: ['responsible', 'owner', 'manager', 'account manager', 'assigned to', 'opiekun', 'odpowiedzialny', 'menedżer', 'ответственный', 'менеджер', 'відповідальний'],
  company: ['employer', 'works at', 'company id', 'pracodawca', 'работодатель', 'место работы', 'роботодавець', 'місце роботи'],
  external_id: ['id', 'external id', 'customer id', 'client id', 'contact id', 'ext id', 'identyfikator', 'id klienta', 'внешний id', 'код клиента', 'id клиента', 'зовнішній id', 'код клієнта', 'id клієнта'],
};

/** A header compared as the user means it: lower case, no diacritics of Latin letters, single spaces, no trailing punctuation. */
export function headerKey(header: string): string {
  return header
    .toLowerCase()
    .normalize('NFKD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/ł/g, 'l')
    .replace(/ё/g, 'е')
    .replace(/[’ʼ`´]/g, "'")
    .replace(/[_\s]+/g, ' ')
    .replace(/\s*\(\d+\)$/, '') // "Email (2)": the reader's suffix for a repeated header
    .replace(/(\D)\s*\d$/, '$1') // "Phone 1", "Phone2"
    .replace(/[\s:*.]+$/, '')
    .trim();
}

const ALIAS_INDEX: Map<string, string> = (() => {
  const index = new Map<string, string>();
  for (const [target, names] of Object.entries(ALIASES)) for (const n of names) if (!index.has(headerKey(n))) index.set(headerKey(n), target);
  return index;
})();

export interface TargetCatalog {
  /** Every target id the mapping may use. */
  ids: Set<string>;
  multiple: Set<string>;
  fields: Map<string, FieldDefinition>;
  io: Map<string, Contributed<IoColumn>>;
}

export function targetCatalog(fields: FieldDefinition[], io: Array<Contributed<IoColumn>>): TargetCatalog {
  const ids = new Set(['skip', ...STANDARD_IDS]);
  const multiple = new Set(STANDARD_TARGETS.filter((t) => t.multiple).map((t) => t.id));
  const byKey = new Map<string, FieldDefinition>();
  for (const f of fields) {
    ids.add(`custom.${f.key}`);
    byKey.set(f.key, f);
  }
  const ioById = new Map<string, Contributed<IoColumn>>();
  for (const c of io) {
    if (!c.apply) continue;
    ids.add(ioTargetId(c));
    multiple.add(ioTargetId(c));
    ioById.set(ioTargetId(c), c);
  }
  return { ids, multiple, fields: byKey, io: ioById };
}

/**
 * A target for each header from its name: a standard alias, a custom field's label in any
 * language or its key, a plugin column's aliases; else "skip". A single-valued target goes to the
 * first header that names it; later ones are skipped.
 */
export function suggestTargets(headers: string[], catalog: TargetCatalog, translatedTitles: Map<string, string[]>): string[] {
  const byName = new Map<string, string>(ALIAS_INDEX);
  for (const [key, field] of catalog.fields) {
    for (const label of [key, ...Object.values(field.labels)]) if (label) byName.set(headerKey(label), `custom.${key}`);
  }
  for (const [id, column] of catalog.io) for (const alias of column.aliases ?? []) byName.set(headerKey(alias), id);
  for (const [id, titles] of translatedTitles) for (const t of titles) if (!byName.has(headerKey(t))) byName.set(headerKey(t), id);
  const taken = new Set<string>();
  return headers.map((h) => {
    const target = byName.get(headerKey(h));
    if (!target || (taken.has(target) && !catalog.multiple.has(target))) return 'skip';
    taken.add(target);
    return target;
  });
}

/** The i18n key of a standard target's title ("tax_id.nip" -> crm:import.target.tax_id_nip: dots would nest). */
export const titleKey = (id: string): string => `crm:import.target.${id.replace(/\./g, '_')}`;
