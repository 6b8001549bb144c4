/**
 * The duplicate finder (issue 5): groups by email, phone, tax id, company domain (free mail left
 * out) and same name in the same company, each with its reasons; only contacts the user may see;
 * at once on a small base and as a job with stored results; pages of groups; "not duplicates".
 */
import { expect } from 'chai';
import request from 'supertest';
import { ADMIN } from '../../../tests/support/test-host.js';
import type { ContactInput } from '../api.js';
import { DUPLICATES_JOB } from '../merge/duplicate-runs.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

interface GroupJson {
  signature: string;
  reasons: Array<{ reason: string; value: string }>;
  contacts: Array<{ id: number; name: string }>;
}

describe('Finding duplicates', () => {
  let host: CrmTestHost;
  let token: string;
  const ids: Record<string, number> = {};

  before(async () => {
    host = await createCrmTestHost({ jobs: true });
    token = (await request(host.app!).post('/api/v1/auth/token').send({ email: ADMIN.email, password: ADMIN.password })).body.token as string;
    const add = async (key: string, input: ContactInput & { kind?: 'person' | 'company' }) => {
      ids[key] = (await host.contacts.create(host.admin, { kind: 'person', ...input })).id;
    };
    await add('anna1', { first_name: 'Anna', last_name: 'Nowak', emails: [{ value: 'anna@nowak.pl' }] });
    await add('anna2', { first_name: 'Anna', last_name: 'Nowakowa', emails: [{ value: 'ANNA@Nowak.pl' }] });
    await add('phone1', { last_name: 'Petrov', phones: [{ value: '+48 600 123 456' }] });
    await add('phone2', { last_name: 'Петров', phones: [{ value: '600-123-456' }] });
    await add('tax1', { kind: 'company', company_name: 'Romashka', tax_ids: [{ type: 'nip', value: '856-734-62-15' }] });
    await add('tax2', { kind: 'company', company_name: 'Romashka Sp. z o.o.', tax_ids: [{ type: 'nip', value: '8567346215' }] });
    await add('dom1', { kind: 'company', company_name: 'Acme', domains: ['acme.com'] });
    await add('dom2', { kind: 'company', company_name: 'ACME Inc', emails: [{ value: 'office@acme.com' }] });
    await add('free1', { kind: 'company', company_name: 'Alpha', emails: [{ value: 'alpha@gmail.com' }] });
    await add('free2', { kind: 'company', company_name: 'Beta', emails: [{ value: 'beta@gmail.com' }] });
    await add('name1', { first_name: 'Jan', last_name: 'Kowalski', company_id: ids.dom1 });
    await add('name2', { first_name: 'Jan', last_name: 'Kowalski', company_id: ids.dom1 });
    await add('name3', { first_name: 'Jan', last_name: 'Kowalski', company_id: ids.tax1 });
    await add('alone', { first_name: 'Nobody', last_name: 'Else', emails: [{ value: 'nobody@else.pl' }] });
  });
  after(() => host.dispose());

  const api = {
    get: (url: string) => request(host.app!).get(`/api/v1${url}`).set('Authorization', `Bearer ${token}`),
    post: (url: string, body: object = {}) => request(host.app!).post(`/api/v1${url}`).set('Authorization', `Bearer ${token}`).send(body),
  };
  const groups = async (): Promise<GroupJson[]> => {
    const res = await api.get('/duplicates?per_page=100');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.items as GroupJson[];
  };
  const members = (g: GroupJson) => g.contacts.map((c) => c.id).sort((a, b) => a - b);
  const byReason = (list: GroupJson[], reason: string) => list.filter((g) => g.reasons.some((r) => r.reason === reason)).map(members);

  it('groups contacts by email, phone, tax id, company domain and name in one company, with the reasons', async () => {
    const run = await api.post('/duplicates/runs');
    expect(run.status, JSON.stringify(run.body)).to.equal(201);
    expect(run.body.run).to.include({ state: 'done', job_id: null });
    const found = await groups();
    expect(byReason(found, 'email')).to.deep.equal([[ids.anna1, ids.anna2]]);
    expect(byReason(found, 'phone')).to.deep.equal([[ids.phone1, ids.phone2]]);
    expect(byReason(found, 'tax_id')).to.deep.equal([[ids.tax1, ids.tax2]]);
    expect(byReason(found, 'domain')).to.deep.equal([[ids.dom1, ids.dom2]]);
    // Same name, but only within one company; gmail.com says nothing about a company.
    expect(byReason(found, 'name')).to.deep.equal([[ids.name1, ids.name2]]);
    expect(found).to.have.length(5);
    expect(found.find((g) => g.reasons[0]!.reason === 'email')!.reasons).to.deep.equal([{ reason: 'email', value: 'anna@nowak.pl' }]);
    expect(found.find((g) => g.reasons[0]!.reason === 'name')!.reasons).to.deep.equal([{ reason: 'name', value: String(ids.dom1) }]);
  });

  it('lists only contacts the user may see', async () => {
    const north = await api.post('/classes', { name: 'Hidden' });
    const group = await api.post('/groups', { name: 'Dedupers', rights: ['crm.access', 'crm.contacts.edit', 'crm.contacts.merge'], classes: {} });
    await api.post('/users', { email: 'dedupe@example.com', password: 'dedupe-password-1', name: 'Dedupe', groups: [group.body.id] }).expect(201);
    const phone2 = await host.contacts.get(host.admin, ids.phone2!);
    await host.contacts.update(host.admin, ids.phone2!, { class_id: north.body.id }, phone2.version);
    const userToken = (await request(host.app!).post('/api/v1/auth/token').send({ email: 'dedupe@example.com', password: 'dedupe-password-1' })).body.token as string;
    await request(host.app!).post('/api/v1/duplicates/runs').set('Authorization', `Bearer ${userToken}`).send({}).expect(201);
    const theirs = (await request(host.app!).get('/api/v1/duplicates?per_page=100').set('Authorization', `Bearer ${userToken}`)).body.items as GroupJson[];
    expect(byReason(theirs, 'phone')).to.deep.equal([]);
    expect(byReason(theirs, 'email')).to.deep.equal([[ids.anna1, ids.anna2]]);
    // Without the merge right there is no finder at all.
    const plain = await host.userWithRights(['crm.access']);
    const plainToken = (await request(host.app!).post('/api/v1/auth/token').send({ email: plain.email, password: plain.password })).body.token as string;
    await request(host.app!).post('/api/v1/duplicates/runs').set('Authorization', `Bearer ${plainToken}`).send({}).expect(403);
  });

  it('runs as a job with progress, stores the groups for the page, and remembers "not duplicates"', async () => {
    const res = await api.post('/duplicates/runs', { background: true });
    expect(res.status).to.equal(202);
    expect(res.headers.location).to.equal(`/api/v1/jobs/${res.body.job_id}`);
    const job = await host.jobs.waitFor(res.body.job_id, 60_000);
    expect(job.state, job.error ?? '').to.equal('done');
    expect(job.type).to.equal(DUPLICATES_JOB);
    expect([job.processed, job.total]).to.deep.equal([5, 5]);
    expect((await api.get(`/duplicates/runs/${res.body.run.id}`)).body).to.include({ state: 'done', group_count: 5 });

    const agent = await host.login();
    const page = await agent.get('/crm/duplicates');
    expect(page.status).to.equal(200);
    expect(page.text.match(/data-testid="duplicate-group"/g)).to.have.length(5);
    expect(page.text).to.contain('Same company domain: acme.com');

    const first = (await groups())[0]!;
    await api.post('/duplicates/dismissals', { signature: first.signature }).expect(204);
    expect((await groups()).map((g) => g.signature)).not.to.include(first.signature);
    // A later run does not offer it again.
    await api.post('/duplicates/runs').expect(201);
    expect((await groups()).map((g) => g.signature)).not.to.include(first.signature);
    await api.post('/duplicates/dismissals', { signature: 'f'.repeat(40) }).expect(404);
  });

  it('finds persons of one company whose names are written differently: word order, an initial, a diminutive one letter off, a typo', async () => {
    const firm = (await host.contacts.create(host.admin, { kind: 'company', company_name: 'Similar Names Ltd' })).id;
    const person = async (first_name: string | null, last_name: string, middle_name: string | null = null) =>
      (await host.contacts.create(host.admin, { kind: 'person', first_name, middle_name, last_name, company_id: firm })).id;
    const swapped = [await person('Anna', 'Kowalska'), await person('Kowalska', 'Anna')];
    const initial = [await person('Jan', 'Wiśniewski'), await person('J.', 'Wisniewski')];
    const diminutive = [await person('Ania', 'Zielińska'), await person('Anna', 'Zielinska', 'Maria')];
    const typo = [await person('Katarzyna', 'Wójcik-Lis'), await person('Katarzyna', 'Wojcik-Lsi')];
    const chain = [await person('Олена', 'Шевченко'), await person('Олена', 'Шевченка'), await person(null, 'Шевченко')];
    // Different people: another first name, the feminine form of a short name, a short surname one letter off.
    await person('Adam', 'Kowalska');
    await person('Jan', 'Kowalczyk');
    await person('Jana', 'Kowalczyk');
    await person('Piotr', 'Lis');
    await person('Piotr', 'Las');
    await api.post('/duplicates/runs').expect(201);
    const inFirm = (await groups()).filter((g) => g.reasons.some((r) => r.reason === 'name' && r.value === String(firm))).map(members);
    const sorted = (list: number[][]) => list.map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);
    expect(sorted(inFirm)).to.deep.equal(sorted([swapped, initial, diminutive, typo, chain]));
  });

  it('drops merged contacts from the groups, so a merged group disappears', async () => {
    const before = await groups();
    const tax = before.find((g) => g.reasons.some((r) => r.reason === 'tax_id'))!;
    await api.post('/contacts/merge', { master_id: tax.contacts[0]!.id, merge_ids: [tax.contacts[1]!.id] }).expect(200);
    expect(byReason(await groups(), 'tax_id')).to.deep.equal([]);
  });
});
