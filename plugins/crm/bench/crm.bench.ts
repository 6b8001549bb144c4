/**
 * The client base under load (issue "The CRM core", section Speed): the list with filters and a
 * sort, a deep cursor page, search by name prefix and by email, a custom-field filter, the card
 * and creating a contact, over the API and the pages a browser loads.
 *
 * The base is filled once per run with the bulk seeder: CRM_BENCH_CONTACTS contacts (default
 * 20,000 for a quick run; the figures in the issue notes use 1,000,000 on MariaDB:
 * `CRM_BENCH_CONTACTS=1000000 DATABASE_URL=mysql://root@127.0.0.1:3306/test npm run bench -- crm.`).
 */
import type { Sequelize } from 'sequelize';
import { seeders } from '../../../host/api.js';
import { defineBenchmark, type Benchmark, type BenchContext, type CookieJar } from '../../../bench/harness.js';
import { seedContactsInBulk } from '../seed/bulk-seed.js';
import { completeDictionaries } from './bench-base.js';

const CONTACTS = Number(process.env.CRM_BENCH_CONTACTS ?? 20_000);
const PAGE = 50;

interface Base {
  token: string;
  jar: CookieJar;
  statusId: number;
  namePrefixes: string[];
  emails: string[];
  industries: string[];
  cardIds: number[];
  deepCursor: string;
  deepPage: number;
}

/** One seeded base per booted host, shared by every CRM benchmark of the run. */
const bases = new WeakMap<object, Promise<Base>>();

async function rows<T>(db: Sequelize, sql: string, replacements: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, { replacements }))[0] as T[];
}

async function prepareBase(ctx: BenchContext): Promise<Base> {
  const db = ctx.host.db;
  const [{ n }] = await rows<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM crm_contacts');
  if (Number(n) < CONTACTS) {
    // Statuses, categories and the rest first: the seeder spreads contacts over them.
    const dictionaries = ctx.host.extensions.list(seeders).find((s) => s.id === 'crm-dictionaries');
    await dictionaries?.run(ctx.host.services, {});
    const started = Date.now();
    const result = await seedContactsInBulk(ctx.host.services, { contacts: CONTACTS - Number(n), seed: 7 });
    console.log(`  seeded ${result.contacts} contacts (${result.rows} rows) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  await completeDictionaries(ctx);
  const [status] = await rows<{ status_id: number }>(db, 'SELECT status_id FROM crm_contacts WHERE status_id IS NOT NULL GROUP BY status_id ORDER BY COUNT(*) DESC LIMIT 1');
  const names = await rows<{ last_name: string }>(db, 'SELECT last_name FROM crm_contacts WHERE last_name IS NOT NULL AND id % 97 = 0 LIMIT 200');
  const emails = await rows<{ normalized: string }>(db, "SELECT normalized FROM crm_channels WHERE type = 'email' AND id % 89 = 0 LIMIT 200");
  const industry = await rows<{ value_text: string }>(db, "SELECT DISTINCT v.value_text FROM crm_field_values v JOIN crm_fields f ON f.id = v.field_id WHERE f.`key` = 'industry' LIMIT 10");
  const companies = await rows<{ id: number }>(db, "SELECT id FROM crm_contacts WHERE kind = 'company' AND id % 13 = 0 LIMIT 200");
  // Page 10,000 of 50 (or as deep as the base goes): the row before it, as the API's cursor.
  const deepPage = Math.max(1, Math.min(10_000, Math.floor(CONTACTS / PAGE) - 1));
  const [before] = await rows<{ name_key: string; id: number }>(
    db,
    `SELECT name_key, id FROM crm_contacts WHERE deleted_at IS NULL AND merged_into_id IS NULL ORDER BY name_key, id LIMIT 1 OFFSET ${(deepPage - 1) * PAGE - 1}`,
  );
  return {
    token: await ctx.apiToken(),
    jar: await ctx.login(),
    statusId: Number(status!.status_id),
    namePrefixes: names.map((r) => r.last_name.slice(0, 4)),
    emails: emails.map((r) => r.normalized),
    industries: industry.map((r) => r.value_text),
    cardIds: companies.map((r) => Number(r.id)),
    deepCursor: Buffer.from(JSON.stringify({ v: before!.name_key, id: Number(before!.id) })).toString('base64url'),
    deepPage,
  };
}

function base(ctx: BenchContext): Promise<Base> {
  let promise = bases.get(ctx.host);
  if (!promise) {
    promise = prepareBase(ctx);
    bases.set(ctx.host, promise);
  }
  return promise;
}

const pick = <T>(list: T[], i: number): T => list[i % list.length]!;

type State = { base: Base; created?: number[] };
const setup = async (ctx: BenchContext<State>) => {
  ctx.state.base = await base(ctx as unknown as BenchContext);
};

export const benchmarks: Benchmark[] = [
  defineBenchmark<State>({
    name: 'crm.list.first-page',
    description: `GET /api/v1/contacts?status_id&has_email&sort=created_at desc, 50 rows with the total (${CONTACTS} contacts)`,
    count: 200,
    setup,
    async run(ctx) {
      const { token, statusId } = ctx.state.base;
      await ctx.request(`/api/v1/contacts?status_id=${statusId}&has_email=true&sort=created_at&order=desc&limit=${PAGE}`, { token, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'crm.list.deep-cursor-page',
    description: 'GET /api/v1/contacts?sort=name&cursor=<page 10,000 of 50>',
    count: 200,
    setup,
    async run(ctx) {
      const { token, deepCursor } = ctx.state.base;
      await ctx.request(`/api/v1/contacts?sort=name&limit=${PAGE}&cursor=${deepCursor}`, { token, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'crm.search.name-prefix',
    description: 'GET /api/v1/contacts?q=<first 4 letters of a surname>, 50 rows with the total',
    count: 200,
    setup,
    async run(ctx, i) {
      const { token, namePrefixes } = ctx.state.base;
      await ctx.request(`/api/v1/contacts?q=${encodeURIComponent(pick(namePrefixes, i))}&limit=${PAGE}`, { token, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'crm.search.email',
    description: 'GET /api/v1/contacts?q=<an email>',
    count: 200,
    setup,
    async run(ctx, i) {
      const { token, emails } = ctx.state.base;
      await ctx.request(`/api/v1/contacts?q=${encodeURIComponent(pick(emails, i))}&limit=${PAGE}`, { token, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'crm.filter.custom-field',
    description: 'GET /api/v1/contacts?custom.industry=<option>&custom.budget.from=5000&sort=custom.budget desc',
    count: 200,
    setup,
    async run(ctx, i) {
      const { token, industries } = ctx.state.base;
      const industry = encodeURIComponent(pick(industries, i));
      await ctx.request(`/api/v1/contacts?custom.industry=${industry}&custom.budget.from=5000&sort=custom.budget&order=desc&limit=${PAGE}`, { token, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'crm.card.page',
    description: 'GET /crm/contacts/:id of a company: header, fields and the tab headers with their counts',
    count: 200,
    setup,
    async run(ctx, i) {
      const { jar, cardIds } = ctx.state.base;
      await ctx.request(`/crm/contacts/${pick(cardIds, i)}`, { jar, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'crm.contact.create',
    description: 'POST /api/v1/contacts: a person with an email and a phone (validation, history, search terms)',
    count: 200,
    setup,
    async run(ctx, i) {
      const { token } = ctx.state.base;
      const response = await ctx.request('/api/v1/contacts', {
        method: 'POST',
        token,
        json: { kind: 'person', first_name: 'Bench', last_name: `Kowalska ${i}`, emails: [{ value: `bench.${i}.${Date.now()}@example.com` }], phones: [{ value: `+48 600 ${String(100000 + (i % 899999)).slice(0, 3)} ${String(i % 1000).padStart(3, '0')}` }] },
        expect: 201,
      });
      (ctx.state.created ??= []).push(response.json<{ id: number }>().id);
    },
    // The base stays as it was: a run against an existing base must not grow it.
    async teardown(ctx) {
      const { token } = ctx.state.base;
      for (const id of ctx.state.created ?? []) {
        await ctx.request(`/api/v1/contacts/${id}`, { method: 'DELETE', token });
        await ctx.request(`/api/v1/contacts/${id}/purge`, { method: 'DELETE', token });
      }
    },
  }),
];
