/**
 * The client list's query string: parsed into a ListQuery for the query service, and kept as
 * canonical pairs so every link on the page (sort headers, pages, filter chips) rebuilds the same
 * list. The names match the API's filters (`q`, `status_id`, `custom.<key>`...). Forms post empty
 * inputs too; those mean "no filter" and are dropped here.
 */
import type { Contributed, FieldError, ValidationService } from '../../../host/api.js';
import type { FieldDefinition, FilterCondition, FilterValue, ListQuery } from '../api.js';

export const LIST_PATH = '/crm/contacts';
export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_LIMIT = 50;
export const DEFAULT_SORT = 'name';
export const STANDARD_SORT_KEYS = ['name', 'created_at', 'updated_at', 'kind', 'status_id', 'responsible_id', 'category_id', 'job_title'];
const RANGE_TYPES = new Set(['number', 'money', 'date']);
const ID_LIST = { type: 'array', items: { type: 'integer', minimum: 0, maximum: 2_147_483_647 }, maxItems: 100 };
const CURSOR = { type: 'string', maxLength: 1000, pattern: '^[A-Za-z0-9_-]+={0,2}$' };

/** The fixed parameters; `custom.*` and `condition.*` are parsed by hand below. */
export const listQuerySchema = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 200 },
    kind: { type: 'string', enum: ['person', 'company'] },
    status_id: ID_LIST,
    category_id: ID_LIST,
    responsible_id: ID_LIST,
    created_from: { type: 'string', format: 'date' },
    created_to: { type: 'string', format: 'date' },
    has_email: { type: 'boolean' },
    has_phone: { type: 'boolean' },
    trash: { type: 'boolean' },
    sort: { type: 'string', pattern: `^(${STANDARD_SORT_KEYS.join('|')}|custom\\.[a-z][a-z0-9_]{0,63})$` },
    order: { type: 'string', enum: ['asc', 'desc'] },
    limit: { type: 'integer', enum: [...PAGE_SIZES] },
    cursor: CURSOR,
    before: CURSOR,
    pos: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
    restored: { type: 'integer', minimum: 1 },
  },
};

export type Pair = [string, string];

export interface ListParams {
  /** Filters only (no sort or paging), as the query service takes them. */
  query: ListQuery;
  sort: string;
  order: 'asc' | 'desc';
  limit: number;
  cursor: string | null;
  /** "Previous page": the cursor of the current page, to walk back from. */
  before: string | null;
  /** The position of the page's first row (0-based), for "51–100 of N". */
  pos: number;
  restored: number | null;
  /** The filters in a canonical order, for links. */
  filters: Pair[];
  errors: FieldError[];
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** Drops empty form values; booleans accept 1/0 and yes/no as well as true/false. */
function clean(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const list = (Array.isArray(value) ? value : [value]).filter((v) => !(typeof v === 'string' && v.trim() === ''));
    if (!list.length) continue;
    const single = Array.isArray(value) ? list : list[0];
    if (['has_email', 'has_phone', 'trash'].includes(key) && typeof single === 'string') {
      const v = single.toLowerCase();
      out[key] = TRUE.has(v) ? true : FALSE.has(v) ? false : single;
    } else {
      out[key] = key === 'q' && typeof single === 'string' ? single.trim() : single;
    }
  }
  return out;
}

const invalid = (field: string, message: string, params?: Record<string, unknown>): FieldError => ({ field, code: 'invalid', message, params });

/** `custom.<key>` and `custom.<key>.from|to`: checked against the field definitions. */
function parseCustom(raw: Record<string, unknown>, fields: FieldDefinition[], errors: FieldError[]): { custom: Record<string, unknown>; pairs: Pair[] } {
  const custom: Record<string, unknown> = {};
  const pairs: Pair[] = [];
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const keys = [...new Set(Object.keys(raw).filter((k) => k.startsWith('custom.')).map((k) => k.split('.')[1] ?? ''))];
  for (const key of keys) {
    const field = byKey.get(key);
    const exact = raw[`custom.${key}`];
    const from = raw[`custom.${key}.from`];
    const to = raw[`custom.${key}.to`];
    if (!field || field.type === 'long_text') {
      errors.push(invalid(`custom.${key}`, field ? 'crm:errors.not_filterable' : 'crm:errors.unknown_field'));
      continue;
    }
    if (from !== undefined || to !== undefined) {
      if (!RANGE_TYPES.has(field.type)) {
        errors.push(invalid(`custom.${key}`, 'crm:errors.not_filterable'));
        continue;
      }
      const range: Record<string, string> = {};
      for (const [side, value] of [['from', from], ['to', to]] as const) {
        if (value === undefined) continue;
        const text = String(value).trim();
        const ok = field.type === 'date' ? /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)) : /^-?\d+([.,]\d+)?$/.test(text);
        if (!ok || Array.isArray(value)) {
          errors.push(invalid(`custom.${key}.${side}`, field.type === 'date' ? 'crm:errors.not_a_date' : 'crm:errors.not_a_number'));
          continue;
        }
        range[side] = field.type === 'date' ? text : text.replace(',', '.');
        pairs.push([`custom.${key}.${side}`, range[side]!]);
      }
      if (Object.keys(range).length) custom[key] = range;
      continue;
    }
    const values = (Array.isArray(exact) ? exact : [exact]).map((v) => (typeof v === 'string' ? v.trim() : null));
    if (values.some((v) => v === null || v.length > 190)) {
      errors.push(invalid(`custom.${key}`, 'host:validation.type'));
      continue;
    }
    if (field.type === 'checkbox' && values.some((v) => !TRUE.has(v!) && !FALSE.has(v!))) {
      errors.push(invalid(`custom.${key}`, 'crm:errors.not_a_boolean'));
      continue;
    }
    const list = field.type === 'checkbox' ? values.map((v) => String(TRUE.has(v!))) : (values as string[]);
    custom[key] = list.length === 1 ? list[0] : list;
    for (const v of list) pairs.push([`custom.${key}`, v]);
  }
  return { custom, pairs };
}

/**
 * A plugin's condition, spelt three ways: `condition.<pluginId>.<id>` as JSON (links; `{}` turns
 * it on with no values), `condition.<pluginId>.<id>.<property>` one input per property (the filter
 * form; these win over the JSON), or the plain parameter the condition may offer (`?tag=vip`).
 * Values are coerced by the condition's schema. A condition given only by its plain parameter
 * keeps that spelling in links.
 */
function parseConditions(
  raw: Record<string, unknown>,
  conditions: Array<Contributed<FilterCondition>>,
  validator: ValidationService,
  errors: FieldError[],
): { values: Record<string, FilterValue>; pairs: Pair[] } {
  const values: Record<string, FilterValue> = {};
  const pairs: Pair[] = [];
  const known = new Map(conditions.map((c) => [`${c.pluginId}.${c.id}`, c]));
  const grouped = new Map<string, FilterValue>();
  const target = (id: string) => grouped.get(id) ?? grouped.set(id, {}).get(id)!;
  /** Conditions switched on as a whole: they apply even with no property filled. */
  const whole = new Set<string>();
  /** Raw values of plain parameters, by condition, while no other spelling is used. */
  const plain = new Map<string, { name: string; raw: string[] }>();

  for (const c of conditions) {
    const name = c.param?.name;
    if (!name || name in listQuerySchema.properties || raw[name] === undefined) continue;
    const id = `${c.pluginId}.${c.id}`;
    const list = ([] as unknown[]).concat(raw[name]).filter((v): v is string => typeof v === 'string');
    try {
      Object.assign(target(id), c.param!.value(list));
      whole.add(id);
      plain.set(id, { name, raw: list });
    } catch {
      errors.push(invalid(name, 'host:validation.type'));
    }
  }
  const properties: Array<[string, string, string]> = [];
  for (const [name, value] of Object.entries(raw)) {
    if (!name.startsWith('condition.')) continue;
    const parts = name.split('.');
    const id = `${parts[1] ?? ''}.${parts[2] ?? ''}`;
    const property = parts.slice(3).join('.');
    if (!known.has(id)) {
      errors.push(invalid(`condition.${id}`, 'crm:errors.unknown_condition'));
      continue;
    }
    if (typeof value !== 'string') {
      errors.push(invalid(name, 'host:validation.type'));
      continue;
    }
    plain.delete(id);
    if (property) {
      properties.push([id, property, value]);
      continue;
    }
    try {
      const parsed: unknown = JSON.parse(value);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      Object.assign(target(id), parsed);
      whole.add(id);
    } catch {
      errors.push(invalid(name, 'host:validation.type'));
    }
  }
  for (const [id, property, value] of properties) target(id)[property] = value;

  for (const [id, value] of grouped) {
    if (!Object.keys(value).length && !whole.has(id)) continue;
    const found = validator.validate(known.get(id)!.schema, value, true);
    if (found.length) {
      errors.push(...found.map((e) => ({ ...e, field: `condition.${id}.${e.field}` })));
      continue;
    }
    values[id] = value;
    const spelt = plain.get(id);
    if (spelt) pairs.push(...spelt.raw.map((v): Pair => [spelt.name, v]));
    else pairs.push([`condition.${id}`, JSON.stringify(value)]);
  }
  return { values, pairs };
}

/** Parses the list's query string; invalid parts are left out and reported in `errors`. */
export function parseListParams(
  rawQuery: Record<string, unknown>,
  deps: { fields: FieldDefinition[]; conditions: Array<Contributed<FilterCondition>>; validator: ValidationService },
): ListParams {
  const raw = clean(rawQuery);
  const fixed: Record<string, unknown> = {};
  for (const key of Object.keys(listQuerySchema.properties)) if (key in raw) fixed[key] = raw[key];
  const errors = deps.validator.validate(listQuerySchema, fixed, true);
  // A bad parameter is dropped; the rest of the list still works.
  for (const e of errors) delete fixed[e.field.split('.')[0]!];
  const custom = parseCustom(raw, deps.fields, errors);
  const conditions = parseConditions(raw, deps.conditions, deps.validator, errors);

  const query: ListQuery = {};
  const filters: Pair[] = [];
  const str = (key: 'q' | 'kind' | 'created_from' | 'created_to') => {
    if (typeof fixed[key] !== 'string') return;
    (query as Record<string, unknown>)[key] = fixed[key];
    filters.push([key, fixed[key] as string]);
  };
  str('q');
  str('kind');
  for (const key of ['status_id', 'category_id', 'responsible_id'] as const) {
    const ids = [...new Set(fixed[key] as number[] | undefined)];
    if (!ids.length) continue;
    query[key] = ids;
    for (const id of ids) filters.push([key, String(id)]);
  }
  str('created_from');
  str('created_to');
  for (const key of ['has_email', 'has_phone'] as const) {
    if (typeof fixed[key] !== 'boolean') continue;
    query[key] = fixed[key] as boolean;
    filters.push([key, String(fixed[key])]);
  }
  if (Object.keys(custom.custom).length) query.custom = custom.custom;
  filters.push(...custom.pairs);
  if (Object.keys(conditions.values).length) query.conditions = conditions.values;
  filters.push(...conditions.pairs);
  if (fixed.trash === true) {
    query.trash = true;
    filters.push(['trash', '1']);
  }
  return {
    query,
    sort: (fixed.sort as string | undefined) ?? DEFAULT_SORT,
    order: (fixed.order as 'asc' | 'desc' | undefined) ?? 'asc',
    limit: (fixed.limit as number | undefined) ?? DEFAULT_LIMIT,
    cursor: (fixed.cursor as string | undefined) ?? null,
    before: (fixed.before as string | undefined) ?? null,
    pos: fixed.cursor || fixed.before ? ((fixed.pos as number | undefined) ?? 0) : 0,
    restored: (fixed.restored as number | undefined) ?? null,
    filters,
    errors,
  };
}

/** A link to the list with these filters, sort and page. */
export function listHref(
  params: Pick<ListParams, 'sort' | 'order' | 'limit'>,
  filters: Pair[],
  page: { cursor?: string | null; before?: string | null; pos?: number } = {},
): string {
  const search = new URLSearchParams(filters);
  if (params.sort !== DEFAULT_SORT || params.order !== 'asc') {
    search.set('sort', params.sort);
    search.set('order', params.order);
  }
  if (params.limit !== DEFAULT_LIMIT) search.set('limit', String(params.limit));
  if (page.cursor) search.set('cursor', page.cursor);
  if (page.before) search.set('before', page.before);
  if (page.pos) search.set('pos', String(page.pos));
  const text = search.toString();
  return text ? `${LIST_PATH}?${text}` : LIST_PATH;
}
