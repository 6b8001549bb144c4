import { expect } from 'chai';
import type TestAgent from 'supertest/lib/agent.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const alerts = (html: string) => [...html.matchAll(/<div class="alert alert-(\w+)[^"]*" role="alert">([^<]*)/g)].map((m) => `${m[1]}: ${m[2]!.trim()}`);
const control = (html: string, name: string) => new RegExp(`<(input|select|textarea)[^>]*name="${name.replace(/[[\]]/g, '\\$&')}"[^>]*>`).exec(html)?.[0] ?? '';
/** Item names in the order the page lists them. */
const listed = (html: string) => [...html.matchAll(/data-name="([^"]*)" data-testid="dictionary-item"/g)].map((m) => m[1]);

describe('Settings: dictionaries', () => {
  let host: CrmTestHost;
  let agent: TestAgent;
  let csrf: string;

  before(async () => {
    host = await createCrmTestHost();
    agent = await host.login();
    csrf = await csrfOf(agent, '/crm/settings/statuses');
  });
  after(() => host.dispose());

  const post = (url: string, form: Record<string, unknown>) => agent.post(url).type('form').send({ _csrf: csrf, ...form });

  it('has one page per dictionary, each with an empty state and an add form', async () => {
    for (const [slug, heading, add] of [
      ['statuses', 'Statuses', 'Add a status'],
      ['categories', 'Categories', 'Add a category'],
      ['client-types', 'Client types', 'Add a client type'],
      ['sources', 'Sources', 'Add a source'],
    ] as const) {
      const page = await agent.get(`/crm/settings/${slug}`).expect(200);
      expect(page.text).to.contain(`<h2 class="h6 mb-0">${heading}</h2>`).and.contain(add).and.contain('data-testid="dictionary-empty"');
      expect(page.text).to.match(new RegExp(`class="nav-link active" href="/crm/settings/${slug}"`));
      // Only statuses are coloured.
      expect(control(page.text, 'color') !== '', slug).to.equal(slug === 'statuses');
    }
  });

  it('adds a status with a colour and translations, shown as a coloured badge', async () => {
    await post('/crm/settings/statuses', { name: ' Hot lead ', color: '#DC3545', 'labels[pl]': 'Gorący lead', 'labels[ru]': 'Горячий лид' }).expect(302);
    const [item] = await host.dictionaries.list('status', true);
    expect(item).to.include({ name: 'Hot lead', color: '#dc3545', active: true });
    expect(item!.labels).to.deep.equal({ pl: 'Gorący lead', ru: 'Горячий лид' });

    const page = await agent.get('/crm/settings/statuses');
    expect(alerts(page.text)).to.deep.equal(['success: “Hot lead” added.']);
    expect(page.text).to.contain('style="background-color: #dc3545; color: #fff" data-testid="item-badge">Hot lead</span>');
    expect(page.text).to.contain('<span class="text-uppercase text-body-tertiary">pl</span> Gorący lead');
  });

  it('picks a readable text colour for light statuses', async () => {
    await post('/crm/settings/statuses', { name: 'Waiting', color: '#ffc107' }).expect(302);
    const page = await agent.get('/crm/settings/statuses');
    expect(page.text).to.contain('style="background-color: #ffc107; color: #212529" data-testid="item-badge">Waiting</span>');
  });

  it('adds categories, client types and sources without a colour', async () => {
    await post('/crm/settings/categories', { name: 'Retail', color: '#000000', 'labels[uk]': 'Роздріб' }).expect(302);
    await post('/crm/settings/client-types', { name: 'Business' }).expect(302);
    await post('/crm/settings/sources', { name: 'Website' }).expect(302);
    expect((await host.dictionaries.list('category'))[0]).to.include({ name: 'Retail', color: null });
    expect((await host.dictionaries.list('client_type')).map((i) => i.name)).to.deep.equal(['Business']);
    expect((await host.dictionaries.list('source')).map((i) => i.name)).to.deep.equal(['Website']);
    const page = await agent.get('/crm/settings/categories');
    expect(page.text).to.contain('data-testid="item-label">Retail</span>');
  });

  it('shows errors beside the name and the colour and keeps the values', async () => {
    const empty = await post('/crm/settings/statuses', { name: '  ', color: 'red', 'labels[pl]': 'Pusty' }).expect(400);
    expect(control(empty.text, 'name')).to.contain('is-invalid');
    expect(control(empty.text, 'color')).to.contain('is-invalid');
    expect(empty.text).to.contain('This field is required.').and.contain('Choose a colour.');
    expect(control(empty.text, 'labels[pl]')).to.contain('value="Pusty"');

    const taken = await post('/crm/settings/statuses', { name: 'hot LEAD', color: '#000000' }).expect(400);
    expect(control(taken.text, 'name')).to.contain('is-invalid').and.contain('value="hot LEAD"');
    expect(taken.text).to.contain('This list already has an item with this name.');

    const long = await post('/crm/settings/statuses', { name: 'x'.repeat(191), color: '#000000' }).expect(400);
    expect(long.text).to.contain('Must be at most 190 characters long.');
    expect(await host.dictionaries.list('status', true)).to.have.length(2);
  });

  it('opens an item for editing beside the list, then renames it and changes its colour', async () => {
    const [hot] = await host.dictionaries.list('status', true);
    const form = await agent.get(`/crm/settings/statuses/${hot!.id}`).expect(200);
    expect(form.text).to.contain('Edit “Hot lead”');
    expect(form.text).to.match(/list-group-item-primary" data-id="\d+" data-name="Hot lead"/);
    expect(control(form.text, 'name')).to.contain('value="Hot lead"');
    expect(control(form.text, 'color')).to.contain('value="#dc3545"');
    expect(form.text).to.match(new RegExp(`action="/crm/settings/statuses/${hot!.id}"`));

    await post(`/crm/settings/statuses/${hot!.id}`, { name: 'Warm lead', color: '#fd7e14', 'labels[pl]': 'Ciepły lead' }).expect(302);
    const saved = (await host.dictionaries.get(hot!.id))!;
    expect(saved).to.include({ name: 'Warm lead', color: '#fd7e14' });
    expect(saved.labels).to.deep.equal({ pl: 'Ciepły lead' });

    // Keeping its own name is not a duplicate.
    await post(`/crm/settings/statuses/${hot!.id}`, { name: 'Warm lead', color: '#fd7e14' }).expect(302);
    const bad = await post(`/crm/settings/statuses/${hot!.id}`, { name: 'Waiting', color: '#fd7e14' }).expect(400);
    expect(bad.text).to.contain('This list already has an item with this name.');
  });

  it('keeps each list to itself: an item is not found through another list', async () => {
    const [retail] = await host.dictionaries.list('category', true);
    await agent.get(`/crm/settings/statuses/${retail!.id}`).expect(404);
    await post(`/crm/settings/statuses/${retail!.id}/delete`, {}).expect(404);
    await agent.get('/crm/settings/statuses/nope').expect(404);
    await agent.get(`/crm/settings/categories/${retail!.id}`).expect(200);
  });

  it('reorders a list from the dragged order', async () => {
    await host.dictionaries.create('status', { name: 'Client', color: '#198754' });
    const ids = (await host.dictionaries.list('status', true)).map((i) => i.id);
    const order = [ids[2]!, ids[0]!, ids[1]!];
    await agent.post('/crm/settings/statuses/order').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ ids: order }).expect(200);
    expect((await host.dictionaries.list('status', true)).map((i) => i.id)).to.deep.equal(order);
    expect(listed((await agent.get('/crm/settings/statuses')).text)).to.deep.equal(['Client', 'Warm lead', 'Waiting']);

    const [retail] = await host.dictionaries.list('category', true);
    const foreign = await agent.post('/crm/settings/statuses/order').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ ids: [retail!.id] }).expect(400);
    expect(foreign.body.error.details[0].field).to.equal('ids');
    await agent.post('/crm/settings/statuses/order').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ ids: [order[0], order[0]] }).expect(400);
  });

  it('deactivates an item and activates it again', async () => {
    const waiting = (await host.dictionaries.list('status', true)).find((i) => i.name === 'Waiting')!;
    await post(`/crm/settings/statuses/${waiting.id}/active`, {}).expect(302);
    expect((await host.dictionaries.get(waiting.id))!.active).to.equal(false);
    expect((await host.dictionaries.list('status')).map((i) => i.name)).not.to.include('Waiting');
    const page = await agent.get('/crm/settings/statuses');
    expect(alerts(page.text)).to.deep.equal(['success: “Waiting” deactivated: contacts keep it, but it is no longer offered.']);
    expect(page.text).to.contain('data-testid="item-inactive"').and.contain('data-testid="activate-item"');

    await post(`/crm/settings/statuses/${waiting.id}/active`, { active: 'on' }).expect(302);
    expect((await host.dictionaries.get(waiting.id))!.active).to.equal(true);
  });

  it('deletes an unused item, and only deactivates one that contacts use, saying so', async () => {
    const items = await host.dictionaries.list('status', true);
    const unused = items.find((i) => i.name === 'Waiting')!;
    const used = items.find((i) => i.name === 'Client')!;
    await host.contacts.create(host.admin, { kind: 'company', company_name: 'Acme', status_id: used.id });

    const page = await agent.get('/crm/settings/statuses');
    expect(page.text).to.contain('data-confirm="Delete “Client”? If contacts use it, it is deactivated instead."');

    await post(`/crm/settings/statuses/${unused.id}/delete`, {}).expect(302);
    expect(await host.dictionaries.get(unused.id)).to.equal(null);
    expect(alerts((await agent.get('/crm/settings/statuses')).text)).to.deep.equal(['success: “Waiting” deleted.']);

    await post(`/crm/settings/statuses/${used.id}/delete`, {}).expect(302);
    expect((await host.dictionaries.get(used.id))!.active).to.equal(false);
    expect(alerts((await agent.get('/crm/settings/statuses')).text)).to.deep.equal([
      'warning: “Client” is used by contacts, so it was deactivated instead of deleted: those contacts keep it, and it is no longer offered.',
    ]);
  });

  it('escapes names and ignores a colour that is not a plain hex value', async () => {
    await host.dictionaries.create('status', { name: '<img src=x onerror=alert(1)>', color: '#fff;top:9px' });
    const page = await agent.get('/crm/settings/statuses');
    expect(page.text).not.to.contain('<img src=x').and.not.to.contain('top:9px');
    expect(page.text).to.contain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });
});
