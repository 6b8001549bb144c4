import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type TestAgent from 'supertest/lib/agent.js';
import { csrfOf, ROOT } from '../../../tests/support/test-host.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const FIXTURE_PLUGINS = path.join(ROOT, 'plugins', 'crm', 'tests', 'fixtures', 'plugins');
/** The fixture plugin hides contacts with this job title from everyone but administrators. */
const HIDDEN = 'Hidden by fixture';

/** A 1×1 grey PNG and a 1×1 baseline JPEG: the smallest files browsers still decode. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);

describe('Contact photo on the card', () => {
  let host: CrmTestHost;
  let admin: TestAgent;
  let csrf: string;
  let photos: string;

  before(async () => {
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), FIXTURE_PLUGINS] });
    photos = path.join(host.services.config.dataDir, 'photos');
    admin = await host.login();
    csrf = await csrfOf(admin, '/crm/contacts/new');
  });
  after(() => host.dispose());

  const person = (extra: Record<string, unknown> = {}) => host.contacts.create(host.admin, { kind: 'person', first_name: 'Photo', last_name: 'Person', ...extra });

  /** An upload as assets/photo.js sends it: multipart, the token in a header, JSON wanted back. */
  function upload(agent: TestAgent, token: string, id: number, file?: { bytes: Buffer; name: string; type: string }) {
    const req = agent.post(`/crm/contacts/${id}/photo`).set('X-CSRF-Token', token).set('Accept', 'application/json');
    return file ? req.attach('photo', file.bytes, { filename: file.name, contentType: file.type }) : req.field('note', 'no file');
  }

  const filesOf = (id: number) => (fs.existsSync(photos) ? fs.readdirSync(photos).filter((f) => f.startsWith(`${id}-`)) : []);

  async function signedIn(rights: string[]) {
    const u = await host.userWithRights(rights);
    const agent = await host.login(u.email, u.password);
    return { agent, csrf: await csrfOf(agent, '/') };
  }

  it('stores an uploaded PNG, bumps the version, records history and shows it on the card', async () => {
    const c = await person();
    const res = await upload(admin, csrf, c.id, { bytes: PNG, name: 'me.png', type: 'image/png' }).expect(200);
    expect(res.body).to.deep.equal({ photo_url: `/crm/contacts/${c.id}/photo`, version: c.version + 1 });
    expect(filesOf(c.id)).to.have.length(1).and.match(/^\d+-[0-9a-f]{16}\.png$/);

    const after = await host.contacts.get(host.admin, c.id);
    expect(after.photo_url).to.equal(`/crm/contacts/${c.id}/photo`);
    expect(after.version).to.equal(c.version + 1);
    const entry = (await host.history.list(host.admin, c.id, { field: 'photo' }))[0]!;
    expect(entry).to.include({ action: 'update', field: 'photo', old_value: null, new_value: filesOf(c.id)[0] });

    const card = await admin.get(`/crm/contacts/${c.id}`).expect(200);
    expect(card.text).to.contain(`src="/crm/contacts/${c.id}/photo?v=${after.version}"`);
    expect(card.text).to.contain('data-testid="photo-remove"').and.contain('/assets/p/crm/photo.js');
    await admin.get(`/crm/contacts/${c.id}/tabs/crm/history`).expect(200);
  });

  it('serves the photo privately with its real type', async () => {
    const c = await person();
    await upload(admin, csrf, c.id, { bytes: PNG, name: 'me.png', type: 'image/png' }).expect(200);
    const res = await admin.get(`/crm/contacts/${c.id}/photo`).buffer(true).expect(200);
    expect(res.headers['content-type']).to.equal('image/png');
    expect(res.headers['cache-control']).to.equal('private, max-age=300');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(Buffer.compare(res.body as Buffer, PNG)).to.equal(0);
  });

  it('replaces a PNG with a JPEG (named .png) and deletes the old file after the commit', async () => {
    const c = await person();
    await upload(admin, csrf, c.id, { bytes: PNG, name: 'one.png', type: 'image/png' }).expect(200);
    const [first] = filesOf(c.id);
    await upload(admin, csrf, c.id, { bytes: JPEG, name: 'two.png', type: 'image/png' }).expect(200);
    const files = filesOf(c.id);
    expect(files).to.have.length(1);
    expect(files[0]).to.match(/\.jpg$/).and.not.equal(first);
    const res = await admin.get(`/crm/contacts/${c.id}/photo`).expect(200);
    expect(res.headers['content-type']).to.equal('image/jpeg');
    const entries = await host.history.list(host.admin, c.id, { field: 'photo' });
    expect(entries.map((e) => e.new_value)).to.deep.equal([files[0], first]);
  });

  it('refuses a text file renamed to .png with 415, whatever the browser claims', async () => {
    const c = await person();
    const res = await upload(admin, csrf, c.id, { bytes: Buffer.from('just some text, not a picture'), name: 'photo.png', type: 'image/png' }).expect(415);
    expect(res.body.error.code).to.equal('photo_wrong_type');
    expect(res.body.error.message).to.equal('This file is not a PNG, JPEG or WebP image.');
    expect(filesOf(c.id)).to.deep.equal([]);
    expect((await host.contacts.get(host.admin, c.id)).version).to.equal(c.version);
  });

  it('refuses a file over 2 MB with 413, translated', async () => {
    const c = await person();
    const big = Buffer.concat([PNG, Buffer.alloc(3 * 1024 * 1024)]);
    const res = await upload(admin, csrf, c.id, { bytes: big, name: 'big.png', type: 'image/png' }).set('Accept-Language', 'pl').expect(413);
    expect(res.body.error.code).to.equal('photo_too_large');
    expect(res.body.error.message).to.equal('Zdjęcie jest za duże: limit wynosi 2 MB.');
    expect(filesOf(c.id)).to.deep.equal([]);
  });

  it('answers 400 when no file is sent', async () => {
    const c = await person();
    const res = await upload(admin, csrf, c.id).expect(400);
    expect(res.body.error.code).to.equal('photo_missing');
    const plain = await admin.post(`/crm/contacts/${c.id}/photo`).set('X-CSRF-Token', csrf).set('Accept', 'application/json').type('form').send({ x: '1' }).expect(400);
    expect(plain.body.error.code).to.equal('photo_missing');
  });

  it('refuses an upload without the CSRF token', async () => {
    const c = await person();
    await admin.post(`/crm/contacts/${c.id}/photo`).set('Accept', 'application/json').attach('photo', PNG, 'me.png').expect(403);
    expect(filesOf(c.id)).to.deep.equal([]);
  });

  it('refuses users without the edit right with 403', async () => {
    const c = await person();
    const viewer = await signedIn(['crm.access']);
    await upload(viewer.agent, viewer.csrf, c.id, { bytes: PNG, name: 'me.png', type: 'image/png' }).expect(403);
    await viewer.agent.post(`/crm/contacts/${c.id}/photo/delete`).set('X-CSRF-Token', viewer.csrf).set('Accept', 'application/json').expect(403);
    const card = await viewer.agent.get(`/crm/contacts/${c.id}`).expect(200);
    expect(card.text).not.to.contain('data-photo-form');
  });

  it('answers 404 for a contact the user may not see, for upload, removal and the image', async () => {
    const c = await person({ job_title: HIDDEN });
    await upload(admin, csrf, c.id, { bytes: PNG, name: 'me.png', type: 'image/png' }).expect(200);
    const editor = await signedIn(['crm.access', 'crm.contacts.edit']);
    await upload(editor.agent, editor.csrf, c.id, { bytes: JPEG, name: 'me.jpg', type: 'image/jpeg' }).expect(404);
    await editor.agent.post(`/crm/contacts/${c.id}/photo/delete`).set('X-CSRF-Token', editor.csrf).set('Accept', 'application/json').expect(404);
    await editor.agent.get(`/crm/contacts/${c.id}/photo`).expect(404);
    expect(filesOf(c.id)).to.have.length(1).and.match(/\.png$/);
  });

  it('answers 404 for the image of a contact without a photo', async () => {
    const c = await person();
    await admin.get(`/crm/contacts/${c.id}/photo`).expect(404);
  });

  it('removes the photo from a plain form, with history, back to the initials', async () => {
    const c = await person();
    await upload(admin, csrf, c.id, { bytes: PNG, name: 'me.png', type: 'image/png' }).expect(200);
    const [file] = filesOf(c.id);
    const res = await admin.post(`/crm/contacts/${c.id}/photo/delete`).type('form').send({ _csrf: csrf }).expect(303);
    expect(res.headers.location).to.equal(`/crm/contacts/${c.id}`);
    expect(filesOf(c.id)).to.deep.equal([]);
    const after = await host.contacts.get(host.admin, c.id);
    expect(after.photo_url).to.equal(null);
    expect(after.version).to.equal(c.version + 2);
    const entry = (await host.history.list(host.admin, c.id, { field: 'photo' }))[0]!;
    expect(entry).to.include({ action: 'update', old_value: file, new_value: null });
    const card = await admin.get(`/crm/contacts/${c.id}`).expect(200);
    expect(card.text).to.contain('The photo has been removed.').and.not.contain('data-testid="card-photo"');
    await admin.get(`/crm/contacts/${c.id}/photo`).expect(404);
  });
});
