import { expect } from 'chai';
import type TestAgent from 'supertest/lib/agent.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

/** The text of the flash messages on a page. */
const alerts = (html: string) => [...html.matchAll(/<div class="alert alert-(\w+)[^"]*" role="alert">([^<]*)/g)].map((m) => `${m[1]}: ${m[2]!.trim()}`);
/** The tag of the form control with this name attribute. */
const control = (html: string, name: string) => new RegExp(`<(input|select|textarea)[^>]*name="${name.replace(/[[\]]/g, '\\$&')}"[^>]*>`).exec(html)?.[0] ?? '';

describe('Settings: custom fields', () => {
  let host: CrmTestHost;
  let agent: TestAgent;
  let csrf: string;

  before(async () => {
    host = await createCrmTestHost();
    agent = await host.login();
    csrf = await csrfOf(agent, '/crm/settings/fields');
  });
  after(() => host.dispose());

  const post = (url: string, form: Record<string, unknown>) => agent.post(url).type('form').send({ _csrf: csrf, ...form });

  it('lives under Administration, with a sub-navigation over every CRM settings page', async () => {
    const res = await agent.get('/crm/settings').expect(302);
    expect(res.headers.location).to.equal('/crm/settings/fields');
    const page = await agent.get('/crm/settings/fields').expect(200);
    expect(page.text).to.match(/class="list-group-item list-group-item-action active" href="\/crm\/settings\/fields"><i class="bi bi-ui-checks me-2"><\/i>Contact settings<\/a>/);
    const nav = /data-testid="settings-nav">([\s\S]*?)<\/ul>/.exec(page.text)![1]!;
    for (const href of ['fields', 'statuses', 'categories', 'client-types', 'sources', 'standard-fields']) expect(nav).to.contain(`href="/crm/settings/${href}"`);
    expect(nav).to.match(/class="nav-link active" href="\/crm\/settings\/fields"/);
    expect(page.text).to.contain('data-testid="fields-empty"');
    expect(page.text).to.contain('src="/assets/vendor/sortablejs/Sortable.min.js"').and.contain('src="/assets/p/crm/settings.js"');
  });

  it('creates a select field with a label per language and one option per line', async () => {
    const res = await post('/crm/settings/fields', {
      key: 'tariff',
      type: 'select',
      'labels[en]': 'Tariff',
      'labels[pl]': 'Taryfa',
      'labels[ru]': 'Тариф',
      'labels[uk]': '',
      options: ' Bronze \r\nSilver\r\n\r\nGold\r\nSilver',
      required: 'on',
      in_list: 'on',
      active: 'on',
    }).expect(302);
    expect(res.headers.location).to.equal('/crm/settings/fields');
    const field = (await host.fields.byKey('tariff'))!;
    expect(field).to.include({ type: 'select', required: true, in_list: true, active: true });
    expect(field.labels).to.deep.equal({ en: 'Tariff', pl: 'Taryfa', ru: 'Тариф' });
    expect(field.options).to.deep.equal(['Bronze', 'Silver', 'Gold']);

    const list = await agent.get('/crm/settings/fields').expect(200);
    expect(alerts(list.text)).to.deep.equal(['success: Field “Tariff” created.']);
    expect(list.text).to.match(/<tr data-id="\d+" data-key="tariff" data-testid="field-row">/);
    expect(list.text).to.contain('Bronze, Silver, Gold');
  });

  it('shows the label in the administrator\'s language', async () => {
    const user = await host.userWithRights(['crm.settings.manage']);
    const pl = await host.login(user.email, user.password);
    await pl.post('/account/language').type('form').send({ _csrf: await csrfOf(pl, '/'), language: 'pl', next: '/' });
    const page = await pl.get('/crm/settings/fields').expect(200);
    expect(page.text).to.contain('>Taryfa</a>').and.contain('Lista wyboru (jedna opcja)').and.contain('Pola własne');
  });

  it('shows each error beside its field and keeps what was typed', async () => {
    const res = await post('/crm/settings/fields', { key: 'Bad Key', type: 'text', 'labels[en]': ' ', 'labels[pl]': 'Numer umowy', required: 'on' }).expect(400);
    expect(res.text).to.contain('data-testid="form-errors"');
    expect(control(res.text, 'key')).to.contain('is-invalid').and.contain('value="Bad Key"');
    expect(res.text).to.contain('Use lower-case Latin letters, digits and underscores, starting with a letter.');
    expect(control(res.text, 'labels[en]')).to.contain('is-invalid');
    expect(res.text).to.contain('This field is required.');
    expect(control(res.text, 'labels[pl]')).to.contain('value="Numer umowy"').and.not.contain('is-invalid');
    expect(control(res.text, 'required')).to.contain('checked');
    expect(control(res.text, 'active')).not.to.contain('checked');
    expect(await host.fields.byKey('bad key')).to.equal(null);
  });

  it('asks for options when the type is a select, and limits their length', async () => {
    const empty = await post('/crm/settings/fields', { key: 'colours', type: 'multi_select', 'labels[en]': 'Colours', options: '\n \n' }).expect(400);
    expect(control(empty.text, 'options')).to.contain('is-invalid');
    expect(empty.text).to.contain('Add at least one option.');
    expect(empty.text).to.match(/<div class="col-12" data-options-group>/);

    const long = await post('/crm/settings/fields', { key: 'colours', type: 'multi_select', 'labels[en]': 'Colours', options: `red\n${'x'.repeat(191)}` }).expect(400);
    expect(long.text).to.contain('Each option must be at most 190 characters long.');

    const many = Array.from({ length: 400 }, (_, i) => `${i} ${'ж'.repeat(180)}`).join('\n');
    const tooMany = await post('/crm/settings/fields', { key: 'colours', type: 'multi_select', 'labels[en]': 'Colours', options: many }).expect(400);
    expect(tooMany.text).to.contain('The list of options is too long.');
    expect(await host.fields.byKey('colours')).to.equal(null);
  });

  it('refuses an unknown type and a key already taken', async () => {
    const type = await post('/crm/settings/fields', { key: 'weird', type: 'blob', 'labels[en]': 'Weird' }).expect(400);
    expect(control(type.text, 'type')).to.contain('is-invalid');
    const taken = await post('/crm/settings/fields', { key: 'tariff', type: 'text', 'labels[en]': 'Another tariff' }).expect(409);
    expect(control(taken.text, 'key')).to.contain('is-invalid');
    expect(taken.text).to.contain('A field with this key already exists.');
    expect(control(taken.text, 'labels[en]')).to.contain('value="Another tariff"');
  });

  it('rejects oversized input with a message, never a server error', async () => {
    const res = await post('/crm/settings/fields', { key: 'big', type: 'text', 'labels[en]': 'x'.repeat(5000) }).expect(400);
    expect(control(res.text, 'labels[en]')).to.contain('is-invalid');
    expect(res.text).to.contain('Must be at most 190 characters long.');
  });

  it('edits labels, flags and options but never the key or the type', async () => {
    const field = (await host.fields.byKey('tariff'))!;
    const form = await agent.get(`/crm/settings/fields/${field.id}`).expect(200);
    expect(control(form.text, 'key')).to.equal('');
    expect(control(form.text, 'type')).to.equal('');
    expect(form.text).to.contain('The key cannot change').and.contain('The type cannot change');
    expect(control(form.text, 'labels[pl]')).to.contain('value="Taryfa"');

    await post(`/crm/settings/fields/${field.id}`, { key: 'hacked', type: 'number', 'labels[en]': 'Plan', 'labels[uk]': 'Тариф', options: 'Bronze\nSilver\nGold\nPlatinum', active: 'on' }).expect(302);
    const saved = (await host.fields.byKey('tariff'))!;
    expect(saved).to.include({ id: field.id, type: 'select', required: false, in_list: false, active: true });
    expect(saved.labels).to.deep.equal({ en: 'Plan', uk: 'Тариф' });
    expect(saved.options).to.deep.equal(['Bronze', 'Silver', 'Gold', 'Platinum']);
    expect(await host.fields.byKey('hacked')).to.equal(null);

    const bad = await post(`/crm/settings/fields/${field.id}`, { 'labels[en]': '', options: 'Gold' }).expect(400);
    expect(control(bad.text, 'labels[en]')).to.contain('is-invalid');
    expect(bad.text).to.contain('>Gold</textarea>');
  });

  it('reorders fields from the dragged order', async () => {
    await host.fields.create({ key: 'contract_no', type: 'text', labels: { en: 'Contract number' } });
    await host.fields.create({ key: 'signed_on', type: 'date', labels: { en: 'Signed on' } });
    const ids = (await host.fields.all(true)).map((f) => f.id);
    const reversed = [...ids].reverse();
    const res = await agent.post('/crm/settings/fields/order').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ ids: reversed }).expect(200);
    expect(res.body).to.deep.equal({ ok: true });
    expect((await host.fields.all(true)).map((f) => f.id)).to.deep.equal(reversed);
    const page = await agent.get('/crm/settings/fields');
    expect([...page.text.matchAll(/data-key="(\w+)" data-testid="field-row"/g)].map((m) => m[1])).to.deep.equal(['signed_on', 'contract_no', 'tariff']);
  });

  it('refuses an order with unknown ids or without the CSRF token', async () => {
    const bad = await agent.post('/crm/settings/fields/order').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ ids: [999999] }).expect(400);
    expect(bad.body.error.details[0].field).to.equal('ids');
    const notInts = await agent.post('/crm/settings/fields/order').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ ids: ['x'] }).expect(400);
    expect(notInts.body.error.code).to.equal('invalid_input');
    await agent.post('/crm/settings/fields/order').set('Accept', 'application/json').send({ ids: [1] }).expect(403);
  });

  it('deletes a field with its values, after a confirmation that says so', async () => {
    const field = (await host.fields.byKey('contract_no'))!;
    const contact = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Ewa', custom: { contract_no: 'C-17', tariff: 'Gold' } });
    expect(contact.custom.contract_no).to.equal('C-17');
    const form = await agent.get(`/crm/settings/fields/${field.id}`);
    expect(form.text).to.contain('data-confirm="Delete the field “Contract number”? Its values are deleted from every contact too. This cannot be undone."');

    await post(`/crm/settings/fields/${field.id}/delete`, {}).expect(302);
    expect(await host.fields.byKey('contract_no')).to.equal(null);
    expect((await host.contacts.get(host.admin, contact.id)).custom).not.to.have.property('contract_no');
    expect(alerts((await agent.get('/crm/settings/fields')).text)).to.deep.equal(['success: Field “Contract number” and all its values deleted.']);
  });

  it('answers 404 for a field that does not exist', async () => {
    await agent.get('/crm/settings/fields/999999').expect(404);
    await agent.get('/crm/settings/fields/abc').expect(404);
    await post('/crm/settings/fields/999999', { 'labels[en]': 'X' }).expect(404);
    await post('/crm/settings/fields/999999/delete', {}).expect(404);
  });

  it('escapes what administrators type', async () => {
    await post('/crm/settings/fields', { key: 'xss', type: 'select', 'labels[en]': '<script>alert(1)</script>', options: '<b>bold</b>' }).expect(302);
    const list = await agent.get('/crm/settings/fields');
    expect(list.text).not.to.contain('<script>alert(1)</script>').and.not.to.contain('<b>bold</b>');
    expect(list.text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const field = (await host.fields.byKey('xss'))!;
    const form = await agent.get(`/crm/settings/fields/${field.id}`);
    expect(form.text).not.to.contain('<script>alert(1)</script>');
    expect(form.text).to.contain('&lt;b&gt;bold&lt;/b&gt;</textarea>');
  });
});
