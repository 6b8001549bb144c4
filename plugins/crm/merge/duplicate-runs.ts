/**
 * Runs of the duplicate finder and their stored groups. A small base is searched at once, within
 * the request; a big one (or when asked) by a host job with progress and cancel. Either way the
 * groups are stored per user, so the page lists them after the job, page by page. "Not
 * duplicates" is remembered by the group's signature and hides that group from later runs.
 */
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, type CurrentUser, type JobContext, type JobRunner, type PluginContext, type UsersService } from '../../../host/api.js';
import { DuplicateFinder, type FoundGroup, type Reason } from './duplicate-finder.js';

/** Bases up to this many contacts are searched within the request. */
export const INLINE_LIMIT = 50_000;
/** The job type, `ctx.job('duplicates')` in the CRM plugin. */
export const DUPLICATES_JOB = 'crm.duplicates';
const INSERT_CHUNK = 500;

export type RunState = 'running' | 'done' | 'failed' | 'cancelled';

export interface DuplicateRun {
  id: number;
  state: RunState;
  job_id: string | null;
  group_count: number;
  created_at: string;
  finished_at: string | null;
}

export interface StoredGroup {
  id: number;
  signature: string;
  reasons: Array<{ reason: Reason; value: string }>;
  member_ids: number[];
}

const iso = (d: unknown): string | null => (d ? new Date(d as string).toISOString() : null);

function runOf(r: Record<string, unknown>): DuplicateRun {
  return {
    id: Number(r.id),
    state: r.state as RunState,
    job_id: (r.job_id as string | null) ?? null,
    group_count: Number(r.group_count),
    created_at: iso(r.created_at)!,
    finished_at: iso(r.finished_at),
  };
}

export class DuplicateRuns {
  constructor(private readonly ctx: PluginContext) {}

  private get db() {
    return this.ctx.get<Sequelize>(TOKENS.Database);
  }

  private async rows<T>(sql: string, replacements: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, { replacements }))[0] as T[];
  }

  /** Starts a run: at once for a small base (done when this returns), else as a job. */
  async start(user: CurrentUser, options: { background?: boolean } = {}): Promise<DuplicateRun> {
    if (!user.can('crm.contacts.merge')) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
    const [{ n }] = await this.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM crm_contacts LIMIT ${INLINE_LIMIT + 1}) x`);
    const now = new Date();
    await this.db.query('INSERT INTO crm_duplicate_runs (user_id, state, group_count, created_at) VALUES (?, ?, 0, ?)', { replacements: [user.id, 'running', now] });
    const [{ id }] = await this.rows<{ id: number }>('SELECT MAX(id) AS id FROM crm_duplicate_runs WHERE user_id = ?', [user.id]);
    const runId = Number(id);
    if (options.background || Number(n) > INLINE_LIMIT) {
      const jobId = await this.ctx.get<JobRunner>(TOKENS.Jobs).enqueue(DUPLICATES_JOB, { runId }, { userId: user.id });
      await this.db.query('UPDATE crm_duplicate_runs SET job_id = ? WHERE id = ?', { replacements: [jobId, runId] });
    } else {
      await this.execute(user, runId);
    }
    return (await this.get(user, runId))!;
  }

  /** Finds and stores the groups of a run; the previous runs of the user go. */
  async execute(user: CurrentUser, runId: number, job?: JobContext<unknown>): Promise<number | null> {
    let groups: FoundGroup[] | null;
    try {
      groups = await new DuplicateFinder(this.ctx).find(user, job ? { progress: (done, total) => job.progress(done, total), cancelled: () => job.cancelled() } : {});
    } catch (err) {
      await this.finish(runId, 'failed', 0);
      throw err;
    }
    if (!groups) {
      await this.finish(runId, 'cancelled', 0);
      return null;
    }
    const dismissed = await this.dismissedOf(groups.map((g) => g.signature));
    const kept = groups.filter((g) => !dismissed.has(g.signature)).sort((a, b) => a.memberIds[0]! - b.memberIds[0]!);
    await this.db.transaction(async (transaction) => {
      for (let i = 0; i < kept.length; i += INSERT_CHUNK) {
        const chunk = kept.slice(i, i + INSERT_CHUNK);
        await this.db.query(`INSERT INTO crm_duplicate_groups (run_id, signature, reasons, member_ids, size) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, {
          replacements: chunk.flatMap((g) => [runId, g.signature, JSON.stringify(g.reasons), JSON.stringify(g.memberIds), g.memberIds.length]),
          transaction,
        });
      }
      const older = await this.rows<{ id: number }>('SELECT id FROM crm_duplicate_runs WHERE user_id = ? AND id < ?', [user.id, runId]);
      for (const r of older) {
        await this.db.query('DELETE FROM crm_duplicate_groups WHERE run_id = ?', { replacements: [r.id], transaction });
        await this.db.query('DELETE FROM crm_duplicate_runs WHERE id = ?', { replacements: [r.id], transaction });
      }
    });
    await this.finish(runId, 'done', kept.length);
    return kept.length;
  }

  private async finish(runId: number, state: RunState, count: number): Promise<void> {
    await this.db.query('UPDATE crm_duplicate_runs SET state = ?, group_count = ?, finished_at = ? WHERE id = ?', { replacements: [state, count, new Date(), runId] });
  }

  private async dismissedOf(signatures: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < signatures.length; i += 1000) {
      const chunk = signatures.slice(i, i + 1000);
      const rows = await this.rows<{ signature: string }>(`SELECT signature FROM crm_duplicate_dismissals WHERE signature IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const r of rows) out.add(r.signature);
    }
    return out;
  }

  /** A run of this user; null for another user's or an unknown one. */
  async get(user: CurrentUser, runId: number): Promise<DuplicateRun | null> {
    const [row] = await this.rows<Record<string, unknown>>('SELECT * FROM crm_duplicate_runs WHERE id = ? AND user_id = ?', [runId, user.id]);
    return row ? runOf(row) : null;
  }

  /** The user's latest run (running or finished). */
  async latest(user: CurrentUser): Promise<DuplicateRun | null> {
    const [row] = await this.rows<Record<string, unknown>>('SELECT * FROM crm_duplicate_runs WHERE user_id = ? ORDER BY id DESC LIMIT 1', [user.id]);
    return row ? runOf(row) : null;
  }

  /** A page of a run's groups, without those dismissed since. */
  async groups(runId: number, page: number, perPage: number): Promise<{ items: StoredGroup[]; total: number }> {
    const where = 'g.run_id = ? AND NOT EXISTS (SELECT 1 FROM crm_duplicate_dismissals d WHERE d.signature = g.signature)';
    const [{ n }] = await this.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM crm_duplicate_groups g WHERE ${where}`, [runId]);
    const rows = await this.rows<{ id: number; signature: string; reasons: string; member_ids: string }>(
      `SELECT g.id, g.signature, g.reasons, g.member_ids FROM crm_duplicate_groups g WHERE ${where} ORDER BY g.id LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`,
      [runId],
    );
    return {
      total: Number(n),
      items: rows.map((r) => ({ id: Number(r.id), signature: r.signature, reasons: JSON.parse(r.reasons), member_ids: JSON.parse(r.member_ids) })),
    };
  }

  /** "Not duplicates": this set of contacts is never offered again. */
  async dismiss(user: CurrentUser, signature: string): Promise<void> {
    if (!user.can('crm.contacts.merge')) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
    const [known] = await this.rows('SELECT g.id FROM crm_duplicate_groups g JOIN crm_duplicate_runs r ON r.id = g.run_id WHERE g.signature = ? AND r.user_id = ?', [signature, user.id]);
    if (!known) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    const [exists] = await this.rows('SELECT signature FROM crm_duplicate_dismissals WHERE signature = ?', [signature]);
    if (!exists) await this.db.query('INSERT INTO crm_duplicate_dismissals (signature, user_id, created_at) VALUES (?, ?, ?)', { replacements: [signature, user.id, new Date()] });
  }
}

/** The job: the user's rights and scope are read again when it runs. */
export function registerDuplicatesJob(ctx: PluginContext): void {
  ctx.job<{ runId: number }>('duplicates', async (job) => {
    const user = job.userId === null ? null : await ctx.get<UsersService>(TOKENS.Users).currentUser(job.userId);
    if (!user) throw new Error('The user who started this search no longer exists.');
    const count = await new DuplicateRuns(ctx).execute(user, job.payload.runId, job as JobContext<unknown>);
    return { run_id: job.payload.runId, groups: count };
  });
}
