/**
 * `npm run bench [-- <name or prefix>...] [--list] [--json <file>] [--keep] [--database <url>]`
 *
 * Finds benchmark modules (`bench/*.bench.ts`, `plugins/<id>/bench/*.bench.ts`, and the same under
 * every CRM_PLUGIN_PATH folder), boots one host on a fresh database (a temporary SQLite file, or
 * a new `crm_bench_<random>` database when DATABASE_URL is a mysql:// or mariadb:// URL), serves
 * it on 127.0.0.1 on a free port, runs the selected benchmarks one after another against it and
 * prints a table. The database and temporary folders are removed at the end unless `--keep`.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { TOKENS, type GroupsService, type HostConfig, type UsersService } from '../host/api.js';
import { ROOT, createHost, type Host } from '../host/boot.js';
import { loadConfig } from '../host/config/load-config.js';
import { importModule } from '../host/runtime/import-module.js';
import { createBenchDatabase, existingDatabase, type BenchDatabase } from './database.js';
import {
  CookieJar,
  csrfTokenOf,
  defaultWarmup,
  formatTable,
  httpClient,
  measure,
  type BenchContext,
  type BenchResult,
  type Benchmark,
} from './harness.js';

const USAGE = `Usage: npm run bench -- [name or prefix ...] [--list] [--json <file>] [--keep]

  name or prefix   run only these benchmarks (an exact name, else every name starting with it)
  --list           list the benchmarks and exit
  --json <file>    also write the results as JSON
  --keep           keep the database and temporary folders (their location is printed)
  --database <url> measure an existing database as it is (e.g. one filled with
                   \`npm run crm -- seed --contacts 1000000\`); it is never dropped

DATABASE_URL=mysql://user:pass@host:3306/any runs on a fresh database crm_bench_<random> on that
server; otherwise on a temporary SQLite file.`;

const ADMIN = { email: 'admin@example.com', password: `bench-${randomBytes(6).toString('hex')}` };

interface Discovered {
  bench: Benchmark;
  file: string;
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Discovery and selection

function pluginRoots(): string[] {
  const extra = (process.env.CRM_PLUGIN_PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((p) => path.resolve(ROOT, p));
  return [path.join(ROOT, 'plugins'), ...extra];
}

function benchFilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.bench.ts'))
    .map((e) => path.join(dir, e.name))
    .sort();
}

function benchFiles(roots: string[]): string[] {
  const files = benchFilesIn(path.join(ROOT, 'bench'));
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    const plugins = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    for (const plugin of plugins) files.push(...benchFilesIn(path.join(root, plugin, 'bench')));
  }
  return [...new Set(files)];
}

function checkBenchmark(value: unknown, where: string): Benchmark {
  const b = value as Partial<Benchmark> | null;
  const problems: string[] = [];
  if (!b || typeof b !== 'object') throw new Error(`${where}: not an object`);
  if (typeof b.name !== 'string' || !/^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/i.test(b.name)) problems.push('name must be a dotted name');
  if (typeof b.description !== 'string') problems.push('description must be a string');
  if (!Number.isInteger(b.count) || b.count! < 1) problems.push('count must be a whole number above 0');
  if (b.warmup !== undefined && (!Number.isInteger(b.warmup) || b.warmup < 0)) problems.push('warmup must be a whole number from 0');
  if (typeof b.run !== 'function') problems.push('run must be a function');
  for (const hook of ['setup', 'teardown'] as const) if (b[hook] !== undefined && typeof b[hook] !== 'function') problems.push(`${hook} must be a function`);
  if (problems.length) throw new Error(`${where}: ${problems.join('; ')}`);
  return b as Benchmark;
}

async function discover(roots: string[]): Promise<Discovered[]> {
  const found: Discovered[] = [];
  const seen = new Map<string, string>();
  for (const file of benchFiles(roots)) {
    const rel = path.relative(ROOT, file);
    const mod = await importModule<{ benchmarks?: unknown }>(file);
    if (!Array.isArray(mod.benchmarks)) throw new Error(`${rel} must export \`benchmarks: Benchmark[]\``);
    mod.benchmarks.forEach((value, index) => {
      const bench = checkBenchmark(value, `${rel}, benchmarks[${index}]`);
      const other = seen.get(bench.name);
      if (other) throw new Error(`Benchmark "${bench.name}" is defined in ${other} and in ${rel}`);
      seen.set(bench.name, rel);
      found.push({ bench, file: rel });
    });
  }
  return found;
}

function select(all: Discovered[], patterns: string[]): Discovered[] {
  if (patterns.length === 0) return all;
  const chosen = new Set<Discovered>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    const exact = all.filter((d) => d.bench.name === pattern);
    const matches = exact.length ? exact : all.filter((d) => d.bench.name.startsWith(pattern));
    if (matches.length === 0) unmatched.push(pattern);
    for (const d of matches) chosen.add(d);
  }
  if (unmatched.length) {
    throw new UsageError(`No benchmark matches ${unmatched.map((p) => `"${p}"`).join(', ')}. Available: ${all.map((d) => d.bench.name).join(', ')}`);
  }
  return all.filter((d) => chosen.has(d));
}

function printList(all: Discovered[]): void {
  const width = Math.max(...all.map((d) => d.bench.name.length), 4);
  const countWidth = Math.max(...all.map((d) => String(d.bench.count).length), 5);
  for (const { bench, file } of all) {
    console.log(`${bench.name.padEnd(width)}  ${String(bench.count).padStart(countWidth)}  ${bench.description}  (${file})`);
  }
}

// ---------------------------------------------------------------------------------------------
// The run

interface Meta {
  dialect: string;
  databaseVersion: string;
  node: string;
  date: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  totalMemoryGb: number;
  /** The 1-minute load average when the benchmarks started: other work skews the figures. */
  loadAverage: number;
  /** Plugins enabled in the benchmarked host. */
  plugins: string[];
}

function headerLine(meta: Meta): string {
  return (
    `Database: ${meta.dialect} ${meta.databaseVersion} | Node ${meta.node} | ${meta.date} | ` +
    `${meta.cpus} cores (${meta.cpuModel}), ${meta.totalMemoryGb.toFixed(1)} GB RAM, ${meta.platform}, load ${meta.loadAverage.toFixed(2)} | ` +
    `plugins: ${meta.plugins.length ? meta.plugins.join(', ') : 'none'}`
  );
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { list: { type: 'boolean' }, json: { type: 'string' }, keep: { type: 'boolean' }, database: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  const roots = pluginRoots();
  const all = await discover(roots);
  if (args.values.list) {
    printList(all);
    return 0;
  }
  const selected = select(all, args.positionals);
  const jsonFile = args.values.json ? path.resolve(process.cwd(), args.values.json) : null;
  const keep = Boolean(args.values.keep);

  // Everything made from here on is undone by cleanup(), also on Ctrl-C.
  const tempDirs: string[] = [];
  let database: BenchDatabase | null = null;
  let host: Host | null = null;
  let server: http.Server | null = null;
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      if (server) {
        const s = server;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      if (host) await host.stop().catch((err: unknown) => console.error('bench: stopping the host failed:', err));
      if (keep) {
        if (database) console.error(`bench: kept the database ${database.location}`);
        for (const dir of tempDirs) console.error(`bench: kept ${dir}`);
        return;
      }
      if (database) await database.drop().catch((err: unknown) => console.error(`bench: could not drop ${database!.location}:`, err));
      for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\nbench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const tempDir = (prefix = 'crm-bench-') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
  };

  try {
    database = args.values.database ? existingDatabase(args.values.database) : await createBenchDatabase();
    // The configuration `npm start` would read from this environment (so new settings get their
    // defaults), built from a made-up environment: the shell's REDIS_URL and the like stay out.
    const config: HostConfig = loadConfig(
      {
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        DATABASE_URL: database.url,
        CRM_DATA_DIR: tempDir('crm-bench-data-'),
        SESSION_SECRET: randomBytes(32).toString('hex'),
        CRM_ADMIN_EMAIL: ADMIN.email,
        CRM_ADMIN_PASSWORD: ADMIN.password,
        // Failed sign-ins only count, but a benchmark must never be throttled.
        CRM_LOGIN_RATE_MAX: '100000',
        CRM_SEED_DEMO: '0',
        CRM_PLUGIN_PATH: roots.slice(1).join(path.delimiter),
      },
      ROOT,
    );
    const bootOptions = { config, pluginRoots: roots, jobs: true, logger: pino({ level: 'silent' }) };
    console.error(`bench: booting the host on ${database.dialect} (${database.location})`);
    host = await createHost(bootOptions);
    if (args.values.database) {
      // An existing base has its own admin password: give the admin this run's, to sign in.
      const users = host.services.get<UsersService>(TOKENS.Users);
      const admin = await users.findByEmail(ADMIN.email);
      if (admin) await users.setPassword(admin.id, ADMIN.password);
      else await users.create({ ...ADMIN, name: 'Bench admin', groups: (await host.services.get<GroupsService>(TOKENS.Groups).list()).filter((g) => g.isAdmin).map((g) => g.id) });
    }
    if (!host.app) throw new Error('the host has no HTTP app');
    // A plugin that did not start leaves its routes and benchmarks out: say so before measuring.
    for (const problem of host.problems) console.error(`bench: warning: ${problem}`);
    for (const p of host.plugins.list().filter((info) => info.state === 'failed')) console.error(`bench: warning: plugin ${p.id} failed: ${p.error}`);
    server = http.createServer(host.app);
    const port = await listen(server);
    const baseUrl = `http://127.0.0.1:${port}`;
    const request = httpClient(baseUrl);

    const cpus = os.cpus();
    const meta: Meta = {
      dialect: database.dialect,
      databaseVersion: await host.db.databaseVersion(),
      node: process.version,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      platform: `${os.platform()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown CPU',
      totalMemoryGb: os.totalmem() / 1024 ** 3,
      loadAverage: os.loadavg()[0] ?? 0,
      plugins: host.plugins
        .list()
        .filter((p) => p.state === 'enabled')
        .map((p) => p.id),
    };

    const booted = host;
    const base: Omit<BenchContext, 'state' | 'iterations'> = {
      host: booted,
      bootOptions,
      baseUrl,
      admin: ADMIN,
      request,
      tempDir,
      async login(email = ADMIN.email, password = ADMIN.password) {
        const jar = new CookieJar();
        const page = await request('/login', { jar, expect: 200 });
        await request('/login', { method: 'POST', jar, form: { _csrf: csrfTokenOf(page.text), email, password }, expect: 302 });
        return jar;
      },
      async apiToken(email = ADMIN.email, password = ADMIN.password) {
        const res = await request('/api/v1/auth/token', { method: 'POST', json: { email, password }, expect: 201 });
        return res.json<{ token: string }>().token;
      },
    };

    const results: BenchResult[] = [];
    for (const { bench } of selected) {
      const warmup = bench.warmup ?? defaultWarmup(bench.count);
      process.stderr.write(`bench: ${bench.name} (${warmup} warmup + ${bench.count}) ... `);
      const result = await measure(bench, { ...base, state: {}, iterations: warmup + bench.count });
      results.push(result);
      process.stderr.write(result.error ? `FAILED\n  ${result.error}\n` : `${result.opsPerSec.toFixed(1)} ops/s\n`);
    }

    const header = headerLine(meta);
    console.log(`\n${header}\n\n${formatTable(results)}`);
    const failed = results.filter((r) => r.error);
    if (failed.length) {
      console.log(`\n${failed.length} failed:`);
      for (const r of failed) console.log(`  ${r.name}: ${r.error}`);
    }
    if (jsonFile) {
      fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
      fs.writeFileSync(jsonFile, `${JSON.stringify({ meta, header, results }, null, 2)}\n`);
      console.error(`bench: results written to ${jsonFile}`);
    }
    return failed.length ? 1 : 0;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed; if a forgotten handle still holds the event loop, say which and go.
    setTimeout(() => {
      console.error('bench: still open at exit:', process.getActiveResourcesInfo().join(', '));
      process.exit(code);
    }, 3000).unref();
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error('bench:', err);
      process.exitCode = 1;
    }
    setTimeout(() => process.exit(process.exitCode ?? 1), 3000).unref();
  },
);
