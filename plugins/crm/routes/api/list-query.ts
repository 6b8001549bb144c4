/**
 * The contact list's query parameters: their JSON Schema (checked by the host before the handler
 * runs) and their translation into the query service's ListQuery. Unknown parameters are refused
 * so a misspelt filter never silently returns every contact.
 */
import type { RequestHandler } from 'express';
import { TOKENS, type Contributed, type ExtensionRegistry, type PluginContext } from '../../../../host/api.js';
import { filterConditions, type FilterCondition, type ListQuery } from '../../api.js';
import { MAX_PAGE } from '../../services/list-limits.js';
import { invalid } from './params.js';

/** Comma-separated or repeated ids; 0 stands for "none". */
const idList = { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 500, pattern: '^\\d{1,15}(,\\d{1,15})*$' } };

const CUSTOM_VALUE = '^custom\\.[a-z][a-z0-9_]{0,63}$';
const CUSTOM_RANGE = '^custom\\.[a-z][a-z0-9_]{0,63}\\.(from|to)$';
const CONDITION = '^condition\\.[a-z][a-z0-9-]*\\.[A-Za-z0-9_.-]{1,100}$';
const [customValue, customRange, condition] = [CUSTOM_VALUE, CUSTOM_RANGE, CONDITION].map((p) => new RegExp(p)) as [RegExp, RegExp, RegExp];

/** Paging and sorting, shared by every route that returns a page of contacts. */
export const pageProperties = {
  sort: { type: 'string', maxLength: 80 },
  order: { enum: ['asc', 'desc'] },
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 50 },
  cursor: { type: 'string', maxLength: 1000 },
};

export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200 },
    kind: { enum: ['person', 'company'] },
    status_id: idList,
    category_id: idList,
    responsible_id: idList,
    class_id: idList,
    created_from: { type: 'string', format: 'date' },
    created_to: { type: 'string', format: 'date' },
    has_email: { type: 'boolean' },
    has_phone: { type: 'boolean' },
    company_id: { type: 'integer', minimum: 1 },
    trash: { type: 'boolean' },
    ...pageProperties,
  },
  patternProperties: {
    // custom.<key>=a,b (any of) and custom.<key>.from / .to (a range)
    [CUSTOM_VALUE]: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 190 } },
    [CUSTOM_RANGE]: { type: 'string', maxLength: 40 },
    // condition.<pluginId>.<conditionId>={"json": "value"}
    [CONDITION]: { type: 'string', maxLength: 10000 },
  },
};

const ids = (list: unknown): number[] | undefined =>
  Array.isArray(list) ? [...new Set(list.flatMap((s) => String(s).split(',')).map(Number))] : undefined;

/** The paging part of a validated query. */
export function pageOf(query: Record<string, unknown>): Pick<ListQuery, 'sort' | 'order' | 'limit' | 'cursor'> {
  return {
    sort: query.sort as string | undefined,
    order: query.order as ListQuery['order'],
    limit: query.limit as number | undefined,
    cursor: query.cursor as string | undefined,
  };
}

/** A validated query (see listQuerySchema) as the query service's ListQuery. */
export function toListQuery(query: Record<string, unknown>): ListQuery {
  const out: ListQuery = {
    q: query.q as string | undefined,
    kind: query.kind as ListQuery['kind'],
    status_id: ids(query.status_id),
    category_id: ids(query.category_id),
    responsible_id: ids(query.responsible_id),
    class_id: ids(query.class_id),
    created_from: query.created_from as string | undefined,
    created_to: query.created_to as string | undefined,
    has_email: query.has_email as boolean | undefined,
    has_phone: query.has_phone as boolean | undefined,
    company_id: query.company_id as number | undefined,
    trash: query.trash as boolean | undefined,
    ...pageOf(query),
  };
  const custom: Record<string, unknown> = {};
  const conditions: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(query)) {
    if (customRange.test(name)) {
      const [, key, bound] = name.split('.') as [string, string, 'from' | 'to'];
      const current = custom[key];
      if (current !== undefined && (typeof current !== 'object' || Array.isArray(current))) throw invalid([{ field: name, code: 'conflict', message: 'crm:api.range_and_value' }]);
      custom[key] = { ...(current as object | undefined), [bound]: value };
    } else if (customValue.test(name)) {
      const key = name.slice('custom.'.length);
      if (custom[key] !== undefined) throw invalid([{ field: name, code: 'conflict', message: 'crm:api.range_and_value' }]);
      custom[key] = (value as string[]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    } else if (condition.test(name)) {
      conditions[name.slice('condition.'.length)] = parseCondition(name, value as string);
    }
  }
  if (Object.keys(custom).length) out.custom = custom;
  if (Object.keys(conditions).length) out.conditions = conditions;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as ListQuery;
}

function parseCondition(name: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid([{ field: name, code: 'json', message: 'crm:api.condition_json' }]);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid([{ field: name, code: 'json', message: 'crm:api.condition_json' }]);
  return value as Record<string, unknown>;
}

/**
 * Conditions may offer a plain parameter (`?tag=vip`, `?segment_id=3`): rewrites it into its
 * `condition.<plugin>.<id>` form before validation, so one schema covers both spellings.
 */
export function conditionParams(ctx: PluginContext): RequestHandler {
  return (req, _res, next) => {
    const query = plainConditionParams(req.query as Record<string, unknown>, ctx.get<ExtensionRegistry>(TOKENS.Extensions).list(filterConditions, req.user));
    Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true });
    next();
  };
}

/** A copy of `query` with the plain parameters of these conditions rewritten into `condition.<plugin>.<id>` JSON. */
export function plainConditionParams(query: Record<string, unknown>, conditions: Array<Contributed<FilterCondition>>): Record<string, unknown> {
  const out = { ...query };
  for (const c of conditions) {
    if (!c.param || !(c.param.name in out)) continue;
    const raw = ([] as unknown[]).concat(out[c.param.name]).map(String);
    delete out[c.param.name];
    out[`condition.${c.pluginId}.${c.id}`] = JSON.stringify(c.param.value(raw));
  }
  return out;
}
