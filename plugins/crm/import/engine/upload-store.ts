/**
 * Staged import files: kept in `<dataDir>/imports/<uploadId>` with a small JSON note (who
 * uploaded it, its original name) until imported, so the preview, a dry run and the import
 * itself all read the same file. Only the uploader (or an administrator) may use one. The
 * service removes a file once its import has ended, and sweeps files left unused for a day.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HttpError, type CurrentUser } from '../../../../host/api.js';

const UPLOAD_ID = /^[0-9a-f]{32}$/;
const notFound = () => new HttpError(404, 'not_found', 'host:errors.not_found');

export interface StagedUpload {
  uploadId: string;
  path: string;
  originalName: string;
  userId: number;
}

export class UploadStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'imports');
  }

  /** Moves (or, across file systems, copies) the uploaded file into the store. */
  async keep(user: CurrentUser, file: { path: string; originalName: string }): Promise<StagedUpload> {
    await fs.mkdir(this.dir, { recursive: true });
    const uploadId = randomBytes(16).toString('hex');
    const target = path.join(this.dir, uploadId);
    try {
      await fs.rename(file.path, target);
    } catch {
      await fs.copyFile(file.path, target);
    }
    const staged = { uploadId, path: target, originalName: path.basename(file.originalName).slice(0, 190) || 'import', userId: user.id };
    await fs.writeFile(`${target}.json`, JSON.stringify({ originalName: staged.originalName, userId: user.id }));
    return staged;
  }

  /** The staged file, or 404 when it does not exist or belongs to someone else. */
  async get(user: CurrentUser | null, uploadId: string): Promise<StagedUpload> {
    if (!UPLOAD_ID.test(uploadId)) throw notFound();
    const target = path.join(this.dir, uploadId);
    let note: { originalName: string; userId: number };
    try {
      note = JSON.parse(await fs.readFile(`${target}.json`, 'utf8')) as typeof note;
    } catch {
      throw notFound();
    }
    if (user && !user.isAdmin && note.userId !== user.id) throw notFound();
    return { uploadId, path: target, originalName: note.originalName, userId: note.userId };
  }

  /** Marks the staged file as used now, so the day it is kept counts from its last import or dry run. */
  async touch(uploadId: string): Promise<void> {
    if (!UPLOAD_ID.test(uploadId)) return;
    const now = new Date();
    await fs.utimes(path.join(this.dir, uploadId), now, now).catch(() => undefined);
  }

  /** Whether the staged file is still kept. */
  async exists(uploadId: string): Promise<boolean> {
    if (!UPLOAD_ID.test(uploadId)) return false;
    return fs.access(path.join(this.dir, uploadId)).then(() => true, () => false);
  }

  /** Removes staged files (with their notes) last written before `before`, except those in `keep`; returns how many. */
  async sweep(before: Date, keep: Set<string>): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      if (!UPLOAD_ID.test(name) || keep.has(name)) continue;
      const stat = await fs.stat(path.join(this.dir, name)).catch(() => null);
      if (!stat || stat.mtime >= before) continue;
      await this.remove(name);
      removed++;
    }
    return removed;
  }

  async remove(uploadId: string): Promise<void> {
    if (!UPLOAD_ID.test(uploadId)) return;
    const target = path.join(this.dir, uploadId);
    await fs.rm(target, { force: true });
    await fs.rm(`${target}.json`, { force: true });
  }
}
