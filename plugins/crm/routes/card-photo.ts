/**
 * The contact's photo on the card: upload (PNG, JPEG or WebP, up to 2 MB, recognized by its
 * bytes), removal, and the image itself for users who may see the contact.
 *
 * The host checks CSRF before any route runs, when a multipart body is not parsed yet, so the
 * upload is posted by assets/photo.js with the token in the X-CSRF-Token header.
 */
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HttpError, TOKENS, type HostConfig, type PluginContext } from '../../../host/api.js';
import { contactDeleted } from '../api.js';
import { PhotoStore, sniffImage } from '../services/photo-store.js';
import { flash, idParam, user } from './card-support.js';

export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: PHOTO_MAX_BYTES, files: 1, fields: 5, parts: 10 },
}).single('photo');

/** multer's own errors become translated HTTP errors instead of 500s. */
const parseUpload: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next(new HttpError(400, 'photo_missing', 'crm:photo.missing'));
  upload(req, res, (err?: unknown) => {
    if (!err) return next();
    if (err instanceof multer.MulterError) {
      if (err.code === 'LIMIT_FILE_SIZE') return next(new HttpError(413, 'photo_too_large', 'crm:photo.too_large', undefined, { mb: 2 }));
      return next(new HttpError(400, 'photo_invalid_upload', 'crm:photo.invalid_upload'));
    }
    // A malformed multipart body (cut off, no boundary) is bad input, not a server fault.
    next(new HttpError(400, 'photo_invalid_upload', 'crm:photo.invalid_upload'));
  });
};

const wantsJson = (req: Request) => (req.get('accept') ?? '').includes('application/json');

function done(req: Request, res: Response, id: number, message: string, body: Record<string, unknown>): void {
  if (wantsJson(req)) return void res.json(body);
  flash(req, 'success', message);
  res.redirect(303, `/crm/contacts/${id}`);
}

export function registerPhotoRoutes(ctx: PluginContext): void {
  // A purged contact's row is gone: its photo files are found by their `<id>-` prefix.
  ctx.on(contactDeleted, async ({ id, purged }) => {
    if (!purged) return;
    const dir = path.join(ctx.get<HostConfig>(TOKENS.Config).dataDir, 'photos');
    const files = await fs.readdir(dir).catch(() => [] as string[]);
    await Promise.all(files.filter((f) => f.startsWith(`${id}-`)).map((f) => fs.rm(path.join(dir, f), { force: true })));
  });
  ctx.route({
    method: 'post',
    path: '/contacts/:id/photo',
    right: 'crm.contacts.edit',
    summary: "Uploads the contact's photo (PNG, JPEG or WebP, up to 2 MB)",
    before: [parseUpload],
    handler: async (req, res) => {
      const id = idParam(req);
      const file = req.file;
      if (!file || !file.size) throw new HttpError(400, 'photo_missing', 'crm:photo.missing');
      const type = sniffImage(file.buffer);
      if (!type) throw new HttpError(415, 'photo_wrong_type', 'crm:photo.wrong_type');
      const version = await new PhotoStore(ctx).save(user(req), id, file.buffer, type);
      done(req, res, id, req.t('crm:photo.saved'), { photo_url: `/crm/contacts/${id}/photo`, version });
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/photo/delete',
    right: 'crm.contacts.edit',
    summary: "Removes the contact's photo",
    handler: async (req, res) => {
      const id = idParam(req);
      const version = await new PhotoStore(ctx).remove(user(req), id);
      done(req, res, id, req.t('crm:photo.removed'), { photo_url: null, version });
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts/:id/photo',
    right: 'crm.access',
    summary: "The contact's photo",
    handler: async (req, res) => {
      const photo = await new PhotoStore(ctx).file(user(req), idParam(req));
      await new Promise<void>((resolve, reject) =>
        res.sendFile(
          photo.path,
          {
            cacheControl: false,
            headers: { 'Content-Type': photo.mime, 'Cache-Control': 'private, max-age=300', 'X-Content-Type-Options': 'nosniff' },
          },
          (err) => (err && !res.headersSent ? reject(err) : resolve()),
        ),
      );
    },
  });
}
