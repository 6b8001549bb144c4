/**
 * Export speed (issue 5, section Speed): 100,000 contacts to XLSX (and to CSV) over the API, as a
 * browser or a script downloads them (`GET /api/v1/contacts/export?mode=stream`), with the usual
 * columns plus every custom field, and once more with the plugins' columns too (tags, class: whole
 * contacts through the contact loader). Prints rows/s, the host's CPU time and memory peaks; the
 * harness gives peak RSS.
 *
 * On the 1M MariaDB base: `npm run bench -- crm.export --database mysql://root@127.0.0.1:3306/crm_bench_1m`.
 * On a fresh base the contacts are seeded first (EXPORT_BENCH_ROWS of them, default 100,000).
 */
import os from 'node:os';
import type { Sequelize } from 'sequelize';
import { seeders } from '../../../host/api.js';
import { defineBenchmark, type Benchmark, type BenchContext } from '../../../bench/harness.js';
import { ioColumns } from '../api.js';
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
  ctx.state = { token: await ctx.apiToken(), columns: columns.join(','), filter: `created_to=${to}` };
  console.log(`  ${columns.length} columns, filter ${ctx.state.filter}`);
}

function exportBenchmark(format: 'xlsx' | 'csv', withPlugins = false): Benchmark {
  return defineBenchmark<State>({
    name: `crm.export.${format}-100k${withPlugins ? '-plugins' : ''}`,
    description: `GET /api/v1/contacts/export?format=${format}&mode=stream: about ${ROWS.toLocaleString('en-US')} contacts, usual columns and every custom field${withPlugins ? ' and plugin column' : ''}`,
    count: 1,
    warmup: 0,
    setup: (ctx) => setup(ctx, withPlugins),
    async run(ctx) {
      const { token, columns, filter } = ctx.state;
      const before = process.memoryUsage().rss;
      // What the export holds at its peak: the V8 heap and the buffers outside it (the harness gives RSS).
      const peak = { heap: 0, buffers: 0 };
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        peak.heap = Math.max(peak.heap, m.heapUsed);
        peak.buffers = Math.max(peak.buffers, m.external + m.arrayBuffers);
      }, 20);
      const started = performance.now();
      const cpu = process.cpuUsage();
      // Read as a browser saving the file would: chunk by chunk, nothing kept (the harness's
      // request() keeps whole bodies, which would count the download against the export's memory).
      const res = await fetch(`${ctx.baseUrl}/api/v1/contacts/export?format=${format}&mode=stream&columns=${encodeURIComponent(columns)}&${filter}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      let bytes = 0;
      const reader = res.body.getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) bytes += part.value.byteLength;
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      // The host's CPU time, all its threads (deflate runs in libuv's pool): on a busy machine, what the export itself cost.
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      const written = Number(res.headers.get('x-export-rows'));
      console.log(
        `  ${format}: ${written.toLocaleString('en-US')} rows in ${seconds.toFixed(2)} s = ${Math.round(written / seconds).toLocaleString('en-US')} rows/s ` +
          `(host CPU ${cpuSeconds.toFixed(2)} s, load ${os.loadavg()[0]!.toFixed(1)}), ` +
          `${(bytes / 1e6).toFixed(1)} MB; RSS before ${Math.round(before / 2 ** 20)} MB, peak heap used ${Math.round(peak.heap / 2 ** 20)} MB, peak buffers ${Math.round(peak.buffers / 2 ** 20)} MB`,
      );
    },
  });
}

export const benchmarks: Benchmark[] = [exportBenchmark('xlsx'), exportBenchmark('csv'), exportBenchmark('xlsx', true)];
