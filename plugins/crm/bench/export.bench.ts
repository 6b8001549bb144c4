/**
 * Export speed (issue 5, section Speed): 100,000 contacts to XLSX (and to CSV) over the API, as a
 * browser or a script downloads them (`GET /api/v1/contacts/export?mode=stream`), with the usual
 * columns plus every custom field and plugin column. Prints rows/s; the harness gives peak RSS.
 *
 * On the 1M MariaDB base: `npm run bench -- crm.export --database mysql://root@127.0.0.1:3306/crm_bench_1m`.
 * On a fresh base the contacts are seeded first (EXPORT_BENCH_ROWS of them, default 100,000).
 */
import type { Sequelize } from 'sequelize';
import { seeders } from '../../../host/api.js';
import { defineBenchmark, type Benchmark, type BenchContext } from '../../../bench/harness.js';
import { seedContactsInBulk } from '../seed/bulk-seed.js';

const ROWS = Number(process.env.EXPORT_BENCH_ROWS ?? 100_000);

interface State {
  token: string;
  columns: string;
  /** A list filter giving about ROWS contacts. */
  filter: string;
}

async function rows<T>(db: Sequelize, sql: string, replacements: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, { replacements }))[0] as T[];
}

async function setup(ctx: BenchContext<State>): Promise<void> {
  const db = ctx.host.db;
  const [{ n }] = await rows<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM crm_contacts WHERE deleted_at IS NULL');
  if (Number(n) < ROWS) {
    await ctx.host.extensions.list(seeders).find((s) => s.id === 'crm-dictionaries')?.run(ctx.host.services, {});
    await seedContactsInBulk(ctx.host.services, { contacts: ROWS - Number(n), seed: 11 });
  }
  // A creation date range holding about ROWS contacts: a real list filter, cut where the ROWS-th contact lies.
  const [edge] = await rows<{ created_at: Date | string }>(db, `SELECT created_at FROM crm_contacts WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT 1 OFFSET ${ROWS - 1}`);
  const to = new Date(new Date(edge!.created_at).getTime() - 86_400_000).toISOString().slice(0, 10);
  const custom = await rows<{ key: string }>(db, 'SELECT `key` FROM crm_fields WHERE active = ? ORDER BY sort, id', [true]);
  const columns = ['id', 'name', 'kind', 'company', 'job_title', 'emails', 'phones', 'status', 'responsible', 'created_at', ...custom.map((f) => `custom.${f.key}`)];
  ctx.state = { token: await ctx.apiToken(), columns: columns.join(','), filter: `created_to=${to}` };
  console.log(`  ${columns.length} columns, filter ${ctx.state.filter}`);
}

function exportBenchmark(format: 'xlsx' | 'csv'): Benchmark {
  return defineBenchmark<State>({
    name: `crm.export.${format}-100k`,
    description: `GET /api/v1/contacts/export?format=${format}&mode=stream: about ${ROWS.toLocaleString('en-US')} contacts, usual columns and every custom field`,
    count: 1,
    warmup: 0,
    setup,
    async run(ctx) {
      const { token, columns, filter } = ctx.state;
      const started = performance.now();
      const res = await ctx.request(`/api/v1/contacts/export?format=${format}&mode=stream&columns=${encodeURIComponent(columns)}&${filter}`, { token, expect: 200 });
      const seconds = (performance.now() - started) / 1000;
      const written = Number(res.headers.get('x-export-rows'));
      console.log(`  ${format}: ${written.toLocaleString('en-US')} rows in ${seconds.toFixed(2)} s = ${Math.round(written / seconds).toLocaleString('en-US')} rows/s, ${(res.text.length / 1e6).toFixed(1)} MB`);
    },
  });
}

export const benchmarks: Benchmark[] = [exportBenchmark('xlsx'), exportBenchmark('csv')];
