/**
 * Export speed and memory (issue 5, section Speed): 100,000 contacts to XLSX (and to CSV) over the
 * API, as a browser or a script downloads them (`GET /api/v1/contacts/export?mode=stream`), with
 * the usual columns plus every custom field, and once more with the plugins' columns too (tags
 * and class, which say what they read of the contacts, so the export still reads no whole ones).
 *
 * The export runs in a host of its own (bench/isolated.ts): a child process booted from the run's
 * environment that serves HTTP and does nothing but this export, while this process downloads it
 * over a socket as a user's browser would, chunk by chunk, keeping nothing. So the peak RSS reported
 * (the table's, marked *) is that of a production server doing the export, not of the runner,
 * which also holds its own host, the client and what earlier benchmarks left. Printed beside it:
 * rows/s, the serving host's CPU time (all its threads: deflate runs in libuv's pool), its RSS after
 * boot and its boot peak (a peak equal to it means the export never went above the boot).
 *
 * On the 1M MariaDB base: `npm run bench -- crm.export --database mysql://root@127.0.0.1:3306/crm_bench_1m`.
 * On a fresh base the contacts are seeded first (EXPORT_BENCH_ROWS of them, default 100,000).
 */
import os from 'node:os';
import type { Sequelize } from 'sequelize';
import { seeders } from '../../../host/api.js';
import { defineBenchmark, reportPeakRss, type Benchmark, type BenchContext } from '../../../bench/harness.js';
import { IsolatedHost, isolatedEnv } from '../../../bench/isolated.js';
import { ioColumns } from '../api.js';
import { seedContactsInBulk } from '../seed/bulk-seed.js';

const ROWS = Number(process.env.EXPORT_BENCH_ROWS ?? 100_000);
const MB = 1024 * 1024;

interface State {
  token: string;
  columns: string;
  /** A list filter giving about ROWS contacts. */
  filter: string;
  /** The host that serves the export, booted in setup (its boot is not timed). */
  server: IsolatedHost;
}
async function rows<T>(db: Sequelize, sql: string, replacements: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, { replacements }))[0] as T[];
}

async function setup(ctx: BenchContext<State>, withPlugins: boolean): Promise<void> {
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
  const plugins = withPlugins ? ctx.host.extensions.list(ioColumns).map((c) => `io.${c.pluginId}.${c.id}`) : [];
  const columns = ['id', 'name', 'kind', 'company', 'job_title', 'emails', 'phones', 'status', 'responsible', 'created_at', ...custom.map((f) => `custom.${f.key}`), ...plugins];
  const token = await ctx.apiToken();
  // Booted after the token exists (tokens live in the database); jobs off, so it takes none of the run's.
  const server = await IsolatedHost.start({ env: isolatedEnv(ctx), http: true, execArgv: (process.env.EXPORT_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean) });
  ctx.state = { token, columns: columns.join(','), filter: `created_to=${to}`, server };
  const booted = await server.usage();
  console.log(`  ${columns.length} columns, filter ${ctx.state.filter}; serving host booted: RSS ${Math.round(booted.bootRssMb)} MB, boot peak ${Math.round(booted.bootPeakRssMb)} MB`);
}

function exportBenchmark(format: 'xlsx' | 'csv', withPlugins = false): Benchmark {
  return defineBenchmark<State>({
    name: `crm.export.${format}-100k${withPlugins ? '-plugins' : ''}`,
    description: `GET /api/v1/contacts/export?format=${format}&mode=stream from a host of its own: about ${ROWS.toLocaleString('en-US')} contacts, usual columns and every custom field${withPlugins ? ' and plugin column' : ''}`,
    count: 1,
    warmup: 0,
    setup: (ctx) => setup(ctx, withPlugins),
    async run(ctx) {
      const { token, columns, filter, server } = ctx.state;
      const cpuBefore = (await server.usage()).cpuSeconds;
      const started = performance.now();
      // Read as a browser saving the file would: chunk by chunk, nothing kept.
      const res = await fetch(`${server.baseUrl}/api/v1/contacts/export?format=${format}&mode=stream&columns=${encodeURIComponent(columns)}&${filter}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      let bytes = 0;
      const reader = res.body.getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) bytes += part.value.byteLength;
      const seconds = (performance.now() - started) / 1000;
      const usage = await server.usage();
      reportPeakRss(usage.peakRssMb * MB);
      const written = Number(res.headers.get('x-export-rows'));
      console.log(
        `  ${format}: ${written.toLocaleString('en-US')} rows in ${seconds.toFixed(2)} s = ${Math.round(written / seconds).toLocaleString('en-US')} rows/s ` +
          `(serving host's CPU ${(usage.cpuSeconds - cpuBefore).toFixed(2)} s, load ${os.loadavg()[0]!.toFixed(1)}), ${(bytes / 1e6).toFixed(1)} MB; ` +
          `serving host's RSS: after boot ${Math.round(usage.bootRssMb)} MB, boot peak ${Math.round(usage.bootPeakRssMb)} MB, peak ${Math.round(usage.peakRssMb)} MB, now ${Math.round(usage.rssMb)} MB`,
      );
    },
    async teardown(ctx) {
      await ctx.state.server?.stop();
    },
  });
}

export const benchmarks: Benchmark[] = [exportBenchmark('xlsx'), exportBenchmark('csv'), exportBenchmark('xlsx', true)];
