/**
 * Merging contacts into a master, in one transaction: the chosen field values and the union of
 * channels and addresses are written to the master through ContactsService.update (the same
 * checks, normalizers and field history as any edit); notes, history, employees and payer links
 * move over with set-based UPDATEs (so 10,000 linked rows cost one statement each, not 10,000);
 * every other plugin re-points its own rows on `crm.contact.merged`, and a failing handler rolls
 * the whole merge back. The merged contacts stay as redirects (`merged_into_id`) to the master.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sequelize, Transaction } from 'sequelize';
import { HttpError, TOKENS, type CurrentUser, type EventBus, type FieldError, type HostConfig, type PluginContext } from '../../../host/api.js';
import { contactMerged, contactUpdated, CrmTokens, type Contact, type ContactInput, type ContactScope, type ContactsService, type HistoryWriter } from '../api.js';
import type { ContactLoader } from '../services/contact-loader.js';
import { CrmInternalTokens } from '../services/contacts-service.js';
import { CHANNEL_FIELDS } from '../services/contact-input.js';
import { channelInput, defaultWinners, fieldsOf, fieldValue, unionAddresses, unionChannels, type ChannelRecord } from './merge-plan.js';

/** At most this many contacts merge into a master at once. */
export const MAX_MERGE = 10;

export interface MergeRequest {
  masterId: number;
  mergeIds: number[];
  /** Field -> id of the contact whose value wins; unnamed fields take the default winner. */
  fields?: Record<string, number>;
  /** The master's version the user saw; a newer one is a 409. */
  version?: number;
}

export interface MergeResult {
  master: Contact;
  merged: number[];
}

const invalid = (details: FieldError[]) => new HttpError(400, 'invalid_input', 'host:errors.invalid_input', details);
const forbidden = () => new HttpError(403, 'forbidden', 'host:errors.forbidden');
const marks = (n: number) => new Array(n).fill('?').join(', ');
const PHOTO_NAME = /^(\d+)-([0-9a-f]{16})\.(png|jpg|webp)$/;

/** Stays under MySQL's 64 KB TEXT: long comments are cut first. */
function snapshots(contacts: Contact[]): unknown[] {
  const plain = contacts.map(({ tags: _tags, ...c }) => c);
  if (JSON.stringify(plain).length < 60_000) return plain;
  return plain.map((c) => ({ ...c, comment: c.comment ? `${c.comment.slice(0, 500)}…` : c.comment }));
}

export class MergeService {
  constructor(private readonly ctx: PluginContext) {}

  private get db() {
    return this.ctx.get<Sequelize>(TOKENS.Database);
  }

  private get scope() {
    return this.ctx.get<ContactScope>(CrmTokens.Scope);
  }

  private get loader() {
    return this.ctx.get<ContactLoader>(CrmInternalTokens.Loader);
  }

  private async query<T>(sql: string, replacements: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, { replacements }))[0] as T[];
  }

  /**
   * The contacts of a merge as the user may see them, master first: 404 when any is out of
   * sight (or already merged), 403 without the right or edit rights on any, 400 for a request
   * that cannot be merged (the same contact twice, mixed kinds, a contact in the trash).
   */
  async load(user: CurrentUser, masterId: number, mergeIds: number[]): Promise<Contact[]> {
    const errors: FieldError[] = [];
    if (!mergeIds.length) errors.push({ field: 'merge_ids', code: 'minItems', message: 'crm:duplicates.errors.nothing_to_merge' });
    if (mergeIds.includes(masterId) || new Set(mergeIds).size !== mergeIds.length) errors.push({ field: 'merge_ids', code: 'same', message: 'crm:duplicates.errors.same_contact' });
    if (mergeIds.length > MAX_MERGE) errors.push({ field: 'merge_ids', code: 'maxItems', message: 'crm:duplicates.errors.over_limit', params: { max: MAX_MERGE } });
    if (errors.length) throw invalid(errors);
    const ids = [masterId, ...mergeIds];
    const scope = this.scope.condition(user, 'c');
    const visible = await this.query<{ id: number }>(`SELECT c.id FROM crm_contacts c WHERE c.id IN (${marks(ids.length)}) AND ${scope.sql}`, [...ids, ...scope.params]);
    if (visible.length !== ids.length) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    if (!user.can('crm.contacts.merge')) throw forbidden();
    for (const id of ids) if (!(await this.scope.canEdit(user, id))) throw forbidden();
    const contacts = await this.loader.byIds(ids);
    if (contacts.some((c) => c.deleted_at)) throw invalid([{ field: 'merge_ids', code: 'trash', message: 'crm:duplicates.errors.in_trash' }]);
    if (new Set(contacts.map((c) => c.kind)).size > 1) throw invalid([{ field: 'merge_ids', code: 'kind', message: 'crm:duplicates.errors.kind_mismatch' }]);
    return contacts;
  }

  /** Checks the user's field choices and fills in the default winner of every other field. */
  private winners(master: Contact, others: Contact[], chosen: Record<string, number> = {}): Record<string, number> {
    const known = new Set(fieldsOf([master, ...others]));
    const ids = new Set([master.id, ...others.map((c) => c.id)]);
    const errors: FieldError[] = [];
    for (const [field, id] of Object.entries(chosen)) {
      if (!known.has(field)) errors.push({ field: `fields.${field}`, code: 'unknown', message: 'crm:duplicates.errors.unknown_field' });
      else if (!ids.has(id)) errors.push({ field: `fields.${field}`, code: 'unknown', message: 'crm:duplicates.errors.not_in_merge' });
    }
    if (errors.length) throw invalid(errors);
    return { ...defaultWinners(master, others), ...chosen };
  }

  async merge(user: CurrentUser, request: MergeRequest): Promise<MergeResult> {
    const [master, ...others] = await this.load(user, request.masterId, request.mergeIds);
    const winners = this.winners(master!, others, request.fields);
    const byId = new Map([master!, ...others].map((c) => [c.id, c]));
    const loserIds = others.map((c) => c.id);
    const photoDir = path.join(this.ctx.get<HostConfig>(TOKENS.Config).dataDir, 'photos');
    const filesToRemove: string[] = [];
    let copiedPhoto: string | null = null;

    let updated: Contact;
    try {
      updated = await this.db.transaction(async (transaction) => {
        // Locks the rows, and sees a merge or an edit that committed since they were loaded.
        const rows = await this.query<{ id: number; version: number; merged_into_id: number | null; deleted_at: unknown; photo: string | null }>(
          `SELECT id, version, merged_into_id, deleted_at, photo FROM crm_contacts WHERE id IN (${marks(loserIds.length + 1)})${this.db.getDialect() === 'sqlite' ? '' : ' FOR UPDATE'}`,
          [master!.id, ...loserIds],
        );
        if (rows.length !== loserIds.length + 1 || rows.some((r) => r.merged_into_id !== null || r.deleted_at)) throw new HttpError(409, 'conflict', 'crm:duplicates.errors.changed_meanwhile');
        const masterRow = rows.find((r) => Number(r.id) === master!.id)!;
        const version = Number(masterRow.version);
        if (request.version !== undefined && request.version !== version) throw new HttpError(409, 'conflict', 'crm:errors.stale_version', { current: master });

        const input = await this.masterInput(master!, others, winners, byId, transaction);
        if (Object.keys(input).length) await this.ctx.get<ContactsService>(CrmTokens.Contacts).update(user, master!.id, input, version, { transaction });

        const photoFrom = winners.photo !== undefined && winners.photo !== master!.id ? rows.find((r) => Number(r.id) === winners.photo)?.photo ?? null : undefined;
        if (photoFrom !== undefined) copiedPhoto = await this.takePhoto(user, master!.id, masterRow.photo, photoFrom, photoDir, transaction, filesToRemove);
        for (const r of rows) if (Number(r.id) !== master!.id && r.photo && r.photo !== photoFrom) filesToRemove.push(r.photo);

        await this.moveLinked(user, master!.id, loserIds, transaction);
        const events = this.ctx.get<EventBus>(TOKENS.Events);
        for (const fromId of loserIds) await events.emit(contactMerged, { fromId, intoId: master!.id, userId: user.id, transaction }, { rethrow: true });

        const now = new Date();
        await this.query(
          `UPDATE crm_contacts SET merged_into_id = ?, deleted_at = ?, version = version + 1, updated_at = ? WHERE id IN (${marks(loserIds.length)}) AND merged_into_id IS NULL`,
          [master!.id, now, now, ...loserIds],
        );
        await this.query('UPDATE crm_contacts SET version = version + 1, updated_at = ? WHERE id = ?', [now, master!.id]);
        await this.ctx.get<HistoryWriter>(CrmTokens.History).record(
          [{
            contactId: master!.id,
            action: 'merge',
            // The merged contacts as they were, so values that lost are not lost.
            oldValue: snapshots(others),
            newValue: { merged: others.map((c) => ({ id: c.id, name: c.name })), fields: Object.fromEntries(Object.entries(winners).filter(([, id]) => id !== master!.id)) },
          }],
          user.id,
          transaction,
        );
        return (await this.loader.byIds([master!.id], transaction))[0]!;
      });
    } catch (err) {
      if (copiedPhoto) await fs.rm(path.join(photoDir, copiedPhoto), { force: true });
      throw err;
    }
    // After the commit: files of replaced photos, and listeners that see the saved master.
    for (const name of filesToRemove) if (PHOTO_NAME.test(name)) await fs.rm(path.join(photoDir, name), { force: true });
    const changes: Record<string, { old: unknown; new: unknown }> = { merged: { old: null, new: loserIds } };
    for (const field of fieldsOf([master!, ...others])) {
      if (JSON.stringify(fieldValue(master!, field) ?? null) !== JSON.stringify(fieldValue(updated, field) ?? null)) changes[field] = { old: fieldValue(master!, field), new: fieldValue(updated, field) };
    }
    await this.ctx.get<EventBus>(TOKENS.Events).emit(contactUpdated, { contact: updated, userId: user.id, changes });
    return { master: updated, merged: loserIds };
  }

  /** The stored channels of these contacts, each contact's in its display order. */
  async channelRows(ids: number[], transaction?: Transaction): Promise<ChannelRecord[]> {
    const [rows] = await this.db.query(`SELECT contact_id, type, subtype, value, normalized, is_primary, consent FROM crm_channels WHERE contact_id IN (${marks(ids.length)}) ORDER BY contact_id, type, sort, id`, {
      replacements: ids,
      transaction,
    });
    return (rows as ChannelRecord[]).map((r) => ({ ...r, contact_id: Number(r.contact_id), is_primary: Boolean(r.is_primary), consent: Boolean(r.consent) }));
  }

  /** The master's changes as a contact input: winning values of others, and channel lists that grow. */
  private async masterInput(master: Contact, others: Contact[], winners: Record<string, number>, byId: Map<number, Contact>, transaction: Transaction): Promise<ContactInput> {
    const input: Record<string, unknown> = {};
    const custom: Record<string, unknown> = {};
    const merging = new Set([master.id, ...others.map((c) => c.id)]);
    for (const [field, winnerId] of Object.entries(winners)) {
      if (winnerId === master.id || field === 'photo') continue;
      let value = fieldValue(byId.get(winnerId)!, field);
      if ((field === 'company_id' || field === 'buyer_id') && merging.has(Number(value))) value = null; // would point at itself
      if (JSON.stringify(value ?? null) === JSON.stringify(fieldValue(master, field) ?? null)) continue;
      if (field.startsWith('custom.')) custom[field.slice(7)] = value;
      else input[field] = value;
    }
    if (Object.keys(custom).length) input.custom = custom;

    const rows = await this.channelRows([...merging], transaction);
    const kept = unionChannels(master.id, rows);
    const lists = channelInput(kept);
    for (const [field, type] of Object.entries(CHANNEL_FIELDS)) {
      const masterCount = rows.filter((r) => Number(r.contact_id) === master.id && r.type === type).length;
      if (lists[field]!.length > masterCount) input[field] = lists[field];
    }
    const addresses = unionAddresses(master, others);
    if (addresses.length > master.addresses.length) input.addresses = addresses;
    return input as ContactInput;
  }

  /**
   * The winning photo of another contact becomes the master's: a copy under the master's own file
   * name (photos are served only under their contact's id), written with history.
   */
  private async takePhoto(user: CurrentUser, masterId: number, current: string | null, from: string | null, dir: string, transaction: Transaction, remove: string[]): Promise<string | null> {
    let name: string | null = null;
    const m = from ? PHOTO_NAME.exec(from) : null;
    if (m) {
      name = `${masterId}-${randomBytes(8).toString('hex')}.${m[3]}`;
      await fs.copyFile(path.join(dir, from!), path.join(dir, name)).catch(() => (name = null));
    }
    if (name === current) return null;
    await this.db.query('UPDATE crm_contacts SET photo = ? WHERE id = ?', { replacements: [name, masterId], transaction });
    await this.ctx.get<HistoryWriter>(CrmTokens.History).record([{ contactId: masterId, action: 'update', field: 'photo', oldValue: current, newValue: name }], user.id, transaction);
    if (current) remove.push(current);
    return name;
  }

  /**
   * The CRM's own rows of the merged contacts: notes and history move to the master; employees
   * and payer links point at it (with history and a new version on each of those contacts); the
   * rest (channels, addresses, custom values, search words, selections) goes, the master having
   * taken what it keeps.
   */
  private async moveLinked(user: CurrentUser, masterId: number, loserIds: number[], transaction: Transaction): Promise<void> {
    const q = (sql: string, replacements: unknown[]) => this.db.query(sql, { replacements, transaction });
    const inLosers = `IN (${marks(loserIds.length)})`;
    await q(`UPDATE crm_notes SET contact_id = ? WHERE contact_id ${inLosers}`, [masterId, ...loserIds]);
    await q(`UPDATE crm_history SET contact_id = ? WHERE contact_id ${inLosers}`, [masterId, ...loserIds]);
    const now = new Date();
    for (const column of ['company_id', 'buyer_id'] as const) {
      // The master's own link to a merged contact would point at itself: cleared.
      await q(
        `INSERT INTO crm_history (contact_id, user_id, action, field, old_value, new_value, created_at)
         SELECT id, ?, 'update', '${column}', ${column}, CASE WHEN id = ? THEN NULL ELSE ? END, ? FROM crm_contacts WHERE ${column} ${inLosers}`,
        [user.id, masterId, String(masterId), now, ...loserIds],
      );
      await q(
        `UPDATE crm_contacts SET ${column} = CASE WHEN id = ? THEN NULL ELSE ? END, version = version + 1, updated_at = ? WHERE ${column} ${inLosers}`,
        [masterId, masterId, now, ...loserIds],
      );
    }
    for (const table of ['crm_channels', 'crm_addresses', 'crm_field_values', 'crm_search_terms', 'crm_selections']) {
      await q(`DELETE FROM ${table} WHERE contact_id ${inLosers}`, loserIds);
    }
  }
}
