/**
 * The access rule as SQL: pure functions of the current user, so the CRM's one scope can AND them
 * into every contact query. Subqueries read the group grants and per-card grants at query time:
 * no caches, so a change applies to the very next request, and each subquery is an index lookup
 * (access_group_classes by group, access_contact_grants by user and by group).
 */
import type { CurrentUser } from '../../../host/api.js';
import { RIGHTS } from '../api.js';

export interface Sql {
  sql: string;
  params: unknown[];
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

function placeholders(list: unknown[]): string {
  return list.map(() => '?').join(', ');
}

/** Group ids as safe integers (they come from the session's user, but the SQL must never trust shape). */
function groupIdsOf(user: CurrentUser): number[] {
  return [...new Set(user.groupIds.filter((id) => Number.isSafeInteger(id) && id > 0))];
}

/**
 * Classes the user's groups grant, as a subquery of class ids. `onlyOwn` false: groups without
 * "only my clients"; true: every group (the caller then requires responsible_id = the user).
 */
function grantedClasses(groupIds: number[], level: 'view' | 'edit', onlyOwnGroups: boolean): Sql {
  const levelSql = level === 'edit' ? " AND gc.level = 'edit'" : '';
  const ownSql = onlyOwnGroups ? '' : ' AND NOT EXISTS (SELECT 1 FROM access_group_options go WHERE go.group_id = gc.group_id AND go.only_own = ?)';
  return {
    sql: `SELECT gc.class_id FROM access_group_classes gc WHERE gc.group_id IN (${placeholders(groupIds)})${levelSql}${ownSql}`,
    params: [...groupIds, ...(onlyOwnGroups ? [] : [true])],
  };
}

/** Contacts granted on their card to the user or one of their groups (one small, materializable subquery). */
function grantedContacts(user: CurrentUser, groupIds: number[], level: 'view' | 'edit'): Sql {
  const levelSql = level === 'edit' ? " AND g.level = 'edit'" : '';
  const who = groupIds.length ? `(g.user_id = ? OR g.group_id IN (${placeholders(groupIds)}))` : 'g.user_id = ?';
  return { sql: `SELECT g.contact_id FROM access_contact_grants g WHERE ${who}${levelSql}`, params: [user.id, ...groupIds] };
}

function condition(user: CurrentUser, alias: string, level: 'view' | 'edit'): Sql {
  if (!ALIAS.test(alias)) throw new Error(`Bad table alias "${alias}"`);
  const a = alias;
  const groupIds = groupIdsOf(user);
  const either: string[] = [`${a}.class_id IS NULL`];
  const params: unknown[] = [];
  if (groupIds.length) {
    const free = grantedClasses(groupIds, level, false);
    either.push(`${a}.class_id IN (${free.sql})`);
    params.push(...free.params);
    const own = grantedClasses(groupIds, level, true);
    either.push(`(${a}.responsible_id = ? AND ${a}.class_id IN (${own.sql}))`);
    params.push(user.id, ...own.params);
  }
  const cards = grantedContacts(user, groupIds, level);
  either.push(`${a}.id IN (${cards.sql})`);
  params.push(...cards.params);

  const classes = `(${either.join(' OR ')})`;
  const staffRight = level === 'edit' ? user.can(RIGHTS.staffEdit) : user.can(RIGHTS.staffView) || user.can(RIGHTS.staffEdit);
  if (staffRight) return { sql: classes, params };
  return { sql: `${a}.is_staff = ? AND ${classes}`, params: [false, ...params] };
}

/**
 * Who may see a contact (administrators skip rules: the CRM's scope does not ask them):
 * - staff cards only with access.staff.view (or access.staff.edit), and then
 * - a contact without a class, or
 * - one whose class a group of the user grants (view or edit), for an "only my clients" group
 *   only when the user is the contact's responsible, or
 * - one granted on its card to the user or to one of their groups.
 */
export function viewCondition(user: CurrentUser, alias: string): Sql {
  return condition(user, alias, 'view');
}

/**
 * Who may edit a contact they can see: the same shape at level "edit" (an unclassified client,
 * a class granted at "edit", an "edit" grant on the card), and staff cards need access.staff.edit.
 * The right crm.contacts.edit is checked by the CRM before rules are asked.
 */
export function editCondition(user: CurrentUser, alias: string): Sql {
  return condition(user, alias, 'edit');
}
