/**
 * Which contacts carry which tags. Every change is written with a history entry per changed
 * contact (field `tags`, old and new names) in the same transaction, and only to contacts the
 * user may edit: the access scope is part of the SQL, and contact-class rules that decide
 * editing per contact are asked for each one.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type CurrentUser, type ExtensionRegistry } from '../../../host/api.js';
import { CrmTokens, contactClasses, type ContactScope, type HistoryWriter } from '../../crm/api.js';
import type { ContactTagsService, Tag } from '../api.js';
import { compareNames, distinctNames, foldName, sortNames } from './names.js';
import { chunks, insertIgnore, marks } from './sql.js';
import { TAG_COLUMNS, assertNames, ensureTags, tagsByKeys, toTag, type TagRow } from './vocabulary.js';

/** Contacts changed per transaction in mass actions, merges and deletes. */
export const BATCH = 2000;

const forbidden = () => new HttpError(403, 'forbidden', 'tags:errors.not_editable');

type Names = Map<number, Map<number, string>>;

@injectable()
export class ContactTagsImpl implements ContactTagsService {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Extensions) private readonly extensions: ExtensionRegistry,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.History) private readonly history: HistoryWriter,
  ) {}

  async forContacts(contactIds: number[]): Promise<Map<number, Tag[]>> {
    const out = new Map<number, Tag[]>();
    const ids = [...new Set(contactIds)];
    if (!ids.length) return out;
    const rows = await this.pairs(ids);
    const tags = await this.tagsById([...new Set(rows.map((r) => r.tag_id))]);
    for (const r of rows) {
      const tag = tags.get(r.tag_id);
      if (tag) out.set(r.contact_id, [...(out.get(r.contact_id) ?? []), tag]);
    }
    for (const list of out.values()) list.sort((a, b) => compareNames(a.name, b.name));
    return out;
  }

  /**
   * (contact, tag) rows of these contacts by the primary key. Not joined to the tags: MariaDB may
   * then start from the few tags and walk every contact of each, which grows with the base.
   */
  private async pairs(ids: number[], transaction?: Transaction): Promise<Array<{ contact_id: number; tag_id: number }>> {
    const rows = await this.db.query<{ contact_id: number | string; tag_id: number | string }>(
      `SELECT contact_id, tag_id FROM tags_contact_tags WHERE contact_id IN (${marks(ids.length)})`,
      { replacements: ids, type: QueryTypes.SELECT, transaction },
    );
    return rows.map((r) => ({ contact_id: Number(r.contact_id), tag_id: Number(r.tag_id) }));
  }

  private async tagsById(ids: number[], transaction?: Transaction): Promise<Map<number, Tag>> {
    if (!ids.length) return new Map();
    const rows = await this.db.query<TagRow>(`SELECT ${TAG_COLUMNS} FROM tags_tags t WHERE t.id IN (${marks(ids.length)})`, { replacements: ids, type: QueryTypes.SELECT, transaction });
    return new Map(rows.map((r) => [Number(r.id), toTag(r)]));
  }

  async ofContact(user: CurrentUser, contactId: number): Promise<Tag[]> {
    await this.scope.assertVisible(user, contactId);
    return (await this.forContacts([contactId])).get(contactId) ?? [];
  }

  /** 404 unless the user sees the contact, 403 unless they may edit it (and it is not in the trash). */
  private async assertEditable(user: CurrentUser, contactId: number): Promise<void> {
    await this.scope.assertVisible(user, contactId);
    if (!user.can('crm.contacts.edit')) throw forbidden();
    const [row] = await this.db.query<{ deleted_at: unknown }>('SELECT deleted_at FROM crm_contacts WHERE id = ?', { replacements: [contactId], type: QueryTypes.SELECT });
    if (!row || row.deleted_at !== null || !(await this.scope.canEdit(user, contactId))) throw forbidden();
  }

  async add(user: CurrentUser, contactId: number, name: string): Promise<{ tags: Tag[]; added: boolean }> {
    assertNames([name]);
    await this.assertEditable(user, contactId);
    const [tag] = await ensureTags(this.db, [name]);
    const changed = await this.db.transaction((transaction) => this.change([contactId], [tag!], [], user.id, transaction));
    return { tags: await this.ofContact(user, contactId), added: changed > 0 };
  }

  async remove(user: CurrentUser, contactId: number, tagId: number): Promise<{ tags: Tag[]; removed: boolean }> {
    await this.assertEditable(user, contactId);
    const changed = await this.db.transaction((transaction) => this.change([contactId], [], [tagId], user.id, transaction));
    return { tags: await this.ofContact(user, contactId), removed: changed > 0 };
  }

  async addMany(user: CurrentUser, contactIds: number[], names: string[]): Promise<{ changed: number }> {
    if (!user.can('crm.contacts.edit')) throw forbidden();
    assertNames(names, 'tags');
    const tags = await ensureTags(this.db, names);
    return this.inBatches(user, contactIds, (ids, transaction) => this.change(ids, tags, [], user.id, transaction));
  }

  async removeMany(user: CurrentUser, contactIds: number[], names: string[]): Promise<{ changed: number }> {
    if (!user.can('crm.contacts.edit')) throw forbidden();
    assertNames(names, 'tags');
    // Names nobody uses are simply not there to remove.
    const tags = await tagsByKeys(this.db, distinctNames(names).map(foldName));
    if (!tags.length) return { changed: 0 };
    return this.inBatches(user, contactIds, (ids, transaction) => this.change(ids, [], tags.map((t) => t.id), user.id, transaction));
  }

  private async inBatches(user: CurrentUser, contactIds: number[], run: (ids: number[], t: Transaction) => Promise<number>): Promise<{ changed: number }> {
    let changed = 0;
    for (const batch of chunks([...new Set(contactIds.filter((id) => Number.isInteger(id) && id > 0))], BATCH)) {
      changed += await this.db.transaction(async (transaction) => run(await this.editable(user, batch, transaction), transaction));
    }
    return { changed };
  }

  /** Of these ids, the live contacts the user may edit: the scope in SQL, then per-contact rules if any decide editing. */
  private async editable(user: CurrentUser, ids: number[], transaction: Transaction): Promise<number[]> {
    if (!ids.length) return [];
    const scope = this.scope.condition(user, 'c');
    const rows = await this.db.query<{ id: number | string }>(
      `SELECT c.id FROM crm_contacts c WHERE c.id IN (${marks(ids.length)}) AND c.deleted_at IS NULL AND ${scope.sql} ORDER BY c.id`,
      { replacements: [...ids, ...scope.params], type: QueryTypes.SELECT, transaction },
    );
    const visible = rows.map((r) => Number(r.id));
    if (user.isAdmin || !this.extensions.list(contactClasses).some((rule) => rule.canEdit)) return visible;
    const allowed: number[] = [];
    for (const id of visible) if (await this.scope.canEdit(user, id)) allowed.push(id);
    return allowed;
  }

  /** The current tag names of these contacts, by contact then tag id. */
  private async names(ids: number[], transaction: Transaction): Promise<Names> {
    const out: Names = new Map(ids.map((id) => [id, new Map()]));
    if (!ids.length) return out;
    const rows = await this.pairs(ids, transaction);
    const tags = await this.tagsById([...new Set(rows.map((r) => r.tag_id))], transaction);
    for (const r of rows) out.get(r.contact_id)?.set(r.tag_id, tags.get(r.tag_id)?.name ?? '');
    return out;
  }

  /**
   * Adds `add` and takes `removeIds` off these contacts (already checked), with one history entry
   * per contact whose tags changed. Returns how many changed; `added`, when given, receives the
   * (contact id, tag id) pairs that were not there before.
   */
  async change(ids: number[], add: Tag[], removeIds: number[], userId: number | null, transaction: Transaction, added?: Array<[number, number]>): Promise<number> {
    if (!ids.length || (!add.length && !removeIds.length)) return 0;
    const before = await this.names(ids, transaction);
    const inserts: Array<[number, number]> = [];
    const deletes: Array<[number, number]> = [];
    const entries: Array<{ contactId: number; action: string; field: string; oldValue: string[]; newValue: string[] }> = [];
    for (const id of ids) {
      const current = before.get(id)!;
      const next = new Map(current);
      for (const tagId of removeIds) if (next.delete(tagId)) deletes.push([id, tagId]);
      for (const tag of add) {
        if (next.has(tag.id)) continue;
        next.set(tag.id, tag.name);
        inserts.push([id, tag.id]);
      }
      if (next.size === current.size && [...next.keys()].every((k) => current.has(k))) continue;
      entries.push({ contactId: id, action: 'update', field: 'tags', oldValue: sortNames(current.values()), newValue: sortNames(next.values()) });
    }
    for (const part of chunks(inserts, BATCH)) {
      await this.db.query(`${insertIgnore(this.db)} INTO tags_contact_tags (contact_id, tag_id) VALUES ${part.map(() => '(?, ?)').join(', ')}`, { replacements: part.flat(), transaction });
    }
    for (const tagId of removeIds) {
      const from = deletes.filter(([, t]) => t === tagId).map(([c]) => c);
      for (const part of chunks(from, BATCH)) {
        await this.db.query(`DELETE FROM tags_contact_tags WHERE tag_id = ? AND contact_id IN (${marks(part.length)})`, { replacements: [tagId, ...part], transaction });
      }
    }
    await this.history.record(entries, userId, transaction);
    added?.push(...inserts);
    return entries.length;
  }

  /**
   * Takes tags off every contact, putting `into` on them instead when given (a merge); batch by
   * batch, each in its own transaction, one history entry per contact however many of the tags
   * it had. Returns the number of contacts changed.
   */
  async retag(tagIds: number[], into: Tag | null, userId: number | null): Promise<number> {
    if (!tagIds.length) return 0;
    let changed = 0;
    for (;;) {
      const done = await this.db.transaction(async (transaction) => {
        const rows = await this.db.query<{ contact_id: number | string }>(
          `SELECT DISTINCT contact_id FROM tags_contact_tags WHERE tag_id IN (${marks(tagIds.length)}) ORDER BY contact_id LIMIT ${BATCH}`,
          { replacements: tagIds, type: QueryTypes.SELECT, transaction },
        );
        if (!rows.length) return true;
        changed += await this.change(rows.map((r) => Number(r.contact_id)), into ? [into] : [], tagIds, userId, transaction);
        return false;
      });
      if (done) return changed;
    }
  }

  async repoint(fromId: number, intoId: number, transaction: Transaction): Promise<void> {
    if (fromId === intoId) return;
    await this.db.query(
      `INSERT INTO tags_contact_tags (contact_id, tag_id) SELECT ?, f.tag_id FROM tags_contact_tags f
       WHERE f.contact_id = ? AND NOT EXISTS (SELECT 1 FROM tags_contact_tags i WHERE i.contact_id = ? AND i.tag_id = f.tag_id)`,
      { replacements: [intoId, fromId, intoId], transaction },
    );
    await this.db.query('DELETE FROM tags_contact_tags WHERE contact_id = ?', { replacements: [fromId], transaction });
  }

  async removeForContact(contactId: number): Promise<void> {
    await this.db.query('DELETE FROM tags_contact_tags WHERE contact_id = ?', { replacements: [contactId] });
  }
}
