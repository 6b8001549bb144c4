/**
 * Segments under load (issue "Organizing the client base", section Speed: "a dynamic segment
 * count with three conditions p95 ≤ 200 ms" at 1,000,000 contacts on MariaDB): the count of a
 * saved filter with three conditions on the contact's columns, and of one with a custom field's
 * range (the list's custom-field filter is the costly part there), the first page of the client
 * list filtered by a segment, and the count of a static list of 10,000 members.
 *
 * The base: CRM_BENCH_CONTACTS contacts (default 20,000), shared with the CRM's benchmarks of the
 * same run; when it is smaller, it is filled with the CRM's own `seed` command (its public CLI
 * contribution), so this file can run alone:
 * `CRM_BENCH_CONTACTS=1000000 DATABASE_URL=mysql://root@127.0.0.1:3306/test npm run bench -- segments.`
 */
import { Command } from 'commander';
import type { Sequelize } from 'sequelize';
import { cliCommands, seeders } from '../../../host/api.js';
import { defineBenchmark, type Benchmark, type BenchContext } from '../../../bench/harness.js';

const CONTACTS = Number(process.env.CRM_BENCH_CONTACTS ?? 20_000);
const STATIC_MEMBERS = 10_000;
const COLUMNS_NAME = 'Bench: status, category, email';
const BUDGET_NAME = 'Bench: status, email, budget';
const STATIC_NAME = 'Bench: a list of 10,000';

interface Base {
  token: string;
  /** Saved filter on the contact's own columns: the most common status and category, has an email. */
  columnsId: number;
  /** Saved filter with a custom field's range: the most common status, has an email, budget from 5,000. */
  budgetId: number;
  staticId: number;
}

const bases = new WeakMap<object, Promise<Base>>();

async function rows<T>(db: Sequelize, sql: string, replacements: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, { replacements }))[0] as T[];
}

/** Fills the base up to CONTACTS with the CRM's `seed` command, as `npm run crm -- seed` would. */
async function seed(ctx: BenchContext, missing: number): Promise<void> {
  await ctx.host.extensions.list(seeders).find((s) => s.id === 'crm-dictionaries')?.run(ctx.host.services, {});
  const command = ctx.host.extensions.list(cliCommands).find((c) => c.pluginId === 'crm' && c.id === 'seed');
  if (!command) throw new Error('the CRM’s seed command is not available');
  const program = new Command().exitOverride();
  command.configure(program, (action) => action(ctx.host.services));
  await program.parseAsync(['seed', '--contacts', String(missing), '--seed', '7'], { from: 'user' });
}

async function prepareBase(ctx: BenchContext): Promise<Base> {
  const db = ctx.host.db;
  const [{ n }] = await rows<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM crm_contacts');
  if (Number(n) < CONTACTS) await seed(ctx, CONTACTS - Number(n));
  const token = await ctx.apiToken();
  const [top] = await rows<{ status_id: number }>(db, 'SELECT status_id FROM crm_contacts WHERE status_id IS NOT NULL GROUP BY status_id ORDER BY COUNT(*) DESC LIMIT 1');
  const api = (path: string, json: unknown) => ctx.request(path, { method: 'POST', token, json });
  // Made once per database: a run against an existing base (`--database`) reuses them.
  const existing = (await ctx.request('/api/v1/segments', { token, expect: 200 })).json<{ items: Array<{ id: number; name: string }> }>().items;
  const find = (name: string) => existing.find((s) => s.name === name)?.id;
  const [category] = await rows<{ category_id: number }>(db, 'SELECT category_id FROM crm_contacts WHERE category_id IS NOT NULL GROUP BY category_id ORDER BY COUNT(*) DESC LIMIT 1');
  /** The saved filter of that name, made or brought up to date. */
  const dynamic = async (name: string, filter: Record<string, string>): Promise<number> => {
    const id = find(name);
    if (id) {
      await ctx.request(`/api/v1/segments/${id}`, { method: 'PATCH', token, json: { filter }, expect: 200 });
      return id;
    }
    const created = await api('/api/v1/segments', { name, type: 'dynamic', filter });
    if (created.status !== 201) throw new Error(`creating the segment "${name}" answered ${created.status}: ${created.text.slice(0, 300)}`);
    return created.json<{ id: number }>().id;
  };
  const status = String(top!.status_id);
  const columnsId = await dynamic(COLUMNS_NAME, { status_id: status, category_id: String(category!.category_id), has_email: 'true' });
  const budgetId = await dynamic(BUDGET_NAME, { status_id: status, has_email: 'true', 'custom.budget.from': '5000' });
  let staticId = find(STATIC_NAME);
  if (!staticId) {
    staticId = (await api('/api/v1/segments', { name: STATIC_NAME, type: 'static' })).json<{ id: number }>().id;
    const members = await rows<{ id: number }>(db, `SELECT id FROM crm_contacts WHERE deleted_at IS NULL AND id % 7 = 0 ORDER BY id LIMIT ${STATIC_MEMBERS}`);
    for (let i = 0; i < members.length; i += 5000) {
      await api(`/api/v1/segments/${staticId}/members`, { ids: members.slice(i, i + 5000).map((m) => Number(m.id)) });
    }
  }
  return { token, columnsId, budgetId, staticId };
}

function base(ctx: BenchContext): Promise<Base> {
  let promise = bases.get(ctx.host);
  if (!promise) {
    promise = prepareBase(ctx);
    bases.set(ctx.host, promise);
  }
  return promise;
}

type State = { base: Base };
const setup = async (ctx: BenchContext<State>) => {
  ctx.state.base = await base(ctx as unknown as BenchContext);
};

export const benchmarks: Benchmark[] = [
  defineBenchmark<State>({
    name: 'segments.count.dynamic-three-conditions',
    description: `GET /api/v1/segments/:id with its count: status, category, has an email (${CONTACTS} contacts; target p95 ≤ 200 ms at 1M)`,
    count: 200,
    setup,
    async run(ctx) {
      const { token, columnsId } = ctx.state.base;
      await ctx.request(`/api/v1/segments/${columnsId}`, { token, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'segments.count.dynamic-custom-range',
    description: 'GET /api/v1/segments/:id with its count: status, has an email, custom field budget from 5,000',
    count: 100,
    setup,
    async run(ctx) {
      const { token, budgetId } = ctx.state.base;
      await ctx.request(`/api/v1/segments/${budgetId}`, { token, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'segments.list.filtered-by-dynamic',
    description: 'GET /api/v1/contacts?segment_id=<status, category, email>, 50 rows with the total',
    count: 200,
    setup,
    async run(ctx) {
      const { token, columnsId } = ctx.state.base;
      await ctx.request(`/api/v1/contacts?segment_id=${columnsId}&limit=50`, { token, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'segments.count.static-10k',
    description: `GET /api/v1/segments/:id with its count: a list of ${STATIC_MEMBERS} members, inside the scope`,
    count: 200,
    setup,
    async run(ctx) {
      const { token, staticId } = ctx.state.base;
      await ctx.request(`/api/v1/segments/${staticId}`, { token, expect: 200 });
    },
  }),
];
