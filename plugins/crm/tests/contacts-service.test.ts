import { expect } from 'chai';
import { HttpError } from '../../../host/api.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('Contacts service', () => {
  let host: CrmTestHost;

  before(async () => {
    host = await createCrmTestHost();
  });
  after(() => host.dispose());

  it('creates a person with normalized channels and a display name', async () => {
    const c = await host.contacts.create(host.admin, {
      kind: 'person',
      first_name: ' Łukasz ',
      last_name: 'Żółć',
      emails: [{ value: 'Lukasz.Zolc@Example.PL' }],
      phones: [{ value: '600-123-456', label: 'mobile' }],
      tax_ids: [{ type: 'pesel', value: '44051401359' }],
    });
    expect(c.name).to.equal('Łukasz Żółć');
    expect(c.emails).to.deep.equal([{ value: 'lukasz.zolc@example.pl', label: null, primary: true, consent: false }]);
    expect(c.phones[0]!.value).to.contain('+48');
    expect(c.version).to.equal(1);
  });

  it('links a person to a company, and a company to its payer', async () => {
    const payer = await host.contacts.create(host.admin, { kind: 'company', company_name: 'Payer Group' });
    const company = await host.contacts.create(host.admin, { kind: 'company', company_name: 'ООО Ромашка', buyer_id: payer.id, domains: ['https://www.romashka.ru/about'] });
    const person = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Иван', last_name: 'Петров', company_id: company.id, job_title: 'CEO' });
    expect(person.company_id).to.equal(company.id);
    expect(company.domains).to.deep.equal(['romashka.ru']);
    const employees = await host.query.list(host.admin, { company_id: company.id });
    expect(employees.items.map((c) => c.id)).to.deep.equal([person.id]);
  });

  it('rejects invalid input with a translated reason per field and saves nothing', async () => {
    const before = (await host.query.count(host.admin, {})).total;
    const err = await rejection(
      host.contacts.create(host.admin, {
        kind: 'person',
        first_name: 'X',
        emails: [{ value: 'not-an-email' }],
        phones: [{ value: '12' }],
        tax_ids: [{ type: 'nip', value: '1234567890' }],
        custom: { nope: 1 },
        status_id: 99999,
      }),
    );
    expect(err.status).to.equal(400);
    const fields = (err.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).to.deep.equal(['custom.nope', 'emails.0.value', 'phones.0.value', 'status_id', 'tax_ids.0.value']);
    expect((await host.query.count(host.admin, {})).total).to.equal(before);
  });

  it('refuses a stale version with 409 and the current values', async () => {
    const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Anna', last_name: 'Nowak' });
    const first = await host.contacts.update(host.admin, c.id, { job_title: 'Manager' }, c.version);
    expect(first.version).to.equal(2);
    const err = await rejection(host.contacts.update(host.admin, c.id, { job_title: 'Director' }, c.version));
    expect(err.status).to.equal(409);
    expect((err.details as { current: { job_title: string } }).current.job_title).to.equal('Manager');
  });

  it('records every change in history, in the same transaction, and can list it', async () => {
    const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Olena', last_name: 'Shevchenko' });
    const status = await host.dictionaries.create('status', { name: 'Lead', color: '#0d6efd' });
    const updated = await host.contacts.update(host.admin, c.id, { status_id: status.id, emails: [{ value: 'olena@example.com' }] }, c.version);
    const history = await host.history.list(host.admin, c.id);
    expect(history.map((h) => [h.action, h.field])).to.deep.include.members([['create', null], ['update', 'status_id'], ['update', 'emails']]);
    const statusChange = history.find((h) => h.field === 'status_id')!;
    expect([statusChange.old_value, statusChange.new_value, statusChange.restorable]).to.deep.equal([null, status.id, true]);
    expect(updated.version).to.equal(2);
  });

  it('finds contacts by any name word, ignoring case and diacritics, and by email, phone or tax id', async () => {
    const find = async (q: string) => (await host.query.list(host.admin, { q })).items.map((c) => c.name);
    expect(await find('łuk')).to.include('Łukasz Żółć');
    expect(await find('ZOLC')).to.include('Łukasz Żółć');
    expect(await find('пЕтр')).to.include('Иван Петров');
    expect(await find('ромашка')).to.include('ООО Ромашка');
    expect(await find('lukasz.zolc@')).to.include('Łukasz Żółć');
    expect(await find('600 123 456')).to.include('Łukasz Żółć');
    expect(await find('4405140')).to.include('Łukasz Żółć');
    expect(await find('nobody-at-all')).to.deep.equal([]);
  });

  it('filters and sorts by a custom field', async () => {
    await host.fields.create({ key: 'budget', type: 'money', labels: { en: 'Budget' } });
    await host.fields.create({ key: 'segment', type: 'select', labels: { en: 'Segment' }, options: ['A', 'B'] });
    const a = await host.contacts.create(host.admin, { kind: 'company', company_name: 'Alpha', custom: { budget: 1500, segment: 'A' } });
    const b = await host.contacts.create(host.admin, { kind: 'company', company_name: 'Beta', custom: { budget: '700.50', segment: 'B' } });
    expect(b.custom).to.deep.equal({ budget: 700.5, segment: 'B' });
    const rich = await host.query.list(host.admin, { custom: { budget: { from: 1000 } } });
    expect(rich.items.map((c) => c.id)).to.deep.equal([a.id]);
    const sorted = await host.query.list(host.admin, { custom: { segment: ['A', 'B'] }, sort: 'custom.budget', order: 'desc' });
    expect(sorted.items.map((c) => c.id)).to.deep.equal([a.id, b.id]);
  });

  it('pages through the list with keyset cursors without skipping or repeating', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await host.query.list(host.admin, { limit: 2, cursor, sort: 'name' });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const all = await host.query.ids(host.admin, {});
    expect([...seen].sort((x, y) => x - y)).to.deep.equal(all);
  });

  it('moves to the trash, restores, and purges only from the trash', async () => {
    const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Trash', last_name: 'Me' });
    await host.contacts.remove(host.admin, c.id);
    expect((await rejection(host.contacts.get(host.admin, c.id))).status).to.equal(404);
    expect((await host.query.list(host.admin, { trash: true })).items.map((x) => x.id)).to.include(c.id);
    await host.contacts.restore(host.admin, c.id);
    expect((await host.contacts.get(host.admin, c.id)).deleted_at).to.equal(null);
    expect((await rejection(host.contacts.purge(host.admin, c.id))).status).to.equal(409);
    await host.contacts.remove(host.admin, c.id);
    await host.contacts.purge(host.admin, c.id);
    expect((await rejection(host.contacts.get(host.admin, c.id, { withDeleted: true }))).status).to.equal(404);
  });

  it('answers 404, not 403, for a contact the user may not see, and 403 for a write without the right', async () => {
    const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Read', last_name: 'Only' });
    const reader = await host.asUser((await host.userWithRights(['crm.access'])).id);
    expect((await host.contacts.get(reader, c.id)).id).to.equal(c.id);
    expect((await rejection(host.contacts.update(reader, c.id, { job_title: 'x' }, c.version))).status).to.equal(403);
    const outsider = await host.asUser((await host.userWithRights([])).id);
    expect((await rejection(host.contacts.get(outsider, c.id))).status).to.equal(404);
    expect((await host.query.count(outsider, {})).total).to.equal(0);
  });
});
