import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { TOKENS, type UsersService } from '../../../host/api.js';
import { csrfOf, ROOT } from '../../../tests/support/test-host.js';
import type { Contact, DictionaryItem } from '../api.js';
import { columnOf, historyOf, writeProbePlugin } from './selection-kit.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

describe('Mass actions of the CRM on the client list', () => {
  let host: CrmTestHost;
  let admin: TestAgent;
  let adminCsrf: string;
  let probeRoot: string;
  let lead: DictionaryItem;
  let won: DictionaryItem;
  let partner: DictionaryItem;
  let vip: DictionaryItem;
  let marta: number;
  let gone: number;
  /** A seller (edit rights) who cannot see contacts titled "Hidden". */
  let seller: { agent: TestAgent; csrf: string; id: number };
  let people: Contact[];
  let hiddenOne: Contact;
  let locked: Contact;

  const run = (who: TestAgent, token: string, action: string, body: Record<string, unknown>) =>
    who.post(`/api/v1/list-actions/${action}`).set('X-CSRF-Token', token).send(body);
  const ids = (list: Contact[]) => list.map((c) => c.id);

  before(async () => {
    probeRoot = writeProbePlugin();
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), probeRoot] });
    admin = await host.login();
    adminCsrf = await csrfOf(admin, '/crm/contacts');
    lead = await host.dictionaries.create('status', { name: 'Lead', color: '#0d6efd' });
    won = await host.dictionaries.create('status', { name: 'Won', labels: { pl: 'Wygrany' }, color: '#198754' });
    partner = await host.dictionaries.create('category', { name: 'Partner' });
    vip = await host.dictionaries.create('category', { name: 'VIP' });
    const users = host.services.get<UsersService>(TOKENS.Users);
    marta = (await users.create({ email: 'marta@example.com', password: 'marta-password-1', name: 'Marta Nowicka' })).id;
    gone = (await users.create({ email: 'gone@example.com', password: 'gone-password-1', name: 'Gone Away' })).id;
    await users.update(gone, { isActive: false });
    const user = await host.userWithRights(['crm.access', 'crm.contacts.edit', 'crm.contacts.delete'], 'scoped-seller@example.com');
    const agent = await host.login(user.email, user.password);
    seller = { agent, csrf: await csrfOf(agent, '/crm/contacts'), id: user.id };
  });

  beforeEach(async () => {
    people = [];
    for (const [first, last] of [['Anna', 'Kowalska'], ['Piotr', 'Nowak'], ['Олена', 'Шевченко'], ['Иван', 'Петров']]) {
      people.push(await host.contacts.create(host.admin, { kind: 'person', first_name: first!, last_name: last!, status_id: lead.id, category_id: partner.id }));
    }
    hiddenOne = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Secret', last_name: 'Agent', job_title: 'Hidden', status_id: lead.id, category_id: partner.id });
    locked = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Locked', last_name: 'Door', job_title: 'Locked', status_id: lead.id });
  });

  after(async () => {
    await host.dispose();
    fs.rmSync(probeRoot, { recursive: true, force: true });
  });

  describe('set status', () => {
    it('changes the contacts in scope, writes history per contact and ignores an id the user cannot see', async () => {
      const res = await run(seller.agent, seller.csrf, 'crm.set-status', { ids: [...ids(people.slice(0, 3)), hiddenOne.id, 987_654], params: { status_id: won.id } });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ changed: 3, skipped: 2, failed: 0, total: 5 });
      const status = await columnOf(host, [...ids(people), hiddenOne.id], 'status_id');
      expect(ids(people.slice(0, 3)).map((id) => Number(status.get(id)))).to.deep.equal([won.id, won.id, won.id]);
      expect(Number(status.get(people[3]!.id))).to.equal(lead.id);
      expect(Number(status.get(hiddenOne.id))).to.equal(lead.id);

      const history = await historyOf(host, [...ids(people), hiddenOne.id], { field: 'status_id' });
      expect(history).to.deep.equal(ids(people.slice(0, 3)).map((id) => ({ contact: id, old: lead.id, new: won.id, user: seller.id })));
      // A version bump each, so an editor holding the old version gets a conflict, not an overwrite.
      const version = await columnOf(host, ids(people.slice(0, 3)), 'version');
      expect([...version.values()].map(Number)).to.deep.equal([2, 2, 2]);
      const card = await admin.get(`/api/v1/contacts/${people[0]!.id}/history`);
      expect(JSON.stringify(card.body)).to.contain('status_id');
    });

    it('leaves contacts that already have the status, and counts a refusal by another plugin as failed', async () => {
      await host.contacts.update(host.admin, people[0]!.id, { status_id: won.id }, 1);
      const res = await run(admin, adminCsrf, 'crm.set-status', { ids: [...ids(people), locked.id], params: { status_id: won.id } });
      expect(res.body).to.deep.equal({ changed: 3, skipped: 1, failed: 1, total: 5 });
      expect(Number((await columnOf(host, [locked.id], 'status_id')).get(locked.id))).to.equal(lead.id);
      expect(await historyOf(host, [locked.id], { field: 'status_id' })).to.deep.equal([]);
    });

    it('clears the status with null and refuses an unknown or wrong-dictionary id', async () => {
      const res = await run(admin, adminCsrf, 'crm.set-status', { ids: ids(people.slice(0, 2)), params: { status_id: null } });
      expect(res.body.changed).to.equal(2);
      expect([...(await columnOf(host, ids(people.slice(0, 2)), 'status_id')).values()]).to.deep.equal([null, null]);
      expect((await historyOf(host, [people[0]!.id], { field: 'status_id' }))[0]).to.include({ old: lead.id, new: null });

      for (const params of [{ status_id: 99_999 }, { status_id: vip.id }, { status_id: 'high' }, {}, { status_id: won.id, extra: 1 }]) {
        const bad = await run(admin, adminCsrf, 'crm.set-status', { ids: ids(people), params });
        expect(bad.status, JSON.stringify(params)).to.equal(400);
        expect(bad.body.error.details[0].field, JSON.stringify(params)).to.match(/^params\./);
      }
    });
  });

  describe('set category and responsible', () => {
    it('sets and clears the category, with history', async () => {
      const res = await run(admin, adminCsrf, 'crm.set-category', { ids: ids(people), params: { category_id: vip.id } });
      expect(res.body).to.include({ changed: 4 });
      const history = await historyOf(host, ids(people), { field: 'category_id' });
      expect(history.map((h) => [h.old, h.new])).to.deep.equal(new Array(4).fill([partner.id, vip.id]));
      await run(admin, adminCsrf, 'crm.set-category', { ids: [people[0]!.id], params: { category_id: null } });
      expect((await columnOf(host, [people[0]!.id], 'category_id')).get(people[0]!.id)).to.equal(null);
    });

    it('assigns a responsible manager who is an active user, and unassigns', async () => {
      const res = await run(seller.agent, seller.csrf, 'crm.set-responsible', { ids: [...ids(people), hiddenOne.id], params: { responsible_id: marta } });
      expect(res.body).to.deep.equal({ changed: 4, skipped: 1, failed: 0, total: 5 });
      expect((await columnOf(host, [hiddenOne.id], 'responsible_id')).get(hiddenOne.id)).to.equal(null);
      const history = await historyOf(host, ids(people), { field: 'responsible_id' });
      expect(history.map((h) => h.new)).to.deep.equal([marta, marta, marta, marta]);
      const inactive = await run(admin, adminCsrf, 'crm.set-responsible', { ids: ids(people), params: { responsible_id: gone } });
      expect(inactive.status).to.equal(400);
      expect(inactive.body.error.details[0]).to.include({ field: 'params.responsible_id', message: 'There is no such active user.' });
      const none = await run(admin, adminCsrf, 'crm.set-responsible', { ids: ids(people), params: { responsible_id: null } });
      expect(none.body.changed).to.equal(4);
    });
  });

  describe('move to trash', () => {
    it('moves visible contacts to the trash with a history entry each, and leaves hidden ones', async () => {
      const res = await run(seller.agent, seller.csrf, 'crm.delete', { ids: [...ids(people.slice(0, 2)), hiddenOne.id] });
      expect(res.body).to.deep.equal({ changed: 2, skipped: 1, failed: 0, total: 3 });
      const deleted = await columnOf(host, [...ids(people.slice(0, 2)), hiddenOne.id], 'deleted_at');
      expect(deleted.get(people[0]!.id)).not.to.equal(null);
      expect(deleted.get(hiddenOne.id)).to.equal(null);
      expect((await historyOf(host, [...ids(people), hiddenOne.id], { action: 'delete' })).map((h) => h.contact)).to.deep.equal(ids(people.slice(0, 2)));
      const trash = await admin.get('/api/v1/contacts?trash=true&limit=500');
      expect(trash.body.items.map((c: Contact) => c.id)).to.include.members(ids(people.slice(0, 2)));
      // Already in the trash: nothing more happens.
      expect((await run(admin, adminCsrf, 'crm.delete', { ids: ids(people.slice(0, 2)) })).body).to.include({ changed: 0, skipped: 2 });
    });
  });

  describe('targets', () => {
    it("runs on the user's selection", async () => {
      await admin.post('/api/v1/selection').set('X-CSRF-Token', adminCsrf).send({ ids: ids(people.slice(1, 3)) });
      try {
        const res = await run(admin, adminCsrf, 'crm.set-status', { selection: true, params: { status_id: won.id } });
        expect(res.body).to.deep.equal({ changed: 2, skipped: 0, failed: 0, total: 2 });
        expect((await historyOf(host, ids(people), { field: 'status_id' })).map((h) => h.contact)).to.deep.equal(ids(people.slice(1, 3)));
      } finally {
        await admin.delete('/api/v1/selection').set('X-CSRF-Token', adminCsrf);
      }
    });

    it('runs on everything a list filter matches, inside the scope', async () => {
      const res = await run(seller.agent, seller.csrf, 'crm.set-category', { filter: { category_id: String(partner.id), status_id: [String(lead.id)] }, params: { category_id: vip.id } });
      // Every "Partner" lead of earlier tests too, but never the hidden ones.
      expect(res.body.changed).to.be.greaterThan(3);
      expect((await columnOf(host, [hiddenOne.id], 'category_id')).get(hiddenOne.id)).to.equal(partner.id);
      expect((await columnOf(host, ids(people), 'category_id')).get(people[0]!.id)).to.equal(vip.id);
    });

    it('asks for exactly one target', async () => {
      expect((await run(admin, adminCsrf, 'crm.set-status', { ids: [people[0]!.id], selection: true, params: { status_id: won.id } })).status).to.equal(400);
      const none = await run(admin, adminCsrf, 'crm.set-status', { params: { status_id: won.id } });
      expect(none.status).to.equal(400);
      expect(none.body.error.details[0].message).to.equal('Give exactly one of ids, selection or filter.');
      expect((await run(admin, adminCsrf, 'crm.set-status', { filter: { status_id: 'x' }, params: { status_id: won.id } })).status).to.equal(400);
    });
  });

  describe('rights', () => {
    it('lists only the actions the caller holds the rights for', async () => {
      const all = (await admin.get('/api/v1/list-actions')).body.items.map((a: { id: string }) => a.id);
      expect(all).to.include.members(['crm.set-status', 'crm.set-category', 'crm.set-responsible', 'crm.delete']);
      const setStatus = (await admin.get('/api/v1/list-actions')).body.items.find((a: { id: string }) => a.id === 'crm.set-status');
      expect(setStatus).to.deep.include({ title: 'Set status', icon: 'flag', right: 'crm.contacts.edit' });
      expect(setStatus.schema.properties.status_id['x-crm-picker']).to.equal('status');

      const reader = await host.userWithRights(['crm.access']);
      const theirs = await host.login(reader.email, reader.password);
      const mine = (await theirs.get('/api/v1/list-actions')).body.items.map((a: { id: string }) => a.id);
      expect(mine.filter((id: string) => id.startsWith('crm.'))).to.deep.equal([]);
      const editor = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
      const editorAgent = await host.login(editor.email, editor.password);
      const theirsToo = (await editorAgent.get('/api/v1/list-actions')).body.items.map((a: { id: string }) => a.id);
      expect(theirsToo).to.include('crm.set-status').and.not.to.include('crm.delete');
    });

    it('answers 403 for an action without its right, 404 for an unknown one, and changes nothing', async () => {
      const editor = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
      const agent = await host.login(editor.email, editor.password);
      const token = await csrfOf(agent, '/crm/contacts');
      const res = await run(agent, token, 'crm.delete', { ids: ids(people) });
      expect(res.status).to.equal(403);
      expect([...(await columnOf(host, ids(people), 'deleted_at')).values()]).to.deep.equal([null, null, null, null]);
      const reader = await host.userWithRights(['crm.access']);
      const readerAgent = await host.login(reader.email, reader.password);
      expect((await run(readerAgent, await csrfOf(readerAgent, '/crm/contacts'), 'crm.set-status', { ids: ids(people), params: { status_id: won.id } })).status).to.equal(403);
      expect((await run(admin, adminCsrf, 'crm.launch-rockets', { ids: ids(people) })).status).to.equal(404);
      expect((await request(host.app!).post('/api/v1/list-actions/crm.set-status').send({ ids: [1] })).status).to.equal(401);
      // The browser form is guarded the same way.
      const page = await agent.post('/crm/contacts/actions/crm.delete').type('form').send({ _csrf: token });
      expect(page.status).to.equal(403);
    });
  });

  describe("another plugin's action", () => {
    const pings = () => ((globalThis as { __pings?: Array<{ user: number; ids: number[]; params: Record<string, unknown> }> }).__pings ??= []);

    it('gets only ids in scope and params checked against its schema', async () => {
      pings().length = 0;
      const res = await run(seller.agent, seller.csrf, 'selection-probe.ping', { ids: [people[0]!.id, hiddenOne.id], params: { target: 2, loud: true, words: ['a', 'b'] } });
      expect(res.body).to.deep.equal({ changed: 1, skipped: 1, failed: 0, total: 2 });
      expect(pings()).to.deep.equal([{ user: seller.id, ids: [people[0]!.id], params: { target: 2, loud: true, words: ['a', 'b'] } }]);
      expect((await run(admin, adminCsrf, 'selection-probe.ping', { ids: [people[0]!.id], params: { target: 'two' } })).status).to.equal(400);
      expect((await run(admin, adminCsrf, 'selection-probe.ping', { ids: [people[0]!.id], params: {} })).status).to.equal(400);
    });

    it('has a form built from its schema, and the posted strings arrive in the schema\'s types', async () => {
      const page = await admin.get('/crm/contacts');
      const modal = page.text.slice(page.text.indexOf('data-testid="action-modal-selection-probe-ping"'));
      const form = modal.slice(0, modal.indexOf('</form>'));
      expect(form).to.contain('data-crm-options="/selection-probe/targets"').and.to.contain('name="params[loud]" value="true"').and.to.contain('name="params[words]"');
      expect(form).to.contain('Separate several with commas.');
      // The menu lists the destructive action last, below a line.
      const menu = page.text.slice(page.text.indexOf('data-testid="actions-menu"'));
      const order = [...menu.slice(0, menu.indexOf('</ul>')).matchAll(/data-testid="action-([a-z0-9-]+)"/g)].map((m) => m[1]);
      expect(order[0]).to.equal('selection-probe-ping');
      expect(order.at(-1)).to.equal('crm-delete');

      pings().length = 0;
      await admin.post('/api/v1/selection').set('X-CSRF-Token', adminCsrf).send({ ids: [people[1]!.id] });
      try {
        const res = await admin.post('/crm/contacts/actions/selection-probe.ping').type('form').send({ _csrf: adminCsrf, 'params[target]': '1', 'params[words]': 'red, green ,', back: '/crm/contacts' });
        expect(res.headers.location).to.equal('/crm/contacts');
        expect(pings()).to.deep.equal([{ user: host.admin.id, ids: [people[1]!.id], params: { target: 1, words: ['red', 'green'], loud: false } }]);
        expect((await admin.get('/crm/contacts')).text).to.contain('Ping: 1 contact changed.');
      } finally {
        await admin.delete('/api/v1/selection').set('X-CSRF-Token', adminCsrf);
      }
    });
  });

  describe('in the browser', () => {
    afterEach(async () => {
      await admin.delete('/api/v1/selection').set('X-CSRF-Token', adminCsrf);
    });

    it('offers the actions on the selection bar, each with its form', async () => {
      const page = await admin.get('/crm/contacts');
      for (const slug of ['crm-set-status', 'crm-set-category', 'crm-set-responsible', 'crm-delete']) {
        expect(page.text).to.contain(`data-testid="action-${slug}"`).and.to.contain(`data-testid="action-modal-${slug}"`);
      }
      const modal = page.text.slice(page.text.indexOf('data-testid="action-modal-crm-set-status"'));
      const form = modal.slice(0, modal.indexOf('</form>'));
      expect(form).to.contain('action="/crm/contacts/actions/crm.set-status"').and.to.contain(`name="params[status_id]" id="crm-action-crm-set-status-status_id-0" value="${lead.id}"`);
      expect(form).to.contain('value="__none__"').and.to.contain('No status').and.to.contain('background-color: #198754;');
      const responsible = page.text.slice(page.text.indexOf('data-testid="action-modal-crm-set-responsible"'));
      expect(responsible.slice(0, responsible.indexOf('</form>'))).to.contain('Marta Nowicka').and.not.to.contain('Gone Away');
      expect(page.text).to.contain('The selected contacts go to the trash.');
      // Readers see no Actions menu.
      const reader = await host.userWithRights(['crm.access']);
      const theirs = await (await host.login(reader.email, reader.password)).get('/crm/contacts');
      expect(theirs.text).not.to.contain('data-testid="actions-button"');
    });

    it('sets the status of the selection from the form and says what happened', async () => {
      await admin.post('/api/v1/selection').set('X-CSRF-Token', adminCsrf).send({ ids: [...ids(people.slice(0, 3)), locked.id] });
      const res = await admin.post('/crm/contacts/actions/crm.set-status').type('form').send({ _csrf: adminCsrf, 'params[status_id]': String(won.id), back: '/crm/contacts?selected=1' });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/crm/contacts?selected=1');
      const page = await admin.get(res.headers.location!);
      expect(page.text).to.contain('Set status: 3 contacts changed, 1 could not be changed.');
      expect(page.text.match(/crm-status[^>]*>Won</g)).to.have.length(3);
    });

    it('clears a value with the "none" choice, and explains a missing choice instead of failing', async () => {
      await admin.post('/api/v1/selection').set('X-CSRF-Token', adminCsrf).send({ ids: ids(people.slice(0, 2)) });
      const none = await admin.post('/crm/contacts/actions/crm.set-category').type('form').send({ _csrf: adminCsrf, 'params[category_id]': '__none__' });
      expect(none.headers.location).to.equal('/crm/contacts?selected=1');
      expect([...(await columnOf(host, ids(people.slice(0, 2)), 'category_id')).values()]).to.deep.equal([null, null]);
      const missing = await admin.post('/crm/contacts/actions/crm.set-status').type('form').send({ _csrf: adminCsrf, back: '/crm/contacts?q=x' });
      expect(missing.status).to.equal(303);
      expect(missing.headers.location).to.equal('/crm/contacts?q=x');
      expect((await admin.get('/crm/contacts?q=x')).text).to.contain('Set status: New status: This field is required.');
    });

    it('says so when nothing is selected', async () => {
      const res = await admin.post('/crm/contacts/actions/crm.set-status').type('form').send({ _csrf: adminCsrf, 'params[status_id]': String(won.id) });
      expect((await admin.get(res.headers.location!)).text).to.contain('Nothing is selected: tick some contacts first.');
    });
  });
});
