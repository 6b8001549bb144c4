import { expect } from 'chai';
import { createClient } from 'redis';
import request from 'supertest';
import { createTestHost, type TestHost } from '../support/test-host.js';

const REDIS_URL = process.env.CRM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('With REDIS_URL set (stateless instances)', function () {
  let host: TestHost;
  let redis: ReturnType<typeof createClient>;

  before(async function () {
    redis = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 1000 } });
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch {
      console.log(`    (skipped: no Redis at ${REDIS_URL})`);
      return this.skip();
    }
    host = await createTestHost({ config: { redisUrl: REDIS_URL, loginRateLimit: { windowMs: 60_000, max: 2 } }, jobs: true });
  });
  after(async () => {
    await host?.dispose();
    if (redis?.isOpen) await redis.quit();
  });

  it('keeps sessions in Redis', async () => {
    const before = (await redis.keys('crm:sess:*')).length;
    const agent = await host.login();
    expect((await agent.get('/')).status).to.equal(200);
    expect((await redis.keys('crm:sess:*')).length).to.be.greaterThan(before);
  });

  it('counts failed sign-ins in Redis, so every instance sees the same limit', async () => {
    const email = `nobody-${Date.now()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(host.app!).post('/api/v1/auth/token').send({ email, password: 'wrong' })).status);
    expect(statuses).to.deep.equal([401, 401, 429]);
    expect((await redis.keys('crm:rl:*')).length).to.be.greaterThan(0);
  });

  it('runs background jobs through BullMQ', async () => {
    const jobs = host.jobs;
    jobs.define('test.double', async (ctx) => {
      await ctx.progress(1, 1);
      return { doubled: (ctx.payload as { n: number }).n * 2 };
    });
    const id = await jobs.enqueue('test.double', { n: 21 });
    const job = await jobs.waitFor(id, 10_000);
    expect(job.state).to.equal('done');
    expect(job.result).to.deep.equal({ doubled: 42 });
  });
});
