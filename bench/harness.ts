/**
 * The benchmark harness: the types a benchmark module uses, a small HTTP client that talks to the
 * host over a real socket (what a browser or an integration sees), and the measuring loop.
 *
 * A module in `bench/*.bench.ts` or `plugins/<id>/bench/*.bench.ts` exports
 * `export const benchmarks: Benchmark[]`. For each benchmark the runner calls `setup` once,
 * `run` `warmup` times unmeasured, then `count` times measured (each call timed on its own with
 * `performance.now()`), then `teardown`. All benchmarks of one run share one booted host.
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { BootOptions, Host } from '../host/boot.js';

// ---------------------------------------------------------------------------------------------
// Types

export interface Benchmark {
  /** Dotted, unique across the run: `host.api.me`, `<pluginId>.<area>.<what>`. */
  name: string;
  /** One line: what a single operation does. */
  description: string;
  /** Measured operations. */
  count: number;
  /** Unmeasured operations before the measured ones; defaults to `defaultWarmup(count)`. */
  warmup?: number;
  /** Runs once, unmeasured, before the warmup; keep what `run` needs in `ctx.state`. */
  setup?(ctx: BenchContext): Promise<void>;
  /**
   * One operation, timed as a whole. `i` counts from 0 over the warmup and then the measured
   * operations (so `0 <= i < ctx.iterations`); throw to fail the benchmark.
   */
  run(ctx: BenchContext, i: number): Promise<void>;
  /** Runs once after the last operation, also after a failure. */
  teardown?(ctx: BenchContext): Promise<void>;
}

/** Typed state for one benchmark: `defineBenchmark<{ jar: CookieJar }>({ ... })`. */
export function defineBenchmark<S extends object>(bench: TypedBenchmark<S>): Benchmark {
  return bench as unknown as Benchmark;
}

export interface TypedBenchmark<S extends object> extends Omit<Benchmark, 'setup' | 'run' | 'teardown'> {
  setup?(ctx: BenchContext<S>): Promise<void>;
  run(ctx: BenchContext<S>, i: number): Promise<void>;
  teardown?(ctx: BenchContext<S>): Promise<void>;
}

export interface BenchContext<S extends object = Record<string, unknown>> {
  /** The host booted once for the whole run, listening on `baseUrl`. */
  host: Host;
  /** The options that host was booted with, to boot more hosts the same way. */
  bootOptions: BootOptions & Required<Pick<BootOptions, 'config' | 'pluginRoots'>>;
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Fresh for each benchmark: what `setup` leaves for `run` and `teardown`. */
  state: S;
  /** Warmup plus measured operations of the current benchmark. */
  iterations: number;
  /** The administrator account the host was seeded with. */
  admin: { email: string; password: string };
  /** An HTTP request to the host (keep-alive fetch); the body is always read in full. */
  request(path: string, options?: RequestOptions): Promise<BenchResponse>;
  /** Signs in through the login form (GET /login for the CSRF token, POST /login); the admin by default. */
  login(email?: string, password?: string): Promise<CookieJar>;
  /** A bearer token from POST /api/v1/auth/token; the admin's by default. */
  apiToken(email?: string, password?: string): Promise<string>;
  /** A temporary folder removed when the run ends (unless `--keep`). */
  tempDir(prefix?: string): string;
}

// ---------------------------------------------------------------------------------------------
// HTTP client

/** Name/value cookies for one origin; enough for the host's session cookie. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Takes the `Set-Cookie` headers of a response; an expired cookie is removed. */
  store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [key = '', val = ''] = a.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** The `Cookie` request header, or null without cookies. */
  header(): string | null {
    if (this.cookies.size === 0) return null;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Cookies to send; the response's `Set-Cookie` headers are stored back. */
  jar?: CookieJar;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Throws (with the start of the body) unless the response has this status. */
  expect?: number;
}

export interface BenchResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

/** The start of a response body for an error message: the text of an HTML page, without its head. */
function readable(body: string): string {
  const text = /<html[\s>]/i.test(body)
    ? body
        .replace(/<head[\s>][\s\S]*?<\/head>|<script[\s>][\s\S]*?<\/script>|<style[\s>][\s\S]*?<\/style>|<nav[\s>][\s\S]*?<\/nav>/gi, ' ')
        .replace(/<[^>]+>/g, ' ')
    : body;
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

export class BenchRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly expected: number,
    readonly body: string,
  ) {
    super(`${method} ${path} answered ${status}, expected ${expected}: ${readable(body)}`);
    this.name = 'BenchRequestError';
  }
}

/**
 * Requests through Node's global fetch (undici keeps the connection alive between calls).
 * Redirects are not followed: a benchmark sees the 302 itself, as one round trip.
 */
export function httpClient(baseUrl: string): (path: string, options?: RequestOptions) => Promise<BenchResponse> {
  return async (path, options = {}) => {
    const method = (options.method ?? (options.form || options.json !== undefined ? 'POST' : 'GET')).toUpperCase();
    const headers: Record<string, string> = { accept: '*/*', ...options.headers };
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const cookie = options.jar?.header();
    if (cookie) headers.cookie = cookie;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(new URL(path, baseUrl), { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    options.jar?.store(res.headers);
    if (options.expect !== undefined && res.status !== options.expect) throw new BenchRequestError(method, path, res.status, options.expect, text);
    return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  };
}

/** The CSRF token of a page: the login form's hidden field or the layout's meta tag. */
export function csrfTokenOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

// ---------------------------------------------------------------------------------------------
// Measuring

export interface BenchResult {
  name: string;
  description: string;
  count: number;
  warmup: number;
  /** Operations that completed and were measured (less than `count` after a failure). */
  measured: number;
  totalMs: number;
  opsPerSec: number;
  meanMs: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /**
   * The largest process RSS seen while the benchmark's operations ran (sampled every 50 ms), or the
   * peak a benchmark reported with `reportPeakRss` for the process that did its work.
   */
  peakRssMb: number;
  /** Whose RSS `peakRssMb` is: the runner's own, or a process the benchmark reported (bench/isolated.ts). */
  peakRssOf: 'runner' | 'reported';
  error: string | null;
}

export function defaultWarmup(count: number): number {
  return Math.min(10, Math.ceil(count / 10));
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Keeps the maximum `process.memoryUsage().rss` seen while running. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  private peak = 0;

  constructor(private readonly intervalMs = 50) {}

  start(): void {
    this.peak = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling and returns the peak in bytes. */
  stop(): number {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.peak;
  }

  private sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
}

let reportedPeak: number | null = null;

/**
 * For a benchmark whose work runs in another process (bench/isolated.ts): that process's peak RSS
 * in bytes, given while the benchmark runs. The result then shows the largest reported peak instead
 * of the runner's own, which holds the client and whatever earlier benchmarks left.
 */
export function reportPeakRss(bytes: number): void {
  reportedPeak = Math.max(reportedPeak ?? 0, bytes);
}

/** `global.gc` without `--expose-gc` on the command line, so every benchmark starts from a collected heap. */
const collectGarbage: () => void = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return () => undefined;
  }
})();

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs one benchmark: setup, warmup, measured operations, teardown. Never throws. */
export async function measure(bench: Benchmark, ctx: BenchContext): Promise<BenchResult> {
  const warmup = bench.warmup ?? defaultWarmup(bench.count);
  const durations: number[] = [];
  const sampler = new RssSampler(50);
  let error: string | null = null;
  let totalMs = 0;
  let phase = 'setup';
  reportedPeak = null;
  collectGarbage();
  try {
    await bench.setup?.(ctx);
    phase = 'warmup';
    sampler.start();
    let i = 0;
    for (; i < warmup; i++) await bench.run(ctx, i);
    const started = performance.now();
    try {
      for (let k = 0; k < bench.count; k++, i++) {
        phase = `operation ${k + 1}`;
        const t0 = performance.now();
        await bench.run(ctx, i);
        durations.push(performance.now() - t0);
      }
    } finally {
      totalMs = performance.now() - started;
    }
  } catch (err) {
    error = `${phase}: ${describeError(err)}`;
  }
  const ownPeak = sampler.stop();
  const reported = reportedPeak;
  reportedPeak = null;
  if (bench.teardown) {
    try {
      await bench.teardown(ctx);
    } catch (err) {
      error ??= `teardown: ${describeError(err)}`;
    }
  }
  const sorted = Float64Array.from(durations).sort();
  const sum = durations.reduce((a, b) => a + b, 0);
  return {
    name: bench.name,
    description: bench.description,
    count: bench.count,
    warmup,
    measured: durations.length,
    totalMs: error ? sum : totalMs,
    opsPerSec: durations.length ? (durations.length * 1000) / (error ? sum : totalMs) : NaN,
    meanMs: durations.length ? sum / durations.length : NaN,
    minMs: durations.length ? sorted[0]! : NaN,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    maxMs: durations.length ? sorted[sorted.length - 1]! : NaN,
    peakRssMb: (reported ?? ownPeak) / (1024 * 1024),
    peakRssOf: reported === null ? 'runner' : 'reported',
    error,
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** An aligned table with `|` separators: readable as plain text and valid Markdown. */
export function formatTable(results: BenchResult[]): string {
  const columns: Array<{ title: string; right: boolean; cell(r: BenchResult): string }> = [
    { title: 'operation', right: false, cell: (r) => (r.error ? `${r.name} (FAILED)` : r.name) },
    { title: 'count', right: true, cell: (r) => (r.error ? `${r.measured}/${r.count}` : String(r.count)) },
    { title: 'ops/s', right: true, cell: (r) => fixed(r.opsPerSec, 1) },
    { title: 'p50 ms', right: true, cell: (r) => fixed(r.p50Ms, 2) },
    { title: 'p95 ms', right: true, cell: (r) => fixed(r.p95Ms, 2) },
    { title: 'peak RSS MB', right: true, cell: (r) => `${fixed(r.peakRssMb, 0)}${r.peakRssOf === 'reported' ? '*' : ''}` },
  ];
  // A failed benchmark's partial figures stay in the JSON; the table shows none.
  const rows = results.map((r) => columns.map((c, i) => (r.error && i >= 2 ? '-' : c.cell(r))));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (columns[i]!.right ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${columns.map((c, i) => (c.right ? `${'-'.repeat(widths[i]! + 1)}:` : `:${'-'.repeat(widths[i]! + 1)}`)).join('|')}|`;
  const note = results.some((r) => r.peakRssOf === 'reported') ? ['', '* peak RSS of the process the benchmark did its work in (bench/isolated.ts), not the runner\'s'] : [];
  return [line(columns.map((c) => c.title)), rule, ...rows.map(line), ...note].join('\n');
}
