/** The kernel's own benchmarks: boot, sign-in, a page, two API calls and a job round trip. */
import { createHost, type Host } from '../host/boot.js';
import { createSqliteDatabase, type BenchDatabase } from './database.js';
import { CookieJar, csrfTokenOf, defineBenchmark, type Benchmark } from './harness.js';

/** Job types are registered once per host; the runner refuses a second definition. */
const noopDefined = new WeakSet<Host>();

export const benchmarks: Benchmark[] = [
  defineBenchmark<{ databases: BenchDatabase[] }>({
    name: 'host.boot',
    description: 'createHost on a fresh SQLite file (migrations, first-start seeding, plugins, jobs, HTTP app), then stop()',
    count: 5,
    warmup: 1,
    async setup(ctx) {
      ctx.state.databases = [];
    },
    async run(ctx) {
      const database = createSqliteDatabase('crm-bench-boot-');
      ctx.state.databases.push(database);
      const config = { ...ctx.bootOptions.config, databaseUrl: database.url, dataDir: ctx.tempDir('crm-bench-boot-data-') };
      const host = await createHost({ ...ctx.bootOptions, config });
      await host.stop();
    },
    async teardown(ctx) {
      for (const database of ctx.state.databases) await database.drop();
    },
  }),

  defineBenchmark<{ forms: Array<{ jar: CookieJar; csrf: string }> }>({
    name: 'host.login',
    description: 'POST /login with the form and its CSRF token (argon2id verify, session regenerated) -> 302',
    count: 50,
    // Each sign-in needs its own login page (session and CSRF token): fetched in setup, unmeasured.
    async setup(ctx) {
      ctx.state.forms = [];
      for (let i = 0; i < ctx.iterations; i++) {
        const jar = new CookieJar();
        const page = await ctx.request('/login', { jar, expect: 200 });
        ctx.state.forms.push({ jar, csrf: csrfTokenOf(page.text) });
      }
    },
    async run(ctx, i) {
      const { jar, csrf } = ctx.state.forms[i]!;
      const res = await ctx.request('/login', { jar, form: { _csrf: csrf, email: ctx.admin.email, password: ctx.admin.password }, expect: 302 });
      if (res.headers.get('location') !== '/') throw new Error(`login redirected to ${res.headers.get('location')}`);
    },
  }),

  defineBenchmark<{ jar: CookieJar }>({
    name: 'host.page.home',
    description: 'GET / as the signed-in admin (session lookup, user and rights, layout and home rendered)',
    count: 500,
    async setup(ctx) {
      ctx.state.jar = await ctx.login();
    },
    async run(ctx) {
      const res = await ctx.request('/', { jar: ctx.state.jar, expect: 200 });
      if (!res.text.includes('</html>')) throw new Error('GET / did not return a full page');
    },
  }),

  defineBenchmark<{ token: string }>({
    name: 'host.api.me',
    description: 'GET /api/v1/me with a bearer token',
    count: 1000,
    async setup(ctx) {
      ctx.state.token = await ctx.apiToken();
    },
    async run(ctx) {
      const res = await ctx.request('/api/v1/me', { token: ctx.state.token, expect: 200 });
      if (res.json<{ email?: string }>().email !== ctx.admin.email) throw new Error('GET /api/v1/me answered for someone else');
    },
  }),

  defineBenchmark({
    name: 'host.api.openapi',
    description: 'GET /api/v1/openapi.json (built from the route registry on each call)',
    count: 200,
    async run(ctx) {
      await ctx.request('/api/v1/openapi.json', { expect: 200 });
    },
  }),

  defineBenchmark({
    name: 'host.jobs.roundtrip',
    description: 'jobs.enqueue of a no-op job, then jobs.waitFor until it is done (database queue, in-process worker)',
    count: 200,
    async setup(ctx) {
      if (noopDefined.has(ctx.host)) return;
      ctx.host.jobs.define('bench.noop', async () => null);
      noopDefined.add(ctx.host);
    },
    async run(ctx, i) {
      const id = await ctx.host.jobs.enqueue('bench.noop', { i });
      const job = await ctx.host.jobs.waitFor(id, 30_000);
      if (job.state !== 'done') throw new Error(`job ${id} ended ${job.state}${job.error ? `: ${job.error}` : ''}`);
    },
  }),
];
