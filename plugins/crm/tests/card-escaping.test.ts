import { expect } from 'chai';
import type TestAgent from 'supertest/lib/agent.js';
import { TOKENS, type UsersService } from '../../../host/api.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import type { Contact } from '../api.js';
import { form, hx } from './card-kit.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const XSS = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

/**
 * A contact, its company, its status, its custom fields, its notes' author and its history are all
 * named `<script>alert(1)</script>`: every view of the card must show that as text.
 */
describe('Client card views escape user data', () => {
  let host: CrmTestHost;
  let agent: TestAgent;
  let csrf: string;
  let person: Contact;
  let company: Contact;
  let noteId: number;

  before(async () => {
    host = await createCrmTestHost();
    const status = await host.dictionaries.create('status', { name: XSS, color: '#ff0000' });
    const category = await host.dictionaries.create('category', { name: XSS, color: '#f00;x:url(js:1)' });
    await host.fields.create({ key: 'note_text', type: 'text', labels: { en: XSS } });
    await host.fields.create({ key: 'tier', type: 'select', labels: { en: XSS }, options: [XSS, 'plain'] });
    await host.fields.create({ key: 'site', type: 'url', labels: { en: 'Site' } });
    const users = host.services.get<UsersService>(TOKENS.Users);
    const evil = await users.update((await host.userWithRights(['crm.access'], 'evil@example.com')).id, { name: XSS });
    company = await host.contacts.create(host.admin, { kind: 'company', company_name: XSS, domains: ['evil.example'], tax_ids: [{ type: 'nip', value: '7342867148' }] });
    person = await host.contacts.create(host.admin, {
      kind: 'person',
      first_name: XSS,
      middle_name: XSS,
      last_name: XSS,
      job_title: XSS,
      comment: `${XSS}\n${XSS}`,
      company_id: company.id,
      status_id: status.id,
      category_id: category.id,
      responsible_id: evil.id,
      emails: [{ value: 'x@example.com', label: XSS }],
      phones: [{ value: '600123456', label: XSS }],
      websites: [{ value: 'https://example.com/?q=<script>', label: XSS }],
      addresses: [{ street: XSS, city: XSS, label: XSS }],
      custom: { note_text: XSS, tier: XSS, site: 'https://example.com/"onmouseover="alert(1)' },
    });
    person = await host.contacts.update(host.admin, person.id, { job_title: `${XSS} 2`, custom: { note_text: `${XSS} 2` } }, person.version);
    const note = await host.notes.add(await host.asUser(evil.id), person.id, XSS);
    noteId = note.id;
    agent = await host.login();
    csrf = await csrfOf(agent, '/crm/contacts/new');
  });
  after(() => host.dispose());

  function clean(text: string, where: string, mustShow = true): void {
    expect(text, where).not.to.contain(XSS);
    expect(text, where).not.to.match(/<script>alert/);
    expect(text, where).not.to.match(/javascript:|url\(js:/i); // colours reach style attributes only when they are plain hex
    expect(text, where).not.to.contain('"onmouseover');
    if (mustShow) expect(text, where).to.contain(ESCAPED);
  }

  it('on the card page, its header and its core tabs', async () => {
    for (const url of [
      `/crm/contacts/${person.id}`,
      `/crm/contacts/${company.id}`,
      `/crm/contacts/${person.id}/header`,
      `/crm/contacts/${person.id}/tabs/crm/info`,
      `/crm/contacts/${company.id}/tabs/crm/info`,
      `/crm/contacts/${company.id}/tabs/crm/employees`,
      `/crm/contacts/${person.id}/tabs/crm/notes`,
      `/crm/contacts/${person.id}/tabs/crm/history`,
      `/crm/contacts/${person.id}/tabs/crm/history?field=custom.note_text`,
    ]) {
      const res = await agent.get(url).expect(200);
      clean(res.text, url);
    }
  });

  it('in every field as shown and in every editor', async () => {
    const keys = ['first_name', 'middle_name', 'last_name', 'job_title', 'company_id', 'emails', 'phones', 'websites', 'addresses', 'status_id', 'category_id', 'responsible_id', 'comment', 'custom.note_text', 'custom.tier'];
    for (const key of keys) {
      clean((await hx(agent, csrf).get(`/crm/contacts/${person.id}/fields/${key}`).expect(200)).text, `${key} shown`);
      clean((await hx(agent, csrf).get(`/crm/contacts/${person.id}/fields/${key}/edit`).expect(200)).text, `${key} editor`);
    }
    clean((await hx(agent, csrf).get(`/crm/contacts/${person.id}/fields/custom.site`).expect(200)).text, 'url shown', false);
  });

  it('in editors sent back with errors (400) and with a conflict (409)', async () => {
    const bad = await hx(agent, csrf).post(`/crm/contacts/${person.id}/fields/emails`, form([['version', String(person.version)], ['items[0][value]', XSS], ['items[0][label]', XSS]])).expect(400);
    clean(bad.text, 'emails 400');
    const company400 = await hx(agent, csrf).post(`/crm/contacts/${person.id}/fields/company_id`, form({ version: person.version, value: '', label: XSS })).expect(400);
    clean(company400.text, 'company 400');
    const conflict = await hx(agent, csrf).post(`/crm/contacts/${person.id}/fields/job_title`, form({ version: 1, value: XSS })).expect(409);
    clean(conflict.text, 'job_title 409');
    const header409 = await hx(agent, csrf).post(`/crm/contacts/${person.id}/fields/status_id?view=header`, form({ version: 1, value: '' })).expect(409);
    clean(header409.text, 'header 409');
  });

  it('in notes, their editor and their errors', async () => {
    clean((await hx(agent, csrf).get(`/crm/contacts/${person.id}/notes/${noteId}`).expect(200)).text, 'note');
    const own = await host.notes.add(host.admin, person.id, XSS);
    clean((await hx(agent, csrf).get(`/crm/contacts/${person.id}/notes/${own.id}/edit`).expect(200)).text, 'note editor');
    clean((await hx(agent, csrf).post(`/crm/contacts/${person.id}/notes/${own.id}`, form({ body: XSS })).expect(200)).text, 'note saved');
    clean((await hx(agent, csrf).post(`/crm/contacts/${person.id}/notes`, form({ body: 'x'.repeat(20001) })).expect(400)).text, 'notes 400');
  });

  it('after a restore from History, whose message names the field', async () => {
    const entry = (await host.history.list(host.admin, person.id, { field: 'custom.note_text' }))[0]!;
    const current = await host.contacts.get(host.admin, person.id);
    const res = await hx(agent, csrf).post(`/crm/contacts/${person.id}/history/${entry.id}/restore`, form({ version: current.version })).expect(200);
    clean(res.text, 'restore');
  });

  it('on the new-contact form: sent back with errors, and naming the contact just saved', async () => {
    const res = await agent
      .post('/crm/contacts')
      .type('form')
      .send(form([['_csrf', csrf], ['kind', 'person'], ['first_name', XSS], ['job_title', XSS], ['company_label', XSS], ['emails[0][value]', XSS], ['phones[0][value]', XSS], ['tax_ids[0][type]', 'nip'], ['tax_ids[0][value]', XSS], ['custom[note_text]', XSS]]))
      .expect(400);
    clean(res.text, 'new contact 400');
    clean((await agent.get(`/crm/contacts/new?created=${person.id}`).expect(200)).text, 'new contact, created');
    clean((await agent.get(`/crm/contacts/new?kind=person&company_id=${company.id}`).expect(200)).text, 'new employee');
  });

  it('on a card in the trash', async () => {
    const c = await host.contacts.create(host.admin, { kind: 'person', first_name: XSS });
    await host.contacts.remove(host.admin, c.id);
    clean((await agent.get(`/crm/contacts/${c.id}`).expect(200)).text, 'trashed card');
  });
});
