import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { TOKENS, type SettingsStore } from '../../../host/api.js';
import { csrfOf, ROOT } from '../../../tests/support/test-host.js';
import type { Contact, DictionaryItem } from '../api.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

/**
 * A plugin made for these tests: a filter condition (with a plain `?job=` parameter), two list
 * columns and two side panels (one of each always fails), and an access rule that hides contacts
 * titled "Hidden" from users whose email starts with "scoped".
 */
function writeProbePlugin(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-list-probe-'));
  const dir = path.join(root, 'list-probe');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.writeFileSync(
    path.join(dir, 'plugin.manifest.json'),
    JSON.stringify({ id: 'list-probe', name: 'List probe', version: '1.0.0', host: '^1.0.0', main: 'index.ts', dependencies: { crm: '^1.0.0' } }),
  );
  const crmApi = path.join(ROOT, 'plugins', 'crm', 'api.ts');
  fs.writeFileSync(
    path.join(dir, 'index.ts'),
    `import { contactClasses, filterConditions, listColumns, listPanels } from '${crmApi}';
export function register(ctx) {
  ctx.extend(filterConditions, {
    id: 'job',
    title: 'Job title is',
    schema: { type: 'object', additionalProperties: false, properties: { title: { type: 'string', maxLength: 50, title: 'Title' }, min_id: { type: 'integer', minimum: 0, title: 'From id' } } },
    sql(value, alias) {
      const parts = [];
      const params = [];
      if (value.title !== undefined) { parts.push(alias + '.job_title = ?'); params.push(value.title); }
      if (value.min_id !== undefined) { parts.push(alias + '.id >= ?'); params.push(value.min_id); }
      return { sql: parts.length ? parts.join(' AND ') : '1 = 1', params };
    },
    describe(value) { return 'job is <' + (value.title ?? '') + '>'; },
    param: { name: 'job', value: (raw) => ({ title: raw[0] }) },
  });
  ctx.extend(listPanels, { id: 'hello', render: async (req) => '<div class="card" data-testid="probe-panel">Panel for ' + (req.user ? 'a user' : '') + '</div>' });
  ctx.extend(listPanels, { id: 'sulky', render: async () => { throw new Error('no panel today'); } });
  ctx.extend(listColumns, { id: 'initials', title: 'Initials', order: 1, values: async (contacts) => {
    globalThis.__probeColumnCalls = (globalThis.__probeColumnCalls ?? 0) + 1;
    return new Map(contacts.map((c) => [c.id, c.name.split(' ').map((w) => w[0]).join('')]));
  } });
  ctx.extend(listColumns, { id: 'broken', title: 'Broken', order: 2, values: async () => { throw new Error('boom'); } });
  ctx.extend(contactClasses, { id: 'hidden', condition(user, alias) {
    return user.email.startsWith('scoped') ? { sql: "COALESCE(" + alias + ".job_title, '') <> ?", params: ['Hidden'] } : null;
  } });
}
`,
  );
  return root;
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x3D;': '=', '&#x60;': '`', '&amp;': '&' };
const decode = (s: string) => s.replace(/&(lt|gt|quot|amp|#x27|#x3D|#x60);/g, (e) => ENTITIES[e]!);

/** The names in the table, in order. */
function names(html: string): string[] {
  return [...html.matchAll(/data-testid="contact-name">([^<]*)</g)].map((m) => decode(m[1]!));
}

function headers(html: string): string[] {
  return [...html.matchAll(/<th scope="col"[^>]* data-col="([^"]+)"/g)].map((m) => m[1]!);
}

function href(html: string, testid: string): string | null {
  const m = new RegExp(`href="([^"]+)"[^>]*data-testid="${testid}"`).exec(html);
  return m ? decode(m[1]!) : null;
}

describe('The client list page', () => {
  let host: CrmTestHost;
  let agent: TestAgent;
  let probeRoot: string;
  let lead: DictionaryItem;
  let client: DictionaryItem;
  let vip: DictionaryItem;
  const people: Record<string, Contact> = {};

  before(async () => {
    probeRoot = writeProbePlugin();
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), probeRoot] });
    agent = await host.login();
    lead = await host.dictionaries.create('status', { name: 'Lead', labels: { pl: 'Potencjalny' }, color: '#0d6efd' });
    client = await host.dictionaries.create('status', { name: 'Client', color: '#ffc107' });
    vip = await host.dictionaries.create('category', { name: 'VIP' });
    await host.fields.create({ key: 'budget', type: 'money', labels: { en: 'Budget' }, in_list: true });
    await host.fields.create({ key: 'channel', type: 'select', labels: { en: 'Channel' }, options: ['Web', 'Fair'] });
    await host.fields.create({ key: 'newsletter', type: 'checkbox', labels: { en: 'Newsletter' } });
    await host.fields.create({ key: 'notes_long', type: 'long_text', labels: { en: 'Long notes' } });

    const add = async (key: string, input: Parameters<CrmTestHost['contacts']['create']>[1]) => (people[key] = await host.contacts.create(host.admin, input));
    await add('acme', { kind: 'company', company_name: 'Acme Sp. z o.o.', status_id: client.id, category_id: vip.id, emails: [{ value: 'office@acme.pl' }] });
    await add('lukasz', { kind: 'person', first_name: 'Łukasz', last_name: 'Żółkiewski', company_id: people.acme!.id, job_title: 'CEO', status_id: lead.id, emails: [{ value: 'lukasz@acme.pl' }], phones: [{ value: '600 123 456' }], custom: { budget: 1500, channel: 'Web', newsletter: true }, responsible_id: host.admin.id });
    await add('ivan', { kind: 'person', first_name: 'Иван', last_name: 'Петров', status_id: client.id, job_title: 'Buyer', custom: { budget: 250.5, channel: 'Fair' } });
    await add('olena', { kind: 'person', first_name: 'Олена', last_name: 'Шевченко', status_id: lead.id, phones: [{ value: '+380 44 123 4567' }], custom: { newsletter: false } });
    await add('anna', { kind: 'person', first_name: 'Anna', last_name: 'Nowak', job_title: 'Hidden', emails: [{ value: 'anna@example.com' }] });
    await add('roga', { kind: 'company', company_name: 'ООО «Рога и копыта»', category_id: vip.id });
    await add('xss', { kind: 'person', first_name: '<script>alert(1)</script>', last_name: '"quoted" & <b>bold</b>', job_title: '<img src=x onerror=alert(2)>', company_id: people.acme!.id });
  });

  after(async () => {
    await host.dispose();
    fs.rmSync(probeRoot, { recursive: true, force: true });
  });

  describe('access', () => {
    it('answers 403 to a signed-in user without crm.access, on every list route', async () => {
      const user = await host.userWithRights([]);
      const other = await host.login(user.email, user.password);
      expect((await other.get('/crm/contacts')).status).to.equal(403);
      expect((await other.get('/crm/contacts/suggest?q=a').set('Accept', 'application/json')).status).to.equal(403);
      const csrf = await csrfOf(other, '/');
      expect((await other.post('/crm/contacts/columns').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ columns: [] })).status).to.equal(403);
    });

    it('sends anonymous visitors to the sign-in page', async () => {
      const anonymous = await request(host.app!).get('/crm/contacts');
      expect(anonymous.status).to.equal(302);
      expect(anonymous.headers.location).to.match(/^\/login/);
    });
  });

  describe('the table', () => {
    it('shows every contact with its name, kind, company, coloured status and standard columns', async () => {
      const res = await agent.get('/crm/contacts');
      expect(res.status).to.equal(200);
      expect(names(res.text)).to.include.members(['Acme Sp. z o.o.', 'Łukasz Żółkiewski', 'Иван Петров', 'Олена Шевченко']);
      expect(res.text).to.contain(`href="/crm/contacts/${people.lukasz!.id}"`);
      // The company is named under the person who works there.
      const row = res.text.slice(res.text.indexOf(`data-contact-id="${people.lukasz!.id}"`));
      expect(row.slice(0, row.indexOf('</tr>'))).to.contain('crm-company').and.to.contain('Acme Sp. z o.o.').and.to.contain('mailto:lukasz@acme.pl').and.to.contain('tel:+48600123456');
      expect(res.text).to.contain('background-color: #0d6efd; color: #ffffff;');
      expect(res.text).to.contain('background-color: #ffc107; color: #212529;');
      // (Columns other installed plugins contribute are left out of this comparison.)
      expect(headers(res.text).filter((h) => !h.startsWith('ext.') || h.startsWith('ext.list-probe.'))).to.deep.equal(['name', 'status', 'email', 'phone', 'job_title', 'responsible', 'created_at', 'custom.budget', 'ext.list-probe.initials', 'ext.list-probe.broken']);
      expect(res.text).to.contain('1,500.00');
      expect(res.text).to.contain('data-testid="list-count">7 contacts<');
    });

    it('links the add buttons to the new contact form for people who may create', async () => {
      const res = await agent.get('/crm/contacts');
      expect(res.text).to.contain('href="/crm/contacts/new?kind=person"').and.to.contain('href="/crm/contacts/new?kind=company"');
      const reader = await host.userWithRights(['crm.access']);
      const page = await (await host.login(reader.email, reader.password)).get('/crm/contacts');
      expect(page.status).to.equal(200);
      expect(page.text).not.to.contain('/crm/contacts/new?kind=person');
    });

    it('calls a contributed column once per page and keeps a failing one in its own cells', async () => {
      const g = globalThis as { __probeColumnCalls?: number };
      const before = g.__probeColumnCalls ?? 0;
      const res = await agent.get('/crm/contacts');
      expect(res.status).to.equal(200);
      expect(g.__probeColumnCalls).to.equal(before + 1);
      expect(res.text).to.contain('>ИП<');
      expect(res.text).to.contain('This column could not be loaded.');
    });

    it('speaks the user language, with plural forms and local numbers', async () => {
      const csrf = await csrfOf(agent, '/crm/contacts');
      await agent.post('/account/language').type('form').send({ _csrf: csrf, language: 'pl', next: '/crm/contacts' });
      try {
        const pl = await agent.get('/crm/contacts');
        expect(pl.text).to.contain('7 kontaktów').and.to.contain('Potencjalny').and.to.contain('Dodaj osobę');
        expect(pl.text).to.contain('1500,00'); // a decimal comma (Polish groups only from five digits)
      } finally {
        await agent.post('/account/language').type('form').send({ _csrf: csrf, language: 'en', next: '/crm/contacts' });
      }
    });

    it('shows the panels other plugins put beside the list, a failing one in its own box', async () => {
      const res = await agent.get('/crm/contacts');
      expect(res.text).to.contain('data-list-panel="list-probe.hello"').and.to.contain('<div class="card" data-testid="probe-panel">Panel for a user</div>');
      expect(res.text).to.contain('data-list-panel="list-probe.sulky"').and.to.contain('This panel could not be loaded.');
      expect(names(res.text)).to.have.length(7);
    });

    it('shows the live-search fragment alone when asked for the results', async () => {
      const res = await agent.get('/crm/contacts?q=petrov').set('X-Crm-Partial', 'results');
      expect(res.status).to.equal(200);
      expect(res.text).not.to.contain('<html');
      expect(res.text.trim()).to.match(/^<div id="crm-results"/);
      expect(res.headers.vary).to.match(/X-Crm-Partial/i);
      expect(res.text).not.to.contain('data-list-panel');
    });
  });

  describe('search', () => {
    it('finds names in any case and without diacritics, in Polish, Russian and Ukrainian', async () => {
      expect(names((await agent.get('/crm/contacts').query({ q: 'ИВАН' })).text)).to.deep.equal(['Иван Петров']);
      expect(names((await agent.get('/crm/contacts').query({ q: 'zolkiewski' })).text)).to.deep.equal(['Łukasz Żółkiewski']);
      expect(names((await agent.get('/crm/contacts').query({ q: 'шевч' })).text)).to.deep.equal(['Олена Шевченко']);
    });

    it('finds by email and by phone', async () => {
      expect(names((await agent.get('/crm/contacts').query({ q: 'anna@example' })).text)).to.deep.equal(['Anna Nowak']);
      expect(names((await agent.get('/crm/contacts').query({ q: '600 123' })).text)).to.deep.equal(['Łukasz Żółkiewski']);
    });

    it('shows a friendly empty state when nothing matches', async () => {
      const res = await agent.get('/crm/contacts').query({ q: 'zzzz-nobody' });
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('data-empty="filtered"').and.to.contain('Nothing matches');
    });
  });

  describe('filters', () => {
    it('filters by kind, several statuses, category and responsible, with a chip for each', async () => {
      expect(names((await agent.get('/crm/contacts?kind=company')).text)).to.have.members(['Acme Sp. z o.o.', 'ООО «Рога и копыта»']);
      const both = await agent.get(`/crm/contacts?status_id=${lead.id}&status_id=${client.id}`);
      expect(names(both.text)).to.have.members(['Acme Sp. z o.o.', 'Łukasz Żółkiewski', 'Иван Петров', 'Олена Шевченко']);
      expect(both.text.match(/data-testid="filter-chip"/g)).to.have.length(2);
      expect(names((await agent.get(`/crm/contacts?status_id=0`)).text)).to.have.members(['Anna Nowak', 'ООО «Рога и копыта»', '<script>alert(1)</script> "quoted" & <b>bold</b>']);
      expect(names((await agent.get(`/crm/contacts?category_id=${vip.id}&kind=person`)).text)).to.deep.equal([]);
      expect(names((await agent.get(`/crm/contacts?responsible_id=${host.admin.id}`)).text)).to.deep.equal(['Łukasz Żółkiewski']);
    });

    it('removes one filter with its chip and keeps the others', async () => {
      const res = await agent.get(`/crm/contacts?kind=person&status_id=${lead.id}&status_id=${client.id}&sort=created_at&order=desc`);
      const chip = [...res.text.matchAll(/class="crm-chip"[\s\S]*?href="([^"]+)"/g)].map((m) => decode(m[1]!));
      expect(chip).to.have.length(3);
      const withoutLead = chip.find((h) => !h.includes(`status_id=${lead.id}`))!;
      expect(withoutLead).to.contain('kind=person').and.to.contain(`status_id=${client.id}`).and.to.contain('sort=created_at');
      expect(names((await agent.get(withoutLead)).text)).to.deep.equal(['Иван Петров']);
    });

    it('filters by has email, has phone and the created dates', async () => {
      expect(names((await agent.get('/crm/contacts?has_phone=true')).text)).to.have.members(['Łukasz Żółkiewski', 'Олена Шевченко']);
      expect(names((await agent.get('/crm/contacts?has_email=false&kind=company')).text)).to.deep.equal(['ООО «Рога и копыта»']);
      const today = new Date().toISOString().slice(0, 10);
      expect(names((await agent.get(`/crm/contacts?created_from=${today}&created_to=${today}`)).text)).to.have.length(7);
      expect(names((await agent.get('/crm/contacts?created_to=2000-01-01')).text)).to.deep.equal([]);
    });

    it('filters by custom fields: a money range, a select and a checkbox', async () => {
      expect(names((await agent.get('/crm/contacts?custom.budget.from=1000')).text)).to.deep.equal(['Łukasz Żółkiewski']);
      expect(names((await agent.get('/crm/contacts?custom.budget.from=100&custom.budget.to=1000')).text)).to.deep.equal(['Иван Петров']);
      expect(names((await agent.get('/crm/contacts?custom.channel=Fair')).text)).to.deep.equal(['Иван Петров']);
      expect(names((await agent.get('/crm/contacts?custom.newsletter=false')).text)).to.deep.equal(['Олена Шевченко']);
      const res = await agent.get('/crm/contacts?custom.budget.from=100&custom.budget.to=1000');
      expect(res.text).to.contain('Budget:').and.to.contain('100 – 1000');
    });

    it('filters by a condition another plugin contributes, as JSON or one input per property', async () => {
      const json = await agent.get('/crm/contacts').query({ 'condition.list-probe.job': JSON.stringify({ title: 'CEO' }) });
      expect(names(json.text)).to.deep.equal(['Łukasz Żółkiewski']);
      expect(json.text).to.contain('job is &lt;CEO&gt;');
      const form = await agent.get('/crm/contacts').query({ 'condition.list-probe.job.title': 'Buyer', 'condition.list-probe.job.min_id': '' });
      expect(names(form.text)).to.deep.equal(['Иван Петров']);
      // The panel offers the condition's inputs, filled in, with its switch on.
      expect(form.text).to.contain('name="condition.list-probe.job.title" value="Buyer"').and.to.contain('name="condition.list-probe.job.min_id"');
      expect(form.text).to.match(/name="condition\.list-probe\.job" value="\{\}"[^>]*checked/);
    });

    it('takes the plain parameter a condition offers, and keeps that spelling in links', async () => {
      const res = await agent.get('/crm/contacts?job=CEO&sort=created_at');
      expect(names(res.text)).to.deep.equal(['Łukasz Żółkiewski']);
      expect(res.text).to.contain('job is &lt;CEO&gt;');
      const sortLink = decode(/<a href="([^"]+)" class="crm-sort" data-sort="name"/.exec(res.text)![1]!);
      expect(sortLink).to.contain('job=CEO').and.not.to.contain('condition.');
      const chip = decode(/class="crm-chip"[\s\S]*?href="([^"]+)"/.exec(res.text)![1]!);
      expect(chip).not.to.contain('job=');
      // The panel's switch carries the value, so applying the form keeps the condition.
      expect(res.text).to.match(/name="condition\.list-probe\.job" value="\{\}"[^>]*checked/);
      expect(res.text).to.contain('name="condition.list-probe.job.title" value="CEO"');
    });

    it('applies a condition switched on with no values, as its plugin defines it', async () => {
      const all = await agent.get('/crm/contacts').query({ 'condition.list-probe.job': '{}' });
      expect(all.status).to.equal(200);
      expect(names(all.text)).to.have.length(7);
      expect(all.text).to.contain('job is &lt;&gt;');
      const off = await agent.get('/crm/contacts');
      expect(off.text).to.match(/name="condition\.list-probe\.job" value="\{\}" id="[^"]+" data-crm-condition-switch>/);
    });

    it('offers every filter in the panel: statuses with colours, users, custom fields', async () => {
      const res = await agent.get('/crm/contacts');
      expect(res.text).to.contain(`name="status_id" value="${lead.id}"`).and.to.contain('name="responsible_id" value="0"');
      expect(res.text).to.contain('name="custom.budget.from"').and.to.contain('name="custom.channel"').and.to.contain('name="custom.newsletter"');
      expect(res.text).not.to.contain('name="custom.notes_long"');
      expect(res.text).to.contain(`${host.admin.name} (me)`);
    });

    it('explains bad filters instead of failing, and never answers 500', async () => {
      for (const query of ['status_id=abc', 'custom.nope=1', 'custom.budget.from=lots', 'limit=33', 'cursor=!!!', 'cursor=bm90LWpzb24', 'sort=email', 'condition.nope.x={}', 'condition.list-probe.job={"min_id":-1}', 'condition.list-probe.job=[1', 'created_from=2024-13-45', 'custom.notes_long=x']) {
        const res = await agent.get(`/crm/contacts?${query}`);
        expect(res.status, query).to.equal(400);
        expect(res.text, query).to.contain('data-testid="list-errors"');
      }
    });
  });

  describe('sorting', () => {
    it('sorts by any sortable header, and the header link toggles the direction', async () => {
      const asc = await agent.get('/crm/contacts?kind=person&sort=name');
      const desc = await agent.get('/crm/contacts?kind=person&sort=name&order=desc');
      expect(names(desc.text)).to.deep.equal([...names(asc.text)].reverse());
      const link = decode(/<a href="([^"]+)" class="crm-sort active" data-sort="name"/.exec(asc.text)![1]!);
      expect(link).to.contain('order=desc').and.to.contain('kind=person');
      expect(asc.text).to.contain('aria-sort="ascending"');
    });

    it('sorts by a custom field and by status', async () => {
      const res = await agent.get('/crm/contacts?sort=custom.budget&order=desc&custom.budget.from=0');
      expect(names(res.text)).to.deep.equal(['Łukasz Żółkiewski', 'Иван Петров']);
      expect((await agent.get('/crm/contacts?sort=status_id')).status).to.equal(200);
      expect((await agent.get('/crm/contacts?sort=job_title&order=desc')).status).to.equal(200);
    });

    it('does not offer a sort link on columns that cannot be sorted', async () => {
      const res = await agent.get('/crm/contacts');
      expect(res.text).not.to.contain('data-sort="email"');
      expect(res.text).to.contain('data-sort="custom.budget"');
    });
  });

  describe('pages', () => {
    before(async () => {
      for (let i = 1; i <= 53; i++) await host.contacts.create(host.admin, { kind: 'person', first_name: 'Page', last_name: `Person ${String(i).padStart(2, '0')}`, job_title: 'Paged' });
    });

    const paged = 'condition.list-probe.job=' + encodeURIComponent(JSON.stringify({ title: 'Paged' }));

    it('walks forward by cursor and back again, saying which rows are shown', async () => {
      const first = await agent.get(`/crm/contacts?${paged}&limit=25`);
      expect(first.text).to.contain('data-testid="page-range">1–25 of 53<');
      expect(names(first.text)[0]).to.equal('Page Person 01');
      expect(first.text).not.to.contain('data-testid="prev-page"');

      const second = await agent.get(href(first.text, 'next-page')!);
      expect(second.text).to.contain('26–50 of 53');
      expect(names(second.text)[0]).to.equal('Page Person 26');

      const third = await agent.get(href(second.text, 'next-page')!);
      expect(third.text).to.contain('51–53 of 53');
      expect(names(third.text)).to.deep.equal(['Page Person 51', 'Page Person 52', 'Page Person 53']);
      expect(third.text).not.to.contain('data-testid="next-page"');

      // "Previous" walks back by cursor too: a redirect to the page before, with the same rows.
      const back = await agent.get(href(third.text, 'prev-page')!);
      expect(back.status).to.equal(303);
      const again = await agent.get(back.headers.location!);
      expect(names(again.text)).to.deep.equal(names(second.text));
      expect(again.text).to.contain('26–50 of 53');
      expect(href(second.text, 'prev-page')).to.equal(href(second.text, 'first-page'));
    });

    it('keeps the page size in the address and offers 25, 50, 100 and 200', async () => {
      const res = await agent.get(`/crm/contacts?${paged}&limit=100`);
      expect(names(res.text)).to.have.length(53);
      for (const size of [25, 50, 100, 200]) expect(res.text).to.contain(`data-testid="page-size-${size}"`);
      expect(href(res.text, 'page-size-25')).to.contain('limit=25');
      expect(href(res.text, 'page-size-50')).not.to.contain('limit=');
      expect(names((await agent.get(`/crm/contacts?${paged}`)).text)).to.have.length(50);
    });

    it('says "more than" when the count is capped on large bases', async () => {
      const settings = host.services.get<SettingsStore>(TOKENS.Settings);
      await settings.set('plugin:crm', 'settings', { exact_count_limit: 10 });
      try {
        const res = await agent.get(`/crm/contacts?${paged}&limit=25`);
        expect(res.text).to.contain('1–25 of more than 10').and.to.contain('More than 10 contacts');
      } finally {
        await settings.set('plugin:crm', 'settings', {});
      }
    });
  });

  describe('columns', () => {
    let csrf: string;
    before(async () => {
      csrf = await csrfOf(agent, '/crm/contacts');
    });
    after(async () => {
      await agent.post('/crm/contacts/columns').set('X-CSRF-Token', csrf).send({ reset: true });
    });

    it('saves the chosen columns in their order for this user only', async () => {
      const res = await agent.post('/crm/contacts/columns').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ columns: ['custom.channel', 'phone', 'status', 'ext.list-probe.initials'] });
      expect(res.status).to.equal(200);
      expect(res.body.columns).to.deep.equal(['name', 'custom.channel', 'phone', 'status', 'ext.list-probe.initials']);
      const page = await agent.get('/crm/contacts');
      expect(headers(page.text)).to.deep.equal(['name', 'custom.channel', 'phone', 'status', 'ext.list-probe.initials']);
      expect(page.text).to.contain('>Web<');
      const saved = await host.services.get<SettingsStore>(TOKENS.Settings).get(`user:${host.admin.id}`, 'crm.list.columns');
      expect(saved).to.deep.equal(['custom.channel', 'phone', 'status', 'ext.list-probe.initials']);
      const other = await host.userWithRights(['crm.access']);
      const theirs = await (await host.login(other.email, other.password)).get('/crm/contacts');
      expect(headers(theirs.text)).to.include('email');
    });

    it('lists every available column in the chooser, chosen ones first', async () => {
      const page = await agent.get('/crm/contacts');
      const chooser = [...page.text.matchAll(/<li class="list-group-item[^"]*" data-col="([^"]+)"/g)].map((m) => m[1]);
      expect(chooser.slice(0, 4)).to.deep.equal(['custom.channel', 'phone', 'status', 'ext.list-probe.initials']);
      expect(chooser).to.include.members(['email', 'created_at', 'category', 'updated_at', 'custom.newsletter', 'custom.notes_long', 'ext.list-probe.broken']);
    });

    it('refuses unknown columns, bad bodies and requests without the CSRF token', async () => {
      const unknown = await agent.post('/crm/contacts/columns').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ columns: ['phone', 'secret'] });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.details[0]).to.include({ field: 'columns.1', message: 'There is no such column.' });
      const wrong = await agent.post('/crm/contacts/columns').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ columns: [{ a: 1 }] });
      expect(wrong.status).to.equal(400);
      const missing = await agent.post('/crm/contacts/columns').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({});
      expect(missing.status).to.equal(400);
      const forged = await agent.post('/crm/contacts/columns').set('Accept', 'application/json').send({ columns: ['phone'] });
      expect(forged.status).to.equal(403);
    });

    it('goes back to the default columns on reset', async () => {
      const res = await agent.post('/crm/contacts/columns').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ reset: true });
      expect(res.body.columns).to.include.members(['email', 'custom.budget']);
      expect(headers((await agent.get('/crm/contacts')).text)).to.include('email');
    });
  });

  describe('suggestions', () => {
    it('answers a short JSON list with the company of each person', async () => {
      const res = await agent.get('/crm/contacts/suggest').query({ q: 'łukasz' }).set('Accept', 'application/json');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal([{ id: people.lukasz!.id, name: 'Łukasz Żółkiewski', kind: 'person', company: 'Acme Sp. z o.o.' }]);
    });

    it('narrows to companies, returns at most ten, and nothing for an empty query', async () => {
      expect((await agent.get('/crm/contacts/suggest').query({ q: 'acme', kind: 'company' })).body).to.deep.equal([{ id: people.acme!.id, name: 'Acme Sp. z o.o.', kind: 'company', company: null }]);
      expect((await agent.get('/crm/contacts/suggest').query({ q: 'page' })).body).to.have.length(10);
      expect((await agent.get('/crm/contacts/suggest').query({ q: '  ' })).body).to.deep.equal([]);
      expect((await agent.get('/crm/contacts/suggest').query({ q: 'x', kind: 'robot' }).set('Accept', 'application/json')).status).to.equal(400);
    });

    it('stays inside the access scope', async () => {
      const scoped = await host.userWithRights(['crm.access'], 'scoped-reader@example.com');
      const theirs = await host.login(scoped.email, scoped.password);
      expect((await theirs.get('/crm/contacts/suggest').query({ q: 'anna' })).body).to.deep.equal([]);
      expect((await agent.get('/crm/contacts/suggest').query({ q: 'anna' })).body).to.have.length(1);
      expect(names((await theirs.get('/crm/contacts').query({ q: 'nowak' })).text)).to.deep.equal([]);
    });
  });

  describe('escaping', () => {
    it('shows a contact named <script>alert(1)</script> as text in the table, the chips and suggestions', async () => {
      const res = await agent.get('/crm/contacts').query({ q: 'script', 'condition.list-probe.job': JSON.stringify({ title: '<img src=x onerror=alert(2)>' }) });
      expect(res.status).to.equal(200);
      expect(res.text).not.to.contain('<script>alert(1)</script>');
      expect(res.text).not.to.contain('<img src=x');
      expect(res.text).not.to.contain('<b>bold</b>');
      expect(res.text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.text).to.contain('&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
      const suggest = await agent.get('/crm/contacts/suggest').query({ q: 'script' });
      expect(suggest.type).to.equal('application/json');
      expect(suggest.body[0].name).to.equal('<script>alert(1)</script> "quoted" & <b>bold</b>');
    });

    it('keeps a hostile search text as text in the box and the links', async () => {
      const res = await agent.get('/crm/contacts').query({ q: '"><script>alert(3)</script>' });
      expect(res.text).not.to.contain('<script>alert(3)');
      expect(res.text).to.contain('value="&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"');
    });
  });

  describe('trash', () => {
    it('lists deleted contacts in the trash, with restore buttons for those who may delete', async () => {
      await host.contacts.remove(host.admin, people.roga!.id);
      expect(names((await agent.get('/crm/contacts?kind=company')).text)).to.deep.equal(['Acme Sp. z o.o.']);
      const trash = await agent.get('/crm/contacts?trash=1');
      expect(trash.status).to.equal(200);
      expect(names(trash.text)).to.deep.equal(['ООО «Рога и копыта»']);
      expect(trash.text).to.contain(`data-testid="restore-${people.roga!.id}"`).and.to.contain('data-col="deleted_at"');

      const reader = await host.userWithRights(['crm.access']);
      const theirs = await (await host.login(reader.email, reader.password)).get('/crm/contacts?trash=1');
      expect(names(theirs.text)).to.deep.equal(['ООО «Рога и копыта»']);
      expect(theirs.text).not.to.contain('data-testid="restore-');
    });

    it('restores a contact and comes back to the trash saying so', async () => {
      const csrf = await csrfOf(agent, '/crm/contacts?trash=1');
      const res = await agent.post('/crm/contacts/trash/restore').type('form').send({ _csrf: csrf, id: String(people.roga!.id), back: '/crm/contacts?trash=1&kind=company' });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/crm/contacts?trash=1&kind=company&restored=${people.roga!.id}`);
      const page = await agent.get(res.headers.location!);
      expect(page.text).to.contain('data-testid="restored"').and.to.contain('ООО «Рога и копыта» is back among the contacts.');
      expect(page.text).to.contain('data-empty="trash"');
      expect(names((await agent.get('/crm/contacts?kind=company')).text)).to.have.members(['Acme Sp. z o.o.', 'ООО «Рога и копыта»']);
    });

    it('never redirects a restore to another site, and refuses users without the right', async () => {
      await host.contacts.remove(host.admin, people.roga!.id);
      const csrf = await csrfOf(agent, '/crm/contacts?trash=1');
      const res = await agent.post('/crm/contacts/trash/restore').type('form').send({ _csrf: csrf, id: String(people.roga!.id), back: 'https://evil.example/crm/contacts?x' });
      expect(res.headers.location).to.equal(`/crm/contacts?trash=1&restored=${people.roga!.id}`);
      const reader = await host.userWithRights(['crm.access']);
      const theirs = await host.login(reader.email, reader.password);
      const token = await csrfOf(theirs, '/crm/contacts');
      expect((await theirs.post('/crm/contacts/trash/restore').type('form').send({ _csrf: token, id: String(people.roga!.id) })).status).to.equal(403);
    });
  });
});
