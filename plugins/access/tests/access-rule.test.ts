/**
 * The access rule's semantics, against a real database (SQLite by default, MariaDB with
 * CRM_TEST_DATABASE_URL): who sees and who edits which contacts, through the CRM's one scope.
 */
import { expect } from 'chai';
import type { CurrentUser } from '../../../host/api.js';
import type { Contact } from '../../crm/api.js';
import { editCondition, viewCondition } from '../services/access-sql.js';
import { createAccessTestHost, rejection, WORKER_RIGHTS, type AccessTestHost } from './support/access-host.js';

/** A CurrentUser built by hand, for the pure SQL builder. */
function fakeUser(id: number, groupIds: number[], rights: string[] = ['crm.access']): CurrentUser {
  const set = new Set(rights);
  return { id, email: 'x@example.com', name: 'X', locale: null, isAdmin: false, groupIds, rights: set, can: (r) => set.has(r) };
}

describe('Access rule: the SQL it builds', () => {
  it('gives a user in no group unclassified non-staff contacts and their own card grants only', () => {
    const c = viewCondition(fakeUser(7, []), 'c');
    expect(c.sql).to.equal('c.is_staff = ? AND (c.class_id IS NULL OR c.id IN (SELECT g.contact_id FROM access_contact_grants g WHERE g.user_id = ?))');
    expect(c.params).to.deep.equal([false, 7]);
  });

  it('asks the group tables through subqueries on the user’s group ids, with one placeholder per value', () => {
    const c = viewCondition(fakeUser(7, [3, 4, 3]), 'x');
    expect(c.sql).to.contain('x.class_id IN (SELECT gc.class_id FROM access_group_classes gc WHERE gc.group_id IN (?, ?)');
    expect(c.sql).to.contain('(x.responsible_id = ? AND x.class_id IN (');
    expect(c.sql).to.contain('g.user_id = ? OR g.group_id IN (?, ?)');
    expect(c.sql.split('?').length - 1).to.equal(c.params.length);
    expect(c.sql).not.to.match(/\b3\b|\b4\b/); // values only as parameters
  });

  it('drops the staff restriction for users who may see staff cards, and asks for "edit" levels when editing', () => {
    expect(viewCondition(fakeUser(1, [2], ['crm.access', 'access.staff.view']), 'c').sql).not.to.contain('is_staff');
    expect(viewCondition(fakeUser(1, [2], ['crm.access', 'access.staff.edit']), 'c').sql).not.to.contain('is_staff');
    const edit = editCondition(fakeUser(1, [2], ['crm.access', 'access.staff.view']), 'c');
    expect(edit.sql).to.match(/^c\.is_staff = \?/);
    expect(edit.sql).to.contain("gc.level = 'edit'").and.contain("g.level = 'edit'");
  });

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => viewCondition(fakeUser(1, []), 'c; DROP TABLE x')).to.throw(/alias/);
  });
});

describe('Access rule: who sees and edits what', function () {
  this.timeout(60_000);
  let host: AccessTestHost;
  let north: number;
  let south: number;
  let east: number;
  const c: Record<string, Contact> = {};
  const u: Record<string, CurrentUser> = {};
  const g: Record<string, number> = {};

  const sees = async (user: CurrentUser, ...names: string[]) => {
    const expected = names.map((n) => c[n]!.id).sort((a, b) => a - b);
    expect(await host.visible(user)).to.deep.equal(expected);
    // The scope's two forms, subqueries and lookups resolved to constants, select the same contacts.
    for (const scope of [host.scope.condition(user, 'c'), await host.scope.resolvedCondition(user, 'c')]) {
      const [rows] = await host.db.query(`SELECT c.id FROM crm_contacts c WHERE c.deleted_at IS NULL AND ${scope.sql} ORDER BY c.id`, { replacements: scope.params });
      expect((rows as Array<{ id: number }>).map((r) => Number(r.id)), scope.sql).to.deep.equal(expected);
    }
    expect((await host.query.count(user, {})).total).to.equal(expected.length);
    for (const [name, contact] of Object.entries(c)) {
      if (names.includes(name)) await host.scope.assertVisible(user, contact.id);
      else expect((await rejection(host.contacts.get(user, contact.id))).status, `${user.name} must not get ${name}`).to.equal(404);
    }
  };
  const edits = async (user: CurrentUser, ...names: string[]) => {
    for (const [name, contact] of Object.entries(c)) expect(await host.scope.canEdit(user, contact.id), `${user.name} edits ${name}`).to.equal(names.includes(name));
  };

  before(async () => {
    host = await createAccessTestHost();
    north = (await host.classes.create({ name: 'North', color: '#0d6efd' })).id;
    south = (await host.classes.create({ name: 'South', color: '#198754' })).id;
    east = (await host.classes.create({ name: 'East' })).id;
    g.none = await host.group('No classes');
    g.northView = await host.group('North viewers', { classes: { [north]: 'view' } });
    g.southOwn = await host.group('South, only own', { classes: { [south]: 'edit' }, onlyOwn: true });
    g.southView = await host.group('South viewers', { classes: { [south]: 'view' } });
    g.staff = await host.group('HR', { rights: [...WORKER_RIGHTS, 'access.staff.view'] });
    g.staffEdit = await host.group('HR editors', { rights: [...WORKER_RIGHTS, 'access.staff.edit'] });
    u.none = await host.user('Nobody Special', [g.none]);
    u.north = await host.user('Nora North', [g.northView]);
    u.southOwn = await host.user('Sam South', [g.southOwn]);
    u.southMixed = await host.user('Sue Mixed', [g.southOwn, g.southView]);
    u.granted = await host.user('Grace Granted', [g.none]);
    u.staff = await host.user('Hana HR', [g.staff]);
    u.staffEdit = await host.user('Hugo HR', [g.staffEdit]);

    c.free = await host.contact({ first_name: 'Free', last_name: 'Client' });
    c.n1 = await host.contact({ first_name: 'North', last_name: 'One', class_id: north });
    c.n2 = await host.contact({ first_name: 'North', last_name: 'Two', class_id: north });
    c.s1 = await host.contact({ first_name: 'South', last_name: 'Sams', class_id: south, responsible_id: u.southOwn.id });
    c.s2 = await host.contact({ first_name: 'South', last_name: 'Nobodys', class_id: south });
    c.s3 = await host.contact({ first_name: 'South', last_name: 'Sues', class_id: south, responsible_id: u.southMixed.id });
    c.e1 = await host.contact({ kind: 'company', company_name: 'East Shared Ltd', class_id: east });
    c.staff1 = await host.contact({ first_name: 'Staff', last_name: 'Member', is_staff: true });
    c.staffN = await host.contact({ first_name: 'Staff', last_name: 'North', is_staff: true, class_id: north });
    await host.grants.add(host.admin, c.n2.id, { user_id: u.granted.id, level: 'view' });
    await host.grants.add(host.admin, c.e1.id, { group_id: g.northView, level: 'edit' });
    await host.grants.add(host.admin, c.staffN.id, { user_id: u.none.id, level: 'edit' });
  });
  after(() => host.dispose());

  it('shows administrators everything', async () => {
    await sees(host.admin, ...Object.keys(c));
    await edits(host.admin, ...Object.keys(c));
  });

  it('shows a user whose groups grant no class the unclassified clients only (no staff cards, even one granted to them)', async () => {
    await sees(u.none!, 'free');
    await edits(u.none!, 'free');
  });

  it('shows a class granted at "view" without letting its clients be edited', async () => {
    await sees(u.north!, 'free', 'n1', 'n2', 'e1');
    await edits(u.north!, 'free', 'e1'); // e1: an "edit" grant on the card to the user's group
  });

  it('limits an "only my clients" group to the clients the user is responsible for', async () => {
    await sees(u.southOwn!, 'free', 's1');
    await edits(u.southOwn!, 'free', 's1');
  });

  it('lets another group of the same user grant the class in full, while editing stays limited to their own', async () => {
    await sees(u.southMixed!, 'free', 's1', 's2', 's3');
    await edits(u.southMixed!, 'free', 's3');
  });

  it('opens a single card to a user granted on it, at its level', async () => {
    await sees(u.granted!, 'free', 'n2');
    await edits(u.granted!, 'free');
  });

  it('needs access.staff.view to see staff cards and access.staff.edit to edit them', async () => {
    await sees(u.staff!, 'free', 'staff1');
    await edits(u.staff!, 'free');
    await sees(u.staffEdit!, 'free', 'staff1');
    await edits(u.staffEdit!, 'free', 'staff1');
  });

  it('applies changes to groups, grants and responsibility at once, with no cache to expire', async () => {
    await host.groupAccess.write(g.northView!, { classes: { [north]: 'edit', [south]: 'view' } });
    await sees(u.north!, 'free', 'n1', 'n2', 's1', 's2', 's3', 'e1');
    await edits(u.north!, 'free', 'n1', 'n2', 'e1');
    await host.groupAccess.write(g.northView!, { classes: { [north]: 'view' } });
    await sees(u.north!, 'free', 'n1', 'n2', 'e1');

    const grant = (await host.grants.list(host.admin, c.n2!.id)).find((x) => x.user_id === u.granted!.id)!;
    await host.grants.remove(host.admin, c.n2!.id, grant.id);
    await sees(u.granted!, 'free');
    await host.grants.add(host.admin, c.n2!.id, { user_id: u.granted!.id, level: 'view' });

    const s2 = await host.contacts.update(host.admin, c.s2!.id, { responsible_id: u.southOwn!.id }, c.s2!.version);
    await sees(u.southOwn!, 'free', 's1', 's2');
    c.s2 = await host.contacts.update(host.admin, c.s2!.id, { responsible_id: null }, s2.version);
    await sees(u.southOwn!, 'free', 's1');
  });

  it('answers 404 for a hidden contact and 403 for a visible one the user may not edit', async () => {
    expect((await rejection(host.contacts.update(u.none!, c.n1!.id, { job_title: 'x' }, c.n1!.version))).status).to.equal(404);
    expect((await rejection(host.contacts.update(u.north!, c.n1!.id, { job_title: 'x' }, c.n1!.version))).status).to.equal(403);
  });

  it('lets users assign only the classes their groups grant at "edit", and "no class"', async () => {
    const mine = await host.contacts.create(u.southOwn!, { kind: 'person', first_name: 'Brand', last_name: 'New', class_id: south, responsible_id: u.southOwn!.id });
    expect(mine.class_id).to.equal(south);
    const refused = await rejection(host.contacts.create(u.southOwn!, { kind: 'person', first_name: 'Hidden', last_name: 'Away', class_id: north }));
    expect(refused.status).to.equal(400);
    expect(refused.details).to.deep.equal([{ field: 'class_id', code: 'not_allowed', message: 'access:errors.class_not_allowed' }]);
    const unknown = await rejection(host.contacts.create(host.admin, { kind: 'person', first_name: 'X', class_id: 999999 }));
    expect((unknown.details as Array<{ code: string }>)[0]!.code).to.equal('unknown');
    const cleared = await host.contacts.update(u.southOwn!, mine.id, { class_id: null }, mine.version);
    expect(cleared.class_id).to.equal(null);
    await host.contacts.remove(host.admin, mine.id); // out of the way of the other examples
  });

  it('lets only staff editors change the staff flag', async () => {
    const refused = await rejection(host.contacts.update(u.none!, c.free!.id, { is_staff: true }, c.free!.version));
    expect([refused.status, (refused.details as Array<{ field: string }>)[0]!.field]).to.deep.equal([400, 'is_staff']);
    const marked = await host.contacts.update(u.staffEdit!, c.free!.id, { is_staff: true }, c.free!.version);
    await sees(u.none!); // the only client they saw is now a colleague
    c.free = await host.contacts.update(u.staffEdit!, c.free!.id, { is_staff: false }, marked.version);
    await sees(u.none!, 'free');
  });
});
