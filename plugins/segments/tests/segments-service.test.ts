/**
 * Segments as a service: static lists and saved filters (dynamic segments), segments from other
 * plugins' sources, counts inside the access scope, personal and shared segments, the
 * `in-segment` list condition, and what happens on merges and purges.
 */
import { expect } from 'chai';
import request from 'supertest';
import { HttpError, TOKENS, type CurrentUser, type EventBus } from '../../../host/api.js';
import { contactMerged, type Contact } from '../../crm/api.js';
import { IN_SEGMENT, type Segment } from '../api.js';
import { canonicalFilter, paramsOfQueryString } from '../services/filter-params.js';
import { createSegmentsTestHost, type SegmentsTestHost } from './support/segments-host.js';

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

const ids = (items: Array<{ id: number }>) => items.map((c) => c.id).sort((a, b) => a - b);
const sorted = (list: number[]) => [...list].sort((a, b) => a - b);

/** The orders app's service as these tests use it (it is not a dependency of this plugin). */
interface OrdersLike {
  create(user: CurrentUser, contactId: number, input: { product: string; amount: number; currency: string; ordered_at?: string }): Promise<unknown>;
}

describe('Segments', () => {
  let host: SegmentsTestHost;
  let adminToken: string;
  let leadStatus: number;
  let wonStatus: number;
  let seller: CurrentUser;
  let colleague: CurrentUser;
  let manager: CurrentUser;
  /** Contacts: the seller is responsible for `ann` and `bob`; `cyril` and `dana` are the admin's. */
  let ann: Contact;
  let bob: Contact;
  let cyril: Contact;
  let dana: Contact;

  before(async () => {
    host = await createSegmentsTestHost();
    adminToken = await host.token();
    const api = request(host.app!);
    leadStatus = (await api.post('/api/v1/dictionaries/status').set('Authorization', `Bearer ${adminToken}`).send({ name: 'Lead' }).expect(201)).body.id;
    wonStatus = (await api.post('/api/v1/dictionaries/status').set('Authorization', `Bearer ${adminToken}`).send({ name: 'Won' }).expect(201)).body.id;
    await api.post('/api/v1/fields').set('Authorization', `Bearer ${adminToken}`).send({ key: 'region', type: 'text', labels: { en: 'Region' } }).expect(201);
    await api.post('/api/v1/fields').set('Authorization', `Bearer ${adminToken}`).send({ key: 'budget', type: 'number', labels: { en: 'Budget' } }).expect(201);
    // "restricted…" users see only the contacts they are responsible for (fixtures/segments-probe).
    seller = await host.asUser((await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'restricted-seller@example.com')).id);
    colleague = await host.asUser((await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'colleague@example.com')).id);
    manager = await host.asUser((await host.userWithRights(['crm.access', 'crm.contacts.edit', 'segments.manage_shared'], 'manager@example.com')).id);
    ann = await host.contact({ first_name: 'Ann', last_name: 'Archer', status_id: leadStatus, responsible_id: seller.id, custom: { region: 'North', budget: 700 }, emails: [{ value: 'ann@example.com' }] });
    bob = await host.contact({ first_name: 'Bob', last_name: 'Baker', status_id: wonStatus, responsible_id: seller.id, custom: { region: 'South', budget: 1200 } });
    cyril = await host.contact({ first_name: 'Cyril', last_name: 'Cook', status_id: leadStatus, custom: { region: 'North', budget: 5000 }, emails: [{ value: 'cyril@example.com' }] });
    dana = await host.contact({ first_name: 'Dana', last_name: 'Dale', status_id: wonStatus, custom: { region: 'North' } });
  });
  after(() => host.dispose());

  describe('static segments', () => {
    let list: Segment;

    before(async () => {
      list = await host.segments.create(host.admin, { name: 'Trade fair 2025', type: 'static', contact_ids: [ann.id, cyril.id] });
    });

    it('are lists of contacts that one adds to and removes from, counted and listed', async () => {
      expect(list).to.include({ name: 'Trade fair 2025', type: 'static', shared: false, archived: false, editable: true, owner_id: host.admin.id });
      expect(list.color).to.match(/^#[0-9a-f]{6}$/);
      expect(await host.segments.count(host.admin, list.id)).to.deep.equal({ total: 2, capped: false });
      expect(await host.segments.addMembers(host.admin, list.id, [ann.id, bob.id, bob.id])).to.deep.equal({ changed: 1 });
      expect(ids((await host.segments.contacts(host.admin, list.id)).items)).to.deep.equal(sorted([ann.id, bob.id, cyril.id]));
      expect(await host.segments.removeMembers(host.admin, list.id, [bob.id, dana.id])).to.deep.equal({ changed: 1 });
      expect((await host.segments.count(host.admin, list.id)).total).to.equal(2);
      expect((await host.segments.ofContact(host.admin, ann.id)).map((s) => s.name)).to.deep.equal(['Trade fair 2025']);
    });

    it('filter the client list with their condition, inside the access scope', async () => {
      const query = { conditions: { [IN_SEGMENT]: { segment_id: list.id } } };
      expect(ids((await host.query.list(host.admin, query)).items)).to.deep.equal(sorted([ann.id, cyril.id]));
      // Combined with other filters like any list condition.
      expect(ids((await host.query.list(host.admin, { ...query, q: 'cyril' })).items)).to.deep.equal([cyril.id]);
      const shared = await host.segments.create(manager, { name: 'Shared fair', type: 'static', shared: true, contact_ids: [ann.id, bob.id, cyril.id] });
      expect(ids((await host.query.list(seller, { conditions: { [IN_SEGMENT]: { segment_id: shared.id } } })).items)).to.deep.equal(sorted([ann.id, bob.id]));
    });

    it('count only members the user may see, and not those in the trash', async () => {
      const shared = await host.segments.create(manager, { name: 'Counted', type: 'static', shared: true, contact_ids: [ann.id, bob.id, cyril.id, dana.id] });
      expect(await host.segments.count(manager, shared.id)).to.deep.equal({ total: 4, capped: false });
      expect(await host.segments.count(seller, shared.id)).to.deep.equal({ total: 2, capped: false });
      const gone = await host.contact({ first_name: 'Gone' });
      await host.segments.addMembers(manager, shared.id, [gone.id]);
      expect((await host.segments.count(manager, shared.id)).total).to.equal(5);
      await host.contacts.remove(host.admin, gone.id);
      expect((await host.segments.count(manager, shared.id)).total).to.equal(4);
    });

    it('take only contacts the user may see; others are skipped, never revealed', async () => {
      const mine = await host.segments.create(seller, { name: 'Seller list', type: 'static' });
      expect(await host.segments.addMembers(seller, mine.id, [ann.id, cyril.id, dana.id, 999_999])).to.deep.equal({ changed: 1 });
      expect(await host.segments.count(host.admin, mine.id).catch((e: HttpError) => e.status)).to.equal(404); // personal: the admin does not see it
      expect(await host.segments.count(seller, mine.id)).to.deep.equal({ total: 1, capped: false });
      expect(await host.segments.removeMembers(seller, mine.id, [cyril.id])).to.deep.equal({ changed: 0 });
    });

    it('need the right to edit contacts to change members, and only static ones have members', async () => {
      const reader = await host.asUser((await host.userWithRights(['crm.access'], 'reader@example.com')).id);
      const own = await host.segments.create(reader, { name: 'Reader list', type: 'static' });
      expect((await rejection(host.segments.addMembers(reader, own.id, [ann.id]))).status).to.equal(403);
      const dynamic = await host.segments.create(host.admin, { name: 'Leads', type: 'dynamic', filter: { status_id: String(leadStatus) } });
      const err = await rejection(host.segments.addMembers(host.admin, dynamic.id, [ann.id]));
      expect([err.status, (err.details as Array<{ message: string }>)[0]!.message]).to.deep.equal([400, 'segments:errors.not_static']);
    });
  });

  describe('dynamic segments', () => {
    it('save the list’s filters and count what matches now, like the list does', async () => {
      const northLeads = await host.segments.create(host.admin, {
        name: 'Northern leads',
        type: 'dynamic',
        filter: { status_id: [String(leadStatus)], 'custom.region': 'North', has_email: 'yes' },
      });
      expect(northLeads.filter).to.deep.equal({ 'custom.region': 'North', has_email: 'true', status_id: String(leadStatus) });
      expect(await host.segments.count(host.admin, northLeads.id)).to.deep.equal({ total: 2, capped: false });
      expect(ids((await host.segments.contacts(host.admin, northLeads.id)).items)).to.deep.equal(sorted([ann.id, cyril.id]));
      // Live: a new contact that matches is in it at once.
      const eve = await host.contact({ first_name: 'Eve', status_id: leadStatus, custom: { region: 'North' }, emails: [{ value: 'eve@example.com' }] });
      expect((await host.segments.count(host.admin, northLeads.id)).total).to.equal(3);
      // The same number as the query service gives for the converted parameters.
      const direct = await host.query.count(host.admin, host.query.fromParams({ status_id: String(leadStatus), 'custom.region': 'North', has_email: 'true' }));
      expect(direct.total).to.equal(3);
      await host.contacts.remove(host.admin, eve.id);
    });

    it('count within the access scope of whoever asks', async () => {
      const leads = await host.segments.create(manager, { name: 'All leads', type: 'dynamic', shared: true, filter: { status_id: String(leadStatus) } });
      expect((await host.segments.count(manager, leads.id)).total).to.equal(2);
      expect((await host.segments.count(seller, leads.id)).total).to.equal(1);
      expect(ids((await host.segments.contacts(seller, leads.id)).items)).to.deep.equal([ann.id]);
    });

    it('keep the list page’s spelling of a condition as one JSON value, without paging, sorting or empty inputs', () => {
      const raw = paramsOfQueryString('q=&status_id=3&status_id=4&sort=name&order=desc&limit=100&cursor=abc&trash=1&custom.budget.from=500&condition.orders.has-order=%7B%7D&condition.orders.has-order.min_amount=700&condition.orders.has-order.product=&tag=vip');
      expect(canonicalFilter(raw)).to.deep.equal({
        'condition.orders.has-order': '{"min_amount":"700"}',
        'custom.budget.from': '500',
        status_id: ['3', '4'],
        tag: 'vip',
      });
    });

    it('use custom field ranges and other plugins’ conditions (tags) like the list', async () => {
      const bigBudgets = await host.segments.create(host.admin, { name: 'Big budgets', type: 'dynamic', filter: { 'custom.budget.from': '1000' } });
      expect(ids((await host.segments.contacts(host.admin, bigBudgets.id)).items)).to.deep.equal(sorted([bob.id, cyril.id]));
      if (host.enabled('tags')) {
        const agent = request(host.app!);
        await agent.post(`/api/v1/contacts/${dana.id}/tags`).set('Authorization', `Bearer ${adminToken}`).send({ name: 'VIP' }).expect(201);
        const vips = await host.segments.create(host.admin, { name: 'VIPs', type: 'dynamic', filter: { tag: 'vip' } });
        expect(vips.filter).to.deep.equal({ tag: 'vip' });
        expect(ids((await host.segments.contacts(host.admin, vips.id)).items)).to.deep.equal([dana.id]);
      }
    });

    it('refuse a filter the list would refuse, naming the parameter', async () => {
      const unknown = await rejection(host.segments.create(host.admin, { name: 'Bad', type: 'dynamic', filter: { colour: 'red' } }));
      expect(unknown.status).to.equal(400);
      expect((unknown.details as Array<{ field: string }>)[0]!.field).to.match(/^filter/);
      const field = await rejection(host.segments.create(host.admin, { name: 'Bad', type: 'dynamic', filter: { 'custom.nope': 'x' } }));
      expect([field.status, (field.details as Array<{ field: string; message: string }>)[0]]).to.deep.equal([400, { field: 'filter.custom.nope', code: 'invalid', message: 'crm:errors.unknown_field' }]);
      const empty = await rejection(host.segments.create(host.admin, { name: 'Nothing', type: 'dynamic', filter: { q: '  ', sort: 'name' } }));
      expect((empty.details as Array<{ message: string }>)[0]!.message).to.equal('segments:errors.empty_filter');
      const noName = await rejection(host.segments.create(host.admin, { name: '   ', type: 'static' }));
      expect((noName.details as Array<{ field: string }>)[0]!.field).to.equal('name');
    });

    it('use the orders app’s condition when the orders app is there', async function () {
      if (!host.enabled('orders')) return this.skip();
      const orders = host.services.get<OrdersLike>(Symbol.for('orders.Orders'));
      await orders.create(host.admin, ann.id, { product: 'Laptop', amount: 900, currency: 'PLN', ordered_at: '2024-04-10' });
      await orders.create(host.admin, cyril.id, { product: 'Laptop', amount: 500, currency: 'PLN', ordered_at: '2024-04-12' });
      await orders.create(host.admin, dana.id, { product: 'Laptop', amount: 1500, currency: 'PLN', ordered_at: '2024-06-01' });
      // "Ordered a laptop over 700 in April", as the list's filter form sends it.
      const buyers = await host.segments.create(host.admin, {
        name: 'April laptop buyers',
        type: 'dynamic',
        filter: paramsOfQueryString('condition.orders.has-order=%7B%7D&condition.orders.has-order.product=Laptop&condition.orders.has-order.min_amount=700&condition.orders.has-order.from=2024-04-01&condition.orders.has-order.to=2024-04-30'),
      });
      expect(JSON.parse(buyers.filter!['condition.orders.has-order'] as string)).to.deep.equal({ product: 'Laptop', min_amount: 700, from: '2024-04-01', to: '2024-04-30' });
      expect(ids((await host.segments.contacts(host.admin, buyers.id)).items)).to.deep.equal([ann.id]);
      // Three conditions at once: the orders one, a status and a custom field.
      const three = await host.segments.create(host.admin, {
        name: 'Northern laptop leads',
        type: 'dynamic',
        filter: { 'condition.orders.has-order': { product: 'Laptop' }, status_id: String(leadStatus), 'custom.region': 'North' },
      });
      expect(await host.segments.count(host.admin, three.id)).to.deep.equal({ total: 2, capped: false });
      expect(await host.segments.count(seller, three.id).catch((e: HttpError) => e.status)).to.equal(404);
      expect(ids((await host.query.list(host.admin, { conditions: { [IN_SEGMENT]: { segment_id: three.id } } })).items)).to.deep.equal(sorted([ann.id, cyril.id]));
    });

    it('may build on other segments, never in a circle, and a used segment cannot be deleted', async () => {
      const fair = await host.segments.create(host.admin, { name: 'Fair', type: 'static', contact_ids: [ann.id, bob.id, cyril.id] });
      const fairLeads = await host.segments.create(host.admin, { name: 'Fair leads', type: 'dynamic', filter: { segment_id: String(fair.id), status_id: String(leadStatus) } });
      const northFairLeads = await host.segments.create(host.admin, { name: 'North fair leads', type: 'dynamic', filter: { segment_id: String(fairLeads.id), 'custom.region': 'North' } });
      expect(ids((await host.segments.contacts(host.admin, fairLeads.id)).items)).to.deep.equal(sorted([ann.id, cyril.id]));
      expect(ids((await host.query.list(host.admin, { conditions: { [IN_SEGMENT]: { segment_id: northFairLeads.id } } })).items)).to.deep.equal(sorted([ann.id, cyril.id]));
      // Changing the base changes what is built on it, at once.
      await host.segments.update(host.admin, fairLeads.id, { filter: { segment_id: String(fair.id), status_id: String(wonStatus) } });
      expect(ids((await host.query.list(host.admin, { conditions: { [IN_SEGMENT]: { segment_id: northFairLeads.id } } })).items)).to.deep.equal([]);
      const circle = await rejection(host.segments.update(host.admin, fairLeads.id, { filter: { segment_id: String(northFairLeads.id) } }));
      expect([circle.status, (circle.details as Array<{ message: string }>)[0]!.message]).to.deep.equal([400, 'segments:errors.cycle']);
      expect((await rejection(host.segments.remove(host.admin, fairLeads.id))).status).to.equal(409);
      // Another user's personal segment cannot be built on.
      const hidden = await rejection(host.segments.create(colleague, { name: 'Peek', type: 'dynamic', filter: { segment_id: String(fair.id) } }));
      expect((hidden.details as Array<{ message: string }>)[0]!.message).to.equal('segments:errors.unknown_segment');
      await host.segments.remove(host.admin, northFairLeads.id);
      await host.segments.remove(host.admin, fairLeads.id);
    });

    it('follow changes another instance of the app made, at its next look', async () => {
      const elsewhere = await host.segments.create(host.admin, { name: 'Elsewhere', type: 'dynamic', filter: { q: 'ann' } });
      const query = { conditions: { [IN_SEGMENT]: { segment_id: elsewhere.id } } };
      expect(ids((await host.query.list(host.admin, query)).items)).to.deep.equal([ann.id]);
      await host.db.query('UPDATE segments_segments SET filter = ?, version = version + 1 WHERE id = ?', { replacements: [JSON.stringify({ q: 'bob' }), elsewhere.id] });
      await host.index.refresh(); // what the poll does every few seconds
      expect(ids((await host.query.list(host.admin, query)).items)).to.deep.equal([bob.id]);
      await host.segments.remove(host.admin, elsewhere.id);
    });

    it('say so when their saved filter stops working, without breaking anything else', async () => {
      const agent = request(host.app!).post('/api/v1/fields').set('Authorization', `Bearer ${adminToken}`);
      const field = (await agent.send({ key: 'temp_code', type: 'text', labels: { en: 'Temp' } }).expect(201)).body;
      const temp = await host.segments.create(host.admin, { name: 'Temp codes', type: 'dynamic', filter: { 'custom.temp_code': 'X' } });
      await request(host.app!).patch(`/api/v1/fields/${field.id}`).set('Authorization', `Bearer ${adminToken}`).send({ active: false }).expect(200);
      expect((await rejection(host.segments.count(host.admin, temp.id))).status).to.equal(400);
      await host.index.refresh({ full: true });
      const filtered = await rejection(host.query.list(host.admin, { conditions: { [IN_SEGMENT]: { segment_id: temp.id } } }));
      expect((filtered.details as Array<{ message: string }>)[0]!.message).to.equal('segments:errors.broken_filter');
      expect((await host.query.list(host.admin, {})).items.length).to.be.greaterThan(0);
      await host.segments.remove(host.admin, temp.id);
    });
  });

  describe('segments from other plugins’ sources', () => {
    it('take their contacts from the source, inside the scope', async () => {
      await host.contacts.update(host.admin, cyril.id, { job_title: 'Buyer' }, (await host.contacts.get(host.admin, cyril.id)).version);
      await host.contacts.update(host.admin, ann.id, { job_title: 'Buyer' }, (await host.contacts.get(host.admin, ann.id)).version);
      const buyers = await host.segments.create(manager, { name: 'Buyers', type: 'source', shared: true, source: { id: 'segments-probe.job-title', params: { title: 'Buyer' } } });
      expect(buyers.source).to.deep.equal({ id: 'segments-probe.job-title', params: { title: 'Buyer' } });
      expect((await host.segments.count(manager, buyers.id)).total).to.equal(2);
      expect((await host.segments.count(seller, buyers.id)).total).to.equal(1);
      expect(ids((await host.segments.contacts(manager, buyers.id)).items)).to.deep.equal(sorted([ann.id, cyril.id]));
      const bad = await rejection(host.segments.create(host.admin, { name: 'No', type: 'source', source: { id: 'segments-probe.job-title', params: {} } }));
      expect((bad.details as Array<{ field: string }>)[0]!.field).to.equal('source.params');
      const unknown = await rejection(host.segments.create(host.admin, { name: 'No', type: 'source', source: { id: 'nobody.nothing' } }));
      expect((unknown.details as Array<{ field: string }>)[0]!.field).to.equal('source.id');
    });
  });

  describe('personal and shared segments', () => {
    let personal: Segment;
    let shared: Segment;

    before(async () => {
      personal = await host.segments.create(colleague, { name: 'My hot list', type: 'static', contact_ids: [cyril.id] });
      shared = await host.segments.create(manager, { name: 'Team list', type: 'static', shared: true, contact_ids: [cyril.id] });
    });

    it('a personal segment is its owner’s alone: others get 404 for it', async () => {
      expect((await host.segments.list(colleague)).map((s) => s.name)).to.include('My hot list');
      for (const user of [manager, host.admin]) {
        expect((await host.segments.list(user)).map((s) => s.name)).not.to.include('My hot list');
        expect((await rejection(host.segments.get(user, personal.id))).status).to.equal(404);
        expect((await rejection(host.segments.update(user, personal.id, { name: 'Mine now' }))).status).to.equal(404);
      }
      expect((await host.segments.ofContact(host.admin, cyril.id)).map((s) => s.name)).not.to.include('My hot list');
    });

    it('shared segments are seen by everyone and changed only with segments.manage_shared', async () => {
      const seen = await host.segments.get(colleague, shared.id);
      expect(seen).to.include({ shared: true, editable: false, owner_id: manager.id });
      expect((await rejection(host.segments.update(colleague, shared.id, { name: 'Renamed' }))).status).to.equal(403);
      expect((await rejection(host.segments.addMembers(colleague, shared.id, [ann.id]))).status).to.equal(403);
      expect((await rejection(host.segments.remove(colleague, shared.id))).status).to.equal(403);
      expect((await host.segments.update(host.admin, shared.id, { name: 'Team list 2025' })).name).to.equal('Team list 2025');
    });

    it('sharing and unsharing need the right', async () => {
      expect((await rejection(host.segments.create(colleague, { name: 'Shared?', type: 'static', shared: true }))).status).to.equal(403);
      expect((await rejection(host.segments.update(colleague, personal.id, { shared: true }))).status).to.equal(403);
      const mine = await host.segments.create(manager, { name: 'Manager draft', type: 'static' });
      expect((await host.segments.update(manager, mine.id, { shared: true })).shared).to.equal(true);
      expect((await host.segments.get(colleague, mine.id)).name).to.equal('Manager draft');
      expect((await host.segments.update(manager, mine.id, { shared: false })).shared).to.equal(false);
      expect((await rejection(host.segments.get(colleague, mine.id))).status).to.equal(404);
    });

    it('archived segments leave the everyday list and come back', async () => {
      await host.segments.update(colleague, personal.id, { archived: true });
      expect((await host.segments.list(colleague)).map((s) => s.name)).not.to.include('My hot list');
      expect((await host.segments.list(colleague, { archived: true })).map((s) => s.name)).to.deep.equal(['My hot list']);
      // Still a working filter.
      expect(ids((await host.query.list(colleague, { conditions: { [IN_SEGMENT]: { segment_id: personal.id } } })).items)).to.deep.equal([cyril.id]);
      await host.segments.update(colleague, personal.id, { archived: false });
      expect((await host.segments.list(colleague)).map((s) => s.name)).to.include('My hot list');
    });
  });

  describe('merges and purges', () => {
    it('a merged contact’s memberships move to the surviving contact', async () => {
      const from = await host.contact({ first_name: 'Twin', last_name: 'One' });
      const into = await host.contact({ first_name: 'Twin', last_name: 'Two' });
      const a = await host.segments.create(host.admin, { name: 'Merge A', type: 'static', contact_ids: [from.id] });
      const b = await host.segments.create(host.admin, { name: 'Merge B', type: 'static', contact_ids: [from.id, into.id] });
      await host.db.transaction(async (transaction) => {
        await host.services.get<EventBus>(TOKENS.Events).emit(contactMerged, { fromId: from.id, intoId: into.id, userId: host.admin.id, transaction });
      });
      expect(ids((await host.segments.contacts(host.admin, a.id)).items)).to.deep.equal([into.id]);
      expect(ids((await host.segments.contacts(host.admin, b.id)).items)).to.deep.equal([into.id]);
      expect((await host.segments.ofContact(host.admin, into.id)).map((s) => s.name)).to.deep.equal(['Merge A', 'Merge B']);
    });

    it('a purged contact leaves every segment', async () => {
      const doomed = await host.contact({ first_name: 'Doomed' });
      const list = await host.segments.create(host.admin, { name: 'Purge list', type: 'static', contact_ids: [doomed.id, ann.id] });
      await host.contacts.remove(host.admin, doomed.id);
      await host.contacts.purge(host.admin, doomed.id);
      const [row] = await host.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM segments_members WHERE contact_id = ?', { replacements: [doomed.id], type: 'SELECT' as never });
      expect(Number(row!.n)).to.equal(0);
      expect((await host.segments.count(host.admin, list.id)).total).to.equal(1);
    });
  });
});
