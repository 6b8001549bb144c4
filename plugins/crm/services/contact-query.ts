/**
 * The contact list: search, filters (standard, custom fields and plugin conditions), sorting,
 * keyset cursors and counts, always inside the access scope. It selects ids with one SQL query
 * shaped to the indexes of the migrations, then loads that page's contacts.
 */
import { readCrmSettings, type CrmSettings } from './crm-settings.js';
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type CurrentUser, type ExtensionRegistry, type SettingsStore, type ValidationService } from '../../../host/api.js';
import { CrmTokens, filterConditions, type ContactQueryService, type ContactScope, type ListQuery, type ListResult } from '../api.js';
import { listQuerySchema, plainConditionParams, toListQuery } from '../routes/api/list-query.js';
import { CrmInternalTokens } from './contacts-service.js';
import { MAX_PAGE } from './list-limits.js';
import type { ContactLoader } from './contact-loader.js';
import { valueColumn, type FieldsService } from './fields-service.js';
import { normalizePhone } from './normalize/channels.js';
import { foldText, searchTerms } from './normalize/text.js';

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


  /** The WHERE clause of a list query, scope first. */
  async build(user: CurrentUser, q: ListQuery): Promise<Sql> {
    const scope = this.scope.condition(user, 'c');
    const sql: Sql = { where: [scope.sql, q.trash ? 'c.deleted_at IS NOT NULL' : 'c.deleted_at IS NULL'], params: [...scope.params], joins: [], joinParams: [] };
    await this.addFilters(user, q, sql);
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

  /** The query's filters (everything but the scope and the trash rule); `user` null applies conditions of every enabled plugin. */
  private async addFilters(user: CurrentUser | null, q: ListQuery, sql: Sql): Promise<void> {
    const add = (clause: string, ...params: unknown[]) => {
      sql.where.push(clause);
      sql.params.push(...params);
    };
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
    if (q.q?.trim()) await this.search(q.q.trim(), add);
    for (const [key, value] of Object.entries(q.custom ?? {})) await this.customFilter(key, value, add);
    for (const [id, value] of Object.entries(q.conditions ?? {})) this.condition(user, id, value, add);
  }

  /** Name words by prefix, an email, a phone or a tax id. */
  private async search(text: string, add: (clause: string, ...params: unknown[]) => void): Promise<void> {
    const alternatives: string[] = [];
    const params: unknown[] = [];
    const terms = searchTerms(text);
    if (terms.length) {
      alternatives.push(`(${terms.map(() => 'c.id IN (SELECT t.contact_id FROM crm_search_terms t WHERE t.term LIKE ?)').join(' AND ')})`);
      params.push(...terms.map((t) => `${t.replace(/[\\%_]/g, '\\$&')}%`));
    }
    const folded = foldText(text);
    if (folded.includes('@') || /^[a-z0-9.-]+\.[a-z]{2,}$/.test(folded)) {
      alternatives.push("c.id IN (SELECT ch.contact_id FROM crm_channels ch WHERE ch.type IN ('email', 'domain') AND ch.normalized LIKE ?)");
      params.push(`${folded.replace(/[\\%_]/g, '\\$&')}%`);
    }
    const digits = text.replace(/[^\d]/g, '');
    if (digits.length >= 5 && /^[\d\s()+\-./]+$/.test(text)) {
      const { default_phone_country } = await this.crmSettings();
      const phone = normalizePhone(text, default_phone_country);
      const prefixes = [...new Set([phone?.e164, `+${digits}`].filter(Boolean))] as string[];
      alternatives.push(`c.id IN (SELECT ch.contact_id FROM crm_channels ch WHERE ch.type = 'phone' AND (${prefixes.map(() => 'ch.normalized LIKE ?').join(' OR ')}))`);
      params.push(...prefixes.map((p) => `${p}%`));
      alternatives.push("c.id IN (SELECT ch.contact_id FROM crm_channels ch WHERE ch.type = 'tax_id' AND ch.normalized LIKE ?)");
      params.push(`${digits}%`);
    }
    if (!alternatives.length) {
      add('1 = 0');
      return;
    }
    add(`(${alternatives.join(' OR ')})`, ...params);
  }

  /** `custom.<key>`: equality, a list (any of), or a {from, to} range. */
  private async customFilter(key: string, value: unknown, add: (clause: string, ...params: unknown[]) => void): Promise<void> {
    const field = await this.fields.byKey(key);
    if (!field || !field.active) throw invalid(`custom.${key}`, 'crm:errors.unknown_field');
    const column = valueColumn(field.type);
    if (column === 'value_long') throw invalid(`custom.${key}`, 'crm:errors.not_filterable');
    const base = `c.id IN (SELECT fv.contact_id FROM crm_field_values fv WHERE fv.field_id = ? AND `;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const { from, to } = value as { from?: unknown; to?: unknown };
      const parts: string[] = [];
      const params: unknown[] = [field.id];
      if (from !== undefined && from !== '') {
        parts.push(`fv.${column} >= ?`);
        params.push(column === 'value_number' ? Number(from) : String(from));
      }
      if (to !== undefined && to !== '') {
        parts.push(`fv.${column} <= ?`);
        params.push(column === 'value_number' ? Number(to) : String(to));
      }
      if (params.slice(1).some((p) => typeof p === 'number' && !Number.isFinite(p))) throw invalid(`custom.${key}`, 'crm:errors.not_a_number');
      if (!parts.length) return;
      add(`${base}${parts.join(' AND ')})`, ...params);
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
    add(`${base}fv.${column} IN (${list.map(() => '?').join(',')}))`, field.id, ...list);
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

  private async sortExpression(sort: string | undefined): Promise<{ expr: string; join: string | null; joinParams: unknown[] }> {
    const key = sort ?? 'name';
    if (STANDARD_SORTS[key]) return { expr: STANDARD_SORTS[key], join: null, joinParams: [] };
    if (key.startsWith('custom.')) {
      const field = await this.fields.byKey(key.slice(7));
      if (field && field.active && field.type !== 'multi_select' && field.type !== 'long_text') {
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
    const sql = await this.build(user, q);
    const sort = await this.sortExpression(q.sort);
    const desc = q.order === 'desc';
    const where = [...sql.where];
    const params = [...sql.params];
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      // The leading `>=` gives the database a range on the sort index; the rest breaks ties by id.
      const [cmp, cmpEq] = desc ? ['<', '<='] : ['>', '>='];
      where.push(`${sort.expr} ${cmpEq} ? AND (${sort.expr} ${cmp} ? OR c.id ${cmp} ?)`);
      params.push(c.v, c.v, c.id);
    }
    const dir = desc ? 'DESC' : 'ASC';
    const offset = !q.cursor && q.offset ? Math.max(0, Math.floor(q.offset)) : 0;
    const [rows] = await this.db.query(
      `SELECT c.id, ${sort.expr} AS sort_value FROM crm_contacts c ${sort.join ?? ''} WHERE ${where.join(' AND ')} ORDER BY ${sort.expr} ${dir}, c.id ${dir} LIMIT ${limit + 1}${offset ? ` OFFSET ${offset}` : ''}`,
      { replacements: [...sort.joinParams, ...params] },
    );
    const list = rows as Array<{ id: number; sort_value: string | number | Date | null }>;
    const page = list.slice(0, limit);
    const last = page.at(-1);
    const value = (v: string | number | Date | null) => (v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : v);
    const items = await this.loader.byIds(page.map((r) => Number(r.id)));
    const total = q.cursor ? null : await this.count(user, q, sql);
    return {
      items,
      next_cursor: list.length > limit && last ? encodeCursor({ v: value(last.sort_value), id: Number(last.id) }) : null,
      total: total?.total ?? null,
      total_capped: total?.capped ?? false,
    };
  }

  /** Exact up to the configured limit, then "more than the limit": counting a million rows on every page is wasted work. */
  async count(user: CurrentUser, q: ListQuery, built?: Sql): Promise<{ total: number; capped: boolean }> {
    const sql = built ?? (await this.build(user, q));
    const { exact_count_limit } = await this.crmSettings();
    const [rows] = await this.db.query(`SELECT COUNT(*) AS n FROM (SELECT c.id FROM crm_contacts c WHERE ${sql.where.join(' AND ')} LIMIT ${exact_count_limit + 1}) x`, {
      replacements: sql.params,
    });
    const n = Number((rows as Array<{ n: number }>)[0]!.n);
    return n > exact_count_limit ? { total: exact_count_limit, capped: true } : { total: n, capped: false };
  }

  async ids(user: CurrentUser, q: ListQuery, limit = 1_000_000): Promise<number[]> {
    const sql = await this.build(user, q);
    const [rows] = await this.db.query(`SELECT c.id FROM crm_contacts c WHERE ${sql.where.join(' AND ')} ORDER BY c.id LIMIT ${Math.max(1, Math.floor(limit))}`, {
      replacements: sql.params,
    });
    return (rows as Array<{ id: number }>).map((r) => Number(r.id));
  }
}
