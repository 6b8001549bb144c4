/**
 * Creating, changing, trashing and restoring contacts. Every write checks the access scope,
 * validates the whole input first (a translated error per field, nothing saved half-way), uses a
 * version number against lost updates, and records history in the same transaction.
 */
import { readCrmSettings } from './crm-settings.js';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import {
  HttpError,
  TOKENS,
  inject,
  injectable,
  type CurrentUser,
  type EventBus,
  type FieldError,
  type SettingsStore,
} from '../../../host/api.js';
import {
  CrmTokens,
  contactBeforeSave,
  contactCreated,
  contactDeleted,
  contactUpdated,
  type Contact,
  type ContactInput,
  type ContactKind,
  type ContactScope,
  type ContactsService,
  type HistoryWriter,
} from '../api.js';
import { crmModels, type ContactRow, type CrmModels } from '../models/crm-models.js';
import { CHANNEL_FIELDS, prepareContactInput, SCALAR_FIELDS, type ChannelField, type PreparedInput } from './contact-input.js';
import type { ContactLoader } from './contact-loader.js';
import { notFound } from './contact-scope.js';
import type { DictionariesService } from './dictionaries-service.js';
import type { FieldsService } from './fields-service.js';
import type { CountryCode } from './normalize/channels.js';
import { displayName, nameKey, searchTerms } from './normalize/text.js';

export const CrmInternalTokens = {
  Loader: Symbol.for('crm.internal.Loader'),
};

const invalid = (details: FieldError[]) => new HttpError(400, 'invalid_input', 'host:errors.invalid_input', details);

@injectable()
export class ContactsServiceImpl implements ContactsService {
  private readonly m: CrmModels;

  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Events) private readonly events: EventBus,
    @inject(TOKENS.Settings) private readonly settings: SettingsStore,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.History) private readonly history: HistoryWriter,
    @inject(CrmTokens.Fields) private readonly fields: FieldsService,
    @inject(CrmTokens.Dictionaries) private readonly dictionaries: DictionariesService,
    @inject(CrmInternalTokens.Loader) private readonly loader: ContactLoader,
  ) {
    this.m = crmModels(db);
  }

  private async defaultCountry(): Promise<CountryCode> {
    return (await readCrmSettings(this.settings)).default_phone_country;
  }

  /** The visible row, or 404; trashed rows only when asked. */
  private async visibleRow(user: CurrentUser, id: number, withDeleted: boolean, transaction?: Transaction): Promise<ContactRow> {
    if (!Number.isInteger(id) || id < 1) throw notFound();
    const scope = this.scope.condition(user, 'c');
    const [rows] = await this.db.query(`SELECT c.id FROM crm_contacts c WHERE c.id = ? AND ${scope.sql}${withDeleted ? '' : ' AND c.deleted_at IS NULL'}`, {
      replacements: [id, ...scope.params],
      transaction,
    });
    if (!(rows as unknown[]).length) throw notFound();
    return (await this.m.Contact.findByPk(id, { transaction }))!;
  }

  async get(user: CurrentUser, id: number, options: { withDeleted?: boolean } = {}): Promise<Contact> {
    const row = await this.visibleRow(user, id, options.withDeleted ?? false);
    return (await this.loader.hydrate([row]))[0]!;
  }

  /** Validates references: dictionaries, users, companies the user can see. */
  private async checkReferences(user: CurrentUser, prepared: PreparedInput, selfId: number | null, transaction: Transaction): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const s = prepared.scalars;
    for (const [field, dictionary] of [['status_id', 'status'], ['category_id', 'category'], ['client_type_id', 'client_type'], ['source_id', 'source']] as const) {
      const id = s[field];
      if (id === null || id === undefined) continue;
      const item = await this.dictionaries.get(Number(id));
      if (!item || item.dictionary !== dictionary) errors.push({ field, code: 'unknown', message: 'crm:errors.unknown_item' });
    }
    for (const field of ['responsible_id', 'user_id'] as const) {
      const id = s[field];
      if (id === null || id === undefined) continue;
      const [rows] = await this.db.query('SELECT id FROM host_users WHERE id = ? AND is_active = ?', { replacements: [id, true], transaction });
      if (!(rows as unknown[]).length) errors.push({ field, code: 'unknown', message: 'crm:errors.unknown_user' });
    }
    for (const field of ['company_id', 'buyer_id'] as const) {
      const id = s[field];
      if (id === null || id === undefined) continue;
      if (id === selfId) {
        errors.push({ field, code: 'self', message: 'crm:errors.self_reference' });
        continue;
      }
      const scope = this.scope.condition(user, 'c');
      const [rows] = await this.db.query(`SELECT c.id FROM crm_contacts c WHERE c.id = ? AND c.kind = 'company' AND c.deleted_at IS NULL AND ${scope.sql}`, {
        replacements: [id, ...scope.params],
        transaction,
      });
      if (!(rows as unknown[]).length) errors.push({ field, code: 'unknown', message: 'crm:errors.unknown_company' });
    }
    return errors;
  }

  private async prepare(user: CurrentUser, input: ContactInput, kind: ContactKind, creating: boolean, selfId: number | null, transaction: Transaction) {
    const { prepared, errors } = prepareContactInput(input, kind, { creating, defaultCountry: await this.defaultCountry() });
    if (prepared.custom) {
      const custom = await this.fields.validate(prepared.custom, { requireAll: creating });
      errors.push(...custom.errors);
      prepared.custom = custom.values;
    } else if (creating) {
      errors.push(...(await this.fields.validate({}, { requireAll: true })).errors);
    }
    errors.push(...(await this.checkReferences(user, prepared, selfId, transaction)));
    if (errors.length) throw invalid(errors);
    return prepared;
  }

  private async writeChannels(contactId: number, prepared: PreparedInput, transaction: Transaction): Promise<void> {
    for (const [field, list] of Object.entries(prepared.channels) as Array<[ChannelField, PreparedInput['channels'][ChannelField]]>) {
      await this.m.Channel.destroy({ where: { contact_id: contactId, type: CHANNEL_FIELDS[field] }, transaction });
      if (list?.length) await this.m.Channel.bulkCreate(list.map((c, sort) => ({ ...c, contact_id: contactId, sort })), { transaction });
    }
    if (prepared.addresses) {
      await this.m.Address.destroy({ where: { contact_id: contactId }, transaction });
      if (prepared.addresses.length) await this.m.Address.bulkCreate(prepared.addresses.map((a, sort) => ({ ...a, contact_id: contactId, sort })), { transaction });
    }
  }

  private async writeSearchTerms(row: ContactRow, transaction: Transaction): Promise<void> {
    await this.m.SearchTerm.destroy({ where: { contact_id: row.id }, transaction });
    const terms = searchTerms(row.first_name, row.middle_name, row.last_name, row.company_name);
    if (terms.length) await this.m.SearchTerm.bulkCreate(terms.map((term) => ({ term, contact_id: row.id, name_key: row.name_key })), { transaction, ignoreDuplicates: true });
  }

  /** The derived columns: display name, sort key, has email / has phone. */
  private derive(row: ContactRow): void {
    row.display_name = displayName(row).slice(0, 190);
    row.name_key = nameKey(row.display_name);
  }

  private async channelFlags(contactId: number, transaction: Transaction): Promise<{ has_email: boolean; has_phone: boolean }> {
    const types = (await this.m.Channel.findAll({ attributes: ['type'], where: { contact_id: contactId, type: { [Op.in]: ['email', 'phone'] } }, transaction })).map((c) => c.type);
    return { has_email: types.includes('email'), has_phone: types.includes('phone') };
  }

  private async inTransaction<T>(transaction: Transaction | undefined, fn: (t: Transaction) => Promise<T>): Promise<T> {
    return transaction ? fn(transaction) : this.db.transaction(fn);
  }

  async create(user: CurrentUser, input: ContactInput & { kind: ContactKind }, options: { transaction?: Transaction } = {}): Promise<Contact> {
    if (!user.can('crm.contacts.create')) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
    const contact = await this.inTransaction(options.transaction, async (transaction) => {
      const prepared = await this.prepare(user, input, input.kind, true, null, transaction);
      await this.events.emitBefore(contactBeforeSave, { input, existing: null, user, transaction });
      const row = this.m.Contact.build({ kind: input.kind, version: 1, created_by: user.id, is_staff: false, has_email: false, has_phone: false });
      for (const f of SCALAR_FIELDS) if (f in prepared.scalars) row.set(f, prepared.scalars[f]);
      this.derive(row);
      await row.save({ transaction });
      await this.writeChannels(row.id, prepared, transaction);
      Object.assign(row, await this.channelFlags(row.id, transaction));
      await row.save({ transaction });
      await this.writeSearchTerms(row, transaction);
      if (prepared.custom) await this.fields.write(row.id, prepared.custom as never, transaction);
      await this.history.record([{ contactId: row.id, action: 'create', newValue: row.display_name }], user.id, transaction);
      // Read back, so every column (and the stored timestamp precision) is what a later GET sees.
      return (await this.loader.byIds([row.id], transaction))[0]!;
    });
    if (!options.transaction) await this.events.emit(contactCreated, { contact, userId: user.id }); // after the commit: handlers see the saved contact
    return contact;
  }

  async update(user: CurrentUser, id: number, input: ContactInput, version: number, options: { transaction?: Transaction } = {}): Promise<Contact> {
    if (!(await this.scope.canEdit(user, id))) {
      await this.scope.assertVisible(user, id); // 404 first: never reveal a contact the user cannot see
      throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
    }
    let changes: Record<string, { old: unknown; new: unknown }> = {};
    const contact = await this.inTransaction(options.transaction, async (transaction) => {
      const row = await this.visibleRow(user, id, false, transaction);
      const before = (await this.loader.hydrate([row], transaction))[0]!;
      if (row.version !== version) throw this.conflict(before);
      const kind = (input.kind ?? row.kind) as ContactKind;
      const prepared = await this.prepare(user, input, kind, false, id, transaction);
      await this.events.emitBefore(contactBeforeSave, { input, existing: before, user, transaction });

      changes = {};
      if (input.kind && input.kind !== row.kind) {
        changes.kind = { old: row.kind, new: input.kind };
        row.kind = input.kind;
      }
      for (const f of SCALAR_FIELDS) {
        if (!(f in prepared.scalars)) continue;
        const next = prepared.scalars[f] ?? null;
        const old = (before as unknown as Record<string, unknown>)[f] ?? null;
        if (JSON.stringify(old) === JSON.stringify(next)) continue;
        changes[f] = { old, new: next };
        row.set(f, next);
      }
      const channelChanged: PreparedInput = { scalars: {}, channels: {} };
      for (const field of Object.keys(prepared.channels) as ChannelField[]) {
        const next = this.apiShape(field, prepared.channels[field]!);
        const old = (before as unknown as Record<string, unknown>)[field];
        if (JSON.stringify(old) === JSON.stringify(next)) continue;
        changes[field] = { old, new: next };
        channelChanged.channels[field] = prepared.channels[field];
      }
      if (prepared.addresses && JSON.stringify(before.addresses) !== JSON.stringify(prepared.addresses)) {
        changes.addresses = { old: before.addresses, new: prepared.addresses };
        channelChanged.addresses = prepared.addresses;
      }
      const customChanges = prepared.custom ? await this.fields.write(id, prepared.custom as never, transaction) : [];
      for (const c of customChanges) changes[`custom.${c.key}`] = { old: c.old, new: c.new };
      if (!Object.keys(changes).length) return before;

      await this.writeChannels(id, channelChanged, transaction);
      Object.assign(row, await this.channelFlags(id, transaction));
      this.derive(row);
      row.version = version + 1;
      // The version check in the WHERE makes a concurrent writer's save fail instead of overwriting.
      const [updated] = await this.m.Contact.update(row.get({ plain: true }) as Record<string, unknown>, { where: { id, version }, transaction });
      if (updated !== 1) throw this.conflict((await this.loader.byIds([id], transaction))[0]!);
      if (['first_name', 'middle_name', 'last_name', 'company_name', 'kind'].some((f) => f in changes)) await this.writeSearchTerms(row, transaction);
      await this.history.record(
        Object.entries(changes).map(([field, c]) => ({ contactId: id, action: 'update', field, oldValue: c.old, newValue: c.new })),
        user.id,
        transaction,
      );
      return (await this.loader.byIds([id], transaction))[0]!;
    });
    if (!options.transaction && Object.keys(changes).length) await this.events.emit(contactUpdated, { contact, userId: user.id, changes });
    return contact;
  }

  /** The API shape of prepared channels, to compare with the stored contact. */
  private apiShape(field: ChannelField, list: NonNullable<PreparedInput['channels'][ChannelField]>): unknown {
    if (field === 'domains') return list.map((c) => c.value);
    if (field === 'messengers') return list.map((c) => ({ type: c.subtype, value: c.value }));
    if (field === 'tax_ids') return list.map((c) => ({ type: c.subtype, value: c.value }));
    return list.map((c) => ({ value: c.value, label: c.subtype, primary: c.is_primary, ...(field === 'emails' ? { consent: c.consent } : {}) }));
  }

  private conflict(current: Contact): HttpError {
    return new HttpError(409, 'conflict', 'crm:errors.stale_version', { current });
  }

  async remove(user: CurrentUser, id: number): Promise<void> {
    await this.visibleRow(user, id, false);
    if (!user.can('crm.contacts.delete')) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
    await this.db.transaction(async (transaction) => {
      await this.m.Contact.update({ deleted_at: new Date(), version: this.db.literal('version + 1') }, { where: { id }, transaction });
      await this.history.record([{ contactId: id, action: 'delete' }], user.id, transaction);
    });
    await this.events.emit(contactDeleted, { id, userId: user.id, purged: false });
  }

  async restore(user: CurrentUser, id: number): Promise<Contact> {
    const row = await this.visibleRow(user, id, true);
    if (!user.can('crm.contacts.delete')) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
    if (!row.deleted_at) return this.get(user, id);
    await this.db.transaction(async (transaction) => {
      await this.m.Contact.update({ deleted_at: null, version: this.db.literal('version + 1') }, { where: { id }, transaction });
      await this.history.record([{ contactId: id, action: 'restore' }], user.id, transaction);
    });
    return this.get(user, id);
  }

  async purge(user: CurrentUser, id: number): Promise<void> {
    const row = await this.visibleRow(user, id, true);
    if (!user.can('crm.trash.purge')) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
    if (!row.deleted_at) throw new HttpError(409, 'conflict', 'crm:errors.purge_not_in_trash');
    await this.db.transaction(async (transaction) => {
      // Links from other contacts would dangle: clear them, with history on those contacts.
      const linked = await this.m.Contact.findAll({ where: { [Op.or]: [{ company_id: id }, { buyer_id: id }] }, transaction });
      for (const other of linked) {
        const entries = [];
        if (other.company_id === id) entries.push({ contactId: other.id, action: 'update', field: 'company_id', oldValue: id, newValue: null });
        if (other.buyer_id === id) entries.push({ contactId: other.id, action: 'update', field: 'buyer_id', oldValue: id, newValue: null });
        await this.history.record(entries, user.id, transaction);
      }
      await this.m.Contact.update({ company_id: null }, { where: { company_id: id }, transaction });
      await this.m.Contact.update({ buyer_id: null }, { where: { buyer_id: id }, transaction });
      await this.m.History.destroy({ where: { contact_id: id }, transaction });
      await this.m.Contact.destroy({ where: { id }, transaction });
    });
    await this.events.emit(contactDeleted, { id, userId: user.id, purged: true });
  }
}
