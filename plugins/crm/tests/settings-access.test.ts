import { expect } from 'chai';
import request from 'supertest';
import { TOKENS, adminPages, seeders, type ExtensionRegistry, type UsersService } from '../../../host/api.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';
import { DEMO_DICTIONARIES, seedDictionaries } from '../routes/settings-seeder.js';

const concrete = (p: string) => p.replace(/:[A-Za-z_]+/g, '1');

describe('Settings: access and first start', () => {
  let host: CrmTestHost;

  before(async () => {
    host = await createCrmTestHost();
  });
  after(() => host.dispose());

  const settingsRoutes = () => host.routes.inventory().filter((r) => r.path.startsWith('/crm/settings'));

  it('guards every settings page and action with crm.settings.manage', () => {
    const routes = settingsRoutes();
    expect(routes.length).to.be.greaterThan(30);
    for (const r of routes) expect(r.access, `${r.method} ${r.path}`).to.equal('crm.settings.manage');
  });

  it('answers 403 to a user who may use the CRM but not manage it, and never changes anything', async () => {
    const user = await host.userWithRights(['crm.access', 'crm.contacts.create', 'crm.contacts.edit']);
    const agent = await host.login(user.email, user.password);
    const csrf = /<meta name="csrf-token" content="([^"]*)"/.exec((await agent.get('/')).text)![1]!;
    for (const r of settingsRoutes()) {
      const call = agent[r.method](concrete(r.path));
      const res = r.method === 'get' ? await call : await call.type('form').send({ _csrf: csrf, name: 'Sneaky', key: 'sneaky', type: 'text', 'labels[en]': 'Sneaky', color: '#000000' });
      expect(res.status, `${r.method} ${r.path}`).to.equal(403);
    }
    expect(await host.fields.all(true)).to.deep.equal([]);
    expect(await host.dictionaries.all()).to.deep.equal([]);
  });

  it('sends anonymous visitors to the sign-in page', async () => {
    const res = await request(host.app!).get('/crm/settings/fields');
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal('/login?next=%2Fcrm%2Fsettings%2Ffields');
  });

  it('appears in the Administration menu only for those who hold the right', async () => {
    const extensions = host.services.get<ExtensionRegistry>(TOKENS.Extensions);
    const users = host.services.get<UsersService>(TOKENS.Users);
    const entry = extensions.list(adminPages, host.admin).find((p) => p.pluginId === 'crm');
    expect(entry).to.include({ id: 'crm-fields', href: '/crm/settings/fields', icon: 'ui-checks', right: 'crm.settings.manage' });
    const plain = await host.userWithRights(['crm.access']);
    expect(extensions.list(adminPages, await users.currentUser(plain.id)).map((p) => p.id)).not.to.include('crm-fields');
    const manager = await host.userWithRights(['crm.settings.manage']);
    expect(extensions.list(adminPages, await users.currentUser(manager.id)).map((p) => p.id)).to.include('crm-fields');

    const page = await (await host.login(manager.email, manager.password)).get('/crm/settings/statuses').expect(200);
    expect(page.text).to.contain('href="/crm/settings/fields"><i class="bi bi-ui-checks me-2"></i>Contact settings</a>');
    expect(page.text).to.contain('data-testid="admin-link"');
  });

  it('seeds demo dictionaries on the first start, in four languages', async () => {
    const seeder = host.services.get<ExtensionRegistry>(TOKENS.Extensions).list(seeders).find((s) => s.id === 'crm-dictionaries');
    expect(seeder).to.include({ pluginId: 'crm', order: 10 });
    expect(await seeder!.run(host.services, {})).to.equal('15 dictionary items');

    const statuses = await host.dictionaries.list('status');
    expect(statuses.map((s) => s.name)).to.deep.equal(['New lead', 'Qualified', 'Negotiation', 'Client', 'Lost']);
    expect(statuses.find((s) => s.name === 'New lead')).to.include({ color: '#0d6efd' });
    expect(statuses.find((s) => s.name === 'Client')).to.include({ color: '#198754' });
    expect(statuses.find((s) => s.name === 'Lost')).to.include({ color: '#6c757d' });
    expect((await host.dictionaries.list('category')).map((s) => s.name)).to.deep.equal(['Retail', 'Wholesale', 'Partner']);
    expect((await host.dictionaries.list('client_type')).map((s) => s.name)).to.deep.equal(['Individual', 'Business']);
    expect((await host.dictionaries.list('source')).map((s) => s.name)).to.deep.equal(['Website', 'Referral', 'Exhibition', 'Cold call', 'Import']);
    for (const item of await host.dictionaries.all()) {
      expect(Object.keys(item.labels).sort(), item.name).to.deep.equal(['pl', 'ru', 'uk']);
      expect(Object.values(item.labels).every((l) => l.trim().length > 0), item.name).to.equal(true);
    }
    expect(Object.values(DEMO_DICTIONARIES).flat()).to.have.length(15);
  });

  it('seeds nothing twice, and leaves a dictionary the administrator already filled alone', async () => {
    const before = await host.dictionaries.all();
    expect(await seedDictionaries(host.services)).to.equal('dictionaries already filled');
    expect(await host.dictionaries.all()).to.deep.equal(before);

    for (const item of await host.dictionaries.list('source', true)) await host.dictionaries.remove(item.id);
    for (const item of await host.dictionaries.list('category', true)) await host.dictionaries.remove(item.id);
    await host.dictionaries.create('category', { name: 'VIP' });
    expect(await seedDictionaries(host.services)).to.equal('5 dictionary items');
    expect((await host.dictionaries.list('category')).map((s) => s.name)).to.deep.equal(['VIP']);
    expect((await host.dictionaries.list('source')).map((s) => s.name)).to.have.length(5);
    expect((await host.dictionaries.list('status')).map((s) => s.id)).to.deep.equal(before.filter((i) => i.dictionary === 'status').map((i) => i.id));
  });
});
