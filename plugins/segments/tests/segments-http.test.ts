/**
 * Segments over HTTP and on the CRM's screens: the REST API, `?segment_id=` on the client list
 * and in `GET /api/v1/contacts`, the Segments panel beside the list with its lazy counts and
 * "save this filter", the list actions, the Segments pages and the card header's segments.
 */
import { expect } from 'chai';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { TOKENS, type CurrentUser, type ExtensionRegistry } from '../../../host/api.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import { listActions, listPanels, profileHeaderSlots, type Contact } from '../../crm/api.js';
import type { Segment } from '../api.js';
import { createSegmentsTestHost, type SegmentsTestHost } from './support/segments-host.js';

/** Handlebars escapes `=` in attributes; the browser reads it back as `=`. */
const unescape = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const ids = (items: Array<{ id: number }>) => items.map((c) => c.id).sort((a, b) => a - b);
const sorted = (list: number[]) => [...list].sort((a, b) => a - b);

describe('Segments over HTTP', () => {
  let host: SegmentsTestHost;
  let adminToken: string;
  let seller: { email: string; password: string; id: number };
  let sellerToken: string;
  let sellerUser: CurrentUser;
  let reader: { email: string; password: string; id: number };
  let mine: Contact;
  let also: Contact;
  let hidden: Contact;
  let team: Segment;

  const api = (token: string) => ({
    get: (url: string) => request(host.app!).get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string, body?: object) => request(host.app!).post(url).set('Authorization', `Bearer ${token}`).send(body),
    patch: (url: string, body: object) => request(host.app!).patch(url).set('Authorization', `Bearer ${token}`).send(body),
    delete: (url: string, body?: object) => request(host.app!).delete(url).set('Authorization', `Bearer ${token}`).send(body),
  });
  const extensions = () => host.services.get<ExtensionRegistry>(TOKENS.Extensions);

  before(async () => {
    host = await createSegmentsTestHost();
    adminToken = await host.token();
    // "restricted…" users see only the contacts they are responsible for (fixtures/segments-probe).
    seller = await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'restricted-http@example.com');
    sellerToken = await host.token(seller.email, seller.password);
    sellerUser = await host.asUser(seller.id);
    reader = await host.userWithRights(['crm.access'], 'reader-http@example.com');
    mine = await host.contact({ first_name: 'Ołena', last_name: 'Mine', job_title: 'Owner', responsible_id: seller.id });
    also = await host.contact({ first_name: 'Olek', last_name: 'Also', job_title: 'Owner', responsible_id: seller.id });
    hidden = await host.contact({ first_name: 'Hidden', last_name: 'Secret', job_title: 'Owner' });
    team = await host.segments.create(host.admin, { name: 'Team list', type: 'static', shared: true, contact_ids: [mine.id, hidden.id] });
  });
  after(() => host.dispose());

  describe('the REST API', () => {
    it('creates, reads, changes and deletes segments, with their count', async () => {
      const refused = (await api(adminToken).post('/api/v1/segments', { name: 'Owners', type: 'dynamic', filter: { q: 'O', 'condition.nobody.nothing': {} } }).expect(400)).body;
      expect(refused.error.details[0]).to.include({ field: 'filter.condition.nobody.nothing' });
      const owners = (await api(adminToken).post('/api/v1/segments', { name: 'Owners', type: 'dynamic', color: '#198754', filter: { q: 'O', kind: 'person', status_id: [] } }).expect(201)).body;
      expect(owners).to.include({ name: 'Owners', type: 'dynamic', color: '#198754', shared: false, archived: false, editable: true, count: 2, count_capped: false });
      expect(owners.filter).to.deep.equal({ kind: 'person', q: 'O' });
      expect((await api(sellerToken).get(`/api/v1/segments/${owners.id}`).expect(404)).body.error.code).to.equal('not_found');
      const renamed = (await api(adminToken).patch(`/api/v1/segments/${owners.id}`, { name: 'Owners (persons)', archived: true }).expect(200)).body;
      expect(renamed).to.include({ name: 'Owners (persons)', archived: true, count: 2 });
      expect((await api(adminToken).get('/api/v1/segments').expect(200)).body.items.map((s: Segment) => s.name)).not.to.include('Owners (persons)');
      const archived = (await api(adminToken).get('/api/v1/segments?archived=true&count=true').expect(200)).body.items;
      expect(archived.map((s: Segment & { count: number }) => [s.name, s.count])).to.deep.equal([['Owners (persons)', 2]]);
      await api(adminToken).delete(`/api/v1/segments/${owners.id}`).expect(204);
      await api(adminToken).get(`/api/v1/segments/${owners.id}`).expect(404);
    });

    it('refuses bad input with per-field details, never a 500', async () => {
      const res = await api(adminToken).post('/api/v1/segments', { name: 'x', type: 'smart' }).expect(400);
      expect(res.body.error.details[0].field).to.equal('type');
      await api(adminToken).post('/api/v1/segments', { name: 'x', type: 'static', colour: 'red' }).expect(400);
      await api(adminToken).post('/api/v1/segments', { name: 'x', type: 'static', color: 'red' }).expect(400);
      await api(adminToken).patch(`/api/v1/segments/${team.id}`, {}).expect(400);
      await api(adminToken).get('/api/v1/segments/abc').expect(404);
      const filter = await api(adminToken).post('/api/v1/segments', { name: 'x', type: 'dynamic', filter: { status_id: 'first' } }).expect(400);
      expect(filter.body.error.details[0].field).to.match(/^filter\.status_id/);
    });

    it('counts and pages a segment’s contacts within the caller’s scope', async () => {
      expect((await api(adminToken).get(`/api/v1/segments/${team.id}`).expect(200)).body.count).to.equal(2);
      expect((await api(sellerToken).get(`/api/v1/segments/${team.id}`).expect(200)).body).to.include({ count: 1, editable: false });
      const page = (await api(adminToken).get(`/api/v1/segments/${team.id}/contacts?limit=1`).expect(200)).body;
      expect(page.items).to.have.length(1);
      expect(page.total).to.equal(2);
      const next = (await api(adminToken).get(`/api/v1/segments/${team.id}/contacts?limit=1&cursor=${encodeURIComponent(page.next_cursor)}`).expect(200)).body;
      expect(ids([...page.items, ...next.items])).to.deep.equal(sorted([mine.id, hidden.id]));
      expect(ids((await api(sellerToken).get(`/api/v1/segments/${team.id}/contacts`).expect(200)).body.items)).to.deep.equal([mine.id]);
    });

    it('adds and removes members of static segments, skipping contacts the caller may not see', async () => {
      const own = (await api(sellerToken).post('/api/v1/segments', { name: 'Seller list', type: 'static' }).expect(201)).body;
      expect((await api(sellerToken).post(`/api/v1/segments/${own.id}/members`, { ids: [mine.id, also.id, hidden.id] }).expect(200)).body).to.deep.equal({ changed: 2, count: 2 });
      expect((await api(sellerToken).delete(`/api/v1/segments/${own.id}/members`, { ids: [also.id, hidden.id] }).expect(200)).body).to.deep.equal({ changed: 1, count: 1 });
      // Another user's personal segment does not exist for the admin; a shared one is not the seller's to fill.
      await api(adminToken).post(`/api/v1/segments/${own.id}/members`, { ids: [hidden.id] }).expect(404);
      await api(sellerToken).post(`/api/v1/segments/${team.id}/members`, { ids: [also.id] }).expect(403);
      const readerToken = await host.token(reader.email, reader.password);
      await api(readerToken).post(`/api/v1/segments/${team.id}/members`, { ids: [also.id] }).expect(403);
      await api(sellerToken).post(`/api/v1/segments/${own.id}/members`, { ids: [] }).expect(400);
    });

    it('describes every route in the OpenAPI document', async () => {
      const doc = (await api(adminToken).get('/api/v1/openapi.json').expect(200)).body;
      const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/segments') || p.startsWith('/segments'));
      expect(paths.length).to.be.greaterThan(2);
      for (const p of paths.filter((x) => x.startsWith('/api/v1/segments'))) {
        for (const op of Object.values(doc.paths[p]) as Array<{ summary?: string }>) expect(op.summary, p).to.be.a('string').and.not.equal('');
      }
    });
  });

  describe('the segment_id filter', () => {
    it('filters GET /api/v1/contacts, also spelt as a condition, inside the scope', async () => {
      expect(ids((await api(adminToken).get(`/api/v1/contacts?segment_id=${team.id}`).expect(200)).body.items)).to.deep.equal(sorted([mine.id, hidden.id]));
      const condition = encodeURIComponent(JSON.stringify({ segment_id: team.id }));
      expect(ids((await api(adminToken).get(`/api/v1/contacts?condition.segments.in-segment=${condition}`).expect(200)).body.items)).to.deep.equal(sorted([mine.id, hidden.id]));
      expect(ids((await api(sellerToken).get(`/api/v1/contacts?segment_id=${team.id}`).expect(200)).body.items)).to.deep.equal([mine.id]);
      const dynamic = await host.segments.create(host.admin, { name: 'Olek & co', type: 'dynamic', filter: { q: 'olek' } });
      expect(ids((await api(adminToken).get(`/api/v1/contacts?segment_id=${dynamic.id}`).expect(200)).body.items)).to.deep.equal([also.id]);
    });

    it('answers 400 for a segment that does not exist or a bad id', async () => {
      const res = await api(adminToken).get('/api/v1/contacts?segment_id=999999').expect(400);
      expect(res.body.error.details[0].message).to.contain('999999');
      await api(adminToken).get('/api/v1/contacts?segment_id=abc').expect(400);
    });

    it('filters the client list page, shows a chip and marks the segment in the panel', async () => {
      const agent = await host.login();
      const page = await agent.get(`/crm/contacts?segment_id=${team.id}`).expect(200);
      expect(page.text).to.contain('Mine').and.contain('Secret').and.not.contain('Also');
      expect(page.text).to.contain('Segment: Team list');
      expect(unescape(page.text)).to.match(new RegExp(`class="segments-item active" href="/crm/contacts\\?segment_id=${team.id}"`));
      const bad = await agent.get('/crm/contacts?segment_id=999999').expect(400);
      expect(bad.text).to.contain('There is no segment #999999.');
    });
  });

  describe('the Segments panel beside the list', () => {
    let agent: TestAgent;

    before(async () => {
      agent = await host.login(seller.email, seller.password);
    });

    it('lists the user’s own and the shared segments, with counts loaded afterwards', async () => {
      const personal = await host.segments.create(sellerUser, { name: 'Seller’s own', type: 'static', contact_ids: [mine.id, also.id] });
      await host.segments.create(host.admin, { name: 'Admin private', type: 'static', contact_ids: [hidden.id] });
      const panel = extensions().list(listPanels, sellerUser).find((p) => p.pluginId === 'segments')!;
      const html = unescape(await panel.render(host.request(sellerUser)));
      expect(html).to.contain('Seller’s own').and.contain('Team list').and.not.contain('Admin private');
      expect(html).to.contain(`hx-get="/segments/${personal.id}/count"`).and.contain(`hx-get="/segments/${team.id}/count"`);
      expect(html).to.match(/data-testid="segments-group-mine"[\s\S]*Seller’s own[\s\S]*data-testid="segments-group-shared"[\s\S]*Team list/);
      expect((await agent.get(`/segments/${personal.id}/count`).expect(200)).text).to.contain('>2<');
      expect((await agent.get(`/segments/${team.id}/count`).expect(200)).text).to.contain('>1<');
      const admin = await host.login();
      expect((await admin.get(`/segments/${team.id}/count`).expect(200)).text).to.contain('>2<');
      await admin.get(`/segments/${personal.id}/count`).expect(404);
    });

    it('saves the list’s current filter as a dynamic segment and comes back to the list', async () => {
      const token = await csrfOf(agent, '/crm/contacts?q=ol');
      const back = '/crm/contacts?q=ol&sort=name&order=desc';
      const res = await agent.post('/segments/from-list').type('form').send({ _csrf: token, name: 'Ol-people', query: 'q=ol&sort=name&order=desc&limit=100&kind=', back }).expect(303);
      expect(res.headers.location).to.equal(back);
      const saved = (await host.segments.list(sellerUser)).find((s) => s.name === 'Ol-people')!;
      expect(saved).to.include({ type: 'dynamic', shared: false });
      expect(saved.filter).to.deep.equal({ q: 'ol' });
      expect((await agent.get(back).expect(200)).text).to.contain('The segment “Ol-people” was saved.');
      // No filter, no segment; another site is never followed back to.
      const empty = await agent.post('/segments/from-list').type('form').send({ _csrf: token, name: 'All', query: 'sort=name', back: 'https://evil.example/' }).expect(303);
      expect(empty.headers.location).to.equal('/crm/contacts');
      expect((await agent.get('/crm/contacts').expect(200)).text).to.contain('Choose filters or search the list first');
      expect((await host.segments.list(sellerUser)).map((s) => s.name)).not.to.include('All');
    });

    it('offers “save this filter” on a filtered list', async () => {
      const panel = extensions().list(listPanels, sellerUser).find((p) => p.pluginId === 'segments')!;
      expect(await panel.render(host.request(sellerUser, { q: 'ol' }))).to.contain('data-filtered');
      expect(await panel.render(host.request(sellerUser, { segment_id: String(team.id) }))).not.to.contain('data-filtered');
    });
  });

  describe('list actions', () => {
    it('add to and remove from a static segment the ids the user may see', async () => {
      const actions = extensions().list(listActions, sellerUser).filter((a) => a.pluginId === 'segments');
      expect(actions.map((a) => a.id)).to.deep.equal(['add-to-segment', 'remove-from-segment']);
      const own = await host.segments.create(sellerUser, { name: 'Action list', type: 'static' });
      const add = actions.find((a) => a.id === 'add-to-segment')!;
      const remove = actions.find((a) => a.id === 'remove-from-segment')!;
      expect(await add.run!(sellerUser, [mine.id, also.id, hidden.id], { segment_id: own.id })).to.deep.equal({ changed: 2 });
      expect(await remove.run!(sellerUser, [also.id, hidden.id], { segment_id: String(own.id) })).to.deep.equal({ changed: 1 });
      expect(ids((await host.segments.contacts(sellerUser, own.id)).items)).to.deep.equal([mine.id]);
      expect(await add.run!(sellerUser, [mine.id], {}).catch((e: { status: number }) => e.status)).to.equal(400);
      const readerUser = await host.asUser(reader.id);
      expect(extensions().list(listActions, readerUser).filter((a) => a.pluginId === 'segments')).to.have.length(0);
    });
  });

  describe('the Segments pages', () => {
    let agent: TestAgent;
    let token: string;

    before(async () => {
      agent = await host.login();
      token = await csrfOf(agent, '/segments');
    });

    it('lists segments with lazy counts, and archived ones on their own tab', async () => {
      const res = await agent.get('/segments').expect(200);
      expect(res.text).to.contain('data-testid="segments-table"').and.contain('Team list').and.contain(`hx-get="/segments/${team.id}/count"`);
      expect(res.text).not.to.contain('Seller’s own');
      expect((await agent.get('/segments?archived=true').expect(200)).text).to.contain('data-testid="segments-none"');
    });

    it('creates a list and opens its page', async () => {
      const res = await agent.post('/segments').type('form').send({ _csrf: token, name: 'Fair 2025', color: '#d63384' }).expect(303);
      const id = Number(/\/segments\/(\d+)$/.exec(res.headers.location)![1]);
      const page = await agent.get(res.headers.location).expect(200);
      expect(page.text).to.contain('The segment “Fair 2025” was created.').and.contain('The list is empty.');
      expect((await host.segments.get(host.admin, id))).to.include({ type: 'static', color: '#d63384' });
      const bad = await agent.post('/segments').type('form').send({ _csrf: token, name: '  ' }).expect(303);
      expect(bad.headers.location).to.equal('/segments');
      expect((await agent.get('/segments').expect(200)).text).to.contain('Give the segment a name.');
    });

    it('shows a segment with a preview of its contacts and its definition', async () => {
      const page = await agent.get(`/segments/${team.id}`).expect(200);
      expect(page.text).to.contain('data-testid="segment-preview"').and.contain('Mine').and.contain('Secret');
      expect(unescape(page.text)).to.contain(`href="/crm/contacts?segment_id=${team.id}"`);
      const dynamic = await host.segments.create(host.admin, { name: 'Owners again', type: 'dynamic', filter: { q: 'o', kind: 'person' } });
      const dynamicPage = unescape((await agent.get(`/segments/${dynamic.id}`).expect(200)).text);
      expect(dynamicPage).to.contain('data-testid="segment-filter"').and.contain('href="/crm/contacts?kind=person&q=o"');
      expect(dynamicPage).to.match(/<dt>Kind<\/dt><dd>Persons<\/dd><dt>Search<\/dt><dd>o<\/dd>/);
      const seller = await host.login('restricted-http@example.com', 'user-password-1');
      expect((await seller.get(`/segments/${team.id}`).expect(200)).text).to.contain('Mine').and.not.contain('Secret');
      await seller.get(`/segments/${dynamic.id}`).expect(404);
    });

    it('renames, shares, archives and deletes through plain forms', async () => {
      const own = await host.segments.create(host.admin, { name: 'Draft', type: 'static', contact_ids: [mine.id] });
      await agent.post(`/segments/${own.id}`).type('form').send({ _csrf: token, name: 'Final', color: '#0d6efd', back: `/segments/${own.id}` }).expect(303);
      expect((await host.segments.get(host.admin, own.id)).name).to.equal('Final');
      await agent.post(`/segments/${own.id}/share`).type('form').send({ _csrf: token, shared: '1', back: '/segments' }).expect(303);
      expect((await host.segments.get(sellerUser, own.id)).shared).to.equal(true);
      await agent.post(`/segments/${own.id}/archive`).type('form').send({ _csrf: token, archived: '1', back: '/segments' }).expect(303);
      expect((await agent.get('/segments?archived=true').expect(200)).text).to.contain('Final');
      const sellerAgent = await host.login(seller.email, seller.password);
      const sellerToken = await csrfOf(sellerAgent, '/segments');
      const refused = await sellerAgent.post(`/segments/${own.id}/delete`).type('form').send({ _csrf: sellerToken, back: '/segments' }).expect(303);
      expect((await sellerAgent.get(refused.headers.location).expect(200)).text).to.contain('You may not change this segment.');
      const deleted = await agent.post(`/segments/${own.id}/delete`).type('form').send({ _csrf: token, back: `/segments/${own.id}` }).expect(303);
      expect(deleted.headers.location).to.equal('/segments');
      await agent.get(`/segments/${own.id}`).expect(404);
    });

    it('removes a member from a static segment’s page', async () => {
      const own = await host.segments.create(host.admin, { name: 'Short list', type: 'static', contact_ids: [mine.id, also.id] });
      await agent.post(`/segments/${own.id}/members/remove`).type('form').send({ _csrf: token, contact_id: String(also.id) }).expect(303);
      expect(ids((await host.segments.contacts(host.admin, own.id)).items)).to.deep.equal([mine.id]);
    });
  });

  describe('the card header', () => {
    it('shows the client’s lists and adds to and removes from them with htmx', async () => {
      const agent = await host.login(seller.email, seller.password);
      const token = await csrfOf(agent, `/crm/contacts/${also.id}`);
      const own = await host.segments.create(sellerUser, { name: 'Call back', type: 'static' });
      const card = await agent.get(`/crm/contacts/${also.id}`).expect(200);
      expect(card.text).to.contain('data-testid="segments-slot"').and.contain('data-testid="segments-add"').and.contain('Call back');
      const added = await agent.post(`/segments/contacts/${also.id}/add`).set('HX-Request', 'true').type('form').send({ _csrf: token, segment_id: String(own.id) }).expect(200);
      expect(added.text).to.match(/data-testid="segments-chip" data-segment="\d+"/).and.contain('Call back');
      expect(ids((await host.segments.contacts(sellerUser, own.id)).items)).to.deep.equal([also.id]);
      const removed = await agent.post(`/segments/contacts/${also.id}/remove`).type('form').send({ _csrf: token, segment_id: String(own.id) }).expect(303);
      expect(removed.headers.location).to.equal(`/crm/contacts/${also.id}`);
      expect((await host.segments.count(sellerUser, own.id)).total).to.equal(0);
      // A client the seller cannot see stays a 404 whatever the segment.
      await agent.post(`/segments/contacts/${hidden.id}/add`).set('HX-Request', 'true').type('form').send({ _csrf: token, segment_id: String(own.id) }).expect(404);
      await agent.get(`/segments/contacts/${hidden.id}/slot`).expect(404);
    });

    it('shows only chips, without “add”, to users who may not edit clients', async () => {
      const readerUser = await host.asUser(reader.id);
      const slot = extensions().list(profileHeaderSlots, readerUser).find((s) => s.pluginId === 'segments')!;
      const html = await slot.render(await host.contacts.get(host.admin, mine.id), host.request(readerUser));
      expect(html).to.contain('Team list').and.not.contain('segments-add').and.not.contain('segments-chip-remove');
    });
  });
});
