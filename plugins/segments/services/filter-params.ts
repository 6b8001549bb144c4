/**
 * The saved filter of a dynamic segment: the client list's query parameters, cleaned into the one
 * spelling `GET /api/v1/contacts` takes. The list page's form also posts empty inputs, paging and
 * sorting, and one input per property of a plugin's condition (`condition.<plugin>.<id>.<prop>`);
 * those properties are folded into the condition's JSON. Pure functions.
 */
import type { FilterParams } from '../api.js';

/** What the list page carries besides its filters: paging, sorting, the trash, messages. */
const NOT_FILTERS = new Set(['sort', 'order', 'limit', 'cursor', 'before', 'pos', 'restored', 'trash', '_csrf']);
const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);
const CONDITION_PROPERTY = /^condition\.([a-z][a-z0-9-]*)\.([A-Za-z0-9_-]+)\.(.+)$/;

/** One parameter's values as texts: objects (a condition's value given in JSON form) are serialized. */
function texts(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => {
    if (v === null || v === undefined) return [];
    if (typeof v === 'object') return [JSON.stringify(v)];
    return [String(v).trim()];
  }).filter((v) => v !== '');
}

/** A query string (`?q=a&status_id=1&status_id=2`) as parameters, repeated names as lists. */
export function paramsOfQueryString(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text.replace(/^\?/, ''))) {
    const current = out[key];
    out[key] = current === undefined ? value : [...(Array.isArray(current) ? current : [current]), value];
  }
  return out;
}

/**
 * The filters of `raw` in canonical form, keys sorted: empty values, paging and the trash dropped,
 * booleans spelt `true`/`false`, a condition's per-property inputs folded into its JSON.
 */
export function canonicalFilter(raw: Record<string, unknown>): FilterParams {
  const out: FilterParams = {};
  const properties = new Map<string, Record<string, string>>();
  for (const [key, value] of Object.entries(raw)) {
    if (NOT_FILTERS.has(key)) continue;
    const list = texts(value);
    if (!list.length) continue;
    const property = CONDITION_PROPERTY.exec(key);
    if (property) {
      const id = `condition.${property[1]}.${property[2]}`;
      properties.set(id, { ...properties.get(id), [property[3]!]: list[0]! });
      continue;
    }
    if (key === 'has_email' || key === 'has_phone') {
      const v = list[0]!.toLowerCase();
      out[key] = TRUE.has(v) ? 'true' : FALSE.has(v) ? 'false' : list[0]!;
      continue;
    }
    out[key] = list.length === 1 ? list[0]! : list;
  }
  for (const [id, values] of properties) {
    let base: Record<string, unknown> = {};
    const json = out[id];
    if (typeof json === 'string') {
      try {
        const parsed: unknown = JSON.parse(json);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) base = parsed as Record<string, unknown>;
      } catch {
        // A broken JSON switch value is replaced by the inputs; the API's checks judge the result.
      }
    }
    out[id] = JSON.stringify({ ...base, ...values });
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The filter as a query string for a link to the list (`/crm/contacts?...`). */
export function queryStringOf(filter: FilterParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  return search.toString();
}

/** Segment ids a filter refers to: `segment_id=3` or `condition.segments.in-segment={"segment_id":3}`. */
export function referencedSegments(filter: FilterParams, conditionKey: string, paramName: string): number[] {
  const ids: number[] = [];
  for (const v of ([] as string[]).concat(filter[paramName] ?? [])) ids.push(Number(v));
  const json = filter[conditionKey];
  if (typeof json === 'string') {
    try {
      ids.push(Number((JSON.parse(json) as { segment_id?: unknown }).segment_id));
    } catch {
      // not JSON: the API's checks refuse it when the filter is saved
    }
  }
  return [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))];
}
