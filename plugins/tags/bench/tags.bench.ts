/**
 * Mass tagging under load (issue "Organizing the client base", section Speed: "mass-tag 100,000
 * contacts ≤ 5 s" at 1,000,000 contacts on MariaDB): `POST /api/v1/list-actions/tags.add-tags`
 * with a list filter matching about 100,000 contacts (the newest ones, by creation date), timed
 * until its background job is done: scope check, tag rows and one history entry per contact.
 *
 * `CRM_BENCH_CONTACTS=1000000 npm run bench -- tags. --database mysql://root@127.0.0.1:3306/<db>`
 * Each run adds a new tag; the teardown takes the bench's tags and their history entries away
 * again, so an existing base ends as it was.
 */
import type { Sequelize } from 'sequelize';
import { defineBenchmark, type Benchmark } from '../../../bench/harness.js';

const TARGET = 100_000;
const PREFIX = 'bench mass tag';

async function rows<T>(db: Sequelize, sql: string, replacements: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, { replacements }))[0] as T[];
}

interface State {
  token: string;
  from: string;
  to: string;
  historyFrom: number;
  tagged: number[];
}

export const benchmarks: Benchmark[] = [
  defineBenchmark<State>({
    name: 'tags.mass-add.100k',
    description: `POST /api/v1/list-actions/tags.add-tags {filter: created_from, created_to} on about ${TARGET} contacts, until its job is done (target ≤ 5 s)`,
    count: 3,
    warmup: 0,
    async setup(ctx) {
      const db = ctx.host.db;
      // The day from which about TARGET live contacts were created before today (the filter works in whole days).
      const today = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
      const [edge] = await rows<{ created_at: Date | string }>(
        db,
        `SELECT created_at FROM crm_contacts WHERE deleted_at IS NULL AND created_at < ? ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ${TARGET - 1}`,
        [today],
      );
      if (!edge) throw new Error(`the base has fewer than ${TARGET} contacts`);
      ctx.state.from = new Date(edge.created_at).toISOString().slice(0, 10);
      ctx.state.to = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
      const [{ id }] = await rows<{ id: number | null }>(db, 'SELECT MAX(id) AS id FROM crm_history');
      ctx.state.historyFrom = Number(id ?? 0);
      ctx.state.token = await ctx.apiToken();
      ctx.state.tagged = [];
    },
    async run(ctx, i) {
      const { token, from, to } = ctx.state;
      const started = await ctx.request('/api/v1/list-actions/tags.add-tags', {
        method: 'POST',
        token,
        json: { filter: { created_from: from, created_to: to }, params: { tags: [`${PREFIX} ${i} ${Date.now()}`] } },
        expect: 202,
      });
      const { job_id } = started.json<{ job_id: string }>();
      for (;;) {
        const job = (await ctx.request(`/api/v1/jobs/${job_id}`, { token, expect: 200 })).json<{ state: string; error: string | null; result: { changed: number } | null }>();
        if (job.state === 'done') {
          ctx.state.tagged.push(job.result?.changed ?? 0);
          return;
        }
        if (job.state !== 'queued' && job.state !== 'running') throw new Error(`the job ended ${job.state}: ${job.error}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async teardown(ctx) {
      const db = ctx.host.db;
      console.log(`  contacts tagged per run: ${ctx.state.tagged.join(', ')}`);
      const tags = await rows<{ id: number }>(db, 'SELECT id FROM tags_tags WHERE name LIKE ?', [`${PREFIX} %`]);
      for (const { id } of tags) {
        for (;;) {
          const [, meta] = await db.query(`DELETE FROM tags_contact_tags WHERE tag_id = ? ${db.getDialect() === 'sqlite' ? '' : 'LIMIT 20000'}`, { replacements: [id] });
          const n = Number((meta as { affectedRows?: number; changes?: number })?.affectedRows ?? (meta as { changes?: number })?.changes ?? 0);
          if (db.getDialect() === 'sqlite' || n < 20000) break;
        }
        await db.query('DELETE FROM tags_tags WHERE id = ?', { replacements: [id] });
      }
      await db.query("DELETE FROM crm_history WHERE id > ? AND field = 'tags' AND new_value LIKE ?", { replacements: [ctx.state.historyFrom, `%${PREFIX}%`] });
    },
  }),
];
