import { expect } from 'chai';
import type TestAgent from 'supertest/lib/agent.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import type { DictionaryItem } from '../api.js';
import { fieldValue, form, hx, textOf, versionIn } from './card-kit.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

describe('Client card pages: adding contacts, the card, editing in place, the trash', () => {
  let host: CrmTestHost;
  let agent: TestAgent;
  let csrf: string;
  let lead: DictionaryItem;
  let won: DictionaryItem;

  before(async () => {
    host = await createCrmTestHost();
    lead = await host.dictionaries.create('status', { name: 'Lead', color: '#0d6efd', labels: { pl: 'Potencjalny' } });
    won = await host.dictionaries.create('status', { name: 'Won', color: '#198754' });
    agent = await host.login();
    csrf = await csrfOf(agent, '/crm/contacts/new');
  });
  after(() => host.dispose());

  const post = (url: string, fields: Record<string, string | number> | Array<[string, string | number]>) =>
    agent.post(url).type('form').send(form([['_csrf', csrf], ...(Array.isArray(fields) ? fields : Object.entries(fields))]));
  const count = async () => (await host.query.count(host.admin, {})).total;

  describe('adding a contact', () => {
    it('offers a person form with the first status and the signed-in user already chosen', async () => {
      const res = await agent.get('/crm/contacts/new').expect(200);
      expect(res.text).to.contain('name="first_name"').and.contain('name="company_label"');
      expect(res.text).to.match(new RegExp(`<option value="${lead.id}" selected>Lead</option>`));
      expect(res.text).to.match(/<option value="1" selected>Administrator<\/option>/);
      expect(res.text).to.contain('data-testid="save-open"').and.contain('data-testid="save-another"');
      const company = await agent.get('/crm/contacts/new?kind=company').expect(200);
      expect(company.text).to.contain('name="company_name"').and.not.contain('name="first_name"');
      await agent.get('/crm/contacts/new?kind=robot').expect(400);
    });

    it('presets the status given in the link (the kanban column\'s "+")', async () => {
      const res = await agent.get(`/crm/contacts/new?kind=person&status_id=${won.id}`).expect(200);
      expect(res.text).to.match(new RegExp(`<option value="${won.id}" selected>Won</option>`));
    });

    it('keeps every value and shows a translated error beside each wrong field, saving nothing', async () => {
      const before = await count();
      const res = await post('/crm/contacts', [
        ['kind', 'person'],
        ['first_name', 'Jan'],
        ['last_name', 'Kowalski'],
        ['job_title', 'Buyer'],
        ['emails[0][value]', 'jan@example.com'],
        ['emails[1][value]', 'not-an-email'],
        ['phones[0][value]', '12'],
        ['tax_ids[0][type]', 'nip'],
        ['tax_ids[0][value]', '1234567890'],
        ['_next', 'open'],
      ]).expect(400);
      expect(res.text).to.contain('value="Jan"').and.contain('value="Kowalski"').and.contain('value="Buyer"');
      expect(res.text).to.contain('value="jan@example.com"').and.contain('value="not-an-email"').and.contain('value="12"');
      expect(textOf(res.text, 'error-email')).to.equal('This is not a valid email address.');
      expect(res.text.indexOf('value="not-an-email"')).to.be.below(res.text.indexOf('data-testid="error-email"'));
      expect(textOf(res.text, 'error-phone')).to.equal('This is not a valid phone number.');
      expect(textOf(res.text, 'error-tax_id')).to.equal('This NIP has a wrong check digit.');
      expect(await count()).to.equal(before);

      const pl = await agent.post('/crm/contacts').set('Accept-Language', 'pl').type('form').send(form({ _csrf: csrf, kind: 'person', first_name: 'Jan', 'emails[0][value]': 'zły' })).expect(400);
      expect(textOf(pl.text, 'error-email')).to.equal('To nie jest poprawny adres e-mail.');
    });

    it('asks for a name, and refuses an overlong name with a 400 rather than a 500', async () => {
      const empty = await post('/crm/contacts', { kind: 'company', company_name: '  ' }).expect(400);
      expect(textOf(empty.text, 'error-company_name')).to.equal('Enter a name.');
      const huge = await post('/crm/contacts', { kind: 'person', first_name: 'x'.repeat(200_000) }).expect(400);
      expect(huge.text).to.contain('data-testid="error-first_name"');
    });

    it('refuses a company typed into the picker but never chosen from the list', async () => {
      const res = await post('/crm/contacts', { kind: 'person', first_name: 'Ola', company_label: 'Nowhere Ltd', company_id: '' }).expect(400);
      expect(textOf(res.text, 'error-company_id')).to.equal('Choose the company from the list.');
      expect(res.text).to.contain('value="Nowhere Ltd"');
    });

    it('"save and open" creates the contact and opens its card', async () => {
      const res = await post('/crm/contacts', [
        ['kind', 'company'],
        ['company_name', 'Zielona Łąka'],
        ['tax_ids[0][type]', 'nip'],
        ['tax_ids[0][value]', '734-286-71-48'],
        ['status_id', String(won.id)],
        ['_next', 'open'],
      ]).expect(303);
      const id = Number(/\/crm\/contacts\/(\d+)$/.exec(res.headers.location!)![1]);
      const saved = await host.contacts.get(host.admin, id);
      expect([saved.name, saved.tax_ids, saved.status_id]).to.deep.equal(['Zielona Łąka', [{ type: 'nip', value: '7342867148' }], won.id]);
    });

    it('"save and add another" returns to an empty form that names the saved contact', async () => {
      const res = await post('/crm/contacts', { kind: 'person', first_name: 'Piotr', last_name: 'Nowak', 'emails[0][value]': 'piotr@example.com', _next: 'another' }).expect(303);
      expect(res.headers.location).to.match(/^\/crm\/contacts\/new\?kind=person&created=\d+$/);
      const next = await agent.get(res.headers.location!).expect(200);
      expect(textOf(next.text, 'created-alert')).to.contain('“Piotr Nowak” is saved.');
      expect(next.text).to.match(/href="\/crm\/contacts\/\d+" class="alert-link"/);
      expect(next.text).not.to.contain('value="Piotr"');
    });

    it('"add an employee" comes with the company filled in and keeps it for the next one', async () => {
      const company = await host.contacts.create(host.admin, { kind: 'company', company_name: 'Romashka' });
      const page = await agent.get(`/crm/contacts/new?kind=person&company_id=${company.id}`).expect(200);
      expect(page.text).to.contain(`name="company_id" value="${company.id}"`).and.contain('value="Romashka"');
      const res = await post('/crm/contacts', {
        kind: 'person',
        first_name: 'Ivan',
        company_id: company.id,
        company_label: 'Romashka',
        prefill_company: company.id,
        _next: 'another',
      }).expect(303);
      expect(res.headers.location).to.contain(`company_id=${company.id}`);
      const employees = await host.query.list(host.admin, { company_id: company.id });
      expect(employees.items.map((c) => c.name)).to.deep.equal(['Ivan']);
    });

    it('is only for users who may add contacts', async () => {
      const reader = await host.userWithRights(['crm.access']);
      const readerAgent = await host.login(reader.email, reader.password);
      await readerAgent.get('/crm/contacts/new').expect(403);
    });
  });

  describe('the card', () => {
    it('shows the header: name, initials, kind, status in its colour, responsible, mailto and tel links, company link', async () => {
      const company = await host.contacts.create(host.admin, { kind: 'company', company_name: 'ACME Polska' });
      const c = await host.contacts.create(host.admin, {
        kind: 'person',
        first_name: 'Łucja',
        last_name: 'Żak',
        job_title: 'CFO',
        company_id: company.id,
        status_id: lead.id,
        responsible_id: host.admin.id,
        emails: [{ value: 'second@example.com' }, { value: 'Lucja@Example.com', primary: true }],
        phones: [{ value: '600 123 456' }],
      });
      const res = await agent.get(`/crm/contacts/${c.id}`).expect(200);
      expect(textOf(res.text, 'card-name')).to.equal('Łucja Żak');
      expect(res.text).to.contain('>ŁŻ</div>');
      expect(res.text).to.contain('href="mailto:lucja@example.com"');
      expect(res.text).to.contain('href="tel:+48600123456"');
      expect(res.text).to.contain('style="background-color: #0d6efd; color: #ffffff" data-bs-toggle="dropdown"');
      expect(textOf(res.text, 'status-toggle')).to.equal('Lead');
      expect(res.text).to.contain(`href="/crm/contacts/${company.id}" class="link-body-emphasis" data-testid="header-company"`);
      expect(textOf(res.text, 'header-responsible')).to.equal('Administrator');
      // Tabs with counts; bodies come later from their own URLs.
      expect(res.text).to.contain(`data-tab-src="/crm/contacts/${c.id}/tabs/crm/info"`);
      expect(res.text).to.contain(`data-tab-src="/crm/contacts/${c.id}/tabs/crm/notes"`);
      expect(textOf(res.text, 'tab-count-crm.history')).to.equal('1');
      expect(res.text).not.to.contain('tabs/crm/employees'); // persons have no employees tab
      // Translated status label for Polish users.
      const pl = await agent.get(`/crm/contacts/${c.id}`).set('Accept-Language', 'pl').expect(200);
      expect(textOf(pl.text, 'status-toggle')).to.equal('Potencjalny');
    });

    it('answers 404 for an unknown contact and for a malformed id', async () => {
      await agent.get('/crm/contacts/999999').expect(404);
      await agent.get('/crm/contacts/999999/tabs/crm/info').expect(404);
      await agent.get('/crm/contacts/1abc').expect(404);
    });

    it('shows every field in the Info tab, grouped, with a pencil each for editors only', async () => {
      await host.fields.create({ key: 'budget', type: 'money', labels: { en: 'Budget' } });
      const c = await host.contacts.create(host.admin, {
        kind: 'company',
        company_name: 'Fields Inc',
        domains: ['fields.example'],
        addresses: [{ city: 'Kraków', street: 'Rynek 1', zip: '31-001', label: 'HQ' }],
        messengers: [{ type: 'telegram', value: '@fieldsinc' }],
        custom: { budget: 1234.5 },
      });
      const info = await agent.get(`/crm/contacts/${c.id}/tabs/crm/info`).expect(200);
      for (const field of ['company_name', 'buyer_id', 'tax_ids', 'emails', 'phones', 'messengers', 'websites', 'domains', 'addresses', 'status_id', 'category_id', 'client_type_id', 'source_id', 'responsible_id', 'is_staff', 'comment', 'custom.budget']) {
        expect(info.text, field).to.contain(`data-testid="field-${field}"`).and.contain(`data-testid="edit-${field}"`);
      }
      expect(info.text).not.to.contain('data-testid="field-first_name"');
      expect(fieldValue(info.text, 'addresses')).to.equal('Rynek 1, 31-001 Kraków HQ');
      expect(info.text).to.contain('href="https://t.me/fieldsinc"');
      expect(fieldValue(info.text, 'custom.budget')).to.equal('1,234.50');

      const reader = await host.userWithRights(['crm.access']);
      const readerAgent = await host.login(reader.email, reader.password);
      const readOnly = await readerAgent.get(`/crm/contacts/${c.id}/tabs/crm/info`).expect(200);
      expect(readOnly.text).to.contain('data-testid="field-company_name"').and.not.contain('data-testid="edit-');
      const card = await readerAgent.get(`/crm/contacts/${c.id}`).expect(200);
      expect(card.text).not.to.contain('data-testid="status-toggle"').and.not.contain('data-testid="delete"');
      await readerAgent.get(`/crm/contacts/${c.id}/fields/company_name/edit`).expect(403);
    });
  });

  describe('editing in place', () => {
    it('lets only administrators link a person to a user account', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Account' });
      const editor = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
      const editorAgent = await host.login(editor.email, editor.password);
      const theirs = await editorAgent.get(`/crm/contacts/${c.id}/tabs/crm/info`).expect(200);
      expect(theirs.text).to.contain('data-testid="edit-job_title"').and.contain('data-testid="field-user_id"').and.not.contain('data-testid="edit-user_id"');
      await editorAgent.get(`/crm/contacts/${c.id}/fields/user_id/edit`).expect(403);
      await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/user_id`, form({ version: 1, value: editor.id })).expect(200);
      expect((await host.contacts.get(host.admin, c.id)).user_id).to.equal(editor.id);
    });

    it('opens an editor carrying the version, saves through the service, and answers the field as shown', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Anna', last_name: 'Nowak' });
      const editor = await hx(agent, csrf).get(`/crm/contacts/${c.id}/fields/job_title/edit`).expect(200);
      expect(editor.text).to.contain('data-testid="form-job_title"');
      expect(versionIn(editor.text)).to.equal(1);
      const saved = await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/job_title`, form({ version: 1, value: 'Director' })).expect(200);
      expect(fieldValue(saved.text, 'job_title')).to.equal('Director');
      expect(JSON.parse(saved.headers['hx-trigger-after-settle']!)).to.deep.equal({ 'crm:changed': { version: 2, from: 1, field: 'job_title' } });
      expect((await host.contacts.get(host.admin, c.id)).job_title).to.equal('Director');
      const cancel = await hx(agent, csrf).get(`/crm/contacts/${c.id}/fields/job_title`).expect(200);
      expect(cancel.text).to.contain('data-testid="edit-job_title"');
    });

    it('returns the editor with the value kept and a translated error beside the row (400), saving nothing', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Ewa', emails: [{ value: 'ewa@example.com' }] });
      const res = await hx(agent, csrf)
        .post(`/crm/contacts/${c.id}/fields/emails`, form([['version', '1'], ['items[0][value]', 'ewa@example.com'], ['items[1][value]', 'ewa@@bad'], ['primary', '0']]))
        .expect(400);
      expect(res.headers['x-crm-fragment']).to.equal('1');
      expect(res.text).to.contain('value="ewa@@bad"');
      expect(textOf(res.text, 'field-error')).to.equal('This is not a valid email address.');
      const row = res.text.slice(res.text.indexOf('value="ewa@@bad"'));
      expect(row.indexOf('data-testid="field-error"')).to.be.above(-1);
      expect((await host.contacts.get(host.admin, c.id)).version).to.equal(1);

      const huge = await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/first_name`, form({ version: 1, value: 'y'.repeat(500) })).expect(400);
      expect(textOf(huge.text, 'field-error')).to.match(/190/);
    });

    it('saves lists with their main item, and custom fields by type', async () => {
      await host.fields.create({ key: 'employees', type: 'number', labels: { en: 'Headcount' } });
      const c = await host.contacts.create(host.admin, { kind: 'company', company_name: 'Lists Ltd' });
      await hx(agent, csrf)
        .post(`/crm/contacts/${c.id}/fields/phones`, form([['version', '1'], ['items[0][value]', '600 111 222'], ['items[0][label]', 'office'], ['items[1][value]', '+48 600 333 444'], ['primary', '1']]))
        .expect(200);
      const phones = (await host.contacts.get(host.admin, c.id)).phones;
      expect(phones.map((p) => [p.label, p.primary])).to.deep.equal([['office', false], [null, true]]);
      const bad = await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/custom.employees`, form({ version: 2, value: 'many' })).expect(400);
      expect(textOf(bad.text, 'field-error')).to.equal('Enter a number.');
      await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/custom.employees`, form({ version: 2, value: '42' })).expect(200);
      expect((await host.contacts.get(host.admin, c.id)).custom.employees).to.equal(42);
      await hx(agent, csrf).get(`/crm/contacts/${c.id}/fields/custom.nope/edit`).expect(404);
      await hx(agent, csrf).get(`/crm/contacts/${c.id}/fields/first_name/edit`).expect(404); // not a field of companies
    });

    it('links a person to a company in place, and the company lists the person', async () => {
      const company = await host.contacts.create(host.admin, { kind: 'company', company_name: 'Employer SA' });
      const person = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Worker' });
      const res = await hx(agent, csrf).post(`/crm/contacts/${person.id}/fields/company_id`, form({ version: 1, value: company.id, label: 'Employer SA' })).expect(200);
      expect(res.text).to.contain(`href="/crm/contacts/${company.id}"`);
      const tab = await agent.get(`/crm/contacts/${company.id}/tabs/crm/employees`).expect(200);
      expect(textOf(tab.text, 'employee')).to.contain('Worker');
      expect(tab.text).to.contain(`href="/crm/contacts/new?kind=person&amp;company_id=${company.id}"`);
      const card = await agent.get(`/crm/contacts/${company.id}`).expect(200);
      expect(textOf(card.text, 'tab-count-crm.employees')).to.equal('1');
    });

    it('on a stale version answers 409 with the other person\'s value and a choice: overwrite with mine, or keep theirs', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Conflict', job_title: 'Analyst' });
      const other = await host.asUser((await host.userWithRights(['crm.access', 'crm.contacts.edit'])).id);
      await host.contacts.update(other, c.id, { job_title: 'Senior analyst' }, 1);

      const res = await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/job_title`, form({ version: 1, value: 'Lead analyst' })).expect(409);
      expect(res.headers['x-crm-fragment']).to.equal('1');
      expect(textOf(res.text, 'their-value')).to.equal('Senior analyst');
      expect(res.text).to.contain('value="Lead analyst"'); // mine, kept in the form
      expect(versionIn(res.text)).to.equal(2); // "overwrite" now carries the current version
      expect(res.text).to.contain('data-testid="overwrite"').and.contain('data-testid="keep-theirs"');
      expect((await host.contacts.get(host.admin, c.id)).job_title).to.equal('Senior analyst');

      const keep = await hx(agent, csrf).get(`/crm/contacts/${c.id}/fields/job_title`).expect(200);
      expect(fieldValue(keep.text, 'job_title')).to.equal('Senior analyst');
      await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/job_title`, form({ version: versionIn(res.text), value: 'Lead analyst' })).expect(200);
      expect((await host.contacts.get(host.admin, c.id)).job_title).to.equal('Lead analyst');
    });

    it('changes the status from the header and answers the new header; a stale header gets 409 with the current one', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Status', status_id: lead.id });
      const res = await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/status_id?view=header`, form({ version: 1, value: won.id })).expect(200);
      expect(textOf(res.text, 'status-toggle')).to.equal('Won');
      expect(res.text).to.contain('background-color: #198754');
      const stale = await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/status_id?view=header`, form({ version: 1, value: lead.id })).expect(409);
      expect(textOf(stale.text, 'header-alert')).to.contain('Someone else changed this contact');
      expect(textOf(stale.text, 'status-toggle')).to.equal('Won');
      // Without JavaScript the dropdown is a plain form that comes back to the card.
      await post(`/crm/contacts/${c.id}/fields/status_id?view=header`, { version: 2, value: lead.id }).expect(303).expect('Location', `/crm/contacts/${c.id}`);
      expect((await host.contacts.get(host.admin, c.id)).status_id).to.equal(lead.id);
    });
  });

  describe('the trash', () => {
    it('moves to the trash with a banner and Restore, restores, and purges for good', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Bin', last_name: 'Man' });
      const card = await agent.get(`/crm/contacts/${c.id}`).expect(200);
      expect(card.text).to.contain(`action="/crm/contacts/${c.id}/delete" data-confirm=`);
      await post(`/crm/contacts/${c.id}/delete`, {}).expect(303).expect('Location', `/crm/contacts/${c.id}`);
      const trashed = await agent.get(`/crm/contacts/${c.id}`).expect(200);
      expect(textOf(trashed.text, 'trash-banner')).to.contain('This contact is in the trash.');
      expect(trashed.text).to.contain('data-testid="restore-contact"').and.contain('data-testid="purge-contact"');
      expect(trashed.text).not.to.contain('data-testid="status-toggle"');
      const info = await agent.get(`/crm/contacts/${c.id}/tabs/crm/info`).expect(200);
      expect(info.text).not.to.contain('data-testid="edit-');
      await hx(agent, csrf).post(`/crm/contacts/${c.id}/fields/job_title`, form({ version: 2, value: 'x' })).expect(404);

      await post(`/crm/contacts/${c.id}/restore`, {}).expect(303);
      const back = await agent.get(`/crm/contacts/${c.id}`).expect(200);
      expect(back.text).not.to.contain('data-testid="trash-banner"');
      expect(back.text).to.contain('is back from the trash');

      await post(`/crm/contacts/${c.id}/purge`, {}).expect(409); // only from the trash
      await post(`/crm/contacts/${c.id}/delete`, {}).expect(303);
      await post(`/crm/contacts/${c.id}/purge`, {}).expect(303).expect('Location', '/crm/contacts');
      await agent.get(`/crm/contacts/${c.id}`).expect(404);
    });

    it('offers each trash button only to users with its right', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Rights' });
      const editor = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
      const editorAgent = await host.login(editor.email, editor.password);
      const editorCsrf = await csrfOf(editorAgent, `/crm/contacts/${c.id}`);
      expect((await editorAgent.get(`/crm/contacts/${c.id}`)).text).not.to.contain('data-testid="delete"');
      await editorAgent.post(`/crm/contacts/${c.id}/delete`).type('form').send(form({ _csrf: editorCsrf })).expect(403);

      const deleter = await host.userWithRights(['crm.access', 'crm.contacts.delete']);
      const deleterAgent = await host.login(deleter.email, deleter.password);
      const deleterCsrf = await csrfOf(deleterAgent, `/crm/contacts/${c.id}`);
      await deleterAgent.post(`/crm/contacts/${c.id}/delete`).type('form').send(form({ _csrf: deleterCsrf })).expect(303);
      const trashed = await deleterAgent.get(`/crm/contacts/${c.id}`).expect(200);
      expect(trashed.text).to.contain('data-testid="restore-contact"').and.not.contain('data-testid="purge-contact"');
      await deleterAgent.post(`/crm/contacts/${c.id}/purge`).type('form').send(form({ _csrf: deleterCsrf })).expect(403);
    });
  });
});
