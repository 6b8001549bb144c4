/**
 * Duplicates and merge (issue 5, Speed): merging a contact with 10,000 linked records (4,000
 * notes, 3,000 history rows, 3,000 orders) into another over `POST /api/v1/contacts/merge`
 * (goal: at most 1 s), and the duplicate finder over the whole base.
 *
 * On an existing base (`npm run bench -- crm.merge --database mysql://root@127.0.0.1:3306/crm_bench_1m`)
 * the benchmark adds its own pairs of contacts with their rows and removes all of them (and the
 * finder's stored results) at the end, so the base keeps its size.
 */
import type { Sequelize } from 'sequelize';
import { defineBenchmark, type Benchmark, type BenchContext } from '../../../bench/harness.js';

const LINKED = { notes: 4000, history: 3000, orders: 3000 };
const CHUNK = 1000;

async function rows<T>(db: Sequelize, sql: string, replacements: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, { replacements }))[0] as T[];
}

async function insertMany(db: Sequelize, table: string, columns: string[], values: unknown[][]): Promise<void> {
  for (let i = 0; i < values.length; i += CHUNK) {
    const chunk = values.slice(i, i + CHUNK);
    await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')}`, { replacements: chunk.flat() });
  }
}

/** One token per booted host for both benchmarks (each sign-in counts against the login limit). */
const tokens = new WeakMap<object, Promise<string>>();
function tokenOf(ctx: BenchContext<object>): Promise<string> {
  let token = tokens.get(ctx.host);
  if (!token) {
    token = ctx.apiToken();
    tokens.set(ctx.host, token);
  }
  return token;
}

interface MergeState {
  token: string;
  pairs: Array<{ master: number; dupe: number }>;
}

/** A master and a duplicate that carries 10,000 linked rows. */
async function makePair(ctx: BenchContext<MergeState>, i: number): Promise<{ master: number; dupe: number }> {
  const create = async (body: Record<string, unknown>) => {
    const res = await ctx.request('/api/v1/contacts', { method: 'POST', token: ctx.state.token, json: body, expect: 201 });
    return (JSON.parse(res.text) as { id: number }).id;
  };
  const master = await create({ kind: 'person', first_name: 'Bench', last_name: `Master ${i}`, emails: [{ value: `bench.master.${i}@merge-bench.test` }] });
  const dupe = await create({ kind: 'person', first_name: 'Bench', last_name: `Dupe ${i}`, job_title: 'Merged', emails: [{ value: `bench.dupe.${i}@merge-bench.test` }] });
  const db = ctx.host.db;
  const now = new Date();
  await insertMany(db, 'crm_notes', ['contact_id', 'body', 'pinned', 'created_at', 'updated_at'], Array.from({ length: LINKED.notes }, (_, n) => [dupe, `Bench note ${n}`, false, now, now]));
  await insertMany(db, 'crm_history', ['contact_id', 'action', 'field', 'new_value', 'created_at'], Array.from({ length: LINKED.history }, (_, n) => [dupe, 'update', 'comment', JSON.stringify(`v${n}`), now]));
  await insertMany(
    db,
    'orders_orders',
    ['contact_id', 'number', 'product', 'amount', 'currency', 'ordered_at', 'status', 'created_at'],
    Array.from({ length: LINKED.orders }, (_, n) => [dupe, `MB-${i}-${n}`, 'Bench product', 100, 'PLN', '2024-01-01', 'new', now]),
  );
  return { master, dupe };
}

async function removePairs(ctx: BenchContext<MergeState>): Promise<void> {
  const ids = (ctx.state.pairs ?? []).flatMap((p) => [p.master, p.dupe]);
  if (!ids.length) return;
  const db = ctx.host.db;
  const list = ids.map(() => '?').join(', ');
  for (const table of ['crm_notes', 'crm_history', 'orders_orders', 'crm_channels', 'crm_search_terms', 'crm_field_values', 'crm_addresses']) {
    await db.query(`DELETE FROM ${table} WHERE contact_id IN (${list})`, { replacements: ids });
  }
  await db.query(`DELETE FROM crm_contacts WHERE id IN (${list})`, { replacements: ids });
}

export const benchmarks: Benchmark[] = [
  defineBenchmark<MergeState>({
    name: 'crm.merge.10k-linked',
    description: 'POST /api/v1/contacts/merge: a contact with 10,000 linked rows (4,000 notes, 3,000 history, 3,000 orders) into another',
    count: 5,
    warmup: 1,
    async setup(ctx) {
      ctx.state.token = await tokenOf(ctx);
      ctx.state.pairs = [];
      for (let i = 0; i < ctx.iterations; i++) ctx.state.pairs.push(await makePair(ctx, i));
    },
    async run(ctx, i) {
      const { master, dupe } = ctx.state.pairs[i]!;
      const res = await ctx.request('/api/v1/contacts/merge', { method: 'POST', token: ctx.state.token, json: { master_id: master, merge_ids: [dupe] }, expect: 200 });
      if (!res.text.includes('"merged"')) throw new Error(`unexpected answer: ${res.text.slice(0, 200)}`);
      const [{ n }] = await rows<{ n: number }>(ctx.host.db, 'SELECT COUNT(*) AS n FROM orders_orders WHERE contact_id = ?', [master]);
      if (Number(n) !== LINKED.orders) throw new Error(`orders not moved: ${n}`);
    },
    teardown: removePairs,
  }),
  defineBenchmark<{ token: string; runIds: number[] }>({
    name: 'crm.duplicates.find',
    description: 'POST /api/v1/duplicates/runs in the background and wait for the job: every reason over the whole base',
    count: 1,
    warmup: 0,
    async setup(ctx) {
      ctx.state.token = await tokenOf(ctx);
      ctx.state.runIds = [];
    },
    async run(ctx) {
      const res = await ctx.request('/api/v1/duplicates/runs', { method: 'POST', token: ctx.state.token, json: { background: true }, expect: 202 });
      const { job_id: jobId, run } = JSON.parse(res.text) as { job_id: string; run: { id: number } };
      ctx.state.runIds.push(run.id);
      for (;;) {
        const job = JSON.parse((await ctx.request(`/api/v1/jobs/${jobId}`, { token: ctx.state.token, expect: 200 })).text) as { state: string; error: string | null };
        if (job.state === 'done') break;
        if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`finder job ${job.state}: ${job.error}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const found = JSON.parse((await ctx.request(`/api/v1/duplicates/runs/${run.id}`, { token: ctx.state.token, expect: 200 })).text) as { group_count: number };
      console.log(`  duplicate groups found: ${found.group_count}`);
    },
    async teardown(ctx) {
      for (const id of ctx.state.runIds ?? []) {
        await ctx.host.db.query('DELETE FROM crm_duplicate_groups WHERE run_id = ?', { replacements: [id] });
        await ctx.host.db.query('DELETE FROM crm_duplicate_runs WHERE id = ?', { replacements: [id] });
      }
    },
  }),
];
