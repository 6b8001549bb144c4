/**
 * How the list's one query reads the contacts, beyond its WHERE clause: index hints where
 * MariaDB's optimizer misjudges (each justified below, and only where they cannot change the
 * answer) and whether the page's total can be counted in the same pass. SQLite plans these
 * queries well by itself and gets the plain SQL.
 */

/** What the plan needs to know of a built query (see ContactQueryImpl.build). */
export interface PlannedSql {
  joins: string[];
  literal?: boolean;
  literalSize?: number;
  sortColumn?: string;
}

export interface ListPlan {
  /** Put before SELECT (a per-statement setting). */
  prefix: string;
  /** The FROM clause up to the sort's own join. */
  from: string;
  /** Every match is read and sorted anyway, so `COUNT(*) OVER ()` costs nothing more. */
  countInPass: boolean;
}

/**
 * Below this many ids, a custom-field sort reads the listed contacts and sorts them; above it,
 * it walks the field's value index in order and stops at the page's end.
 */
export const WALK_FROM = 2000;

/** The threshold in force; tests lower it to run the walk on a small base and compare answers. */
export const walkPlan = { from: WALK_FROM };

/**
 * Columns of `crm_contacts_live_id` (migration 0007): id first, then what the scope and the
 * name sort read. A query on a list of ids that needs nothing else reads only that narrow index.
 */
const LIVE_ID_COLUMNS = new Set(['id', 'deleted_at', 'merged_into_id', 'class_id', 'responsible_id', 'is_staff', 'name_key']);

const VALUE_INDEXES: Record<string, string> = {
  'sv.value_number': 'crm_field_values_number',
  'sv.value_text': 'crm_field_values_text',
  'sv.value_date': 'crm_field_values_date',
};

const isMaria = (dialect: string) => dialect === 'mysql' || dialect === 'mariadb';

/**
 * The index hint for a query over a list of ids (MariaDB). Its optimizer takes the primary key
 * for `id IN (...)`, reading each whole row, even when the narrow index by id holds every column
 * the query uses: a tenth of the pages, which stay in the buffer pool. It is given only when
 * every `c.` column is in that index.
 */
export function liveIdHint(dialect: string, literal: boolean, sqlText: string): string {
  if (!isMaria(dialect) || !literal) return '';
  for (const [, column] of sqlText.matchAll(/\bc\.([A-Za-z_]+)/g)) if (!LIVE_ID_COLUMNS.has(column!)) return '';
  return 'FORCE INDEX (crm_contacts_live_id)';
}

export function listPlan(dialect: string, sql: PlannedSql, sortExpr: string, whereSql: string): ListPlan {
  const hint = liveIdHint(dialect, Boolean(sql.literal), `${sortExpr} ${whereSql}`);
  const plain: ListPlan = { prefix: '', from: `crm_contacts c ${hint} ${sql.joins.join(' ')}`, countInPass: Boolean(sql.literal) };
  const valueIndex = sql.sortColumn ? VALUE_INDEXES[sql.sortColumn] : undefined;
  if (!isMaria(dialect) || !valueIndex || sql.joins.length !== 1 || (sql.literal && (sql.literalSize ?? 0) < walkPlan.from)) return plain;
  // Sorted by a custom field the query filters on: walk that field's value index in the sort's
  // order and stop after the page. MariaDB would start from the other filters' ids and sort them
  // all; STRAIGHT_JOIN keeps the value index first, and lists of ids stay plain IN lists (checked
  // per entry by binary search) instead of becoming a table to join. The total is counted apart.
  return {
    prefix: 'SET STATEMENT in_predicate_conversion_threshold = 1000000 FOR ',
    from: `crm_field_values sv FORCE INDEX (${valueIndex}) STRAIGHT_JOIN crm_contacts c ${hint} ON sv.contact_id = c.id AND sv.field_id = ?`,
    countInPass: false,
  };
}
