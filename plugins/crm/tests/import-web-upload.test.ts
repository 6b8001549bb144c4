/**
 * The import upload at the edge: who may call it, and what is refused before a file is staged
 * (wrong body type, no file, two files, oversized files and fields, too many parts, broken
 * JSON settings), each with a translated message and no temporary file left behind.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { MAX_IMPORT_FILE_BYTES } from '../import/reading/limits.js';
import { UPLOAD_LIMITS } from '../import/web/upload.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const CSV = Buffer.from('First name,Last name,Email\nAnna,Nowak,anna@example.com\n');

describe('Import upload limits and rights', () => {
  let host: CrmTestHost;
  let token: string;
  let tmp: string;

  before(async () => {
    host = await createCrmTestHost();
    token = (await request(host.app!).post('/api/v1/auth/token').send({ email: 'admin@example.com', password: 'admin-password-1' })).body.token as string;
    tmp = path.join(host.services.config.dataDir, 'tmp');
  });
  after(() => host.dispose());

  const api = () => request(host.app!).post('/api/v1/imports').set('Authorization', `Bearer ${token}`);
  const leftovers = () => (fs.existsSync(tmp) ? fs.readdirSync(tmp) : []);

  it('answers 401 to an anonymous caller and 403 without the import right, on the API and the pages', async () => {
    const anonymous = await request(host.app!).post('/api/v1/imports').attach('file', CSV, 'people.csv').expect(401);
    expect(anonymous.body.error.code).to.equal('unauthorized');
    await request(host.app!).get('/crm/import').expect(302).expect('Location', /^\/login/);

    const viewer = await host.userWithRights(['crm.access', 'crm.contacts.create']);
    const bearer = (await request(host.app!).post('/api/v1/auth/token').send({ email: viewer.email, password: viewer.password })).body.token as string;
    const refused = await request(host.app!).post('/api/v1/imports').set('Authorization', `Bearer ${bearer}`).attach('file', CSV, 'people.csv').expect(403);
    expect(refused.body.error.code).to.equal('forbidden');
    for (const url of ['/api/v1/imports', '/api/v1/imports/1', '/api/v1/imports/1/errors']) {
      await request(host.app!).get(url).set('Authorization', `Bearer ${bearer}`).expect(403);
    }
    await request(host.app!).delete('/api/v1/imports/1').set('Authorization', `Bearer ${bearer}`).expect(403);
    const agent = await host.login(viewer.email, viewer.password);
    await agent.get('/crm/import').expect(403);
    const list = await agent.get('/crm/contacts').expect(200);
    expect(list.text).not.to.contain('data-testid="import-link"');
    expect(leftovers()).to.deep.equal([]);
  });

  it('describes the multipart upload in the OpenAPI document', async () => {
    const doc = (await request(host.app!).get('/api/v1/openapi.json').expect(200)).body;
    const body = doc.paths['/imports'].post.requestBody.content['multipart/form-data'].schema;
    expect(body.required).to.deep.equal(['file']);
    expect(body.properties.file).to.include({ type: 'string', format: 'binary' });
    expect(body.properties).to.have.keys('file', 'mapping', 'options');
  });

  it('refuses a body that is not multipart with 415, translated', async () => {
    const res = await api().set('Accept-Language', 'pl').send({ file: 'x' }).expect(415);
    expect(res.body.error).to.include({ code: 'import_multipart_required', message: 'Wyślij plik jako multipart/form-data.' });
  });

  it('asks for a file when none came', async () => {
    const res = await api().field('options', '{}').expect(400);
    expect(res.body.error.code).to.equal('import_file_missing');
    expect(res.body.error.details).to.deep.equal([{ field: 'file', code: 'required', message: 'Choose a file to import.' }]);
  });

  it('takes one file only, and removes what it wrote', async () => {
    const res = await api().set('Accept-Language', 'ru').attach('file', CSV, 'a.csv').attach('file', CSV, 'b.csv').expect(400);
    expect(res.body.error.code).to.equal('import_one_file');
    expect(res.body.error.message).to.equal('Отправьте ровно один файл в поле «file».');
    expect(leftovers()).to.deep.equal([]);
  });

  it('refuses a file under another field name', async () => {
    const res = await api().attach('upload', CSV, 'a.csv').expect(400);
    expect(res.body.error.code).to.equal('import_one_file');
  });

  it('refuses an oversized settings field with 413 and too many parts with 400', async () => {
    const long = await api().attach('file', CSV, 'a.csv').field('mapping', JSON.stringify(['x'.repeat(UPLOAD_LIMITS.fieldSize)])).expect(413);
    expect(long.body.error.code).to.equal('import_field_too_large');
    let many = api();
    for (let i = 0; i <= UPLOAD_LIMITS.fields; i++) many = many.field(`f${i}`, 'x');
    const parts = await many.attach('file', CSV, 'a.csv').expect(400);
    expect(parts.body.error.code).to.equal('import_invalid_upload');
    expect(leftovers()).to.deep.equal([]);
  });

  it('checks the JSON settings before reading the file: broken JSON, unknown options, bad mapping', async () => {
    const broken = await api().attach('file', CSV, 'a.csv').field('options', '{dry_run: true').expect(400);
    expect(broken.body.error.details).to.deep.equal([{ field: 'options', code: 'json', message: 'The field "options" must hold valid JSON.' }]);

    const wrong = await api()
      .set('Accept-Language', 'uk')
      .attach('file', CSV, 'a.csv')
      .field('options', JSON.stringify({ on_duplicate: 'merge', dedupe_keys: ['email', 'iban'], apply: { status_id: 0 } }))
      .expect(400);
    const fields = (wrong.body.error.details as Array<{ field: string; message: string }>).map((d) => d.field);
    expect(fields).to.include.members(['options.on_duplicate', 'options.dedupe_keys.1', 'options.apply.status_id']);
    expect(wrong.body.error.message).not.to.match(/^host:/);

    const mapping = await api().attach('file', CSV, 'a.csv').field('mapping', JSON.stringify({ email: 0 })).expect(400);
    expect(mapping.body.error.details[0]).to.include({ field: 'mapping', code: 'type' });
    expect(leftovers()).to.deep.equal([]);
  });

  it(`refuses a file over ${MAX_IMPORT_FILE_BYTES / 1024 / 1024} MB with 413 while it streams in, and keeps nothing`, async function () {
    this.timeout(120_000);
    const server = host.app!.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const boundary = '----import-limit-test';
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\nContent-Type: text/csv\r\n\r\n`);
      const chunk = Buffer.alloc(1024 * 1024, 'a,b,c\n');
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', path: '/api/v1/imports', headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` } },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, body: text });
              req.destroy();
            });
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
        let sent = 0;
        const pump = () => {
          if (sent === 0) req.write(head);
          while (sent <= MAX_IMPORT_FILE_BYTES + chunk.length) {
            sent += chunk.length;
            if (req.destroyed) return;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end(`\r\n--${boundary}--\r\n`);
        };
        pump();
      });
      expect(status).to.equal(413);
      expect(JSON.parse(body).error).to.include({ code: 'import_too_large', message: `The file is too large: the limit is ${MAX_IMPORT_FILE_BYTES / 1024 / 1024} MB.` });
      // multer removes the partial file once the request is torn down.
      for (let i = 0; i < 50 && leftovers().length; i++) await new Promise((r) => setTimeout(r, 50));
      expect(leftovers()).to.deep.equal([]);
    } finally {
      server.close();
    }
  });
});
