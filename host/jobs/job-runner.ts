/**
 * The host's one job runner. State lives in `host_jobs` (see job-store.ts); work reaches a
 * worker either by polling that table (no Redis) or through BullMQ deliveries of ids (Redis).
 *
 * - Claim: an atomic `queued -> running` UPDATE that puts a lease (a per-claim token and an
 *   expiry) on the row; a heartbeat and every progress write extend it.
 * - Resume: on start, and every lease period, jobs left `running` with an expired lease (or held
 *   by an earlier life of this worker id) go back to `queued` with their checkpoint; the next
 *   claim hands that checkpoint to the handler as `ctx.checkpoint`.
 * - Cancel: a queued job is cancelled outright; a running one gets `cancel_requested`, which
 *   `ctx.cancelled()` reports, and ends as `cancelled` whatever its handler returns.
 * - Stop: no new claims; each running handler is interrupted at its next progress call (its
 *   checkpoint saved, the job requeued) or allowed to finish, within `stopTimeoutMs`.
 * The interruption is an error thrown by `ctx.progress`: handlers must let it propagate.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { JobContext, JobHandler, JobInfo, JobRunner } from '../api.js';
import { BullDispatch } from './bull-dispatch.js';
import { JobStore, isFinal, parseJson, toJobInfo, type JobRow, type Outcome } from './job-store.js';
import { JobSubscriptions, type JobListener } from './job-subscriptions.js';

export interface JobRunnerOptions {
  redisUrl: string | null;
  /** Names this runner in leases; defaults to host:pid:random. */
  workerId?: string;
  /** How often the in-process worker looks for queued jobs (no Redis). */
  pollMs?: number;
  /** Jobs run at once by this runner. */
  concurrency?: number;
  /** Redis key prefix for BullMQ, so several deployments or test runs can share one Redis. */
  queuePrefix?: string;
  /** How long a claim holds a job without a heartbeat before another worker may resume it. */
  leaseMs?: number;
  /** How long stop() waits for running handlers before leaving them to lease expiry. */
  stopTimeoutMs?: number;
  /** Claims after which a job that keeps losing its worker is failed instead of resumed again. */
  maxAttempts?: number;
}

/** At most ~4 progress writes (and notifications) per second per job. */
const PROGRESS_WRITE_MS = 250;
/** How stale `ctx.cancelled()` may be when the cancel came from another instance. */
const CANCEL_CHECK_MS = 250;
/** setTimeout's maximum: "no timeout" for waitFor. */
const FOREVER_MS = 2_147_483_647;

type InterruptReason = 'stopping' | 'lease-lost' | 'abandoned';

/** Thrown out of `ctx.progress` to unwind a handler that must stop now; the runner catches it. */
class JobInterrupted extends Error {
  constructor(readonly reason: InterruptReason) {
    super(`Job interrupted: ${reason}`);
    this.name = 'JobInterrupted';
  }
}

interface ActiveJob {
  row: JobRow;
  /** The lease token of this claim; every write of the run is fenced by it. */
  token: string;
  processed: number;
  total: number | null;
  lastWriteAt: number;
  trailing: NodeJS.Timeout | null;
  cancelled: boolean;
  cancelCheckedAt: number;
  interrupt: InterruptReason | null;
  done: Promise<void>;
}

/** Errors are shown to users and kept in a TEXT column: keep them to a readable size. */
function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 2000 ? `${message.slice(0, 2000)}…` : message;
}

/** A result that cannot be stored must fail the job, not leave it running until its lease ends. */
function storable(result: unknown): Outcome {
  try {
    JSON.stringify(result);
    return { state: 'done', result };
  } catch (err) {
    return { state: 'failed', error: `The job's result cannot be stored as JSON: ${messageOf(err)}` };
  }
}

export class JobRunnerImpl implements JobRunner {
  private readonly store: JobStore;
  private readonly subscriptions: JobSubscriptions;
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  /** Running here, by lease token (the same job id may briefly appear twice after a lost lease). */
  private readonly active = new Map<string, ActiveJob>();
  private readonly workerId: string;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly stopTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly bull: BullDispatch | null = null;
  /** Set while stop() closes Redis, so late internal re-dispatches do not reopen it. */
  private dispatchClosed = false;
  private started = false;
  private stopping = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    db: Sequelize,
    private readonly logger: Logger,
    options: JobRunnerOptions,
  ) {
    this.store = new JobStore(db);
    this.subscriptions = new JobSubscriptions(async (id) => this.get(id), logger);
    // Leave room in the 100-character column for the per-claim suffix.
    this.workerId = (options.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`).slice(0, 80);
    this.pollMs = options.pollMs ?? 1000;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    if (options.redisUrl) {
      this.bull = new BullDispatch({ url: options.redisUrl, prefix: options.queuePrefix, concurrency: this.concurrency }, logger);
    }
  }

  /** Registers the handler of a job type (a full name such as `crm.import`). */
  define<P>(type: string, handler: JobHandler<P>): void {
    if (this.handlers.has(type)) throw new Error(`Job type "${type}" is already defined`);
    this.handlers.set(type, handler as JobHandler<unknown>);
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.dispatchClosed = false;
    try {
      const resumed = await this.store.recover(`${this.workerId}#`, this.maxAttempts);
      if (resumed.length) this.logger.info({ jobs: resumed }, 'resuming jobs left running by a stopped worker');
      if (this.bull) {
        await this.bull.start((id) => this.runDelivered(id));
        // Covers deliveries lost with Redis data or never made; duplicates only fail their claim.
        await this.bull.add(await this.store.queuedIds());
      } else {
        this.kick();
      }
    } catch (err) {
      this.started = false;
      throw err;
    }
    this.sweepTimer = setInterval(() => void this.sweep(), this.leaseMs);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.pollTimer = this.sweepTimer = null;
    await this.bull?.pause();
    await this.polling;
    const drained = await this.drain();
    if (!drained) {
      // The handler ignores us; its lease runs out and another worker resumes it from its checkpoint.
      for (const job of this.active.values()) job.interrupt = 'abandoned';
      this.logger.warn({ jobs: [...this.active.values()].map((j) => j.row.id) }, 'jobs still running at stop; left to lease expiry');
    }
    this.dispatchClosed = true;
    await this.bull?.close(!drained);
    this.started = false;
  }

  private async drain(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const finished = Promise.all([...this.active.values()].map((job) => job.done)).then(() => true);
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.stopTimeoutMs);
    });
    try {
      return await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Periodic resume of jobs whose worker died while this runner keeps running. */
  private async sweep(): Promise<void> {
    try {
      const ids = await this.store.recover(null, this.maxAttempts);
      if (!ids.length) return;
      this.logger.info({ jobs: ids }, 'resuming jobs whose worker stopped');
      if (this.bull) await this.redispatch(ids);
      else this.kick();
    } catch (err) {
      this.logger.warn({ err }, 'job sweep failed');
    }
  }

  /** Hands ids (back) to BullMQ; a no-op without Redis, or once stop() is closing it. */
  private async redispatch(ids: string[]): Promise<void> {
    if (!this.bull || this.dispatchClosed) return;
    try {
      await this.bull.add(ids);
    } catch (err) {
      // The rows stay queued; the next runner start dispatches them again.
      this.logger.warn({ err, jobs: ids }, 'could not dispatch jobs to Redis');
    }
  }

  // -------------------------------------------------------------------------------------------
  // The JobRunner contract and what the SSE endpoint needs

  async enqueue<P>(type: string, payload: P, options: { userId?: number | null } = {}): Promise<string> {
    const row = await this.store.insert(type, payload, options.userId ?? null);
    if (this.bull) {
      try {
        await this.bull.add([row.id]);
      } catch (err) {
        // The row is queued all the same; the next runner start re-dispatches it.
        this.logger.error({ err, job: row.id }, 'could not dispatch the job to Redis');
      }
    } else {
      this.kick();
    }
    return row.id;
  }

  async get(id: string): Promise<JobInfo | null> {
    const row = await this.store.get(id);
    return row ? toJobInfo(row) : null;
  }

  async list(filter: { userId?: number; limit?: number } = {}): Promise<JobInfo[]> {
    return (await this.store.list(filter)).map(toJobInfo);
  }

  async cancel(id: string): Promise<void> {
    const outcome = await this.store.cancel(id);
    for (const job of this.active.values()) if (job.row.id === id) job.cancelled = true;
    if (outcome === 'cancelled') await this.publish(id);
  }

  /** In-process notifications, plus a DB poll (~500 ms) for jobs run by another instance. */
  subscribe(id: string, listener: JobListener): () => void {
    return this.subscriptions.subscribe(id, listener);
  }

  async waitFor(id: string, timeoutMs?: number): Promise<JobInfo> {
    const current = await this.get(id);
    if (!current) throw new Error(`Job ${id} not found`);
    if (isFinal(current.state)) return current;
    return new Promise<JobInfo>((resolve) => {
      let settled = false;
      const settle = (job: JobInfo): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unsubscribe();
        resolve(job);
      };
      // Resolves with the state at the deadline, as the contract says, rather than rejecting.
      const timer = setTimeout(() => {
        this.get(id).then(
          (job) => settle(job ?? current),
          () => settle(current),
        );
      }, Math.min(timeoutMs ?? FOREVER_MS, FOREVER_MS));
      const unsubscribe = this.subscribe(id, (job) => {
        if (isFinal(job.state)) settle(job);
      });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Getting work: the in-process poller (no Redis) or BullMQ deliveries

  /** Polls now (after `delay`), coalescing with a poll already under way. */
  private kick(delay = 0): void {
    if (this.bull || !this.started || this.stopping) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      void this.poll();
    }, delay);
  }

  private async poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = (async () => {
      try {
        do {
          this.pollAgain = false;
          const free = this.concurrency - this.active.size;
          if (free <= 0 || this.stopping) break;
          // More candidates than free slots: another instance may win some of the claims.
          for (const id of await this.store.queuedIds(free * 4)) {
            if (this.stopping || this.active.size >= this.concurrency) break;
            await this.claimAndRun(id);
          }
        } while (this.pollAgain && !this.stopping);
      } catch (err) {
        this.logger.warn({ err }, 'job poll failed');
      }
    })();
    await this.polling;
    this.polling = null;
    this.kick(this.pollMs);
  }

  private async runDelivered(id: string): Promise<void> {
    if (this.stopping) {
      // Fetched while stopping: hand the delivery back for another instance.
      await this.redispatch([id]);
      return;
    }
    const job = await this.claimAndRun(id);
    if (job) await job.done;
  }

  private async claimAndRun(id: string): Promise<ActiveJob | null> {
    const token = `${this.workerId}#${randomBytes(4).toString('hex')}`;
    const row = await this.store.claim(id, token, this.leaseMs);
    if (!row) return null; // taken by another worker, cancelled or finished meanwhile
    if (this.stopping) {
      await this.store.release(id, token);
      await this.redispatch([id]);
      return null;
    }
    const job: ActiveJob = {
      row,
      token,
      processed: row.processed,
      total: row.total,
      lastWriteAt: 0,
      trailing: null,
      cancelled: false,
      cancelCheckedAt: 0,
      interrupt: null,
      done: Promise.resolve(),
    };
    this.active.set(token, job);
    job.done = this.execute(job)
      .catch((err: unknown) => this.logger.error({ err, job: id }, 'job bookkeeping failed'))
      .finally(() => {
        this.active.delete(token);
        this.kick();
      });
    return job;
  }

  // -------------------------------------------------------------------------------------------
  // Running one job

  private async execute(job: ActiveJob): Promise<void> {
    const { row } = job;
    const logger = this.logger.child({ job: row.id, type: row.type });
    const handler = this.handlers.get(row.type);
    if (!handler) return this.conclude(job, { state: 'failed', error: `Unknown job type "${row.type}": no plugin defines it` });
    if (row.cancel_requested) return this.conclude(job, { state: 'cancelled' });
    await this.publish(row.id, this.runningInfo(job));

    const heartbeat = setInterval(() => void this.heartbeat(job), Math.max(Math.floor(this.leaseMs / 3), 50));
    let outcome: Outcome | null;
    try {
      outcome = storable(await handler(this.context(job, logger)));
    } catch (err) {
      if (err instanceof JobInterrupted) outcome = null;
      else {
        logger.warn({ err }, 'job failed');
        outcome = { state: 'failed', error: messageOf(err) };
      }
    } finally {
      clearInterval(heartbeat);
      if (job.trailing) clearTimeout(job.trailing);
    }

    // Another worker owns the job now (or will, once the lease runs out): write nothing.
    if (job.interrupt === 'lease-lost' || job.interrupt === 'abandoned') return;
    if (outcome === null) {
      // Interrupted by stop(): back to the queue with the checkpoint just saved.
      if (await this.store.release(row.id, job.token)) {
        await this.publish(row.id);
        await this.redispatch([row.id]);
      }
      return;
    }
    if (job.cancelled || (await this.store.isCancelRequested(row.id))) outcome = { state: 'cancelled' };
    await this.conclude(job, { ...outcome, progress: { processed: job.processed, total: job.total } });
  }

  private async conclude(job: ActiveJob, outcome: Outcome): Promise<void> {
    if (!(await this.store.finish(job.row.id, job.token, outcome))) {
      this.logger.warn({ job: job.row.id }, 'lost the lease before the outcome could be saved');
      return;
    }
    await this.publish(job.row.id);
  }

  private context(job: ActiveJob, logger: Logger): JobContext<unknown> {
    return {
      id: job.row.id,
      payload: parseJson(job.row.payload),
      userId: job.row.user_id,
      checkpoint: parseJson(job.row.checkpoint),
      logger,
      progress: (processed, total, checkpoint) => this.progress(job, processed, total, checkpoint),
      cancelled: () => this.isCancelled(job),
    };
  }

  private async progress(job: ActiveJob, processed: number, total?: number | null, checkpoint?: unknown): Promise<void> {
    if (job.interrupt) throw new JobInterrupted(job.interrupt);
    job.processed = Math.max(0, Math.floor(processed));
    if (total !== undefined) job.total = total === null ? null : Math.floor(total);
    const due = Date.now() - job.lastWriteAt >= PROGRESS_WRITE_MS;
    // A checkpoint is always written: it is what a resumed run starts from.
    if (checkpoint !== undefined || due || this.stopping) await this.writeProgress(job, checkpoint);
    else this.scheduleTrailingWrite(job);
    if (this.stopping) {
      job.interrupt = 'stopping';
      throw new JobInterrupted('stopping');
    }
  }

  /** A throttled progress call still reaches the database and the browser shortly after. */
  private scheduleTrailingWrite(job: ActiveJob): void {
    if (job.trailing) return;
    job.trailing = setTimeout(
      () => {
        job.trailing = null;
        this.writeProgress(job).catch((err: unknown) => {
          if (!(err instanceof JobInterrupted)) this.logger.warn({ err, job: job.row.id }, 'progress write failed');
        });
      },
      Math.max(PROGRESS_WRITE_MS - (Date.now() - job.lastWriteAt), 0),
    );
  }

  private async writeProgress(job: ActiveJob, checkpoint?: unknown): Promise<void> {
    if (job.interrupt === 'lease-lost' || job.interrupt === 'abandoned') throw new JobInterrupted(job.interrupt);
    if (job.trailing) {
      clearTimeout(job.trailing);
      job.trailing = null;
    }
    job.lastWriteAt = Date.now();
    if (!(await this.store.saveProgress(job.row.id, job.token, this.leaseMs, job.processed, job.total, checkpoint))) {
      job.interrupt = 'lease-lost';
      throw new JobInterrupted('lease-lost');
    }
    this.subscriptions.publish(this.runningInfo(job));
  }

  private async heartbeat(job: ActiveJob): Promise<void> {
    if (job.interrupt === 'lease-lost' || job.interrupt === 'abandoned') return;
    try {
      if (!(await this.store.renewLease(job.row.id, job.token, this.leaseMs))) job.interrupt = 'lease-lost';
    } catch (err) {
      this.logger.warn({ err, job: job.row.id }, 'lease renewal failed');
    }
  }

  private async isCancelled(job: ActiveJob): Promise<boolean> {
    if (job.cancelled) return true;
    if (Date.now() - job.cancelCheckedAt < CANCEL_CHECK_MS) return false;
    job.cancelCheckedAt = Date.now();
    job.cancelled = await this.store.isCancelRequested(job.row.id);
    return job.cancelled;
  }

  private runningInfo(job: ActiveJob): JobInfo {
    return { ...toJobInfo(job.row), state: 'running', processed: job.processed, total: job.total, result: null, error: null, finishedAt: null };
  }

  /** Tells listeners; reads the row unless the caller already knows the state. */
  private async publish(id: string, info?: JobInfo): Promise<void> {
    try {
      const job = info ?? (await this.get(id));
      if (job) this.subscriptions.publish(job);
    } catch (err) {
      this.logger.warn({ err, job: id }, 'could not read the job to notify listeners');
    }
  }
}
