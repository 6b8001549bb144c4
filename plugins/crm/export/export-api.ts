/**
 * The export API: `GET /api/v1/contacts/export?format=csv|xlsx&columns=...` with the list's
 * filters streams the file, or answers 202 with the export's id when it is large enough to run as
 * a job (or `mode=job`); `GET /api/v1/exports` the recent exports, `GET /api/v1/exports/:id` one
 * of them and `GET /api/v1/exports/:id/file` the file a job wrote, for its owner only.
 */
import type { Request, Response } from 'express';
import { HttpError, type PluginContext } from '../../../host/api.js';
import { apiRoutes, pathId } from '../routes/api/params.js';
import type { ExportRecord } from './export-log.js';
import { exportInput, exportOptionProperties, filterOf, type ExportOptionValues } from './export-params.js';
import { CONTENT_TYPES, ExportService, downloadName, type ExportPlan } from './export-service.js';

export const RIGHT = 'crm.contacts.export';

const notFound = () => new HttpError(404, 'not_found', 'host:errors.not_found');

export function exportJson(record: ExportRecord) {
  return { ...record, file_url: record.file_ready ? `/api/v1/exports/${record.id}/file` : null };
}

/** Streams a planned export as an attachment. Once the first byte is out an error can only cut the file short. */
export async function sendExport(service: ExportService, req: Request, res: Response, plan: ExportPlan): Promise<void> {
  res.status(200);
  res.set({
    'Content-Type': CONTENT_TYPES[plan.input.format],
    'Content-Disposition': `attachment; filename="${downloadName(plan.input.format)}"`,
    'Cache-Control': 'no-store',
    'X-Export-Rows': String(plan.ids.length),
  });
  try {
    await service.download(req.user!, plan, res);
  } catch (err) {
    if (!res.headersSent) throw err;
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

export function registerExportApi(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  const service = () => new ExportService(ctx);

  route({
    method: 'get',
    path: '/contacts/export',
    right: RIGHT,
    summary: 'Export contacts as CSV or XLSX: the list filters (q, status_id, tag, segment_id, custom.<key>, ...), columns, format; large exports answer 202 and run as a job',
    query: {
      type: 'object',
      properties: {
        ...exportOptionProperties,
        mode: { enum: ['auto', 'stream', 'job'], default: 'auto' },
      },
    },
    handler: async (req, res) => {
      const user = req.user!;
      const query = req.query as Record<string, unknown> & ExportOptionValues & { mode: 'auto' | 'stream' | 'job' };
      const input = exportInput(query, filterOf(query), req.language);
      const s = service();
      if (query.mode === 'job' || (query.mode === 'auto' && (await s.needsJob(user, input.filter)))) {
        const { id } = await s.enqueue(user, input);
        const record = (await s.log.get(user, id))!;
        res.status(202).location(`/api/v1/exports/${id}`).json(exportJson(record));
        return;
      }
      await sendExport(s, req, res, await s.plan(user, input));
    },
  });

  route({
    method: 'get',
    path: '/exports',
    right: RIGHT,
    summary: 'Recent exports: who, when, format, filter, columns, rows (administrators see everybody’s)',
    query: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 } } },
    handler: async (req, res) => {
      const items = await service().log.recent(req.user!, req.query.limit as unknown as number);
      res.json({ items: items.map(exportJson) });
    },
  });

  route({
    method: 'get',
    path: '/exports/:id',
    right: RIGHT,
    summary: 'One export and its state; file_url once a job has written its file',
    handler: async (req, res) => {
      const record = await service().log.get(req.user!, pathId(req));
      if (!record) throw notFound();
      res.json(exportJson(record));
    },
  });

  route({
    method: 'get',
    path: '/exports/:id/file',
    right: RIGHT,
    summary: 'The file an export job wrote; only for the user who made it, for a day',
    handler: async (req, res) => {
      await sendFile(service(), req, res, pathId(req));
    },
  });
}

/** A job's file for its owner; 404 for anybody else, and once it has expired. */
export async function sendFile(service: ExportService, req: Request, res: Response, id: number): Promise<void> {
  const found = await service.log.fileOf(req.user!, id);
  if (!found) throw notFound();
  res.set({ 'Content-Type': CONTENT_TYPES[found.record.format], 'Cache-Control': 'no-store' });
  res.attachment(downloadName(found.record.format, new Date(found.record.created_at)));
  await new Promise<void>((resolve, reject) => res.sendFile(service.filePath(found.fileName), (err) => (err && !res.headersSent ? reject(notFound()) : resolve())));
}
