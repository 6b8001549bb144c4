/**
 * Merging contacts (issue 5): the master keeps the chosen values and every channel; notes,
 * history, employees, payer links and other plugins' rows (orders, tags, segments) move to it in
 * one transaction; the merged contacts become redirects (card page and API); the master's
 * history records the merge; rights and scope; translated validation errors; a plugin that fails
 * to re-point rolls everything back.
 */
import { expect } from 'chai';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import path from 'node:path';
import { ADMIN, ROOT, csrfOf } from '../../../tests/support/test-host.js';
import type { Contact, ContactInput } from '../api.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

describe('Merging contacts', () => {
  let host: CrmTestHost;
  let token: string;

  before(async () => {
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), path.join(import.meta.dirname, 'fixtures', 'merge-plugins')] });
    const res = await request(host.app!).post('/api/v1/auth/token').send({ email: ADMIN.email, password: ADMIN.password });
    token = res.body.token as string;
  });
  after(() => host.dispose());

  const person = (input: ContactInput) => host.contacts.create(host.admin, { kind: 'person', ...input });
  const company = (input: ContactInput) => host.contacts.create(host.admin, { kind: 'company', ...input });
  const api = (language = 'en') => ({
    post: (url: string, body: unknown) => request(host.app!).post(`/api/v1${url}`).set('Authorization', `Bearer ${token}`).set('Accept-Language', language).send(body as object),
    get: (url: string) => request(host.app!).get(`/api/v1${url}`).set('Authorization', `Bearer ${token}`),
  });
  const count = async (sql: string, params: unknown[]) => Number(((await host.db.query(sql, { replacements: params }))[0] as Array<{ n: number }>)[0]!.n);
  const row = async (id: number) => ((await host.db.query('SELECT * FROM crm_contacts WHERE id = ?', { replacements: [id] }))[0] as Array<Record<string, unknown>>)[0]!;

  it('keeps the chosen values and every channel, moves notes, history, employees, payer links, orders, tags and segments, and leaves a redirect', async () => {
    const status = await host.dictionaries.create('status', { name: 'Customer' });
    const oldCo = await company({ company_name: 'Ромашка (old)', domains: ['romashka.pl'] });
    const master = await person({ first_name: 'Anna', last_name: 'Kowalska', job_title: null, emails: [{ value: 'anna@romashka.pl', primary: true }], phones: [{ value: '+48 600 100 200' }] });
    const dupe = await person({
      first_name: 'Ania', last_name: 'Kowalska-Nowak', job_title: 'CFO', status_id: status.id, company_id: oldCo.id,
      emails: [{ value: 'ANNA@romashka.pl' }, { value: 'ania@gmail.com' }], phones: [{ value: '+48 600 100 300' }],
      addresses: [{ city: 'Kraków', street: 'Floriańska 1' }],
    });
    const payer = await company({ company_name: 'Payer', buyer_id: null });
    const dupeCo = await company({ company_name: 'Dupe company' });
    const employee = await person({ first_name: 'Jan', last_name: 'Nowak', company_id: dupeCo.id });
    await host.notes.add(host.admin, dupe.id, 'Called about the invoice');
    await host.db.query("INSERT INTO orders_orders (contact_id, number, product, amount, currency, ordered_at, status, created_at) VALUES (?, 'A-1', 'Desk', 550, 'PLN', '2024-03-03', 'new', ?)", { replacements: [dupe.id, new Date()] });
    await host.db.query("INSERT INTO tags_tags (name, name_key, color, created_at) VALUES ('VIP', 'vip', '#ff0000', ?)", { replacements: [new Date()] });
    const [[tag]] = (await host.db.query("SELECT id FROM tags_tags WHERE name_key = 'vip'")) as [Array<{ id: number }>, unknown];
    await host.db.query('INSERT INTO tags_contact_tags (contact_id, tag_id) VALUES (?, ?), (?, ?)', { replacements: [dupe.id, tag!.id, master.id, tag!.id] });
    await host.db.query("INSERT INTO segments_segments (name, color, type, owner_id, shared, archived, version, created_at, updated_at) VALUES ('Key', '#00ff00', 'static', ?, 1, 0, 1, ?, ?)", { replacements: [host.admin.id, new Date(), new Date()] });
    const [[segment]] = (await host.db.query("SELECT id FROM segments_segments WHERE name = 'Key'")) as [Array<{ id: number }>, unknown];
    await host.db.query('INSERT INTO segments_members (segment_id, contact_id) VALUES (?, ?)', { replacements: [segment!.id, dupe.id] });
    await host.contacts.update(host.admin, payer.id, { buyer_id: null }, payer.version);
    await host.db.query('UPDATE crm_contacts SET buyer_id = ? WHERE id = ?', { replacements: [dupe.id, employee.id] });
    const dupeHistory = await count('SELECT COUNT(*) AS n FROM crm_history WHERE contact_id = ?', [dupe.id]);

    const res = await api().post('/contacts/merge', { master_id: master.id, merge_ids: [dupe.id], fields: { last_name: dupe.id }, version: master.version });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const merged = res.body.master as Contact;
    expect(res.body.merged).to.deep.equal([dupe.id]);
    // The chosen value, the master's own where it had one, and the other's where the master's was empty.
    expect(merged).to.include({ first_name: 'Anna', last_name: 'Kowalska-Nowak', job_title: 'CFO', status_id: status.id, company_id: oldCo.id });
    expect(merged.emails.map((e) => e.value)).to.deep.equal(['anna@romashka.pl', 'ania@gmail.com']);
    expect(merged.emails[0]!.primary).to.equal(true);
    expect(merged.phones.map((p) => p.value)).to.have.length(2);
    expect(merged.addresses.map((a) => a.city)).to.deep.equal(['Kraków']);
    expect(merged.version).to.be.greaterThan(master.version);

    expect(await count('SELECT COUNT(*) AS n FROM crm_notes WHERE contact_id = ?', [master.id])).to.equal(1);
    expect(await count('SELECT COUNT(*) AS n FROM crm_history WHERE contact_id = ?', [dupe.id])).to.equal(0);
    expect(await count('SELECT COUNT(*) AS n FROM crm_history WHERE contact_id = ?', [master.id])).to.be.greaterThan(dupeHistory);
    expect(await count('SELECT COUNT(*) AS n FROM orders_orders WHERE contact_id = ?', [master.id])).to.equal(1);
    expect(await count('SELECT COUNT(*) AS n FROM tags_contact_tags WHERE contact_id = ?', [master.id])).to.equal(1);
    expect(await count('SELECT COUNT(*) AS n FROM tags_contact_tags WHERE contact_id = ?', [dupe.id])).to.equal(0);
    expect(await count('SELECT COUNT(*) AS n FROM segments_members WHERE contact_id = ?', [master.id])).to.equal(1);
    expect((await row(employee.id)).buyer_id).to.equal(master.id);
    expect(Number((await row(dupe.id)).merged_into_id)).to.equal(master.id);
    expect(await count('SELECT COUNT(*) AS n FROM crm_channels WHERE contact_id = ?', [dupe.id])).to.equal(0);

    // The merged contact left the list and search; the master's history records the merge.
    const listed = await host.query.list(host.admin, { q: 'Kowalska' });
    expect(listed.items.map((c) => c.id)).to.deep.equal([master.id]);
    const history = await host.history.list(host.admin, master.id, { action: 'merge' });
    expect(history).to.have.length(1);
    expect(history[0]!.new_value).to.deep.include({ merged: [{ id: dupe.id, name: 'Ania Kowalska-Nowak' }] });
    expect((history[0]!.old_value as Contact[])[0]!.emails.map((e) => e.value)).to.include('ania@gmail.com');

    // Merging companies re-points their employees, with history on each.
    const res2 = await api().post('/contacts/merge', { master_id: oldCo.id, merge_ids: [dupeCo.id] });
    expect(res2.status, JSON.stringify(res2.body)).to.equal(200);
    expect((await row(employee.id)).company_id).to.equal(oldCo.id);
    const employeeHistory = await host.history.list(host.admin, employee.id, { field: 'company_id' });
    expect(employeeHistory[0]).to.include({ old_value: dupeCo.id, new_value: oldCo.id });
  });

  it('keeps the id another program knows the client by: the master takes the other’s external id when it has none, or when chosen', async () => {
    const master = await person({ first_name: 'Ext', last_name: 'Master' });
    const dupe = await person({ first_name: 'Ext', last_name: 'Dupe', external_id: 'ERP-1001' });
    const screen = await request(host.app!).get(`/crm/merge?ids=${master.id},${dupe.id}`).set('Authorization', `Bearer ${token}`);
    expect(screen.status).to.equal(200);
    expect(screen.text).to.contain('External ID').and.to.contain('ERP-1001');
    const res = await api().post('/contacts/merge', { master_id: master.id, merge_ids: [dupe.id] });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.master.external_id).to.equal('ERP-1001');

    const kept = await person({ first_name: 'Ext', last_name: 'Kept', external_id: 'CRM-7' });
    const chosen = await person({ first_name: 'Ext', last_name: 'Chosen', external_id: 'ERP-2002' });
    expect((await api().post('/contacts/merge', { master_id: kept.id, merge_ids: [chosen.id] })).body.master.external_id).to.equal('CRM-7');
    const other = await person({ first_name: 'Ext', last_name: 'Other', external_id: 'ERP-3003' });
    const taken = await api().post('/contacts/merge', { master_id: kept.id, merge_ids: [other.id], fields: { external_id: other.id } });
    expect(taken.body.master.external_id).to.equal('ERP-3003');
    const history = await host.history.list(host.admin, kept.id, { field: 'external_id' });
    expect(history[0]).to.include({ old_value: 'CRM-7', new_value: 'ERP-3003' });
  });

  it('redirects the merged contact’s card and API id to the master, through chains, never to a contact out of sight', async () => {
    const a = await person({ first_name: 'Chain', last_name: 'A' });
    const b = await person({ first_name: 'Chain', last_name: 'B' });
    const c = await person({ first_name: 'Chain', last_name: 'C' });
    expect((await api().post('/contacts/merge', { master_id: b.id, merge_ids: [a.id] })).status).to.equal(200);
    expect((await api().post('/contacts/merge', { master_id: c.id, merge_ids: [b.id] })).status).to.equal(200);

    const viaApi = await api().get(`/contacts/${a.id}`);
    expect(viaApi.status).to.equal(301);
    expect(viaApi.headers.location).to.equal(`/api/v1/contacts/${c.id}`);
    const agent = await host.login();
    const page = await agent.get(`/crm/contacts/${b.id}`);
    expect(page.status).to.equal(301);
    expect(page.headers.location).to.equal(`/crm/contacts/${c.id}`);
    expect((await agent.get(`/crm/contacts/${c.id}`)).status).to.equal(200);

    // A user who sees only their own clients may follow a redirect only to a master of theirs.
    const north = await api().post('/classes', { name: 'North' });
    expect(north.status, JSON.stringify(north.body)).to.equal(201);
    const group = await api().post('/groups', { name: 'Own clients', rights: ['crm.access', 'crm.contacts.edit', 'crm.contacts.merge'], classes: { [north.body.id]: 'edit' }, only_own: true });
    expect(group.status, JSON.stringify(group.body)).to.equal(201);
    const seller = await api().post('/users', { email: 'seller@example.com', password: 'seller-password-1', name: 'Seller', groups: [group.body.id] });
    expect(seller.status, JSON.stringify(seller.body)).to.equal(201);
    const mine = await person({ last_name: 'Mine', responsible_id: seller.body.id, class_id: north.body.id });
    const theirs = await person({ last_name: 'Theirs', responsible_id: host.admin.id, class_id: north.body.id });
    const mineToo = await person({ last_name: 'MineToo', responsible_id: seller.body.id, class_id: north.body.id });
    expect((await api().post('/contacts/merge', { master_id: theirs.id, merge_ids: [mine.id] })).status).to.equal(200);
    expect((await api().post('/contacts/merge', { master_id: mineToo.id, merge_ids: [(await person({ last_name: 'Gone', responsible_id: seller.body.id, class_id: north.body.id })).id] })).status).to.equal(200);
    const sellerToken = (await request(host.app!).post('/api/v1/auth/token').send({ email: 'seller@example.com', password: 'seller-password-1' })).body.token as string;
    const asSeller = (url: string) => request(host.app!).get(`/api/v1${url}`).set('Authorization', `Bearer ${sellerToken}`);
    expect((await asSeller(`/contacts/${mine.id}`)).status).to.equal(404);
    const [[gone]] = (await host.db.query('SELECT id FROM crm_contacts WHERE merged_into_id = ?', { replacements: [mineToo.id] })) as [Array<{ id: number }>, unknown];
    expect((await asSeller(`/contacts/${gone!.id}`)).headers.location).to.equal(`/api/v1/contacts/${mineToo.id}`);
  });

  it('refuses what cannot be merged with translated errors, 404 for contacts out of sight, 403 without the right', async () => {
    const p = await person({ first_name: 'Solo', last_name: 'Person' });
    const co = await company({ company_name: 'Solo Co' });
    const same = await api('pl').post('/contacts/merge', { master_id: p.id, merge_ids: [p.id] });
    expect(same.status).to.equal(400);
    expect(same.body.error.details[0]).to.include({ field: 'merge_ids', message: 'Kontaktu nie można scalić z nim samym ani podać dwa razy.' });
    const kinds = await api('ru').post('/contacts/merge', { master_id: p.id, merge_ids: [co.id] });
    expect(kinds.status).to.equal(400);
    expect(kinds.body.error.details[0].message).to.equal('Нельзя объединить человека и компанию.');
    const badField = await api().post('/contacts/merge', { master_id: p.id, merge_ids: [(await person({ last_name: 'Other' })).id], fields: { nope: p.id } });
    expect(badField.status).to.equal(400);
    expect(badField.body.error.details[0].field).to.equal('fields.nope');
    const schema = await api('uk').post('/contacts/merge', { master_id: 'x', merge_ids: [] });
    expect(schema.status).to.equal(400);
    expect((await api().post('/contacts/merge', { master_id: p.id, merge_ids: [999999] })).status).to.equal(404);

    // A user who may edit contacts but not merge; and one who holds merge but sees nothing of a class.
    const editor = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
    const editorToken = (await request(host.app!).post('/api/v1/auth/token').send({ email: editor.email, password: editor.password })).body.token as string;
    const other = await person({ last_name: 'Other2' });
    const denied = await request(host.app!).post('/api/v1/contacts/merge').set('Authorization', `Bearer ${editorToken}`).send({ master_id: p.id, merge_ids: [other.id] });
    expect(denied.status).to.equal(403);
  });

  it('rolls the whole merge back when another plugin fails to re-point its rows', async () => {
    const master = await person({ first_name: 'Roll', last_name: 'Back', job_title: null });
    const dupe = await person({ first_name: 'Roll', last_name: 'Explode', job_title: 'Boss', emails: [{ value: 'roll@back.pl' }] });
    await host.notes.add(host.admin, dupe.id, 'Stays');
    const res = await api().post('/contacts/merge', { master_id: master.id, merge_ids: [dupe.id] });
    expect(res.status).to.equal(500);
    expect((await row(dupe.id)).merged_into_id).to.equal(null);
    expect(await count('SELECT COUNT(*) AS n FROM crm_notes WHERE contact_id = ?', [dupe.id])).to.equal(1);
    expect(await count('SELECT COUNT(*) AS n FROM crm_channels WHERE contact_id = ?', [dupe.id])).to.equal(1);
    const again = await host.contacts.get(host.admin, master.id);
    expect(again).to.include({ job_title: null, version: master.version });
  });

  it('merges from the merge screen and from the list’s Merge action on the selection', async () => {
    const agent: TestAgent = await host.login();
    const csrf = await csrfOf(agent, '/crm/contacts');
    const a = await person({ first_name: 'Screen', last_name: 'One', job_title: 'Dev' });
    const b = await person({ first_name: 'Screen', last_name: 'Two', job_title: 'Lead', emails: [{ value: 'screen@two.pl' }] });
    await agent.post('/crm/contacts/selection').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ op: 'add', ids: [a.id, b.id] }).expect(200);
    const toScreen = await agent.post('/crm/merge/selection').type('form').send({ _csrf: csrf, back: '/crm/contacts' });
    expect(toScreen.status).to.equal(303);
    expect(toScreen.headers.location).to.equal(`/crm/merge?ids=${a.id},${b.id}`);
    const screen = await agent.get(toScreen.headers.location);
    expect(screen.status).to.equal(200);
    expect(screen.text).to.contain('data-field="last_name"').and.contain('screen@two.pl');
    expect(screen.text).not.to.contain('<script>');
    const done = await agent.post('/crm/merge').type('form').send({ _csrf: csrf, ids: `${a.id},${b.id}`, master_id: String(b.id), 'fields[job_title]': String(a.id) });
    expect(done.status).to.equal(303);
    expect(done.headers.location).to.equal(`/crm/contacts/${b.id}`);
    expect(await host.contacts.get(host.admin, b.id)).to.include({ job_title: 'Dev', last_name: 'Two' });
    // The list's Merge action posts there, and asks nothing in its own form.
    const list = await agent.get('/crm/contacts');
    expect(list.text).to.contain('action="/crm/merge/selection"');
  });
});
