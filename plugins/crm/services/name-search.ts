/**
 * Name search over the search terms: the SQL of "every word of the query starts a word of the
 * name", and a plan that answers the list from the terms alone.
 *
 * The plan. Each term row carries its contact's sort key (migration 0009), so for a user no rule
 * restricts, a search by name alone (no other filter, sorted by name) needs no contact row: the
 * matches in name order and their count come from one range of the terms' primary key. A common
 * surname prefix matches tens of thousands of contacts in a million; reading each of them to check
 * that it is live cost more than the rest of the request. What the terms cannot tell is whether a
 * contact is in the trash, so the trashed matches are read from the other side, from the trash,
 * when the trash is small; when it is not, the list takes its general plan. Merged contacts need
 * no check: a merge deletes the terms of the contacts it merges away (merge-service.ts).
 */
import type { Sequelize } from 'sequelize';
import type { ListQuery } from '../api.js';
import { foldText, searchTerms } from './normalize/text.js';

/** Trashed contacts at most for the plan; above it, reading the trashed matches costs too much. */
export const TRASH_LIMIT = 2000;

/** The plan's switches; tests turn it off or lower the limit to compare it with the general plan. */
export const namePlan = { enabled: true, trashLimit: TRASH_LIMIT };

/** A LIKE pattern for values starting with `v` (its own wildcards escaped). */
export const likePrefix = (v: string) => `${v.replace(/[\\%_]/g, '\\$&')}%`;

/** What a search text is looked up as. */
export interface SearchText {
  /** Folded words, each the prefix of a word of the name. */
  terms: string[];
  /** Looks like an email address or a domain: the channels are searched too. */
  email: boolean;
  /** Looks like a phone number or a tax id: the channels are searched too. */
  digits: boolean;
}

export function readSearchText(text: string): SearchText {
  const folded = foldText(text);
  const digits = text.replace(/[^\d]/g, '');
  return {
    terms: searchTerms(text),
    email: folded.includes('@') || /^[a-z0-9.-]+\.[a-z]{2,}$/.test(folded),
    digits: digits.length >= 5 && /^[\d\s()+\-./]+$/.test(text),
  };
}

/**
 * Term rows `t0` whose contact has every word: `crm_search_terms t0 <joins> WHERE <where>`, the
 * first word's rows joined to the others' by contact (index-only both ways).
 */
export function termsSql(terms: string[]): { joins: string; where: string; params: string[] } {
  const joins = terms.slice(1).map((_, i) => `JOIN crm_search_terms t${i + 1} ON t${i + 1}.contact_id = t0.contact_id AND t${i + 1}.term LIKE ?`);
  return { joins: joins.join(' '), where: 't0.term LIKE ?', params: [...terms.slice(1).map(likePrefix), likePrefix(terms[0]!)] };
}

/** Keys of a list query the plan answers; any other key set (a filter, the trash, an offset) rules it out. */
const PLAN_KEYS = new Set(['q', 'sort', 'order', 'limit', 'cursor']);

/** The words to search for when the plan can answer this query for a user no rule restricts, else null. */
export function namePlanTerms(q: ListQuery): string[] | null {
  if (!namePlan.enabled || !q.q?.trim() || (q.sort ?? 'name') !== 'name') return null;
  for (const [key, value] of Object.entries(q)) if (value !== undefined && !PLAN_KEYS.has(key)) return null;
  const text = readSearchText(q.q.trim());
  return text.terms.length && !text.email && !text.digits ? text.terms : null;
}

export interface NamePage {
  rows: Array<{ id: number; sort_value: string }>;
  /** Live matches, exact up to `countLimit`, or null when not asked for (cursor pages). */
  total: number | null;
}

/**
 * The page (`limit + 1` rows, to tell whether there is a next one) and the count, or null when the
 * trash is too large for the plan.
 */
export async function nameSearchPage(
  db: Sequelize,
  terms: string[],
  page: { limit: number; desc: boolean; after: { v: string; id: number } | null; countLimit: number | null },
): Promise<NamePage | null> {
  const read = async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, { replacements: params }))[0] as T[];
  const [trash] = await read<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT c.id FROM crm_contacts c WHERE c.deleted_at IS NOT NULL LIMIT ${namePlan.trashLimit + 1}) x`);
  if (Number(trash!.n) > namePlan.trashLimit) return null;
  const t = termsSql(terms);
  // From the trash to its terms, never the other way round (that would read every match).
  const first = db.getDialect() === 'sqlite' ? 'CROSS JOIN' : 'STRAIGHT_JOIN';
  const trashed = Number(trash!.n)
    ? (await read<{ id: number }>(`SELECT DISTINCT t0.contact_id AS id FROM crm_contacts c ${first} crm_search_terms t0 ON t0.contact_id = c.id ${t.joins} WHERE c.deleted_at IS NOT NULL AND ${t.where}`, t.params)).map((r) => Number(r.id))
    : [];
  let total: number | null = null;
  if (page.countLimit !== null) {
    // The trashed matches are among the matches counted: the count reads that many more.
    const cap = page.countLimit + 1 + trashed.length;
    const [row] = await read<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT t0.contact_id FROM crm_search_terms t0 ${t.joins} WHERE ${t.where} LIMIT ${cap}) x`, t.params);
    total = Number(row!.n) - trashed.length;
  }
  const where = [t.where, ...(trashed.length ? [`t0.contact_id NOT IN (${trashed.join(', ')})`] : [])];
  const params: unknown[] = [...t.params];
  if (page.after) {
    const [cmp, cmpEq] = page.desc ? ['<', '<='] : ['>', '>='];
    where.push(`t0.name_key ${cmpEq} ? AND (t0.name_key ${cmp} ? OR t0.contact_id ${cmp} ?)`);
    params.push(page.after.v, page.after.v, page.after.id);
  }
  const dir = page.desc ? 'DESC' : 'ASC';
  // A contact appears once per matching word ("Kowal Kowalska"); rare, so the rows are read with
  // a few to spare and made unique here (a sort with a small LIMIT keeps only the top rows, where
  // DISTINCT would first collect every match), and read again with more when that was not enough.
  for (let spare = 10; ; spare *= 8) {
    const wanted = page.limit + 1 + spare;
    const rows = await read<{ id: number; sort_value: string }>(
      `SELECT t0.contact_id AS id, t0.name_key AS sort_value FROM crm_search_terms t0 ${t.joins} WHERE ${where.join(' AND ')} ORDER BY t0.name_key ${dir}, t0.contact_id ${dir} LIMIT ${wanted}`,
      params,
    );
    const unique = new Map<number, string>();
    for (const r of rows) if (!unique.has(Number(r.id))) unique.set(Number(r.id), String(r.sort_value));
    if (unique.size > page.limit || rows.length < wanted) {
      return { rows: [...unique].slice(0, page.limit + 1).map(([id, sort_value]) => ({ id, sort_value })), total };
    }
  }
}
