/**
 * Runs a mass action (`crm.list-action/v1`, named `<pluginId>.<actionId>`) on a target: explicit
 * ids, the user's selection, or a list filter. It checks the action's right and params, resolves
 * the ids inside the access scope, runs small sets at once and larger ones as a host job in
 * chunks with progress and a checkpoint (a restarted job resumes after its last finished chunk),
 * and ends with a summary `{changed, skipped, failed, total}`.
 */
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import {
  HttpError,
  TOKENS,
  type Contributed,
  type CurrentUser,
  type ExtensionRegistry,
  type FieldError,
  type I18nService,
  type JobContext,
  type JobRunner,
  type PluginContext,
  type UsersService,
  type ValidationService,
} from '../../../host/api.js';
import { CrmTokens, listActions, type ContactQueryService, type ContactScope, type ListAction, type ListQuery } from '../api.js';
import type { DictionariesService } from './dictionaries-service.js';
import { SELECTION_LIMIT, SelectionService, tooMany } from './selection-service.js';

/** At most this many contacts run at once, within the request; more become a job. */
export const RUN_NOW_LIMIT = 500;
/** Contacts handed to the action per call inside a job: one progress step and checkpoint each. */
export const JOB_CHUNK = 500;
/**
 * A large job takes at most this many calls, with chunks larger than JOB_CHUNK: each call costs
 * its round trips and transactions whatever its size (100,000 contacts: 2,000 per call).
 */
export const JOB_STEPS = 50;
export const jobChunk = (total: number): number => Math.max(JOB_CHUNK, Math.ceil(total / JOB_STEPS));
/** The job type (`ctx.job('list-action')` in the CRM plugin). */
export const JOB_TYPE = 'crm.list-action';

export type ActionTarget = { ids: number[] } | { selection: true } | { query: ListQuery };

export interface ActionSummary {
  /** Contacts the action changed. */
  changed: number;
  /** Contacts asked for but left alone: out of sight, in the trash, already so, not editable. */
  skipped: number;
  /** Contacts the action tried and could not change (another plugin refused, an error). */
  failed: number;
  total: number;
}

export type ActionOutcome = { summary: ActionSummary; jobId?: undefined } | { jobId: string; total: number; summary?: undefined };

interface JobPayload {
  action: string;
  ids: number[];
  params: Record<string, unknown>;
  /** How many were asked for, counting ids that were out of sight already at the start. */
  requested: number;
}

interface Checkpoint {
  next: number;
  changed: number;
  failed: number;
}

/** Pickers a param may name with `x-crm-picker`, and the dictionary each checks against. */
export const PICKER_DICTIONARIES = ['status', 'category', 'client_type', 'source'] as const;

const marks = (n: number) => new Array(n).fill('?').join(', ');

/** An action that can run over the API and in jobs. */
export type Runnable = Contributed<ListAction> & { run: NonNullable<ListAction['run']> };

export const actionKey = (action: Contributed<ListAction>) => `${action.pluginId}.${action.id}`;

function summaryOf(requested: number, changed: number, failed: number): ActionSummary {
  return { changed, failed, skipped: Math.max(0, requested - changed - failed), total: requested };
}

/** The counts an action reports: `changed` always, `failed` when it says so. */
function counts(result: unknown): { changed: number; failed: number } {
  const r = (result ?? {}) as { changed?: unknown; failed?: unknown };
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);
  return { changed: n(r.changed), failed: n(r.failed) };
}

export class ListActionRunner {
  constructor(private readonly ctx: PluginContext) {}

  /** The actions this user holds the rights for, in their order. */
  available(user: CurrentUser): Array<Contributed<ListAction>> {
    return this.ctx.get<ExtensionRegistry>(TOKENS.Extensions).list(listActions, user);
  }

  /** The actions this user may run over the API: those with a `run` of their own. */
  runnable(user: CurrentUser): Array<Runnable> {
    return this.available(user).filter((a): a is Runnable => typeof a.run === 'function');
  }

  /**
   * The runnable action by its `<pluginId>.<actionId>`: 404 when there is none (or it only leads
   * to a page of its own), 403 without its right.
   */
  find(user: CurrentUser, key: string): Runnable {
    const action = this.runnable(user).find((a) => actionKey(a) === key);
    if (action) return action;
    const exists = this.ctx.get<ExtensionRegistry>(TOKENS.Extensions).list(listActions).some((a) => actionKey(a) === key && a.run);
    throw exists ? new HttpError(403, 'forbidden', 'host:errors.forbidden') : new HttpError(404, 'not_found', 'host:errors.not_found');
  }

  /**
   * Checks `params` against the action's schema (coercing form strings when asked) and the ids
   * its pickers name, so a wrong value is a 400 now rather than a failed job later.
   */
  async checkParams(action: ListAction, params: Record<string, unknown>, coerce = false): Promise<Record<string, unknown>> {
    const value = structuredClone(params);
    if (!action.schema) return value;
    const errors: FieldError[] = this.ctx.get<ValidationService>(TOKENS.Validation).validate(action.schema, value, coerce);
    const properties = (action.schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, prop] of Object.entries(properties)) {
      const picker = prop['x-crm-picker'];
      const id = value[name];
      if (typeof picker !== 'string' || typeof id !== 'number' || errors.some((e) => e.field === name)) continue;
      if ((PICKER_DICTIONARIES as readonly string[]).includes(picker)) {
        const item = await this.ctx.get<DictionariesService>(CrmTokens.Dictionaries).get(id);
        if (!item || item.dictionary !== picker) errors.push({ field: name, code: 'unknown', message: 'crm:errors.unknown_item' });
      } else if (picker === 'user') {
        const user = await this.ctx.get<UsersService>(TOKENS.Users).get(id);
        if (!user || !user.isActive) errors.push({ field: name, code: 'unknown', message: 'crm:errors.unknown_user' });
      }
    }
    if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors.map((e) => ({ ...e, field: `params.${e.field}` })));
    return value;
  }

  /** The target's contact ids inside the access scope, and how many were asked for. */
  async resolve(user: CurrentUser, target: ActionTarget): Promise<{ ids: number[]; requested: number }> {
    if ('selection' in target) {
      const ids = await new SelectionService(this.ctx).ids(user);
      return { ids, requested: ids.length };
    }
    if ('query' in target) {
      const ids = await this.ctx.get<ContactQueryService>(CrmTokens.ContactQuery).ids(user, target.query, SELECTION_LIMIT + 1);
      if (ids.length > SELECTION_LIMIT) throw tooMany();
      return { ids, requested: ids.length };
    }
    const unique = [...new Set(target.ids.filter((id) => Number.isSafeInteger(id) && id > 0))];
    const db = this.ctx.get<Sequelize>(TOKENS.Database);
    const visible: number[] = [];
    for (let i = 0; i < unique.length; i += 1000) {
      const chunk = unique.slice(i, i + 1000);
      const scope = this.ctx.get<ContactScope>(CrmTokens.Scope).condition(user, 'c');
      const [rows] = await db.query(`SELECT c.id FROM crm_contacts c WHERE c.id IN (${marks(chunk.length)}) AND ${scope.sql}`, { replacements: [...chunk, ...scope.params] });
      visible.push(...(rows as Array<{ id: number }>).map((r) => Number(r.id)));
    }
    return { ids: visible.sort((a, b) => a - b), requested: unique.length };
  }

  /** Runs the action on the target: at once when small (the summary), else as a job (its id). */
  async run(user: CurrentUser, key: string, target: ActionTarget, params: Record<string, unknown>, options: { coerce?: boolean } = {}): Promise<ActionOutcome> {
    const action = this.find(user, key);
    const checked = await this.checkParams(action, params, options.coerce);
    const { ids, requested } = await this.resolve(user, target);
    if (ids.length <= RUN_NOW_LIMIT) {
      const result = ids.length ? counts(await action.run(user, ids, checked)) : { changed: 0, failed: 0 };
      return { summary: summaryOf(requested, result.changed, result.failed) };
    }
    const payload: JobPayload = { action: key, ids, params: checked, requested };
    const jobId = await this.ctx.get<JobRunner>(TOKENS.Jobs).enqueue(JOB_TYPE, payload, { userId: user.id });
    return { jobId, total: requested };
  }
}

/**
 * The job: the user's rights are read again when it runs, and every chunk goes through the action
 * (which applies the scope again). An action's refusal (a 4xx: rights lost, a value gone) ends the
 * job with its message; another error costs only its chunk, counted as failed.
 */
export function registerListActionJob(ctx: PluginContext): void {
  ctx.job<JobPayload>('list-action', async (job: JobContext<JobPayload>) => {
    const { action: key, ids, params, requested } = job.payload;
    const user = job.userId === null ? null : await ctx.get<UsersService>(TOKENS.Users).currentUser(job.userId);
    if (!user) throw new Error('The user who started this action no longer exists.');
    const t = ctx.get<I18nService>(TOKENS.I18n).fixedT(user.locale ?? 'en');
    let action: Runnable;
    try {
      action = new ListActionRunner(ctx).find(user, key);
    } catch (err) {
      throw new Error(err instanceof HttpError ? t(err.messageKey) : String(err));
    }
    const start = (job.checkpoint ?? null) as Checkpoint | null;
    let { changed, failed } = start ?? { changed: 0, failed: 0 };
    for (let next = start?.next ?? 0; next < ids.length; ) {
      if (await job.cancelled()) break;
      const chunk = ids.slice(next, next + jobChunk(ids.length));
      try {
        const result = counts(await action.run(user, chunk, params));
        changed += result.changed;
        failed += result.failed;
      } catch (err) {
        if (err instanceof HttpError && err.status < 500) throw new Error(t(err.messageKey, err.params ?? {}));
        ctx.get<Logger>(TOKENS.Logger).warn({ err, action: key, job: job.id }, 'a chunk of a list action failed');
        failed += chunk.length;
      }
      next += chunk.length;
      const checkpoint: Checkpoint = { next, changed, failed };
      await job.progress(next, ids.length, checkpoint);
    }
    return { ...summaryOf(requested, changed, failed), action: key };
  });
}
