/**
 * Filters that are a set of contact ids read from an index of their own: the search (words of
 * names, emails, phones, tax ids) and custom-field values. As `c.id IN (subquery)` beside a sort
 * and a LIMIT, MariaDB either materializes every match and sorts them all, or walks the whole
 * sort index probing the subquery. Instead the list asks each set first, index-only and capped:
 * when one is small (at most CANDIDATE_LIMIT ids, the usual search), its ids become a constant
 * list the database reads by primary key and sorts cheaply; when all are large (a one-letter
 * search), matches are dense, so walking the sort index and probing each set finds a page soon.
 */
import type { Sequelize } from 'sequelize';

/**
 * Ids of one set read at most; above it the set stays a subquery. Reading them is a range of one
 * index; 20,000 covers the common prefixes of surnames in a million contacts.
 */
export const CANDIDATE_LIMIT = 20_000;

/** The limit in force; tests lower it to run both plans on a small base and compare their answers. */
export const candidatePlan = { limit: CANDIDATE_LIMIT };

/** `SELECT <contact id> ...` over an index; may repeat ids. */
export interface IdSet {
  sql: string;
  params: unknown[];
}

export interface Narrowed {
  where: string[];
  params: unknown[];
  /** One of the sets became a list of ids: the query reads at most that many contacts. */
  literal: boolean;
  /** How many ids that list has. */
  literalSize: number;
}

/**
 * The WHERE clauses that stand for these sets: the smallest small one as a list of ids, the
 * others (or all, when every one is large) as subqueries.
 */
export async function narrowBySets(db: Sequelize, sets: IdSet[], limit = candidatePlan.limit): Promise<Narrowed> {
  const out: Narrowed = { where: [], params: [], literal: false, literalSize: 0 };
  if (!sets.length) return out;
  let smallest: { index: number; ids: number[] } | null = null;
  for (const [index, set] of sets.entries()) {
    const [rows] = await db.query(`SELECT DISTINCT s.id FROM (${set.sql}) s LIMIT ${limit + 1}`, { replacements: set.params });
    const ids = (rows as Array<{ id: number | string }>).map((r) => Number(r.id));
    if (ids.length <= limit && (!smallest || ids.length < smallest.ids.length)) smallest = { index, ids };
    if (smallest && !smallest.ids.length) return { where: ['1 = 0'], params: [], literal: true, literalSize: 0 };
  }
  if (smallest) {
    out.where.push(`c.id IN (${smallest.ids.sort((a, b) => a - b).join(', ')})`);
    out.literal = true;
    out.literalSize = smallest.ids.length;
  }
  for (const [index, set] of sets.entries()) {
    if (index === smallest?.index) continue;
    out.where.push(`c.id IN (${set.sql})`);
    out.params.push(...set.params);
  }
  return out;
}
