/**
 * Dispatch of job ids through BullMQ when Redis is configured, so any instance picks up work as
 * soon as it is enqueued without polling the database. BullMQ carries only `{id}`: the state, the
 * lease and the outcome stay in `host_jobs`, so a duplicate delivery is harmless (the claim
 * fails) and a lost one is repaired by re-dispatching queued ids when a runner starts.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export const QUEUE_NAME = 'crm-jobs';

interface Delivery {
  id: string;
}

export interface BullDispatchOptions {
  url: string;
  /** Redis key prefix (BullMQ's default is `bull`); tests use one per run. */
  prefix?: string;
  concurrency: number;
  /** How long start() waits for Redis before failing. */
  connectTimeoutMs?: number;
}

export class BullDispatch {
  private readonly connections: Redis[] = [];
  private queue: Queue<Delivery> | null = null;
  private queueRedis: Redis | null = null;
  private worker: Worker<Delivery> | null = null;

  constructor(
    private readonly options: BullDispatchOptions,
    private readonly logger: Logger,
  ) {}

  private connect(): Redis {
    // BullMQ requires maxRetriesPerRequest: null: its blocking commands must wait out reconnects.
    const redis = new Redis(this.options.url, { maxRetriesPerRequest: null });
    redis.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'redis connection error'));
    this.connections.push(redis);
    return redis;
  }

  private prefixOption(): { prefix?: string } {
    return this.options.prefix ? { prefix: this.options.prefix } : {};
  }

  /** Created on first use, so a runner that only enqueues (the CLI) needs no worker. */
  private ensureQueue(): Queue<Delivery> {
    if (!this.queue) {
      this.queueRedis = this.connect();
      this.queue = new Queue<Delivery>(QUEUE_NAME, {
        connection: this.queueRedis,
        ...this.prefixOption(),
        // Retries are the database's business (resume from checkpoint), not BullMQ's.
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
      });
      this.queue.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'job queue error'));
    }
    return this.queue;
  }

  /** Checks Redis answers, then consumes deliveries with `run(id)`. */
  async start(run: (id: string) => Promise<void>): Promise<void> {
    this.ensureQueue();
    const redis = this.queueRedis as Redis;
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      // Fail clearly instead of queueing commands forever against an unreachable Redis.
      await Promise.race([
        redis.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis at ${this.options.url} did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      await this.close(true);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    this.worker = new Worker<Delivery>(QUEUE_NAME, async (job: Job<Delivery>) => run(job.data.id), {
      connection: this.connect(),
      ...this.prefixOption(),
      concurrency: this.options.concurrency,
    });
    this.worker.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'job worker error'));
  }

  async add(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    // No BullMQ jobId: a re-dispatch must not be swallowed by a delivery still active somewhere.
    await this.ensureQueue().addBulk(ids.map((id) => ({ name: 'run', data: { id } })));
  }

  /** Stops fetching deliveries at once; the running ones go on. */
  async pause(): Promise<void> {
    await this.worker?.pause(true);
  }

  /** Closes the worker, the queue and the connections. `force` skips waiting for processors. */
  async close(force = false): Promise<void> {
    const { worker, queue } = this;
    this.worker = null;
    this.queue = null;
    this.queueRedis = null;
    try {
      await worker?.close(force);
      await queue?.close();
    } catch (err) {
      this.logger.warn({ err }, 'closing the job queue failed');
    }
    // The connections are ours: BullMQ never closes a client it was given.
    for (const redis of this.connections.splice(0)) {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    }
  }
}
