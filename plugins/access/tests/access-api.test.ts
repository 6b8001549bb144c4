/** The access plugin's REST API: classes, groups with classes and "only my clients", per-card grants, and the "set class" list action. */
import { expect } from 'chai';
import request from 'supertest';
import { TOKENS, type EventBus, type ExtensionRegistry } from '../../../host/api.js';
import { ADMIN } from '../../../tests/support/test-host.js';
import { contactMerged, listActions, type Contact } from '../../crm/api.js';
import { createAccessTestHost, rejection, type AccessTestHost } from './support/access-host.js';

describe('Access API', function () {
  this.timeout(60_000);
  let host: AccessTestHost;
  let adminToken: string;

  const api = (token: string) => {
    const wrap = (r: request.Test) => r.set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');
    return {
      get: (p: string) => wrap(request(host.app!).get(`/api/v1${p}`)),
      post: (p: string, body: object) => wrap(request(host.app!).post(`/api/v1${p}`)).send(body),
      patch: (p: string, body: object) => wrap(request(host.app!).patch(`/api/v1${p}`)).send(body),
      delete: (p: string) => wrap(request(host.app!).delete(`/api/v1${p}`)),
    };
  };

  before(async () => {
    host = await createAccessTestHost();
    adminToken = await host.token(ADMIN.email, ADMIN.password);
  });
  after(() => host.dispose());

  describe('classes', () => {
    it('creates, lists in order, renames, recolours and moves classes', async () => {
      const a = api(adminToken);
      const north = (await a.post('/classes', { name: 'North', color: '#0D6EFD' }).expect(201)).body;
      expect(north).to.include({ name: 'North', color: '#0d6efd' }).and.have.property('id');
      const south = (await a.post('/classes', { name: ' South ' }).expect(201)).body;
      expect(south).to.include({ name: 'South', color: null, sort: north.sort + 1 });
      expect((await a.get('/classes').expect(200)).body.items.map((c: { name: string }) => c.name)).to.deep.equal(['North', 'South']);
      await a.patch(`/classes/${south.id}`, { name: 'Southwest', color: '#198754', sort: 0 }).expect(200);
      expect((await a.get('/classes').expect(200)).body.items.map((c: { name: string; color: string }) => [c.name, c.color])).to.deep.equal([['Southwest', '#198754'], ['North', '#0d6efd']]);
    });

    it('refuses bad input per field, a duplicate name (any case) with 409, and unknown ids with 404', async () => {
      const a = api(adminToken);
      const bad = await a.post('/classes', { name: '', color: 'blue' }).expect(400);
      expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).to.deep.equal(['color', 'name']);
      const dup = await a.post('/classes', { name: 'north' }).expect(409);
      expect(dup.body.error.message).to.equal('A class named “north” already exists.');
      await a.patch('/classes/999999', { name: 'X' }).expect(404);
      await a.patch('/classes/abc', { name: 'X' }).expect(404);
      await a.delete('/classes/999999').expect(404);
    });

    it('lets anyone with Contacts read the classes, and only class managers change them', async () => {
      const reader = await host.userWithRights(['crm.access']);
      const token = await host.token(reader.email, reader.password);
      await api(token).get('/classes').expect(200);
      await api(token).post('/classes', { name: 'Mine' }).expect(403);
      const manager = await host.userWithRights(['crm.access', 'access.classes.manage']);
      const managerToken = await host.token(manager.email, manager.password);
      const made = (await api(managerToken).post('/classes', { name: 'Temporary' }).expect(201)).body;
      await api(managerToken).delete(`/classes/${made.id}`).expect(200);
    });

    it('deletes a class, leaving its contacts unclassified with a history entry each', async () => {
      const a = api(adminToken);
      const doomed = (await a.post('/classes', { name: 'Doomed' }).expect(201)).body;
      const group = (await a.post('/groups', { name: 'Doomed viewers', rights: ['crm.access'], classes: { [doomed.id]: 'view' } }).expect(201)).body;
      const members = [await host.contact({ first_name: 'Ada', class_id: doomed.id }), await host.contact({ first_name: 'Bob', class_id: doomed.id })];
      await host.contacts.remove(host.admin, members[1]!.id); // the trash too
      expect((await a.delete(`/classes/${doomed.id}`).expect(200)).body).to.deep.equal({ unclassified: 2 });
      for (const m of members) {
        const after = await host.contacts.get(host.admin, m.id, { withDeleted: true });
        expect(after.class_id).to.equal(null);
        expect(after.version).to.be.greaterThan(m.version);
        const entries = await host.history.list(host.admin, m.id, { field: 'class_id' });
        expect(entries[0]).to.include({ action: 'update', field: 'class_id', old_value: doomed.id, new_value: null, user_name: 'Administrator' });
      }
      expect((await a.get(`/groups/${group.id}`).expect(200)).body.classes).to.deep.equal({});
    });
  });

  describe('groups with classes', () => {
    let north: number;
    before(async () => {
      north = (await host.classes.list()).find((c) => c.name === 'North')!.id;
    });

    it('takes classes and only_own in POST and PATCH /api/v1/groups and returns them', async () => {
      const a = api(adminToken);
      const created = await a.post('/groups', { name: 'Sales North', rights: ['crm.access'], classes: { [north]: 'edit' }, only_own: true }).expect(201);
      expect(created.body).to.deep.include({ name: 'Sales North', classes: { [north]: 'edit' }, only_own: true });
      const patched = await a.patch(`/groups/${created.body.id}`, { only_own: false }).expect(200);
      expect(patched.body).to.deep.include({ classes: { [north]: 'edit' }, only_own: false });
      const cleared = await a.patch(`/groups/${created.body.id}`, { classes: { [north]: 'none' } }).expect(200);
      expect(cleared.body.classes).to.deep.equal({});
      const listed = (await a.get('/groups').expect(200)).body.items.find((g: { id: number }) => g.id === created.body.id);
      expect(listed).to.deep.include({ classes: {}, only_own: false });
    });

    it('forgets what a group granted when the group is deleted', async () => {
      const a = api(adminToken);
      const made = (await a.post('/groups', { name: 'Short-lived', classes: { [north]: 'view' }, only_own: true }).expect(201)).body;
      await a.delete(`/groups/${made.id}`).expect(204);
      for (const table of ['access_group_classes', 'access_group_options']) {
        const [rows] = await host.db.query(`SELECT COUNT(*) AS n FROM ${table} WHERE group_id = ?`, { replacements: [made.id] });
        expect(Number((rows as Array<{ n: number }>)[0]!.n), table).to.equal(0);
      }
    });

    it('refuses unknown classes and levels before writing anything', async () => {
      const a = api(adminToken);
      const unknown = await a.post('/groups', { name: 'Ghost class', classes: { 999999: 'view' } }).expect(400);
      expect(unknown.body.error.details[0]).to.include({ field: 'classes.999999', code: 'unknown' });
      await a.post('/groups', { name: 'Bad level', classes: { [north]: 'admin' } }).expect(400);
      await a.post('/groups', { name: 'Bad own', only_own: 'yes' }).expect(400);
      const names = (await a.get('/groups').expect(200)).body.items.map((g: { name: string }) => g.name);
      expect(names).not.to.include.members(['Ghost class', 'Bad level', 'Bad own']);
    });
  });

  describe('per-card grants', () => {
    let hidden: Contact;
    let north: number;
    let viewer: { email: string; password: string; id: number };
    let viewerToken: string;
    let outsider: { email: string; password: string; id: number };
    let outsiderToken: string;

    before(async () => {
      north = (await host.classes.list()).find((c) => c.name === 'North')!.id;
      hidden = await host.contact({ first_name: 'Hilda', last_name: 'Hidden', class_id: north });
      viewer = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
      viewerToken = await host.token(viewer.email, viewer.password);
      outsider = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
      outsiderToken = await host.token(outsider.email, outsider.password);
    });

    it('grants a named user access to one card, with history, and lists it', async () => {
      const a = api(adminToken);
      await api(viewerToken).get(`/contacts/${hidden.id}`).expect(404);
      const grant = (await a.post(`/contacts/${hidden.id}/grants`, { user_id: viewer.id, level: 'view' }).expect(201)).body;
      expect(grant).to.include({ contact_id: hidden.id, user_id: viewer.id, group_id: null, level: 'view', user_name: viewer.email.split('@')[0] });
      await api(viewerToken).get(`/contacts/${hidden.id}`).expect(200);
      expect((await api(viewerToken).get(`/contacts/${hidden.id}/grants`).expect(200)).body.items.map((g: { id: number }) => g.id)).to.deep.equal([grant.id]);
      // The same principal again changes the level instead of adding a second grant.
      const raised = await a.post(`/contacts/${hidden.id}/grants`, { user_id: viewer.id, level: 'edit' }).expect(200);
      expect(raised.body).to.include({ id: grant.id, level: 'edit' });
      const history = await host.history.list(host.admin, hidden.id, { action: 'access.grant' });
      expect(history.map((h) => [h.old_value, h.new_value])).to.deep.equal([
        [{ user_id: viewer.id, name: grant.user_name, level: 'view' }, { user_id: viewer.id, name: grant.user_name, level: 'edit' }],
        [null, { user_id: viewer.id, name: grant.user_name, level: 'view' }],
      ]);
    });

    it('answers 404 to whoever may not see the contact, and 403 to whoever sees but may not edit it', async () => {
      await api(outsiderToken).get(`/contacts/${hidden.id}/grants`).expect(404);
      await api(outsiderToken).post(`/contacts/${hidden.id}/grants`, { user_id: outsider.id, level: 'view' }).expect(404);
      await api(outsiderToken).delete(`/contacts/${hidden.id}/grants/1`).expect(404);
      const reader = await host.userWithRights(['crm.access', 'crm.contacts.edit']);
      await host.grants.add(host.admin, hidden.id, { user_id: reader.id, level: 'view' });
      const readerToken = await host.token(reader.email, reader.password);
      await api(readerToken).get(`/contacts/${hidden.id}/grants`).expect(200);
      await api(readerToken).post(`/contacts/${hidden.id}/grants`, { user_id: outsider.id, level: 'view' }).expect(403);
    });

    it('lets a user granted "edit" share the card with a group, and refuses a grant to nobody or to both', async () => {
      const groupId = (await api(adminToken).post('/groups', { name: 'Support desk', rights: ['crm.access'] }).expect(201)).body.id;
      const both = await api(viewerToken).post(`/contacts/${hidden.id}/grants`, { user_id: outsider.id, group_id: groupId, level: 'view' }).expect(400);
      expect(both.body.error.details[0].message).to.equal('Give either a user or a group.');
      await api(viewerToken).post(`/contacts/${hidden.id}/grants`, { level: 'view' }).expect(400);
      await api(viewerToken).post(`/contacts/${hidden.id}/grants`, { group_id: 999999, level: 'view' }).expect(400);
      const shared = (await api(viewerToken).post(`/contacts/${hidden.id}/grants`, { group_id: groupId, level: 'view' }).expect(201)).body;
      expect(shared).to.include({ group_id: groupId, group_name: 'Support desk', user_id: null });
    });

    it('removes a grant with a history entry, and the contact disappears at once', async () => {
      const mine = (await host.grants.list(host.admin, hidden.id)).find((g) => g.user_id === viewer.id)!;
      await api(viewerToken).delete(`/contacts/${hidden.id}/grants/999999`).expect(404);
      await api(viewerToken).delete(`/contacts/${hidden.id}/grants/${mine.id}`).expect(204);
      await api(viewerToken).get(`/contacts/${hidden.id}`).expect(404);
      const [entry] = await host.history.list(host.admin, hidden.id, { action: 'access.revoke' });
      expect(entry).to.deep.include({ old_value: { user_id: viewer.id, name: mine.user_name, level: 'edit' }, new_value: null, user_name: viewer.email.split('@')[0] });
    });

    it('drops the grants of a purged contact', async () => {
      const temp = await host.contact({ first_name: 'Temp' });
      await host.grants.add(host.admin, temp.id, { user_id: viewer.id, level: 'view' });
      await host.contacts.remove(host.admin, temp.id);
      await host.contacts.purge(host.admin, temp.id);
      const [rows] = await host.db.query('SELECT COUNT(*) AS n FROM access_contact_grants WHERE contact_id = ?', { replacements: [temp.id] });
      expect(Number((rows as Array<{ n: number }>)[0]!.n)).to.equal(0);
    });

    it('moves the grants of a merged contact to the surviving one, without doubling a principal', async () => {
      const from = await host.contact({ first_name: 'Dupe' });
      const into = await host.contact({ first_name: 'Keeper' });
      await host.grants.add(host.admin, from.id, { user_id: viewer.id, level: 'view' });
      await host.grants.add(host.admin, from.id, { user_id: outsider.id, level: 'edit' });
      await host.grants.add(host.admin, into.id, { user_id: viewer.id, level: 'view' });
      await host.db.transaction((transaction) => host.services.get<EventBus>(TOKENS.Events).emit(contactMerged, { fromId: from.id, intoId: into.id, userId: host.admin.id, transaction }));
      expect((await host.grants.list(host.admin, into.id)).map((g) => [g.user_id, g.level]).sort()).to.deep.equal([[outsider.id, 'edit'], [viewer.id, 'view']].sort());
      expect(await host.grants.list(host.admin, from.id)).to.deep.equal([]);
    });
  });

  describe('the "set class" list action', () => {
    it('sets the class of the selected contacts the user may edit, with history, and refuses classes they may not assign', async () => {
      const action = host.services.get<ExtensionRegistry>(TOKENS.Extensions).list(listActions).find((a) => a.pluginId === 'access' && a.id === 'set-class')!;
      expect(action).to.include({ right: 'crm.contacts.edit', title: 'access:list.set_class' });
      const east = (await host.classes.create({ name: 'East' })).id;
      const west = (await host.classes.create({ name: 'West' })).id;
      const gid = await host.group('East editors', { classes: { [east]: 'edit', [west]: 'view' } });
      const user = await host.user('Eve East', [gid]);
      const free = await host.contact({ first_name: 'Free', last_name: 'Agent' });
      const inWest = await host.contact({ first_name: 'Wes', last_name: 'West', class_id: west });
      const staff = await host.contact({ first_name: 'Colleague', is_staff: true });

      const result = await action.run!(user, [free.id, inWest.id, staff.id, 999999], { class_id: east });
      expect(result).to.deep.equal({ changed: 1 }); // West is view-only for her; the staff card is not hers to edit
      expect((await host.contacts.get(host.admin, free.id)).class_id).to.equal(east);
      expect((await host.contacts.get(host.admin, inWest.id)).class_id).to.equal(west);
      const [entry] = await host.history.list(host.admin, free.id, { field: 'class_id' });
      expect(entry).to.include({ action: 'update', old_value: null, new_value: east, user_name: 'Eve East' });

      expect((await rejection(action.run!(user, [free.id], { class_id: west }))).status).to.equal(400);
      expect((await rejection(action.run!(user, [free.id], { class_id: 'x' }))).status).to.equal(400);
      expect(await action.run!(user, [free.id], { class_id: east })).to.deep.equal({ changed: 0 }); // already there
      expect(await action.run!(user, [free.id], { class_id: null })).to.deep.equal({ changed: 1 });
      expect(await action.run!(host.admin, [free.id, inWest.id, staff.id], { class_id: west })).to.deep.equal({ changed: 2 });
    });
  });

  it('documents its API routes in the OpenAPI document', async () => {
    const doc = (await request(host.app!).get('/api/v1/openapi.json').expect(200)).body;
    expect(doc.paths['/classes']).to.have.keys('get', 'post');
    expect(doc.paths['/classes/{id}']).to.have.keys('patch', 'delete');
    expect(doc.paths['/contacts/{id}/grants']).to.have.keys('get', 'post');
    expect(doc.paths['/contacts/{id}/grants/{grantId}']).to.have.keys('delete');
  });
});
