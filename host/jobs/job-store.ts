/**
 * Every read and write of `host_jobs`. The table is the single source of truth for a job's state,
 * in every mode (BullMQ only carries ids). A claim puts a lease on the row (`locked_by` = a token
 * unique to that claim, `locked_until`); every later write of the run is fenced by that token, so
 * a worker that lost its lease cannot overwrite the new owner's progress or outcome.
 */
import { randomUUID } from 'node:crypto';
import { DataTypes, Op, type Model, type ModelStatic, type Sequelize, type WhereOptions } from 'sequelize';
import type { JobInfo, JobState } from '../api.js';

export interface JobRow extends Model {
  id: string;
  type: string;
  state: JobState;
  payload: string | null;
  checkpoint: string | null;
  result: string | null;
  error: string | null;
  processed: number;
  total: number | null;
  attempts: number;
  cancel_requested: boolean;
  user_id: number | null;
  locked_by: string | null;
  locked_until: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

export const FINAL_STATES: readonly JobState[] = ['done', 'failed', 'cancelled'];

export function isFinal(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

function jobModel(db: Sequelize): ModelStatic<JobRow> {
  // Models are per Sequelize instance; reuse one another service (or runner) already defined.
  const existing = db.models.HostJob as ModelStatic<JobRow> | undefined;
  if (existing) return existing;
  return db.define<JobRow>(
    'HostJob',
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      type: { type: DataTypes.STRING(190), allowNull: false },
      state: { type: DataTypes.STRING(20), allowNull: false },
      payload: DataTypes.TEXT,
      checkpoint: DataTypes.TEXT,
      result: DataTypes.TEXT,
      error: DataTypes.TEXT,
      processed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      total: DataTypes.INTEGER,
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      cancel_requested: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      user_id: DataTypes.INTEGER,
      locked_by: DataTypes.STRING(100),
      locked_until: DataTypes.DATE,
      started_at: DataTypes.DATE,
      finished_at: DataTypes.DATE,
    },
    { tableName: 'host_jobs', timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' },
  );
}

export function parseJson(text: string | null): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** JSON text for a column; `undefined` (a handler returning nothing) is stored as NULL. */
function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function toJobInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    processed: row.processed,
    total: row.total,
    result: parseJson(row.result),
    error: row.error,
    userId: row.user_id,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

export interface Outcome {
  state: 'done' | 'failed' | 'cancelled';
  result?: unknown;
  error?: string | null;
  /** The last progress, which throttling may not have written yet. */
  progress?: { processed: number; total: number | null };
}

export class JobStore {
  private readonly Job: ModelStatic<JobRow>;

  constructor(private readonly db: Sequelize) {
    this.Job = jobModel(db);
  }

  private leaseEnd(leaseMs: number): Date {
    return new Date(Date.now() + leaseMs);
  }

  /**
   * The fence for every write of a running job: `owner` is the token of one claim, so neither
   * another instance nor an older claim by this one can write once the lease has moved on.
   */
  private owned(id: string, owner: string): WhereOptions<JobRow> {
    return { id, state: 'running', locked_by: owner };
  }

  async insert(type: string, payload: unknown, userId: number | null): Promise<JobRow> {
    return this.Job.create({ id: randomUUID(), type, state: 'queued', payload: toJson(payload), user_id: userId });
  }

  async get(id: string): Promise<JobRow | null> {
    return this.Job.findByPk(id);
  }

  async list(filter: { userId?: number; limit?: number }): Promise<JobRow[]> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const where: WhereOptions<JobRow> = filter.userId === undefined ? {} : { user_id: filter.userId };
    return this.Job.findAll({ where, order: [['created_at', 'DESC']], limit });
  }

  /** Oldest queued job ids, for the in-process poller and for re-dispatching to BullMQ. */
  async queuedIds(limit?: number): Promise<string[]> {
    const rows = await this.Job.findAll({ attributes: ['id'], where: { state: 'queued' }, order: [['created_at', 'ASC']], ...(limit ? { limit } : {}) });
    return rows.map((r) => r.id);
  }

  /**
   * Takes a queued job: only one UPDATE can move it from `queued` to `running`, so of several
   * workers racing for the same id exactly one sees an affected row.
   */
  async claim(id: string, owner: string, leaseMs: number): Promise<JobRow | null> {
    const now = new Date();
    const [count] = await this.Job.update(
      { state: 'running', locked_by: owner, locked_until: this.leaseEnd(leaseMs), started_at: now, attempts: this.db.literal('attempts + 1') },
      { where: { id, state: 'queued' } },
    );
    return count === 1 ? this.get(id) : null;
  }

  /** Saves progress and extends the lease. False when the lease is no longer ours. */
  async saveProgress(id: string, owner: string, leaseMs: number, processed: number, total: number | null, checkpoint?: unknown): Promise<boolean> {
    const values: Partial<Pick<JobRow, 'processed' | 'total' | 'checkpoint' | 'locked_until'>> = { processed, total, locked_until: this.leaseEnd(leaseMs) };
    if (checkpoint !== undefined) values.checkpoint = toJson(checkpoint);
    const [count] = await this.Job.update(values, { where: this.owned(id, owner) });
    return count === 1;
  }

  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const [count] = await this.Job.update({ locked_until: this.leaseEnd(leaseMs) }, { where: this.owned(id, owner) });
    return count === 1;
  }

  async finish(id: string, owner: string, outcome: Outcome): Promise<boolean> {
    const [count] = await this.Job.update(
      {
        state: outcome.state,
        result: toJson(outcome.result),
        error: outcome.error ?? null,
        ...(outcome.progress ?? {}),
        locked_by: null,
        locked_until: null,
        finished_at: new Date(),
      },
      { where: this.owned(id, owner) },
    );
    return count === 1;
  }

  /** Hands a job back to the queue after a graceful stop; the attempt does not count. */
  async release(id: string, owner: string): Promise<boolean> {
    const [count] = await this.Job.update(
      { state: 'queued', locked_by: null, locked_until: null, attempts: this.db.literal('CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END') },
      { where: this.owned(id, owner) },
    );
    return count === 1;
  }

  async isCancelRequested(id: string): Promise<boolean> {
    const row = await this.Job.findByPk(id, { attributes: ['cancel_requested'] });
    return Boolean(row?.cancel_requested);
  }

  /** Cancels a queued job outright (it will never run) or flags a running one for its handler. */
  async cancel(id: string): Promise<'cancelled' | 'requested' | 'none'> {
    const [dropped] = await this.Job.update(
      { state: 'cancelled', cancel_requested: true, finished_at: new Date() },
      { where: { id, state: 'queued' } },
    );
    if (dropped === 1) return 'cancelled';
    const [flagged] = await this.Job.update({ cancel_requested: true }, { where: { id, state: 'running' } });
    return flagged === 1 ? 'requested' : 'none';
  }

  /**
   * Jobs left `running` by a dead worker (lease expired, or held by an earlier life of this
   * worker id) go back to `queued`, keeping their checkpoint, so a handler resumes from it.
   * Those already cancelled end as cancelled; those that lost their worker `maxAttempts` times
   * end as failed rather than take down every instance in turn. Returns the ids requeued.
   */
  async recover(ownPrefix: string | null, maxAttempts: number): Promise<string[]> {
    const now = new Date();
    // Few rows are running at any time, so decide in code rather than with LIKE (whose escaping differs by dialect).
    const rows = await this.Job.findAll({ where: { state: 'running' } });
    const requeued: string[] = [];
    for (const row of rows) {
      const own = ownPrefix !== null && row.locked_by !== null && row.locked_by.startsWith(ownPrefix);
      const expired = row.locked_until === null || row.locked_until.getTime() < now.getTime();
      if (!own && !expired) continue;
      // Re-check in the UPDATE itself, so an owner that renewed its lease meanwhile keeps the job.
      const where: WhereOptions<JobRow> = own
        ? { id: row.id, state: 'running', locked_by: row.locked_by }
        : { id: row.id, state: 'running', locked_by: row.locked_by, [Op.or]: [{ locked_until: null }, { locked_until: { [Op.lt]: now } }] };
      const released = { locked_by: null, locked_until: null };
      if (row.cancel_requested) {
        await this.Job.update({ ...released, state: 'cancelled', finished_at: now }, { where });
      } else if (row.attempts >= maxAttempts) {
        const error = `Gave up after ${row.attempts} attempts: the worker running this job stopped each time`;
        await this.Job.update({ ...released, state: 'failed', error, finished_at: now }, { where });
      } else {
        const [count] = await this.Job.update({ ...released, state: 'queued' }, { where });
        if (count === 1) requeued.push(row.id);
      }
    }
    return requeued;
  }
}
