/**
 * The contacts part of the REST API (DESIGN.md section 6): token sign-in, create and link,
 * list filters and cursors, search, versioned PATCH, bad input, history, tabs, notes, trash,
 * duplicate checks, access (403 without crm.access, 404 for contacts out of sight) and the
 * OpenAPI document.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { ADMIN, ROOT } from '../../../tests/support/test-host.js';
import type { Contact } from '../api.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const PROBE_PLUGINS = path.join(import.meta.dirname, 'fixtures', 'api-plugins');

type Method = 'get' | 'post' | 'patch' | 'delete';

/** Calls /api/v1 with a bearer token. */
function apiClient(host: CrmTestHost, token: string, language = 'en') {
  const call = (method: Method, url: string) => request(host.app!)[method](`/api/v1${url}`).set('Authorization', `Bearer ${token}`).set('Accept-Language', language);
  return {
    get: (url: string, query: Record<string, unknown> = {}) => call('get', url).query(query),
    post: (url: string, body?: unknown) => (body === undefined ? call('post', url) : call('post', url).send(body as object)),
    patch: (url: string, body: unknown) => call('patch', url).send(body as object),
    delete: (url: string) => call('delete', url),
  };
}
type Api = ReturnType<typeof apiClient>;

async function tokenOf(host: CrmTestHost, email: string, password: string): Promise<string> {
  const res = await request(host.app!).post('/api/v1/auth/token').send({ email, password });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.token as string;
}

const fieldsOf = (res: request.Response) => (res.body.error.details as Array<{ field: string }>).map((d) => d.field).sort();

describe('Contacts API', () => {
  let host: CrmTestHost;
  let api: Api;

  before(async () => {
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), PROBE_PLUGINS] });
    api = apiClient(host, await tokenOf(host, ADMIN.email, ADMIN.password));
  });
  after(() => host.dispose());

  const create = async (body: Record<string, unknown>): Promise<Contact> => {
    const res = await api.post('/contacts', body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as Contact;
  };

  describe('creating and reading', () => {
    it('answers 401 without a token and 401 with a wrong one', async () => {
      await request(host.app!).get('/api/v1/contacts').expect(401);
      await request(host.app!).get('/api/v1/contacts').set('Authorization', 'Bearer nope').expect(401);
    });

    it('creates a company and a person working there, in the contract shape, and lists the company’s employees', async () => {
      const company = await create({ kind: 'company', company_name: 'Ромашка Sp. z o.o.', domains: ['https://www.romashka.pl/about'], tax_ids: [{ type: 'nip', value: '856-734-62-15' }] });
      expect(company).to.include({ kind: 'company', name: 'Ромашка Sp. z o.o.', company_id: null, version: 1 });
      expect(company.domains).to.deep.equal(['romashka.pl']);
      expect(company.tax_ids).to.deep.equal([{ type: 'nip', value: '8567346215' }]);

      const person = await create({
        kind: 'person',
        first_name: 'Łukasz',
        last_name: 'Żółć',
        job_title: 'Kierownik',
        company_id: company.id,
        emails: [{ value: 'Lukasz.Zolc@Example.PL', consent: true }],
        phones: [{ value: '600 123 456', label: 'mobile' }],
      });
      expect(person).to.include.keys(
        'id', 'kind', 'name', 'first_name', 'middle_name', 'last_name', 'company_name', 'job_title', 'company_id', 'buyer_id', 'emails', 'phones',
        'status_id', 'category_id', 'class_id', 'responsible_id', 'tags', 'custom', 'version', 'created_at', 'updated_at',
      );
      expect(person).to.include({ name: 'Łukasz Żółć', company_id: company.id, version: 1 });
      expect(person.emails).to.deep.equal([{ value: 'lukasz.zolc@example.pl', label: null, primary: true, consent: true }]);
      expect(person.phones[0]).to.include({ label: 'mobile', primary: true });

      // MariaDB keeps whole seconds, so the stored timestamps may lose the milliseconds of the POST answer.
      const { created_at, updated_at, ...stored } = (await api.get(`/contacts/${person.id}`).expect(200)).body as Contact;
      const { created_at: postedAt, updated_at: _postedUpdate, ...posted } = person;
      expect(stored).to.deep.equal(posted);
      expect(Math.abs(Date.parse(created_at) - Date.parse(postedAt))).to.be.below(1000);
      expect(updated_at).to.be.a('string');
      const employees = (await api.get(`/contacts/${company.id}/employees`).expect(200)).body;
      expect(employees.items.map((c: Contact) => c.id)).to.deep.equal([person.id]);
      expect(employees).to.include({ total: 1, next_cursor: null });
      expect((await api.get(`/contacts/${person.id}/employees`).expect(200)).body.items).to.deep.equal([]);
    });

    it('answers 404 for ids that are not positive integers or do not exist', async () => {
      for (const id of ['0', '-1', '1.5', 'abc', '1e3', '99999999']) {
        const res = await api.get(`/contacts/${id}`);
        expect(res.status, id).to.equal(404);
        expect(res.body.error.code).to.equal('not_found');
      }
      await api.get('/contacts/abc/history').expect(404);
      await api.get('/contacts/99999999/tabs').expect(404);
      await api.patch('/contacts/abc', { version: 1 }).expect(404);
    });
  });

  describe('the list', () => {
    let gold: Contact, silver: Contact, plain: Contact;
    let lead: number, won: number;

    before(async () => {
      lead = (await api.post('/dictionaries/status', { name: 'Lead' }).expect(201)).body.id;
      won = (await api.post('/dictionaries/status', { name: 'Won' }).expect(201)).body.id;
      await api.post('/fields', { key: 'tier', type: 'select', labels: { en: 'Tier' }, options: ['gold', 'silver'] }).expect(201);
      await api.post('/fields', { key: 'budget', type: 'money', labels: { en: 'Budget' } }).expect(201);
      gold = await create({ kind: 'person', first_name: 'Anna', last_name: 'Filtrowska', status_id: lead, emails: [{ value: 'anna@filtry.pl' }], custom: { tier: 'gold', budget: 100 } });
      plain = await create({ kind: 'person', first_name: 'Jan', last_name: 'Filtrowski', phones: [{ value: '+48 601 000 111' }] });
      silver = await create({ kind: 'company', company_name: 'Filtrowski i Synowie', status_id: won, custom: { tier: 'silver', budget: 5000 } });
    });

    const ids = async (query: Record<string, unknown>) => {
      const res = await api.get('/contacts', { q: 'filtrow', ...query });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return (res.body.items as Contact[]).map((c) => c.id).sort((a, b) => a - b);
    };
    const sorted = (...list: Contact[]) => list.map((c) => c.id).sort((a, b) => a - b);

    it('answers {items, next_cursor, total, total_capped}, 50 per page by default', async () => {
      const body = (await api.get('/contacts').expect(200)).body;
      expect(body).to.have.all.keys('items', 'next_cursor', 'total', 'total_capped');
      expect(body.total_capped).to.equal(false);
      expect(body.items.length).to.equal(Math.min(50, body.total));
    });

    it('filters by kind, status (comma-separated, repeated, 0 for none), email and phone presence', async () => {
      expect(await ids({})).to.deep.equal(sorted(gold, plain, silver));
      expect(await ids({ kind: 'company' })).to.deep.equal(sorted(silver));
      expect(await ids({ status_id: `${lead},0` })).to.deep.equal(sorted(gold, plain));
      expect(await ids({ status_id: [lead, won] })).to.deep.equal(sorted(gold, silver));
      expect(await ids({ has_email: true })).to.deep.equal(sorted(gold));
      expect(await ids({ has_phone: true })).to.deep.equal(sorted(plain));
      expect(await ids({ has_phone: false, kind: 'person' })).to.deep.equal(sorted(gold));
      expect(await ids({ responsible_id: '0', category_id: '0', class_id: '0' })).to.deep.equal(sorted(gold, plain, silver));
    });

    it('filters by creation date range', async () => {
      const today = new Date().toISOString().slice(0, 10);
      expect(await ids({ created_from: today, created_to: today })).to.deep.equal(sorted(gold, plain, silver));
      expect(await ids({ created_to: '2000-01-01' })).to.deep.equal([]);
      expect((await api.get('/contacts', { created_from: '2024-02-30' })).status).to.equal(400);
    });

    it('filters by custom fields: any of a list, or a from/to range, and sorts by them', async () => {
      expect(await ids({ 'custom.tier': 'gold,silver' })).to.deep.equal(sorted(gold, silver));
      expect(await ids({ 'custom.tier': 'silver' })).to.deep.equal(sorted(silver));
      expect(await ids({ 'custom.budget.from': '1000' })).to.deep.equal(sorted(silver));
      expect(await ids({ 'custom.budget.from': '50', 'custom.budget.to': '200' })).to.deep.equal(sorted(gold));
      const desc = (await api.get('/contacts', { q: 'filtrow', 'custom.tier': 'gold,silver', sort: 'custom.budget', order: 'desc' }).expect(200)).body.items;
      expect(desc.map((c: Contact) => c.id)).to.deep.equal([silver.id, gold.id]);
      const both = await api.get('/contacts', { 'custom.budget': '1', 'custom.budget.from': '1' });
      expect(both.status).to.equal(400);
      expect(fieldsOf(both)).to.have.length(1);
      expect(fieldsOf(await api.get('/contacts', { 'custom.nope': 'x' }).expect(400))).to.deep.equal(['custom.nope']);
      await api.get('/contacts', { 'custom.budget.from': 'lots' }).expect(400);
    });

    it('refuses unknown parameters, unknown conditions, bad JSON, bad ids, bad sorts and out-of-range limits with 400', async () => {
      expect(fieldsOf(await api.get('/contacts', { colour: 'red' }).expect(400))).to.deep.equal(['colour']);
      expect(fieldsOf(await api.get('/contacts', { 'condition.nobody.nothing': '{}' }).expect(400))).to.deep.equal(['conditions.nobody.nothing']);
      expect(fieldsOf(await api.get('/contacts', { 'condition.orders.product': '{not json' }).expect(400))).to.deep.equal(['condition.orders.product']);
      await api.get('/contacts', { 'condition.orders.product': '[1]' }).expect(400);
      await api.get('/contacts', { status_id: 'abc' }).expect(400);
      await api.get('/contacts', { status_id: '1,,2' }).expect(400);
      await api.get('/contacts', { sort: 'password' }).expect(400);
      await api.get('/contacts', { order: 'sideways' }).expect(400);
      await api.get('/contacts', { limit: 0 }).expect(400);
      await api.get('/contacts', { limit: 501 }).expect(400);
      await api.get('/contacts', { kind: 'robot' }).expect(400);
      await api.get('/contacts', { cursor: 'garbage' }).expect(400);
      await api.get('/contacts', { limit: 500 }).expect(200);
    });

    it('pages with keyset cursors, without skipping or repeating, counting only the first page', async () => {
      for (const [sort, order] of [['name', 'asc'], ['created_at', 'desc'], ['custom.budget', 'asc']] as const) {
        const seen: number[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const body = (await api.get('/contacts', { q: 'filtrow', limit: 1, sort, order, ...(cursor ? { cursor } : {}) }).expect(200)).body;
          expect(body.total, `page ${pages} by ${sort}`).to.equal(pages === 0 ? 3 : null);
          seen.push(...body.items.map((c: Contact) => c.id));
          cursor = body.next_cursor ?? undefined;
          pages++;
        } while (cursor && pages < 10);
        expect(seen.length, sort).to.equal(3);
        expect([...seen].sort((a, b) => a - b), sort).to.deep.equal(sorted(gold, plain, silver));
      }
    });
  });

  describe('search', () => {
    before(async () => {
      await create({ kind: 'person', first_name: 'Małgorzata', last_name: 'Śliwińska' });
      await create({ kind: 'person', first_name: 'Иван', last_name: 'Петров' });
      await create({ kind: 'person', first_name: 'Олена', last_name: 'Шевченко' });
      await create({ kind: 'person', first_name: 'Юлія', last_name: 'Їжакевич' });
    });
    const names = async (q: string) => ((await api.get('/contacts', { q }).expect(200)).body.items as Contact[]).map((c) => c.name);

    it('finds Polish names in any case, with or without diacritics', async () => {
      for (const q of ['ŚLIWIŃSKA', 'śliwińska', 'sliwinska', 'MAŁGO', 'malgorzata sliw']) expect(await names(q), q).to.include('Małgorzata Śliwińska');
      for (const q of ['ŻÓŁĆ', 'zolc', 'łUKASZ']) expect(await names(q), q).to.include('Łukasz Żółć');
    });

    it('finds Russian and Ukrainian names in any case', async () => {
      for (const q of ['ПЕТРОВ', 'петр', 'иВАН']) expect(await names(q), q).to.include('Иван Петров');
      for (const q of ['ШЕВЧЕНКО', 'шевч', 'олена']) expect(await names(q), q).to.include('Олена Шевченко');
      for (const q of ['ЇЖАКЕВИЧ', 'їжак', 'юлія']) expect(await names(q), q).to.include('Юлія Їжакевич');
      expect(await names('Сидоров')).to.deep.equal([]);
    });

    it('finds by email, phone and tax id', async () => {
      expect(await names('LUKASZ.ZOLC@example.pl')).to.deep.equal(['Łukasz Żółć']);
      expect(await names('+48 600-123-456')).to.deep.equal(['Łukasz Żółć']);
      expect(await names('8567346215')).to.deep.equal(['Ромашка Sp. z o.o.']);
    });
  });

  describe('changing', () => {
    it('changes a contact with the current version and refuses a stale one with 409 and the current values', async () => {
      const c = await create({ kind: 'person', first_name: 'Olga', last_name: 'Wersja' });
      const first = (await api.patch(`/contacts/${c.id}`, { version: 1, job_title: 'Manager' }).expect(200)).body;
      expect(first).to.include({ job_title: 'Manager', version: 2 });
      const stale = await api.patch(`/contacts/${c.id}`, { version: 1, job_title: 'Director' }).expect(409);
      expect(stale.body.error.code).to.equal('conflict');
      expect(stale.body.error.message).to.be.a('string').and.not.match(/^crm:/);
      expect(stale.body.error.details.current).to.include({ id: c.id, job_title: 'Manager', version: 2 });
      expect((await api.get(`/contacts/${c.id}`)).body.job_title).to.equal('Manager');
      expect(fieldsOf(await api.patch(`/contacts/${c.id}`, { job_title: 'No version' }).expect(400))).to.deep.equal(['version']);
    });

    it('refuses bad input with a translated error per field and saves nothing', async () => {
      const before = (await api.get('/contacts')).body.total;
      const pl = apiClient(host, await tokenOf(host, ADMIN.email, ADMIN.password), 'pl');
      const res = await pl.post('/contacts', {
        kind: 'person',
        first_name: 'Zły',
        emails: [{ value: 'not-an-email' }],
        phones: [{ value: '12' }],
        tax_ids: [{ type: 'nip', value: '8567346216' }],
      });
      expect(res.status).to.equal(400);
      expect(fieldsOf(res)).to.deep.equal(['emails.0.value', 'phones.0.value', 'tax_ids.0.value']);
      const plErrors = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'locales', 'pl', 'errors.json'), 'utf8'));
      const details = res.body.error.details as Array<{ field: string; message: string }>;
      expect(details.find((d) => d.field === 'emails.0.value')!.message).to.equal(plErrors.invalid_email);
      expect(details.find((d) => d.field === 'tax_ids.0.value')!.message).to.equal(plErrors.tax_id_checksum.replace('{{type}}', 'NIP'));

      const huge = await api.post('/contacts', { kind: 'person', first_name: 'x'.repeat(1024 * 1024) });
      expect(huge.status).to.be.oneOf([400, 413]);
      expect(huge.body.error.code).to.be.a('string');
      expect(fieldsOf(await api.post('/contacts', { kind: 'person', first_name: 'x'.repeat(1000) }).expect(400))).to.deep.equal(['first_name']);

      expect(fieldsOf(await api.post('/contacts', { kind: 'person', last_name: 'Known', nickname: 'Unknown' }).expect(400))).to.deep.equal(['nickname']);
      expect(fieldsOf(await api.post('/contacts', { kind: 'person', first_name: 12 }).expect(400))).to.deep.equal(['first_name']);
      expect(fieldsOf(await api.post('/contacts', { kind: 'person', last_name: 'X', emails: 'a@b.pl' }).expect(400))).to.deep.equal(['emails']);
      expect(fieldsOf(await api.post('/contacts', { kind: 'robot', last_name: 'X' }).expect(400))).to.deep.equal(['kind']);
      expect(fieldsOf(await api.post('/contacts', { last_name: 'No kind' }).expect(400))).to.deep.equal(['kind']);
      expect(fieldsOf(await api.post('/contacts', { kind: 'person', last_name: 'X', company_id: 'one' }).expect(400))).to.deep.equal(['company_id']);
      expect(fieldsOf(await api.post('/contacts', { kind: 'person', last_name: 'X', custom: { nope: 1 } }).expect(400))).to.deep.equal(['custom.nope']);
      expect(fieldsOf(await api.post('/contacts', { kind: 'person', last_name: 'X', status_id: 999999 }).expect(400))).to.deep.equal(['status_id']);
      expect((await api.post('/contacts', { kind: 'person' }).expect(400)).body.error.details).to.have.length(1);
      await api.post('/contacts').set('Content-Type', 'application/json').send('{"kind": "person",').expect(400);
      await api.post('/contacts').set('Content-Type', 'text/plain').send('kind=person').expect(415);

      const c = await create({ kind: 'person', first_name: 'Stay', last_name: 'Same' });
      const bad = await api.patch(`/contacts/${c.id}`, { version: 1, job_title: 'Changed', emails: [{ value: 'broken@' }] });
      expect(bad.status).to.equal(400);
      expect(fieldsOf(bad)).to.deep.equal(['emails.0.value']);
      expect((await api.get(`/contacts/${c.id}`)).body).to.include({ job_title: null, version: 1 });
      expect((await api.get('/contacts')).body.total).to.equal(before + 1);
    });

    it('keeps the history of changes, with filters and pages', async () => {
      const c = await create({ kind: 'person', first_name: 'Historia', last_name: 'Zmian' });
      await api.patch(`/contacts/${c.id}`, { version: 1, job_title: 'One' }).expect(200);
      await api.patch(`/contacts/${c.id}`, { version: 2, job_title: 'Two', phones: [{ value: '+48 602 000 333' }] }).expect(200);
      const all = (await api.get(`/contacts/${c.id}/history`).expect(200)).body;
      expect(all.items.map((h: { action: string; field: string | null }) => `${h.action}:${h.field}`)).to.deep.equal(['update:phones', 'update:job_title', 'update:job_title', 'create:null']);
      expect(all.next_before).to.equal(null);
      const titles = (await api.get(`/contacts/${c.id}/history`, { field: 'job_title' }).expect(200)).body.items;
      expect(titles.map((h: { old_value: unknown; new_value: unknown }) => [h.old_value, h.new_value])).to.deep.equal([['One', 'Two'], [null, 'One']]);
      expect(titles[0]).to.include({ user_name: 'Administrator', restorable: true }).and.to.include.keys('created_at', 'user_id');
      expect((await api.get(`/contacts/${c.id}/history`, { action: 'create' })).body.items).to.have.length(1);
      const first = (await api.get(`/contacts/${c.id}/history`, { limit: 2 }).expect(200)).body;
      expect(first.items).to.have.length(2);
      const second = (await api.get(`/contacts/${c.id}/history`, { limit: 2, before: first.next_before }).expect(200)).body;
      expect([...first.items, ...second.items].map((h: { id: number }) => h.id)).to.deep.equal(all.items.map((h: { id: number }) => h.id));
      await api.get(`/contacts/${c.id}/history`, { limit: 0 }).expect(400);
      await api.get(`/contacts/${c.id}/history`, { color: 'red' }).expect(400);
    });
  });

  describe('tabs', () => {
    it('lists the card’s tabs with counts, reports a failing tab without failing, and leaves out tabs that do not apply', async () => {
      const company = await create({ kind: 'company', company_name: 'Tabbed' });
      const person = await create({ kind: 'person', last_name: 'Tabbed' });
      const tabs = (await api.get(`/contacts/${company.id}/tabs`).expect(200)).body.items as Array<Record<string, unknown>>;
      for (const t of tabs) expect(t).to.have.all.keys('key', 'plugin', 'id', 'title', 'count', 'failed');
      const probe = Object.fromEntries(tabs.filter((t) => t.plugin === 'api-probe').map((t) => [t.id, t]));
      expect(probe.counted).to.deep.equal({ key: 'api-probe.counted', plugin: 'api-probe', id: 'counted', title: 'counted', count: 'Tabbed'.length, failed: false });
      expect(probe.broken).to.include({ count: null, failed: true });
      expect(probe.companies).to.include({ count: null, failed: false });
      const personTabs = (await api.get(`/contacts/${person.id}/tabs`).expect(200)).body.items as Array<{ key: string }>;
      expect(personTabs.map((t) => t.key)).to.include('api-probe.counted').and.not.include('api-probe.companies');
    });
  });

  describe('notes', () => {
    it('adds, lists, pins, edits and deletes notes; only the author edits or deletes', async () => {
      const c = await create({ kind: 'person', first_name: 'Notatka', last_name: 'Testowa' });
      const mine = (await api.post(`/contacts/${c.id}/notes`, { body: '  Called about the offer  ' }).expect(201)).body;
      expect(mine).to.include({ contact_id: c.id, body: 'Called about the offer', pinned: false, author_name: 'Administrator', can_edit: true });

      const colleague = await host.userWithRights(['crm.access']);
      const other = apiClient(host, await tokenOf(host, colleague.email, colleague.password));
      const theirs = (await other.post(`/contacts/${c.id}/notes`, { body: 'Sent the contract' }).expect(201)).body;
      expect((await other.patch(`/contacts/${c.id}/notes/${mine.id}`, { body: 'Hijacked' }).expect(403)).body.error.code).to.equal('forbidden');
      await other.delete(`/contacts/${c.id}/notes/${mine.id}`).expect(403);
      expect((await other.patch(`/contacts/${c.id}/notes/${theirs.id}`, { body: 'Sent the signed contract' }).expect(200)).body.body).to.equal('Sent the signed contract');
      expect((await other.patch(`/contacts/${c.id}/notes/${mine.id}`, { pinned: true }).expect(200)).body.pinned).to.equal(true);

      const list = (await api.get(`/contacts/${c.id}/notes`).expect(200)).body.items as Array<{ id: number; body: string; can_edit: boolean }>;
      expect(list.map((n) => n.id)).to.deep.equal([mine.id, theirs.id]);
      expect((await other.get(`/contacts/${c.id}/notes`)).body.items.map((n: { can_edit: boolean }) => n.can_edit)).to.deep.equal([false, true]);

      expect((await api.patch(`/contacts/${c.id}/notes/${mine.id}`, { body: 'Called twice', pinned: false }).expect(200)).body).to.include({ body: 'Called twice', pinned: false });
      await api.delete(`/contacts/${c.id}/notes/${mine.id}`).expect(204);
      expect((await api.get(`/contacts/${c.id}/notes`)).body.items.map((n: { id: number }) => n.id)).to.deep.equal([theirs.id]);
      const history = (await api.get(`/contacts/${c.id}/history`)).body.items.map((h: { action: string }) => h.action);
      expect(history).to.include.members(['note.add', 'note.edit', 'note.delete']);
    });

    it('refuses empty or unknown input, and answers 404 for notes of another contact or bad ids', async () => {
      const a = await create({ kind: 'person', last_name: 'NoteA' });
      const b = await create({ kind: 'person', last_name: 'NoteB' });
      const note = (await api.post(`/contacts/${a.id}/notes`, { body: 'On A' }).expect(201)).body;
      expect(fieldsOf(await api.post(`/contacts/${a.id}/notes`, { body: '   ' }).expect(400))).to.deep.equal(['body']);
      expect(fieldsOf(await api.post(`/contacts/${a.id}/notes`, {}).expect(400))).to.deep.equal(['body']);
      await api.post(`/contacts/${a.id}/notes`, { body: 'x'.repeat(20001) }).expect(400);
      await api.post(`/contacts/${a.id}/notes`, { body: 'ok', author_id: 5 }).expect(400);
      await api.patch(`/contacts/${a.id}/notes/${note.id}`, {}).expect(400);
      await api.patch(`/contacts/${a.id}/notes/${note.id}`, { pinned: 'yes' }).expect(400);
      await api.patch(`/contacts/${b.id}/notes/${note.id}`, { body: 'Moved?' }).expect(404);
      await api.delete(`/contacts/${b.id}/notes/${note.id}`).expect(404);
      await api.delete(`/contacts/${a.id}/notes/abc`).expect(404);
      await api.get('/contacts/99999999/notes').expect(404);
      await api.post('/contacts/99999999/notes', { body: 'Nobody' }).expect(404);
    });
  });

  describe('trash', () => {
    it('moves to the trash (404 on GET, listed with trash=true), restores, and purges only from the trash', async () => {
      const c = await create({ kind: 'person', first_name: 'Kosz', last_name: 'Śmieciowy' });
      await api.delete(`/contacts/${c.id}`).expect(204);
      await api.get(`/contacts/${c.id}`).expect(404);
      await api.get(`/contacts/${c.id}/tabs`).expect(404);
      await api.patch(`/contacts/${c.id}`, { version: 2, job_title: 'x' }).expect(404);
      expect((await api.get('/contacts', { q: 'śmieciowy' })).body.items).to.deep.equal([]);
      const trash = (await api.get('/contacts', { q: 'śmieciowy', trash: true }).expect(200)).body.items as Contact[];
      expect(trash.map((x) => x.id)).to.deep.equal([c.id]);
      expect(trash[0]!.deleted_at).to.be.a('string');

      const restored = (await api.post(`/contacts/${c.id}/restore`).expect(200)).body;
      expect(restored).to.include({ id: c.id, deleted_at: null });
      expect((await api.delete(`/contacts/${c.id}/purge`).expect(409)).body.error.code).to.equal('conflict');

      const cleaner = await host.userWithRights(['crm.access', 'crm.contacts.delete']);
      const noPurge = apiClient(host, await tokenOf(host, cleaner.email, cleaner.password));
      await noPurge.delete(`/contacts/${c.id}`).expect(204);
      await noPurge.delete(`/contacts/${c.id}/purge`).expect(403);
      await api.delete(`/contacts/${c.id}/purge`).expect(204);
      expect((await api.get('/contacts', { q: 'śmieciowy', trash: true })).body.items).to.deep.equal([]);
      await api.post(`/contacts/${c.id}/restore`).expect(404);
    });
  });

  describe('duplicate check', () => {
    it('finds visible contacts sharing an email, phone or tax id, however they are written', async () => {
      const check = async (query: Record<string, unknown>) => (await api.get('/contacts/duplicates-check', query).expect(200)).body.items as Array<{ id: number; name: string; kind: string; matches: string[] }>;
      const lukasz = (await check({ email: ' LUKASZ.ZOLC@EXAMPLE.PL ' }))[0]!;
      expect(lukasz).to.include({ name: 'Łukasz Żółć', kind: 'person' });
      expect(lukasz.matches).to.deep.equal(['email']);
      expect((await check({ email: 'lukasz.zolc@example.pl', phone: '+48600123456' }))[0]!.matches.sort()).to.deep.equal(['email', 'phone']);
      expect((await check({ phone: '600-123-456' })).map((m) => m.name)).to.deep.equal(['Łukasz Żółć']);
      expect((await check({ tax_id: 'PL 856-734-62-15' })).map((m) => m.name)).to.deep.equal(['Ромашка Sp. z o.o.']);
      expect((await check({ tax_id: '8567346215', tax_id_type: 'nip' })).map((m) => m.matches)).to.deep.equal([['tax_id']]);
      expect(await check({ email: 'lukasz.zolc@example.pl', exclude_id: lukasz.id })).to.deep.equal([]);
      expect(await check({ email: 'lukasz.zo' })).to.deep.equal([]);
      expect(await check({})).to.deep.equal([]);
      await api.get('/contacts/duplicates-check', { tax_id_type: 'ssn', tax_id: '1' }).expect(400);
      await api.get('/contacts/duplicates-check', { name: 'x' }).expect(400);
    });
  });

  describe('access', () => {
    const concrete = (p: string) => p.replace('/api/v1', '').replace(':name', 'status').replace(/:[A-Za-z]+/g, '1');

    it('answers 403 on every CRM API route to users without crm.access, whatever other CRM rights they hold', async () => {
      const routes = host.routes.inventory().filter((r) => r.pluginId === 'crm' && r.api);
      expect(routes.length).to.be.at.least(25);
      const nobody = await host.userWithRights([]);
      const noAccess = await host.userWithRights(['crm.contacts.create', 'crm.contacts.edit', 'crm.contacts.delete', 'crm.trash.purge', 'crm.settings.manage']);
      for (const user of [nobody, noAccess]) {
        const client = apiClient(host, await tokenOf(host, user.email, user.password));
        for (const r of routes) {
          const res = await (r.method === 'get' || r.method === 'delete' ? client[r.method](concrete(r.path)) : client[r.method as 'post' | 'patch'](concrete(r.path), {}));
          expect(res.status, `${r.method} ${r.path} as ${user.email}`).to.equal(403);
        }
      }
    });

    it('answers 404 everywhere for a contact outside the caller’s access scope, and never lists or matches it', async () => {
      const restricted = await host.userWithRights(['crm.access', 'crm.contacts.create', 'crm.contacts.edit', 'crm.contacts.delete', 'crm.trash.purge'], 'restricted-1@example.com');
      const client = apiClient(host, await tokenOf(host, restricted.email, restricted.password));
      const hidden = await create({ kind: 'company', company_name: 'Ukryta Spółka', emails: [{ value: 'hidden@ukryta.pl' }] });
      const note = (await api.post(`/contacts/${hidden.id}/notes`, { body: 'Secret' }).expect(201)).body;
      const own = await create({ kind: 'person', last_name: 'Własny', responsible_id: restricted.id, emails: [{ value: 'own@ukryta.pl' }] });

      const id = hidden.id;
      const attempts = [
        client.get(`/contacts/${id}`),
        client.patch(`/contacts/${id}`, { version: 1, job_title: 'x' }),
        client.delete(`/contacts/${id}`),
        client.post(`/contacts/${id}/restore`),
        client.delete(`/contacts/${id}/purge`),
        client.get(`/contacts/${id}/history`),
        client.get(`/contacts/${id}/tabs`),
        client.get(`/contacts/${id}/employees`),
        client.get(`/contacts/${id}/notes`),
        client.post(`/contacts/${id}/notes`, { body: 'Hello' }),
        client.patch(`/contacts/${id}/notes/${note.id}`, { pinned: true }),
        client.delete(`/contacts/${id}/notes/${note.id}`),
      ];
      (await Promise.all(attempts)).forEach((res, i) => expect(res.status, `attempt ${i}: ${JSON.stringify(res.body)}`).to.equal(404));
      // Nor may it be linked to, which would reveal that it exists.
      expect(fieldsOf(await client.patch(`/contacts/${own.id}`, { version: 1, company_id: id }).expect(400))).to.deep.equal(['company_id']);

      expect((await client.get(`/contacts/${own.id}`).expect(200)).body.id).to.equal(own.id);
      const listed = (await client.get('/contacts', { q: 'ukryta' }).expect(200)).body;
      expect(listed.total).to.equal(0);
      const all = (await client.get('/contacts').expect(200)).body;
      expect(all.items.map((c: Contact) => c.id)).to.deep.equal([own.id]);
      expect((await client.get('/contacts/duplicates-check', { email: 'hidden@ukryta.pl' })).body.items).to.deep.equal([]);
      expect((await client.get('/contacts/duplicates-check', { email: 'own@ukryta.pl' })).body.items.map((m: { id: number }) => m.id)).to.deep.equal([own.id]);
      expect((await api.get(`/contacts/${id}/notes`)).body.items).to.have.length(1);
    });
  });

  describe('the OpenAPI document', () => {
    it('lists every CRM path with a summary and the right it requires', async () => {
      const doc = (await request(host.app!).get('/api/v1/openapi.json').expect(200)).body;
      const expected: Record<string, string[]> = {
        '/contacts': ['get', 'post'],
        '/contacts/duplicates-check': ['get'],
        '/contacts/{id}': ['get', 'patch', 'delete'],
        '/contacts/{id}/restore': ['post'],
        '/contacts/{id}/purge': ['delete'],
        '/contacts/{id}/history': ['get'],
        '/contacts/{id}/tabs': ['get'],
        '/contacts/{id}/employees': ['get'],
        '/contacts/{id}/notes': ['get', 'post'],
        '/contacts/{id}/notes/{noteId}': ['patch', 'delete'],
        '/fields': ['get', 'post'],
        '/fields/order': ['post'],
        '/fields/{id}': ['patch', 'delete'],
        '/dictionaries/{name}': ['get', 'post'],
        '/dictionaries/{name}/order': ['post'],
        '/dictionaries/{name}/{id}': ['patch', 'delete'],
      };
      for (const [p, methods] of Object.entries(expected)) {
        for (const m of methods) {
          const op = doc.paths[p]?.[m];
          expect(op, `${m} ${p}`).to.be.an('object');
          expect(op.summary, `${m} ${p}`).to.be.a('string').and.not.match(/^(GET|POST|PATCH|DELETE) /);
          expect(op['x-required-right'], `${m} ${p}`).to.match(/^crm\./);
        }
      }
      const listParams = doc.paths['/contacts'].get.parameters.map((p: { name: string }) => p.name);
      expect(listParams).to.include.members(['q', 'kind', 'status_id', 'created_from', 'has_email', 'company_id', 'trash', 'sort', 'order', 'limit', 'cursor']);
      expect(doc.paths['/contacts'].post.requestBody.content['application/json'].schema.required).to.deep.equal(['kind']);
    });
  });
});
