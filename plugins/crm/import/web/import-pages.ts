/**
 * The import wizard's pages under /crm/import: upload (with the recent imports), preview and
 * settings of a staged file, progress (the host's job progress bar) and the summary with the
 * failed rows, cancel, undo and "now import for real" after a dry run.
 *
 * The host checks CSRF before a multipart body is parsed, so the upload is posted by
 * assets/import.js with the token in the X-CSRF-Token header; every other form carries `_csrf`.
 */
import type { Request, Response } from 'express';
import { HttpError, TOKENS, flash, type FieldError, type JobRunner, type PluginContext, type ViewRenderer } from '../../../../host/api.js';
import { ImportTokens, type ImportService } from '../import-contract.js';
import { IMPORT_RIGHT, importId, sendFailedRows } from './import-api.js';
import { parseImportUpload, removeUpload, uploadedFile, UPLOAD_LIMITS } from './upload.js';
import { checkForm, defaultForm, formFromBody, formFromSettings, mappingFor, MODES, wizardSchema, type WizardForm, type WizardMode } from './wizard-form.js';
import { importView, jobView, previewView } from './wizard-view.js';

export const IMPORT_BASE = '/crm/import';
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,100}$/;
const RECENT = 20;

const wantsJson = (req: Request) => (req.get('accept') ?? '').includes('application/json');
/** A dry run whose staged file was swept: the summary says so instead of offering to run it. */
const fileGone = (err: unknown): undefined => {
  if (err instanceof HttpError && err.status === 409) return undefined;
  throw err;
};
const modeOf = (value: unknown): WizardMode => (MODES as readonly string[]).includes(String(value)) ? (value as WizardMode) : 'clients';

function uploadIdParam(req: Request): string {
  const id = String(req.params.uploadId);
  if (!UPLOAD_ID.test(id)) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

/** Field errors of a 400 to show in the form; anything else is thrown on. */
function formErrors(err: unknown): FieldError[] {
  if (err instanceof HttpError && err.status === 400) {
    return Array.isArray(err.details) && err.details.length ? err.details : [{ field: '', code: err.code, message: err.messageKey, params: err.params }];
  }
  throw err;
}

export function registerImportPages(ctx: PluginContext): void {
  const service = () => ctx.get<ImportService>(ImportTokens.Service);
  const views = () => ctx.get<ViewRenderer>(TOKENS.Views);
  const page = async (req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200) =>
    void res.status(status).type('html').send(await views().renderPage(req, `crm/import/${view}`, { styles: ['/assets/p/crm/import.css'], scripts: ['/assets/p/crm/import.js'], ...data }));

  /** Renders the preview & settings page for the form's read options. */
  const preview = async (req: Request, res: Response, uploadId: string, form: WizardForm, errors: FieldError[] = []) => {
    const user = req.user!;
    const sniff = await service().preview(user, uploadId, form.read);
    const [targets, suggested] = await Promise.all([service().targets(user, req.language), service().suggestMapping(user, sniff.headers)]);
    const data = await previewView(ctx, req, { uploadId, sniff, targets, mapping: mappingFor(form, sniff.headers, suggested), form, errors });
    await page(req, res, 'preview', data, errors.length ? 400 : 200);
  };

  ctx.route({
    method: 'get',
    path: '/import',
    right: IMPORT_RIGHT,
    summary: 'The import wizard: upload a CSV or XLSX file; the recent imports',
    query: { type: 'object', properties: { mode: { enum: [...MODES] } } },
    handler: async (req, res) => {
      const mode = modeOf(req.query.mode);
      const imports = await service().list(req.user!, RECENT);
      await page(req, res, 'upload', {
        title: req.t('crm:import-wizard.upload.title'),
        mode,
        people: mode === 'people',
        maxMb: Math.round(UPLOAD_LIMITS.fileSize / (1024 * 1024)),
        imports: imports.map((r) => importView(req, r)),
      });
    },
  });

  ctx.route({
    method: 'post',
    path: '/import/upload',
    right: IMPORT_RIGHT,
    summary: 'Stages an uploaded file and opens its preview',
    before: [parseImportUpload(ctx)],
    handler: async (req, res) => {
      let next: string;
      try {
        const { uploadId } = await service().stage(req.user!, uploadedFile(req));
        next = `${IMPORT_BASE}/uploads/${encodeURIComponent(uploadId)}?mode=${modeOf((req.body as Record<string, unknown>)?.mode)}`;
      } finally {
        await removeUpload(req);
      }
      if (wantsJson(req)) return void res.json({ next });
      res.redirect(303, next);
    },
  });

  ctx.route({
    method: 'get',
    path: '/import/uploads/:uploadId',
    right: IMPORT_RIGHT,
    summary: "A staged file's preview with the mapping and the import settings",
    query: { type: 'object', properties: { mode: { enum: [...MODES] }, from: { type: 'integer', minimum: 1 } } },
    handler: async (req, res) => {
      const uploadId = uploadIdParam(req);
      const from = (req.query as unknown as { from?: number }).from;
      let form = defaultForm(modeOf(req.query.mode));
      if (from) {
        // The settings of an earlier import of this file, e.g. a dry run to adjust.
        const settings = await service().settings(req.user!, from);
        if (settings.uploadId === uploadId) form = formFromSettings(settings, (await service().preview(req.user!, uploadId, settings.options.read)).headers);
      }
      await preview(req, res, uploadId, form);
    },
  });

  ctx.route({
    method: 'post',
    path: '/import/uploads/:uploadId',
    right: IMPORT_RIGHT,
    summary: 'Re-reads the file with other read options, or starts a dry run or the import',
    body: wizardSchema,
    handler: async (req, res) => {
      const uploadId = uploadIdParam(req);
      const body = req.body as Record<string, unknown>;
      const form = formFromBody(body);
      if (body.action === 'reread' || !body.action) return preview(req, res, uploadId, form);
      const errors = checkForm(form);
      if (errors.length) return preview(req, res, uploadId, form, errors);
      const user = req.user!;
      try {
        const sniff = await service().preview(user, uploadId, form.read);
        const mapping = mappingFor(form, sniff.headers, await service().suggestMapping(user, sniff.headers));
        const record = await service().start(user, uploadId, mapping, { ...form.options, read: sniff.options });
        res.redirect(303, `${IMPORT_BASE}/${record.id}`);
      } catch (err) {
        await preview(req, res, uploadId, form, formErrors(err));
      }
    },
  });

  ctx.route({
    method: 'get',
    path: '/import/:id',
    right: IMPORT_RIGHT,
    summary: "An import's progress, then its summary",
    handler: async (req, res) => {
      const record = await service().get(req.user!, importId(req));
      // The import's job, or the job undoing it: the page follows whichever still runs.
      const job = record.job_id ? await ctx.get<JobRunner>(TOKENS.Jobs).get(record.job_id) : null;
      const view = importView(req, record, job);
      // A dry run can be repeated for real, or its settings changed, from the file it read.
      const settings = record.dry_run && record.state === 'done' ? await service().settings(req.user!, record.id).catch(fileGone) : null;
      await page(req, res, 'summary', {
        title: req.t('crm:import-wizard.summary.title', { name: record.file_name }),
        record: view,
        job: job && view.running ? jobView(job) : null,
        runAction: settings ? `${IMPORT_BASE}/${record.id}/run` : null,
        changeHref: settings ? `${IMPORT_BASE}/uploads/${encodeURIComponent(settings.uploadId)}?from=${record.id}` : null,
        fileGone: settings === undefined,
      });
    },
  });

  ctx.route({
    method: 'get',
    path: '/import/:id/errors',
    right: IMPORT_RIGHT,
    summary: "Downloads an import's failed rows with their reasons (CSV)",
    handler: (req, res) => sendFailedRows(service(), req, res, importId(req)),
  });

  ctx.route({
    method: 'post',
    path: '/import/:id/cancel',
    right: IMPORT_RIGHT,
    summary: 'Cancels a running import',
    handler: async (req, res) => {
      const record = await service().cancel(req.user!, importId(req));
      flash(req, 'info', req.t('crm:import-wizard.summary.cancel_requested'));
      res.redirect(303, `${IMPORT_BASE}/${record.id}`);
    },
  });

  ctx.route({
    method: 'post',
    path: '/import/:id/undo',
    right: IMPORT_RIGHT,
    summary: 'Undoes an import',
    handler: async (req, res) => {
      const record = await service().undo(req.user!, importId(req));
      flash(req, 'info', req.t('crm:import-wizard.summary.undo_started'));
      res.redirect(303, `${IMPORT_BASE}/${record.id}`);
    },
  });

  ctx.route({
    method: 'post',
    path: '/import/:id/run',
    right: IMPORT_RIGHT,
    summary: 'Runs a dry run for real with the same file, mapping and options',
    handler: async (req, res) => {
      const user = req.user!;
      const settings = await service().settings(user, importId(req));
      const record = await service().start(user, settings.uploadId, settings.mapping, { ...settings.options, dry_run: false });
      res.redirect(303, `${IMPORT_BASE}/${record.id}`);
    },
  });
}
