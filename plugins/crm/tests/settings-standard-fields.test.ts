import { expect } from 'chai';
import type TestAgent from 'supertest/lib/agent.js';
import { TOKENS, type SettingsStore } from '../../../host/api.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import { HIDEABLE_FIELD_IDS, hiddenStandardFields } from '../services/standard-fields.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const alerts = (html: string) => [...html.matchAll(/<div class="alert alert-(\w+)[^"]*" role="alert">([^<]*)/g)].map((m) => `${m[1]}: ${m[2]!.trim()}`);
/** The ids of the switches that are on. */
const hiddenOnPage = (html: string) => [...html.matchAll(/<input class="form-check-input" type="checkbox" role="switch" id="hide-\w+" name="hidden" value="(\w+)" checked/g)].map((m) => m[1]);

describe('Settings: standard fields', () => {
  let host: CrmTestHost;
  let agent: TestAgent;
  let csrf: string;
  let settings: SettingsStore;

  before(async () => {
    host = await createCrmTestHost();
    agent = await host.login();
    csrf = await csrfOf(agent, '/crm/settings/standard-fields');
    settings = host.services.get<SettingsStore>(TOKENS.Settings);
  });
  after(() => host.dispose());

  it('lists every hideable standard field with a switch, and the fields that are always shown', async () => {
    const page = await agent.get('/crm/settings/standard-fields').expect(200);
    const switches = [...page.text.matchAll(/name="hidden" value="(\w+)"/g)].map((m) => m[1]);
    expect(switches).to.deep.equal([...HIDEABLE_FIELD_IDS]);
    for (const id of ['middle_name', 'job_title', 'birthday', 'messengers', 'websites', 'domains', 'addresses', 'tax_ids', 'source_id', 'client_type_id', 'category_id', 'comment', 'buyer_id']) {
      expect(switches).to.include(id);
    }
    expect(page.text).to.contain('Middle name').and.contain('Tax identifiers (NIP, REGON, PESEL, INN, EDRPOU, VAT EU)');
    const always = /data-testid="always-shown">([\s\S]*?)<\/ul>/.exec(page.text)![1]!;
    expect(always).to.contain('Emails').and.contain('Phones').and.contain('Name or company name');
    expect(always).not.to.contain('name="hidden"');
    // Only hiding is offered: no way to rename or delete a standard field.
    expect(page.text).not.to.match(/name="(label|labels\[\w+\]|name)"/);
    expect(page.text).not.to.contain('/delete"');
    expect(hiddenOnPage(page.text)).to.deep.equal([]);
  });

  it('hides the chosen fields and remembers them in the CRM settings', async () => {
    await agent.post('/crm/settings/standard-fields').type('form').send({ _csrf: csrf, hidden: ['tax_ids', 'middle_name', 'buyer_id'] }).expect(302);
    expect(await settings.get('plugin:crm', 'hidden_fields')).to.deep.equal(['middle_name', 'tax_ids', 'buyer_id']);
    expect([...(await hiddenStandardFields(settings))].sort()).to.deep.equal(['buyer_id', 'middle_name', 'tax_ids']);
    const page = await agent.get('/crm/settings/standard-fields');
    expect(alerts(page.text)).to.deep.equal(['success: Saved: 3 fields are hidden.']);
    expect(hiddenOnPage(page.text)).to.deep.equal(['middle_name', 'tax_ids', 'buyer_id']);
    expect(page.text).to.contain('3 fields hidden');
  });

  it('hides a single field posted as a plain value, and shows everything again when none is posted', async () => {
    await agent.post('/crm/settings/standard-fields').type('form').send({ _csrf: csrf, hidden: 'comment' }).expect(302);
    expect(await settings.get('plugin:crm', 'hidden_fields')).to.deep.equal(['comment']);
    await agent.post('/crm/settings/standard-fields').type('form').send({ _csrf: csrf }).expect(302);
    expect(await settings.get('plugin:crm', 'hidden_fields')).to.deep.equal([]);
    expect((await hiddenStandardFields(settings)).size).to.equal(0);
  });

  it('refuses to hide a field that must always be shown, and saves nothing', async () => {
    await agent.post('/crm/settings/standard-fields').type('form').send({ _csrf: csrf, hidden: ['job_title'] }).expect(302);
    const res = await agent.post('/crm/settings/standard-fields').type('form').send({ _csrf: csrf, hidden: ['emails', 'birthday'] }).expect(400);
    expect(res.text).to.contain('These fields cannot be hidden: emails.');
    expect(hiddenOnPage(res.text)).to.deep.equal(['birthday']);
    expect(await settings.get('plugin:crm', 'hidden_fields')).to.deep.equal(['job_title']);
  });

  it('reads a damaged setting as safely as it can', async () => {
    await settings.set('plugin:crm', 'hidden_fields', ['comment', 'emails', 42, null]);
    expect([...(await hiddenStandardFields(settings))]).to.deep.equal(['comment']);
    await settings.set('plugin:crm', 'hidden_fields', 'comment');
    expect((await hiddenStandardFields(settings)).size).to.equal(0);
  });
});
