/**
 * Contact photos: the bytes live in `<dataDir>/photos/<contactId>-<random>.<ext>`, the file name
 * in `crm_contacts.photo`. A change bumps the contact's version and writes history in one
 * transaction; the old file is removed only after the commit, so a rollback never loses a photo.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, type CurrentUser, type EventBus, type HostConfig, type PluginContext } from '../../../host/api.js';
import { contactUpdated, CrmTokens, type ContactScope, type ContactsService, type HistoryWriter } from '../api.js';
import { crmModels } from '../models/crm-models.js';
import { notFound } from './contact-scope.js';

export type PhotoType = { ext: 'png' | 'jpg' | 'webp'; mime: string };

/** Only what the bytes say counts: a file's name and the browser's MIME type are the sender's word. */
export function sniffImage(bytes: Buffer): PhotoType | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { ext: 'png', mime: 'image/png' };
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { ext: 'jpg', mime: 'image/jpeg' };
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return { ext: 'webp', mime: 'image/webp' };
  return null;
}

const MIME_BY_EXT: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };
/** The only names this module ever writes; anything else in the column is not served. */
const FILE_NAME = /^(\d+)-([0-9a-f]{16})\.(png|jpg|webp)$/;

export class PhotoStore {
  private readonly db: Sequelize;
  private readonly dir: string;

  constructor(private readonly ctx: PluginContext) {
    this.db = ctx.get<Sequelize>(TOKENS.Database);
    this.dir = path.join(ctx.get<HostConfig>(TOKENS.Config).dataDir, 'photos');
  }

  private get scope() {
    return this.ctx.get<ContactScope>(CrmTokens.Scope);
  }

  /** 404 when the contact is not visible, 403 when it is but the user may not edit it. */
  private async assertEditable(user: CurrentUser, contactId: number): Promise<void> {
    await this.scope.assertVisible(user, contactId);
    if (!(await this.scope.canEdit(user, contactId))) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
  }

  /** The file to send for a visible contact with a photo, or 404. */
  async file(user: CurrentUser, contactId: number): Promise<{ path: string; mime: string }> {
    await this.scope.assertVisible(user, contactId);
    const row = await crmModels(this.db).Contact.findByPk(contactId, { attributes: ['id', 'photo'] });
    const m = row?.photo ? FILE_NAME.exec(row.photo) : null;
    if (!m || Number(m[1]) !== contactId) throw notFound();
    const file = path.join(this.dir, row!.photo!);
    try {
      await fs.access(file);
    } catch {
      throw notFound();
    }
    return { path: file, mime: MIME_BY_EXT[m[3]!]! };
  }

  /** Stores new photo bytes (already sniffed by the caller) and returns the new version. */
  async save(user: CurrentUser, contactId: number, bytes: Buffer, type: PhotoType): Promise<number> {
    await this.assertEditable(user, contactId);
    await fs.mkdir(this.dir, { recursive: true });
    const name = `${contactId}-${randomBytes(8).toString('hex')}.${type.ext}`;
    const file = path.join(this.dir, name);
    await fs.writeFile(file, bytes, { flag: 'wx' });
    try {
      return await this.setPhoto(user, contactId, name);
    } catch (e) {
      await fs.rm(file, { force: true });
      throw e;
    }
  }

  /** Removes the photo; a contact without one is left as it is. */
  async remove(user: CurrentUser, contactId: number): Promise<number> {
    await this.assertEditable(user, contactId);
    return this.setPhoto(user, contactId, null);
  }

  private async setPhoto(user: CurrentUser, contactId: number, name: string | null): Promise<number> {
    const { Contact } = crmModels(this.db);
    const { previous, version } = await this.db.transaction(async (transaction) => {
      const row = await Contact.findByPk(contactId, { transaction, lock: transaction.LOCK.UPDATE });
      if (!row || row.deleted_at) throw notFound();
      const previous = row.photo;
      if (previous === name) return { previous: null, version: row.version };
      row.photo = name;
      row.version += 1;
      await row.save({ transaction });
      await this.ctx.get<HistoryWriter>(CrmTokens.History).record(
        [{ contactId, action: 'update', field: 'photo', oldValue: previous, newValue: name }],
        user.id,
        transaction,
      );
      return { previous, version: row.version };
    });
    if (previous && FILE_NAME.test(previous)) await fs.rm(path.join(this.dir, previous), { force: true });
    if (previous !== name) await this.announce(user, contactId, previous, name);
    return version;
  }

  /** After the commit, like every other contact change, so listeners see the saved contact. */
  private async announce(user: CurrentUser, contactId: number, previous: string | null, name: string | null): Promise<void> {
    const contact = await this.ctx.get<ContactsService>(CrmTokens.Contacts).get(user, contactId);
    await this.ctx.get<EventBus>(TOKENS.Events).emit(contactUpdated, { contact, userId: user.id, changes: { photo: { old: previous, new: name } } });
  }
}
