import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import type TestAgent from 'supertest/lib/agent.js';
import request from 'supertest';
import type { JobInfo } from '../../../host/api.js';
import { ROOT, csrfOf } from '../../../tests/support/test-host.js';
import type { Contact, DictionaryItem } from '../api.js';
import { JOB_TYPE, PAGE_SIZE } from '../export/export-service.js';
import { neutralize } from '../export/export-writers.js';
import { MAX_CELL_TEXT, xlsxStream } from '../export/export-xlsx.js';
import { binary, byHeader, readCsv, readXlsx, writeScorePlugin } from './export-kit.js';
import { bulkPeople } from './selection-kit.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';
import { CrmInternalTokens } from '../services/contacts-service.js';
import type { ContactLoader } from '../services/contact-loader.js';

/** Every standard column, in the export page's order. */
const STANDARD_COLUMNS = ['id', 'name', 'kind', 'first_name', 'middle_name', 'last_name', 'company_name', 'company', 'job_title', 'emails', 'phones', 'messengers', 'websites', 'domains', 'addresses', 'tax_ids', 'status', 'category', 'client_type', 'source', 'responsible', 'birthday', 'comment', 'created_at', 'updated_at'];

describe('Export of contacts (CSV and XLSX)', function () {
  this.timeout(120_000);
  let host: CrmTestHost;
  let probeRoot: string;
  let admin: TestAgent;
  let csrf: string;
  let lead: DictionaryItem;
  let won: DictionaryItem;
  let anna: Contact;
  let acme: Contact;
  let hidden: Contact;

  before(async () => {
    probeRoot = writeScorePlugin();
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), probeRoot], jobs: true });
    admin = await host.login();
    csrf = await csrfOf(admin, '/crm/contacts');
    lead = await host.dictionaries.create('status', { name: 'Lead', labels: { pl: 'Potencjalny' } });
    won = await host.dictionaries.create('status', { name: 'Won' });
    await host.fields.create({ key: 'industry', type: 'select', labels: { en: 'Industry', pl: 'Branża' }, options: ['IT', 'Retail'], in_list: true });
    await host.fields.create({ key: 'budget', type: 'money', labels: { en: 'Budget' } });
    await host.fields.create({ key: 'langs', type: 'multi_select', labels: { en: 'Languages' }, options: ['pl', 'en', 'uk'] });
    acme = await host.contacts.create(host.admin, { kind: 'company', company_name: 'ACME, "Best" Ltd', status_id: won.id, custom: { industry: 'IT', budget: 12500.5 } });
    anna = await host.contacts.create(host.admin, {
      kind: 'person',
      first_name: 'Anna',
      last_name: 'Żółkiewska',
      company_id: acme.id,
      job_title: 'Buyer',
      status_id: lead.id,
      responsible_id: host.admin.id,
      emails: [{ value: 'anna@example.com', primary: true }, { value: 'anna.z@example.org' }],
      phones: [{ value: '+48 601 234 567' }],
      addresses: [{ street: 'ul. Długa 5', zip: '00-001', city: 'Warszawa', country: 'PL' }],
      comment: 'Line one\nline two; with "quotes"',
      custom: { industry: 'Retail', langs: ['pl', 'en'] },
    });
    await host.contacts.create(host.admin, { kind: 'person', first_name: '=1+2', last_name: '@SUM(A1)', job_title: 'Formula', comment: '-2+3' });
    hidden = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Secret', last_name: 'Agent', job_title: 'Hidden', status_id: lead.id });
  });

  after(async () => {
    await host.dispose();
    fs.rmSync(probeRoot, { recursive: true, force: true });
  });

  const download = (agent: TestAgent, query: string) => agent.get(`/api/v1/contacts/export?${query}`).buffer(true).parse(binary);

  describe('the files', () => {
    it('writes a CSV with the chosen columns in order, lists joined with "; ", titles in the caller’s language', async () => {
      const res = await download(admin, 'format=csv&columns=name,emails,phones,company,status,custom.industry,custom.langs,addresses,comment&q=Anna').expect(200);
      expect(res.headers['content-type']).to.equal('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).to.match(/^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"$/);
      const rows = readCsv(res.body as Buffer);
      expect(rows[0]).to.deep.equal(['Name', 'Emails', 'Phones', 'Company (employer)', 'Status', 'Industry', 'Languages', 'Addresses', 'Comment']);
      expect(rows.slice(1)).to.deep.equal([
        ['Anna Żółkiewska', 'anna@example.com; anna.z@example.org', "'+48 601 234 567", 'ACME, "Best" Ltd', 'Lead', 'Retail', 'pl; en', 'ul. Długa 5, 00-001 Warszawa, PL', 'Line one\nline two; with "quotes"'],
      ]);
      // No byte order mark unless asked for.
      expect((res.body as Buffer).subarray(0, 3).toString('hex')).not.to.equal('efbbbf');

      const polish = await download(admin, 'format=csv&columns=name,status,custom.industry&q=Anna').set('Accept-Language', 'pl').expect(200);
      expect(readCsv(polish.body as Buffer)).to.deep.equal([['Nazwa', 'Status', 'Branża'], ['Anna Żółkiewska', 'Potencjalny', 'Retail']]);
    });

    it('starts a CSV with a UTF-8 byte order mark and uses the chosen delimiter', async () => {
      const semicolon = await download(admin, 'format=csv&bom=true&delimiter=semicolon&columns=name,company_name&kind=company').expect(200);
      const bytes = semicolon.body as Buffer;
      expect(bytes.subarray(0, 3).toString('hex')).to.equal('efbbbf');
      const text = bytes.subarray(3).toString('utf8');
      expect(text).to.equal('Name;Company name\r\n"ACME, ""Best"" Ltd";"ACME, ""Best"" Ltd"\r\n');
      expect(readCsv(bytes, ';')).to.deep.equal([['Name', 'Company name'], ['ACME, "Best" Ltd', 'ACME, "Best" Ltd']]);

      const tab = await download(admin, 'format=csv&delimiter=tab&columns=name,comment&q=Anna').expect(200);
      expect(readCsv(tab.body as Buffer, '\t')).to.deep.equal([['Name', 'Comment'], ['Anna Żółkiewska', 'Line one\nline two; with "quotes"']]);
    });

    it('writes an XLSX that Excel readers open, numbers as numbers', async () => {
      const res = await download(admin, 'format=xlsx&columns=id,name,kind,custom.budget,custom.industry,status&kind=company').expect(200);
      expect(res.headers['content-type']).to.equal('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const rows = await readXlsx(res.body as Buffer);
      expect(rows).to.deep.equal([
        ['ID', 'Name', 'Type', 'Budget', 'Industry', 'Status'],
        [acme.id, 'ACME, "Best" Ltd', 'Company', 12500.5, 'IT', 'Won'],
      ]);
    });

    it('exports the default columns when none are chosen, and refuses an unknown column with 400', async () => {
      const rows = readCsv((await download(admin, 'format=csv&q=Anna').expect(200)).body as Buffer);
      expect(rows[0]).to.deep.equal(['Name', 'Type', 'Company (employer)', 'Job title', 'Emails', 'Phones', 'Status', 'Responsible', 'Created', 'Industry']);
      expect(rows[1]!.slice(0, 8)).to.deep.equal(['Anna Żółkiewska', 'Person', 'ACME, "Best" Ltd', 'Buyer', 'anna@example.com; anna.z@example.org', "'+48 601 234 567", 'Lead', 'Administrator']);
      const bad = await admin.get('/api/v1/contacts/export?format=csv&columns=name,salary').expect(400);
      expect(bad.body.error.details).to.deep.include({ field: 'columns.1', code: 'enum', message: 'Unknown column: salary' });
      await admin.get('/api/v1/contacts/export?format=pdf').expect(400);
      await admin.get('/api/v1/contacts/export?format=csv&status_id=abc').expect(400);
    });

    it('adds the columns other plugins contribute, loading them once per page', async () => {
      (globalThis as { __scorePages?: number }).__scorePages = 0;
      const rows = readCsv((await download(admin, 'format=csv&columns=name,io.export-probe.score&q=Anna').expect(200)).body as Buffer);
      expect(rows).to.deep.equal([['Name', 'Score'], ['Anna Żółkiewska', `score-${anna.id}`]]);
      expect((globalThis as { __scorePages?: number }).__scorePages).to.equal(1);
    });

    it('reads only what plugins’ columns say they read: tags and class without loading whole contacts', async () => {
      // Through the REST API: the CRM's tests may not import the plugins built on it.
      const api = (method: 'post' | 'patch' | 'delete', url: string, body?: object) => admin[method](`/api/v1${url}`).set('X-CSRF-Token', csrf).send(body);
      const partners = (await api('post', '/classes', { name: 'Partners' }).expect(201)).body as { id: number };
      const tagIds: number[] = [];
      for (const name of ['VIP', 'Anchor']) {
        const { items } = (await api('post', `/contacts/${anna.id}/tags`, { name }).expect(201)).body as { items: Array<{ id: number; name: string }> };
        tagIds.push(items.find((t) => t.name === name)!.id);
      }
      const { version } = (await admin.get(`/api/v1/contacts/${anna.id}`).expect(200)).body as Contact;
      await api('patch', `/contacts/${anna.id}`, { class_id: partners.id, version }).expect(200);
      const whole = sinon.spy(host.services.get<ContactLoader>(CrmInternalTokens.Loader), 'byIds');
      try {
        const lean = readCsv((await download(admin, 'format=csv&columns=name,io.tags.tags,io.access.class&q=Anna').expect(200)).body as Buffer);
        expect(lean).to.deep.equal([['Name', 'Tags', 'Class'], ['Anna Żółkiewska', 'Anchor, VIP', 'Partners']]);
        expect(whole.called, 'the contact loader').to.equal(false);
        // A column that does not say what it reads (the probe's) gets whole contacts, and the other columns the same cells.
        const loaded = readCsv((await download(admin, 'format=csv&columns=name,io.tags.tags,io.access.class,io.export-probe.score&q=Anna').expect(200)).body as Buffer);
        expect(loaded.map((r) => r.slice(0, 3))).to.deep.equal(lean);
        expect(whole.called, 'the contact loader').to.equal(true);
      } finally {
        whole.restore();
        await api('delete', `/classes/${partners.id}`).expect(200);
        for (const id of tagIds) await api('delete', `/contacts/${anna.id}/tags/${id}`).expect(204);
      }
    });

    it('neutralizes cells that a spreadsheet would run as formulas, in CSV and XLSX', async () => {
      expect(['=1', '+1', '-1', '@a', '\tx', '\rx', 'a=1', ''].map(neutralize)).to.deep.equal(["'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", 'a=1', '']);
      const columns = 'columns=first_name,last_name,comment,io.export-probe.score&q=%3D1%2B2';
      const csv = byHeader(readCsv((await download(admin, `format=csv&${columns}`).expect(200)).body as Buffer));
      expect(csv).to.deep.equal([{ 'First name': "'=1+2", 'Last name': "'@SUM(A1)", Comment: "'-2+3", Score: '\'=HYPERLINK("http://evil")' }]);
      const xlsx = byHeader(await readXlsx((await download(admin, `format=xlsx&${columns}`).expect(200)).body as Buffer));
      expect(xlsx).to.deep.equal([{ 'First name': "'=1+2", 'Last name': "'@SUM(A1)", Comment: "'-2+3", Score: '\'=HYPERLINK("http://evil")' }]);
    });
    it('keeps awkward text intact in XLSX: markup characters, emoji; drops characters XML forbids; cuts text at Excel’s cell limit', async () => {
      const long = 'x'.repeat(MAX_CELL_TEXT + 100);
      const oddities = await host.dictionaries.create('category', { name: 'Oddities' });
      const odd = await host.contacts.create(host.admin, {
        kind: 'person',
        category_id: oddities.id,
        first_name: '  <b>Tom & "Jerry"</b> ',
        last_name: 'Bell\u0007\u0000man 🎉',
        job_title: 'Oddity',
        comment: long,
      });
      try {
        const rows = await readXlsx((await download(admin, `format=xlsx&columns=first_name,last_name,comment&category_id=${oddities.id}`).expect(200)).body as Buffer);
        expect(rows).to.deep.equal([
          ['First name', 'Last name', 'Comment'],
          ['<b>Tom & "Jerry"</b>', 'Bellman 🎉', long.slice(0, MAX_CELL_TEXT)],
        ]);
      } finally {
        await host.contacts.remove(host.admin, odd.id);
      }
    });

    it('writes XLSX cells as their types: text with its edge spaces, numbers, booleans; a sheet name without the characters Excel refuses', async () => {
      const chunks: Buffer[] = [];
      const out = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
      const sheet = xlsxStream(out, ['Text', 'Number', 'Flag'], 'Q1/Q2: [all]*');
      await sheet.rows([
        ['  spaced  ', 0, true],
        ['line\nbreak', -12.75, false],
        [null, Number.NaN, null],
      ]);
      await sheet.end();
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
      expect(workbook.worksheets[0]!.name).to.equal('Q1 Q2   all');
      expect(await readXlsx(Buffer.concat(chunks))).to.deep.equal([
        ['Text', 'Number', 'Flag'],
        ['  spaced  ', 0, true],
        ['line\nbreak', -12.75, false],
        [null, 'NaN', null],
      ]);
    });

    it('gives every standard column the same cells whether contacts are read lean or whole (as for a plugin’s column)', async () => {
      const vip = await host.dictionaries.create('category', { name: 'VIP' });
      const filter = `category_id=${vip.id}`;
      const vera = await host.contacts.create(host.admin, {
        kind: 'person',
        first_name: 'Vera',
        middle_name: 'Maria',
        last_name: 'Lean',
        company_id: acme.id,
        company_name: 'Side Project',
        job_title: 'Columnist',
        status_id: won.id,
        category_id: vip.id,
        responsible_id: host.admin.id,
        emails: [{ value: 'vera@example.com' }, { value: 'vera@example.org' }],
        phones: [{ value: '+48 22 123 45 67' }],
        messengers: [{ type: 'telegram', value: 'vera_lean' }],
        websites: [{ value: 'https://vera.example.com' }],
        domains: ['vera.example.com'],
        addresses: [{ street: 'Main St 1', city: 'Gdańsk', country: 'PL' }, { city: 'Kraków' }],
        tax_ids: [{ type: 'nip', value: '5260250995' }],
        birthday: '1990-04-01',
        comment: 'Two\nlines',
        custom: { industry: 'IT', budget: 99.5, langs: ['uk', 'pl'] },
      });
      try {
        const columns = [...STANDARD_COLUMNS, 'custom.industry', 'custom.budget', 'custom.langs'].join(',');
        const lean = await readXlsx((await download(admin, `format=xlsx&columns=${columns}&${filter}`).expect(200)).body as Buffer);
        const whole = await readXlsx((await download(admin, `format=xlsx&columns=${columns},io.export-probe.score&${filter}`).expect(200)).body as Buffer);
        expect(whole.map((r) => r.slice(0, -1))).to.deep.equal(lean);
        const fresh = await host.contacts.get(host.admin, vera.id);
        expect(byHeader(lean)).to.deep.equal([
          {
            ID: vera.id,
            Name: 'Vera Maria Lean',
            Type: 'Person',
            'First name': 'Vera',
            'Middle name': 'Maria',
            'Last name': 'Lean',
            'Company name': 'Side Project',
            'Company (employer)': 'ACME, "Best" Ltd',
            'Job title': 'Columnist',
            Emails: 'vera@example.com; vera@example.org',
            Phones: "'+48 22 123 45 67",
            Messengers: 'telegram: vera_lean',
            Websites: 'https://vera.example.com/',
            Domains: 'vera.example.com',
            Addresses: 'Main St 1, Gdańsk, PL; Kraków',
            'Tax IDs': 'NIP: 5260250995',
            Status: 'Won',
            Category: 'VIP',
            'Client type': null,
            Source: null,
            Responsible: 'Administrator',
            Birthday: '1990-04-01',
            Comment: 'Two\nlines',
            Created: fresh.created_at.slice(0, 19).replace('T', ' '),
            Updated: fresh.updated_at.slice(0, 19).replace('T', ' '),
            Industry: 'IT',
            Budget: 99.5,
            Languages: 'uk; pl',
          },
        ]);
      } finally {
        await host.contacts.remove(host.admin, vera.id);
      }
    });
  });

  describe('what is exported', () => {
    it('takes the list filters, the user’s selection and stays inside the access scope', async () => {
      const names = async (agent: TestAgent, filter: string) =>
        readCsv((await download(agent, `format=csv&columns=name&${filter}`).expect(200)).body as Buffer)
          .slice(1)
          .map((r) => r[0]);
      expect(await names(admin, `status_id=${lead.id}`)).to.have.members(['Anna Żółkiewska', 'Secret Agent']);
      expect(await names(admin, 'custom.industry=IT')).to.deep.equal(['ACME, "Best" Ltd']);

      const scoped = await host.userWithRights(['crm.access', 'crm.contacts.export'], 'scoped-exporter@example.com');
      const agent = await host.login(scoped.email, scoped.password);
      expect(await names(agent, `status_id=${lead.id}`)).to.deep.equal(['Anna Żółkiewska']);
      expect(await names(agent, '')).not.to.include('Secret Agent');

      // The selection: ids the user ticked, still inside the scope (the hidden one is refused when added).
      const token = await csrfOf(agent, '/crm/contacts');
      await agent.post('/crm/contacts/selection').set('X-CSRF-Token', token).set('Accept', 'application/json').send({ op: 'add', ids: [acme.id, hidden.id] }).expect(200);
      expect(await names(agent, 'selected=1')).to.deep.equal(['ACME, "Best" Ltd']);
    });

    it('answers 403 without the export right, and 401 without signing in', async () => {
      const reader = await host.userWithRights(['crm.access']);
      const agent = await host.login(reader.email, reader.password);
      const res = await agent.get('/api/v1/contacts/export?format=csv').expect(403);
      expect(res.body.error.code).to.equal('forbidden');
      await agent.get('/crm/contacts/export').expect(403);
      await request(host.app!).get('/api/v1/contacts/export?format=csv').expect(401);
      // A contact id route does not swallow the export: /contacts/export is never read as an id.
      expect((await admin.get('/api/v1/contacts/export?format=csv&columns=id&kind=company').expect(200)).text).to.equal(`ID\r\n${acme.id}\r\n`);
      await admin.get(`/api/v1/contacts/${anna.id}`).expect(200);
    });

    it('logs every export: who, when, format, filter, columns and rows; users see their own, administrators everybody’s', async () => {
      await download(admin, 'format=xlsx&columns=name,status&kind=company').expect(200);
      const mine = (await admin.get('/api/v1/exports?limit=1').expect(200)).body.items[0];
      expect(mine).to.include({ user_id: host.admin.id, format: 'xlsx', state: 'done', rows: 1, filter: 'kind=company', delivery: 'download', file_url: null });
      expect(mine.columns).to.deep.equal(['name', 'status']);
      expect(Date.parse(mine.created_at)).to.be.closeTo(Date.now(), 60_000);

      const other = await host.userWithRights(['crm.access', 'crm.contacts.export']);
      const agent = await host.login(other.email, other.password);
      await download(agent, 'format=csv&columns=name&q=Anna').expect(200);
      const own = (await agent.get('/api/v1/exports').expect(200)).body.items;
      expect(own.map((e: { user_id: number }) => e.user_id)).to.deep.equal([other.id]);
      await agent.get(`/api/v1/exports/${mine.id}`).expect(404);
      const all = (await admin.get('/api/v1/exports').expect(200)).body.items.map((e: { user_id: number }) => e.user_id);
      expect(all).to.include.members([host.admin.id, other.id]);
    });
  });

  describe('large exports as a job', () => {
    let ids: number[];
    let bulk: DictionaryItem;
    before(async () => {
      bulk = await host.dictionaries.create('category', { name: 'Bulk' });
      ids = await bulkPeople(host, 5000, { last_name: 'Many', status_id: won.id, category_id: bulk.id });
    });

    it('runs as a job with progress page by page, then serves the file to its owner only', async () => {
      const res = await admin.get(`/api/v1/contacts/export?format=xlsx&mode=job&columns=id,name&category_id=${bulk.id}`).expect(202);
      expect(res.headers.location).to.equal(`/api/v1/exports/${res.body.id}`);
      expect(res.body).to.include({ state: 'running', delivery: 'file', file_url: null });
      const seen: JobInfo[] = [];
      const unsubscribe = host.jobs.subscribe(res.body.job_id, (job) => void seen.push(job));
      const job = await host.jobs.waitFor(res.body.job_id, 100_000);
      unsubscribe();
      expect(job.state, job.error ?? '').to.equal('done');
      expect(job.type).to.equal(JOB_TYPE);
      expect(job.result).to.deep.equal({ export_id: res.body.id, rows: 5000 });
      const steps = seen.filter((j) => j.state === 'running' && j.processed > 0 && j.processed < 5000).map((j) => j.processed);
      // Progress went up page by page on its way.
      expect(steps.length).to.be.greaterThan(0);
      for (const step of steps) expect(step % PAGE_SIZE).to.equal(0);

      const record = (await admin.get(`/api/v1/exports/${res.body.id}`).expect(200)).body;
      expect(record).to.include({ state: 'done', rows: 5000, file_url: `/api/v1/exports/${res.body.id}/file`, file_ready: true });
      const file = await admin.get(record.file_url).buffer(true).parse(binary).expect(200);
      const rows = await readXlsx(file.body as Buffer);
      expect(rows).to.have.length(5001);
      expect(rows.slice(1).map((r) => r[0])).to.deep.equal(ids);
      expect(rows[1]![1]).to.equal('Bulk00001 Many');

      const other = await host.userWithRights(['crm.access', 'crm.contacts.export']);
      const agent = await host.login(other.email, other.password);
      await agent.get(record.file_url).expect(404);
      await agent.get(`/crm/exports/${res.body.id}/file`).expect(404);
    });

    it('runs an export from the page as a job when asked (or when large) and shows its download link when done', async () => {
      const res = await admin.post('/crm/contacts/export').type('form').send({ _csrf: csrf, format: 'csv', columns: ['name', 'status'], filter: `category_id=${bulk.id}`, delimiter: 'semicolon', background: 'true' }).expect(303);
      const id = Number(/^\/crm\/exports\/(\d+)$/.exec(res.headers.location!)?.[1]);
      const record = (await admin.get(`/api/v1/exports/${id}`).expect(200)).body;
      await host.jobs.waitFor(record.job_id, 100_000);
      const page = await admin.get(`/crm/exports/${id}`).expect(200);
      expect(page.text).to.contain(`href="/crm/exports/${id}/file"`);
      const file = await admin.get(`/crm/exports/${id}/file`).expect(200);
      const rows = readCsv(file.text, ';');
      expect(rows).to.have.length(5001);
      expect(rows[1]).to.deep.equal(['Bulk00001 Many', 'Won']);
    });

    it('forgets files after a day', async () => {
      const { id, job_id } = (await admin.get(`/api/v1/contacts/export?format=csv&mode=job&columns=id&category_id=${bulk.id}`).expect(202)).body;
      await host.jobs.waitFor(job_id, 100_000);
      const [rows] = await host.db.query('SELECT file_name FROM crm_exports WHERE id = ?', { replacements: [id] });
      const file = path.join(host.config.dataDir, 'exports', (rows as Array<{ file_name: string }>)[0]!.file_name);
      expect(fs.existsSync(file)).to.equal(true);
      await host.db.query('UPDATE crm_exports SET expires_at = ? WHERE id = ?', { replacements: [new Date(Date.now() - 1000), id] });
      await admin.get(`/api/v1/exports/${id}/file`).expect(404);
      // The next export job clears expired files away.
      const next = (await admin.get('/api/v1/contacts/export?format=csv&mode=job&columns=id&kind=company').expect(202)).body;
      await host.jobs.waitFor(next.job_id, 100_000);
      expect(fs.existsSync(file)).to.equal(false);
      expect((await admin.get(`/api/v1/exports/${id}`).expect(200)).body).to.include({ file_ready: false, file_url: null });
    });
  });

  describe('the export page', () => {
    it('shows the filter’s count, the formats and the columns, and links from the list', async () => {
      // Handlebars writes "=" as "&#x3D;" in attributes.
      const html = (text: string) => text.replace(/&#x3D;/g, '=');
      const list = await admin.get(`/crm/contacts?status_id=${lead.id}`).expect(200);
      expect(html(list.text)).to.contain(`href="/crm/contacts/export?status_id=${lead.id}"`);
      const page = await admin.get(`/crm/contacts/export?status_id=${lead.id}`).expect(200);
      expect(page.text).to.contain('2 contacts');
      expect(html(page.text)).to.contain(`name="filter" value="status_id=${lead.id}"`);
      expect(page.text).to.contain('value="custom.industry"');
      expect(page.text).to.contain('value="io.export-probe.score"');
      const bad = await admin.get('/crm/contacts/export?custom.nope=1').expect(400);
      expect(bad.text).to.contain('data-testid="export-error"');
    });

    it('is a mass action of the list that leads to the export page for the selection, and not an API action', async () => {
      const list = await admin.get('/crm/contacts').expect(200);
      const modal = list.text.slice(list.text.indexOf('data-testid="action-modal-crm-export"'));
      expect(modal.slice(0, modal.indexOf('</form>'))).to.contain('action="/crm/contacts/export/selection"').and.to.contain('Opens the export page for the selected contacts');
      const res = await admin.post('/crm/contacts/export/selection').type('form').send({ _csrf: csrf, back: '/crm/contacts' }).expect(303);
      expect(res.headers.location).to.equal('/crm/contacts/export?selected=1');
      // Over the API an export is GET /api/v1/contacts/export: the action is neither listed nor run there.
      const actions = (await admin.get('/api/v1/list-actions').expect(200)).body.items.map((a: { id: string }) => a.id);
      expect(actions).to.include('crm.set-status').and.not.to.include('crm.export');
      await admin.post('/api/v1/list-actions/crm.export').set('X-CSRF-Token', csrf).send({ ids: [anna.id] }).expect(404);
      // Without the export right the menu has no Export.
      const editor = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
      const theirs = await (await host.login(editor.email, editor.password)).get('/crm/contacts').expect(200);
      expect(theirs.text).to.contain('data-testid="action-crm-set-status"').and.not.to.contain('data-testid="action-crm-export"');
    });

    it('downloads a small export straight from the form', async () => {
      const res = await admin.post('/crm/contacts/export').type('form').send({ _csrf: csrf, format: 'csv', columns: ['status', 'name'], filter: `status_id=${lead.id}`, bom: 'true' }).expect(200);
      expect(res.headers['content-disposition']).to.match(/^attachment; filename="contacts-.*\.csv"$/);
      expect(readCsv(res.text)).to.deep.equal([['Status', 'Name'], ['Lead', 'Anna Żółkiewska'], ['Lead', 'Secret Agent']]);
    });
  });
});
