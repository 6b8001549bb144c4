import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { Sequelize } from 'sequelize';
import { TOKENS, type I18nService } from '../../../host/api.js';
import { csrfOf, ROOT } from '../../../tests/support/test-host.js';
import type { DictionaryItem } from '../api.js';
import { SELECTION_LIMIT } from '../services/selection-service.js';
import { bulkPeople, rowIds, tickedIds, writeProbePlugin } from './selection-kit.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&#x3D;': '=', '&quot;': '"' };
const decode = (s: string) => s.replace(/&(amp|#x3D|quot);/g, (e) => ENTITIES[e]!);
const href = (html: string, testid: string) => {
  const m = new RegExp(`href="([^"]+)"[^>]*data-testid="${testid}"`).exec(html);
  return m ? decode(m[1]!) : null;
};

describe('Selecting contacts in the list', () => {
  let host: CrmTestHost;
  let agent: TestAgent;
  let csrf: string;
  let probeRoot: string;
  let paged: DictionaryItem;
  /** 170 people in the "Paged" category, 7 pages of 25; the last five are titled "Hidden". */
  let ids: number[];
  let hidden: number[];
  let scoped: { agent: TestAgent; csrf: string; id: number };

  const select = async (who: TestAgent, token: string, body: Record<string, unknown>) =>
    who.post('/crm/contacts/selection').set('X-CSRF-Token', token).set('Accept', 'application/json').send(body);
  const pageUrl = `/crm/contacts?category_id=PAGED&limit=25`;

  before(async () => {
    probeRoot = writeProbePlugin();
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), probeRoot] });
    agent = await host.login();
    csrf = await csrfOf(agent, '/crm/contacts');
    paged = await host.dictionaries.create('category', { name: 'Paged' });
    ids = await bulkPeople(host, 165, { last_name: 'Paged', category_id: paged.id });
    hidden = await bulkPeople(host, 5, { last_name: 'Zhidden', category_id: paged.id, job_title: 'Hidden' });
    ids.push(...hidden);
    const user = await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'scoped-seller@example.com');
    const theirs = await host.login(user.email, user.password);
    scoped = { agent: theirs, csrf: await csrfOf(theirs, '/crm/contacts'), id: user.id };
  });

  after(async () => {
    await host.dispose();
    fs.rmSync(probeRoot, { recursive: true, force: true });
  });

  afterEach(async () => {
    await select(agent, csrf, { op: 'clear' });
    await select(scoped.agent, scoped.csrf, { op: 'clear' });
  });

  const url = (u: string) => u.replace('PAGED', String(paged.id));

  it('offers a tick box on every row and one for the whole page, but none in the trash', async () => {
    const page = await agent.get(url(pageUrl));
    expect(rowIds(page.text)).to.have.length(25);
    for (const id of rowIds(page.text)) expect(page.text).to.contain(`data-testid="select-${id}"`);
    expect(page.text).to.contain('data-testid="select-page"');
    // Nothing selected yet: the bar waits hidden.
    expect(page.text).to.match(/class="crm-selection-bar[^"]* d-none"/);
    const trash = await agent.get('/crm/contacts?trash=1');
    expect(trash.text).not.to.contain('data-crm-select');
  });

  it('keeps what was ticked on pages 1, 3 and 7 across pages and visits', async () => {
    const first = await agent.get(url(pageUrl));
    const onFirst = rowIds(first.text);
    expect((await select(agent, csrf, { op: 'add', ids: onFirst.slice(0, 2) })).body).to.include({ count: 2, added: 2, text: '2 selected' });

    const second = await agent.get(href(first.text, 'next-page')!);
    const third = await agent.get(href(second.text, 'next-page')!);
    expect(third.text).to.contain('51–75 of 170');
    const onThird = rowIds(third.text);
    await select(agent, csrf, { op: 'add', ids: [onThird[4]!] });

    let page = third;
    for (let i = 3; i < 7; i++) page = await agent.get(href(page.text, 'next-page')!);
    expect(page.text).to.contain('151–170 of 170');
    const onSeventh = rowIds(page.text);
    const last = await select(agent, csrf, { op: 'add', ids: [onSeventh[0]!] });
    expect(last.body).to.include({ count: 4, text: '4 selected' });
    const chosen = [...onFirst.slice(0, 2), onThird[4]!, onSeventh[0]!];

    // Back on page 1 the ticks are still there, and the bar counts all four.
    const again = await agent.get(url(pageUrl));
    expect(tickedIds(again.text)).to.deep.equal(onFirst.slice(0, 2));
    expect(again.text).to.contain('data-testid="selection-count">4 selected<');
    expect(again.text).not.to.match(/class="crm-selection-bar[^"]* d-none"/);

    // "Selected contacts" lists exactly them, through the normal list.
    const view = await agent.get('/crm/contacts?selected=1');
    expect(view.status).to.equal(200);
    expect(rowIds(view.text).sort((a, b) => a - b)).to.deep.equal([...chosen].sort((a, b) => a - b));
    expect(view.text).to.contain('<h1').and.to.contain('Selected contacts');
    expect(tickedIds(view.text)).to.have.length(4);

    // A later visit (another session) finds the same selection.
    const later = await host.login();
    expect(rowIds((await later.get('/crm/contacts?selected=1')).text)).to.have.members(chosen);
  });

  it('takes ticks off again, one by one or all at once', async () => {
    await select(agent, csrf, { op: 'add', ids: ids.slice(0, 3) });
    expect((await select(agent, csrf, { op: 'remove', ids: [ids[1]] })).body).to.include({ count: 2 });
    expect(rowIds((await agent.get('/crm/contacts?selected=1')).text)).to.have.members([ids[0], ids[2]]);
    expect((await select(agent, csrf, { op: 'clear' })).body).to.include({ count: 0, text: '0 selected' });
    const empty = await agent.get('/crm/contacts?selected=1');
    expect(empty.text).to.contain('data-empty="selection"').and.to.contain('No contacts selected');
  });

  it('shows the selection as a normal list: sorted, paged, searchable, with a chip that leads back', async () => {
    await select(agent, csrf, { op: 'add', ids: ids.slice(0, 30) });
    const view = await agent.get('/crm/contacts?selected=1&limit=25&sort=name&order=desc');
    expect(view.text).to.contain('1–25 of 30');
    const next = href(view.text, 'next-page')!;
    expect(next).to.contain('selected=1').and.to.contain('order=desc');
    const rest = await agent.get(next);
    expect(rowIds(rest.text)).to.have.length(5);
    // The chip removes the selection filter and keeps the sort.
    const chip = decode(/class="crm-chip"[\s\S]*?href="([^"]+)"/.exec(view.text)![1]!);
    expect(chip).to.contain('order=desc');
    expect(chip).not.to.contain('selected=');
    expect(view.text).to.contain('Selected contacts');
    // The search form keeps the view, so searching stays inside the selection.
    expect(view.text).to.contain('<input type="hidden" name="selected" value="1">');
    // The bar offers no "show selected" (we are there) nor "select all that match".
    expect(view.text).not.to.contain('data-testid="show-selected"').and.not.to.contain('data-testid="select-matching"');
  });

  it('selects everything that matches the filter on the server, not just the page', async () => {
    const page = await agent.get(url(pageUrl));
    expect(page.text).to.contain('Select all 170 that match');
    const filter = decode(/name="filter" value="([^"]*)"/.exec(page.text)![1]!);
    expect(filter).to.equal(`category_id=${paged.id}`);
    const res = await select(agent, csrf, { op: 'matching', filter });
    expect(res.body).to.include({ count: 170, added: 170 });
    const after = await agent.get(url(pageUrl));
    expect(tickedIds(after.text)).to.have.length(25);
    expect(after.text).to.contain('All 170 that match are selected').and.not.to.contain('data-testid="select-matching"');
  });

  it('selects only what the user may see when selecting all that match', async () => {
    const page = await scoped.agent.get(url(pageUrl));
    expect(page.text).to.contain('Select all 165 that match');
    const res = await select(scoped.agent, scoped.csrf, { op: 'matching', filter: `category_id=${paged.id}` });
    expect(res.body).to.include({ count: 165 });
    const [rows] = await host.services.get<Sequelize>(TOKENS.Database).query('SELECT contact_id FROM crm_selections WHERE user_id = ?', { replacements: [scoped.id] });
    const stored = (rows as Array<{ contact_id: number }>).map((r) => Number(r.contact_id));
    expect(stored).to.have.length(165);
    expect(stored.filter((id) => hidden.includes(id))).to.deep.equal([]);
    // Ids of hidden contacts sent one by one are not added either.
    expect((await select(scoped.agent, scoped.csrf, { op: 'add', ids: hidden })).body).to.include({ added: 0, count: 165 });
  });

  it('ignores selected contacts the user can no longer see, and those in the trash', async () => {
    // Selected while visible; then the contact is retitled "Hidden" and leaves the user's scope.
    const [a, b, c] = ids;
    await select(scoped.agent, scoped.csrf, { op: 'add', ids: [a, b, c] });
    const db = host.services.get<Sequelize>(TOKENS.Database);
    await db.query("UPDATE crm_contacts SET job_title = 'Hidden' WHERE id = ?", { replacements: [a] });
    await host.contacts.remove(host.admin, b!);
    try {
      const api = await scoped.agent.get('/api/v1/selection');
      expect(api.body).to.deep.equal({ ids: [c], count: 1 });
      const view = await scoped.agent.get('/crm/contacts?selected=1');
      expect(rowIds(view.text)).to.deep.equal([c]);
      expect(view.text).to.contain('1 selected');
      // Nothing of the hidden contact on the page at all.
      expect(view.text).not.to.contain(`Bulk00001 Paged`);
    } finally {
      await db.query('UPDATE crm_contacts SET job_title = NULL WHERE id = ?', { replacements: [a] });
      await host.contacts.restore(host.admin, b!);
    }
  });

  it("never shows one user another's selection, even with a forged filter", async () => {
    await select(agent, csrf, { op: 'add', ids: ids.slice(0, 3) });
    expect(rowIds((await scoped.agent.get('/crm/contacts?selected=1')).text)).to.deep.equal([]);
    const forged = JSON.stringify({ user: host.admin.id, key: 'AAAAAAAAAAAAAAAAAAAAAA' });
    const api = await scoped.agent.get('/api/v1/contacts').query({ 'condition.crm.selected': forged });
    expect(api.status).to.equal(200);
    expect(api.body.items).to.deep.equal([]);
    // The list page takes the selection only as `selected=1`.
    const page = await scoped.agent.get('/crm/contacts').query({ 'condition.crm.selected': forged });
    expect(page.status).to.equal(400);
    expect(rowIds(page.text)).to.deep.equal([]);
  });

  it('works without the script: the bar forms post and come back to the list', async () => {
    await select(agent, csrf, { op: 'add', ids: ids.slice(0, 2) });
    const page = await agent.get(url(pageUrl));
    expect(page.text).to.contain('data-testid="clear-selection"');
    const res = await agent.post('/crm/contacts/selection').type('form').send({ _csrf: csrf, op: 'matching', filter: `category_id=${paged.id}`, back: url(pageUrl) });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(url(pageUrl));
    const back = await agent.get(res.headers.location!);
    expect(back.text).to.contain('168 contacts added to the selection.').and.to.contain('170 selected');
    // Never back to another site.
    const away = await agent.post('/crm/contacts/selection').type('form').send({ _csrf: csrf, op: 'clear', back: 'https://evil.example/crm/contacts' });
    expect(away.headers.location).to.equal('/crm/contacts');
  });

  it('explains the limit of a selection in the reader\'s numbers', () => {
    const i18n = host.services.get<I18nService>(TOKENS.I18n);
    expect(i18n.t('en', 'crm:list.selection_over_limit', { limit: SELECTION_LIMIT })).to.equal('A selection holds at most 200,000 contacts. Narrow the filter and try again.');
    expect(i18n.t('pl', 'crm:list.selection_over_limit', { limit: SELECTION_LIMIT })).to.match(/najwyżej 200\s000 kontaktów/);
  });

  it('refuses a bad filter, bad ids, a missing CSRF token and users without crm.access', async () => {
    expect((await select(agent, csrf, { op: 'matching', filter: 'status_id=abc' })).status).to.equal(400);
    expect((await select(agent, csrf, { op: 'add', ids: ['x'] })).status).to.equal(400);
    expect((await select(agent, csrf, { op: 'explode' })).status).to.equal(400);
    expect((await agent.post('/crm/contacts/selection').set('Accept', 'application/json').send({ op: 'clear' })).status).to.equal(403);
    const nobody = await host.userWithRights([]);
    const theirs = await host.login(nobody.email, nobody.password);
    expect((await select(theirs, await csrfOf(theirs, '/'), { op: 'clear' })).status).to.equal(403);
  });

  describe('over the API', () => {
    it('reads, adds by ids and by filter, removes and empties the selection', async () => {
      expect((await agent.get('/api/v1/selection')).body).to.deep.equal({ ids: [], count: 0 });
      const add = await agent.post('/api/v1/selection').set('X-CSRF-Token', csrf).send({ ids: [ids[0], ids[1], 99_999_999] });
      expect(add.status).to.equal(200);
      expect(add.body).to.deep.equal({ added: 2, count: 2 });
      const more = await agent.post('/api/v1/selection').set('X-CSRF-Token', csrf).send({ filter: { category_id: [String(paged.id)] } });
      expect(more.body).to.deep.equal({ added: 168, count: 170 });
      const removed = await agent.delete('/api/v1/selection').set('X-CSRF-Token', csrf).send({ ids: [ids[0]] });
      expect(removed.body).to.deep.equal({ removed: 1, count: 169 });
      expect((await agent.get('/api/v1/selection')).body.ids).to.have.length(169).and.not.to.include(ids[0]);
      const cleared = await agent.delete('/api/v1/selection').set('X-CSRF-Token', csrf);
      expect(cleared.body).to.deep.equal({ removed: 169, count: 0 });
    });

    it('takes filters as GET /api/v1/contacts does, and narrows them to the selection with selected: true', async () => {
      await agent.post('/api/v1/selection').set('X-CSRF-Token', csrf).send({ ids: ids.slice(0, 4) });
      const res = await agent.post('/api/v1/selection').set('X-CSRF-Token', csrf).send({ filter: { category_id: paged.id, selected: true } });
      expect(res.body).to.deep.equal({ added: 0, count: 4 });
    });

    it('answers 400 for bad input and 401 or 403 to those who may not', async () => {
      const bad = await agent.post('/api/v1/selection').set('X-CSRF-Token', csrf).send({ filter: { status_id: 'abc' } });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.code).to.equal('invalid_input');
      expect((await agent.post('/api/v1/selection').set('X-CSRF-Token', csrf).send({})).status).to.equal(400);
      expect((await agent.post('/api/v1/selection').set('X-CSRF-Token', csrf).send({ ids: [0] })).status).to.equal(400);
      expect((await agent.post('/api/v1/selection').set('X-CSRF-Token', csrf).send({ filter: { q: { $gt: 1 } } })).status).to.equal(400);
      expect((await request(host.app!).get('/api/v1/selection')).status).to.equal(401);
      const nobody = await host.userWithRights(['crm.contacts.edit']);
      const token = (await request(host.app!).post('/api/v1/auth/token').send({ email: nobody.email, password: nobody.password })).body.token;
      expect((await request(host.app!).get('/api/v1/selection').set('Authorization', `Bearer ${token}`)).status).to.equal(403);
    });

    it('is in the OpenAPI document, with the limit of a selection stated', async () => {
      const doc = (await agent.get('/api/v1/openapi.json')).body;
      expect(doc.paths['/selection']).to.have.keys('get', 'post', 'delete');
      expect(JSON.stringify(doc.paths['/selection'].post)).to.contain(SELECTION_LIMIT.toLocaleString('en'));
    });
  });
});
