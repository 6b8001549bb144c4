/** Notes on a contact: added by anyone who may see it, edited by their author, pinned to the top. */
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type CurrentUser } from '../../../host/api.js';
import { CrmTokens, type ContactScope, type HistoryWriter } from '../api.js';
import { crmModels, type CrmModels, type NoteRow } from '../models/crm-models.js';

export interface Note {
  id: number;
  contact_id: number;
  author_id: number | null;
  author_name: string | null;
  body: string;
  pinned: boolean;
  created_at: string;
  updated_at: string;
  can_edit: boolean;
}

const MAX_NOTE = 20000;

@injectable()
export class NotesService {
  private readonly m: CrmModels;

  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.History) private readonly history: HistoryWriter,
  ) {
    this.m = crmModels(db);
  }

  private checkBody(body: string): string {
    const text = body.trim();
    if (!text || text.length > MAX_NOTE) {
      throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [
        { field: 'body', code: text ? 'maxLength' : 'required', message: text ? 'host:validation.maxLength' : 'host:validation.required', params: { limit: MAX_NOTE } },
      ]);
    }
    return text;
  }

  private async view(user: CurrentUser, rows: NoteRow[]): Promise<Note[]> {
    const authorIds = [...new Set(rows.map((r) => r.author_id).filter((id): id is number => id !== null))];
    const names = new Map<number, string>();
    if (authorIds.length) {
      const [users] = await this.db.query(`SELECT id, name FROM host_users WHERE id IN (${authorIds.map(() => '?').join(',')})`, { replacements: authorIds });
      for (const u of users as Array<{ id: number; name: string }>) names.set(Number(u.id), u.name);
    }
    return rows.map((r) => ({
      id: r.id,
      contact_id: r.contact_id,
      author_id: r.author_id,
      author_name: r.author_id ? (names.get(r.author_id) ?? null) : null,
      body: r.body,
      pinned: Boolean(r.pinned),
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
      can_edit: r.author_id === user.id || user.isAdmin,
    }));
  }

  async list(user: CurrentUser, contactId: number): Promise<Note[]> {
    await this.scope.assertVisible(user, contactId);
    const rows = await this.m.Note.findAll({ where: { contact_id: contactId }, order: [['pinned', 'DESC'], ['created_at', 'DESC'], ['id', 'DESC']] });
    return this.view(user, rows);
  }

  async count(user: CurrentUser, contactId: number): Promise<number> {
    await this.scope.assertVisible(user, contactId);
    return this.m.Note.count({ where: { contact_id: contactId } });
  }

  async add(user: CurrentUser, contactId: number, body: string): Promise<Note> {
    await this.scope.assertVisible(user, contactId);
    const text = this.checkBody(body);
    const row = await this.db.transaction(async (transaction) => {
      const note = await this.m.Note.create({ contact_id: contactId, author_id: user.id, body: text, pinned: false }, { transaction });
      await this.history.record([{ contactId, action: 'note.add', field: `note:${note.id}`, newValue: text }], user.id, transaction);
      return note;
    });
    return (await this.view(user, [row]))[0]!;
  }

  private async own(user: CurrentUser, contactId: number, noteId: number): Promise<NoteRow> {
    await this.scope.assertVisible(user, contactId);
    const row = await this.m.Note.findOne({ where: { id: noteId, contact_id: contactId } });
    if (!row) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    if (row.author_id !== user.id && !user.isAdmin) throw new HttpError(403, 'forbidden', 'crm:notes.only_author');
    return row;
  }

  async edit(user: CurrentUser, contactId: number, noteId: number, body: string): Promise<Note> {
    const row = await this.own(user, contactId, noteId);
    const text = this.checkBody(body);
    await this.db.transaction(async (transaction) => {
      await this.history.record([{ contactId, action: 'note.edit', field: `note:${noteId}`, oldValue: row.body, newValue: text }], user.id, transaction);
      await row.update({ body: text }, { transaction });
    });
    return (await this.view(user, [row]))[0]!;
  }

  async pin(user: CurrentUser, contactId: number, noteId: number, pinned: boolean): Promise<Note> {
    await this.scope.assertVisible(user, contactId);
    const row = await this.m.Note.findOne({ where: { id: noteId, contact_id: contactId } });
    if (!row) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    await row.update({ pinned });
    return (await this.view(user, [row]))[0]!;
  }

  async remove(user: CurrentUser, contactId: number, noteId: number): Promise<void> {
    const row = await this.own(user, contactId, noteId);
    await this.db.transaction(async (transaction) => {
      await this.history.record([{ contactId, action: 'note.delete', field: `note:${noteId}`, oldValue: row.body }], user.id, transaction);
      await row.destroy({ transaction });
    });
  }
}
