/**
 * The import through the REST API and the wizard's pages, against the real import service and
 * job runner: upload, poll, counts, the failed rows as CSV, undo, duplicates, the dry run then
 * the real import, form errors that keep what was typed, and every page in four languages.
 */
import { expect } from 'chai';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { LANGUAGES } from '../../../host/api.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import type { ImportRecord } from '../import/import-contract.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/** Four good rows and one with an email that is not one. */
const PEOPLE_CSV = Buffer.from(
  [
    'First name,Last name,Email,Phone',
    'Anna,Nowak,anna.nowak@example.com,+48 600 100 200',
    'Jan,Kowalski,jan.kowalski@example.com,+48 600 100 201',
    'Olena,Shevchenko,olena@example.com,',
    'Ivan,Petrov,ivan.petrov@example.com,',
    'Broken,Row,not-an-email,',
    '',
  ].join('\n'),
);

describe('Import through the API and the wizard', () => {
  let host: CrmTestHost;
  let token: string;

  before(async () => {
    host = await createCrmTestHost({ jobs: true });
    token = await bearer('admin@example.com', 'admin-password-1');
  });
  after(() => host.dispose());

  async function bearer(email: string, password: string): Promise<string> {
    return (await request(host.app!).post('/api/v1/auth/token').send({ email, password })).body.token as string;
  }

  const api = (method: 'get' | 'post' | 'delete', url: string, as = token) => request(host.app!)[method](url).set('Authorization', `Bearer ${as}`);

  /** Polls the import until it leaves queued/running (or the given state is reached). */
  async function settled(id: number, as = token, until?: string): Promise<ImportRecord> {
    for (let i = 0; i < 200; i++) {
      const record = (await api('get', `/api/v1/imports/${id}`, as).expect(200)).body as ImportRecord;
      if (until ? record.state === until : !['queued', 'running'].includes(record.state)) return record;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`import ${id} did not settle`);
  }

  const countByEmail = async (email: string) => (await host.query.list(host.admin, { q: email, limit: 10 })).items.length;

  describe('REST API', () => {
    let first: ImportRecord;

    it('takes a CSV with 202 and its id, runs it as a job, and counts what it did', async () => {
      const res = await api('post', '/api/v1/imports')
        .attach('file', PEOPLE_CSV, 'people.csv')
        .field('mapping', JSON.stringify(['first_name', 'last_name', 'email', 'phone']))
        .field('options', JSON.stringify({ dedupe_keys: ['email'], on_duplicate: 'skip' }))
        .expect(202);
      expect(res.body.id).to.be.a('number');
      expect(res.headers.location).to.equal(`/api/v1/imports/${res.body.id}`);
      first = await settled(res.body.id as number);
      expect(first).to.include({ state: 'done', total: 5, processed: 5, created: 4, updated: 0, skipped: 0, failed: 1, file_name: 'people.csv', format: 'csv', dry_run: false });
      expect(await countByEmail('anna.nowak@example.com')).to.equal(1);
    });

    it('lists the import among the recent ones', async () => {
      const res = await api('get', '/api/v1/imports').expect(200);
      expect((res.body.items as ImportRecord[]).map((r) => r.id)).to.include(first.id);
    });

    it('gives the failed rows as CSV with the reason, to fix and import again', async () => {
      const res = await api('get', `/api/v1/imports/${first.id}/errors`).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
      });
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/csv/);
      expect(res.headers['content-disposition']).to.contain(`import-${first.id}-failed-rows.csv`);
      const text = String(res.body);
      expect(text).to.contain('not-an-email');
      expect(text).not.to.contain('anna.nowak@example.com');
      expect(text.split(/\r?\n/)[0]).to.contain('First name');
    });

    it('skips the rows whose email is already there when the same file comes again', async () => {
      const res = await api('post', '/api/v1/imports').attach('file', PEOPLE_CSV, 'people-again.csv').field('options', JSON.stringify({ dedupe_keys: ['email'], on_duplicate: 'skip' })).expect(202);
      const again = await settled(res.body.id as number);
      expect(again).to.include({ state: 'done', created: 0, skipped: 4, failed: 1 });
      expect(await countByEmail('anna.nowak@example.com')).to.equal(1);
    });

    it('undoes an import: the contacts it created are gone', async () => {
      const res = await api('delete', `/api/v1/imports/${first.id}`).expect(202);
      expect(res.body.id).to.equal(first.id);
      const undone = await settled(first.id, token, 'undone');
      expect(undone.can_undo).to.equal(false);
      expect(undone.undo_result).to.deep.equal({ trashed: first.created, restored: 0, kept: 0 });
      const page = await request(host.app!).get(`/crm/import/${first.id}`).set('Authorization', `Bearer ${token}`).set('Accept-Language', 'en').expect(200);
      expect(page.text).to.contain('data-testid="import-undo-result"').and.contain(`Undone: ${first.created} created contacts moved to the trash, 0 updated contacts restored`);
      expect(await countByEmail('anna.nowak@example.com')).to.equal(0);
      expect(await countByEmail('jan.kowalski@example.com')).to.equal(0);
    });

    it('refuses a file that is not CSV or XLSX by its content with 415, whatever its name', async () => {
      const res = await api('post', '/api/v1/imports').set('Accept-Language', 'pl').attach('file', PNG, 'people.csv').expect(415);
      expect(res.body.error.message).to.be.a('string').and.not.match(/^crm:/);
    });

    it("hides another user's import behind a 404", async () => {
      const other = await host.userWithRights(['crm.access', 'crm.contacts.create', 'crm.contacts.import']);
      const theirs = await bearer(other.email, other.password);
      await api('get', `/api/v1/imports/${first.id}`, theirs).expect(404);
      await api('get', `/api/v1/imports/${first.id}/errors`, theirs).expect(404);
      await api('delete', `/api/v1/imports/${first.id}`, theirs).expect(404);
      await api('get', '/api/v1/imports/abc', theirs).expect(404);
    });
  });

  describe('wizard pages', () => {
    let agent: TestAgent;
    let csrf: string;

    before(async () => {
      agent = await host.login();
      csrf = await csrfOf(agent, '/crm/import');
    });

    /** The upload as assets/import.js sends it. */
    async function upload(bytes: Buffer, name: string, mode = 'clients'): Promise<string> {
      const res = await agent.post('/crm/import/upload').set('X-CSRF-Token', csrf).set('Accept', 'application/json').field('mode', mode).attach('file', bytes, name).expect(200);
      expect(res.body.next).to.match(/^\/crm\/import\/uploads\/[A-Za-z0-9_-]+\?mode=/);
      return res.body.next as string;
    }

    const postForm = (url: string, fields: Record<string, string | string[]>) => agent.post(url).type('form').send({ _csrf: csrf, ...fields });

    it('shows the list page an Import button that opens the upload page', async () => {
      const list = await agent.get('/crm/contacts').expect(200);
      expect(list.text).to.contain('data-testid="import-link"').and.contain('href="/crm/import"');
      const page = await agent.get('/crm/import').expect(200);
      expect(page.text).to.contain('data-testid="import-upload-form"').and.contain('/assets/p/crm/import.js');
    });

    it('previews an uploaded file with the suggested mapping preselected, and re-reads it with another delimiter', async () => {
      const next = await upload(PEOPLE_CSV, 'people.csv');
      const preview = await agent.get(next).expect(200);
      expect(preview.text).to.contain('data-testid="import-preview-table"');
      expect(preview.text).to.contain('anna.nowak@example.com');
      expect((preview.text.match(/data-testid="import-column"/g) ?? []).length).to.equal(4);
      expect(preview.text).to.match(/<option value="email" selected>/);

      const url = next.split('?')[0]!;
      const reread = await postForm(url, { action: 'reread', mode: 'clients', delimiter: 'semicolon', tags: 'fair 2024', headers: '[]' }).expect(200);
      expect((reread.text.match(/data-testid="import-column"/g) ?? []).length).to.equal(1);
      // What the user typed elsewhere comes back.
      expect(reread.text).to.contain('value="fair 2024"');
      expect(reread.text).to.match(/<option value="semicolon" selected>/);
    });

    it('re-renders the form with a translated reason and the typed values when contact persons have no company column', async () => {
      const next = await upload(PEOPLE_CSV, 'people.csv', 'people');
      const url = next.split('?')[0]!;
      const res = await agent
        .post(url)
        .set('Accept-Language', 'pl')
        .type('form')
        .send({ _csrf: csrf, action: 'import', mode: 'people', map_0: 'first_name', map_1: 'last_name', map_2: 'email', map_3: 'skip', tags: 'targi', on_duplicate: 'update', headers: JSON.stringify(['First name', 'Last name', 'Email', 'Phone']) })
        .expect(400);
      expect(res.text).to.contain('data-testid="form-errors"');
      expect(res.text).to.contain('Przypisz jedną kolumnę do pola „Firma”');
      expect(res.text).to.contain('value="targi"');
      expect(res.text).to.match(/value="update" checked/);
    });

    it('runs a dry run that writes nothing, then the same import for real from its summary', async () => {
      const next = await upload(PEOPLE_CSV, 'dry.csv');
      const url = next.split('?')[0]!;
      const headers = JSON.stringify(['First name', 'Last name', 'Email', 'Phone']);
      const fields = { mode: 'clients', map_0: 'first_name', map_1: 'last_name', map_2: 'email', map_3: 'phone', dedupe_keys: ['email'], on_duplicate: 'skip', kind: 'person', keep_valid: 'on', tags: '', headers };
      const started = await postForm(url, { ...fields, action: 'dry_run' }).expect(303);
      const dryId = Number(/\/crm\/import\/(\d+)$/.exec(started.headers.location!)![1]);
      const dry = await settled(dryId);
      expect(dry).to.include({ state: 'done', dry_run: true, created: 4, failed: 1 });
      expect(await countByEmail('olena@example.com')).to.equal(0);

      const summary = await agent.get(`/crm/import/${dryId}`).expect(200);
      expect(summary.text).to.contain('data-testid="import-dry-run-badge"').and.contain('data-testid="import-for-real"').and.contain(`/crm/import/${dryId}/errors`);

      const real = await postForm(`/crm/import/${dryId}/run`, {}).expect(303);
      const realId = Number(/\/crm\/import\/(\d+)$/.exec(real.headers.location!)![1]);
      expect(realId).not.to.equal(dryId);
      expect(await settled(realId)).to.include({ state: 'done', dry_run: false, created: 4, failed: 1 });
      expect(await countByEmail('olena@example.com')).to.equal(1);

      const done = await agent.get(`/crm/import/${realId}`).expect(200);
      expect(done.text).to.contain('data-testid="import-undo"').and.contain('data-testid="count-created"');
      const failed = await agent.get(`/crm/import/${realId}/errors`).expect(200);
      expect(failed.headers['content-disposition']).to.contain('attachment');
      expect(failed.text).to.contain('not-an-email');

      // Imported for real, the file is removed: the dry run's summary says why it cannot run again.
      const stale = await agent.get(`/crm/import/${dryId}`).set('Accept-Language', 'pl').expect(200);
      expect(stale.text).to.contain('data-testid="import-file-gone"').and.contain('Plik tego importu nie jest już przechowywany: jest usuwany po właściwym imporcie').and.not.contain('data-testid="import-for-real"');
      const refused = await postForm(`/crm/import/${dryId}/run`, {}).expect(409);
      expect(refused.text).to.contain('The file of this import is no longer kept');
    });

    it('renders every page of the wizard in all four languages without a missing key', async () => {
      const next = await upload(PEOPLE_CSV, 'langs.csv');
      const imports = (await api('get', '/api/v1/imports').expect(200)).body.items as ImportRecord[];
      const done = imports.find((r) => r.state === 'done')!;
      for (const lng of LANGUAGES) {
        for (const url of ['/crm/import', '/crm/import?mode=people', next, `/crm/import/${done.id}`]) {
          const res = await agent.get(url).set('Accept-Language', lng).expect(200);
          expect(res.text, `${lng} ${url}`).not.to.match(/import-wizard\.|crm:import|host:jobs/);
          expect(res.text).to.contain(`<html lang="${lng}"`);
        }
      }
    });
  });
});
