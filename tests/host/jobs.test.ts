import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { Sequelize } from 'sequelize';
import type { JobContext, JobInfo } from '../../host/api.js';
import { createDatabase } from '../../host/db/create-database.js';
import { JobRunnerImpl, type JobRunnerOptions } from '../../host/jobs/job-runner.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const logger = pino({ level: 'silent' });
/** The BullMQ block is skipped when nothing answers here. */
const REDIS_URL = process.env.CRM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check` returns something truthy, or fails the test after `timeoutMs`. */
async function until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 8000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A promise the test resolves when it wants a handler to go on. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

async function redisReachable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Removes a test run's BullMQ keys. */
async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

function jobRunnerSpec(mode: 'in-process worker' | 'BullMQ'): void {
  describe(mode === 'BullMQ' ? 'with Redis (BullMQ dispatch)' : 'without Redis (in-process worker polling the table)', function () {
    let database: TestDatabase;
    let base: Partial<JobRunnerOptions>;
    const runners: JobRunnerImpl[] = [];
    const extraDbs: Sequelize[] = [];
    const queuePrefix = `crm-test-${randomBytes(4).toString('hex')}`;

    before(async function () {
      if (mode === 'BullMQ' && !(await redisReachable())) this.skip();
      base = mode === 'BullMQ' ? { redisUrl: REDIS_URL, queuePrefix } : { redisUrl: null, pollMs: 20 };
      database = await createTestDatabase();
    });

    after(async () => {
      await database?.drop();
      if (mode === 'BullMQ' && base) await deleteRedisKeys(queuePrefix);
    });

    beforeEach(async () => {
      await database.db.query('DELETE FROM host_jobs');
    });

    afterEach(async () => {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
      await Promise.all(extraDbs.splice(0).map((db) => db.close()));
    });

    function runner(options: Partial<JobRunnerOptions> = {}, db: Sequelize = database.db): JobRunnerImpl {
      const created = new JobRunnerImpl(db, logger, { redisUrl: null, ...base, ...options });
      runners.push(created);
      return created;
    }

    /** Another app instance: its own connection to the same database. */
    async function otherInstanceDb(): Promise<Sequelize> {
      const db = await createDatabase(database.url, logger);
      extraDbs.push(db);
      return db;
    }

    async function row(id: string): Promise<Record<string, unknown>> {
      const [rows] = await database.db.query('SELECT * FROM host_jobs WHERE id = ?', { replacements: [id] });
      return (rows as Array<Record<string, unknown>>)[0]!;
    }

    it('runs a job with its payload and user, and reports progress to a subscriber', async () => {
      const jobs = runner();
      jobs.define('test.sum', async (ctx: JobContext<{ numbers: number[] }>) => {
        let sum = 0;
        for (const [i, n] of ctx.payload.numbers.entries()) {
          sum += n;
          await ctx.progress(i + 1, ctx.payload.numbers.length);
          await sleep(30);
        }
        return { sum, userId: ctx.userId };
      });
      await jobs.start();

      const id = await jobs.enqueue('test.sum', { numbers: [1, 2, 3, 4, 5] }, { userId: 7 });
      const seen: JobInfo[] = [];
      const unsubscribe = jobs.subscribe(id, (job) => seen.push(job));
      const done = await jobs.waitFor(id, 10_000);
      await until(() => seen.some((j) => j.state === 'done'), 'the done notification');
      unsubscribe();

      expect(done).to.include({ id, type: 'test.sum', state: 'done', processed: 5, total: 5, error: null, userId: 7 });
      expect(done.result).to.deep.equal({ sum: 15, userId: 7 });
      expect(done.finishedAt).to.be.instanceOf(Date);
      expect(seen.some((j) => j.state === 'running' && j.processed >= 1 && j.total === 5)).to.equal(true);
      expect(seen.at(-1)).to.include({ state: 'done', processed: 5 });
    });

    it('throttles progress writes but always saves a checkpoint', async () => {
      const jobs = runner();
      let checkpointSeen: unknown = null;
      const proceed = gate();
      jobs.define('test.fast', async (ctx) => {
        for (let i = 1; i <= 200; i++) await ctx.progress(i, 200);
        await ctx.progress(200, 200, { at: 'the end' });
        await proceed.wait;
        return null;
      });
      await jobs.start();
      const id = await jobs.enqueue('test.fast', {});
      const seen: JobInfo[] = [];
      const unsubscribe = jobs.subscribe(id, (job) => seen.push(job));
      checkpointSeen = await until(async () => (await row(id)).checkpoint, 'the checkpoint');
      proceed.open();
      await jobs.waitFor(id, 10_000);
      unsubscribe();

      expect(JSON.parse(String(checkpointSeen))).to.deep.equal({ at: 'the end' });
      // 201 progress calls within a few milliseconds come out as a handful of notifications.
      expect(seen.filter((j) => j.state === 'running').length).to.be.lessThan(10);
    });

    it("marks a job failed with its handler's error message", async () => {
      const jobs = runner();
      jobs.define('test.broken', async () => {
        throw new Error('the file has no header row');
      });
      await jobs.start();
      const job = await jobs.waitFor(await jobs.enqueue('test.broken', {}), 10_000);
      expect(job).to.include({ state: 'failed', error: 'the file has no header row' });
    });

    it('fails a job of an unknown type with a clear error', async () => {
      const jobs = runner();
      await jobs.start();
      const job = await jobs.waitFor(await jobs.enqueue('test.nobody-defines-this', {}), 10_000);
      expect(job.state).to.equal('failed');
      expect(job.error).to.match(/Unknown job type "test\.nobody-defines-this"/);
    });

    it('never runs a queued job that was cancelled', async () => {
      const jobs = runner();
      let ran = false;
      jobs.define('test.never', async () => {
        ran = true;
      });
      const id = await jobs.enqueue('test.never', {});
      await jobs.cancel(id);
      await jobs.start();
      await sleep(300);
      expect(ran).to.equal(false);
      expect(await jobs.get(id)).to.include({ state: 'cancelled' });
      expect((await jobs.waitFor(id, 1000)).state).to.equal('cancelled');
    });

    it('cancels a running job: ctx.cancelled() turns true and the job ends cancelled', async () => {
      const jobs = runner();
      let sawCancel = false;
      jobs.define('test.loop', async (ctx) => {
        for (let i = 1; i < 10_000; i++) {
          await ctx.progress(i);
          if (await ctx.cancelled()) {
            sawCancel = true;
            return 'stopped early';
          }
          await sleep(10);
        }
        return 'finished';
      });
      await jobs.start();
      const id = await jobs.enqueue('test.loop', {});
      await until(async () => (await jobs.get(id))?.state === 'running', 'the job to run');
      await jobs.cancel(id);
      const job = await jobs.waitFor(id, 10_000);
      expect(sawCancel).to.equal(true);
      expect(job.state).to.equal('cancelled');
    });

    it('cancels a job running on another instance', async () => {
      const worker = runner({}, await otherInstanceDb());
      const web = runner();
      let stopped = false;
      worker.define('test.loop', async (ctx) => {
        // Ends when it sees the cancel (or when a check fails: two SQLite connections may be busy).
        try {
          while (!(await ctx.cancelled())) await sleep(10);
        } finally {
          stopped = true;
        }
      });
      await worker.start();
      const id = await web.enqueue('test.loop', {});
      await until(async () => (await web.get(id))?.state === 'running', 'the job to run');
      await web.cancel(id);
      expect((await web.waitFor(id, 10_000)).state).to.equal('cancelled');
      await until(async () => stopped, 'the worker to stop the handler');
    });

    it('on stop, interrupts a handler at its next progress call and requeues it with its checkpoint', async () => {
      const first = runner();
      const proceed = gate();
      first.define('test.import', async (ctx) => {
        await ctx.progress(10, 30, { row: 10 });
        await proceed.wait;
        await ctx.progress(20, 30, { row: 20 });
        throw new Error('unreachable: progress throws while the runner stops');
      });
      await first.start();
      const id = await first.enqueue('test.import', {});
      await until(async () => (await row(id)).checkpoint, 'the first checkpoint');

      const stopped = first.stop();
      proceed.open();
      await stopped;
      expect(await first.get(id)).to.include({ state: 'queued', processed: 20 });
      expect(JSON.parse(String((await row(id)).checkpoint))).to.deep.equal({ row: 20 });

      const second = runner();
      let resumedFrom: unknown = null;
      second.define('test.import', async (ctx) => {
        resumedFrom = ctx.checkpoint;
        await ctx.progress(30, 30);
        return 'imported';
      });
      await second.start();
      const job = await second.waitFor(id, 10_000);
      expect(resumedFrom).to.deep.equal({ row: 20 });
      expect(job).to.include({ state: 'done', result: 'imported' });
    });

    it('after a restart, resumes a job left running by a dead process from its checkpoint', async () => {
      // Runner A dies mid-job: its handler never returns and stop() gives up waiting for it.
      const dead = runner({ stopTimeoutMs: 100 });
      const never = gate();
      let deadHandlerInterrupted = false;
      dead.define('test.export', async (ctx) => {
        await ctx.progress(40, 100, { offset: 40 });
        await never.wait;
        try {
          await ctx.progress(50, 100, { offset: 50 });
        } catch {
          deadHandlerInterrupted = true;
        }
        return 'written by the dead runner';
      });
      await dead.start();
      const id = await dead.enqueue('test.export', {});
      await until(async () => (await row(id)).checkpoint, 'the checkpoint');
      await dead.stop();
      expect((await row(id)).state).to.equal('running');
      // The process is gone: its lease runs out.
      await database.db.query('UPDATE host_jobs SET locked_until = ? WHERE id = ?', { replacements: [new Date(Date.now() - 60_000), id] });

      const restarted = runner({}, await otherInstanceDb());
      let resumedFrom: unknown = null;
      restarted.define('test.export', async (ctx) => {
        resumedFrom = ctx.checkpoint;
        await ctx.progress(100, 100, { offset: 100 });
        return 'written after the restart';
      });
      await restarted.start();
      const job = await restarted.waitFor(id, 10_000);
      expect(resumedFrom).to.deep.equal({ offset: 40 });
      expect(job).to.include({ state: 'done', processed: 100, result: 'written after the restart' });
      expect(Number((await row(id)).attempts)).to.equal(2);

      // The old handler wakes up late: its lease is gone, so it can no longer write.
      never.open();
      await until(() => deadHandlerInterrupted, 'the dead handler to be interrupted');
      expect(await restarted.get(id)).to.include({ state: 'done', result: 'written after the restart' });
    });

    it('takes over, while running, a job whose worker stopped renewing its lease', async () => {
      const dead = runner({ leaseMs: 300, stopTimeoutMs: 50 });
      const never = gate();
      dead.define('test.sync', async (ctx) => {
        await ctx.progress(1, 2, { page: 1 });
        await never.wait;
      });
      await dead.start();
      const id = await dead.enqueue('test.sync', {});
      await until(async () => (await row(id)).checkpoint, 'the checkpoint');
      await dead.stop();

      // Started before the lease ran out: the periodic sweep, not start(), must notice.
      const alive = runner({ leaseMs: 300 }, await otherInstanceDb());
      let resumedFrom: unknown = null;
      alive.define('test.sync', async (ctx) => {
        resumedFrom = ctx.checkpoint;
        return 'synced';
      });
      await alive.start();
      const job = await alive.waitFor(id, 10_000);
      never.open();
      expect(job).to.include({ state: 'done', result: 'synced' });
      expect(resumedFrom).to.deep.equal({ page: 1 });
    });

    it('never runs the same job twice with two runners on one database', async () => {
      const runs: Array<{ id: string; by: string }> = [];
      const handler = (by: string) => async (ctx: JobContext<unknown>) => {
        runs.push({ id: ctx.id, by });
        await sleep(5 + Math.floor(Math.random() * 15));
        return 'ok';
      };
      const a = runner({ concurrency: 3, pollMs: 5 });
      const b = runner({ concurrency: 3, pollMs: 5 }, await otherInstanceDb());
      a.define('test.once', handler('a'));
      b.define('test.once', handler('b'));
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push(await a.enqueue('test.once', { i }));
      await Promise.all([a.start(), b.start()]);
      const finished = await Promise.all(ids.map((id) => a.waitFor(id, 15_000)));

      expect(finished.map((j) => j.state)).to.deep.equal(ids.map(() => 'done'));
      expect(runs).to.have.length(30);
      expect(new Set(runs.map((r) => r.id)).size).to.equal(30);
      // Both took work, so the claims really raced.
      expect(new Set(runs.map((r) => r.by))).to.deep.equal(new Set(['a', 'b']));
    });

    it('lists jobs, filtered by user and limited', async () => {
      const jobs = runner();
      const first = await jobs.enqueue('test.list', {}, { userId: 1 });
      await jobs.enqueue('test.list', {}, { userId: 2 });
      const mine = await jobs.list({ userId: 1 });
      expect(mine.map((j) => j.id)).to.deep.equal([first]);
      expect(await jobs.list({ limit: 1 })).to.have.length(1);
      expect(await jobs.list({})).to.have.length(2);
    });

    it('waitFor resolves with the current state when its timeout passes', async () => {
      const jobs = runner();
      const id = await jobs.enqueue('test.waiting', {});
      const job = await jobs.waitFor(id, 100);
      expect(job.state).to.equal('queued');
    });
  });
}

describe('Job runner', () => {
  jobRunnerSpec('in-process worker');
  jobRunnerSpec('BullMQ');
});
