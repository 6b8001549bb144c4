import { expect } from 'chai';
import { seeders } from '../../../host/api.js';
import { BulkInserter, HISTORY_COLUMNS } from '../services/bulk-rows.js';
import { BulkContactWriter } from '../seed/bulk-writer.js';
import { seedContactsInBulk, type BulkSeedProgress } from '../seed/bulk-seed.js';
import { actingAdmin, demoRefs } from '../seed/demo-context.js';
import { DemoGenerator, type DemoContact, type DemoUnit } from '../seed/generator.js';
import type { Contact } from '../api.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const NOW = new Date('2025-06-15T12:00:00Z');

function flatten(units: Iterable<DemoUnit>): DemoContact[] {
  return [...units].flatMap((u) => [...(u.company ? [u.company] : []), ...u.people]);
}

/** A contact without what necessarily differs between two copies of it. */
function comparable(c: Contact): Partial<Contact> {
  const { id: _id, created_at: _c, updated_at: _u, company_id: _co, ...rest } = c;
  return rest;
}

describe('Demo data: bulk seed for benchmarks', () => {
  let host: CrmTestHost;
  const progress: BulkSeedProgress[] = [];
  let expected: DemoContact[];

  before(async () => {
    host = await createCrmTestHost();
    for (const [name, color] of [['Lead', '#0d6efd'], ['Qualified', '#6f42c1'], ['Customer', '#198754']] as const) await host.dictionaries.create('status', { name, color });
    await host.dictionaries.create('category', { name: 'VIP' });
    await seedContactsInBulk(host.services, { contacts: 500, seed: 5, batchSize: 120, now: NOW, onProgress: (p) => progress.push(p) });
    // The same seed, refs and day give the same contacts: what the base must now hold.
    expected = flatten(new DemoGenerator(5, await demoRefs(host.services), NOW).units(500));
  });
  after(() => host.dispose());

  it('writes exactly the contacts asked for, batch by batch, reporting progress and rows', async () => {
    expect((await host.query.count(host.admin, {})).total).to.equal(500);
    expect(progress.length).to.be.within(4, 6);
    expect(progress.at(-1)).to.deep.include({ contacts: 500, total: 500 });
    expect(progress.at(-1)!.rows).to.be.greaterThan(2000);
    expect(progress.map((p) => p.contacts)).to.deep.equal([...progress.map((p) => p.contacts)].sort((a, b) => a - b));
  });

  it('creates the demo custom fields and fills them', async () => {
    const keys = (await host.fields.all()).map((f) => [f.key, f.type]);
    expect(keys).to.deep.include.members([['industry', 'select'], ['budget', 'money'], ['next_contact', 'date']]);
    const energy = expected.filter((c) => c.input.custom?.industry === 'Energy').length;
    expect(energy).to.be.greaterThan(0);
    expect((await host.query.count(host.admin, { custom: { industry: 'Energy' } })).total).to.equal(energy);
    const rich = expected.filter((c) => Number(c.input.custom?.budget ?? 0) >= 1_000_000).length;
    expect((await host.query.count(host.admin, { custom: { budget: { from: 1_000_000 } } })).total).to.equal(rich);
    const top = await host.query.list(host.admin, { sort: 'custom.budget', order: 'desc', limit: 1 });
    expect(top.items[0]!.custom.budget).to.equal(Math.max(...expected.map((c) => Number(c.input.custom?.budget ?? 0))));
  });

  it('is found by name in any case and without diacritics, by e-mail, phone and tax id', async () => {
    const find = async (q: string) => (await host.query.list(host.admin, { q, limit: 500 })).items.map((c) => c.name);
    const polish = expected.find((c) => c.locale === 'pl' && c.input.kind === 'person' && /[łśżźćńąęó]/i.test(c.input.last_name!))!;
    const name = `${polish.input.first_name} ${polish.input.last_name}`;
    const folded = polish.input.last_name!.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ł/g, 'l').replace(/Ł/g, 'L');
    expect(await find(folded.toUpperCase())).to.include(name);
    const russian = expected.find((c) => c.locale === 'ru' && c.input.kind === 'person' && c.input.middle_name)!;
    const full = `${russian.input.first_name} ${russian.input.middle_name} ${russian.input.last_name}`;
    expect(await find(russian.input.last_name!.slice(0, 4).toLowerCase())).to.include(full);
    expect(await find(`${russian.input.middle_name!.toUpperCase()} ${russian.input.first_name}`)).to.include(full);
    const ukrainianFirm = expected.find((c) => c.locale === 'uk' && c.input.kind === 'company' && c.input.tax_ids?.length)!;
    expect(await find(ukrainianFirm.input.tax_ids![0]!.value)).to.include(ukrainianFirm.input.company_name);
    const mailed = expected.find((c) => c.input.emails?.length && c.input.kind === 'person')!;
    expect(await find(mailed.input.emails![0]!.value.toUpperCase())).to.include(`${[mailed.input.first_name, mailed.input.middle_name, mailed.input.last_name].filter(Boolean).join(' ')}`);
    const called = expected.find((c) => c.input.phones?.length && c.locale === 'uk')!;
    expect((await host.query.list(host.admin, { q: called.input.phones![0]!.value })).items.length).to.be.greaterThan(0);
  });

  it('links employees to their companies and spreads statuses, categories and kinds', async () => {
    const companies = expected.filter((c) => c.input.kind === 'company').length;
    expect((await host.query.count(host.admin, { kind: 'company' })).total).to.equal(companies);
    const firms = await host.query.list(host.admin, { kind: 'company', limit: 500 });
    let employed = 0;
    for (const firm of firms.items) employed += (await host.query.count(host.admin, { company_id: firm.id })).total;
    expect(employed).to.be.greaterThan(companies);
    expect(employed).to.be.lessThan(500 - companies);
    const statuses = await host.dictionaries.list('status');
    const counts = await Promise.all(statuses.map(async (s) => (await host.query.count(host.admin, { status_id: [s.id] })).total));
    expect(counts.every((n) => n > 0)).to.equal(true);
    expect(counts[0]).to.be.greaterThan(counts[2]!);
    const withEmail = expected.filter((c) => c.input.emails?.length).length;
    expect((await host.query.count(host.admin, { has_email: true })).total).to.equal(withEmail);
    const old = (await host.query.count(host.admin, { created_to: '2024-06-15' })).total;
    expect(old).to.be.within(1, 499);
  });

  it('stores exactly what the contacts service stores for the same input', async () => {
    const generator = new DemoGenerator(99, await demoRefs(host.services), NOW);
    let unit: DemoUnit;
    do unit = generator.unit();
    while (!unit.company || unit.people.length < 2);
    const writer = new BulkContactWriter(host.db, { user: await actingAdmin(host.services), fields: (await demoRefs(host.services)).fields, defaultCountry: 'PL' });
    const { companyIds } = await writer.write([{ ...unit, buyerBack: null }]);
    const bulkCompany = await host.contacts.get(host.admin, companyIds[0]!);
    const bulkPeople = (await host.query.list(host.admin, { company_id: bulkCompany.id, sort: 'created_at' })).items;

    const company = await host.contacts.create(host.admin, unit.company.input);
    const people = [];
    for (const p of unit.people) people.push(await host.contacts.create(host.admin, { ...p.input, company_id: company.id }));

    expect(comparable(bulkCompany)).to.deep.equal(comparable(company));
    expect(bulkPeople.map(comparable)).to.have.deep.members(people.map(comparable));
    expect(bulkPeople.every((p) => p.company_id === bulkCompany.id)).to.equal(true);
    const terms = async (id: number) => ((await host.db.query('SELECT term FROM crm_search_terms WHERE contact_id = ? ORDER BY term', { replacements: [id] }))[0] as Array<{ term: string }>).map((t) => t.term);
    expect(await terms(bulkCompany.id)).to.deep.equal(await terms(company.id));
    const history = await host.history.list(host.admin, bulkCompany.id);
    expect(history.map((h) => [h.action, h.new_value, h.user_id])).to.deep.equal([['create', company.name, host.admin.id]]);
  });

  it('stores text with quotes, backslashes and NUL characters exactly, in multi-row INSERTs', async () => {
    const contact = await host.contacts.create(host.admin, { kind: 'person', last_name: 'Escaped' });
    const odd = 'a\u0000b \'quoted\' "double" back\\slash \u0000';
    const inserter = new BulkInserter(host.db);
    await host.db.transaction((transaction) => inserter.insert('crm_history', HISTORY_COLUMNS, [[contact.id, null, 'note', odd, null, null, new Date()]], transaction));
    const [rows] = await host.db.query("SELECT field FROM crm_history WHERE contact_id = ? AND action = 'note'", { replacements: [contact.id] });
    expect((rows as Array<{ field: string }>).map((r) => r.field)).to.deep.equal([odd]);
  });

  it('writes a batch whole or not at all', async () => {
    const before = (await host.query.count(host.admin, {})).total;
    const refs = await demoRefs(host.services);
    const broken = { ...refs.fields, next_contact: { ...refs.fields.next_contact!, id: 999_999 } }; // no such field: the last INSERTs fail
    const writer = new BulkContactWriter(host.db, { user: host.admin, fields: broken, defaultCountry: 'PL' });
    const units = [...new DemoGenerator(11, refs, NOW).units(300)];
    let failed = false;
    await writer.write(units).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect((await host.query.count(host.admin, {})).total).to.equal(before);
  });
});

describe('Demo data: first-start seeder', () => {
  let host: CrmTestHost;

  before(async () => {
    host = await createCrmTestHost();
  });
  after(() => host.dispose());

  it('is contributed after the dictionaries seeder (order 10) and before apps that build on contacts', () => {
    const seeder = host.extensions.list(seeders).find((s) => s.pluginId === 'crm' && s.id === 'crm-demo')!;
    expect(seeder.order).to.equal(50);
  });

  it('creates about 200 contacts through the contacts service as the administrator, coping with empty dictionaries', async function () {
    this.timeout(120_000);
    const seeder = host.extensions.list(seeders).find((s) => s.id === 'crm-demo')!;
    const summary = await seeder.run(host.services, {});
    expect(summary).to.match(/^200 demo contacts \(\d+ companies\)$/);
    expect((await host.query.count(host.admin, {})).total).to.equal(200);
    expect((await host.query.count(host.admin, { status_id: [0] })).total).to.equal(200);
    const firms = await host.query.list(host.admin, { kind: 'company', limit: 200 });
    expect(firms.items.length).to.be.within(25, 70);
    const employees = await Promise.all(firms.items.map((f) => host.query.count(host.admin, { company_id: f.id })));
    expect(employees.reduce((n, e) => n + e.total, 0)).to.be.greaterThan(60);
    const someone = (await host.query.list(host.admin, { kind: 'person', limit: 1 })).items[0]!;
    const history = await host.history.list(host.admin, someone.id);
    expect(history.map((h) => [h.action, h.user_id])).to.deep.equal([['create', host.admin.id]]);
    // Creation dates spread over the past years, history dated alike.
    const oldest = await host.query.list(host.admin, { sort: 'created_at', limit: 1 });
    expect(Date.parse(oldest.items[0]!.created_at)).to.be.below(Date.now() - 365 * 86_400_000);
    expect((await host.history.list(host.admin, oldest.items[0]!.id))[0]!.created_at).to.equal(oldest.items[0]!.created_at);
  });

  it('adds nothing to a base that already has contacts', async () => {
    const seeder = host.extensions.list(seeders).find((s) => s.id === 'crm-demo')!;
    expect(await seeder.run(host.services, {})).to.contain('not empty');
    expect((await host.query.count(host.admin, {})).total).to.equal(200);
  });
});
