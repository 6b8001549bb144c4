/** The import engine: files of clients into contacts, never losing or doubling one. */
import { expect } from 'chai';
import fs from 'node:fs';
import pino from 'pino';
import type { JobContext } from '../../../host/api.js';
import { DIRTY_CSV, defaults, importKit, type ImportKit } from './import-engine-kit.js';

describe('Import engine: rows into contacts', function () {
  this.timeout(120_000);
  let kit: ImportKit;

  before(async () => {
    kit = await importKit();
  });
  after(() => kit.dispose());

  it('imports the dirty datablist file: duplicates by email skipped, ragged rows failed with their reason', async () => {
    const mapping = ['skip', 'external_id', 'first_name', 'last_name', 'company_name', 'address.city', 'address.country', 'skip', 'skip', 'email', 'skip', 'website'];
    const record = await kit.run(DIRTY_CSV, mapping, { dedupe_keys: ['email'], on_duplicate: 'skip' });
    expect(record).to.deep.include({ state: 'done', total: 1039, processed: 1039, created: 999, updated: 0, skipped: 38, failed: 2 });
    expect(await kit.count()).to.equal(999);
  });
});

describe('Import engine: duplicates, dry runs, references, plugins, undo, resume', function () {
  this.timeout(120_000);
  let kit: ImportKit;
  const header = ['Imię', 'Nazwisko', 'E-mail', 'Telefon', 'Stanowisko'];

  beforeEach(async () => {
    kit = await importKit();
    await kit.setting('default_phone_country', 'PL');
  });
  afterEach(() => kit.dispose());

  const existing = () => kit.host.contacts.create(kit.host.admin, { kind: 'person', first_name: 'Jan', last_name: 'Kowalski', emails: [{ value: 'jan@example.pl' }], job_title: 'Owner' });
  const file = () => kit.csv([header, ['Jan', 'Kowalski', 'JAN@example.pl', '600 100 200', 'CEO'], ['Anna', 'Nowak', 'anna@example.pl', '', '']]);

  it('suggests the mapping from Polish, Russian and Ukrainian headers and remembers the one used', async () => {
    const { admin } = kit.host;
    expect(await kit.service.suggestMapping(admin, ['Imię', 'Фамилия', 'Електронна пошта', 'Телефон 2', 'NIP', 'ЄДРПОУ', 'Firma', 'Whatever'])).to.deep.equal([
      'first_name', 'last_name', 'email', 'phone', 'tax_id.nip', 'tax_id.edrpou', 'company_name', 'skip',
    ]);
    const mapping = ['first_name', 'last_name', 'email', 'skip', 'comment'];
    await kit.run(file(), mapping);
    expect(await kit.service.suggestMapping(admin, header)).to.deep.equal(mapping);
  });

  it('skips a duplicate by email (any case), saying which contact it duplicates', async () => {
    const jan = await existing();
    const record = await kit.run(file(), null, { on_duplicate: 'skip' });
    expect(record).to.deep.include({ state: 'done', created: 1, skipped: 1, failed: 0 });
    expect((await kit.host.contacts.get(kit.host.admin, jan.id)).job_title).to.equal('Owner');
  });

  it('updates a duplicate: file values replace, phones are added, history records the old values and the version moves', async () => {
    const jan = await existing();
    const record = await kit.run(file(), null, { on_duplicate: 'update' });
    expect(record).to.deep.include({ state: 'done', created: 1, updated: 1 });
    const after = await kit.host.contacts.get(kit.host.admin, jan.id);
    expect(after).to.deep.include({ job_title: 'CEO', version: jan.version + 1 });
    expect(after.emails.map((e) => e.value)).to.deep.equal(['jan@example.pl']);
    expect(after.phones.map((p) => p.value)).to.deep.equal(['+48 600 100 200']);
    const history = await kit.host.history.list(kit.host.admin, jan.id, { field: 'job_title' });
    expect(history[0]).to.deep.include({ action: 'update', old_value: 'Owner', new_value: 'CEO' });
  });

  it('creates a duplicate anyway when asked', async () => {
    await existing();
    expect(await kit.run(file(), null, { on_duplicate: 'create', dedupe_keys: [] })).to.deep.include({ created: 2, skipped: 0 });
    expect(await kit.count()).to.equal(3);
  });

  it('treats a row repeating an earlier row of the same file as its duplicate', async () => {
    const rows = [header, ['Ewa', 'Lis', 'ewa@example.pl', '', 'Clerk'], ['Ewa', 'Lis', 'EWA@example.pl', '', 'Manager']];
    const skipped = await kit.run(kit.csv(rows), null, { on_duplicate: 'skip' });
    expect(skipped).to.deep.include({ created: 1, skipped: 1 });
    const csv = await text(await kit.service.failedRowsCsv(kit.host.admin, skipped.id, 'en'));
    expect(csv.split('\r\n').filter(Boolean)).to.have.length(1); // skipped rows are not failures

    const updated = await kit.run(kit.csv(rows.map((r) => r.map((c) => c.replace(/ewa@/i, 'eve@')))), null, { on_duplicate: 'update' });
    expect(updated).to.deep.include({ created: 1, updated: 1 });
    const eve = (await kit.host.query.list(kit.host.admin, { q: 'eve@example.pl' })).items;
    expect(eve.map((c) => c.job_title)).to.deep.equal(['Manager']);
  });

  it('reports in a dry run exactly what an import would do, and writes no contact', async () => {
    await existing();
    const before = await kit.count();
    const rows = [header, ['Jan', 'Kowalski', 'jan@example.pl', '', ''], ['Bad', 'Mail', 'not-an-email', '', ''], ['Ola', 'Nowa', 'ola@example.pl', '', ''], ['Ola', 'Nowa', 'ola@example.pl', '', '']];
    const dry = await kit.run(kit.csv(rows), null, { on_duplicate: 'update', dry_run: true });
    expect(dry).to.deep.include({ state: 'done', dry_run: true, created: 1, updated: 2, failed: 1, can_undo: false });
    expect(await kit.count()).to.equal(before);
    const real = await kit.run(kit.csv(rows), null, { on_duplicate: 'update' });
    expect(real).to.deep.include({ created: dry.created, updated: dry.updated, failed: dry.failed });
  });

  it('writes nothing when a row fails and valid rows are not to be kept, and says why', async () => {
    const rows = [header, ['Ok', 'Row', 'ok@example.pl', '', ''], ['Bad', 'Phone', 'bad@example.pl', '12', '']];
    const record = await kit.run(kit.csv(rows), null, { keep_valid: false });
    expect(record).to.deep.include({ state: 'failed', created: 0, failed: 1 });
    expect(record.error).to.contain('1 rows are invalid');
    expect(await kit.count()).to.equal(0);
    const csv = await text(await kit.service.failedRowsCsv(kit.host.admin, record.id, 'pl'));
    expect(csv).to.contain('Telefon: To nie jest prawidłowy numer telefonu.'.slice(0, 9));
  });

  it('joins people to existing companies by name, tax id or external id, and fails unknown ones', async () => {
    const { admin, contacts } = kit.host;
    const acme = await contacts.create(admin, { kind: 'company', company_name: 'Acme Sp. z o.o.', tax_ids: [{ type: 'nip', value: '5260250995' }] });
    await kit.run(kit.csv([['Name', 'ID'], ['Beta SA', 'ERP-7']]), ['company_name', 'external_id'], { kind: 'company', dedupe_keys: ['external_id'] });
    const beta = (await kit.host.query.list(admin, { q: 'Beta' })).items[0]!;
    const people = [['First', 'Last', 'Employer'], ['A', 'One', 'acme sp. z o.o.'], ['B', 'Two', '526-025-09-95'], ['C', 'Three', 'ERP-7'], ['D', 'Four', 'Nowhere Ltd']];
    const record = await kit.run(kit.csv(people), ['first_name', 'last_name', 'company'], { on_duplicate: 'create', dedupe_keys: [] });
    expect(record).to.deep.include({ created: 3, failed: 1 });
    const employees = async (id: number) => (await kit.host.query.list(admin, { company_id: id })).items.map((c) => c.last_name);
    expect(await employees(acme.id)).to.have.members(['One', 'Two']);
    expect(await employees(beta.id)).to.deep.equal(['Three']);
    const csv = await text(await kit.service.failedRowsCsv(admin, record.id, 'en'));
    expect(csv).to.contain('Employer: There is no company “Nowhere Ltd”.');
  });

  it('fills custom fields by type and fails a value the field refuses, naming the column', async () => {
    const { admin, fields } = kit.host;
    await fields.create({ key: 'industry', type: 'select', labels: { en: 'Industry', pl: 'Branża' }, options: ['Retail', 'Energy'] });
    await fields.create({ key: 'budget', type: 'money', labels: { en: 'Budget' } });
    await fields.create({ key: 'since', type: 'date', labels: { en: 'Client since' } });
    const rows = [['Nazwisko', 'Branża', 'Budget', 'Client since'], ['Alfa', 'Energy', '1 200,50', '05.03.2021'], ['Beta', 'Mining', '10', '']];
    expect(await kit.service.suggestMapping(admin, rows[0]!)).to.deep.equal(['last_name', 'custom.industry', 'custom.budget', 'custom.since']);
    const record = await kit.run(kit.csv(rows), null, { on_duplicate: 'create', dedupe_keys: [] });
    expect(record).to.deep.include({ created: 1, failed: 1 });
    const [alfa] = (await kit.host.query.list(admin, { q: 'Alfa' })).items;
    expect(alfa!.custom).to.deep.equal({ industry: 'Energy', budget: 1200.5, since: '2021-03-05' });
    expect(await text(await kit.service.failedRowsCsv(admin, record.id, 'en'))).to.match(/Branża: /);
  });

  it('applies tags (from a column and for every row), the contact class and a status to the imported contacts', async () => {
    const { admin } = kit.host;
    const lead = await kit.host.dictionaries.create('status', { name: 'Lead', labels: { pl: 'Potencjalny' } });
    const classes = kit.host.services.get<{ create(i: { name: string }): Promise<{ id: number }> }>(Symbol.for('access.Classes'));
    const partners = await classes.create({ name: 'Partners' });
    const rows = [['Nazwisko', 'Tagi', 'Klasa', 'Status'], ['Alfa', 'Hot; Warsaw', 'partners', ''], ['Beta', '', '', 'potencjalny']];
    const mapping = ['last_name', 'io.tags.tags', 'io.access.class', 'status'];
    const record = await kit.run(kit.csv(rows), mapping, { on_duplicate: 'create', dedupe_keys: [], apply: { tags: ['Imported'], status_id: lead.id } });
    expect(record).to.deep.include({ created: 2, failed: 0 });
    const list = (await kit.host.query.list(admin, { sort: 'name' })).items;
    expect(list.map((c) => [c.last_name, c.tags, c.class_id, c.status_id])).to.deep.equal([
      ['Alfa', ['Hot', 'Imported', 'Warsaw'], partners.id, lead.id],
      ['Beta', ['Imported'], null, lead.id],
    ]);
  });

  it('undoes an import: created contacts go to the trash, updated ones get their values back unless changed since', async () => {
    const { admin, contacts } = kit.host;
    const jan = await existing();
    const ola = await contacts.create(admin, { kind: 'person', first_name: 'Ola', last_name: 'Nowa', emails: [{ value: 'ola@example.pl' }], job_title: 'Intern' });
    const rows = [header, ['Jan', 'Kowalski', 'jan@example.pl', '', 'CEO'], ['Ola', 'Nowa', 'ola@example.pl', '', 'CTO'], ['Piotr', 'Nowy', 'piotr@example.pl', '', '']];
    const record = await kit.run(kit.csv(rows), null, { on_duplicate: 'update' });
    expect(record).to.deep.include({ created: 1, updated: 2, can_undo: true });
    const olaNow = await contacts.get(admin, ola.id);
    await contacts.update(admin, ola.id, { comment: 'changed after the import' }, olaNow.version);

    const undone = await kit.settle(await kit.service.undo(admin, record.id));
    expect(undone).to.deep.include({ state: 'undone', can_undo: false });
    expect((await contacts.get(admin, jan.id)).job_title).to.equal('Owner');
    expect((await contacts.get(admin, ola.id)).job_title).to.equal('CTO'); // changed since: kept as it is
    expect((await kit.host.query.list(admin, { q: 'piotr@example.pl' })).items).to.have.length(0);
    expect((await kit.host.query.list(admin, { q: 'piotr@example.pl', trash: true })).items).to.have.length(1);
    try {
      await kit.service.undo(admin, record.id);
      expect.fail('a second undo must be refused');
    } catch (err) {
      expect(err).to.have.property('status', 409);
    }
  });

  it('undoes the tags an import added to contacts it updated, keeping the tags they had before', async () => {
    const { admin, contacts } = kit.host;
    const tagsOf = async (id: number) => (await contacts.get(admin, id)).tags;
    const jan = await existing();
    const ola = await contacts.create(admin, { kind: 'person', first_name: 'Ola', last_name: 'Nowa', emails: [{ value: 'ola@example.pl' }] });
    const before = await kit.run(kit.csv([['E-mail', 'Tagi'], ['jan@example.pl', 'Hot'], ['ola@example.pl', 'Cold']]), ['email', 'io.tags.tags'], { on_duplicate: 'update' });
    expect(before).to.deep.include({ updated: 2 });
    expect(await tagsOf(jan.id)).to.deep.equal(['Hot']);

    // Only tags change: no field of the contacts does.
    const record = await kit.run(kit.csv([['E-mail', 'Tagi'], ['jan@example.pl', 'Hot, Fair 2026'], ['ola@example.pl', 'Fair 2026']]), ['email', 'io.tags.tags'], { on_duplicate: 'update', apply: { tags: ['Imported'] } });
    expect(record).to.deep.include({ updated: 2, can_undo: true });
    expect(await tagsOf(jan.id)).to.deep.equal(['Fair 2026', 'Hot', 'Imported']);
    expect(await tagsOf(ola.id)).to.deep.equal(['Cold', 'Fair 2026', 'Imported']);

    const undone = await kit.settle(await kit.service.undo(admin, record.id));
    expect(undone).to.deep.include({ state: 'undone' });
    expect(undone.undo_result).to.deep.equal({ trashed: 0, restored: 2, kept: 0 });
    expect(await tagsOf(jan.id)).to.deep.equal(['Hot']);
    expect(await tagsOf(ola.id)).to.deep.equal(['Cold']);
    const history = await kit.host.history.list(admin, jan.id, { field: 'tags' });
    expect(history[0]).to.deep.include({ old_value: ['Fair 2026', 'Hot', 'Imported'], new_value: ['Hot'] });
  });

  it('resumes after the worker died between batches without doubling a contact', async () => {
    const { admin } = kit.host;
    const rows = [header, ...Array.from({ length: 45 }, (_, i) => [`Name${i}`, `Last${i}`, `p${i}@example.pl`, '', ''])];
    const path = kit.csv(rows);
    const { uploadId, sniff } = await kit.service.stage(admin, { path, originalName: 'people.csv' });
    const id = await kit.service.record(admin, uploadId, await kit.service.suggestMapping(admin, sniff.headers), { ...defaults, read: sniff.options });
    kit.service.batchSize = 10;
    let calls = 0;
    const dying = jobContext(async () => {
      // The host interrupts a handler at a progress call; here after the second committed batch.
      if (++calls === 2) throw Object.assign(new Error('Job interrupted: stopping'), { name: 'JobInterrupted' });
    });
    await kit.service.execute(id, dying).then(
      () => expect.fail('the run should have been interrupted'),
      (err: Error) => expect(err.name).to.equal('JobInterrupted'),
    );
    // What was committed is what the record says (on MariaDB also the batch written beside the second).
    const committed = kit.host.db.getDialect() === 'sqlite' ? 20 : 30;
    expect(await kit.service.get(admin, id)).to.deep.include({ state: 'running', processed: committed, created: committed });
    expect(await kit.count()).to.equal(committed);
    await kit.service.execute(id, jobContext(async () => undefined));
    expect(await kit.service.get(admin, id)).to.deep.include({ state: 'done', processed: 45, created: 45, skipped: 0 });
    expect(await kit.count()).to.equal(45);
  });

  it('gives the failed rows with their reasons, which import once fixed', async () => {
    const rows = [header, ['Ok', 'One', 'one@example.pl', '', ''], ['', '', 'two@example.pl', '', ''], ['Bad', 'Three', 'three@', '', '']];
    const record = await kit.run(kit.csv(rows), null);
    expect(record).to.deep.include({ created: 1, failed: 2 });
    const csv = await text(await kit.service.failedRowsCsv(kit.host.admin, record.id, 'en'));
    const lines = csv.replace(/^\ufeff/, '').split('\r\n').filter(Boolean);
    expect(lines).to.deep.equal([
      'Reason,Imię,Nazwisko,E-mail,Telefon,Stanowisko',
      '"The row has no name: fill in a first name, last name or company name.",,,two@example.pl,,',
      'E-mail: This is not a valid email address.,Bad,Three,three@,,',
    ]);
    // Fixed in the file itself and imported again: the reason column is not mapped anywhere.
    const fixed = kit.csv([]);
    fs.writeFileSync(fixed, csv.replace(',,,two@example.pl', ',Two,Dwa,two@example.pl').replace('three@,', 'three@example.pl,'));
    const again = await kit.run(fixed, null);
    expect(again).to.deep.include({ created: 2, failed: 0 });
    expect(await kit.count()).to.equal(3);
  });

  it('refuses a file over the row limit before importing anything', async () => {
    await kit.setting('import_row_limit', 2);
    const rows = [header, ['A', 'A', 'a@example.pl', '', ''], ['B', 'B', 'b@example.pl', '', ''], ['C', 'C', 'c@example.pl', '', '']];
    const { uploadId, sniff } = await kit.service.stage(kit.host.admin, { path: kit.csv(rows), originalName: 'big.csv' });
    try {
      await kit.service.start(kit.host.admin, uploadId, await kit.service.suggestMapping(kit.host.admin, sniff.headers), { ...defaults, read: sniff.options });
      expect.fail('over the limit');
    } catch (err) {
      expect(err).to.deep.include({ status: 413, messageKey: 'crm:import.errors.too_many_rows' });
    }
    expect(await kit.count()).to.equal(0);
  });
});

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

function jobContext(progress: () => Promise<void>): JobContext<unknown> {
  return { id: 'test', payload: {}, userId: null, checkpoint: null, logger: pino({ level: 'silent' }), progress, cancelled: async () => false };
}
