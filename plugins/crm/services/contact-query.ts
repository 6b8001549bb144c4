/**
 * The contact list: search, filters (standard, custom fields and plugin conditions), sorting,
 * keyset cursors and counts, always inside the access scope. It selects ids with one SQL query
 * shaped to the indexes of the migrations, then loads that page's contacts.
 */
import { readCrmSettings, type CrmSettings } from './crm-settings.js';
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type CurrentUser, type ExtensionRegistry, type SettingsStore, type ValidationService } from '../../../host/api.js';
import { CrmTokens, filterConditions, type ContactQueryService, type FieldDefinition, type ContactScope, type ListQuery, type ListResult, type ResolvedScope } from '../api.js';
import { listQuerySchema, plainConditionParams, toListQuery } from '../routes/api/list-query.js';
import { CrmInternalTokens } from './contacts-service.js';
import { MAX_PAGE } from './list-limits.js';
import { narrowBySets, type IdSet } from './contact-query-candidates.js';
import { liveIdHint, listPlan } from './contact-query-plan.js';
import type { ContactLoader } from './contact-loader.js';
import { valueColumn, type FieldsService } from './fields-service.js';
import { normalizePhone } from './normalize/channels.js';
import { foldText } from './normalize/text.js';
import { likePrefix, nameSearchPage, namePlanTerms, readSearchText, termsSql } from './name-search.js';

export { MAX_PAGE };
export const STANDARD_SORTS: Record<string, string> = {
  name: 'c.name_key',
  created_at: 'c.created_at',
  updated_at: 'c.updated_at',
  kind: 'c.kind',
  status_id: 'COALESCE(c.status_id, 0)',
  responsible_id: 'COALESCE(c.responsible_id, 0)',
  category_id: 'COALESCE(c.category_id, 0)',
  job_title: "COALESCE(c.job_title, '')",
};

interface Sql {
  where: string[];
  params: unknown[];
  joins: string[];
  joinParams: unknown[];
  /** A filter became a list of ids (contact-query-candidates.ts): few rows to read, sort and count. */
  literal?: boolean;
  literalSize?: number;
  /** Sorted by a custom field the query also filters on: its value column on the joined `sv`. */
  sortColumn?: string;
}

const invalid = (field: string, message = 'host:validation.type') =>
  new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field, code: 'invalid', message }]);

interface Cursor {
  v: string | number | null;
  id: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.id !== 'number') throw new Error('bad cursor');
    return c;
  } catch {
    throw invalid('cursor', 'crm:errors.bad_cursor');
  }
}

/** Whether a custom filter's value admits only contacts that have a value (a range with no bound admits all). */
const sortable = (field: FieldDefinition) => field.type !== 'multi_select' && field.type !== 'long_text';

function filtersValue(value: unknown): boolean {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { from, to } = value as { from?: unknown; to?: unknown };
    return (from !== undefined && from !== '') || (to !== undefined && to !== '');
  }
  return !Array.isArray(value) || value.length > 0;
}

@injectable()
export class ContactQueryImpl implements ContactQueryService {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Extensions) private readonly extensions: ExtensionRegistry,
    @inject(TOKENS.Settings) private readonly settings: SettingsStore,
    @inject(TOKENS.Validation) private readonly validator: ValidationService,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.Fields) private readonly fields: FieldsService,
    @inject(CrmInternalTokens.Loader) private readonly loader: ContactLoader,
  ) {}

  private crmSettings(): Promise<CrmSettings> {
    return readCrmSettings(this.settings);
  }


  /**
   * The WHERE clause of a list query, scope first: the scope with the rules' lookups resolved,
   * and the id-set filters (search, custom fields) read first when small (contact-query-candidates.ts).
   */
  async build(user: CurrentUser, q: ListQuery, resolved?: ResolvedScope): Promise<Sql> {
    const scope = resolved ?? (await this.scope.resolvedCondition(user, 'c'));
    const sql: Sql = { where: [scope.sql, q.trash ? 'c.deleted_at IS NOT NULL' : 'c.deleted_at IS NULL'], params: [...scope.params], joins: [], joinParams: [] };
    const sets: IdSet[] = [];
    const sortJoin = await this.filteredSortField(q);
    if (sortJoin) {
      sql.joins.push('JOIN crm_field_values sv ON sv.contact_id = c.id AND sv.field_id = ?');
      sql.joinParams.push(sortJoin.id);
      sql.sortColumn = `sv.${valueColumn(sortJoin.type)}`;
    }
    await this.addFilters(user, q, sql, (set) => sets.push(set), sortJoin?.key ?? null);
    const narrowed = await narrowBySets(this.db, sets);
    sql.where.push(...narrowed.where);
    sql.params.push(...narrowed.params);
    sql.literal = narrowed.literal;
    sql.literalSize = narrowed.literalSize;
    return sql;
  }

  fromParams(params: Record<string, string | string[]>): ListQuery {
    const query = plainConditionParams(params, this.extensions.list(filterConditions));
    const errors = this.validator.validate(listQuerySchema, query, true);
    if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
    return toListQuery(query);
  }

  async filterSql(q: ListQuery): Promise<{ sql: string; params: unknown[] }> {
    const sql: Sql = { where: [], params: [], joins: [], joinParams: [] };
    await this.addFilters(null, q, sql);
    return { sql: sql.where.length ? sql.where.map((w) => `(${w})`).join(' AND ') : '1 = 1', params: sql.params };
  }

  /**
   * The query's filters (everything but the scope and the trash rule); `user` null applies
   * conditions of every enabled plugin. Filters that are sets of ids go to `toSet` when given,
   * else they become `c.id IN (subquery)` clauses.
   */
  private async addFilters(user: CurrentUser | null, q: ListQuery, sql: Sql, toSet?: (set: IdSet) => void, onSortJoin: string | null = null): Promise<void> {
    const add = (clause: string, ...params: unknown[]) => {
      sql.where.push(clause);
      sql.params.push(...params);
    };
    const set = toSet ?? ((s: IdSet) => add(`c.id IN (${s.sql})`, ...s.params));
    if (q.kind) add('c.kind = ?', q.kind);
    for (const field of ['status_id', 'category_id', 'responsible_id', 'class_id'] as const) {
      const ids = q[field];
      if (!ids?.length) continue;
      // 0 stands for "none", so "unassigned" and "no status" can be filtered too.
      const real = ids.filter((i) => i > 0);
      const parts = [...(real.length ? [`c.${field} IN (${real.map(() => '?').join(',')})`] : []), ...(ids.includes(0) ? [`c.${field} IS NULL`] : [])];
      add(`(${parts.join(' OR ')})`, ...real);
    }
    if (q.company_id) add('c.company_id = ?', q.company_id);
    if (q.created_from) add('c.created_at >= ?', new Date(`${q.created_from}T00:00:00Z`));
    if (q.created_to) add('c.created_at < ?', new Date(new Date(`${q.created_to}T00:00:00Z`).getTime() + 86400_000));
    if (q.has_email !== undefined) add('c.has_email = ?', q.has_email);
    if (q.has_phone !== undefined) add('c.has_phone = ?', q.has_phone);
    if (q.q?.trim()) await this.search(q.q.trim(), add, set);
    for (const [key, value] of Object.entries(q.custom ?? {})) await this.customFilter(key, value, set, add, onSortJoin);
    for (const [id, value] of Object.entries(q.conditions ?? {})) this.condition(user, id, value, add);
  }

  /** Name words by prefix (every word), an email, a phone or a tax id: one set of ids, the union of those. */
  private async search(text: string, add: (clause: string, ...params: unknown[]) => void, set: (s: IdSet) => void): Promise<void> {
    const alternatives: string[] = [];
    const params: unknown[] = [];
    const read = readSearchText(text);
    if (read.terms.length) {
      const t = termsSql(read.terms);
      alternatives.push(`SELECT t0.contact_id AS id FROM crm_search_terms t0 ${t.joins} WHERE ${t.where}`);
      params.push(...t.params);
    }
    if (read.email) {
      alternatives.push("SELECT ch.contact_id AS id FROM crm_channels ch WHERE ch.type IN ('email', 'domain') AND ch.normalized LIKE ?");
      params.push(likePrefix(foldText(text)));
    }
    if (read.digits) {
      const digits = text.replace(/[^\d]/g, '');
      const { default_phone_country } = await this.crmSettings();
      const phone = normalizePhone(text, default_phone_country);
      const prefixes = [...new Set([phone?.e164, `+${digits}`].filter(Boolean))] as string[];
      alternatives.push(`SELECT ch.contact_id AS id FROM crm_channels ch WHERE ch.type = 'phone' AND (${prefixes.map(() => 'ch.normalized LIKE ?').join(' OR ')})`);
      params.push(...prefixes.map((p) => `${p}%`));
      alternatives.push("SELECT ch.contact_id AS id FROM crm_channels ch WHERE ch.type = 'tax_id' AND ch.normalized LIKE ?");
      params.push(`${digits}%`);
    }
    if (!alternatives.length) {
      add('1 = 0');
      return;
    }
    set({ sql: alternatives.join(' UNION '), params });
  }

  /**
   * `custom.<key>`: equality, a list (any of), or a {from, to} range. A set of ids, or, for the
   * field the list is sorted by (`onSortJoin`), a condition on the sort's joined row `sv`.
   */
  private async customFilter(key: string, value: unknown, set: (s: IdSet) => void, add: (clause: string, ...params: unknown[]) => void, onSortJoin: string | null): Promise<void> {
    const field = await this.fields.byKey(key);
    if (!field || !field.active) throw invalid(`custom.${key}`, 'crm:errors.unknown_field');
    const column = valueColumn(field.type);
    if (column === 'value_long') throw invalid(`custom.${key}`, 'crm:errors.not_filterable');
    const alias = onSortJoin === key ? 'sv' : 'fv';
    const emit = (condition: string, params: unknown[]) => {
      if (alias === 'sv') add(condition, ...params);
      else set({ sql: `SELECT fv.contact_id AS id FROM crm_field_values fv WHERE fv.field_id = ? AND ${condition}`, params: [field.id, ...params] });
    };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const { from, to } = value as { from?: unknown; to?: unknown };
      const parts: string[] = [];
      const params: unknown[] = [];
      if (from !== undefined && from !== '') {
        parts.push(`${alias}.${column} >= ?`);
        params.push(column === 'value_number' ? Number(from) : String(from));
      }
      if (to !== undefined && to !== '') {
        parts.push(`${alias}.${column} <= ?`);
        params.push(column === 'value_number' ? Number(to) : String(to));
      }
      if (params.some((p) => typeof p === 'number' && !Number.isFinite(p))) throw invalid(`custom.${key}`, 'crm:errors.not_a_number');
      if (!parts.length) return;
      emit(parts.join(' AND '), params);
      return;
    }
    const list = (Array.isArray(value) ? value : [value]).map((v) => {
      if (field.type === 'checkbox') return v === true || v === 'true' || v === '1' || v === 1 ? 1 : 0;
      if (column === 'value_number') {
        const n = Number(v);
        if (!Number.isFinite(n)) throw invalid(`custom.${key}`, 'crm:errors.not_a_number');
        return n;
      }
      return String(v);
    });
    if (!list.length) return;
    emit(`${alias}.${column} IN (${list.map(() => '?').join(',')})`, list);
  }

  /** A filter condition contributed by a plugin, validated against its schema. */
  private condition(user: CurrentUser | null, id: string, value: unknown, add: (clause: string, ...params: unknown[]) => void): void {
    const condition = this.extensions.list(filterConditions, user).find((c) => `${c.pluginId}.${c.id}` === id);
    if (!condition) throw invalid(`conditions.${id}`, 'crm:errors.unknown_condition');
    const errors = this.validator.validate(condition.schema, value, true);
    if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors.map((e) => ({ ...e, field: `conditions.${id}.${e.field}` })));
    const { sql, params } = condition.sql(value as Record<string, unknown>, 'c');
    add(`(${sql})`, ...params);
  }

  /**
   * The custom field the list is sorted by when the query also filters on it. Every contact
   * listed then has a value, so the sort's row joins as an inner join (one row per contact: the
   * field is single-valued), that field's filter becomes a condition on it, and the database can
   * read the field's value index in order.
   */
  private async filteredSortField(q: ListQuery): Promise<FieldDefinition | null> {
    if (!q.sort?.startsWith('custom.')) return null;
    const key = q.sort.slice(7);
    if (!Object.hasOwn(q.custom ?? {}, key) || !filtersValue(q.custom![key])) return null;
    const field = await this.fields.byKey(key);
    return field && field.active && sortable(field) ? field : null;
  }

  /** The sort's SQL expression, and the join a custom field's sort needs (none when `build` joined it). */
  private async sortExpression(sort: string | undefined, sql: Sql): Promise<{ expr: string; join: string | null; joinParams: unknown[] }> {
    const key = sort ?? 'name';
    if (STANDARD_SORTS[key]) return { expr: STANDARD_SORTS[key], join: null, joinParams: [] };
    if (sql.sortColumn) return { expr: sql.sortColumn, join: null, joinParams: [] };
    if (key.startsWith('custom.')) {
      const field = await this.fields.byKey(key.slice(7));
      if (field && field.active && sortable(field)) {
        const column = valueColumn(field.type);
        const empty = column === 'value_number' ? '-1e18' : column === 'value_date' ? "'0000-01-01'" : "''";
        return {
          expr: `COALESCE(sv.${column}, ${empty})`,
          join: 'LEFT JOIN crm_field_values sv ON sv.contact_id = c.id AND sv.field_id = ?',
          joinParams: [field.id],
        };
      }
    }
    throw invalid('sort', 'crm:errors.unknown_sort');
  }

  async list(user: CurrentUser, q: ListQuery): Promise<ListResult> {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), MAX_PAGE);
    const scope = await this.scope.resolvedCondition(user, 'c');
    const terms = scope.unrestricted ? namePlanTerms(q) : null;
    const byName = terms ? await this.listByName(terms, q, limit) : null;
    if (byName) return byName;
    const sql = await this.build(user, q, scope);
    const sort = await this.sortExpression(q.sort, sql);
    const desc = q.order === 'desc';
    // Sorted by a filtered custom field: the contact's id is also the joined row's.
    const idExpr = sql.sortColumn ? 'sv.contact_id' : 'c.id';
    const where = [...sql.where];
    const params = [...sql.params];
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      // The leading `>=` gives the database a range on the sort index; the rest breaks ties by id.
      const [cmp, cmpEq] = desc ? ['<', '<='] : ['>', '>='];
      where.push(`${sort.expr} ${cmpEq} ? AND (${sort.expr} ${cmp} ? OR ${idExpr} ${cmp} ?)`);
      params.push(c.v, c.v, c.id);
    }
    const dir = desc ? 'DESC' : 'ASC';
    const offset = !q.cursor && q.offset ? Math.max(0, Math.floor(q.offset)) : 0;
    const plan = listPlan(this.db.getDialect(), sql, sort.expr, where.join(' AND '));
    // Over a list of ids every match is read and sorted anyway: count them in the same pass.
    const countHere = !q.cursor && !offset && plan.countInPass;
    const [rows] = await this.db.query(
      `${plan.prefix}SELECT c.id, ${sort.expr} AS sort_value${countHere ? ', COUNT(*) OVER () AS matches' : ''} FROM ${plan.from} ${sort.join ?? ''} WHERE ${where.join(' AND ')} ORDER BY ${sort.expr} ${dir}, ${idExpr} ${dir} LIMIT ${limit + 1}${offset ? ` OFFSET ${offset}` : ''}`,
      { replacements: [...sql.joinParams, ...sort.joinParams, ...params] },
    );
    const list = rows as Array<{ id: number; sort_value: string | number | Date | null; matches?: number | string }>;
    const page = list.slice(0, limit);
    const last = page.at(-1);
    const value = (v: string | number | Date | null) => (v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : v);
    const items = await this.loader.byIds(page.map((r) => Number(r.id)));
    const total = q.cursor ? null : countHere ? await this.capped(list.length ? Number(list[0]!.matches) : 0) : await this.count(user, q, sql);
    return {
      items,
      next_cursor: list.length > limit && last ? encodeCursor({ v: value(last.sort_value), id: Number(last.id) }) : null,
      total: total?.total ?? null,
      total_capped: total?.capped ?? false,
    };
  }

  /** A search by name alone for a user no rule restricts, answered from the search terms (name-search.ts); null when that plan does not apply. */
  private async listByName(terms: string[], q: ListQuery, limit: number): Promise<ListResult | null> {
    const cursor = q.cursor ? decodeCursor(q.cursor) : null;
    const { exact_count_limit } = await this.crmSettings();
    const found = await nameSearchPage(this.db, terms, {
      limit,
      desc: q.order === 'desc',
      after: cursor ? { v: String(cursor.v ?? ''), id: cursor.id } : null,
      countLimit: cursor ? null : exact_count_limit,
    });
    if (!found) return null;
    const page = found.rows.slice(0, limit);
    const last = page.at(-1);
    const total = found.total === null ? null : await this.capped(found.total);
    return {
      items: await this.loader.byIds(page.map((r) => r.id)),
      next_cursor: found.rows.length > limit && last ? encodeCursor({ v: last.sort_value, id: last.id }) : null,
      total: total?.total ?? null,
      total_capped: total?.capped ?? false,
    };
  }

  private async capped(n: number): Promise<{ total: number; capped: boolean }> {
    const { exact_count_limit } = await this.crmSettings();
    return n > exact_count_limit ? { total: exact_count_limit, capped: true } : { total: n, capped: false };
  }

  /** Exact up to the configured limit, then "more than the limit": counting a million rows on every page is wasted work. */
  async count(user: CurrentUser, q: ListQuery, built?: Sql): Promise<{ total: number; capped: boolean }> {
    const sql = built ?? (await this.build(user, q));
    const { exact_count_limit } = await this.crmSettings();
    const whereSql = sql.where.join(' AND ');
    const hint = liveIdHint(this.db.getDialect(), Boolean(sql.literal), whereSql);
    const [rows] = await this.db.query(`SELECT COUNT(*) AS n FROM (SELECT c.id FROM crm_contacts c ${hint} ${sql.joins.join(' ')} WHERE ${whereSql} LIMIT ${exact_count_limit + 1}) x`, {
      replacements: [...sql.joinParams, ...sql.params],
    });
    return this.capped(Number((rows as Array<{ n: number }>)[0]!.n));
  }

  async ids(user: CurrentUser, q: ListQuery, limit = 1_000_000): Promise<number[]> {
    const sql = await this.build(user, q);
    const [rows] = await this.db.query(`SELECT c.id FROM crm_contacts c ${sql.joins.join(' ')} WHERE ${sql.where.join(' AND ')} ORDER BY c.id LIMIT ${Math.max(1, Math.floor(limit))}`, {
      replacements: [...sql.joinParams, ...sql.params],
    });
    return (rows as Array<{ id: number }>).map((r) => Number(r.id));
  }
}
