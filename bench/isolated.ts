/**
 * One operation in a process of its own, for honest memory figures. The benchmark runner's process
 * holds its own host, its client and whatever earlier benchmarks left behind; a figure of its RSS
 * says little about a server. `runIsolated` (or `startIsolated` for several calls, or a client in
 * this process talking to the child's HTTP server) forks `node dist/bench/isolated.js` (or, run
 * from the sources, `node --import tsx bench/isolated.ts`),
 * which boots a host in production mode from the environment it is given (never a config object:
 * the child reads its configuration exactly as `npm start` would), optionally serves it on
 * 127.0.0.1, and runs exported functions of modules with JSON arguments. Every answer carries the
 * child's memory: its RSS right after boot, the peak of its whole life so far
 * (`process.resourceUsage().maxRSS`, so boot included: compare `bootPeakRssMb`), and its CPU time.
 *
 * ```ts
 * const { result, usage } = await runIsolated<number>({ env: isolatedEnv(ctx), module: import.meta.url, fn: 'countRows', args: [42] });
 * ```
 * The function gets the child's host and its arguments: `export async function countRows(child: IsolatedChild, id: number)`.
 * Only what JSON carries crosses the process boundary, both ways.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HostConfig } from '../host/api.js';
import type { Host } from '../host/boot.js';

const CHILD_FLAG = '--isolated-child';
const SELF = fileURLToPath(import.meta.url);

/** What a function run in the child receives besides its arguments. */
export interface IsolatedChild {
  host: Host;
  /** `http://127.0.0.1:<port>` when the child serves HTTP, else null. */
  baseUrl: string | null;
}

/** The child's memory and CPU time, in MB and seconds. */
export interface IsolatedUsage {
  /** RSS right after the host booted (and its server listened). */
  bootRssMb: number;
  /** Peak RSS while booting: a later `peakRssMb` equal to it means the operation never went above the boot. */
  bootPeakRssMb: number;
  /** RSS now. */
  rssMb: number;
  /** Peak RSS of the child's whole life so far (`process.resourceUsage().maxRSS`). */
  peakRssMb: number;
  /** User plus system CPU time since the boot ended, every thread of the child (libuv's pool included). */
  cpuSeconds: number;
}

export interface IsolatedOptions {
  /**
   * The child's whole environment besides PATH, HOME, TMPDIR and LANG: what it needs to boot as the
   * run's host did (`isolatedEnv(ctx)`). The shell's REDIS_URL and the like stay out unless given.
   */
  env: Record<string, string>;
  /** Serve the host's app on 127.0.0.1 on a free port (`IsolatedHost.baseUrl`). Default false. */
  http?: boolean;
  /**
   * Start the job worker. Default false: the child is a host doing only the operation, and a
   * worker would take queued jobs of the run's own host from the shared database.
   */
  jobs?: boolean;
  /** Extra node flags for the child (`--max-old-space-size=256`, `--cpu-prof`). */
  execArgv?: string[];
}

export interface IsolatedCall<A extends unknown[]> {
  /** The module's file path or URL (`import.meta.url` for the calling module itself). */
  module: string;
  /** The name of an exported `async (child: IsolatedChild, ...args) => result` function. */
  fn: string;
  args?: A;
}

export interface IsolatedOutcome<T> {
  result: T;
  /** The child's figures right after the function returned. */
  usage: IsolatedUsage;
}

type ChildMessage =
  | { type: 'ready'; baseUrl: string | null }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; result: unknown; usage: IsolatedUsage }
  | { type: 'error'; id: number; message: string }
  | { type: 'usage'; id: number; usage: IsolatedUsage };

type ParentMessage = { type: 'call'; id: number; module: string; fn: string; args: unknown[] } | { type: 'usage'; id: number } | { type: 'stop' };

/**
 * The environment that boots a host as the run's own was booted: its database, data folder,
 * session secret, admin, plugin path and login limit, in production mode with silent logs.
 */
export function isolatedEnv(ctx: { bootOptions: { config: HostConfig } }, extra: Record<string, string> = {}): Record<string, string> {
  const c = ctx.bootOptions.config;
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: c.databaseUrl,
    CRM_DATA_DIR: c.dataDir,
    SESSION_SECRET: c.sessionSecret,
    CRM_ADMIN_EMAIL: c.adminEmail,
    CRM_ADMIN_PASSWORD: c.adminPassword,
    CRM_LOGIN_RATE_MAX: String(c.loginRateLimit.max),
    CRM_LOGIN_RATE_WINDOW_SECONDS: String(Math.round(c.loginRateLimit.windowMs / 1000)),
    CRM_SEED_DEMO: c.seedDemo ? '1' : '0',
    CRM_PLUGIN_PATH: c.pluginPaths.join(path.delimiter),
    CRM_TRUST_PROXY: c.trustProxy,
    CRM_HEAP_GROWTH_PERCENT: String(c.heapGrowthPercent),
  };
  if (c.redisUrl) env.REDIS_URL = c.redisUrl;
  if (process.env.DATABASE_READ_URLS) env.DATABASE_READ_URLS = process.env.DATABASE_READ_URLS;
  return { ...env, ...extra };
}

/** A booted child host: call functions in it, read its memory, stop it. */
export class IsolatedHost {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(m: ChildMessage): void; reject(err: Error): void }>();
  private exited: Error | null = null;

  private constructor(
    private readonly child: ChildProcess,
    /** `http://127.0.0.1:<port>` when started with `http: true`, else null. */
    readonly baseUrl: string | null,
  ) {
    child.on('message', (m: ChildMessage) => {
      if (!('id' in m)) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.type === 'error') w?.reject(new Error(`isolated child: ${m.message}`));
      else w?.resolve(m);
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`isolated child exited (${signal ?? `code ${code}`})`);
      for (const w of this.waiting.values()) w.reject(this.exited);
      this.waiting.clear();
    });
  }

  /** Forks the child and waits until its host has booted (and listens, with `http`). */
  static async start(options: IsolatedOptions): Promise<IsolatedHost> {
    const base: Record<string, string> = {};
    for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) base[key] = process.env[key]!;
    const child = fork(SELF, [CHILD_FLAG, JSON.stringify({ http: Boolean(options.http), jobs: Boolean(options.jobs) })], {
      // The child runs as the parent does: compiled under `npm run bench`, through tsx from the sources.
      execArgv: [...(SELF.endsWith('.ts') ? ['--import', 'tsx'] : []), ...(options.execArgv ?? [])],
      env: { ...base, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    const ready = await new Promise<ChildMessage>((resolve, reject) => {
      const exit = (code: number | null, signal: string | null) => reject(new Error(`isolated child exited while booting (${signal ?? `code ${code}`})`));
      child.once('exit', exit);
      child.once('error', reject);
      child.once('message', (m: ChildMessage) => {
        child.off('exit', exit).off('error', reject);
        resolve(m);
      });
    });
    if (ready.type !== 'ready') {
      child.kill();
      throw new Error(`isolated child failed to boot: ${ready.type === 'failed' ? ready.message : ready.type}`);
    }
    return new IsolatedHost(child, ready.baseUrl);
  }

  /** Runs `module`'s exported `fn(child, ...args)` in the child; its JSON result and the child's figures after it. */
  async call<T, A extends unknown[] = unknown[]>(call: IsolatedCall<A>): Promise<IsolatedOutcome<T>> {
    const module = call.module.startsWith('file:') ? call.module : pathToFileURL(path.resolve(call.module)).href;
    const m = await this.ask({ type: 'call', id: 0, module, fn: call.fn, args: call.args ?? [] });
    if (m.type !== 'result') throw new Error(`isolated child answered ${m.type}`);
    return { result: m.result as T, usage: m.usage };
  }

  /** The child's figures now (e.g. after a client in this process used its HTTP server). */
  async usage(): Promise<IsolatedUsage> {
    const m = await this.ask({ type: 'usage', id: 0 });
    if (m.type !== 'usage') throw new Error(`isolated child answered ${m.type}`);
    return m.usage;
  }

  /** Stops the child's host and waits for it to exit (killed after 10 s). */
  async stop(): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' } satisfies ParentMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private ask(message: ParentMessage & { id: number }): Promise<ChildMessage> {
    if (this.exited) return Promise.reject(this.exited);
    const id = ++this.nextId;
    return new Promise<ChildMessage>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...message, id });
    });
  }
}

/** Starts a child, runs one function in it, stops it. */
export async function runIsolated<T, A extends unknown[] = unknown[]>(options: IsolatedOptions & IsolatedCall<A>): Promise<IsolatedOutcome<T>> {
  const child = await IsolatedHost.start(options);
  try {
    return await child.call<T, A>(options);
  } finally {
    await child.stop();
  }
}

/** Starts a child that serves HTTP, runs `client(baseUrl)` here, and gives its result and the child's figures after it. */
export async function withIsolatedServer<T>(options: IsolatedOptions, client: (baseUrl: string) => Promise<T>): Promise<IsolatedOutcome<T>> {
  const child = await IsolatedHost.start({ ...options, http: true });
  try {
    const result = await client(child.baseUrl!);
    return { result, usage: await child.usage() };
  } finally {
    await child.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// The child

const MB = 1024 * 1024;

async function childMain(flags: { http: boolean; jobs: boolean }): Promise<void> {
  const send = (m: ChildMessage) => process.send!(m);
  // Imported here: the parent only forks, and must not load the host twice for nothing.
  const [{ default: pino }, { createHost, ROOT }, { loadConfig }, { applyHeapGrowth }] = await Promise.all([
    import('pino'),
    import('../host/boot.js'),
    import('../host/config/load-config.js'),
    import('../host/runtime/heap.js'),
  ]);
  let host: Host;
  let server: http.Server | null = null;
  let baseUrl: string | null = null;
  try {
    const config = loadConfig(process.env, ROOT);
    // As `npm start` does (host/main.ts).
    applyHeapGrowth(config.heapGrowthPercent);
    host = await createHost({ config, jobs: flags.jobs, http: flags.http, logger: pino({ level: 'silent' }) });
    if (flags.http) {
      if (!host.app) throw new Error('the host has no HTTP app');
      const s = http.createServer(host.app);
      server = s;
      await new Promise<void>((resolve, reject) => s.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
      baseUrl = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    }
  } catch (err) {
    send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  }
  const bootRssMb = process.memoryUsage().rss / MB;
  const bootPeakRssMb = process.resourceUsage().maxRSS / 1024;
  const cpuAtBoot = process.cpuUsage();
  const usage = (): IsolatedUsage => {
    const cpu = process.cpuUsage(cpuAtBoot);
    return { bootRssMb, bootPeakRssMb, rssMb: process.memoryUsage().rss / MB, peakRssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  };
  const booted: IsolatedChild = { host, baseUrl };

  process.on('message', (m: ParentMessage) => {
    if (m.type === 'usage') send({ type: 'usage', id: m.id, usage: usage() });
    else if (m.type === 'call') {
      void (async () => {
        try {
          const mod = (await import(m.module)) as Record<string, unknown>;
          const fn = mod[m.fn];
          if (typeof fn !== 'function') throw new Error(`${m.module} exports no function ${m.fn}`);
          const result: unknown = await (fn as (child: IsolatedChild, ...args: unknown[]) => Promise<unknown>)(booted, ...m.args);
          send({ type: 'result', id: m.id, result: result ?? null, usage: usage() });
        } catch (err) {
          send({ type: 'error', id: m.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        }
      })();
    } else if (m.type === 'stop') {
      void (async () => {
        if (server) {
          const s = server;
          s.closeAllConnections();
          await new Promise<void>((resolve) => s.close(() => resolve()));
        }
        await host.stop().catch(() => undefined);
        process.exit(0);
      })();
    }
  });
  // The parent went away: nothing is left to answer.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', baseUrl });
}

if (process.argv[2] === CHILD_FLAG && process.send) {
  void childMain(JSON.parse(process.argv[3] ?? '{}') as { http: boolean; jobs: boolean });
}
