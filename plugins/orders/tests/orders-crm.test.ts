/** The orders app as a CRM extension: its card tab, its list condition, the access scope, merges, purges, disabling. */
import { expect } from 'chai';
import { HttpError, TOKENS, type CurrentUser, type PluginManager } from '../../../host/api.js';
import { contactMerged, type Contact } from '../../crm/api.js';
import { createOrdersTestHost, type OrdersTestHost } from './support/orders-host.js';

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('Orders app in the CRM', () => {
  let host: OrdersTestHost;
  let seller: CurrentUser;
  /** Laptop 1500 in April / Laptop 500 in April / Laptop 1500 in June / Chair 2000 in April (the seller's only client is `april`). */
  let april: Contact, cheap: Contact, june: Contact, chairs: Contact, nothing: Contact;

  before(async () => {
    host = await createOrdersTestHost();
    seller = await host.asUser((await host.userWithRights(['crm.access', 'orders.access'])).id);
    april = await host.contact({ first_name: 'Anna', last_name: 'Kowalska', responsible_id: seller.id });
    cheap = await host.contact({ first_name: 'Борис', last_name: 'Петров' });
    june = await host.contact({ kind: 'company', company_name: 'ТОВ «Калина»' });
    chairs = await host.contact({ kind: 'company', company_name: 'Northwind Ltd' });
    nothing = await host.contact({ first_name: 'No', last_name: 'Orders' });
    await host.orders.create(host.admin, april.id, { product: 'Laptop Pro 14', amount: 1500, currency: 'PLN', ordered_at: '2024-04-10' });
    await host.orders.create(host.admin, april.id, { product: 'Wireless Headset', amount: 120.5, currency: 'PLN', ordered_at: '2024-05-02', status: 'paid' });
    await host.orders.create(host.admin, cheap.id, { product: 'Laptop Pro 14', amount: 500, currency: 'RUB', ordered_at: '2024-04-12' });
    await host.orders.create(host.admin, june.id, { product: 'Laptop Pro 14', amount: 1500, currency: 'UAH', ordered_at: '2024-06-01' });
    await host.orders.create(host.admin, chairs.id, { product: 'Office Chair', amount: 2000, currency: 'GBP', ordered_at: '2024-04-10' });
  });
  after(() => host.dispose());

  const tabOf = async (contact: Contact, user: CurrentUser, language: 'en' | 'pl' = 'en') =>
    (await host.tabs.headers(contact, host.request(user, language))).find((t) => t.key === 'orders.orders');

  it('adds an Orders tab with the number of the contact’s orders to the client card', async () => {
    expect(await tabOf(april, host.admin)).to.deep.include({ plugin: 'orders', id: 'orders', title: 'Orders', count: 2, failed: false });
    expect(await tabOf(nothing, host.admin)).to.deep.include({ count: 0 });
    expect((await tabOf(april, host.admin, 'pl'))!.title).to.equal('Zamówienia');
  });

  it('renders the tab’s body with the orders, their totals and escaped user data', async () => {
    await host.orders.create(host.admin, nothing.id, { product: '<script>alert(1)</script>', amount: 10, currency: 'EUR', ordered_at: '2024-01-01' });
    const html = (await host.tabs.body(nothing, host.request(host.admin), 'orders', 'orders'))!;
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;').and.not.contain('<script>alert(1)');
    const mine = (await host.tabs.body(april, host.request(host.admin), 'orders', 'orders'))!;
    expect(mine).to.contain('Laptop Pro 14').and.contain('Wireless Headset').and.contain('2 orders');
    expect(mine).to.match(/PLN\s?1,620\.50/); // the total in the contact's currency
    expect(mine).to.contain('data-testid="orders-form"'); // the admin may add orders
    const polish = (await host.tabs.body(april, host.request(host.admin, 'pl'), 'orders', 'orders'))!;
    expect(polish).to.contain('2 zamówienia').and.contain('Opłacone');
    await host.orders.removeForContact(nothing.id);
  });

  it('shows the tab without the form to users who may not add orders, and no tab to users without the app', async () => {
    const html = (await host.tabs.body(april, host.request(seller), 'orders', 'orders'))!;
    expect(html).to.contain('Laptop Pro 14').and.not.contain('data-testid="orders-form"');
    const crmOnly = await host.asUser((await host.userWithRights(['crm.access'])).id);
    expect(await tabOf(april, crmOnly)).to.equal(undefined);
  });

  it('finds contacts with the condition "has an order of product X above amount N between dates"', async () => {
    const ids = async (value: Record<string, unknown>, user = host.admin) =>
      (await host.query.list(user, { conditions: { 'orders.has-order': value } })).items.map((c) => c.id).sort((a, b) => a - b);
    const sorted = (...list: Contact[]) => list.map((c) => c.id).sort((a, b) => a - b);
    expect(await ids({ product: 'Laptop Pro 14', min_amount: 700, from: '2024-04-01', to: '2024-04-30' })).to.deep.equal([april.id]);
    expect(await ids({ product: 'Laptop Pro 14' })).to.deep.equal(sorted(april, cheap, june));
    expect(await ids({ min_amount: 1000 })).to.deep.equal(sorted(april, june, chairs));
    expect(await ids({ from: '2024-05-01' })).to.deep.equal(sorted(april, june));
    expect(await ids({ to: '2024-04-11' })).to.deep.equal(sorted(april, chairs));
    expect(await ids({})).to.deep.equal(sorted(april, cheap, june, chairs));
    // Form and query values arrive as strings; they are coerced by the condition's schema.
    expect(await ids({ product: 'Laptop Pro 14', min_amount: '700', to: '2024-04-30' })).to.deep.equal([april.id]);
    // With the list's own filters and search.
    const both = await host.query.list(host.admin, { kind: 'company', q: 'калина', conditions: { 'orders.has-order': { min_amount: 1000 } } });
    expect(both.items.map((c) => c.id)).to.deep.equal([june.id]);
  });

  it('refuses a malformed condition with a 400 naming the field', async () => {
    const err = await rejection(host.query.list(host.admin, { conditions: { 'orders.has-order': { min_amount: 'lots', from: '2024-13-45' } } }));
    expect(err.status).to.equal(400);
    expect((err.details as Array<{ field: string }>).map((d) => d.field).sort()).to.deep.equal(['conditions.orders.has-order.from', 'conditions.orders.has-order.min_amount']);
  });

  it('never shows orders of contacts the user may not see', async () => {
    // The test rule lets the seller see only the contacts they are responsible for.
    expect(await tabOf(cheap, seller)).to.deep.include({ count: 0 });
    expect(await host.orders.countForContact(seller, cheap.id)).to.equal(0);
    expect((await rejection(host.orders.forContact(seller, cheap.id))).status).to.equal(404);
    expect((await rejection(host.orders.create(seller, cheap.id, { product: 'X', amount: 1, currency: 'PLN' }))).status).to.equal(404);
    const listed = await host.orders.list(seller);
    expect(listed.items.map((o) => o.contact_id)).to.deep.equal([april.id, april.id]);
    expect(listed.total).to.equal(2);
    const found = await host.query.list(seller, { conditions: { 'orders.has-order': { product: 'Laptop Pro 14' } } });
    expect(found.items.map((c) => c.id)).to.deep.equal([april.id]);
    const outsider = await host.asUser((await host.userWithRights(['orders.access'])).id);
    expect((await host.orders.list(outsider)).total).to.equal(0);
  });

  it('moves a merged contact’s orders to the surviving contact, inside the merge’s transaction', async () => {
    const from = await host.contact({ first_name: 'Dupe', last_name: 'Kowalska' });
    const into = await host.contact({ first_name: 'Anna', last_name: 'Kowalska-Nowak' });
    await host.orders.create(host.admin, from.id, { product: 'Standing Desk', amount: 550, currency: 'PLN', ordered_at: '2024-03-03' });
    // A merge that fails after the event leaves the orders where they were.
    await host.db
      .transaction(async (transaction) => {
        await host.events.emit(contactMerged, { fromId: from.id, intoId: into.id, userId: host.admin.id, transaction });
        throw new Error('merge failed later');
      })
      .catch(() => undefined);
    expect(await host.orders.countForContact(host.admin, from.id)).to.equal(1);
    await host.db.transaction((transaction) => host.events.emit(contactMerged, { fromId: from.id, intoId: into.id, userId: host.admin.id, transaction }));
    expect(await host.orders.countForContact(host.admin, from.id)).to.equal(0);
    expect((await host.orders.forContact(host.admin, into.id)).map((o) => o.product)).to.deep.equal(['Standing Desk']);
  });

  it('keeps the orders of a contact in the trash and deletes them when the contact is purged', async () => {
    const gone = await host.contact({ first_name: 'Short', last_name: 'Lived' });
    await host.orders.create(host.admin, gone.id, { product: 'Projector', amount: 600, currency: 'EUR' });
    await host.contacts.remove(host.admin, gone.id);
    const [kept] = await host.db.query('SELECT COUNT(*) AS n FROM orders_orders WHERE contact_id = ?', { replacements: [gone.id] });
    expect(Number((kept as Array<{ n: number }>)[0]!.n)).to.equal(1);
    await host.contacts.purge(host.admin, gone.id);
    const [left] = await host.db.query('SELECT COUNT(*) AS n FROM orders_orders WHERE contact_id = ?', { replacements: [gone.id] });
    expect(Number((left as Array<{ n: number }>)[0]!.n)).to.equal(0);
  });

  it('takes its tab and its condition away when the orders app is disabled, and brings them back when enabled', async () => {
    const plugins = host.services.get<PluginManager>(TOKENS.Plugins);
    await plugins.disable('orders');
    try {
      expect(await tabOf(april, host.admin)).to.equal(undefined);
      const err = await rejection(host.query.list(host.admin, { conditions: { 'orders.has-order': { product: 'Laptop Pro 14' } } }));
      expect([err.status, (err.details as Array<{ field: string }>)[0]!.field]).to.deep.equal([400, 'conditions.orders.has-order']);
    } finally {
      await plugins.enable('orders');
    }
    expect(await tabOf(april, host.admin)).to.deep.include({ count: 2 });
    expect((await host.query.list(host.admin, { conditions: { 'orders.has-order': { product: 'Office Chair' } } })).items.map((c) => c.id)).to.deep.equal([chairs.id]);
  });
});
