/**
 * The client list's selection and mass actions in the browser: ticking rows (one, a page, all
 * that match the filter), clearing, and running an action on the selection, which answers with a
 * message, or sends the user to the job's progress page when the selection is large. Also
 * contributes the "selected" filter condition and the job type that runs large actions.
 */
import type { Request, Response } from 'express';
import { HttpError, TOKENS, flash, type ExtensionRegistry, type FieldError, type JobRunner, type PluginContext, type ValidationService } from '../../../host/api.js';
import { CrmTokens, filterConditions, type ListAction } from '../api.js';
import type { FieldsService } from '../services/fields-service.js';
import { JOB_TYPE, ListActionRunner, actionKey, registerListActionJob, type ActionOutcome, type ActionSummary } from '../services/list-action-runner.js';
import { SELECTED_CONDITION, SELECTION_LIMIT, SelectionService, selectedCondition } from '../services/selection-service.js';
import { formParams } from './list-action-forms.js';
import { LIST_PATH, parseListParams } from './list-params.js';

export const SELECTED_HREF = `${LIST_PATH}?selected=1`;
/** Ids in one request from the page: a page holds at most 200 rows. */
const MAX_PAGE_IDS = 1000;

/** Only a path back into the list is followed (never another site). */
export function listBack(back: unknown, fallback = LIST_PATH): string {
  if (typeof back !== 'string') return fallback;
  const url = new URL(back, 'http://local');
  if (url.origin !== 'http://local' || url.pathname !== LIST_PATH || !back.startsWith('/')) return fallback;
  url.searchParams.delete('job');
  return `${url.pathname}${url.search}`;
}

function wantsJson(req: Request): boolean {
  return req.is('application/json') === 'application/json' || req.accepts(['html', 'json']) === 'json';
}

/** The text of the selection bar: "12 selected". */
export function selectedText(req: Request, count: number): string {
  return req.t('crm:list.selected_count', { count, formatted: new Intl.NumberFormat(req.language).format(count) });
}

/** "Set status: 12 contacts changed, 3 left as they were, 1 could not be changed." */
export function summaryText(req: Request, title: string, summary: ActionSummary): string {
  const n = (count: number) => ({ count, formatted: new Intl.NumberFormat(req.language).format(count) });
  const parts = [req.t('crm:actions.result.changed', n(summary.changed))];
  if (summary.skipped) parts.push(req.t('crm:actions.result.skipped', n(summary.skipped)));
  if (summary.failed) parts.push(req.t('crm:actions.result.failed', n(summary.failed)));
  return req.t('crm:actions.result.summary', { action: title, result: parts.join(', ') });
}

/** An error as one line for a flash message; fields of an action's params by their labels. */
function errorText(req: Request, err: HttpError, action?: ListAction): string {
  const details = Array.isArray(err.details) ? (err.details as FieldError[]) : [];
  const properties = ((action?.schema ?? {}) as { properties?: Record<string, { title?: string }> }).properties ?? {};
  const messages = details.map((d) => {
    const title = properties[d.field.replace(/^params\./, '')]?.title;
    return `${title ? `${req.t(title)}: ` : ''}${req.t(d.message, d.params ?? {})}`;
  });
  return messages.length ? [...new Set(messages)].join(' ') : req.t(err.messageKey, err.params ?? {});
}

/** The list's query string as the list page reads it, into a ListQuery (400 when a filter is bad). */
async function listQueryOf(ctx: PluginContext, req: Request, filter: string) {
  const raw: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(filter)) {
    const prev = raw[key];
    raw[key] = prev === undefined ? value : ([] as string[]).concat(prev, value);
  }
  const conditions = ctx
    .get<ExtensionRegistry>(TOKENS.Extensions)
    .list(filterConditions, req.user)
    .filter((c) => `${c.pluginId}.${c.id}` !== SELECTED_CONDITION);
  const params = parseListParams(raw, { fields: await ctx.get<FieldsService>(CrmTokens.Fields).all(), conditions, validator: ctx.get<ValidationService>(TOKENS.Validation) });
  if (params.errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', params.errors);
  return params.query;
}

export function registerListSelection(ctx: PluginContext): void {
  ctx.extend(filterConditions, selectedCondition(ctx));
  registerListActionJob(ctx);

  ctx.route({
    method: 'post',
    path: '/contacts/selection',
    right: 'crm.access',
    summary: "Changes the signed-in user's selection from the list: add or remove ids, add all that match, clear",
    body: {
      type: 'object',
      required: ['op'],
      properties: {
        op: { enum: ['add', 'remove', 'matching', 'clear'] },
        ids: { type: 'array', maxItems: MAX_PAGE_IDS, items: { type: 'integer', minimum: 1 } },
        filter: { type: 'string', maxLength: 10_000 },
        back: { type: 'string', maxLength: 4000 },
      },
    },
    handler: async (req: Request, res: Response) => {
      const user = req.user!;
      const body = req.body as { op: 'add' | 'remove' | 'matching' | 'clear'; ids?: number[]; filter?: string; back?: string };
      const selection = new SelectionService(ctx);
      const json = wantsJson(req);
      let count: number;
      let added = 0;
      try {
        if (body.op === 'add') ({ added, count } = await selection.add(user, body.ids ?? []));
        else if (body.op === 'remove') ({ count } = await selection.remove(user, body.ids ?? []));
        else if (body.op === 'matching') ({ added, count } = await selection.addMatching(user, await listQueryOf(ctx, req, body.filter ?? '')));
        else ({ count } = await selection.clear(user));
      } catch (err) {
        if (json || !(err instanceof HttpError) || err.status !== 400) throw err;
        flash(req, 'danger', errorText(req, err));
        return void res.redirect(303, listBack(body.back));
      }
      if (json) return void res.json({ count, added, text: selectedText(req, count), limit: SELECTION_LIMIT });
      if (body.op === 'matching') flash(req, 'success', req.t('crm:list.selection_added', { count: added, formatted: new Intl.NumberFormat(req.language).format(added) }));
      res.redirect(303, listBack(body.back));
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/actions/:action',
    right: 'crm.access',
    summary: 'Runs a mass action on the selection from the list; large selections go to the job page',
    body: {
      type: 'object',
      properties: { params: { type: 'object' }, back: { type: 'string', maxLength: 4000 } },
    },
    handler: async (req: Request, res: Response) => {
      const user = req.user!;
      const body = req.body as { params?: unknown; back?: string };
      const back = listBack(body.back, SELECTED_HREF);
      const runner = new ListActionRunner(ctx);
      const key = String(req.params.action);
      const action = runner.find(user, key);
      const title = req.t(action.title);
      let outcome: ActionOutcome;
      try {
        outcome = await runner.run(user, key, { selection: true }, formParams(action, body.params), { coerce: true });
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 400) throw err;
        flash(req, 'danger', `${title}: ${errorText(req, err, action)}`);
        return void res.redirect(303, back);
      }
      if (outcome.jobId !== undefined) {
        const after = `${back}${back.includes('?') ? '&' : '?'}job=${encodeURIComponent(outcome.jobId)}`;
        return void res.redirect(303, `/jobs/${encodeURIComponent(outcome.jobId)}?back=${encodeURIComponent(after)}`);
      }
      const summary = outcome.summary;
      if (!summary.total) flash(req, 'info', req.t('crm:actions.nothing_selected'));
      else flash(req, summary.changed || !summary.failed ? 'success' : 'warning', summaryText(req, title, summary));
      res.redirect(303, back);
    },
  });
}

/** The outcome of a mass-action job of this user, for the list it returns to. */
export async function finishedJob(ctx: PluginContext, req: Request, id: unknown): Promise<{ text: string; state: string } | null> {
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) return null;
  const job = await ctx.get<JobRunner>(TOKENS.Jobs).get(id);
  if (!job || job.type !== JOB_TYPE || job.userId !== req.user!.id) return null;
  const result = job.result as (ActionSummary & { action?: string }) | null;
  if (job.state === 'done' && result) {
    const action = new ListActionRunner(ctx).available(req.user!).find((a) => actionKey(a) === result.action);
    return { text: summaryText(req, action ? req.t(action.title) : req.t('crm:actions.job_title'), result), state: 'done' };
  }
  const state = job.state === 'failed' || job.state === 'cancelled' ? job.state : 'running';
  return { text: req.t(`crm:actions.job_${state}`, { error: job.error ?? '' }), state };
}
