import { expect } from 'chai';
import { TOKENS, type SettingsStore } from '../../../host/api.js';
import { setHiddenStandardFields } from '../services/standard-fields.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

describe('Hidden standard fields', () => {
  let host: CrmTestHost;

  before(async () => {
    host = await createCrmTestHost();
  });
  after(() => host.dispose());

  it('leave the card and the list column chooser, and come back when shown again', async () => {
    const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Marta', last_name: 'Wiśniewska', job_title: 'Buyer' });
    const agent = await host.login();
    const info = () => agent.get(`/crm/contacts/${c.id}/tabs/crm/info`).expect(200);
    const list = () => agent.get('/crm/contacts').expect(200);
    expect((await info()).text).to.contain('/fields/job_title/edit');
    expect((await list()).text).to.contain('data-col="job_title"');

    await setHiddenStandardFields(host.services.get<SettingsStore>(TOKENS.Settings), ['job_title']);
    expect((await info()).text).not.to.contain('/fields/job_title/edit');
    expect((await list()).text).not.to.contain('data-col="job_title"');

    await setHiddenStandardFields(host.services.get<SettingsStore>(TOKENS.Settings), []);
    expect((await info()).text).to.contain('/fields/job_title/edit');
  });
});
