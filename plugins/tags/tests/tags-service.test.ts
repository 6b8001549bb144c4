/**
 * Tags on contacts, through the services: what `contact.tags` holds, one tag per name whatever
 * its letter case, history for every change, mass changes inside the access scope, the
 * administrators' rename / merge / delete, the "has tag" filter, and contact merges and purges.
 */
import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { TOKENS, seeders, type CurrentUser, type EventBus, type ExtensionRegistry } from '../../../host/api.js';
import { contactMerged, type Contact } from '../../crm/api.js';
import { createTagsTestHost, type TagsTestHost } from './support/tags-host.js';

describe('Tags (services)', () => {
  let host: TagsTestHost;
  let db: Sequelize;

  before(async () => {
    host = await createTagsTestHost();
    db = host.services.get<Sequelize>(TOKENS.Database);
  });
  after(() => host.dispose());

  const tagHistory = async (id: number) =>
    (await host.history.list(host.admin, id, { field: 'tags' })).map((h) => ({ action: h.action, old: h.old_value, new: h.new_value, user: h.user_id, restorable: h.restorable }));
  const namesOf = async (id: number) => (await host.contacts.get(host.admin, id)).tags;

  /** Counts the SQL statements that mention `table` while `fn` runs. */
  async function statementsOn<T>(table: string, fn: () => Promise<T>): Promise<{ result: T; count: number }> {
    const original = db.query.bind(db);
    let count = 0;
    (db as unknown as { query: unknown }).query = (sql: unknown, ...rest: unknown[]) => {
      if (typeof sql === 'string' && sql.includes(table)) count += 1;
      return (original as (...a: unknown[]) => unknown)(sql, ...rest);
    };
    try {
      return { result: await fn(), count };
    } finally {
      (db as unknown as { query: unknown }).query = original;
    }
  }

  describe('contact.tags', () => {
    it('holds the names of a contact’s tags, sorted alphabetically', async () => {
      const c = await host.contact();
      for (const name of ['zebra', 'Apple', 'mango', '10 items', '9 items']) await host.contactTags.add(host.admin, c.id, name);
      expect(await namesOf(c.id)).to.deep.equal(['9 items', '10 items', 'Apple', 'mango', 'zebra']);
      expect(await namesOf((await host.contact()).id)).to.deep.equal([]);
    });

    it('is filled for a whole page of contacts with one query', async () => {
      const made: Contact[] = [];
      for (let i = 0; i < 6; i++) made.push(await host.contact({ last_name: `Paged ${i}` }));
      for (const c of made) await host.contactTags.add(host.admin, c.id, `page-${c.id % 2}`);
      const { result, count } = await statementsOn('tags_contact_tags', () => host.query.list(host.admin, { q: 'Paged', limit: 50 }));
      expect(result.items).to.have.length(6);
      for (const c of result.items) expect(c.tags).to.deep.equal([`page-${c.id % 2}`]);
      expect(count).to.equal(1);
    });
  });

  describe('names', () => {
    it('are one tag whatever the letter case, keeping the first spelling', async () => {
      const [a, b] = [await host.contact(), await host.contact()];
      await host.contactTags.add(host.admin, a.id, 'VIP');
      const { tags } = await host.contactTags.add(host.admin, b.id, '  vip ');
      expect(tags.map((t) => t.name)).to.deep.equal(['VIP']);
      expect((await host.tags.list(host.admin, { q: 'vip' })).filter((t) => t.name.toLowerCase() === 'vip')).to.have.length(1);
      const ensured = await host.tags.ensure(['Vip', 'vIP', 'Brand new', 'brand  NEW']);
      expect(ensured.map((t) => t.name)).to.deep.equal(['VIP', 'Brand new']);
      try {
        await host.tags.create('vIp');
        expect.fail('a second "vip" was created');
      } catch (e) {
        expect((e as { status: number }).status).to.equal(409);
      }
    });

    it('keep accents apart on both databases (café is not cafe) and fold non-Latin letters', async () => {
      const [cafe, accented] = await host.tags.ensure(['Cafe', 'Café']);
      expect(cafe!.id).to.not.equal(accented!.id);
      const [upper] = await host.tags.ensure(['ПОСТАВЩИК']);
      const [lower] = await host.tags.ensure(['поставщик']);
      expect(upper!.id).to.equal(lower!.id);
      expect(lower!.name).to.equal('ПОСТАВЩИК');
    });

    it('are refused when empty, too long or holding a comma (it separates names in ?tag=a,b)', async () => {
      const c = await host.contact();
      for (const bad of ['', '   ', 'a,b', 'x'.repeat(101), 'bell\u0007']) {
        try {
          await host.contactTags.add(host.admin, c.id, bad);
          expect.fail(`"${bad}" was accepted`);
        } catch (e) {
          expect((e as { status: number }).status, JSON.stringify(bad)).to.equal(400);
        }
      }
      expect(await namesOf(c.id)).to.deep.equal([]);
      await host.contactTags.add(host.admin, c.id, 'ł'.repeat(100)); // 100 letters, whatever their bytes
      await host.contactTags.add(host.admin, c.id, ' Two\t  words '); // whitespace is tidied
      expect(await namesOf(c.id)).to.deep.equal(['ł'.repeat(100), 'Two words']);
    });
  });

  describe('adding and removing on one contact', () => {
    it('writes the old and new names into the contact’s history, once per real change', async () => {
      const c = await host.contact();
      expect((await host.contactTags.add(host.admin, c.id, 'Partner')).added).to.equal(true);
      expect((await host.contactTags.add(host.admin, c.id, 'partner')).added).to.equal(false); // already there
      const { tags } = await host.contactTags.add(host.admin, c.id, 'Hot lead');
      const partner = tags.find((t) => t.name === 'Partner')!;
      expect((await host.contactTags.remove(host.admin, c.id, partner.id)).removed).to.equal(true);
      expect((await host.contactTags.remove(host.admin, c.id, partner.id)).removed).to.equal(false);
      expect(await tagHistory(c.id)).to.deep.equal([
        { action: 'update', old: ['Hot lead', 'Partner'], new: ['Hot lead'], user: host.admin.id, restorable: false },
        { action: 'update', old: ['Partner'], new: ['Hot lead', 'Partner'], user: host.admin.id, restorable: false },
        { action: 'update', old: [], new: ['Partner'], user: host.admin.id, restorable: false },
      ]);
    });

    it('answers 404 for a contact the user may not see, 403 for one they may not edit or that is in the trash', async () => {
      const seller = await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'restricted-seller@example.com');
      const reader = await host.userWithRights(['crm.access']);
      const user = await host.asUser(seller.id);
      const hidden = await host.contact();
      const locked = await host.contact({ responsible_id: seller.id, job_title: 'Locked' });
      const own = await host.contact({ responsible_id: seller.id });
      const status = async (fn: () => Promise<unknown>) => fn().then(() => 200, (e: { status: number }) => e.status);
      expect(await status(() => host.contactTags.add(user, hidden.id, 'x'))).to.equal(404);
      expect(await status(() => host.contactTags.ofContact(user, hidden.id))).to.equal(404);
      expect(await status(() => host.contactTags.add(user, locked.id, 'x'))).to.equal(403);
      const readerUser = await host.asUser(reader.id);
      expect(await status(() => host.contactTags.add(readerUser, own.id, 'x'))).to.equal(403);
      expect(await status(() => host.contactTags.add(user, own.id, 'Mine'))).to.equal(200);
      await host.contacts.remove(host.admin, own.id);
      expect(await status(() => host.contactTags.add(user, own.id, 'x'))).to.equal(403);
      expect(await status(() => host.contactTags.add(host.admin, own.id, 'x'))).to.equal(403);
    });
  });

  describe('mass actions', () => {
    it('add and remove tags on many contacts, with history per changed contact, and count the changed ones', async () => {
      const list: Contact[] = [];
      for (let i = 0; i < 5; i++) list.push(await host.contact({ last_name: `Mass ${i}` }));
      const ids = list.map((c) => c.id);
      await host.contactTags.add(host.admin, ids[0]!, 'Newsletter');
      expect(await host.contactTags.addMany(host.admin, [...ids, ...ids, 99_999_999], ['newsletter', 'Spring 2024'])).to.deep.equal({ changed: 5 });
      for (const id of ids) expect(await namesOf(id)).to.deep.equal(['Newsletter', 'Spring 2024']);
      expect((await tagHistory(ids[0]!))[0]).to.deep.include({ old: ['Newsletter'], new: ['Newsletter', 'Spring 2024'] });
      expect((await tagHistory(ids[1]!))[0]).to.deep.include({ old: [], new: ['Newsletter', 'Spring 2024'] });
      expect(await host.contactTags.addMany(host.admin, ids, ['Spring 2024'])).to.deep.equal({ changed: 0 });

      expect(await host.contactTags.removeMany(host.admin, ids.slice(0, 3), ['SPRING 2024', 'never used'])).to.deep.equal({ changed: 3 });
      expect(await namesOf(ids[0]!)).to.deep.equal(['Newsletter']);
      expect(await namesOf(ids[4]!)).to.deep.equal(['Newsletter', 'Spring 2024']);
      expect((await tagHistory(ids[2]!))[0]).to.deep.include({ old: ['Newsletter', 'Spring 2024'], new: ['Newsletter'] });
    });

    it('change only contacts the user may see and edit, whatever ids they are given', async () => {
      const seller = await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'restricted-mass@example.com');
      const user = await host.asUser(seller.id);
      const own = await host.contact({ responsible_id: seller.id });
      const locked = await host.contact({ responsible_id: seller.id, job_title: 'Locked' });
      const other = await host.contact();
      expect(await host.contactTags.addMany(user, [own.id, locked.id, other.id], ['Campaign'])).to.deep.equal({ changed: 1 });
      expect(await namesOf(own.id)).to.deep.equal(['Campaign']);
      expect(await namesOf(locked.id)).to.deep.equal([]);
      expect(await namesOf(other.id)).to.deep.equal([]);
      await host.contactTags.add(host.admin, other.id, 'Campaign');
      expect(await host.contactTags.removeMany(user, [own.id, other.id], ['Campaign'])).to.deep.equal({ changed: 1 });
      expect(await namesOf(other.id)).to.deep.equal(['Campaign']);
      const reader = await host.asUser((await host.userWithRights(['crm.access'])).id);
      const refused = await host.contactTags.addMany(reader, [own.id], ['x']).then(() => 200, (e: { status: number }) => e.status);
      expect(refused).to.equal(403);
    });
  });

  describe('administration', () => {
    let a: Contact;
    let b: Contact;
    let c: Contact;

    beforeEach(async () => {
      [a, b, c] = [await host.contact(), await host.contact(), await host.contact()];
    });

    const tagNamed = async (name: string) => (await host.tags.list(host.admin, { q: name })).find((t) => t.name === name);

    it('renames and recolours a tag without touching history', async () => {
      await host.contactTags.add(host.admin, a.id, 'Wholesale');
      const tag = (await tagNamed('Wholesale'))!;
      const { tag: renamed, merged } = await host.tags.update(tag.id, { name: 'Wholesale partner', color: '#FD7E14' }, host.admin.id);
      expect([renamed.id, renamed.name, renamed.color, merged]).to.deep.equal([tag.id, 'Wholesale partner', '#fd7e14', false]);
      expect(await namesOf(a.id)).to.deep.equal(['Wholesale partner']);
      expect(await tagHistory(a.id)).to.have.length(1); // only the add
      expect((await host.tags.update(tag.id, { name: 'WHOLESALE PARTNER' }, host.admin.id)).tag.name).to.equal('WHOLESALE PARTNER'); // a new spelling of its own name
      const bad = await host.tags.update(tag.id, { color: 'orange' }, host.admin.id).then(() => 200, (e: { status: number }) => e.status);
      expect(bad).to.equal(400);
    });

    it('merges a tag renamed to an existing name into that tag, with history for its contacts', async () => {
      await host.contactTags.add(host.admin, a.id, 'Key account');
      await host.contactTags.add(host.admin, b.id, 'Big fish');
      await host.contactTags.add(host.admin, c.id, 'Big fish');
      await host.contactTags.add(host.admin, c.id, 'Key account');
      const big = (await tagNamed('Big fish'))!;
      const { tag, merged } = await host.tags.update(big.id, { name: 'KEY ACCOUNT' }, host.admin.id);
      expect([tag.name, merged]).to.deep.equal(['Key account', true]);
      expect(await host.tags.get(big.id)).to.equal(null);
      expect(await namesOf(b.id)).to.deep.equal(['Key account']);
      expect(await namesOf(c.id)).to.deep.equal(['Key account']);
      expect((await tagHistory(b.id))[0]).to.deep.include({ old: ['Big fish'], new: ['Key account'] });
      expect((await tagHistory(c.id))[0]).to.deep.include({ old: ['Big fish', 'Key account'], new: ['Key account'] });
      expect(await tagHistory(a.id)).to.have.length(1);
    });

    it('merges selected tags into one', async () => {
      await host.contactTags.add(host.admin, a.id, 'Kyiv');
      await host.contactTags.addMany(host.admin, [b.id], ['Kiev', 'Київ']);
      await host.contactTags.add(host.admin, c.id, 'Київ');
      const [kyiv, kiev, kyivUk] = [(await tagNamed('Kyiv'))!, (await tagNamed('Kiev'))!, (await tagNamed('Київ'))!];
      const result = await host.tags.merge([kiev.id, kyivUk.id, kyiv.id], kyiv.id, host.admin.id);
      expect([result.tag.name, result.contacts]).to.deep.equal(['Kyiv', 2]); // b and c, each counted once
      for (const x of [a, b, c]) expect(await namesOf(x.id)).to.deep.equal(['Kyiv']);
      expect(await host.tags.get(kiev.id)).to.equal(null);
      expect(await host.tags.get(kyivUk.id)).to.equal(null);
      expect(await tagHistory(b.id)).to.have.length(2); // the add, then one entry for the merge
      expect((await tagHistory(b.id))[0]).to.deep.include({ old: ['Kiev', 'Київ'], new: ['Kyiv'] });
      expect((await tagHistory(c.id))[0]).to.deep.include({ old: ['Київ'], new: ['Kyiv'] });
      const self = await host.tags.merge([kyiv.id], kyiv.id, host.admin.id).then(() => 200, (e: { status: number }) => e.status);
      expect(self).to.equal(400);
      const missing = await host.tags.merge([999_999], kyiv.id, host.admin.id).then(() => 200, (e: { status: number }) => e.status);
      expect(missing).to.equal(404);
    });

    it('deletes a tag, taking it off every contact with history', async () => {
      await host.contactTags.add(host.admin, a.id, 'Obsolete');
      await host.contactTags.add(host.admin, a.id, 'Keeper');
      await host.contactTags.add(host.admin, b.id, 'Obsolete');
      const tag = (await tagNamed('Obsolete'))!;
      expect(await host.tags.remove(tag.id, host.admin.id)).to.deep.equal({ contacts: 2 });
      expect(await namesOf(a.id)).to.deep.equal(['Keeper']);
      expect(await namesOf(b.id)).to.deep.equal([]);
      expect((await tagHistory(b.id))[0]).to.deep.include({ old: ['Obsolete'], new: [] });
      expect(await host.tags.get(tag.id)).to.equal(null);
    });
  });

  describe('the "has tag" filter', () => {
    it('finds contacts with any or all of the names, in any letter case, inside the access scope', async () => {
      const seller = await host.userWithRights(['crm.access'], 'restricted-filter@example.com');
      const [x, y, z] = [await host.contact({ last_name: 'Filter X', responsible_id: seller.id }), await host.contact({ last_name: 'Filter Y' }), await host.contact({ last_name: 'Filter Z' })];
      await host.contactTags.addMany(host.admin, [x.id, y.id], ['Red']);
      await host.contactTags.addMany(host.admin, [y.id, z.id], ['Blue']);
      const ids = async (value: Record<string, unknown>, user: CurrentUser = host.admin) =>
        (await host.query.list(user, { q: 'Filter', conditions: { 'tags.has-tag': value } })).items.map((i) => i.id).sort((p, q) => p - q);
      expect(await ids({ tags: ['red'] })).to.deep.equal([x.id, y.id]);
      expect(await ids({ tags: ['RED', 'blue'], mode: 'any' })).to.deep.equal([x.id, y.id, z.id]);
      expect(await ids({ tags: ['red', 'Blue'], mode: 'all' })).to.deep.equal([y.id]);
      expect(await ids({ tags: ['red,blue'] })).to.deep.equal([x.id, y.id, z.id]);
      expect(await ids({ tags: ['no such tag'] })).to.deep.equal([]);
      expect(await ids({ tags: ['red'] }, await host.asUser(seller.id))).to.deep.equal([x.id]);
      expect((await host.query.count(host.admin, { q: 'Filter', conditions: { 'tags.has-tag': { tags: ['blue'] } } })).total).to.equal(2);
    });
  });

  describe('demo data', () => {
    it('puts the demo tags on a share of the contacts, once', async () => {
      const seeder = host.services.get<ExtensionRegistry>(TOKENS.Extensions).list(seeders).find((s) => s.pluginId === 'tags')!;
      for (let i = 0; i < 40; i++) await host.contact({ last_name: `Demo ${i}` });
      await seeder.run(host.services, {});
      const counts = new Map((await host.tags.list(host.admin)).map((t) => [t.name, t.count]));
      expect(counts.get('Newsletter')).to.be.greaterThan(5);
      expect([...counts.keys()]).to.include.members(['VIP', 'Key account', 'Follow up']);
      const again = await seeder.run(host.services, {});
      expect(again).to.match(/on 0 contact rows/);
      expect(new Map((await host.tags.list(host.admin)).map((t) => [t.name, t.count]))).to.deep.equal(counts);
    });
  });

  describe('contact merges and purges', () => {
    it('moves a merged contact’s tags to the surviving contact in the merge’s transaction', async () => {
      const [from, into] = [await host.contact(), await host.contact()];
      await host.contactTags.addMany(host.admin, [from.id], ['Shared', 'Only from']);
      await host.contactTags.addMany(host.admin, [into.id], ['shared', 'Only into']);
      const events = host.services.get<EventBus>(TOKENS.Events);
      await db.transaction((transaction) => events.emit(contactMerged, { fromId: from.id, intoId: into.id, userId: host.admin.id, transaction }));
      expect(await namesOf(into.id)).to.deep.equal(['Only from', 'Only into', 'Shared']);
      expect((await host.contactTags.forContacts([from.id])).get(from.id)).to.equal(undefined);
    });

    it('keeps a merge’s tags away when the merge rolls back', async () => {
      const [from, into] = [await host.contact(), await host.contact()];
      await host.contactTags.addMany(host.admin, [from.id], ['Rolled back']);
      const events = host.services.get<EventBus>(TOKENS.Events);
      await db
        .transaction(async (transaction) => {
          await events.emit(contactMerged, { fromId: from.id, intoId: into.id, userId: null, transaction });
          throw new Error('the merge fails later');
        })
        .catch(() => undefined);
      expect(await namesOf(into.id)).to.deep.equal([]);
      expect(await namesOf(from.id)).to.deep.equal(['Rolled back']);
    });

    it('forgets the tags of a purged contact, and keeps them while it is only in the trash', async () => {
      const gone = await host.contact();
      await host.contactTags.add(host.admin, gone.id, 'Soon gone');
      await host.contacts.remove(host.admin, gone.id);
      expect((await host.contactTags.forContacts([gone.id])).get(gone.id)?.map((t) => t.name)).to.deep.equal(['Soon gone']);
      await host.contacts.purge(host.admin, gone.id);
      expect((await host.contactTags.forContacts([gone.id])).get(gone.id)).to.equal(undefined);
    });
  });
});
