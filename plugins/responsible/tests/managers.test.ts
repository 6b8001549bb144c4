/**
 * Responsible managers: each manager's client count and the unassigned pool inside the access
 * scope (page and API), and reassigning every client of a departing user to one manager or
 * evenly to several, as a job that works in chunks with a checkpoint, writes history per
 * contact and ends with a summary.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { JobContext } from '../../../host/api.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import type { Contact } from '../../crm/api.js';
import type { ReassignRequest, ReassignSummary } from '../api.js';
import { REASSIGN_JOB_HANDLER, type ReassignJob } from '../services/reassign-job.js';
import { createResponsibleTestHost, type ResponsibleTestHost } from './support/responsible-host.js';

type User = { email: string; password: string; id: number };

/** Handlebars escapes `=` in attributes; the browser reads it back as `=`. */
const unescape = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

const MANAGER = ['crm.access', 'crm.contacts.edit', 'responsible.claim'];

describe('Responsible managers', () => {
  let host: ResponsibleTestHost;
  let anna: User;
  let bartek: User;
  let celina: User;
  let dawid: User;
  let boss: User;
  let seller: User;
  let outsider: User;
  let dawids: Contact[];
  let locked: Contact;
  let trashed: Contact;

  /** Ids of the live (not trashed) contacts of a responsible, by id. */
  const live = async (responsibleId: number) => {
    const [rows] = await host.db.query('SELECT id FROM crm_contacts WHERE responsible_id = ? AND deleted_at IS NULL ORDER BY id', { replacements: [responsibleId] });
    return (rows as Array<{ id: number }>).map((r) => Number(r.id));
  };

  before(async () => {
    host = await createResponsibleTestHost();
    anna = await host.userWithRights(MANAGER, 'anna@example.com');
    bartek = await host.userWithRights(MANAGER, 'bartek@example.com');
    celina = await host.userWithRights(MANAGER, 'celina@example.com');
    dawid = await host.userWithRights(MANAGER, 'dawid@example.com');
    // The test-only rules: "careful…" may not edit contacts titled "Locked"; "restricted…" sees only their own.
    boss = await host.userWithRights(['crm.access', 'responsible.reassign'], 'careful-boss@example.com');
    seller = await host.userWithRights(['crm.access'], 'restricted-seller@example.com');
    outsider = await host.userWithRights([], 'outsider@example.com');
    dawids = [];
    for (let i = 0; i < 6; i++) dawids.push(await host.contact({ first_name: 'Dawid’s', last_name: `Client ${i}`, responsible_id: dawid.id }));
    locked = await host.contact({ first_name: 'Dawid’s', last_name: 'Locked', job_title: 'Locked', responsible_id: dawid.id });
    trashed = await host.contact({ first_name: 'Dawid’s', last_name: 'Trashed', responsible_id: dawid.id });
    await host.contacts.remove(host.admin, trashed.id);
    await host.contact({ first_name: 'Anna’s', last_name: 'One', responsible_id: anna.id });
    await host.contact({ first_name: 'Anna’s', last_name: 'Two', responsible_id: anna.id });
    await host.contact({ first_name: 'Seller’s', last_name: 'Own', responsible_id: seller.id });
    await host.contact({ first_name: 'Free', last_name: 'One' });
    await host.contact({ first_name: 'Free', last_name: 'Two' });
    // Dawid leaves: his account is switched off, his clients stay his until reassigned.
    await host.users.update(dawid.id, { isActive: false });
  });
  after(() => host.dispose());

  describe('the overview', () => {
    it('counts each manager’s clients and the unassigned pool (trash left out), with users who left but still have clients', async () => {
      const overview = await host.managers.overview(host.admin);
      const counts = Object.fromEntries(overview.managers.map((m) => [m.name, m.count]));
      expect(counts).to.deep.include({ anna: 2, bartek: 0, celina: 0, dawid: 7, 'restricted-seller': 1, Administrator: 0 });
      expect(overview.managers.find((m) => m.user_id === dawid.id)).to.deep.include({ active: false, email: 'dawid@example.com' });
      expect(overview.managers.map((m) => m.user_id)).not.to.include(outsider.id);
      expect(overview.unassigned).to.equal(2);
      expect(overview.total).to.equal(12);
    });

    it('stays inside the access scope', async () => {
      const overview = await host.managers.overview(await host.asUser(seller.id));
      expect(overview.managers.filter((m) => m.count > 0).map((m) => [m.name, m.count])).to.deep.equal([['restricted-seller', 1]]);
      expect([overview.unassigned, overview.total]).to.deep.equal([0, 1]);
    });

    it('is a page with links into the client list, and in the API', async () => {
      const agent = await host.login();
      const html = unescape((await agent.get('/responsible').expect(200)).text);
      expect(html).to.contain('href="/responsible"');
      expect(html).to.contain(`href="/crm/contacts?responsible_id=${anna.id}"`);
      expect(html).to.match(new RegExp(`data-testid="manager-count-${dawid.id}"[^>]*>7<`));
      expect(html).to.contain(`data-testid="inactive-${dawid.id}"`);
      expect(html).to.match(/data-testid="unassigned-count"[^>]*>2</);
      expect(html).to.contain('href="/crm/contacts?responsible_id=0"');
      expect(html).to.contain('data-testid="reassign-form"');
      const api = (await request(host.app!).get('/api/v1/responsible').set('Authorization', `Bearer ${await host.token(seller.email, seller.password)}`).expect(200)).body;
      expect(api.unassigned).to.equal(0);
      expect(api.items.find((m: { user_id: number }) => m.user_id === seller.id).count).to.equal(1);
      expect(api.items.find((m: { user_id: number }) => m.user_id === dawid.id)).to.equal(undefined);
    });

    it('shows the reassign form only to those with the right, and is refused without crm.access', async () => {
      const agent = await host.login(anna.email, anna.password);
      const html = (await agent.get('/responsible').expect(200)).text;
      expect(html).not.to.contain('data-testid="reassign-form"');
      expect(html).not.to.contain('data-testid="reassign-from-');
      const out = await host.login(outsider.email, outsider.password);
      await out.get('/responsible').expect(403);
      await out.get('/api/v1/responsible').expect(403);
    });
  });

  describe('reassigning every client of a user', () => {
    it('spreads them evenly over several managers in a job, with history per contact and a summary', async () => {
      const token = await host.token(boss.email, boss.password);
      const versions = new Map(await Promise.all(dawids.map(async (c) => [c.id, (await host.contacts.get(host.admin, c.id)).version] as const)));
      const res = await request(host.app!)
        .post('/api/v1/responsible/reassign')
        .set('Authorization', `Bearer ${token}`)
        .send({ from_user_id: dawid.id, to_user_ids: [anna.id, bartek.id, celina.id] })
        .expect(202);
      const job = await host.jobRunner.waitFor(res.body.job_id, 15_000);
      expect(job.state).to.equal('done');
      expect(job.userId).to.equal(boss.id);
      expect([job.processed, job.total]).to.deep.equal([7, 7]);
      const summary = job.result as ReassignSummary;
      expect(summary).to.deep.equal({
        from: { id: dawid.id, name: 'dawid' },
        moved: 6,
        skipped: 1,
        to: [
          { user_id: anna.id, name: 'anna', count: 2 },
          { user_id: bartek.id, name: 'bartek', count: 2 },
          { user_id: celina.id, name: 'celina', count: 2 },
        ],
        cancelled: false,
      });
      // The contact the boss may not edit stays; so does the one in the trash.
      expect(await live(dawid.id)).to.deep.equal([locked.id]);
      expect((await host.contacts.get(host.admin, trashed.id, { withDeleted: true })).responsible_id).to.equal(dawid.id);
      // Round robin by contact id: the 1st, 4th… to Anna, the 2nd, 5th… to Bartek, the rest to Celina.
      const share = (k: number) => dawids.filter((_, i) => i % 3 === k).map((x) => x.id);
      expect((await live(anna.id)).filter((id) => share(0).includes(id))).to.deep.equal(share(0));
      expect(await live(bartek.id)).to.deep.equal(share(1));
      expect(await live(celina.id)).to.deep.equal(share(2));
      for (const contact of dawids) {
        const now = await host.contacts.get(host.admin, contact.id);
        expect(now.version).to.equal(versions.get(contact.id)! + 1);
        const [entry] = await host.history.list(host.admin, contact.id, { field: 'responsible_id' });
        expect(entry).to.deep.include({ action: 'update', old_value: dawid.id, new_value: now.responsible_id, user_id: boss.id });
      }
    });

    it('hands them all to one manager from the page, which follows the job and comes back with the summary', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, '/responsible');
      const res = await agent.post('/responsible/reassign').type('form').send({ _csrf: csrf, from_user_id: String(anna.id), to_user_ids: String(dawid.id) }).expect(303);
      // Dawid is inactive: refused with a message on the page.
      expect(res.headers.location).to.equal(`/responsible?from=${anna.id}#reassign`);
      expect((await agent.get('/responsible').expect(200)).text).to.contain('This manager does not exist or is no longer active.');

      const before = await live(anna.id);
      const ok = await agent.post('/responsible/reassign').type('form').send({ _csrf: csrf, from_user_id: String(anna.id), to_user_ids: String(celina.id) }).expect(303);
      const match = /^\/jobs\/([0-9a-f-]{36})\?back=(.+)$/.exec(ok.headers.location!);
      expect(match, ok.headers.location).to.not.equal(null);
      const jobId = match![1]!;
      expect(decodeURIComponent(match![2]!)).to.equal(`/responsible?job=${jobId}`);
      expect((await host.jobRunner.waitFor(jobId, 15_000)).state).to.equal('done');
      expect(await live(anna.id)).to.deep.equal([]);
      expect((await live(celina.id)).filter((id) => before.includes(id)).sort()).to.deep.equal(before.sort());

      const jobPage = unescape((await agent.get(ok.headers.location!).expect(200)).text);
      expect(jobPage).to.contain(`href="/responsible?job=${jobId}"`);
      const back = (await agent.get(`/responsible?job=${jobId}`).expect(200)).text;
      expect(back).to.contain('data-testid="reassign-summary"');
      expect(back).to.contain(`${before.length} clients of anna have a new responsible manager.`);
      expect(back).to.contain(`${before.length} clients to celina`);
      // Somebody else's job id shows nothing.
      const other = await host.login(boss.email, boss.password);
      expect((await other.get(`/responsible?job=${jobId}`).expect(200)).text).not.to.contain('data-testid="reassign-summary"');
    });

    it('checks the request: the right, known and active targets, not the same user', async () => {
      const tokens = { anna: await host.token(anna.email, anna.password), boss: await host.token(boss.email, boss.password) };
      const api = async (who: keyof typeof tokens, body: object) => request(host.app!).post('/api/v1/responsible/reassign').set('Authorization', `Bearer ${tokens[who]}`).send(body);
      expect((await api('anna', { from_user_id: bartek.id, to_user_ids: [celina.id] })).status).to.equal(403);
      const same = await api('boss', { from_user_id: bartek.id, to_user_ids: [bartek.id, celina.id] });
      expect(same.status).to.equal(400);
      expect(same.body.error.details[0]).to.deep.include({ field: 'to_user_ids', message: 'The clients cannot move to the same user they belong to.' });
      const gone = await api('boss', { from_user_id: bartek.id, to_user_ids: [celina.id, dawid.id] });
      expect(gone.body.error.details[0]).to.deep.include({ field: 'to_user_ids.1', message: 'This manager does not exist or is no longer active.' });
      const unknown = await api('boss', { from_user_id: 999_999, to_user_ids: [celina.id] });
      expect(unknown.body.error.details[0].field).to.equal('from_user_id');
      expect((await api('boss', { from_user_id: bartek.id, to_user_ids: [] })).status).to.equal(400);
      expect((await api('boss', { from_user_id: 'x', to_user_ids: [1] })).status).to.equal(400);
      const admin = await host.login();
      const csrf = await csrfOf(admin, '/responsible');
      const junk = await admin.post('/responsible/reassign').type('form').send({ _csrf: csrf, from_user_id: String(bartek.id), to_user_ids: 'abc' }).expect(303);
      expect(junk.headers.location).to.equal(`/responsible?from=${bartek.id}#reassign`);
      expect((await admin.get('/responsible').expect(200)).text).to.contain('This manager does not exist or is no longer active.');
      const none = await admin.post('/responsible/reassign').type('form').send({ _csrf: csrf, from_user_id: '' }).expect(303);
      expect(none.headers.location).to.equal('/responsible#reassign');
      expect((await admin.get('/responsible').expect(200)).text).to.contain('Choose the user whose clients move.');
      const page = await host.login(anna.email, anna.password);
      await page.post('/responsible/reassign').type('form').send({ _csrf: await csrfOf(page, '/responsible'), from_user_id: String(bartek.id), to_user_ids: String(celina.id) }).expect(403);
    });

    it('works in chunks, saving progress and a checkpoint after each, and resumes from a checkpoint', async () => {
      const moving: Contact[] = [];
      for (let i = 0; i < 5; i++) moving.push(await host.contact({ first_name: 'Chunked', last_name: String(i), responsible_id: bartek.id }));
      const ids = [...(await live(bartek.id))];
      const handler = host.services.get<ReassignJob>(REASSIGN_JOB_HANDLER);
      handler.chunkSize = 2;
      const progress: Array<{ processed: number; total: number | null | undefined; checkpoint: unknown }> = [];
      const context = (checkpoint: unknown): JobContext<ReassignRequest> => ({
        id: 'test',
        payload: { from_user_id: bartek.id, to_user_ids: [anna.id, celina.id] },
        userId: host.admin.id,
        checkpoint,
        progress: async (processed, total, cp) => void progress.push({ processed, total, checkpoint: JSON.parse(JSON.stringify(cp)) }),
        cancelled: async () => false,
        logger: host.logger,
      });
      try {
        // A run that stopped after its first chunk of two left this checkpoint.
        const resumed = await handler.run(context({ lastId: ids[1], moved: 2, skipped: 0, total: ids.length, counts: { [anna.id]: 1, [celina.id]: 1 } }));
        expect(resumed.moved).to.equal(ids.length);
        expect(resumed.to.map((t) => t.count)).to.deep.equal([Math.ceil(ids.length / 2), Math.floor(ids.length / 2)]);
      } finally {
        handler.chunkSize = 500;
      }
      // First where the checkpoint stood, then after every chunk of two.
      const expected = [2];
      while (expected.at(-1)! < ids.length) expected.push(Math.min(expected.at(-1)! + 2, ids.length));
      expect(progress.map((p) => p.processed)).to.deep.equal(expected);
      expect(progress.at(-1)!.checkpoint).to.deep.include({ lastId: ids.at(-1), moved: ids.length });
      // The first two (before the checkpoint) were left alone: the run that stopped had moved them.
      expect(await live(bartek.id)).to.deep.equal(ids.slice(0, 2));
      // Round robin goes on from the checkpoint: the third goes to Anna, the fourth to Celina…
      expect((await host.contacts.get(host.admin, ids[2]!)).responsible_id).to.equal(anna.id);
      expect((await host.contacts.get(host.admin, ids[3]!)).responsible_id).to.equal(celina.id);
    });
  });
});
