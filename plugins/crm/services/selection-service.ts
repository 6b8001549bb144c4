/**
 * Each user's selected contacts ("select on pages 1, 3 and 7, then act on them"), kept in
 * `crm_selections` across pages and visits. Every read joins through the access scope and skips
 * the trash, so a selected contact the user can no longer see is simply not there; rows stay, so
 * it comes back if it becomes visible again. Only contacts the user can see are ever added.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Sequelize, Transaction } from 'sequelize';
import { HttpError, TOKENS, type CurrentUser, type HostConfig, type PluginContext } from '../../../host/api.js';
import { CrmTokens, type ContactQueryService, type ContactScope, type FilterCondition, type FilterValue, type ListQuery } from '../api.js';

/** The most contacts one selection (or one "select all that match") may hold. */
export const SELECTION_LIMIT = 200_000;
/** The filter condition that narrows a list to the user's selection (`<pluginId>.<id>`). */
export const SELECTED_CONDITION = 'crm.selected';
/** Ids per INSERT or IN (...) list: far below every dialect's limit on bound parameters. */
const CHUNK = 1000;

export const tooMany = (limit = SELECTION_LIMIT) =>
  new HttpError(400, 'too_many', 'crm:list.selection_over_limit', [{ field: 'filter', code: 'too_many', message: 'crm:list.selection_over_limit', params: { limit } }], { limit });

const marks = (n: number) => new Array(n).fill('?').join(', ');

function chunks<T>(list: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export class SelectionService {
  constructor(private readonly ctx: PluginContext) {}

  private get db(): Sequelize {
    return this.ctx.get<Sequelize>(TOKENS.Database);
  }

  private get scope(): ContactScope {
    return this.ctx.get<ContactScope>(CrmTokens.Scope);
  }

  /** FROM and WHERE of the user's visible, live selection. */
  private visible(user: CurrentUser): { sql: string; params: unknown[] } {
    const scope = this.scope.condition(user, 'c');
    return {
      sql: `FROM crm_selections s JOIN crm_contacts c ON c.id = s.contact_id WHERE s.user_id = ? AND c.deleted_at IS NULL AND ${scope.sql}`,
      params: [user.id, ...scope.params],
    };
  }

  /** The selected contacts the user can see, by id. */
  async ids(user: CurrentUser, limit = SELECTION_LIMIT): Promise<number[]> {
    const from = this.visible(user);
    const [rows] = await this.db.query(`SELECT s.contact_id AS id ${from.sql} ORDER BY s.contact_id LIMIT ${Math.max(1, Math.floor(limit))}`, { replacements: from.params });
    return (rows as Array<{ id: number }>).map((r) => Number(r.id));
  }

  async count(user: CurrentUser, transaction?: Transaction): Promise<number> {
    const from = this.visible(user);
    const [rows] = await this.db.query(`SELECT COUNT(*) AS n ${from.sql}`, { replacements: from.params, transaction });
    return Number((rows as Array<{ n: number }>)[0]!.n);
  }

  /** Which of these ids (one page of the list) are selected. */
  async which(user: CurrentUser, ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const [rows] = await this.db.query(`SELECT contact_id AS id FROM crm_selections WHERE user_id = ? AND contact_id IN (${marks(ids.length)})`, {
      replacements: [user.id, ...ids],
    });
    return new Set((rows as Array<{ id: number }>).map((r) => Number(r.id)));
  }

  /**
   * Adds the contacts among `ids` the user can see (outside the trash). All or nothing: a
   * selection that would grow past the limit is refused as a whole.
   */
  async add(user: CurrentUser, ids: number[]): Promise<{ added: number; count: number }> {
    const unique = [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))];
    return this.db.transaction(async (transaction) => {
      const before = await this.count(user, transaction);
      if (!unique.length) return { added: 0, count: before };
      const ignore = this.db.getDialect() === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
      const now = new Date();
      for (const chunk of chunks(unique)) {
        const scope = this.scope.condition(user, 'c');
        await this.db.query(
          `${ignore} INTO crm_selections (user_id, contact_id, created_at) SELECT ?, c.id, ? FROM crm_contacts c WHERE c.id IN (${marks(chunk.length)}) AND c.deleted_at IS NULL AND ${scope.sql}`,
          { replacements: [user.id, now, ...chunk, ...scope.params], transaction },
        );
      }
      const count = await this.count(user, transaction);
      if (count > SELECTION_LIMIT) throw tooMany();
      return { added: count - before, count };
    });
  }

  /** "Select all that match": every contact of the list query, resolved here rather than from one page. */
  async addMatching(user: CurrentUser, query: ListQuery): Promise<{ added: number; count: number }> {
    const ids = await this.ctx.get<ContactQueryService>(CrmTokens.ContactQuery).ids(user, { ...query, trash: false }, SELECTION_LIMIT + 1);
    if (ids.length > SELECTION_LIMIT) throw tooMany();
    return this.add(user, ids);
  }

  async remove(user: CurrentUser, ids: number[]): Promise<{ removed: number; count: number }> {
    const unique = [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))];
    const before = await this.count(user);
    for (const chunk of chunks(unique)) {
      await this.db.query(`DELETE FROM crm_selections WHERE user_id = ? AND contact_id IN (${marks(chunk.length)})`, { replacements: [user.id, ...chunk] });
    }
    const count = await this.count(user);
    return { removed: before - count, count };
  }

  /** Empties the selection, including rows of contacts the user no longer sees. */
  async clear(user: CurrentUser): Promise<{ count: number }> {
    await this.db.query('DELETE FROM crm_selections WHERE user_id = ?', { replacements: [user.id] });
    return { count: 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// The "selected" filter condition

/**
 * A filter condition only sees its value, never the user asking. So the value names the user
 * and carries a key signed with the host's secret: only the CRM's own routes can make one (for
 * the signed-in user), and a value naming somebody else's selection matches nothing, wherever it
 * comes from (the list's address, the API, a saved segment).
 */
function keyFor(secret: string, userId: number): string {
  return createHmac('sha256', secret).update(`crm.selection:${userId}`).digest('base64url').slice(0, 22);
}

function secretOf(ctx: PluginContext): string {
  return ctx.get<HostConfig>(TOKENS.Config).sessionSecret;
}

/** The condition value that narrows a list to this user's selection. */
export function selectedValue(ctx: PluginContext, user: CurrentUser): FilterValue {
  return { user: user.id, key: keyFor(secretOf(ctx), user.id) };
}

function validKey(ctx: PluginContext, value: FilterValue): boolean {
  const user = Number(value.user);
  if (!Number.isSafeInteger(user) || user < 1 || typeof value.key !== 'string') return false;
  const expected = Buffer.from(keyFor(secretOf(ctx), user));
  const given = Buffer.from(value.key);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function selectedCondition(ctx: PluginContext): FilterCondition {
  return {
    id: 'selected',
    title: 'crm:list.selected_title',
    // Filled in by the CRM's routes, never by hand: the list's filter panel leaves it out.
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['user', 'key'],
      properties: { user: { type: 'integer', minimum: 1 }, key: { type: 'string', maxLength: 64 } },
    },
    sql(value, alias) {
      if (!validKey(ctx, value)) return { sql: '1 = 0', params: [] };
      return { sql: `${alias}.id IN (SELECT sel.contact_id FROM crm_selections sel WHERE sel.user_id = ?)`, params: [Number(value.user)] };
    },
    describe: (_value, req: Request) => req.t('crm:list.selected_chip'),
  };
}
