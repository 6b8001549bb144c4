import path from 'node:path';
import { expect } from 'chai';
import type TestAgent from 'supertest/lib/agent.js';
import { csrfOf, ROOT } from '../../../tests/support/test-host.js';
import type { DictionaryItem } from '../api.js';
import { fieldValue, form, hx, textOf, versionIn } from './card-kit.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const FIXTURE_PLUGINS = path.join(ROOT, 'plugins', 'crm', 'tests', 'fixtures', 'plugins');
/** The fixture plugin hides contacts with this job title from everyone but administrators. */
const HIDDEN = 'Hidden by fixture';

describe('Client card tabs: Notes, History, and tabs that fail', () => {
  let host: CrmTestHost;
  let admin: TestAgent;
  let csrf: string;
  let lead: DictionaryItem;
  let won: DictionaryItem;

  before(async () => {
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), FIXTURE_PLUGINS] });
    lead = await host.dictionaries.create('status', { name: 'Lead', color: '#0d6efd' });
    won = await host.dictionaries.create('status', { name: 'Won', color: '#198754' });
    admin = await host.login();
    csrf = await csrfOf(admin, '/crm/contacts/new');
  });
  after(() => host.dispose());

  async function signedIn(rights: string[]) {
    const u = await host.userWithRights(rights);
    const agent = await host.login(u.email, u.password);
    return { id: u.id, agent, csrf: await csrfOf(agent, '/') };
  }

  describe('Notes', () => {
    it('adds a note with its author and time, and counts it on the tab', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Noted' });
      const res = await hx(admin, csrf).post(`/crm/contacts/${c.id}/notes`, form({ body: 'Called back.\nSends the offer tomorrow.' })).expect(200);
      expect(textOf(res.text, 'note-author')).to.equal('Administrator');
      expect(textOf(res.text, 'note-text')).to.equal('Called back. Sends the offer tomorrow.');
      expect(res.text).to.match(/<time datetime="\d{4}-\d\d-\d\dT/);
      expect(JSON.parse(res.headers['hx-trigger-after-settle']!)).to.have.property('crm:changed');
      const card = await admin.get(`/crm/contacts/${c.id}`).expect(200);
      expect(textOf(card.text, 'tab-count-crm.notes')).to.equal('1');
      const header = await admin.get(`/crm/contacts/${c.id}/header`).expect(200);
      expect(header.text).to.match(/id="tab-count-crm-notes" data-testid="tab-count-crm.notes" hx-swap-oob="true">1</);
    });

    it('keeps the text and shows the error beside the box when a note is empty', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Empty' });
      const res = await hx(admin, csrf).post(`/crm/contacts/${c.id}/notes`, form({ body: '   ' })).expect(400);
      expect(textOf(res.text, 'note-error')).to.not.equal(null);
      expect(await host.notes.count(host.admin, c.id)).to.equal(0);
    });

    it('lets only the author edit and delete a note; anyone who sees the contact may pin it', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Shared' });
      const author = await signedIn(['crm.access']);
      const colleague = await signedIn(['crm.access']);
      await hx(author.agent, author.csrf).post(`/crm/contacts/${c.id}/notes`, form({ body: 'Mine' })).expect(200);
      const [note] = await host.notes.list(host.admin, c.id);

      const theirView = await colleague.agent.get(`/crm/contacts/${c.id}/tabs/crm/notes`).expect(200);
      expect(theirView.text).to.contain('data-testid="pin-note"').and.not.contain('data-testid="edit-note"').and.not.contain('data-testid="delete-note"');
      await hx(colleague.agent, colleague.csrf).get(`/crm/contacts/${c.id}/notes/${note!.id}/edit`).expect(403);
      await hx(colleague.agent, colleague.csrf).post(`/crm/contacts/${c.id}/notes/${note!.id}`, form({ body: 'Hijacked' })).expect(403);
      await hx(colleague.agent, colleague.csrf).post(`/crm/contacts/${c.id}/notes/${note!.id}/delete`, '').expect(403);
      const pinned = await hx(colleague.agent, colleague.csrf).post(`/crm/contacts/${c.id}/notes/${note!.id}/pin`, form({ pinned: '1' })).expect(200);
      expect(pinned.text).to.contain('crm-note crm-note-pinned');

      const editor = await hx(author.agent, author.csrf).get(`/crm/contacts/${c.id}/notes/${note!.id}/edit`).expect(200);
      expect(editor.text).to.contain('>Mine</textarea>');
      const edited = await hx(author.agent, author.csrf).post(`/crm/contacts/${c.id}/notes/${note!.id}`, form({ body: 'Mine, edited' })).expect(200);
      expect(textOf(edited.text, 'note-text')).to.equal('Mine, edited');
      const bad = await hx(author.agent, author.csrf).post(`/crm/contacts/${c.id}/notes/${note!.id}`, form({ body: '' })).expect(400);
      expect(bad.text).to.contain('data-testid="note-error"');
      const gone = await hx(author.agent, author.csrf).post(`/crm/contacts/${c.id}/notes/${note!.id}/delete`, '').expect(200);
      expect(gone.text).not.to.contain('data-testid="note"');
      expect((await host.history.list(host.admin, c.id, { action: 'note.delete' })).length).to.equal(1);
    });
  });

  describe('History', () => {
    it('lists who changed what and when, with values formatted like the card', async () => {
      const company = await host.contacts.create(host.admin, { kind: 'company', company_name: 'Payer Group' });
      const c = await host.contacts.create(host.admin, { kind: 'company', company_name: 'Historic', status_id: lead.id });
      await host.contacts.update(host.admin, c.id, { status_id: won.id, buyer_id: company.id, emails: [{ value: 'a@example.com' }] }, 1);
      const tab = await admin.get(`/crm/contacts/${c.id}/tabs/crm/history`).expect(200);
      const entry = (field: string) => tab.text.slice(tab.text.indexOf(`data-field="${field}"`));
      expect(textOf(entry('status_id'), 'old-value')).to.equal('Lead');
      expect(textOf(entry('status_id'), 'new-value')).to.equal('Won');
      expect(textOf(entry('buyer_id'), 'new-value')).to.equal('Payer Group');
      expect(textOf(entry('emails'), 'new-value')).to.equal('a@example.com');
      expect(tab.text).to.contain('>Payer<').and.contain('Administrator');
      expect(tab.text).to.contain('data-action="create"');
      const card = await admin.get(`/crm/contacts/${c.id}`).expect(200);
      expect(textOf(card.text, 'tab-count-crm.history')).to.equal('4');
    });

    it('filters by field and by action', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Filter' });
      const v2 = await host.contacts.update(host.admin, c.id, { job_title: 'A' }, 1);
      await host.contacts.update(host.admin, c.id, { status_id: lead.id }, v2.version);
      await host.notes.add(host.admin, c.id, 'a note');
      const fields = (html: string) => [...html.matchAll(/data-testid="history-entry" data-field="([^"]*)" data-action="([^"]*)"/g)].map((m) => `${m[2]}:${m[1]}`);
      const byField = await admin.get(`/crm/contacts/${c.id}/tabs/crm/history?field=job_title`).expect(200);
      expect(fields(byField.text)).to.deep.equal(['update:job_title']);
      expect(byField.text).to.match(/<option value="job_title" selected>/);
      const byAction = await admin.get(`/crm/contacts/${c.id}/tabs/crm/history?action=note.add`).expect(200);
      expect(fields(byAction.text)).to.have.length(1);
      expect(fields(byAction.text)[0]).to.match(/^note\.add:note:\d+$/);
      const unknown = await admin.get(`/crm/contacts/${c.id}/tabs/crm/history?field=nonsense&action=evil`).expect(200);
      expect(fields(unknown.text)).to.have.length(4);
    });

    it('restores an old value with one click, as a new change, and offers no restore where the value is current', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Restore', job_title: 'Intern' });
      await host.contacts.update(host.admin, c.id, { job_title: 'Manager' }, 1);
      const tab = await admin.get(`/crm/contacts/${c.id}/tabs/crm/history`).expect(200);
      const entryId = Number(/\/history\/(\d+)\/restore/.exec(tab.text)![1]);
      expect(versionIn(tab.text)).to.equal(2);

      const res = await hx(admin, csrf).post(`/crm/contacts/${c.id}/history/${entryId}/restore`, form({ version: 2 })).expect(200);
      expect(textOf(res.text, 'history-alert')).to.equal('The old value of “Job title” is back.');
      expect(JSON.parse(res.headers['hx-trigger-after-settle']!)['crm:changed']).to.include({ version: 3, from: 2 });
      const now = await host.contacts.get(host.admin, c.id);
      expect([now.job_title, now.version]).to.deep.equal(['Intern', 3]);
      const latest = (await host.history.list(host.admin, c.id))[0]!;
      expect([latest.field, latest.old_value, latest.new_value]).to.deep.equal(['job_title', 'Manager', 'Intern']);
      // The change that set "Manager" can be undone again; the one whose old value is current cannot.
      expect(res.text.match(/data-testid="restore-value"/g)).to.have.length(1);
      const info = await admin.get(`/crm/contacts/${c.id}/tabs/crm/info`).expect(200);
      expect(fieldValue(info.text, 'job_title')).to.equal('Intern');
    });

    it('restores channel lists and custom fields, and refuses a stale tab with 409', async () => {
      await host.fields.create({ key: 'tier', type: 'select', labels: { en: 'Tier' }, options: ['gold', 'silver'] });
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Lists', emails: [{ value: 'old@example.com' }], custom: { tier: 'gold' } });
      const v2 = await host.contacts.update(host.admin, c.id, { emails: [{ value: 'new@example.com' }], custom: { tier: 'silver' } }, 1);
      const entries = await host.history.list(host.admin, c.id);
      const emails = entries.find((e) => e.field === 'emails')!;
      const tier = entries.find((e) => e.field === 'custom.tier')!;
      await hx(admin, csrf).post(`/crm/contacts/${c.id}/history/${emails.id}/restore`, form({ version: v2.version })).expect(200);
      const stale = await hx(admin, csrf).post(`/crm/contacts/${c.id}/history/${tier.id}/restore`, form({ version: v2.version })).expect(409);
      expect(textOf(stale.text, 'history-alert')).to.contain('Someone else changed this contact');
      await hx(admin, csrf).post(`/crm/contacts/${c.id}/history/${tier.id}/restore`, form({ version: versionIn(stale.text) })).expect(200);
      const now = await host.contacts.get(host.admin, c.id);
      expect([now.emails.map((e) => e.value), now.custom.tier]).to.deep.equal([['old@example.com'], 'gold']);
      await hx(admin, csrf).post(`/crm/contacts/${c.id}/history/${entries.find((e) => e.action === 'create')!.id}/restore`, form({ version: now.version })).expect(404);
    });

    it('shows older changes page by page', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Busy' });
      let version = 1;
      for (let i = 0; i < 55; i++) version = (await host.contacts.update(host.admin, c.id, { job_title: `Title ${i}` }, version)).version;
      const first = await admin.get(`/crm/contacts/${c.id}/tabs/crm/history`).expect(200);
      expect(first.text.match(/data-testid="history-entry"/g)).to.have.length(50);
      const more = /hx-get="([^"]+)"[^>]*data-testid="history-older"/.exec(first.text)![1]!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
      const next = await admin.get(more).expect(200);
      expect(next.text.match(/data-testid="history-entry"/g)).to.have.length(6);
      expect(next.text).not.to.contain('data-testid="history-older"').and.not.contain('history-filters');
    });
  });

  describe('tabs contributed by other plugins', () => {
    it('keeps the card working when a tab throws: its count is marked, its pane shows an error box, the other tabs load', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Sturdy' });
      const card = await admin.get(`/crm/contacts/${c.id}`).expect(200);
      expect(card.text).to.contain('data-testid="tab-broken-tab.boom"').and.contain('data-testid="tab-broken-tab.calm"');
      expect(card.text).to.match(/crm-tab-count crm-tab-count-failed" id="tab-count-broken-tab-boom"/);
      expect(textOf(card.text, 'tab-count-broken-tab.calm')).to.equal('7');
      // Tabs in order: the core's Info, Notes, then the plugin's, History last.
      const order = [...card.text.matchAll(/data-testid="tab-((?:crm|broken-tab)\.[a-z-]+)"/g)].map((m) => m[1]);
      expect(order).to.deep.equal(['crm.info', 'crm.notes', 'broken-tab.boom', 'broken-tab.calm', 'crm.history']);

      const boom = await admin.get(`/crm/contacts/${c.id}/tabs/broken-tab/boom`).expect(200);
      expect(boom.headers['x-crm-tab-failed']).to.equal('1');
      expect(textOf(boom.text, 'tab-failed')).to.contain('This tab failed to load');
      expect(boom.text).not.to.contain('render exploded');
      const calm = await admin.get(`/crm/contacts/${c.id}/tabs/broken-tab/calm`).expect(200);
      expect(textOf(calm.text, 'calm-body')).to.equal(`calm tab of contact ${c.id}`);
      await admin.get(`/crm/contacts/${c.id}/tabs/crm/info`).expect(200);
      await admin.get(`/crm/contacts/${c.id}/tabs/broken-tab/nope`).expect(404);
      // The page carries the same box for a tab whose request fails outright (card.js uses it).
      expect(card.text).to.contain('<template id="crm-tab-failed-template">');
    });

    it('shows header actions and header slots contributed by plugins, a failing slot as a small mark', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Actions' });
      const card = await admin.get(`/crm/contacts/${c.id}`).expect(200);
      expect(textOf(card.text, 'calm-slot')).to.equal(`slot of contact ${c.id}`);
      expect(card.text).to.match(/data-slot="broken-tab.boom-slot"><i [^>]*data-testid="slot-failed"/);
      expect(card.text).not.to.contain('slot exploded');
      const header = await admin.get(`/crm/contacts/${c.id}/header`).expect(200);
      expect(textOf(header.text, 'calm-slot')).to.equal(`slot of contact ${c.id}`);
      expect(card.text).to.contain(`href="/broken-tab/call?contact&#x3D;${c.id}" data-action="broken-tab.call-center"`);
    });

    it('answers 404 everywhere for a contact the access rules hide from the user', async () => {
      const c = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Secret', job_title: HIDDEN });
      const user = await signedIn(['crm.access', 'crm.contacts.edit', 'crm.contacts.delete', 'crm.trash.purge']);
      const get = (url: string) => user.agent.get(url).expect(404);
      const post = (url: string, body: string) => hx(user.agent, user.csrf).post(url, body).expect(404);
      await get(`/crm/contacts/${c.id}`);
      await get(`/crm/contacts/${c.id}/header`);
      await get(`/crm/contacts/${c.id}/tabs/crm/info`);
      await get(`/crm/contacts/${c.id}/tabs/crm/history`);
      await get(`/crm/contacts/${c.id}/fields/job_title`);
      await get(`/crm/contacts/${c.id}/fields/job_title/edit`);
      await post(`/crm/contacts/${c.id}/fields/job_title`, form({ version: 1, value: 'x' }));
      await post(`/crm/contacts/${c.id}/notes`, form({ body: 'x' }));
      await post(`/crm/contacts/${c.id}/delete`, '');
      const visible = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Visible' });
      await user.agent.get(`/crm/contacts/${visible.id}`).expect(200);
      // A company the user cannot see is named as such, never linked or revealed.
      const hiddenCompany = await host.contacts.create(host.admin, { kind: 'company', company_name: 'Hidden Co', job_title: HIDDEN });
      const employee = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Linked', company_id: hiddenCompany.id });
      const info = await user.agent.get(`/crm/contacts/${employee.id}/tabs/crm/info`).expect(200);
      expect(fieldValue(info.text, 'company_id')).to.equal('a company you cannot see');
      expect(info.text).not.to.contain('Hidden Co').and.not.to.contain(`href="/crm/contacts/${hiddenCompany.id}"`);
    });
  });
});
