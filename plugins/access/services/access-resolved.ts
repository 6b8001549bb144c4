/**
 * The access rule of access-sql.ts with its lookups done first: the classes the user's groups
 * grant (with and without "only my clients") and the contacts granted on their cards are read
 * now and written into the condition as constants. The database can then answer
 * "class in (...) or (responsible = me and class in (...))" with ranges of one index instead of
 * evaluating subqueries under an OR for every contact. Read per query, never cached, so a change
 * of grants applies to the very next query, as with the subquery form.
 */
import type { Sequelize } from 'sequelize';
import type { CurrentUser } from '../../../host/api.js';
import { RIGHTS } from '../api.js';
import { viewCondition, type Sql } from './access-sql.js';

/** Card grants written out as ids up to this many; beyond it the subquery form is kept. */
export const MAX_LITERAL_GRANTS = 1000;

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ints = (list: number[]) => list.map((n) => String(Math.trunc(n))).join(', ');

export async function resolvedViewCondition(db: Sequelize, user: CurrentUser, alias: string): Promise<Sql> {
  if (!ALIAS.test(alias)) throw new Error(`Bad table alias "${alias}"`);
  const a = alias;
  const groupIds = [...new Set(user.groupIds.filter((id) => Number.isSafeInteger(id) && id > 0))];
  const free = new Set<number>();
  const own = new Set<number>();
  if (groupIds.length) {
    const [rows] = await db.query(
      `SELECT gc.class_id, CASE WHEN EXISTS (SELECT 1 FROM access_group_options go WHERE go.group_id = gc.group_id AND go.only_own = ?) THEN 1 ELSE 0 END AS only_own
       FROM access_group_classes gc WHERE gc.group_id IN (${groupIds.map(() => '?').join(', ')})`,
      { replacements: [true, ...groupIds] },
    );
    for (const r of rows as Array<{ class_id: number | string; only_own: number | string }>) (Number(r.only_own) ? own : free).add(Number(r.class_id));
  }
  const who = groupIds.length ? `(g.user_id = ? OR g.group_id IN (${groupIds.map(() => '?').join(', ')}))` : 'g.user_id = ?';
  const [grantRows] = await db.query(`SELECT DISTINCT g.contact_id FROM access_contact_grants g WHERE ${who} LIMIT ${MAX_LITERAL_GRANTS + 1}`, {
    replacements: [user.id, ...groupIds],
  });
  const grants = (grantRows as Array<{ contact_id: number | string }>).map((r) => Number(r.contact_id));
  // Too many card grants to write out: the subquery form says the same thing.
  if (grants.length > MAX_LITERAL_GRANTS) return viewCondition(user, alias);

  const either: string[] = [`${a}.class_id IS NULL`];
  const params: unknown[] = [];
  if (free.size) either.push(`${a}.class_id IN (${ints([...free])})`);
  // A class an unrestricted group grants is visible whoever is responsible.
  const ownOnly = [...own].filter((id) => !free.has(id));
  if (ownOnly.length) {
    either.push(`(${a}.responsible_id = ? AND ${a}.class_id IN (${ints(ownOnly)}))`);
    params.push(user.id);
  }
  if (grants.length) either.push(`${a}.id IN (${ints(grants)})`);
  const classes = `(${either.join(' OR ')})`;
  if (user.can(RIGHTS.staffView) || user.can(RIGHTS.staffEdit)) return { sql: classes, params };
  return { sql: `${a}.is_staff = ? AND ${classes}`, params: [false, ...params] };
}
