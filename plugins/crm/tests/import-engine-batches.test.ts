/** The import engine batch by batch: cancel, the batch event, restricted users, staged files and the History tab. */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { text } from 'node:stream/consumers';
import { QueryTypes } from 'sequelize';
import sinon from 'sinon';
import { HttpError, TOKENS, type EventBus, type HostConfig, type JobContext } from '../../../host/api.js';
import request from 'supertest';
import { ADMIN } from '../../../tests/support/test-host.js';
import type { EventBusImpl } from '../../../host/extensions/event-bus.js';
import { contactsImported } from '../api.js';
import { UPLOAD_TTL_MS } from '../import/engine/import-service.js';
import { BulkInserter, preparedContactRows } from '../services/bulk-rows.js';

type ImportedPayload = { importId: number; createdIds: number[]; updatedIds: number[]; userId: number | null; transaction: unknown };
import { csrfOf } from '../../../tests/support/test-host.js';
import { defaults, importKit, type ImportKit } from './import-engine-kit.js';


function jobContext(o: { progress?: () => Promise<void>; cancelled?: () => Promise<boolean> } = {}): JobContext<unknown> {
  return { id: 'test', payload: {}, userId: null, checkpoint: null, logger: pino({ level: 'silent' }), progress: o.progress ?? (async () => undefined), cancelled: o.cancelled ?? (async () => false) };
}

describe('Import engine: batches, cancel, the batch event, restricted users, history', function () {
  this.timeout(120_000);
  let kit: ImportKit;
  const header = ['First name', 'Last name', 'Email'];
  const people = (n: number, tag = 'p') => [header, ...Array.from({ length: n }, (_, i) => [`Name${i}`, `Last${i}`, `${tag}${i}@example.pl`])];

  beforeEach(async () => {
    kit = await importKit();
  });
  afterEach(() => kit.dispose());

  async function recorded(rows: string[][]) {
    const { admin } = kit.host;
    const { uploadId, sniff } = await kit.service.stage(admin, { path: kit.csv(rows), originalName: 'people.csv' });
    return kit.service.record(admin, uploadId, await kit.service.suggestMapping(admin, sniff.headers), { ...defaults, read: sniff.options });
  }

  it('stops a cancelled import at a batch boundary, counting exactly the rows committed', async () => {
    const id = await recorded(people(45));
    kit.service.batchSize = 10;
    let commits = 0;
    // Cancelled once the second batch is committed. The batch being written meanwhile commits too
    // (on MariaDB the third, written beside the second); none after it is written.
    await kit.service.execute(id, jobContext({ progress: async () => void commits++, cancelled: async () => commits >= 2 }));
    const committed = kit.host.db.getDialect() === 'sqlite' ? 20 : 30;
    expect(await kit.service.get(kit.host.admin, id)).to.deep.include({ state: 'cancelled', processed: committed, created: committed, failed: 0 });
    expect(await kit.count()).to.equal(committed);
  });

  it('writes batches side by side yet never doubles a contact that a later row names again, nor loses its update', async () => {
    kit.service.batchSize = 10;
    // Rows 25 and 31 name the contacts of rows 15 and 29, which batches still being written create.
    const rows = people(45);
    rows[25] = ['Again', 'Fifteen', 'p14@example.pl'];
    rows[31] = ['Again', 'TwentyNine', 'P28@example.pl'];
    const record = await kit.run(kit.csv(rows), null, { on_duplicate: 'update' });
    expect(record).to.deep.include({ state: 'done', processed: 45, created: 43, updated: 2, failed: 0 });
    expect(await kit.count()).to.equal(43);
    const byEmail = async (email: string) => (await kit.host.query.list(kit.host.admin, { q: email })).items.map((c) => c.name);
    expect(await byEmail('p14@example.pl')).to.deep.equal(['Again Fifteen']);
    expect(await byEmail('p28@example.pl')).to.deep.equal(['Again TwentyNine']);

    const skipped = await kit.run(kit.csv([header, ...people(30, 'q').slice(1), ['Dup', 'Row', 'q3@example.pl']]), null, { on_duplicate: 'skip' });
    expect(skipped).to.deep.include({ state: 'done', processed: 31, created: 30, skipped: 1 });
    expect(await kit.count()).to.equal(73);
  });

  it('joins people to companies that earlier rows of the same file create, in an earlier batch or their own', async () => {
    kit.service.batchSize = 2;
    // Each batch is read and checked before the batch before it commits; Epsilon and Olga share one.
    const { admin, contacts } = kit.host;
    await contacts.create(admin, { kind: 'company', company_name: 'Zeta Stara', external_id: 'Z-1' });
    const rows = [
      ['Kind', 'Company name', 'First', 'Last', 'Employer', 'ERP'],
      ['company', 'Gamma Sp. z o.o.', '', '', '', ''],
      ['company', 'Delta SA', '', '', '', ''],
      ['person', '', 'Anna', 'Gammowa', 'Gamma Sp. z o.o.', ''],
      ['person', '', 'Jan', 'Deltowy', 'delta sa', ''],
      ['company', 'Epsilon', '', '', '', ''],
      ['person', '', 'Olga', 'Epsilonowa', 'Epsilon', ''],
      // Zeta is the company the base has already (by its ERP id): skipped, it creates no "Zeta" for Ewa.
      ['company', 'Zeta', '', '', '', 'Z-1'],
      ['person', '', 'Ewa', 'Zetowa', 'Zeta', ''],
      ['person', '', 'Piotr', 'Nikt', 'Omega', ''],
    ];
    const mapping = ['kind', 'company_name', 'first_name', 'last_name', 'company', 'external_id'];
    const options = { on_duplicate: 'skip' as const, dedupe_keys: ['external_id' as const] };
    const dry = await kit.run(kit.csv(rows), mapping, { ...options, dry_run: true });
    expect(dry, 'the dry run counts the rows as the import goes').to.deep.include({ state: 'done', created: 6, skipped: 1, failed: 2 });
    const record = await kit.run(kit.csv(rows), mapping, options);
    expect(record).to.deep.include({ state: 'done', created: 6, skipped: 1, failed: 2 });
    const failed = await text(await kit.service.failedRowsCsv(admin, record.id, 'en'));
    expect(failed).to.contain('Employer: There is no company “Zeta”.').and.to.contain('Employer: There is no company “Omega”.');
    const { query } = kit.host;
    for (const [company, person] of [['Gamma', 'Gammowa'], ['Delta', 'Deltowy'], ['Epsilon', 'Epsilonowa']]) {
      const [found] = (await query.list(admin, { q: company!, kind: 'company' })).items;
      expect((await query.list(admin, { company_id: found!.id })).items.map((c) => c.last_name), company).to.deep.equal([person]);
    }
  });

  /** A handler of the batch event, as a plugin registers it (`ctx.on`). */
  function onImported(handler: (payload: ImportedPayload) => Promise<void>): void {
    (kit.host.services.get<EventBus>(TOKENS.Events) as EventBusImpl).on('tags', contactsImported, handler);
  }

  it('emits contactsImported once per committed batch, inside its transaction, with the created and updated ids', async () => {
    const existing = await kit.host.contacts.create(kit.host.admin, { kind: 'person', first_name: 'Old', last_name: 'One', emails: [{ value: 'p3@example.pl' }] });
    const payloads: ImportedPayload[] = [];
    onImported(async (p) => {
      // Inside the batch's transaction: its contacts are there to be read.
      const [rows] = await kit.host.db.query(`SELECT COUNT(*) AS n FROM crm_contacts WHERE id IN (${p.createdIds.join(',') || 0})`, { transaction: p.transaction as never });
      expect(Number((rows as Array<{ n: number }>)[0]!.n)).to.equal(p.createdIds.length);
      payloads.push(p);
    });
    kit.service.batchSize = 10;
    const record = await kit.run(kit.csv(people(25)), null, { on_duplicate: 'update' });
    expect(record).to.deep.include({ state: 'done', created: 24, updated: 1 });
    expect(payloads).to.have.length(3);
    expect(payloads.every((p) => p.importId === record.id && p.userId === kit.host.admin.id)).to.equal(true);
    expect(payloads.flatMap((p) => p.updatedIds)).to.deep.equal([existing.id]);
    const created = payloads.flatMap((p) => p.createdIds);
    expect(new Set(created).size).to.equal(24);
    expect(await kit.count()).to.equal(25);
  });

  it('rolls a batch back when a handler of contactsImported fails', async () => {
    onImported(async () => {
      throw new Error('handler failed');
    });
    const record = await kit.run(kit.csv(people(5)), null);
    expect(record).to.deep.include({ state: 'failed', created: 0 });
    expect(await kit.count()).to.equal(0);
  });

  it('lets a restricted user update only the contacts they may see and edit', async () => {
    const { host } = kit;
    // Classes and group access are the access plugin's: set up through the public API, as an administrator would.
    const token = (await request(host.app!).post('/api/v1/auth/token').send({ email: ADMIN.email, password: ADMIN.password })).body.token as string;
    const post = async (url: string, body: object) => {
      const res = await request(host.app!).post(`/api/v1${url}`).set('Authorization', `Bearer ${token}`).send(body);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body as { id: number };
    };
    const south = (await post('/classes', { name: 'South' })).id;
    const north = (await post('/classes', { name: 'North' })).id;
    const group = await post('/groups', { name: 'South, only own', rights: ['crm.access', 'crm.contacts.create', 'crm.contacts.edit', 'crm.contacts.import'], classes: { [south]: 'edit' }, only_own: true });
    const made = await post('/users', { email: 'sam@example.com', password: 'user-password-1', name: 'Sam South', groups: [group.id] });
    const sam = await host.asUser(made.id);
    const contact = (first: string, email: string, extra: Record<string, unknown>) =>
      host.contacts.create(host.admin, { kind: 'person', first_name: first, last_name: 'Before', emails: [{ value: email }], ...extra });
    const own = await contact('Own', 'own@example.pl', { class_id: south, responsible_id: sam.id });
    const others = await contact('Others', 'others@example.pl', { class_id: south });
    const hidden = await contact('Hidden', 'hidden@example.pl', { class_id: north });

    const rows = [header, ['Own', 'After', 'own@example.pl'], ['Others', 'After', 'others@example.pl'], ['Hidden', 'After', 'hidden@example.pl']];
    const record = await kit.run(kit.csv(rows), null, { on_duplicate: 'update' }, sam);
    expect(record).to.deep.include({ state: 'done', updated: 1, skipped: 2, created: 0 });
    expect((await host.contacts.get(host.admin, own.id)).last_name).to.equal('After');
    expect((await host.contacts.get(host.admin, others.id)).last_name).to.equal('Before');
    expect((await host.contacts.get(host.admin, hidden.id)).last_name).to.equal('Before');
  });

  it('removes the staged file once a live import ends, keeps a dry run\'s for the real run, and sweeps uploads unused for a day', async () => {
    const { admin } = kit.host;
    const dir = path.join(kit.host.services.get<HostConfig>(TOKENS.Config).dataDir, 'imports');
    const staged = (uploadId: string) => fs.existsSync(path.join(dir, uploadId));
    const stage = async () => {
      const copy = kit.csv(people(3, `s${Math.random()}`));
      return kit.service.stage(admin, { path: copy, originalName: 'people.csv' });
    };

    const live = await stage();
    const started = await kit.service.start(admin, live.uploadId, await kit.service.suggestMapping(admin, live.sniff.headers), { ...defaults, read: live.sniff.options });
    expect(await kit.settle(started)).to.deep.include({ state: 'done', created: 3 });
    expect(staged(live.uploadId)).to.equal(false);

    const dry = await stage();
    const dryRun = await kit.service.start(admin, dry.uploadId, await kit.service.suggestMapping(admin, dry.sniff.headers), { ...defaults, dry_run: true, read: dry.sniff.options });
    expect(await kit.settle(dryRun)).to.deep.include({ state: 'done', dry_run: true });
    expect(staged(dry.uploadId)).to.equal(true);

    const abandoned = await stage();
    const dayAgo = new Date(Date.now() - UPLOAD_TTL_MS - 60_000);
    fs.utimesSync(path.join(dir, abandoned.uploadId), dayAgo, dayAgo);
    // The sweep runs as an import job starts.
    await kit.run(kit.csv(people(1, 'later')), null);
    expect(staged(abandoned.uploadId)).to.equal(false);
    expect(staged(dry.uploadId)).to.equal(true);

    // The day counts from the file's last use: a dry run started on it keeps it another day.
    const reused = await stage();
    fs.utimesSync(path.join(dir, reused.uploadId), dayAgo, dayAgo);
    const reusedRun = await kit.service.start(admin, reused.uploadId, await kit.service.suggestMapping(admin, reused.sniff.headers), { ...defaults, dry_run: true, read: reused.sniff.options });
    await kit.settle(reusedRun);
    await kit.run(kit.csv(people(1, 'later-still')), null);
    expect(staged(reused.uploadId)).to.equal(true);

    // Once a dry run's file is swept, running it for real is refused with a reason, not a 404.
    expect((await kit.service.settings(admin, dryRun.id)).uploadId).to.equal(dry.uploadId);
    fs.utimesSync(path.join(dir, dry.uploadId), dayAgo, dayAgo);
    await kit.run(kit.csv(people(1, 'after-a-day')), null);
    expect(staged(dry.uploadId)).to.equal(false);
    const gone = await kit.service.settings(admin, dryRun.id).then(() => null, (err: unknown) => err);
    expect(gone).to.be.instanceOf(HttpError).and.to.include({ status: 409, messageKey: 'crm:import.errors.file_gone' });
  });

  it('tells the ids of new contacts on MariaDB even when InnoDB may interleave them (innodb_autoinc_lock_mode 2)', async function () {
    const { db } = kit.host;
    if (db.getDialect() === 'sqlite') this.skip();
    const inserter = new BulkInserter(db);
    // The server's mode is fixed at its start; the other path is taken as if it were 2.
    (inserter as unknown as { lockMode(): Promise<number> }).lockMode = async () => 2;
    const at = new Date();
    const contacts = ['Ala', 'Ola', 'Ela'].map((first) => ({
      rows: preparedContactRows('person', { scalars: { first_name: first, last_name: 'Ids' }, channels: {} }, { field: () => undefined, createdBy: kit.host.admin.id, createdAt: at, historyAction: 'import' }),
      companyId: null,
      buyerId: null,
    }));
    const { ids, ranges } = await db.transaction((transaction) => inserter.createContacts(contacts, transaction));
    const rows = await db.query<{ id: number; first_name: string }>(`SELECT id, first_name FROM crm_contacts WHERE id IN (${ids.join(',')}) ORDER BY id`, { type: QueryTypes.SELECT });
    expect(rows.map((r) => [Number(r.id), r.first_name])).to.deep.equal(ids.map((id, k) => [id, ['Ala', 'Ola', 'Ela'][k]]));
    expect(ranges).to.deep.equal([{ first: ids[0], last: ids[2] }]);
  });

  it('writes the channels and search terms of new contacts without foreign key checks on MariaDB, and checks keys again after, whether the writes succeed or fail', async function () {
    const { db } = kit.host;
    if (db.getDialect() === 'sqlite') this.skip();
    const inserter = new BulkInserter(db);
    const contact = (first: string, field?: { id: number; type: 'text' }) => ({
      rows: preparedContactRows(
        'person',
        {
          scalars: { first_name: first, last_name: 'Keys' },
          channels: { emails: [{ type: 'email', subtype: null, value: `${first}@keys.example`, normalized: `${first}@keys.example`, is_primary: true, consent: false }] },
          custom: field ? { ghost: 'a value' } : {},
        },
        { field: () => field, createdBy: kit.host.admin.id, createdAt: new Date(), historyAction: 'import' },
      ),
      companyId: null,
      buyerId: null,
    });
    const keyChecks = async (transaction: unknown) =>
      Number((await db.query<{ f: number }>('SELECT @@foreign_key_checks AS f', { type: QueryTypes.SELECT, transaction: transaction as never }))[0]!.f);

    const written = await db.transaction(async (transaction) => {
      const { ids } = await inserter.createContacts([contact('ala')], transaction);
      expect(await keyChecks(transaction)).to.equal(1);
      return ids[0]!;
    });
    const emails = await db.query<{ value: string }>('SELECT value FROM crm_channels WHERE contact_id = ?', { replacements: [written], type: QueryTypes.SELECT });
    expect(emails.map((e) => e.value)).to.deep.equal(['ala@keys.example']);
    const terms = await db.query('SELECT term FROM crm_search_terms WHERE contact_id = ?', { replacements: [written], type: QueryTypes.SELECT });
    expect(terms).to.not.be.empty;

    // A write that fails in between leaves the connection checking keys all the same.
    const insert = sinon.stub(inserter, 'insert').callsFake(async function (this: BulkInserter, table: string, ...rest: unknown[]) {
      if (table === 'crm_search_terms') throw new Error('the disk is full');
      return insert.wrappedMethod.call(this, table, ...(rest as [never, never, never]));
    });
    let checksAfterFailure: number | null = null;
    const failed = await db
      .transaction(async (transaction) => {
        try {
          await inserter.createContacts([contact('ola')], transaction);
        } finally {
          checksAfterFailure = await keyChecks(transaction);
        }
      })
      .then(() => null, (err: Error) => err.message);
    insert.restore();
    expect(failed).to.equal('the disk is full');
    expect(checksAfterFailure).to.equal(1);

    // A custom value still names its field under the checks: a field that is gone fails the batch.
    const orphan = await db.transaction((transaction) => inserter.createContacts([contact('ela', { id: 999_999, type: 'text' })], transaction)).then(() => null, (err: Error) => err.message);
    expect(orphan).to.match(/foreign key constraint fails/i);
    const left = await db.query("SELECT id FROM crm_contacts WHERE last_name = 'Keys' AND first_name IN ('ola', 'ela')", { type: QueryTypes.SELECT });
    expect(left).to.deep.equal([]);
  });

  it('shows the import in the History tab of a created contact, linked to the import', async () => {
    const record = await kit.run(kit.csv(people(1)), null);
    const [contact] = (await kit.host.query.list(kit.host.admin, {})).items;
    const agent = await kit.host.login();
    const res = await agent.get(`/crm/contacts/${contact!.id}/tabs/crm/history`).expect(200);
    expect(res.text).to.contain('Imported');
    expect(res.text).to.contain(`href="/crm/import/${record.id}"`);
    expect(res.text).to.match(new RegExp(`From import #${record.id} \\(file-\\d+\\.csv\\)`));
  });

  it('shows a merge in the History tab with links to the merged contacts by name', async () => {
    const { host } = kit;
    const master = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Anna', last_name: 'Master' });
    const dupe = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Ania', last_name: '<b>Dupe</b>' });
    const agent = await host.login();
    const csrf = await csrfOf(agent, `/crm/contacts/${master.id}`);
    await agent.post('/api/v1/contacts/merge').set('x-csrf-token', csrf).send({ master_id: master.id, merge_ids: [dupe.id] }).expect(200);
    const res = await agent.get(`/crm/contacts/${master.id}/tabs/crm/history`).expect(200);
    expect(res.text).to.contain('Merged with:');
    expect(res.text).to.contain(`<a href="/crm/contacts/${dupe.id}">Ania &lt;b&gt;Dupe&lt;/b&gt;</a>`);
  });
});
