/**
 * Changes many contacts at once for the mass actions, in batches: one SELECT and one UPDATE per
 * batch instead of a full save per contact, yet with what a single save guarantees: only contacts
 * inside the access scope that the user may edit, outside the trash; the "before save" veto per
 * contact; a version bump; history per contact in the same transaction; events after the commit.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { HttpError, TOKENS, type CurrentUser, type EventBus, type ExtensionRegistry, type PluginContext } from '../../../host/api.js';
import {
  CrmTokens,
  contactBeforeSave,
  contactClasses,
  contactDeleted,
  contactUpdated,
  type Contact,
  type ContactScope,
  type HistoryWriter,
} from '../api.js';
import type { ContactLoader } from '../services/contact-loader.js';
import { CrmInternalTokens } from '../services/contacts-service.js';

/** Contacts per transaction. */
export const BATCH = 500;

export type SettableField = 'status_id' | 'category_id' | 'responsible_id';

export interface BatchResult {
  changed: number;
  /** Contacts another plugin's "before save" check refused. */
  failed: number;
}

const marks = (n: number) => new Array(n).fill('?').join(', ');

export const forbidden = () => new HttpError(403, 'forbidden', 'host:errors.forbidden');

function batches(ids: number[]): number[][] {
  const unique = [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))].sort((a, b) => a - b);
  const out: number[][] = [];
  for (let i = 0; i < unique.length; i += BATCH) out.push(unique.slice(i, i + BATCH));
  return out;
}

export class BatchWriter {
  constructor(private readonly ctx: PluginContext) {}

  private get db(): Sequelize {
    return this.ctx.get<Sequelize>(TOKENS.Database);
  }

  private get scope(): ContactScope {
    return this.ctx.get<ContactScope>(CrmTokens.Scope);
  }

  /** Row locks on MariaDB, so a concurrent single save waits instead of being overwritten; SQLite writes one at a time anyway. */
  private get lock(): string {
    return this.db.getDialect() === 'sqlite' ? '' : ' FOR UPDATE';
  }

  /**
   * Of these ids, those the user may edit. Administrators and users whom no access rule limits
   * by contact need no per-contact check; otherwise the scope's own check decides for each.
   */
  private async editable(user: CurrentUser, ids: number[]): Promise<number[]> {
    const rules = this.ctx.get<ExtensionRegistry>(TOKENS.Extensions).list(contactClasses);
    if (user.isAdmin || !rules.some((r) => r.canEdit)) return ids;
    const out: number[] = [];
    for (const id of ids) if (await this.scope.canEdit(user, id)) out.push(id);
    return out;
  }

  /** Sets one field to `value` on the contacts among `ids` that the user may edit and that differ. */
  async setField(user: CurrentUser, ids: number[], field: SettableField, value: number | null): Promise<BatchResult> {
    if (!user.can('crm.contacts.edit')) throw forbidden();
    const result: BatchResult = { changed: 0, failed: 0 };
    for (const batch of batches(ids)) {
      const allowed = await this.editable(user, batch);
      if (!allowed.length) continue;
      const changes: Array<{ id: number; old: number | null }> = [];
      await this.db.transaction(async (transaction) => {
        const scope = this.scope.condition(user, 'c');
        const differs = value === null ? `c.${field} IS NOT NULL` : `(c.${field} IS NULL OR c.${field} <> ?)`;
        const [rows] = await this.db.query(
          `SELECT c.id, c.${field} AS old FROM crm_contacts c WHERE c.id IN (${marks(allowed.length)}) AND c.deleted_at IS NULL AND ${differs} AND ${scope.sql} ORDER BY c.id${this.lock}`,
          { replacements: [...allowed, ...(value === null ? [] : [value]), ...scope.params], transaction },
        );
        const found = (rows as Array<{ id: number; old: number | null }>).map((r) => ({ id: Number(r.id), old: r.old === null ? null : Number(r.old) }));
        const vetoed = await this.vetoed(user, found.map((r) => r.id), { [field]: value }, transaction);
        result.failed += vetoed.size;
        changes.push(...found.filter((r) => !vetoed.has(r.id)));
        if (!changes.length) return;
        await this.db.query(`UPDATE crm_contacts SET ${field} = ?, version = version + 1, updated_at = ? WHERE id IN (${marks(changes.length)})`, {
          replacements: [value, new Date(), ...changes.map((c) => c.id)],
          transaction,
        });
        await this.ctx.get<HistoryWriter>(CrmTokens.History).record(
          changes.map((c) => ({ contactId: c.id, action: 'update', field, oldValue: c.old, newValue: value })),
          user.id,
          transaction,
        );
      });
      result.changed += changes.length;
      // After the commit, as a single save does: handlers see the saved contacts.
      const events = this.ctx.get<EventBus>(TOKENS.Events);
      const old = new Map(changes.map((c) => [c.id, c.old]));
      for (const contact of await this.loader.byIds(changes.map((c) => c.id))) {
        await events.emit(contactUpdated, { contact, userId: user.id, changes: { [field]: { old: old.get(contact.id) ?? null, new: value } } });
      }
    }
    return result;
  }

  /** Moves the contacts among `ids` the user can see to the trash, as deleting one from its card does. */
  async trash(user: CurrentUser, ids: number[]): Promise<BatchResult> {
    if (!user.can('crm.contacts.delete')) throw forbidden();
    const result: BatchResult = { changed: 0, failed: 0 };
    for (const batch of batches(ids)) {
      const removed = await this.db.transaction(async (transaction) => {
        const scope = this.scope.condition(user, 'c');
        const [rows] = await this.db.query(
          `SELECT c.id FROM crm_contacts c WHERE c.id IN (${marks(batch.length)}) AND c.deleted_at IS NULL AND ${scope.sql} ORDER BY c.id${this.lock}`,
          { replacements: [...batch, ...scope.params], transaction },
        );
        const found = (rows as Array<{ id: number }>).map((r) => Number(r.id));
        if (!found.length) return [];
        await this.db.query(`UPDATE crm_contacts SET deleted_at = ?, version = version + 1 WHERE id IN (${marks(found.length)})`, {
          replacements: [new Date(), ...found],
          transaction,
        });
        await this.ctx.get<HistoryWriter>(CrmTokens.History).record(found.map((id) => ({ contactId: id, action: 'delete' })), user.id, transaction);
        return found;
      });
      result.changed += removed.length;
      const events = this.ctx.get<EventBus>(TOKENS.Events);
      for (const id of removed) await events.emit(contactDeleted, { id, userId: user.id, purged: false });
    }
    return result;
  }

  private get loader(): ContactLoader {
    return this.ctx.get<ContactLoader>(CrmInternalTokens.Loader);
  }

  /** Runs the "before save" check of other plugins per contact; the ones refused are left out, not the whole batch. */
  private async vetoed(user: CurrentUser, ids: number[], input: Record<string, unknown>, transaction: Transaction): Promise<Set<number>> {
    const refused = new Set<number>();
    if (!ids.length) return refused;
    const events = this.ctx.get<EventBus>(TOKENS.Events);
    const existing: Contact[] = await this.loader.byIds(ids, transaction);
    for (const contact of existing) {
      try {
        await events.emitBefore(contactBeforeSave, { input: { ...input }, existing: contact, user, transaction });
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        refused.add(contact.id);
      }
    }
    return refused;
  }
}
