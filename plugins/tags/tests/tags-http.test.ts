/**
 * Tags over HTTP and on the CRM's screens: the REST API, `?tag=` on the contact list, counts and
 * the tag cloud inside the access scope, the card header's chips and their htmx routes, the list
 * column and mass actions through the CRM's extension points, and the administration page.
 */
import { expect } from 'chai';
import request from 'supertest';
import { TOKENS, adminPages, type ExtensionRegistry } from '../../../host/api.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import { filterConditions, listActions, listColumns, listPanels, profileHeaderSlots, type Contact } from '../../crm/api.js';
import { cloudLevels } from '../routes/list-ui.js';
import { createTagsTestHost, type TagsTestHost } from './support/tags-host.js';

/** Handlebars escapes `=` in attributes; the browser reads it back as `=`. */
const unescape = (html: string) => html.replace(/&#x3D;/g, '=');

describe('Tags over HTTP', () => {
  let host: TagsTestHost;
  let adminToken: string;
  let seller: { email: string; password: string; id: number };
  let sellerToken: string;
  let mine: Contact;
  let hidden: Contact;
  let locked: Contact;

  const api = (token: string) => ({
    get: (url: string) => request(host.app!).get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string, body?: object) => request(host.app!).post(url).set('Authorization', `Bearer ${token}`).send(body),
    patch: (url: string, body: object) => request(host.app!).patch(url).set('Authorization', `Bearer ${token}`).send(body),
    delete: (url: string) => request(host.app!).delete(url).set('Authorization', `Bearer ${token}`),
  });
  const extensions = () => host.services.get<ExtensionRegistry>(TOKENS.Extensions);

  before(async () => {
    host = await createTagsTestHost();
    adminToken = await host.token();
    // The test-only rule (fixtures/tags-probe): "restricted…" users see the contacts they are responsible for.
    seller = await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'restricted-http@example.com');
    sellerToken = await host.token(seller.email, seller.password);
    mine = await host.contact({ first_name: 'Ołena', last_name: 'Mine', responsible_id: seller.id });
    hidden = await host.contact({ first_name: 'Hidden', last_name: 'Secret' });
    locked = await host.contact({ first_name: 'Lena', last_name: 'Locked', job_title: 'Locked', responsible_id: seller.id });
    await host.contactTags.addMany(host.admin, [mine.id, hidden.id], ['VIP']);
    await host.contactTags.addMany(host.admin, [hidden.id], ['Secret project']);
    await host.contactTags.addMany(host.admin, [locked.id, hidden.id], ['Wholesale']);
  });
  after(() => host.dispose());

  describe('GET /api/v1/contacts?tag=', () => {
    it('filters by one or more tag names in any letter case, and every contact carries its tags', async () => {
      const vip = (await api(adminToken).get('/api/v1/contacts').query({ tag: 'vip' }).expect(200)).body;
      expect(vip.items.map((c: Contact) => c.id).sort()).to.deep.equal([mine.id, hidden.id].sort());
      expect(vip.total).to.equal(2);
      expect(vip.items.find((c: Contact) => c.id === hidden.id).tags).to.deep.equal(['Secret project', 'VIP', 'Wholesale']);
      const either = (await api(adminToken).get('/api/v1/contacts?tag=secret%20project,WHOLESALE').expect(200)).body;
      expect(either.items.map((c: Contact) => c.id).sort()).to.deep.equal([hidden.id, locked.id].sort());
      const repeated = (await api(adminToken).get('/api/v1/contacts?tag=Secret%20project&tag=wholesale').expect(200)).body;
      expect(repeated.total).to.equal(2);
      const all = (await api(adminToken).get('/api/v1/contacts').query({ 'condition.tags.has-tag': JSON.stringify({ tags: ['VIP', 'Wholesale'], mode: 'all' }) }).expect(200)).body;
      expect(all.items.map((c: Contact) => c.id)).to.deep.equal([hidden.id]);
      expect((await api(adminToken).get(`/api/v1/contacts/${mine.id}`).expect(200)).body.tags).to.deep.equal(['VIP']);
    });

    it('stays inside the access scope and refuses a bad value', async () => {
      const vip = (await api(sellerToken).get('/api/v1/contacts').query({ tag: 'VIP' }).expect(200)).body;
      expect(vip.items.map((c: Contact) => c.id)).to.deep.equal([mine.id]);
      const res = await api(adminToken).get('/api/v1/contacts').query({ 'condition.tags.has-tag': JSON.stringify({ tags: [], mode: 'some' }) }).expect(400);
      expect(res.body.error.code).to.equal('invalid_input');
    });
  });

  describe('GET /api/v1/tags and the tag cloud', () => {
    it('count only contacts the caller may see', async () => {
      const admin = (await api(adminToken).get('/api/v1/tags').expect(200)).body.items;
      const count = (items: Array<{ name: string; count: number }>, name: string) => items.find((t) => t.name === name)?.count;
      expect([count(admin, 'VIP'), count(admin, 'Secret project'), count(admin, 'Wholesale')]).to.deep.equal([2, 1, 2]);
      const seen = (await api(sellerToken).get('/api/v1/tags').expect(200)).body.items;
      expect([count(seen, 'VIP'), count(seen, 'Secret project'), count(seen, 'Wholesale')]).to.deep.equal([1, 0, 1]);
      expect((await api(adminToken).get('/api/v1/tags').query({ q: 'hole' }).expect(200)).body.items.map((t: { name: string }) => t.name)).to.deep.equal(['Wholesale']);
    });

    it('shows in the cloud only tags of visible contacts, each linking to the filtered list, sized by count', async () => {
      const admin = (await (await host.login()).get('/tags/cloud').expect(200)).text;
      expect(unescape(admin)).to.contain('href="/crm/contacts?tag=Secret+project"').and.contain('data-tag="VIP"');
      expect(admin).to.match(/tags-cloud-4[^>]*data-tag="VIP"/).and.match(/tags-cloud-2[^>]*data-tag="Secret project"/);
      const agent = await host.login(seller.email, seller.password);
      const cloud = (await agent.get('/tags/cloud').expect(200)).text;
      expect(cloud).to.contain('data-tag="VIP"').and.contain('data-tag="Wholesale"').and.not.contain('Secret project');
      expect(cloud).to.match(/data-tag="VIP"[^>]*>VIP<span class="tags-count">1<\/span>/);
      const highlighted = (await agent.get('/tags/cloud').query({ tag: 'vip' }).expect(200)).text;
      expect(highlighted).to.match(/tags-cloud-item[^"]* active"[^>]*data-tag="VIP"/);
      // The panel beside the list loads this fragment after the page.
      const panel = extensions().list(listPanels, await host.asUser(seller.id)).find((p) => p.pluginId === 'tags')!;
      expect(unescape(await panel.render(host.request(await host.asUser(seller.id), 'en', { tag: 'VIP' })))).to.contain('hx-get="/tags/cloud?tag=vip"');
    });

    it('size tags by count on a log scale, keeping close counts close', () => {
      const levels = (counts: number[]) => [...cloudLevels(counts.map((count, id) => ({ id, count, name: `t${id}`, color: '#000000', created_at: '' }))).values()];
      expect(levels([1, 10, 100, 1000])).to.deep.equal([1, 2, 4, 5]);
      expect(levels([1, 3, 10])).to.deep.equal([1, 3, 5]);
      expect(levels([1, 2])).to.deep.equal([2, 4]);
      expect(levels([2, 3])).to.deep.equal([3, 3]);
      expect(levels([7, 7])).to.deep.equal([3, 3]);
    });

    it('are closed to a user without access to the CRM', async () => {
      const outsider = await host.userWithRights([]);
      await api(await host.token(outsider.email, outsider.password)).get('/api/v1/tags').expect(403);
      await (await host.login(outsider.email, outsider.password)).get('/tags/cloud').set('Accept', 'application/json').expect(403);
      expect(extensions().list(listPanels, await host.asUser(outsider.id)).filter((p) => p.pluginId === 'tags')).to.deep.equal([]);
    });
  });

  describe('/api/v1/tags (administration)', () => {
    it('creates, renames, recolours, merges and deletes tags for holders of tags.manage only', async () => {
      const created = (await api(adminToken).post('/api/v1/tags', { name: 'Trade fair 2024', color: '#198754' }).expect(201)).body;
      expect(created).to.include({ name: 'Trade fair 2024', color: '#198754' });
      const dupe = await api(adminToken).post('/api/v1/tags', { name: 'TRADE FAIR 2024' }).expect(409);
      expect(dupe.body.error.details).to.deep.include({ id: created.id });
      await api(adminToken).post('/api/v1/tags', { name: 'a,b' }).expect(400);
      await api(adminToken).post('/api/v1/tags', { name: 'ok', color: 'green' }).expect(400);
      await api(sellerToken).post('/api/v1/tags', { name: 'Nope' }).expect(403);
      await api(sellerToken).patch(`/api/v1/tags/${created.id}`, { name: 'Nope' }).expect(403);
      await api(sellerToken).delete(`/api/v1/tags/${created.id}`).expect(403);

      const renamed = (await api(adminToken).patch(`/api/v1/tags/${created.id}`, { name: 'Fair 2024', color: '#DC3545' }).expect(200)).body;
      expect(renamed).to.include({ id: created.id, name: 'Fair 2024', color: '#dc3545', merged: false });
      await api(adminToken).patch('/api/v1/tags/999999', { name: 'x' }).expect(404);

      await host.contactTags.add(host.admin, mine.id, 'Fair 2024');
      const merged = (await api(adminToken).patch(`/api/v1/tags/${created.id}`, { name: 'vip' }).expect(200)).body;
      expect(merged).to.include({ name: 'VIP', merged: true });

      const other = (await api(adminToken).post('/api/v1/tags', { name: 'Expo' }).expect(201)).body;
      await host.contactTags.add(host.admin, locked.id, 'Expo');
      const into = (await api(adminToken).post(`/api/v1/tags/${other.id}/merge`, { into_id: merged.id }).expect(200)).body;
      expect(into).to.include({ id: merged.id, contacts: 1 });
      expect((await api(adminToken).get(`/api/v1/contacts/${locked.id}/tags`).expect(200)).body.items.map((t: { name: string }) => t.name)).to.deep.equal(['VIP', 'Wholesale']);
      await api(adminToken).post(`/api/v1/tags/${merged.id}/merge`, { into_id: merged.id }).expect(400);

      const doomed = (await api(adminToken).post('/api/v1/tags', { name: 'Doomed' }).expect(201)).body;
      await host.contactTags.add(host.admin, mine.id, 'Doomed');
      await api(adminToken).delete(`/api/v1/tags/${doomed.id}`).expect(204);
      await api(adminToken).delete(`/api/v1/tags/${doomed.id}`).expect(404);
      expect((await api(adminToken).get(`/api/v1/contacts/${mine.id}`).expect(200)).body.tags).to.deep.equal(['VIP']);
      const history = (await api(adminToken).get(`/api/v1/contacts/${mine.id}/history`).expect(200)).body;
      const entries = (history.items ?? history) as Array<{ field: string; old_value: string[]; new_value: string[] }>;
      expect(entries.find((h) => h.field === 'tags')).to.deep.include({ old_value: ['Doomed', 'VIP'], new_value: ['VIP'] });
    });
  });

  describe('/api/v1/contacts/:id/tags', () => {
    it('lists, adds and removes a contact’s tags', async () => {
      const c = await host.contact({ responsible_id: seller.id });
      const first = await api(sellerToken).post(`/api/v1/contacts/${c.id}/tags`, { name: 'Newcomer' }).expect(201);
      expect(first.body.items.map((t: { name: string }) => t.name)).to.deep.equal(['Newcomer']);
      await api(sellerToken).post(`/api/v1/contacts/${c.id}/tags`, { name: 'NEWCOMER' }).expect(200);
      const list = (await api(sellerToken).get(`/api/v1/contacts/${c.id}/tags`).expect(200)).body.items;
      expect(list).to.have.length(1);
      expect(list[0]).to.have.keys(['id', 'name', 'color', 'created_at']);
      await api(sellerToken).delete(`/api/v1/contacts/${c.id}/tags/${list[0].id}`).expect(204);
      expect((await api(sellerToken).get(`/api/v1/contacts/${c.id}/tags`).expect(200)).body.items).to.deep.equal([]);
      await api(sellerToken).post(`/api/v1/contacts/${c.id}/tags`, { name: '' }).expect(400);
      await api(sellerToken).post(`/api/v1/contacts/${c.id}/tags`, { label: 'x' }).expect(400);
    });

    it('answers 404 for a contact the caller may not see, 403 for one they may not edit', async () => {
      const vip = (await api(adminToken).get('/api/v1/tags').query({ q: 'vip' }).expect(200)).body.items[0];
      await api(sellerToken).get(`/api/v1/contacts/${hidden.id}/tags`).expect(404);
      await api(sellerToken).post(`/api/v1/contacts/${hidden.id}/tags`, { name: 'x' }).expect(404);
      await api(sellerToken).delete(`/api/v1/contacts/${hidden.id}/tags/${vip.id}`).expect(404);
      await api(sellerToken).delete(`/api/v1/contacts/${hidden.id}/tags/999999`).expect(404);
      await api(sellerToken).post(`/api/v1/contacts/${locked.id}/tags`, { name: 'x' }).expect(403);
      await api(adminToken).get('/api/v1/contacts/abc/tags').expect(404);
      const reader = await host.userWithRights(['crm.access']);
      await api(await host.token(reader.email, reader.password)).post(`/api/v1/contacts/${mine.id}/tags`, { name: 'x' }).expect(403);
    });

    it('are in the OpenAPI document, each with a summary', async () => {
      const doc = (await request(host.app!).get('/api/v1/openapi.json').expect(200)).body;
      for (const [path, method] of [
        ['/tags', 'get'], ['/tags', 'post'], ['/tags/{id}', 'patch'], ['/tags/{id}', 'delete'], ['/tags/{id}/merge', 'post'],
        ['/contacts/{id}/tags', 'get'], ['/contacts/{id}/tags', 'post'], ['/contacts/{id}/tags/{tagId}', 'delete'],
      ] as const) {
        expect(doc.paths[path]?.[method]?.summary, `${method} ${path}`).to.be.a('string').and.not.be.empty;
      }
    });
  });

  describe('the card header', () => {
    it('shows the tags as coloured chips linking to the filtered list, with an input for editors', async () => {
      const slot = extensions().list(profileHeaderSlots, host.admin).find((s) => s.pluginId === 'tags')!;
      const html = await slot.render(await host.contacts.get(host.admin, hidden.id), host.request(host.admin));
      expect(html).to.match(/data-testid="tag-chip" data-tag="Secret project"/);
      expect(unescape(html)).to.contain('href="/crm/contacts?tag=Secret+project"');
      expect(html).to.contain('--tag-bg: #').and.contain('data-testid="tag-input"').and.contain('data-testid="tag-remove"');
      const reader = await host.asUser((await host.userWithRights(['crm.access'])).id);
      const readOnly = await slot.render(await host.contacts.get(reader, hidden.id), host.request(reader));
      expect(readOnly).to.contain('data-tag="VIP"').and.not.contain('data-testid="tag-input"').and.not.contain('data-testid="tag-remove"');
    });

    it('adds a tag typed or picked, and removes one, answering htmx with the new chips', async () => {
      const c = await host.contact({ responsible_id: seller.id, last_name: 'Card' });
      const agent = await host.login(seller.email, seller.password);
      const csrf = await csrfOf(agent, '/crm/contacts');
      const hx = (url: string, body: Record<string, string>) => agent.post(url).set('HX-Request', 'true').set('X-CSRF-Token', csrf).type('form').send(body);

      const typed = await hx(`/tags/contacts/${c.id}/tags`, { name: 'Brand-new tag' }).expect(200);
      expect(typed.text).to.contain('data-tag="Brand-new tag"');
      expect(JSON.parse(typed.headers['hx-trigger-after-settle']!)).to.have.property('crm:stale');
      const picked = await hx(`/tags/contacts/${c.id}/tags`, { name: 'vi', pick: 'VIP' }).expect(200);
      expect(picked.text).to.contain('data-tag="VIP"').and.not.contain('data-tag="vi"');
      const again = await hx(`/tags/contacts/${c.id}/tags`, { name: 'vip' }).expect(200);
      expect(again.headers['hx-trigger-after-settle']).to.equal(undefined);
      const bad = await hx(`/tags/contacts/${c.id}/tags`, { name: 'one, two' }).expect(200);
      expect(bad.text).to.contain('data-testid="tag-error"').and.contain('cannot contain commas').and.contain('value="one, two"');

      const vipId = /data-tag="VIP"[\s\S]*?\/tags\/(\d+)\/remove/.exec(picked.text)![1];
      const removed = await hx(`/tags/contacts/${c.id}/tags/${vipId}/remove`, {}).expect(200);
      expect(removed.text).to.contain('data-tag="Brand-new tag"');
      expect(removed.text).to.not.contain('data-tag="VIP"');
      expect((await host.contacts.get(host.admin, c.id)).tags).to.deep.equal(['Brand-new tag']);

      // Without JavaScript the forms post and come back to the card.
      const plain = await agent.post(`/tags/contacts/${c.id}/tags`).type('form').send({ _csrf: csrf, name: 'No JS' }).expect(303);
      expect(plain.headers.location).to.equal(`/crm/contacts/${c.id}`);
      await hx(`/tags/contacts/${hidden.id}/tags`, { name: 'x' }).expect(404);
      await hx(`/tags/contacts/${locked.id}/tags`, { name: 'x' }).expect(403);
    });

    it('suggests existing tags as you type, prefix matches first, and offers to create a new one', async () => {
      await host.tags.ensure(['Wholesale partner', 'New wholesale']);
      const c = await host.contact({ responsible_id: seller.id });
      await host.contactTags.add(host.admin, c.id, 'Wholesale');
      const agent = await host.login(seller.email, seller.password);
      const text = (await agent.get(`/tags/contacts/${c.id}/suggest`).query({ name: 'WHOLE' }).set('HX-Request', 'true').expect(200)).text;
      const names = [...text.matchAll(/name="pick" value="([^"]+)"/g)].map((m) => m[1]);
      expect(names).to.deep.equal(['Wholesale partner', 'New wholesale', 'WHOLE']); // not "Wholesale": the contact has it
      expect(text).to.contain('Create “WHOLE”');
      const exact = (await agent.get(`/tags/contacts/${c.id}/suggest`).query({ name: 'wholesale partner' }).expect(200)).text;
      expect(exact).to.not.contain('data-testid="tag-create"');
      await agent.get(`/tags/contacts/${hidden.id}/suggest`).query({ name: 'w' }).set('Accept', 'application/json').expect(404);
    });
  });

  describe('the Contacts page', () => {
    it('offers a Tags column and a "has tag" filter condition', async () => {
      const column = extensions().list(listColumns, host.admin).find((c) => c.pluginId === 'tags')!;
      const contacts = [await host.contacts.get(host.admin, hidden.id), await host.contacts.get(host.admin, mine.id)];
      const values = await column.values(contacts, host.request(host.admin));
      expect(values.get(hidden.id)).to.equal('Secret project, VIP, Wholesale');
      const condition = extensions().list(filterConditions, host.admin).find((c) => c.pluginId === 'tags')!;
      expect(condition.param?.name).to.equal('tag');
      expect(condition.describe!({ tags: ['VIP'], mode: 'any' }, host.request(host.admin, 'pl'))).to.equal('Tag: VIP');
      expect(condition.describe!({ tags: ['VIP', 'Hot'], mode: 'all' }, host.request(host.admin, 'ru'))).to.equal('Теги (все): VIP, Hot');
    });

    it('adds and removes tags on the selected contacts through the list actions', async () => {
      const actions = extensions().list(listActions, await host.asUser(seller.id)).filter((a) => a.pluginId === 'tags');
      expect(actions.map((a) => a.id)).to.deep.equal(['add-tags', 'remove-tags']);
      const [add, remove] = actions as [typeof actions[0], typeof actions[0]];
      const user = await host.asUser(seller.id);
      const extra = await host.contact({ responsible_id: seller.id });
      expect(await add.run!(user, [mine.id, extra.id, hidden.id, locked.id], { tags: ['Mailing', 'Q3'] })).to.deep.equal({ changed: 2 });
      expect((await host.contacts.get(host.admin, extra.id)).tags).to.deep.equal(['Mailing', 'Q3']);
      expect((await host.contacts.get(host.admin, hidden.id)).tags).to.not.include('Mailing');
      expect(await remove.run!(user, [mine.id, extra.id], { tags: ['q3'] })).to.deep.equal({ changed: 2 });
      expect((await host.contacts.get(host.admin, extra.id)).tags).to.deep.equal(['Mailing']);
      const empty = await add.run!(user, [extra.id], {}).then(() => 200, (e: { status: number }) => e.status);
      expect(empty).to.equal(400);
      const reader = await host.asUser((await host.userWithRights(['crm.access'])).id);
      expect(extensions().list(listActions, reader).filter((a) => a.pluginId === 'tags')).to.deep.equal([]);
    });
  });

  describe('the administration page', () => {
    it('lists tags with counts and is in the Administration menu, for tags.manage only', async () => {
      expect(extensions().list(adminPages, host.admin).map((p) => p.href)).to.include('/tags/manage');
      const agent = await host.login();
      const page = (await agent.get('/tags/manage').expect(200)).text;
      expect(page).to.match(/data-testid="tag-row" data-tag="VIP"[\s\S]*?data-testid="tag-count">\d+</);
      expect(page).to.contain('href="/tags/manage"');
      for (const [language, word] of [['pl', 'Scal'], ['ru', 'Объединить'], ['uk', 'Об’єднати']] as const) {
        expect((await agent.get('/tags/manage').set('Accept-Language', language).expect(200)).text, language).to.contain(word);
      }
      await (await host.login(seller.email, seller.password)).get('/tags/manage').expect(403);
      const manager = await host.userWithRights(['tags.manage']);
      await (await host.login(manager.email, manager.password)).get('/tags/manage').expect(200);
    });

    it('renames (merging into an existing name), recolours, merges and deletes through its forms', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, '/tags/manage');
      const post = (url: string, body: Record<string, string | string[]>) => agent.post(url).type('form').send({ _csrf: csrf, ...body }).expect(303);
      const id = async (name: string) => (await host.tags.list(host.admin, { q: name })).find((t) => t.name === name)!.id;

      await post('/tags/manage', { name: 'Admin made', color: '#6f42c1' });
      expect((await agent.get('/tags/manage').expect(200)).text).to.contain('The tag “Admin made” was created.');
      await post(`/tags/manage/${await id('Admin made')}`, { name: 'Admin renamed', color: '#20c997' });
      expect((await host.tags.get(await id('Admin renamed')))!.color).to.equal('#20c997');
      await post('/tags/manage', { name: 'admin RENAMED' });
      expect((await agent.get('/tags/manage').expect(200)).text).to.contain('A tag with this name already exists.');

      const [x, y] = [await host.contact(), await host.contact()];
      await host.contactTags.add(host.admin, x.id, 'Alpha');
      await host.contactTags.add(host.admin, y.id, 'Beta');
      await post(`/tags/manage/${await id('Beta')}`, { name: 'ALPHA', color: '#000000' });
      expect((await host.contacts.get(host.admin, y.id)).tags).to.deep.equal(['Alpha']);

      await host.contactTags.add(host.admin, y.id, 'Gamma');
      await post('/tags/manage/merge', { ids: [String(await id('Gamma')), String(await id('Admin renamed'))], into_id: String(await id('Alpha')) });
      expect((await agent.get('/tags/manage').expect(200)).text).to.contain('Merged into “Alpha”: 1 client changed.');
      expect((await host.contacts.get(host.admin, y.id)).tags).to.deep.equal(['Alpha']);

      await post(`/tags/manage/${await id('Alpha')}/delete`, {});
      expect((await agent.get('/tags/manage').expect(200)).text).to.contain('The tag “Alpha” was deleted and removed from 2 clients.');
      expect((await host.contacts.get(host.admin, x.id)).tags).to.deep.equal([]);
      await post('/tags/manage/merge', { into_id: '1' });
      expect((await agent.get('/tags/manage').expect(200)).text).to.contain('Select the tags to merge');
    });
  });
});
