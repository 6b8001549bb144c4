/**
 * Makes an existing base fit the CRM benchmarks. A base filled by `crm seed` before the
 * dictionaries existed has no statuses or categories, and then "a filter by status" measures
 * nothing. This spreads the dictionaries' items over the contacts as the seeder does (nine in ten
 * with a status, funnel-shaped; six in ten with a category), by id, in batches: the same base
 * always gets the same values, and no contact is added.
 */
import type { Sequelize } from 'sequelize';
import { seeders } from '../../../host/api.js';
import type { BenchContext } from '../../../bench/harness.js';

const BATCH = 50_000;

async function rows<T>(db: Sequelize, sql: string, replacements: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, { replacements }))[0] as T[];
}

/** A CASE over a hash of the id in 0..999 choosing item k with the funnel's probability (advance^k - advance^(k+1)). */
function funnelCase(ids: number[], share: number, advance: number, salt: number): string {
  const hash = `((c.id * ${salt}) % 1000)`;
  const parts: string[] = [];
  let from = 0;
  for (let k = 0; k < ids.length; k++) {
    const p = k === ids.length - 1 ? advance ** k : advance ** k - advance ** (k + 1);
    const to = k === ids.length - 1 ? Math.round(share * 1000) : from + Math.round(p * share * 1000);
    parts.push(`WHEN ${hash} < ${to} THEN ${ids[k]}`);
    from = to;
  }
  return `CASE ${parts.join(' ')} ELSE NULL END`;
}

export async function completeDictionaries(ctx: BenchContext): Promise<void> {
  const db = ctx.host.db;
  if ((await rows(db, 'SELECT id FROM crm_contacts WHERE status_id IS NOT NULL LIMIT 1')).length) return;
  await ctx.host.extensions.list(seeders).find((s) => s.id === 'crm-dictionaries')?.run(ctx.host.services, {});
  const items = async (dictionary: string) =>
    (await rows<{ id: number }>(db, 'SELECT id FROM crm_dictionary_items WHERE dictionary = ? AND active = ? ORDER BY sort, id', [dictionary, true])).map((r) => Number(r.id));
  const statuses = await items('status');
  const categories = await items('category');
  if (!statuses.length) return;
  const [{ lo, hi }] = await rows<{ lo: number; hi: number }>(db, 'SELECT MIN(id) AS lo, MAX(id) AS hi FROM crm_contacts');
  const started = Date.now();
  const status = funnelCase(statuses, 0.9, 0.55, 7919);
  const category = categories.length ? funnelCase(categories, 0.6, 0.6, 104729) : 'NULL';
  for (let from = Number(lo); from <= Number(hi); from += BATCH) {
    await db.query(`UPDATE crm_contacts SET status_id = ${status.replaceAll('c.id', 'id')}, category_id = ${category.replaceAll('c.id', 'id')} WHERE id >= ? AND id < ? AND status_id IS NULL`, {
      replacements: [from, from + BATCH],
    });
  }
  console.log(`  spread ${statuses.length} statuses and ${categories.length} categories over the base in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
