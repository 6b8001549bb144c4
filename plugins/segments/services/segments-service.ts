/**
 * Segments: who sees and changes them, their definitions (checked with the CRM's own list checks
 * before they are saved), counts and pages of contacts inside the caller's access scope, and the
 * members of static ones. Every change reloads the segment index before it returns, so the list
 * filter `?segment_id=` follows at once.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type CurrentUser, type ExtensionRegistry, type FieldError } from '../../../host/api.js';
import {
  CrmTokens,
  filterConditions,
  segmentSources,
  type ContactQueryService,
  type ContactScope,
  type ListQuery,
  type ListResult,
} from '../../crm/api.js';
import { IN_SEGMENT, MANAGE_SHARED, SEGMENT_TYPES, type FilterParams, type Segment, type SegmentCount, type SegmentInput, type SegmentsService, type SegmentType } from '../api.js';
import { defaultColor, isColor } from './colors.js';
import { canonicalFilter, referencedSegments } from './filter-params.js';
import { canChange, canSee, forbidden, invalid, notFound, parseJson, SEGMENT_COLUMNS, toSegment, truthy, type SegmentRow } from './rows.js';
import { PLAIN_PARAM, SegmentIndexToken, type SegmentIndex } from './segment-index.js';
import { chunks, idList, insertIgnore, marks } from './sql.js';

export const MAX_NAME = 100;
/** Contacts per statement when members are added or removed. */
export const BATCH = 500;
const MAX_SOURCE_PARAMS = 10_000;

const SELECT = `SELECT ${SEGMENT_COLUMNS}, u.name AS owner_name FROM segments_segments s LEFT JOIN host_users u ON u.id = s.owner_id`;

/** A trimmed name with inner whitespace collapsed, or a 400. */
export function cleanName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.normalize('NFC').replace(/\s+/g, ' ').trim() : '';
  if (!name) throw invalid('name', 'segments:errors.name_required');
  if ([...name].length > MAX_NAME) throw invalid('name', 'segments:errors.name_too_long', { max: MAX_NAME });
  return name;
}

/** The CRM's 400 about a filter, its fields named under `filter.` as the caller sent them. */
function underFilter(err: unknown): unknown {
  if (!(err instanceof HttpError) || err.status !== 400) return err;
  const details = Array.isArray(err.details) ? err.details.map((d: FieldError) => ({ ...d, field: `filter.${d.field.replace(/^conditions\./, 'condition.')}` })) : err.details;
  return new HttpError(400, err.code, err.messageKey, details, err.params);
}

@injectable()
export class SegmentsImpl implements SegmentsService {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Extensions) private readonly extensions: ExtensionRegistry,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.ContactQuery) private readonly query: ContactQueryService,
    @inject(SegmentIndexToken) private readonly index: SegmentIndex,
  ) {}

  // -------------------------------------------------------------------------------------------
  // Reading

  private async row(id: number): Promise<SegmentRow | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const [row] = await this.db.query<SegmentRow>(`${SELECT} WHERE s.id = ?`, { replacements: [id], type: QueryTypes.SELECT });
    return row ?? null;
  }

  /** The segment, or 404 when it does not exist or is another user's personal one. */
  private async visibleRow(user: CurrentUser, id: number): Promise<SegmentRow> {
    const row = await this.row(id);
    if (!row || !canSee(user, row)) throw notFound();
    return row;
  }

  /** The segment when the user may change it: 404 when unseen, 403 when seen but not theirs to change. */
  private async changeableRow(user: CurrentUser, id: number): Promise<SegmentRow> {
    const row = await this.visibleRow(user, id);
    if (!canChange(user, row)) throw forbidden();
    return row;
  }

  async list(user: CurrentUser, options: { archived?: boolean | 'all' } = {}): Promise<Segment[]> {
    const archived = options.archived ?? false;
    const rows = await this.db.query<SegmentRow>(
      `${SELECT} WHERE (s.owner_id = ? OR s.shared = ?)${archived === 'all' ? '' : ' AND s.archived = ?'} ORDER BY s.name, s.id`,
      { replacements: [user.id, true, ...(archived === 'all' ? [] : [archived])], type: QueryTypes.SELECT },
    );
    return rows.map((r) => toSegment(r, user));
  }

  async get(user: CurrentUser, id: number): Promise<Segment> {
    return toSegment(await this.visibleRow(user, id), user);
  }

  // -------------------------------------------------------------------------------------------
  // Definitions

  /**
   * A dynamic segment's filter in canonical form, checked as the client list checks it: known
   * parameters, custom fields and conditions (ones the user may use), valid values; segments it
   * refers to must be visible to the user and must not lead back to `selfId`.
   */
  private async checkFilter(user: CurrentUser, raw: unknown, selfId: number | null): Promise<FilterParams> {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('filter', 'segments:errors.filter_required');
    const filter = canonicalFilter(raw as Record<string, unknown>);
    if (!Object.keys(filter).length) throw invalid('filter', 'segments:errors.empty_filter');
    if (JSON.stringify(filter).length > 20_000) throw invalid('filter', 'segments:errors.filter_too_long');
    let listQuery: ListQuery;
    try {
      listQuery = this.query.fromParams(filter);
    } catch (err) {
      throw underFilter(err);
    }
    const allowed = new Set(this.extensions.list(filterConditions, user).map((c) => `${c.pluginId}.${c.id}`));
    for (const id of Object.keys(listQuery.conditions ?? {})) {
      if (!allowed.has(id)) throw invalid(`filter.condition.${id}`, 'crm:errors.unknown_condition');
    }
    for (const ref of referencedSegments(filter, `condition.${IN_SEGMENT}`, PLAIN_PARAM)) {
      const row = await this.row(ref);
      if (!row || !canSee(user, row)) throw invalid(`filter.${PLAIN_PARAM}`, 'segments:errors.unknown_segment', { id: ref });
      if (selfId !== null && (ref === selfId || this.index.reaches([ref], selfId))) throw invalid(`filter.${PLAIN_PARAM}`, 'segments:errors.cycle', { name: row.name });
      await this.index.ensure(ref);
    }
    try {
      // Compiling runs every check of the list (custom fields, conditions' schemas) and coerces values.
      await this.query.filterSql(listQuery);
    } catch (err) {
      throw underFilter(err);
    }
    // Conditions given as JSON keep the values their schemas coerced ("700" -> 700).
    for (const [id, value] of Object.entries(listQuery.conditions ?? {})) {
      if (typeof filter[`condition.${id}`] === 'string') filter[`condition.${id}`] = JSON.stringify(value);
    }
    return filter;
  }

  /** A source segment's source (one the user may use) and its parameters, tried once. */
  private checkSource(user: CurrentUser, raw: unknown): { id: string; params: Record<string, unknown> } {
    const input = (raw && typeof raw === 'object' ? raw : {}) as { id?: unknown; params?: unknown };
    const source = this.extensions.list(segmentSources, user).find((s) => `${s.pluginId}.${s.id}` === input.id);
    if (!source) throw invalid('source.id', 'segments:errors.unknown_source');
    const params = input.params ?? {};
    if (typeof params !== 'object' || Array.isArray(params) || JSON.stringify(params).length > MAX_SOURCE_PARAMS) throw invalid('source.params', 'segments:errors.bad_source_params');
    try {
      source.sql(params as Record<string, unknown>, 'c');
    } catch {
      throw invalid('source.params', 'segments:errors.bad_source_params');
    }
    return { id: `${source.pluginId}.${source.id}`, params: params as Record<string, unknown> };
  }

  private color(raw: unknown, name: string): string {
    if (raw === undefined || raw === null || raw === '') return defaultColor(name);
    if (!isColor(raw)) throw invalid('color', 'segments:errors.bad_color');
    return raw.toLowerCase();
  }

  async create(user: CurrentUser, input: SegmentInput & { name: string; type: SegmentType; contact_ids?: number[] }): Promise<Segment> {
    const name = cleanName(input.name);
    if (!SEGMENT_TYPES.includes(input.type)) throw invalid('type', 'segments:errors.bad_type');
    if (input.shared && !user.can(MANAGE_SHARED)) throw forbidden('segments:errors.share_forbidden');
    if (input.type !== 'dynamic' && input.filter !== undefined) throw invalid('filter', 'segments:errors.filter_only_dynamic');
    if (input.type !== 'source' && input.source !== undefined) throw invalid('source', 'segments:errors.source_only_source');
    if (input.type !== 'static' && input.contact_ids?.length) throw invalid('contact_ids', 'segments:errors.not_static');
    const color = this.color(input.color, name);
    let definition: string | null = null;
    let sourceId: string | null = null;
    if (input.type === 'dynamic') definition = JSON.stringify(await this.checkFilter(user, input.filter, null));
    if (input.type === 'source') {
      const source = this.checkSource(user, input.source);
      sourceId = source.id;
      definition = JSON.stringify(source.params);
    }
    const now = new Date();
    const [id] = await this.db.query(
      'INSERT INTO segments_segments (name, color, type, filter, source_id, owner_id, shared, archived, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
      { replacements: [name, color, input.type, definition, sourceId, user.id, Boolean(input.shared), Boolean(input.archived), now, now], type: QueryTypes.INSERT },
    );
    const segmentId = Number(id);
    await this.index.refresh({ force: true });
    if (input.type === 'static' && input.contact_ids?.length) await this.addMembers(user, segmentId, input.contact_ids);
    return this.get(user, segmentId);
  }

  async update(user: CurrentUser, id: number, input: SegmentInput): Promise<Segment> {
    const row = await this.changeableRow(user, id);
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`);
      params.push(value);
    };
    if (input.name !== undefined) set('name', cleanName(input.name));
    if (input.color !== undefined) set('color', this.color(input.color, row.name));
    if (input.archived !== undefined) set('archived', Boolean(input.archived));
    if (input.shared !== undefined && Boolean(input.shared) !== truthy(row.shared)) {
      // Sharing and unsharing both need the right; unsharing gives the segment back to its owner alone.
      if (!user.can(MANAGE_SHARED)) throw forbidden('segments:errors.share_forbidden');
      set('shared', Boolean(input.shared));
    }
    if (input.filter !== undefined) {
      if (row.type !== 'dynamic') throw invalid('filter', 'segments:errors.filter_only_dynamic');
      set('filter', JSON.stringify(await this.checkFilter(user, input.filter, id)));
    }
    if (input.source !== undefined) {
      if (row.type !== 'source') throw invalid('source', 'segments:errors.source_only_source');
      const source = this.checkSource(user, input.source);
      set('source_id', source.id);
      set('filter', JSON.stringify(source.params));
    }
    if (sets.length) {
      set('updated_at', new Date());
      await this.db.query(`UPDATE segments_segments SET ${sets.join(', ')}, version = version + 1 WHERE id = ?`, { replacements: [...params, id] });
      await this.index.refresh({ force: true });
    }
    return this.get(user, id);
  }

  async remove(user: CurrentUser, id: number): Promise<void> {
    await this.changeableRow(user, id);
    await this.index.refresh();
    const referrers = this.index.referrers(id);
    // A saved filter that uses this segment would stop working; it must change first.
    if (referrers.length) throw new HttpError(409, 'conflict', 'segments:errors.in_use', { segments: referrers.length }, { count: referrers.length });
    await this.db.transaction(async (transaction) => {
      await this.db.query('DELETE FROM segments_members WHERE segment_id = ?', { replacements: [id], transaction });
      await this.db.query('DELETE FROM segments_segments WHERE id = ?', { replacements: [id], transaction });
    });
    await this.index.refresh({ force: true });
  }

  // -------------------------------------------------------------------------------------------
  // Contacts of a segment

  /** The query for the CRM's query service: a dynamic segment's own filter, else the segment's condition. */
  private async queryOf(row: SegmentRow): Promise<ListQuery> {
    if (row.type === 'dynamic') return this.query.fromParams((parseJson(row.filter) ?? {}) as FilterParams);
    await this.index.ensure(Number(row.id));
    return { conditions: { [IN_SEGMENT]: { segment_id: Number(row.id) } } };
  }

  async listQuery(user: CurrentUser, id: number): Promise<ListQuery> {
    const { sort: _sort, order: _order, limit: _limit, cursor: _cursor, ...filters } = await this.queryOf(await this.visibleRow(user, id));
    return filters;
  }

  async count(user: CurrentUser, id: number): Promise<SegmentCount> {
    const row = await this.visibleRow(user, id);
    if (row.type !== 'static') return this.query.count(user, await this.queryOf(row));
    // Members the user may see, out of the trash: exact (a list is as long as people made it).
    const scope = this.scope.condition(user, 'c');
    const [result] = await this.db.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM segments_members sm JOIN crm_contacts c ON c.id = sm.contact_id WHERE sm.segment_id = ? AND c.deleted_at IS NULL AND ${scope.sql}`,
      { replacements: [id, ...scope.params], type: QueryTypes.SELECT },
    );
    return { total: Number(result?.n ?? 0), capped: false };
  }

  async contacts(user: CurrentUser, id: number, page: Pick<ListQuery, 'limit' | 'cursor' | 'sort' | 'order'> = {}): Promise<ListResult> {
    return this.query.list(user, { ...(await this.listQuery(user, id)), ...page });
  }

  // -------------------------------------------------------------------------------------------
  // Members of static segments

  /** A static segment the user may fill, with the right to change contacts' grouping. */
  private async fillable(user: CurrentUser, id: number): Promise<SegmentRow> {
    const row = await this.changeableRow(user, id);
    if (row.type !== 'static') throw invalid('segment_id', 'segments:errors.not_static');
    if (!user.can('crm.contacts.edit')) throw forbidden('segments:errors.no_edit_right');
    return row;
  }

  /** Of these ids, the contacts the user may see (in the trash too, when asked). */
  private async visibleIds(user: CurrentUser, ids: number[], withDeleted: boolean, transaction?: Transaction): Promise<number[]> {
    if (!ids.length) return [];
    const scope = this.scope.condition(user, 'c');
    const rows = await this.db.query<{ id: number | string }>(
      `SELECT c.id FROM crm_contacts c WHERE c.id IN (${marks(ids.length)})${withDeleted ? '' : ' AND c.deleted_at IS NULL'} AND ${scope.sql}`,
      { replacements: [...ids, ...scope.params], type: QueryTypes.SELECT, transaction },
    );
    return rows.map((r) => Number(r.id));
  }

  private async members(segmentId: number, ids: number[], transaction: Transaction): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.db.query<{ contact_id: number | string }>(
      `SELECT contact_id FROM segments_members WHERE segment_id = ? AND contact_id IN (${marks(ids.length)})`,
      { replacements: [segmentId, ...ids], type: QueryTypes.SELECT, transaction },
    );
    return new Set(rows.map((r) => Number(r.contact_id)));
  }

  async addMembers(user: CurrentUser, id: number, contactIds: number[]): Promise<{ changed: number }> {
    await this.fillable(user, id);
    let changed = 0;
    for (const batch of chunks(idList(contactIds), BATCH)) {
      changed += await this.db.transaction(async (transaction) => {
        const visible = await this.visibleIds(user, batch, false, transaction);
        const present = await this.members(id, visible, transaction);
        const fresh = visible.filter((c) => !present.has(c));
        if (fresh.length) {
          await this.db.query(`${insertIgnore(this.db)} INTO segments_members (segment_id, contact_id) VALUES ${fresh.map(() => '(?, ?)').join(', ')}`, {
            replacements: fresh.flatMap((c) => [id, c]),
            transaction,
          });
        }
        return fresh.length;
      });
    }
    return { changed };
  }

  async removeMembers(user: CurrentUser, id: number, contactIds: number[]): Promise<{ changed: number }> {
    await this.fillable(user, id);
    let changed = 0;
    for (const batch of chunks(idList(contactIds), BATCH)) {
      changed += await this.db.transaction(async (transaction) => {
        // Contacts in the trash can leave a list too; contacts the user cannot see cannot.
        const present = [...(await this.members(id, await this.visibleIds(user, batch, true, transaction), transaction))];
        if (present.length) {
          await this.db.query(`DELETE FROM segments_members WHERE segment_id = ? AND contact_id IN (${marks(present.length)})`, { replacements: [id, ...present], transaction });
        }
        return present.length;
      });
    }
    return { changed };
  }

  async ofContact(user: CurrentUser, contactId: number): Promise<Segment[]> {
    await this.scope.assertVisible(user, contactId);
    const rows = await this.db.query<SegmentRow>(
      `${SELECT} JOIN segments_members sm ON sm.segment_id = s.id WHERE sm.contact_id = ? AND (s.owner_id = ? OR s.shared = ?) ORDER BY s.name, s.id`,
      { replacements: [contactId, user.id, true], type: QueryTypes.SELECT },
    );
    return rows.map((r) => toSegment(r, user));
  }

  /** A merged contact's memberships go to the surviving contact, inside the merge's transaction. */
  async repoint(fromId: number, intoId: number, transaction: Transaction): Promise<void> {
    if (fromId === intoId) return;
    await this.db.query(
      `INSERT INTO segments_members (segment_id, contact_id) SELECT f.segment_id, ? FROM segments_members f
       WHERE f.contact_id = ? AND NOT EXISTS (SELECT 1 FROM segments_members i WHERE i.segment_id = f.segment_id AND i.contact_id = ?)`,
      { replacements: [intoId, fromId, intoId], transaction },
    );
    await this.db.query('DELETE FROM segments_members WHERE contact_id = ?', { replacements: [fromId], transaction });
  }

  /** Forgets a purged contact's memberships. */
  async removeContact(contactId: number): Promise<void> {
    await this.db.query('DELETE FROM segments_members WHERE contact_id = ?', { replacements: [contactId] });
  }
}
