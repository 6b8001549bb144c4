/**
 * The client list under access rules (issue "Organizing the client base", section Speed: "the
 * list for a user limited by two classes and 'only mine' stays within 20% of the administrator's
 * p95" at 1,000,000 contacts on MariaDB). Both benchmarks ask for the same first page of the list
 * (sorted by name, 50 rows with the total); the second as a manager whose group grants two of
 * four classes with "only my clients", responsible for one contact in ten.
 *
 * Run it with the CRM's benchmarks on the same base:
 * `CRM_BENCH_CONTACTS=1000000 npm run bench -- access. --database mysql://root@127.0.0.1:3306/<db>`.
 * On a base whose contacts have no class yet it spreads four bench classes over them (by id) and
 * makes the manager responsible for every tenth contact; no contact is added.
 */
import type { Sequelize } from 'sequelize';
import { TOKENS, type GroupsService, type UsersService } from '../../../host/api.js';
import { defineBenchmark, type Benchmark, type BenchContext } from '../../../bench/harness.js';

const CLASSES = ['Bench class A', 'Bench class B', 'Bench class C', 'Bench class D'];
const MANAGER = { email: 'bench.manager@example.com', password: 'bench-manager-password-1' };
const GROUP = 'Bench: two classes, only mine';
const BATCH = 50_000;
const PAGE = 50;

async function rows<T>(db: Sequelize, sql: string, replacements: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, { replacements }))[0] as T[];
}

async function classIds(db: Sequelize): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, name] of CLASSES.entries()) {
    let [row] = await rows<{ id: number }>(db, 'SELECT id FROM access_classes WHERE name = ?', [name]);
    if (!row) {
      await db.query('INSERT INTO access_classes (name, color, sort, created_at, updated_at) VALUES (?, NULL, ?, ?, ?)', { replacements: [name, 100 + i, new Date(), new Date()] });
      [row] = await rows<{ id: number }>(db, 'SELECT id FROM access_classes WHERE name = ?', [name]);
    }
    ids.push(Number(row!.id));
  }
  return ids;
}

/** The manager and their group (two classes at "view", only my clients), made once per database. */
async function manager(ctx: BenchContext, classes: number[]): Promise<number> {
  const db = ctx.host.db;
  const groups = ctx.host.services.get<GroupsService>(TOKENS.Groups);
  const group = (await groups.findByName(GROUP)) ?? (await groups.create({ name: GROUP, rights: ['crm.access'] }));
  await db.query('DELETE FROM access_group_classes WHERE group_id = ?', { replacements: [group.id] });
  await db.query('DELETE FROM access_group_options WHERE group_id = ?', { replacements: [group.id] });
  for (const classId of classes.slice(0, 2)) await db.query("INSERT INTO access_group_classes (group_id, class_id, level) VALUES (?, ?, 'view')", { replacements: [group.id, classId] });
  await db.query('INSERT INTO access_group_options (group_id, only_own) VALUES (?, ?)', { replacements: [group.id, true] });
  const users = ctx.host.services.get<UsersService>(TOKENS.Users);
  const existing = await users.findByEmail(MANAGER.email);
  if (existing) return existing.id;
  return (await users.create({ email: MANAGER.email, password: MANAGER.password, name: 'Bench manager', groups: [group.id] })).id;
}

/** Classes by a hash of the id, and every tenth contact the manager's: only on a base without classes. */
async function spread(db: Sequelize, classes: number[], managerId: number): Promise<void> {
  if ((await rows(db, 'SELECT id FROM crm_contacts WHERE class_id IS NOT NULL LIMIT 1')).length) return;
  const [{ lo, hi }] = await rows<{ lo: number; hi: number }>(db, 'SELECT MIN(id) AS lo, MAX(id) AS hi FROM crm_contacts');
  const started = Date.now();
  const klass = `CASE ((id * 7907) % 4) ${classes.map((id, i) => `WHEN ${i} THEN ${id}`).join(' ')} END`;
  for (let from = Number(lo); from <= Number(hi); from += BATCH) {
    await db.query(`UPDATE crm_contacts SET class_id = ${klass}, responsible_id = CASE WHEN id % 10 = 3 THEN ? ELSE responsible_id END WHERE id >= ? AND id < ? AND class_id IS NULL`, {
      replacements: [managerId, from, from + BATCH],
    });
  }
  console.log(`  spread ${classes.length} classes over the base in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface Base {
  admin: string;
  manager: string;
}

const bases = new WeakMap<object, Promise<Base>>();

async function prepare(ctx: BenchContext): Promise<Base> {
  const db = ctx.host.db;
  const classes = await classIds(db);
  const managerId = await manager(ctx, classes);
  await spread(db, classes, managerId);
  return { admin: await ctx.apiToken(), manager: await ctx.apiToken(MANAGER.email, MANAGER.password) };
}

type State = { base: Base };
const setup = async (ctx: BenchContext<State>) => {
  let promise = bases.get(ctx.host);
  if (!promise) {
    promise = prepare(ctx as unknown as BenchContext);
    bases.set(ctx.host, promise);
  }
  ctx.state.base = await promise;
};

const LIST = `/api/v1/contacts?sort=name&limit=${PAGE}`;

export const benchmarks: Benchmark[] = [
  defineBenchmark<State>({
    name: 'access.list.admin',
    description: 'GET /api/v1/contacts?sort=name, 50 rows with the total, as the administrator (the reference for the next one)',
    count: 200,
    setup,
    async run(ctx) {
      await ctx.request(LIST, { token: ctx.state.base.admin, expect: 200 });
    },
  }),
  defineBenchmark<State>({
    name: 'access.list.limited-user',
    description: 'the same page as a manager limited to two of four classes with "only my clients" (target: p95 within 20% of the administrator\'s)',
    count: 200,
    setup,
    async run(ctx) {
      await ctx.request(LIST, { token: ctx.state.base.manager, expect: 200 });
    },
  }),
];
