/**
 * The REST API of imports: `POST /api/v1/imports` (multipart: `file`, optional JSON fields
 * `mapping` and `options`) answers 202 with the queued import; `GET /api/v1/imports` the recent
 * ones, `GET /api/v1/imports/:id` its state and counts, `GET /api/v1/imports/:id/errors` the
 * failed rows as CSV, `POST /api/v1/imports/:id/cancel` stops it, `DELETE /api/v1/imports/:id`
 * undoes it. Every route needs `crm.contacts.import`; another user's import is a 404.
 */
import type { Request, Response } from 'express';
import { HttpError, TOKENS, type PluginContext, type ValidationService } from '../../../../host/api.js';
import { ImportTokens, type ImportRecord, type ImportService } from '../import-contract.js';
import { apiSettings } from './import-options.js';
import { parseImportUpload, removeUpload, uploadedFile } from './upload.js';

export const IMPORT_RIGHT = 'crm.contacts.import';

/** A positive integer from the path, or 404. */
export function importId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

/** The failed rows as a CSV download named after the import. */
export async function sendFailedRows(service: ImportService, req: Request, res: Response, id: number): Promise<void> {
  const stream = await service.failedRowsCsv(req.user!, id, req.language);
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="import-${id}-failed-rows.csv"`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
  });
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    res.on('finish', () => resolve());
    res.on('close', () => resolve());
    stream.pipe(res);
  });
}

/** Stages the uploaded file and starts the import; the temporary upload is gone afterwards either way. */
export async function stageAndStart(ctx: PluginContext, req: Request): Promise<ImportRecord> {
  try {
    const file = uploadedFile(req);
    const { mapping, options } = apiSettings(ctx.get<ValidationService>(TOKENS.Validation), req.body);
    const service = ctx.get<ImportService>(ImportTokens.Service);
    const { uploadId, sniff } = await service.stage(req.user!, file, options.read);
    return await service.start(req.user!, uploadId, mapping ?? (await service.suggestMapping(req.user!, sniff.headers)), { ...options, read: sniff.options });
  } finally {
    await removeUpload(req);
  }
}

const uploadSummary =
  'Uploads a CSV or XLSX file and starts importing it (multipart: `file`; optional JSON fields `mapping` and ' +
  '`options` {dedupe_keys, on_duplicate: create|skip|update, dry_run, keep_valid, kind, apply, read}); 202 with the import';

export function registerImportApi(ctx: PluginContext): void {
  const service = () => ctx.get<ImportService>(ImportTokens.Service);
  const upload = parseImportUpload(ctx);

  ctx.route({
    method: 'post',
    path: '/imports',
    api: true,
    right: IMPORT_RIGHT,
    summary: uploadSummary,
    multipart: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'A CSV (any of the supported encodings) or XLSX file' },
        mapping: { type: 'string', description: 'JSON: an array of targets, one per column, or {header: target}; suggested when left out' },
        options: { type: 'string', description: 'JSON: {dedupe_keys, on_duplicate: create|skip|update, dry_run, keep_valid, kind, apply, read}' },
      },
    },
    // The multipart body is parsed here and its JSON fields checked against import-options.ts.
    before: [upload],
    handler: async (req, res) => {
      const record = await stageAndStart(ctx, req);
      res.status(202).location(`/api/v1/imports/${record.id}`).json(record);
    },
  });

  ctx.route({
    method: 'get',
    path: '/imports',
    api: true,
    right: IMPORT_RIGHT,
    summary: "The caller's recent imports, newest first",
    query: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } } },
    handler: async (req, res) => {
      res.json({ items: await service().list(req.user!, (req.query as unknown as { limit: number }).limit) });
    },
  });

  ctx.route({
    method: 'get',
    path: '/imports/:id',
    api: true,
    right: IMPORT_RIGHT,
    summary: 'An import: state (queued, running, done, failed, cancelled, undone), total, processed, created, updated, skipped, failed, undo_result {trashed, restored, kept}',
    handler: async (req, res) => {
      res.json(await service().get(req.user!, importId(req)));
    },
  });

  ctx.route({
    method: 'get',
    path: '/imports/:id/errors',
    api: true,
    right: IMPORT_RIGHT,
    summary: "An import's failed rows as CSV: the file's columns plus the reason, to fix and import again",
    handler: (req, res) => sendFailedRows(service(), req, res, importId(req)),
  });

  ctx.route({
    method: 'post',
    path: '/imports/:id/cancel',
    api: true,
    right: IMPORT_RIGHT,
    summary: 'Stops a queued or running import; rows already written stay (undo removes them)',
    handler: async (req, res) => {
      res.status(202).json(await service().cancel(req.user!, importId(req)));
    },
  });

  ctx.route({
    method: 'delete',
    path: '/imports/:id',
    api: true,
    right: IMPORT_RIGHT,
    summary: 'Undoes an import: deletes the contacts it created and restores those it updated (a job); 202 with the import',
    handler: async (req, res) => {
      res.status(202).json(await service().undo(req.user!, importId(req)));
    },
  });
}
