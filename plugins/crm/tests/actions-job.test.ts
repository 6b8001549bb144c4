import { expect } from 'chai';
import type TestAgent from 'supertest/lib/agent.js';
import type { Sequelize } from 'sequelize';
import { TOKENS, type GroupsService, type JobInfo } from '../../../host/api.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import type { DictionaryItem } from '../api.js';
import { JOB_CHUNK, JOB_TYPE, RUN_NOW_LIMIT } from '../services/list-action-runner.js';
import { bulkPeople, columnOf, historyOf } from './selection-kit.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

describe('Mass actions on thousands of contacts', function () {
  this.timeout(180_000);
  let host: CrmTestHost;
  let agent: TestAgent;
  let csrf: string;
  let lead: DictionaryItem;
  let won: DictionaryItem;
  let lost: DictionaryItem;
  let bulk: DictionaryItem;
  let ids: number[];

  before(async () => {
    host = await createCrmTestHost({ jobs: true });
    agent = await host.login();
    csrf = await csrfOf(agent, '/crm/contacts');
    lead = await host.dictionaries.create('status', { name: 'Lead' });
    won = await host.dictionaries.create('status', { name: 'Won' });
    lost = await host.dictionaries.create('status', { name: 'Lost' });
    bulk = await host.dictionaries.create('category', { name: 'Bulk' });
    ids = await bulkPeople(host, 2000, { last_name: 'Many', category_id: bulk.id, status_id: lead.id });
  });

  after(() => host.dispose());

  const statusCounts = async () => {
    const values = [...(await columnOf(host, ids, 'status_id')).values()].map(Number);
    return { lead: values.filter((v) => v === lead.id).length, won: values.filter((v) => v === won.id).length, lost: values.filter((v) => v === lost.id).length };
  };

  it('runs 2,000 contacts as a job in chunks, with progress, to a summary and history per contact', async () => {
    expect(ids).to.have.length(2000);
    const res = await agent.post('/api/v1/list-actions/crm.set-status').set('X-CSRF-Token', csrf).send({ filter: { category_id: String(bulk.id) }, params: { status_id: won.id } });
    expect(res.status).to.equal(202);
    expect(res.body).to.have.keys('job_id', 'total');
    expect(res.body.total).to.equal(2000);
    expect(res.headers.location).to.equal(`/api/v1/jobs/${res.body.job_id}`);

    const seen: JobInfo[] = [];
    const unsubscribe = host.jobs.subscribe(res.body.job_id, (job) => void seen.push(job));
    const job = await host.jobs.waitFor(res.body.job_id, 150_000);
    unsubscribe();
    expect(job.state, job.error ?? '').to.equal('done');
    expect(job.type).to.equal(JOB_TYPE);
    expect(job.result).to.deep.equal({ changed: 2000, skipped: 0, failed: 0, total: 2000, action: 'crm.set-status' });
    expect([job.processed, job.total]).to.deep.equal([2000, 2000]);
    // Progress went up chunk by chunk on its way.
    const steps = seen.filter((j) => j.state === 'running' && j.processed > 0 && j.processed < 2000).map((j) => j.processed);
    expect(steps.length).to.be.greaterThan(0);
    for (const step of steps) expect(step % JOB_CHUNK).to.equal(0);

    expect(await statusCounts()).to.deep.equal({ lead: 0, won: 2000, lost: 0 });
    const history = await historyOf(host, ids, { field: 'status_id' });
    expect(history).to.have.length(2000);
    expect(new Set(history.map((h) => h.contact)).size).to.equal(2000);
    expect(history.every((h) => h.old === lead.id && h.new === won.id && h.user === host.admin.id)).to.equal(true);

    // The job is the caller's to follow over the API.
    const followed = await agent.get(`/api/v1/jobs/${res.body.job_id}`);
    expect(followed.body).to.include({ state: 'done', percent: 100 });
  });

  it('sends the browser to the progress page and shows the summary back on the list', async () => {
    await agent.post('/api/v1/selection').set('X-CSRF-Token', csrf).send({ filter: { category_id: String(bulk.id) } });
    const res = await agent.post('/crm/contacts/actions/crm.set-status').type('form').send({ _csrf: csrf, 'params[status_id]': String(lost.id), back: '/crm/contacts?selected=1' });
    expect(res.status).to.equal(303);
    const location = new URL(res.headers.location!, 'http://local');
    expect(location.pathname).to.match(/^\/jobs\/[\w-]+$/);
    const jobId = location.pathname.split('/')[2]!;
    const back = location.searchParams.get('back')!;
    expect(back).to.equal(`/crm/contacts?selected=1&job=${jobId}`);

    const progress = await agent.get(res.headers.location!);
    expect(progress.status).to.equal(200);
    expect(progress.text).to.contain(`data-job-progress="${jobId}"`).and.to.contain(`href="${back.replace(/&/g, '&amp;').replace(/=/g, '&#x3D;')}"`);

    await host.jobs.waitFor(jobId, 150_000);
    const list = await agent.get(back);
    expect(list.text).to.contain('data-testid="job-result"').and.to.contain('Set status: 2,000 contacts changed.');
    expect(await statusCounts()).to.deep.equal({ lead: 0, won: 0, lost: 2000 });
    await agent.delete('/api/v1/selection').set('X-CSRF-Token', csrf);
  });

  it('resumes a stopped job after its last finished chunk', async () => {
    // A job left behind by a stopped worker, with two chunks done and saved in its checkpoint.
    await host.jobs.stop();
    const payload = { action: 'crm.set-status', ids, params: { status_id: lead.id }, requested: ids.length };
    const id = await host.jobs.enqueue(JOB_TYPE, payload, { userId: host.admin.id });
    const done = 2 * JOB_CHUNK;
    await host.services.get<Sequelize>(TOKENS.Database).query('UPDATE host_jobs SET checkpoint = ?, processed = ? WHERE id = ?', {
      replacements: [JSON.stringify({ next: done, changed: done, failed: 0 }), done, id],
    });
    await host.jobs.start();
    const job = await host.jobs.waitFor(id, 150_000);
    expect(job.state, job.error ?? '').to.equal('done');
    expect(job.result).to.deep.include({ changed: 2000, failed: 0, skipped: 0 });
    // The first two chunks were not run again: those contacts keep their status.
    const status = await columnOf(host, ids, 'status_id');
    expect(ids.slice(0, done).every((i) => Number(status.get(i)) === lost.id)).to.equal(true);
    expect(ids.slice(done).every((i) => Number(status.get(i)) === lead.id)).to.equal(true);
  });

  it('runs up to the limit at once, within the request', async () => {
    const res = await agent.post('/api/v1/list-actions/crm.set-status').set('X-CSRF-Token', csrf).send({ ids: ids.slice(0, RUN_NOW_LIMIT), params: { status_id: won.id } });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ changed: RUN_NOW_LIMIT, skipped: 0, failed: 0, total: RUN_NOW_LIMIT });
  });

  it('ends the job with the reason when the user loses the right meanwhile', async () => {
    const editor = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
    const theirs = await host.login(editor.email, editor.password);
    const token = await csrfOf(theirs, '/crm/contacts');
    const before = await statusCounts();
    await host.jobs.stop();
    const res = await theirs.post('/api/v1/list-actions/crm.set-status').set('X-CSRF-Token', token).send({ ids, params: { status_id: lost.id } });
    expect(res.status).to.equal(202);
    const [groups] = await host.services.get<Sequelize>(TOKENS.Database).query('SELECT group_id FROM host_user_groups WHERE user_id = ?', { replacements: [editor.id] });
    const groupId = Number((groups as Array<{ group_id: number }>)[0]!.group_id);
    await host.services.get<GroupsService>(TOKENS.Groups).update(groupId, { rights: ['crm.access'] });
    await host.jobs.start();
    const job = await host.jobs.waitFor(res.body.job_id, 60_000);
    expect(job.state).to.equal('failed');
    expect(job.error).to.equal('You do not have the right to do this.');
    expect(await statusCounts()).to.deep.equal(before);
  });
});
