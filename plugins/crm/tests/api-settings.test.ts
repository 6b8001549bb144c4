/**
 * The settings part of the REST API: custom field definitions and the dictionaries (statuses,
 * categories, client types, sources). Every CRM user reads them; only crm.settings.manage
 * changes them.
 */
import { expect } from 'chai';
import request from 'supertest';
import { ADMIN } from '../../../tests/support/test-host.js';
import type { DictionaryItem, FieldDefinition } from '../api.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

type Method = 'get' | 'post' | 'patch' | 'delete';

/** Calls /api/v1 with a bearer token. */
function apiClient(host: CrmTestHost, token: string) {
  const call = (method: Method, url: string) => request(host.app!)[method](`/api/v1${url}`).set('Authorization', `Bearer ${token}`);
  return {
    get: (url: string, query: Record<string, unknown> = {}) => call('get', url).query(query),
    post: (url: string, body: unknown) => call('post', url).send(body as object),
    patch: (url: string, body: unknown) => call('patch', url).send(body as object),
    delete: (url: string) => call('delete', url),
  };
}
type Api = ReturnType<typeof apiClient>;

async function tokenOf(host: CrmTestHost, email: string, password: string): Promise<string> {
  return (await request(host.app!).post('/api/v1/auth/token').send({ email, password }).expect(201)).body.token as string;
}

const fieldsOf = (res: request.Response) => (res.body.error.details as Array<{ field: string }>).map((d) => d.field).sort();

describe('Settings API: custom fields and dictionaries', () => {
  let host: CrmTestHost;
  let admin: Api;
  let reader: Api;

  before(async () => {
    host = await createCrmTestHost();
    admin = apiClient(host, await tokenOf(host, ADMIN.email, ADMIN.password));
    const user = await host.userWithRights(['crm.access', 'crm.contacts.create', 'crm.contacts.edit']);
    reader = apiClient(host, await tokenOf(host, user.email, user.password));
  });
  after(() => host.dispose());

  describe('custom fields', () => {
    let tier: FieldDefinition;

    it('defines a field with labels per language and options', async () => {
      const res = await admin.post('/fields', { key: 'tier', type: 'select', labels: { en: 'Tier', pl: 'Poziom', ru: 'Уровень', uk: 'Рівень' }, options: ['gold', 'silver'], in_list: true });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      tier = res.body;
      expect(tier).to.deep.include({ key: 'tier', type: 'select', required: false, in_list: true, options: ['gold', 'silver'], active: true });
      expect(tier.labels).to.deep.equal({ en: 'Tier', pl: 'Poziom', ru: 'Уровень', uk: 'Рівень' });
    });

    it('refuses a taken key with 409, and bad keys, types, labels or missing options with 400', async () => {
      expect((await admin.post('/fields', { key: 'tier', type: 'text' }).expect(409)).body.error.code).to.equal('conflict');
      expect(fieldsOf(await admin.post('/fields', { key: 'Tier', type: 'text' }).expect(400))).to.deep.equal(['key']);
      expect(fieldsOf(await admin.post('/fields', { key: 'color', type: 'blob' }).expect(400))).to.deep.equal(['type']);
      expect(fieldsOf(await admin.post('/fields', { key: 'color', type: 'text', labels: { de: 'Farbe' } }).expect(400))).to.deep.equal(['labels.de']);
      expect(fieldsOf(await admin.post('/fields', { key: 'color', type: 'text', labels: { pl: 'Kolor' } }).expect(400))).to.deep.equal(['labels.en']);
      expect(fieldsOf(await admin.post('/fields', { key: 'color', type: 'select', options: [] }).expect(400))).to.deep.equal(['options']);
      expect(fieldsOf(await admin.post('/fields', { type: 'text' }).expect(400))).to.deep.equal(['key']);
      expect(fieldsOf(await admin.post('/fields', { key: 'color', type: 'text', secret: true }).expect(400))).to.deep.equal(['secret']);
      expect(fieldsOf(await admin.post('/fields', { key: 'color', type: 'text', required: 'yes' }).expect(400))).to.deep.equal(['required']);
    });

    it('lets every CRM user read the fields but only settings managers change them', async () => {
      expect((await reader.get('/fields').expect(200)).body.items.map((f: FieldDefinition) => f.key)).to.deep.equal(['tier']);
      await reader.post('/fields', { key: 'sneaky', type: 'text' }).expect(403);
      await reader.patch(`/fields/${tier.id}`, { required: true }).expect(403);
      await reader.delete(`/fields/${tier.id}`).expect(403);
      await reader.post('/fields/order', { ids: [tier.id] }).expect(403);
    });

    it('changes labels, options and flags but never the key or type', async () => {
      const changed = (await admin.patch(`/fields/${tier.id}`, { labels: { en: 'Level' }, options: ['gold', 'silver', 'bronze'] }).expect(200)).body;
      expect(changed).to.deep.include({ key: 'tier', labels: { en: 'Level' }, options: ['gold', 'silver', 'bronze'] });
      expect(fieldsOf(await admin.patch(`/fields/${tier.id}`, { key: 'level' }).expect(400))).to.deep.equal(['key']);
      expect(fieldsOf(await admin.patch(`/fields/${tier.id}`, { type: 'text' }).expect(400))).to.deep.equal(['type']);
      await admin.patch(`/fields/${tier.id}`, {}).expect(400);
      await admin.patch('/fields/99999', { required: true }).expect(404);
      await admin.patch('/fields/abc', { required: true }).expect(404);
    });

    it('validates contact values against the definitions', async () => {
      const ok = await admin.post('/contacts', { kind: 'company', company_name: 'Gold Ltd', custom: { tier: 'bronze' } }).expect(201);
      expect(ok.body.custom).to.deep.equal({ tier: 'bronze' });
      expect(fieldsOf(await admin.post('/contacts', { kind: 'company', company_name: 'Tin Ltd', custom: { tier: 'tin' } }).expect(400))).to.deep.equal(['custom.tier']);
      await admin.patch(`/fields/${tier.id}`, { required: true }).expect(200);
      expect(fieldsOf(await admin.post('/contacts', { kind: 'company', company_name: 'No Tier Ltd' }).expect(400))).to.deep.equal(['custom.tier']);
      await admin.patch(`/fields/${tier.id}`, { required: false }).expect(200);
    });

    it('puts fields in a new order, refusing unknown ids', async () => {
      const budget = (await admin.post('/fields', { key: 'budget', type: 'money', labels: { en: 'Budget' } }).expect(201)).body as FieldDefinition;
      const since = (await admin.post('/fields', { key: 'client_since', type: 'date', labels: { en: 'Client since' } }).expect(201)).body as FieldDefinition;
      const ordered = (await admin.post('/fields/order', { ids: [since.id, budget.id, tier.id] }).expect(200)).body.items as FieldDefinition[];
      expect(ordered.map((f) => f.key)).to.deep.equal(['client_since', 'budget', 'tier']);
      expect((await reader.get('/fields')).body.items.map((f: FieldDefinition) => f.key)).to.deep.equal(['client_since', 'budget', 'tier']);
      expect(fieldsOf(await admin.post('/fields/order', { ids: [since.id, 99999] }).expect(400))).to.deep.equal(['ids.1']);
      await admin.post('/fields/order', { ids: [since.id, since.id] }).expect(400);
      await admin.post('/fields/order', { ids: [] }).expect(400);
    });

    it('hides inactive fields unless asked, and deletes a field with its values', async () => {
      const budget = (await admin.get('/fields')).body.items.find((f: FieldDefinition) => f.key === 'budget') as FieldDefinition;
      await admin.patch(`/fields/${budget.id}`, { active: false }).expect(200);
      expect((await admin.get('/fields')).body.items.map((f: FieldDefinition) => f.key)).to.not.include('budget');
      expect((await admin.get('/fields', { include_inactive: true })).body.items.map((f: FieldDefinition) => f.key)).to.include('budget');
      await admin.get('/fields', { include_inactive: 'maybe' }).expect(400);

      await admin.delete(`/fields/${tier.id}`).expect(204);
      await admin.delete(`/fields/${tier.id}`).expect(404);
      expect((await admin.get('/fields', { include_inactive: true })).body.items.map((f: FieldDefinition) => f.key)).to.not.include('tier');
      const company = (await admin.get('/contacts', { q: 'gold' })).body.items[0];
      expect(company.custom).to.deep.equal({});
    });
  });

  describe('dictionaries', () => {
    it('adds coloured, ordered statuses with labels per language', async () => {
      expect((await admin.get('/dictionaries/status').expect(200)).body.items).to.deep.equal([]);
      const lead = (await admin.post('/dictionaries/status', { name: 'Lead', color: '#0d6efd', labels: { pl: 'Potencjalny', ru: 'Лид', uk: 'Лід' } }).expect(201)).body as DictionaryItem;
      expect(lead).to.deep.include({ dictionary: 'status', name: 'Lead', color: '#0d6efd', active: true, labels: { pl: 'Potencjalny', ru: 'Лид', uk: 'Лід' } });
      await admin.post('/dictionaries/status', { name: 'Client', color: '#198754' }).expect(201);
      await admin.post('/dictionaries/status', { name: 'Lost', color: null }).expect(201);
      expect((await reader.get('/dictionaries/status').expect(200)).body.items.map((i: DictionaryItem) => i.name)).to.deep.equal(['Lead', 'Client', 'Lost']);
    });

    it('keeps the four dictionaries apart and answers 404 for any other', async () => {
      for (const name of ['category', 'client_type', 'source']) {
        const item = (await admin.post(`/dictionaries/${name}`, { name: `First ${name}` }).expect(201)).body as DictionaryItem;
        expect(item.dictionary).to.equal(name);
        expect((await admin.get(`/dictionaries/${name}`)).body.items.map((i: DictionaryItem) => i.name)).to.deep.equal([`First ${name}`]);
      }
      await admin.get('/dictionaries/colour').expect(404);
      await admin.post('/dictionaries/colour', { name: 'Red' }).expect(404);
      const status = (await admin.get('/dictionaries/status')).body.items[0] as DictionaryItem;
      await admin.patch(`/dictionaries/category/${status.id}`, { name: 'Moved' }).expect(404);
      await admin.delete(`/dictionaries/source/${status.id}`).expect(404);
      await admin.patch('/dictionaries/status/abc', { name: 'X' }).expect(404);
    });

    it('refuses bad items with 400 and non-managers with 403', async () => {
      expect(fieldsOf(await admin.post('/dictionaries/status', { name: 'Blue', color: 'blue' }).expect(400))).to.deep.equal(['color']);
      expect(fieldsOf(await admin.post('/dictionaries/status', { name: '   ' }).expect(400))).to.deep.equal(['name']);
      expect(fieldsOf(await admin.post('/dictionaries/status', { color: '#ffffff' }).expect(400))).to.deep.equal(['name']);
      expect(fieldsOf(await admin.post('/dictionaries/status', { name: 'X'.repeat(191) }).expect(400))).to.deep.equal(['name']);
      expect(fieldsOf(await admin.post('/dictionaries/status', { name: 'X', dictionary: 'source' }).expect(400))).to.deep.equal(['dictionary']);
      await reader.post('/dictionaries/status', { name: 'Mine' }).expect(403);
      const status = (await admin.get('/dictionaries/status')).body.items[0] as DictionaryItem;
      await reader.patch(`/dictionaries/status/${status.id}`, { name: 'Mine' }).expect(403);
      await reader.delete(`/dictionaries/status/${status.id}`).expect(403);
      await reader.post('/dictionaries/status/order', { ids: [status.id] }).expect(403);
    });

    it('renames, recolours and reorders items', async () => {
      const [lead, client, lost] = (await admin.get('/dictionaries/status')).body.items as DictionaryItem[];
      const renamed = (await admin.patch(`/dictionaries/status/${lead!.id}`, { name: 'Prospect', color: '#6f42c1' }).expect(200)).body;
      expect(renamed).to.include({ id: lead!.id, name: 'Prospect', color: '#6f42c1' });
      const ordered = (await admin.post('/dictionaries/status/order', { ids: [lost!.id, client!.id, lead!.id] }).expect(200)).body.items as DictionaryItem[];
      expect(ordered.map((i) => i.name)).to.deep.equal(['Lost', 'Client', 'Prospect']);
      const category = (await admin.get('/dictionaries/category')).body.items[0] as DictionaryItem;
      expect(fieldsOf(await admin.post('/dictionaries/status/order', { ids: [lost!.id, category.id] }).expect(400))).to.deep.equal(['ids']);
    });

    it('deletes an unused item, and deactivates one that contacts still use', async () => {
      const [lost, client] = (await admin.get('/dictionaries/status')).body.items as DictionaryItem[];
      await admin.post('/contacts', { kind: 'person', last_name: 'Klient', status_id: client!.id }).expect(201);
      expect((await admin.delete(`/dictionaries/status/${lost!.id}`).expect(200)).body).to.deep.equal({ result: 'deleted' });
      expect((await admin.delete(`/dictionaries/status/${client!.id}`).expect(200)).body).to.deep.equal({ result: 'deactivated' });
      expect((await admin.get('/dictionaries/status')).body.items.map((i: DictionaryItem) => i.name)).to.deep.equal(['Prospect']);
      const all = (await admin.get('/dictionaries/status', { include_inactive: true })).body.items as DictionaryItem[];
      expect(all.map((i) => [i.name, i.active])).to.deep.equal([['Client', false], ['Prospect', true]]);
      await admin.delete(`/dictionaries/status/${lost!.id}`).expect(404);
    });
  });
});
