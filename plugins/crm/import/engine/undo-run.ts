/**
 * Undoing an import, run by its job: the contacts it created go to the trash (restorable, with a
 * "delete" history entry each, like any trashed contact), and the contacts it updated get their
 * old values back through the contacts service (history, version), and what plugin columns
 * changed on them (tags the import added) taken back by each column's `revert`. An updated contact
 * changed again since the import keeps its current values: it is counted as kept, never overwritten.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { HttpError, type Contributed, type CurrentUser, type EventBus, type JobContext } from '../../../../host/api.js';
import { contactDeleted, type ContactInput, type ContactScope, type ContactsService, type HistoryWriter, type IoColumn } from '../../api.js';
import { groupBy } from '../../services/contact-loader.js';
import type { ImportStore, OutcomeRow } from './import-store.js';

const PAGE = 1000;
const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

async function currentVersions(db: Sequelize, ids: number[]): Promise<Map<number, number>> {
  if (!ids.length) return new Map();
  const rows = await db.query<{ id: number; version: number }>(`SELECT id, version FROM crm_contacts WHERE id IN (${marks(ids.length)}) AND deleted_at IS NULL`, { replacements: ids, type: QueryTypes.SELECT });
  return new Map(rows.map((r) => [Number(r.id), Number(r.version)]));
}

/** Each plugin column takes back what it changed on these contacts, in one transaction. */
async function revertColumns(deps: UndoDeps, rows: Array<Pick<OutcomeRow, 'contactId' | 'undo'>>, user: CurrentUser): Promise<void> {
  const changes = rows.flatMap((row) => Object.entries(row.undo?.io ?? {}).map(([target, data]) => ({ target, contactId: row.contactId!, data })));
  const byColumn = groupBy(changes, (c) => c.target);
  if (!byColumn.size) return;
  await deps.db.transaction(async (transaction) => {
    for (const [target, list] of byColumn) await deps.io.get(target)?.revert?.(list, { userId: user.id, transaction });
  });
}

export interface UndoDeps {
  db: Sequelize;
  store: ImportStore;
  scope: ContactScope;
  contacts: ContactsService;
  history: HistoryWriter;
  events: EventBus;
  /** The plugin columns by id, for `revert`. */
  io: Map<string, Contributed<IoColumn>>;
}

export async function undoImport(deps: UndoDeps, importId: number, user: CurrentUser, job: JobContext<unknown> | null): Promise<{ trashed: number; restored: number; kept: number }> {
  const { db, store } = deps;
  const result = { trashed: 0, restored: 0, kept: 0 };
  let done = 0;
  const record = (await store.get(importId))!;
  const total = record.created + record.updated;

  const trash = async (ids: number[]) => {
    const trashed = await db.transaction(async (transaction) => {
      const s = deps.scope.condition(user, 'c');
      const live = await db.query<{ id: number }>(`SELECT c.id FROM crm_contacts c WHERE c.id IN (${marks(ids.length)}) AND c.deleted_at IS NULL AND ${s.sql}`, {
        replacements: [...ids, ...s.params],
        type: QueryTypes.SELECT,
        transaction,
      });
      const found = live.map((r) => Number(r.id));
      if (!found.length) return found;
      await db.query(`UPDATE crm_contacts SET deleted_at = ?, version = version + 1 WHERE id IN (${marks(found.length)})`, { replacements: [new Date(), ...found], transaction });
      await deps.history.record(found.map((contactId) => ({ contactId, action: 'delete' })), user.id, transaction);
      return found;
    });
    result.trashed += trashed.length;
    result.kept += ids.length - trashed.length;
    for (const id of trashed) await deps.events.emit(contactDeleted, { id, userId: user.id, purged: false });
    done += ids.length;
    await job?.progress(done, total);
  };

  // Created contacts are recorded as id ranges (older imports: one row per contact).
  let ids: number[] = [];
  for (let after = 0; ; ) {
    const page = await store.outcomes(importId, 'created', after, 100);
    if (!page.length) break;
    after = page.at(-1)!.id;
    for (const row of page) {
      if (!row.contactId) continue;
      for (let id = row.contactId; id <= (row.lastContactId ?? row.contactId); id++) {
        ids.push(id);
        if (ids.length === PAGE) {
          await trash(ids);
          ids = [];
        }
      }
    }
  }
  if (ids.length) await trash(ids);

  for (let after = 0; ; ) {
    const page = await store.outcomes(importId, 'updated', after, PAGE);
    if (!page.length) break;
    after = page.at(-1)!.id;
    const rows = page.filter((row) => row.contactId && row.undo && (Object.keys(row.undo.old).length || Object.keys(row.undo.io ?? {}).length));
    // Only contacts at the version the import left: anything else means somebody changed them since.
    const versions = await currentVersions(db, rows.map((r) => r.contactId!));
    const unchanged = rows.filter((r) => versions.get(r.contactId!) === r.undo!.version);
    result.kept += rows.length - unchanged.length;
    await revertColumns(deps, unchanged, user);
    for (const row of unchanged) {
      if (!Object.keys(row.undo!.old).length) {
        result.restored++;
        continue;
      }
      try {
        await deps.contacts.update(user, row.contactId!, row.undo!.old as ContactInput, row.undo!.version);
        result.restored++;
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        result.kept++;
      }
    }
    done += page.length;
    await job?.progress(done, total);
  }
  return result;
}
