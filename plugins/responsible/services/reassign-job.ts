/**
 * The reassignment job: moves every client of one user that the starter may see to the chosen
 * managers, in chunks of CHUNK contacts by id. Each chunk is one transaction: the rows are
 * locked, their responsible and version change, and history is written per contact. Progress
 * and a checkpoint follow each chunk, so a job interrupted by a restart resumes where it
 * stopped, and several managers keep sharing evenly (round robin over the moved contacts).
 */
import { Transaction, type Sequelize } from 'sequelize';
import { TOKENS, inject, injectable, type CurrentUser, type ExtensionRegistry, type I18nService, type JobContext, type UsersService } from '../../../host/api.js';
import { CrmTokens, contactClasses, type ContactScope, type HistoryWriter } from '../../crm/api.js';
import { RIGHTS, type ReassignRequest, type ReassignSummary } from '../api.js';

export const CHUNK = 500;
/** The job's handler in the container (internal to this plugin). */
export const REASSIGN_JOB_HANDLER = Symbol.for('responsible.internal.ReassignJob');

interface Checkpoint {
  lastId: number;
  moved: number;
  skipped: number;
  total: number;
  /** Moved so far per target user id. */
  counts: Record<string, number>;
}

interface Row {
  id: number;
  class_id: number | null;
  responsible_id: number | null;
  is_staff: boolean;
}

@injectable()
export class ReassignJob {
  /** Contacts per transaction (tests make it small to see several chunks). */
  chunkSize = CHUNK;

  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Users) private readonly users: UsersService,
    @inject(TOKENS.Extensions) private readonly extensions: ExtensionRegistry,
    @inject(TOKENS.I18n) private readonly i18n: I18nService,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.History) private readonly history: HistoryWriter,
  ) {}

  async run(job: JobContext<ReassignRequest>): Promise<ReassignSummary> {
    const user = job.userId === null ? null : await this.users.currentUser(job.userId);
    if (!user || !user.can(RIGHTS.reassign)) {
      throw new Error(this.i18n.t(user?.locale ?? 'en', 'responsible:errors.job_not_allowed'));
    }
    const { from_user_id: from, to_user_ids: targets } = job.payload;
    const checkpoint = job.checkpoint as Checkpoint | null;
    let state: Checkpoint = checkpoint ?? { lastId: 0, moved: 0, skipped: 0, total: await this.count(user, from), counts: {} };
    await job.progress(state.moved + state.skipped, state.total, state);
    let cancelled = false;
    for (;;) {
      if (await job.cancelled()) {
        cancelled = true;
        break;
      }
      const next = await this.chunk(user, from, targets, state);
      if (!next) break;
      state = next;
      // The total was counted at the start; contacts added to the user meanwhile are moved too.
      await job.progress(state.moved + state.skipped, Math.max(state.total, state.moved + state.skipped), state);
    }
    return this.summary(from, targets, state, cancelled);
  }

  private async count(user: CurrentUser, from: number): Promise<number> {
    const scope = this.scope.condition(user, 'c');
    const [rows] = await this.db.query(`SELECT COUNT(*) AS n FROM crm_contacts c WHERE c.responsible_id = ? AND c.deleted_at IS NULL AND ${scope.sql}`, {
      replacements: [from, ...scope.params],
    });
    return Number((rows as Array<{ n: number | string }>)[0]!.n);
  }

  /** Moves the next chunk; the new state, or null when nothing is left. */
  private async chunk(user: CurrentUser, from: number, targets: number[], state: Checkpoint): Promise<Checkpoint | null> {
    const mysql = this.db.getDialect() !== 'sqlite';
    // Rows read are rows changed: locked on MySQL, and SQLite takes its write lock at BEGIN.
    return this.db.transaction(mysql ? {} : { type: Transaction.TYPES.IMMEDIATE }, async (transaction) => {
      const scope = this.scope.condition(user, 'c');
      const [found] = await this.db.query(
        `SELECT c.id, c.class_id, c.responsible_id, c.is_staff FROM crm_contacts c
         WHERE c.responsible_id = ? AND c.deleted_at IS NULL AND c.id > ? AND ${scope.sql}
         ORDER BY c.id LIMIT ${Math.max(1, Math.floor(this.chunkSize))}${mysql ? ' FOR UPDATE' : ''}`,
        { replacements: [from, state.lastId, ...scope.params], transaction },
      );
      const rows = (found as Array<Record<string, unknown>>).map(
        (r): Row => ({ id: Number(r.id), class_id: r.class_id === null ? null : Number(r.class_id), responsible_id: Number(r.responsible_id), is_staff: Boolean(r.is_staff) }),
      );
      if (!rows.length) return null;
      const movable = await this.editable(user, rows);
      const next: Checkpoint = { ...state, counts: { ...state.counts }, lastId: rows.at(-1)!.id, skipped: state.skipped + rows.length - movable.length };
      const byTarget = new Map<number, number[]>();
      const entries = movable.map((row) => {
        const target = targets[next.moved % targets.length]!;
        next.moved++;
        next.counts[target] = (next.counts[target] ?? 0) + 1;
        byTarget.set(target, [...(byTarget.get(target) ?? []), row.id]);
        return { contactId: row.id, action: 'update', field: 'responsible_id', oldValue: from, newValue: target };
      });
      const now = new Date();
      for (const [target, ids] of byTarget) {
        // The version moves on, so an editor holding an older copy gets a conflict, not an overwrite.
        await this.db.query(`UPDATE crm_contacts SET responsible_id = ?, version = version + 1, updated_at = ? WHERE id IN (${ids.map(() => '?').join(',')}) AND responsible_id = ?`, {
          replacements: [target, now, ...ids, from],
          transaction,
        });
      }
      await this.history.record(entries, user.id, transaction);
      return next;
    });
  }

  /**
   * Contacts the caller may change, by the class rules (the reassign right stands in for the
   * CRM's edit right here, as this changes only the responsible).
   */
  private async editable(user: CurrentUser, rows: Row[]): Promise<Row[]> {
    const rules = this.extensions.list(contactClasses).filter((r) => r.canEdit);
    if (user.isAdmin || !rules.length) return rows;
    const allowed: Row[] = [];
    for (const row of rows) {
      let ok = true;
      for (const rule of rules) if (ok && !(await rule.canEdit!(user, row))) ok = false;
      if (ok) allowed.push(row);
    }
    return allowed;
  }

  private async summary(from: number, targets: number[], state: Checkpoint, cancelled: boolean): Promise<ReassignSummary> {
    const name = async (id: number) => (await this.users.get(id))?.name ?? `#${id}`;
    return {
      from: { id: from, name: await name(from) },
      moved: state.moved,
      skipped: state.skipped,
      to: await Promise.all(targets.map(async (id) => ({ user_id: id, name: await name(id), count: state.counts[id] ?? 0 }))),
      cancelled,
    };
  }
}
