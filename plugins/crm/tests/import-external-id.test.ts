/** A contact's id in another program (`external_id`): set by imports, and a field like any other everywhere else. */
import { expect } from 'chai';
import request from 'supertest';
import { ADMIN } from '../../../tests/support/test-host.js';
import { importKit, type ImportKit } from './import-engine-kit.js';

describe('Contacts: the external id', function () {
  this.timeout(120_000);
  let kit: ImportKit;
  let token: string;
  const api = (method: 'get' | 'post' | 'patch', url: string) => request(kit.host.app!)[method](`/api/v1${url}`).set('Authorization', `Bearer ${token}`);

  before(async () => {
    kit = await importKit();
    token = (await request(kit.host.app!).post('/api/v1/auth/token').send(ADMIN).expect(201)).body.token as string;
  });
  after(() => kit.dispose());

  it('is read, created and changed through the API, and refused when too long', async () => {
    const created = (await api('post', '/contacts').send({ kind: 'person', first_name: 'Ola', last_name: 'Nowak', external_id: ' ERP-17 ' }).expect(201)).body;
    expect(created.external_id).to.equal('ERP-17');
    expect((await api('get', `/contacts/${created.id}`).expect(200)).body.external_id).to.equal('ERP-17');
    const changed = (await api('patch', `/contacts/${created.id}`).send({ version: created.version, external_id: 'ERP-18' }).expect(200)).body;
    expect(changed.external_id).to.equal('ERP-18');
    const bad = await api('patch', `/contacts/${created.id}`).send({ version: changed.version, external_id: 'x'.repeat(191) }).expect(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).to.include('external_id');
  });

  it('comes from an imported column, updates a duplicate found by it, and shows on the card and in exports', async () => {
    const header = ['Name', 'Surname', 'ID'];
    const first = await kit.run(kit.csv([header, ['Jan', 'Kowalski', 'CRM-1']]), ['first_name', 'last_name', 'external_id'], { dedupe_keys: ['external_id'], on_duplicate: 'skip' });
    expect(first).to.deep.include({ created: 1 });
    const again = await kit.run(kit.csv([header, ['Janusz', 'Kowalski', 'CRM-1']]), ['first_name', 'last_name', 'external_id'], { dedupe_keys: ['external_id'], on_duplicate: 'update' });
    expect(again).to.deep.include({ created: 0, updated: 1 });
    const [contact] = (await kit.host.query.list(kit.host.admin, { q: 'Kowalski' })).items;
    expect(contact).to.deep.include({ first_name: 'Janusz', external_id: 'CRM-1' });

    const agent = await kit.host.login();
    const info = await agent.get(`/crm/contacts/${contact!.id}/tabs/crm/info`).expect(200);
    expect(info.text).to.contain('External ID');
    expect(info.text).to.contain('CRM-1');
    const csv = await agent.get(`/api/v1/contacts/export?format=csv&columns=name,external_id&q=Kowalski`).expect(200);
    expect(csv.text.replace(/^\ufeff/, '').split('\r\n').filter(Boolean)).to.deep.equal(['Name,External ID', 'Janusz Kowalski,CRM-1']);
  });
});
