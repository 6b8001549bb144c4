/**
 * The board's query string: the client list's `q`, `kind` and `responsible_id` (0: unassigned),
 * plus `responsible_id=me`. A value that makes no sense is dropped, like the list does, so a
 * hand-edited link still shows a board.
 */
import type { BoardFilters } from '../api.js';

export type Pair = [string, string];

const MAX_ID = 2_147_483_647;

const values = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');

export function parseFilters(raw: Record<string, unknown>, me: number): { filters: BoardFilters; pairs: Pair[] } {
  const filters: BoardFilters = {};
  const pairs: Pair[] = [];
  const q = values(raw.q)[0]?.trim().slice(0, 200);
  if (q) {
    filters.q = q;
    pairs.push(['q', q]);
  }
  const kind = values(raw.kind)[0];
  if (kind === 'person' || kind === 'company') {
    filters.kind = kind;
    pairs.push(['kind', kind]);
  }
  const ids = new Set<number>();
  for (const v of values(raw.responsible_id).flatMap((s) => s.split(','))) {
    const text = v.trim();
    const id = text === 'me' ? me : /^\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (Number.isInteger(id) && id >= 0 && id <= MAX_ID) ids.add(id);
  }
  if (ids.size) {
    filters.responsible_id = [...ids].slice(0, 100);
    for (const id of filters.responsible_id) pairs.push(['responsible_id', String(id)]);
  }
  return { filters, pairs };
}

export const withPairs = (path: string, pairs: Pair[]): string => {
  const search = new URLSearchParams(pairs).toString();
  return search ? `${path}?${search}` : path;
};
