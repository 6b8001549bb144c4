/**
 * The kanban board: a column per active status and "No status", each with its total and its
 * most recently changed cards, inside the access scope and the list filters; moving a card
 * through the route the board's script calls changes the status with history, and a stale
 * version or a missing right is refused with a translated message.
 */
import { expect } from 'chai';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { csrfOf } from '../../../tests/support/test-host.js';
import type { Contact, DictionaryItem } from '../../crm/api.js';
import { CARDS_PER_COLUMN, type BoardColumn } from '../api.js';
import { createKanbanTestHost, type KanbanTestHost } from './support/kanban-host.js';

/** Handlebars escapes `=` in attributes; the browser reads it back as `=`. */
const unescape = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

describe('The kanban board', () => {
  let host: KanbanTestHost;
  let lead: DictionaryItem;
  let won: DictionaryItem;
  let archived: DictionaryItem;
  let seller: { email: string; password: string; id: number };
  let viewer: { email: string; password: string; id: number };
  let acme: Contact;
  let anna: Contact;
  let boris: Contact;
  let celina: Contact;
  let dawid: Contact;
  let old: Contact;

  const column = (columns: BoardColumn[], statusId: number | null) => columns.find((c) => c.status_id === statusId)!;
  const names = (c: BoardColumn) => c.cards.map((card) => card.name);

  before(async () => {
    host = await createKanbanTestHost();
    lead = await host.status('Lead', '#0d6efd', { labels: { pl: 'Potencjalny' } });
    won = await host.status('Won', '#198754');
    archived = await host.status('Archived', '#6c757d', { active: false });
    // The test-only rule: "restricted…" users see only the contacts they are responsible for.
    seller = await host.userWithRights(['crm.access', 'crm.contacts.edit', 'crm.contacts.create'], 'restricted-seller@example.com');
    viewer = await host.userWithRights(['crm.access'], 'viewer@example.com');
    acme = await host.contact({ kind: 'company', company_name: 'Acme Sp. z o.o.', status_id: won.id, responsible_id: seller.id });
    anna = await host.contact({
      first_name: 'Anna',
      last_name: 'Nowak',
      company_id: acme.id,
      status_id: lead.id,
      responsible_id: seller.id,
      emails: [{ value: 'other@acme.pl' }, { value: 'anna@acme.pl', primary: true }],
      phones: [{ value: '+48 601 234 567' }],
    });
    boris = await host.contact({ first_name: 'Boris', last_name: 'Admin', status_id: lead.id, responsible_id: host.admin.id });
    celina = await host.contact({ first_name: 'Celina', last_name: 'Free' });
    dawid = await host.contact({ first_name: 'Dawid', last_name: 'Seller', responsible_id: seller.id });
    old = await host.contact({ first_name: 'Olga', last_name: 'Archived', status_id: archived.id });
  });
  after(() => host.dispose());

  describe('columns and cards', () => {
    it('has a column per active status in the statuses’ order, then "No status", each with its total', async () => {
      const columns = await host.board.board(host.admin, {}, 'en');
      expect(columns.map((c) => [c.status_id, c.name, c.total])).to.deep.equal([
        [lead.id, 'Lead', 2],
        [won.id, 'Won', 1],
        [null, null, 2],
      ]);
      expect(columns.flatMap((c) => c.cards).map((c) => c.id)).not.to.include(old.id);
      expect(column(await host.board.board(host.admin, {}, 'pl'), lead.id).name).to.equal('Potencjalny');
    });

    it('stays inside the access scope: cards and counts of what the user may see', async () => {
      const columns = await host.board.board(await host.asUser(seller.id), {}, 'en');
      expect(columns.map((c) => [c.status_id, c.total])).to.deep.equal([
        [lead.id, 1],
        [won.id, 1],
        [null, 1],
      ]);
      expect(names(column(columns, lead.id))).to.deep.equal(['Anna Nowak']);
      expect(names(column(columns, null))).to.deep.equal(['Dawid Seller']);
    });

    it('shows the name, the company, the responsible and the main email and phone on a card', async () => {
      const card = column(await host.board.board(host.admin, {}, 'en'), lead.id).cards.find((c) => c.id === anna.id)!;
      expect(card).to.deep.include({ kind: 'person', name: 'Anna Nowak', company: 'Acme Sp. z o.o.', email: 'anna@acme.pl', phone: '+48 601 234 567', version: anna.version });
      expect(card.responsible).to.deep.equal({ id: seller.id, name: 'restricted-seller' });
      const free = column(await host.board.board(host.admin, {}, 'en'), null).cards.find((c) => c.id === celina.id)!;
      expect(free).to.deep.include({ responsible: null, company: null, email: null, phone: null });
    });

    it('takes the list’s filters: search, responsible (unassigned too) and kind', async () => {
      const total = async (filters: Parameters<KanbanTestHost['board']['board']>[1]) => (await host.board.board(host.admin, filters, 'en')).map((c) => c.total);
      expect(await total({ q: 'anna' })).to.deep.equal([1, 0, 0]);
      expect(await total({ responsible_id: [seller.id] })).to.deep.equal([1, 1, 1]);
      expect(await total({ responsible_id: [0] })).to.deep.equal([0, 0, 1]);
      expect(await total({ kind: 'company' })).to.deep.equal([0, 1, 0]);
    });

    it('shows at most 100 cards per column, the most recently changed first, with the full total', async () => {
      const bulk = await host.status('Bulk', '#fd7e14');
      try {
        const made: Contact[] = [];
        for (let i = 0; i < CARDS_PER_COLUMN + 3; i++) made.push(await host.contact({ first_name: 'Bulk', last_name: String(i).padStart(3, '0'), status_id: bulk.id }));
        // The oldest one changes last (a second later: MariaDB keeps whole seconds), so it leads the column.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await host.contacts.update(host.admin, made[0]!.id, { job_title: 'Buyer' }, made[0]!.version);
        const col = column(await host.board.board(host.admin, {}, 'en'), bulk.id);
        expect(col.total).to.equal(CARDS_PER_COLUMN + 3);
        expect(col.cards).to.have.length(CARDS_PER_COLUMN);
        expect(col.cards[0]!.id).to.equal(made[0]!.id);
        expect(col.cards[1]!.id).to.equal(made.at(-1)!.id);
        const page = unescape((await (await host.login()).get('/kanban').expect(200)).text);
        expect(page).to.contain(`href="/crm/contacts?status_id=${bulk.id}"`);
        expect(page).to.contain(`Show all ${CARDS_PER_COLUMN + 3} clients in the list`);
      } finally {
        await host.dictionaries.update(bulk.id, { active: false });
      }
    });
  });

  describe('the page', () => {
    let admin: TestAgent;
    before(async () => {
      admin = await host.login();
    });

    it('is in the menu and shows the columns, counts, cards, "show all" links and "+" with the status preset', async () => {
      const res = await admin.get('/kanban').expect(200);
      const html = unescape(res.text);
      expect(html).to.contain('href="/kanban"');
      expect(html).to.contain(`data-testid="kanban-column-${lead.id}"`);
      expect(html).to.contain('data-testid="kanban-column-none"');
      expect(html).to.match(new RegExp(`data-testid="kanban-count-${lead.id}"[^>]*>2<`));
      expect(html).to.contain(`data-testid="kanban-card-${anna.id}"`);
      expect(html).to.contain(`data-version="${anna.version}"`);
      expect(html).to.contain(`href="/crm/contacts/new?kind=person&status_id=${lead.id}"`);
      expect(html).to.contain(`href="/crm/contacts?status_id=${won.id}"`);
      expect(html).to.contain('href="/crm/contacts?status_id=0"');
      expect(html).to.contain('/assets/vendor/sortablejs/Sortable.min.js');
      expect(html).to.contain('data-can-move="1"');
      const script = await admin.get('/assets/p/kanban/kanban.js').expect(200);
      expect(script.text).to.contain('/api/v1/kanban/cards/');
    });

    it('keeps the filters in the "show all" links and offers "my clients"', async () => {
      const html = unescape((await admin.get(`/kanban?q=nowak&responsible_id=${seller.id}&kind=person`).expect(200)).text);
      expect(html).to.contain(`href="/crm/contacts?status_id=${lead.id}&q=nowak&kind=person&responsible_id=${seller.id}"`);
      expect(html).to.contain(`<option value="${seller.id}" selected>`);
      expect(html).to.contain(`href="/kanban?q=nowak&kind=person&responsible_id=${host.admin.id}"`);
      const mine = unescape((await admin.get('/kanban?responsible_id=me').expect(200)).text);
      expect(mine).to.contain(`<option value="${host.admin.id}" selected>`);
      expect(mine).not.to.contain('data-testid="kanban-mine"');
      // Nonsense is dropped rather than refused.
      await admin.get('/kanban?responsible_id=abc&kind=robot').expect(200);
    });

    it('speaks the user’s language', async () => {
      const agent = await host.login();
      const csrf = await csrfOf(agent, '/kanban');
      await agent.post('/account/language').type('form').send({ _csrf: csrf, language: 'uk', next: '/kanban' }).expect(302);
      const html = (await agent.get('/kanban').expect(200)).text;
      expect(html).to.contain('Без статусу');
      expect(html).to.contain('Мої клієнти');
      await agent.post('/account/language').type('form').send({ _csrf: csrf, language: 'en', next: '/kanban' }).expect(302);
    });

    it('lets a user who may not edit look but not drag, and without "+" when they may not create', async () => {
      const agent = await host.login(viewer.email, viewer.password);
      const html = (await agent.get('/kanban').expect(200)).text;
      expect(html).to.contain('data-can-move="0"');
      expect(html).not.to.contain('data-testid="kanban-add-');
    });

    it('is refused to users without crm.access', async () => {
      const outsider = await host.userWithRights([]);
      const agent = await host.login(outsider.email, outsider.password);
      await agent.get('/kanban').expect(403);
      await agent.get('/api/v1/kanban').expect(403);
      expect((await agent.get('/').expect(200)).text).not.to.contain('href="/kanban"');
    });
  });

  describe('moving a card (POST /api/v1/kanban/cards/:id/move)', () => {
    const move = async (agent: TestAgent, id: number, body: object) =>
      agent.post(`/api/v1/kanban/cards/${id}/move`).set('X-CSRF-Token', await csrfOf(agent, '/kanban')).set('Accept', 'application/json').send(body);

    it('changes the status, answers the new version, and writes history', async () => {
      const agent = await host.login();
      const current = await host.contacts.get(host.admin, boris.id);
      const res = await move(agent, boris.id, { status_id: won.id, version: current.version });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ id: boris.id, status_id: won.id, version: current.version + 1, name: 'Boris Admin' });
      expect((await host.contacts.get(host.admin, boris.id)).status_id).to.equal(won.id);
      const [entry] = await host.history.list(host.admin, boris.id, { field: 'status_id' });
      expect(entry).to.deep.include({ action: 'update', field: 'status_id', old_value: lead.id, new_value: won.id, user_id: host.admin.id });
      const columns = await host.board.board(host.admin, {}, 'en');
      expect(column(columns, won.id).cards.map((c) => c.id)).to.include(boris.id);
      expect(column(columns, lead.id).cards.map((c) => c.id)).not.to.include(boris.id);
    });

    it('moves to "No status" with null', async () => {
      const agent = await host.login();
      const current = await host.contacts.get(host.admin, boris.id);
      const res = await move(agent, boris.id, { status_id: null, version: current.version });
      expect(res.status).to.equal(200);
      expect(res.body.status_id).to.equal(null);
      const [entry] = await host.history.list(host.admin, boris.id, { field: 'status_id' });
      expect(entry).to.deep.include({ old_value: won.id, new_value: null });
    });

    it('refuses a stale version with a translated message and the current status and version', async () => {
      const agent = await host.login();
      const seen = await host.contacts.get(host.admin, celina.id);
      // Somebody else changes the client after the board was drawn.
      const changed = await host.contacts.update(host.admin, celina.id, { status_id: lead.id }, seen.version);
      const res = await move(agent, celina.id, { status_id: won.id, version: seen.version });
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('conflict');
      expect(res.body.error.message).to.equal('“Celina Free” was changed by someone else in the meantime, so its card went back. Check it and move it again if needed.');
      expect(res.body.error.details).to.deep.equal({ current: { status_id: lead.id, version: changed.version } });
      expect((await host.contacts.get(host.admin, celina.id)).status_id).to.equal(lead.id);

      const csrf = await csrfOf(agent, '/kanban');
      await agent.post('/account/language').type('form').send({ _csrf: csrf, language: 'pl', next: '/kanban' }).expect(302);
      const pl = await move(agent, celina.id, { status_id: won.id, version: seen.version });
      expect(pl.body.error.message).to.equal('Ktoś w międzyczasie zmienił „Celina Free”, więc karta wróciła na miejsce. Sprawdź ją i w razie potrzeby przenieś ponownie.');
      await agent.post('/account/language').type('form').send({ _csrf: csrf, language: 'en', next: '/kanban' }).expect(302);
    });

    it('refuses a user without the right to edit (403, translated), and hides contacts out of scope (404)', async () => {
      const look = await host.login(viewer.email, viewer.password);
      const refused = await move(look, anna.id, { status_id: won.id, version: (await host.contacts.get(host.admin, anna.id)).version });
      expect(refused.status).to.equal(403);
      expect(refused.body.error.message).to.equal('You may not change “Anna Nowak”, so its card went back.');

      const restricted = await host.login(seller.email, seller.password);
      const hidden = await move(restricted, celina.id, { status_id: won.id, version: (await host.contacts.get(host.admin, celina.id)).version });
      expect(hidden.status).to.equal(404);
      expect(JSON.stringify(hidden.body)).not.to.contain('Celina');
      expect((await host.contacts.get(host.admin, celina.id)).status_id).to.equal(lead.id);

      const mine = await move(restricted, dawid.id, { status_id: lead.id, version: dawid.version });
      expect(mine.status).to.equal(200);
    });

    it('validates the input: unknown status, missing version, bad id', async () => {
      const agent = await host.login();
      const current = await host.contacts.get(host.admin, anna.id);
      const unknown = await move(agent, anna.id, { status_id: 999_999, version: current.version });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.details[0].field).to.equal('status_id');
      expect((await move(agent, anna.id, { status_id: won.id })).status).to.equal(400);
      expect((await move(agent, 999_999, { status_id: won.id, version: 1 })).status).to.equal(404);
      expect((await move(agent, 0, { status_id: won.id, version: 1 })).status).to.equal(404);
    });

    it('works with a bearer token too, and the board is in the API with its filters', async () => {
      const token = await host.token();
      const current = await host.contacts.get(host.admin, anna.id);
      await request(host.app!).post(`/api/v1/kanban/cards/${anna.id}/move`).set('Authorization', `Bearer ${token}`).send({ status_id: won.id, version: current.version }).expect(200);
      const board = (await request(host.app!).get('/api/v1/kanban').query({ responsible_id: seller.id }).set('Authorization', `Bearer ${token}`).expect(200)).body;
      expect(board.columns.map((c: BoardColumn) => c.status_id)).to.deep.equal([lead.id, won.id, null]);
      expect(board.columns[1].cards.map((c: { id: number }) => c.id).sort()).to.deep.equal([acme.id, anna.id].sort());
      const openapi = (await request(host.app!).get('/api/v1/openapi.json').set('Authorization', `Bearer ${token}`).expect(200)).body;
      expect(Object.keys(openapi.paths)).to.include.members(['/kanban', '/kanban/cards/{id}/move']);
    });
  });
});
