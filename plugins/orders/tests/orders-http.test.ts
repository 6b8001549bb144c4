/** The orders app over HTTP: its page, its REST API, the Orders tab's form, and its demo data. */
import { expect } from 'chai';
import request from 'supertest';
import { seeders } from '../../../host/api.js';
import { ADMIN, csrfOf } from '../../../tests/support/test-host.js';
import type { Contact } from '../../crm/api.js';
import { CATALOGUE } from '../services/demo-orders.js';
import { currencyOf } from '../services/currency.js';
import { createOrdersTestHost, type OrdersTestHost } from './support/orders-host.js';

describe('Orders app over HTTP', () => {
  let host: OrdersTestHost;
  let mine: Contact;
  let theirs: Contact;
  let seller: { email: string; password: string; id: number };
  let adminToken: string;
  let sellerToken: string;

  const token = async (email: string, password: string) => (await request(host.app!).post('/api/v1/auth/token').send({ email, password }).expect(201)).body.token as string;

  before(async () => {
    host = await createOrdersTestHost();
    seller = await host.userWithRights(['crm.access', 'orders.access']);
    mine = await host.contact({ first_name: 'Ołena', last_name: '<b>Bold</b>', responsible_id: seller.id });
    theirs = await host.contact({ kind: 'company', company_name: 'ООО «Ромашка»' });
    await host.orders.create(host.admin, mine.id, { product: 'Laptop Pro 14', amount: 1500, currency: 'PLN', ordered_at: '2024-04-10' });
    await host.orders.create(host.admin, theirs.id, { product: 'Projector', amount: 54000, currency: 'RUB', ordered_at: '2024-05-10', status: 'shipped' });
    adminToken = await token(ADMIN.email, ADMIN.password);
    sellerToken = await token(seller.email, seller.password);
  });
  after(() => host.dispose());

  describe('the /orders page', () => {
    it('lists orders with their clients’ names, newest first, in the apps menu', async () => {
      const agent = await host.login();
      const page = await agent.get('/orders').expect(200);
      expect(page.text).to.contain('href="/orders"'); // the menu item
      expect(page.text).to.contain('2 orders');
      expect(page.text.indexOf('<td>Projector</td>')).to.be.within(0, page.text.indexOf('<td>Laptop Pro 14</td>'));
      expect(page.text).to.contain(`href="/crm/contacts/${theirs.id}"`).and.contain('ООО «Ромашка»');
      expect(page.text).to.contain('Ołena &lt;b&gt;Bold&lt;/b&gt;').and.not.contain('<b>Bold</b>');
      const filtered = await agent.get('/orders').query({ product: 'Projector' }).expect(200);
      expect(filtered.text).to.contain('1 order').and.not.contain('<td>Laptop Pro 14</td>');
      await agent.get('/orders').query({ status: 'lost' }).expect(400);
    });

    it('shows a user only the orders of contacts they may see, and is closed to users without the app', async () => {
      const agent = await host.login(seller.email, seller.password);
      const page = await agent.get('/orders').expect(200);
      expect(page.text).to.contain('Laptop Pro 14').and.not.contain('<td>Projector</td>').and.not.contain('Ромашка');
      const crmOnly = await host.userWithRights(['crm.access']);
      await (await host.login(crmOnly.email, crmOnly.password)).get('/orders').expect(403);
      const anonymous = await request(host.app!).get('/orders').set('Accept', 'text/html');
      expect([anonymous.status, anonymous.headers.location?.startsWith('/login')]).to.deep.equal([302, true]);
    });

    it('is in Polish, Russian and Ukrainian too', async () => {
      const agent = await host.login();
      for (const [language, word] of [['pl', 'Zamówienia'], ['ru', 'Заказы'], ['uk', 'Замовлення']] as const) {
        const text = (await agent.get('/orders').set('Accept-Language', language).expect(200)).text;
        expect(text, language).to.contain(word);
      }
    });
  });

  describe('GET and POST /api/v1/contacts/:id/orders', () => {
    it('returns a contact’s orders', async () => {
      const res = await request(host.app!).get(`/api/v1/contacts/${mine.id}/orders`).set('Authorization', `Bearer ${adminToken}`).expect(200);
      expect(res.body.items).to.have.length(1);
      expect(res.body.items[0]).to.deep.include({ contact_id: mine.id, product: 'Laptop Pro 14', amount: 1500, currency: 'PLN', ordered_at: '2024-04-10', status: 'new' });
      expect(res.body.items[0].number).to.match(/^SO-\d{6}$/);
    });

    it('answers 404 for a contact the caller may not see or that does not exist', async () => {
      await request(host.app!).get(`/api/v1/contacts/${theirs.id}/orders`).set('Authorization', `Bearer ${sellerToken}`).expect(404);
      await request(host.app!).get('/api/v1/contacts/999999/orders').set('Authorization', `Bearer ${adminToken}`).expect(404);
      await request(host.app!).get('/api/v1/contacts/abc/orders').set('Authorization', `Bearer ${adminToken}`).expect(404);
    });

    it('adds an order, numbering it, and refuses bad input per field without saving anything', async () => {
      const created = await request(host.app!)
        .post(`/api/v1/contacts/${theirs.id}/orders`)
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ product: 'Coffee Machine', amount: 40500.5, currency: 'rub', ordered_at: '2024-07-01' })
        .expect(201);
      expect(created.body).to.deep.include({ contact_id: theirs.id, product: 'Coffee Machine', amount: 40500.5, currency: 'RUB', status: 'new' });
      expect(created.body.number).to.equal(`SO-${String(created.body.id).padStart(6, '0')}`);

      const bad = await request(host.app!)
        .post(`/api/v1/contacts/${theirs.id}/orders`)
        .set('Authorization', `Bearer ${adminToken}`)
        .set('Accept-Language', 'pl')
        .send({ product: '', amount: 'many', currency: 'zloty', status: 'lost' })
        .expect(400);
      expect(bad.body.error.code).to.equal('invalid_input');
      expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).to.deep.equal(['amount', 'currency', 'product', 'status']);
      expect((await host.orders.forContact(host.admin, theirs.id)).length).to.equal(2);
    });

    it('needs the orders.manage right to add, and answers 404 for an invisible contact', async () => {
      await request(host.app!).post(`/api/v1/contacts/${mine.id}/orders`).set('Authorization', `Bearer ${sellerToken}`).send({ product: 'X', amount: 1, currency: 'PLN' }).expect(403);
      const manager = await host.userWithRights(['crm.access', 'orders.access', 'orders.manage']);
      const managerToken = await token(manager.email, manager.password);
      await request(host.app!).post(`/api/v1/contacts/${theirs.id}/orders`).set('Authorization', `Bearer ${managerToken}`).send({ product: 'X', amount: 1, currency: 'PLN' }).expect(404);
    });

    it('is described in the OpenAPI document', async () => {
      const doc = (await request(host.app!).get('/api/v1/openapi.json').expect(200)).body;
      expect(doc.paths['/contacts/{id}/orders']).to.have.keys('get', 'post');
    });
  });

  describe('the form on the Orders tab', () => {
    it('adds an order and answers with the refreshed tab (htmx)', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, '/orders');
      const res = await agent
        .post(`/orders/contacts/${mine.id}`)
        .set('HX-Request', 'true')
        .set('X-CSRF-Token', csrf)
        .type('form')
        .send({ _csrf: csrf, product: 'Standing Desk', amount: '1 250,50', currency: 'PLN', ordered_at: '2024-08-01', status: 'paid' })
        .expect(200);
      expect(res.text).to.contain('The order was added.').and.contain('Standing Desk').and.contain('2 orders');
      expect(res.headers['hx-trigger']).to.equal('crm:stale'); // the card refreshes the tab's count
      expect((await host.orders.forContact(host.admin, mine.id)).map((o) => o.amount)).to.include(1250.5);
    });

    it('shows the errors beside the fields and saves nothing when the input is wrong', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, '/orders');
      const before = (await host.orders.forContact(host.admin, mine.id)).length;
      const res = await agent
        .post(`/orders/contacts/${mine.id}`)
        .set('HX-Request', 'true')
        .set('X-CSRF-Token', csrf)
        .type('form')
        .send({ _csrf: csrf, product: 'Desk', amount: 'twelve', currency: 'PLN', ordered_at: '' })
        .expect(200);
      expect(res.text).to.contain('is-invalid').and.contain('value="Desk"');
      expect((await host.orders.forContact(host.admin, mine.id)).length).to.equal(before);
    });

    it('redirects back after a plain form post, and answers 404 for an invisible contact', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, '/orders');
      const res = await agent.post(`/orders/contacts/${theirs.id}`).type('form').set('Referer', 'http://evil.example/x').send({ _csrf: csrf, product: 'Projector', amount: '100', currency: 'RUB' }).expect(303);
      expect(res.headers.location).to.equal('/orders');
      const manager = await host.userWithRights(['crm.access', 'orders.access', 'orders.manage']);
      const managerAgent = await host.login(manager.email, manager.password);
      const managerCsrf = await csrfOf(managerAgent, '/orders');
      await managerAgent.post(`/orders/contacts/${theirs.id}`).type('form').send({ _csrf: managerCsrf, product: 'Projector', amount: '100', currency: 'RUB' }).expect(404);
    });
  });

  describe('demo data', () => {
    it('adds demo orders, priced in the currency of each contact’s market, after the CRM’s demo contacts', async function () {
      this.timeout(60_000);
      const list = host.extensions.list(seeders);
      const crm = list.find((s) => s.id === 'crm-demo')!;
      const orders = list.find((s) => s.id === 'orders-demo')!;
      expect(list.indexOf(orders)).to.be.greaterThan(list.indexOf(crm));
      expect(orders.order).to.equal(60);
      await host.db.query('DELETE FROM orders_orders');
      for (let i = 0; i < 40; i++) {
        await host.contacts.create(host.admin, { kind: 'person', first_name: `Demo${i}`, last_name: 'Client', phones: [{ value: i % 2 ? '+48 601 234 567' : '+380 50 123 4567' }] });
      }
      const summary = await orders.run(host.services, {});
      expect(summary).to.match(/^\d+ demo orders for \d+ contacts$/);
      const [rows] = await host.db.query('SELECT contact_id, product, amount, currency FROM orders_orders');
      const written = rows as Array<{ contact_id: number; product: string; amount: string | number; currency: string }>;
      expect(written.length).to.be.greaterThan(5);
      const all = new Map((await host.query.list(host.admin, { limit: 500 })).items.map((c) => [c.id, c]));
      for (const o of written) {
        expect(CATALOGUE.map(([p]) => p)).to.include(o.product);
        expect(Number(o.amount)).to.be.greaterThan(0);
        expect(o.currency).to.equal(currencyOf(all.get(Number(o.contact_id))!));
      }
      expect(await orders.run(host.services, {})).to.contain('already');
    });
  });
});
