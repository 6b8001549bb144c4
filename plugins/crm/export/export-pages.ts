/**
 * The export pages: `GET /crm/contacts/export?<list filters>` (format, CSV options, the columns to
 * tick and order, how many contacts the filter gives, the recent exports), `POST` of its form
 * (a small export downloads at once, a large one runs as a job and leads to its page),
 * `GET /crm/exports/:id` (a job's progress, then its download link) and `/crm/exports/:id/file`.
 */
import type { Request } from 'express';
import { HttpError, TOKENS, flash, type FieldError, type JobRunner, type PluginContext, type UsersService, type ViewRenderer } from '../../../host/api.js';
import { idParam } from '../routes/card-support.js';
import { LIST_PATH } from '../routes/list-params.js';
import { RIGHT, sendExport, sendFile } from './export-api.js';
import type { ExportRecord } from './export-log.js';
import { exportInput, exportOptionProperties, type ExportOptionValues } from './export-params.js';
import { ExportService, STREAM_LIMIT } from './export-service.js';
import { defaultColumns } from './export-columns.js';
import { CSV_DELIMITERS, EXPORT_FORMATS } from './export-writers.js';

export const EXPORT_PATH = `${LIST_PATH}/export`;
const SCRIPTS = ['/assets/vendor/sortablejs/Sortable.min.js', '/assets/p/crm/export.js'];

/** The list's query string from the page's address, without its own parameters. */
function filterOfPage(req: Request): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query as Record<string, unknown>)) {
    for (const v of ([] as unknown[]).concat(value)) if (typeof v === 'string') search.append(key, v);
  }
  return search.toString();
}

function errorText(req: Request, err: HttpError): string {
  const details = Array.isArray(err.details) ? (err.details as FieldError[]) : [];
  const messages = details.map((d) => req.t(d.message, d.params ?? {}) as string);
  return messages.length ? [...new Set(messages)].join(' ') : (req.t(err.messageKey, err.params ?? {}) as string);
}

/** The recent exports for the page; an administrator's list names who made each. */
async function recentRows(ctx: PluginContext, req: Request, service: ExportService) {
  const [records, users] = await Promise.all([service.log.recent(req.user!, 10), ctx.get<UsersService>(TOKENS.Users).list()]);
  const names = new Map(users.map((u) => [u.id, u.name]));
  const number = new Intl.NumberFormat(req.language);
  const when = new Intl.DateTimeFormat(req.language, { dateStyle: 'medium', timeStyle: 'short' });
  return records.map((r: ExportRecord) => ({
    id: r.id,
    href: `/crm/exports/${r.id}`,
    when: when.format(new Date(r.created_at)),
    who: r.user_id === req.user!.id ? null : (names.get(r.user_id ?? 0) ?? '—'),
    format: r.format.toUpperCase(),
    rows: number.format(r.rows),
    state: req.t(`crm:export.state.${r.state}`),
    failed: r.state === 'failed',
    fileHref: r.file_ready && r.user_id === req.user!.id ? `/crm/exports/${r.id}/file` : null,
  }));
}

export function registerExportPages(ctx: PluginContext): void {
  const service = () => new ExportService(ctx);
  const views = () => ctx.get<ViewRenderer>(TOKENS.Views);

  ctx.route({
    method: 'get',
    path: '/contacts/export',
    right: RIGHT,
    summary: 'The export page for the list filters in the address',
    handler: async (req, res) => {
      const user = req.user!;
      const s = service();
      const filter = filterOfPage(req);
      let error: string | null = null;
      let count: { total: number; capped: boolean } | null = null;
      try {
        count = await s.count(user, filter);
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 400) throw err;
        error = errorText(req, err);
      }
      const catalog = await s.catalog(user, req.language);
      const chosen = new Set(defaultColumns(catalog));
      const number = new Intl.NumberFormat(req.language);
      const job = count !== null && (count.capped || count.total > STREAM_LIMIT);
      res
        .status(error ? 400 : 200)
        .type('html')
        .send(
          await views().renderPage(req, 'crm/export/page', {
            title: req.t('crm:export.title'),
            filter,
            listHref: filter ? `${LIST_PATH}?${filter}` : LIST_PATH,
            error,
            count: count
              ? req.t(count.capped ? 'crm:export.count_capped' : 'crm:export.count', { count: count.total, formatted: number.format(count.total) })
              : null,
            empty: count !== null && count.total === 0,
            job,
            jobHint: req.t('crm:export.job_hint', { limit: number.format(STREAM_LIMIT) }),
            formats: EXPORT_FORMATS.map((f) => ({ value: f, label: req.t(`crm:export.format.${f}`), checked: f === 'xlsx' })),
            delimiters: Object.keys(CSV_DELIMITERS).map((d) => ({ value: d, label: req.t(`crm:export.delimiter.${d}`) })),
            columns: [...catalog.filter((c) => chosen.has(c.id)), ...catalog.filter((c) => !chosen.has(c.id))].map((c) => ({
              id: c.id,
              title: c.title,
              checked: chosen.has(c.id),
              group: req.t(`crm:export.group.${c.group}`),
            })),
            recent: await recentRows(ctx, req, s),
            scripts: SCRIPTS,
          }),
        );
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/export',
    right: RIGHT,
    summary: 'Runs an export from the export page: a file at once, or a job for a large one',
    body: {
      type: 'object',
      properties: { ...exportOptionProperties, filter: { type: 'string', maxLength: 10_000, default: '' }, background: { type: 'boolean', default: false } },
    },
    handler: async (req, res) => {
      const user = req.user!;
      const body = req.body as ExportOptionValues & { filter: string; background: boolean };
      const back = body.filter ? `${EXPORT_PATH}?${body.filter}` : EXPORT_PATH;
      const s = service();
      const input = exportInput(body, body.filter, req.language);
      try {
        if (body.background || (await s.needsJob(user, input.filter))) {
          const { id } = await s.enqueue(user, input);
          return void res.redirect(303, `/crm/exports/${id}`);
        }
        await sendExport(s, req, res, await s.plan(user, input));
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 400 || res.headersSent) throw err;
        flash(req, 'danger', errorText(req, err));
        res.redirect(303, back);
      }
    },
  });

  ctx.route({
    method: 'get',
    path: '/exports/:id',
    right: RIGHT,
    summary: 'One export: its progress while its job runs, then the download link',
    handler: async (req, res) => {
      const s = service();
      const record = await s.log.get(req.user!, idParam(req));
      if (!record) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      const job = record.job_id ? await ctx.get<JobRunner>(TOKENS.Jobs).get(record.job_id) : null;
      const number = new Intl.NumberFormat(req.language);
      res.type('html').send(
        await views().renderPage(req, 'crm/export/status', {
          title: req.t('crm:export.status_title'),
          record: {
            id: record.id,
            format: record.format.toUpperCase(),
            rows: number.format(record.rows),
            state: record.state,
            stateText: req.t(`crm:export.state.${record.state}`),
            error: record.error,
            expired: record.state === 'done' && record.delivery === 'file' && !record.file_ready,
          },
          job: job && (job.state === 'queued' || job.state === 'running') ? { id: job.id, state: job.state, processed: job.processed, total: job.total, percent: job.total ? Math.round((job.processed / job.total) * 100) : 0 } : null,
          fileHref: record.file_ready && record.user_id === req.user!.id ? `/crm/exports/${record.id}/file` : null,
          exportHref: record.filter ? `${EXPORT_PATH}?${record.filter}` : EXPORT_PATH,
          scripts: SCRIPTS,
        }),
      );
    },
  });

  ctx.route({
    method: 'get',
    path: '/exports/:id/file',
    right: RIGHT,
    summary: 'The file of an export job, for the user who made it',
    handler: async (req, res) => {
      await sendFile(service(), req, res, idParam(req));
    },
  });
}
