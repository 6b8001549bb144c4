/**
 * The upload of a file to import: multer writing to `<data dir>/tmp` with every limit set, its
 * errors turned into translated HTTP errors (413, 400, 415), and the temporary file removed
 * whatever happens to the request. The file's type is judged by its content when it is staged,
 * never by its name or the browser's content type.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { HttpError, TOKENS, type HostConfig, type PluginContext } from '../../../../host/api.js';
import { MAX_IMPORT_FILE_BYTES } from '../reading/limits.js';

/** Every multer limit: one file of the reader's size, and a few small fields (`mapping`, `options`, the wizard's `mode`). */
export const UPLOAD_LIMITS = {
  fileSize: MAX_IMPORT_FILE_BYTES,
  files: 1,
  fields: 8,
  // The file plus its fields: a body of thousands of tiny parts is refused early.
  parts: 9,
  /** A mapping of a few hundred columns is some kilobytes; 64 KB leaves room and stops abuse. */
  fieldSize: 64 * 1024,
  fieldNameSize: 100,
  headerPairs: 20,
} as const;

export const UPLOAD_FIELD = 'file';

const megabytes = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

/** The folder uploads land in before the import service takes them over. */
export function uploadDir(ctx: PluginContext): string {
  return path.join(ctx.get<HostConfig>(TOKENS.Config).dataDir, 'tmp');
}

/** Removes the request's temporary file, if any; missing files are fine (the service may have moved it). */
export async function removeUpload(req: Request): Promise<void> {
  if (req.file?.path) await fs.promises.rm(req.file.path, { force: true });
}

function uploadError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof multer.MulterError) {
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return new HttpError(413, 'import_too_large', 'crm:import-wizard.errors.too_large', undefined, { mb: megabytes(UPLOAD_LIMITS.fileSize) });
      case 'LIMIT_FIELD_VALUE':
        return new HttpError(413, 'import_field_too_large', 'crm:import-wizard.errors.field_too_large', [{ field: err.field ?? '', code: 'maxLength', message: 'crm:import-wizard.errors.field_too_large' }]);
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_UNEXPECTED_FILE':
        return new HttpError(400, 'import_one_file', 'crm:import-wizard.errors.one_file', [{ field: err.field ?? UPLOAD_FIELD, code: 'one_file', message: 'crm:import-wizard.errors.one_file' }]);
      default:
        return new HttpError(400, 'import_invalid_upload', 'crm:import-wizard.errors.invalid_upload');
    }
  }
  // A malformed body (cut off, no boundary) is bad input, not a server fault.
  return new HttpError(400, 'import_invalid_upload', 'crm:import-wizard.errors.invalid_upload');
}

/** Middleware for a route's `before`: parses the multipart body into `req.file` and `req.body`. */
export function parseImportUpload(ctx: PluginContext): RequestHandler {
  let upload: RequestHandler | null = null;
  // Built on first use: the data folder is known once the host has started.
  const middleware = () =>
    (upload ??= multer({
      storage: multer.diskStorage({
        destination: (_req, _file, cb) => {
          const dir = uploadDir(ctx);
          fs.promises.mkdir(dir, { recursive: true }).then(() => cb(null, dir), (err: Error) => cb(err, dir));
        },
        // A random name: the user's file name never reaches the file system.
        filename: (_req, _file, cb) => cb(null, `import-${crypto.randomBytes(12).toString('hex')}.upload`),
      }),
      limits: UPLOAD_LIMITS,
      // Browsers send file names as UTF-8 without saying so.
      defParamCharset: 'utf8',
    }).single(UPLOAD_FIELD));

  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next(new HttpError(415, 'import_multipart_required', 'crm:import-wizard.errors.multipart_required'));
    middleware()(req, res, (err?: unknown) => {
      if (!err) return next();
      // multer removes what it wrote when it fails; this covers a file written before a later part failed.
      removeUpload(req).then(
        () => next(uploadError(err)),
        () => next(uploadError(err)),
      );
    });
  };
}

/** The uploaded file, or 400 when none (or an empty one) came. */
export function uploadedFile(req: Request): { path: string; originalName: string } {
  const file = req.file;
  if (!file) throw new HttpError(400, 'import_file_missing', 'crm:import-wizard.errors.file_missing', [{ field: UPLOAD_FIELD, code: 'required', message: 'crm:import-wizard.errors.file_missing' }]);
  return { path: file.path, originalName: file.originalname.slice(0, 255) };
}
