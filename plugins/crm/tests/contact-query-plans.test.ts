/**
 * The list answers the same whichever plan it takes for the search and custom-field filters:
 * the matching ids read first and listed as constants (a small set), or the sets kept as
 * subqueries (a large one), and the same as the subquery SQL that `filterSql` gives segments.
 * A search by name alone, for a user no rule restricts, is also answered from the search terms
 * alone (name-search.ts); it too must agree, with trashed matches and with the trash too large
 * for it. Same contacts, same order across cursor pages, same totals; on SQLite and on MariaDB.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import { ADMIN } from '../../../tests/support/test-host.js';
import type { ListQuery } from '../api.js';
import { CANDIDATE_LIMIT, candidatePlan } from '../services/contact-query-candidates.js';
import { WALK_FROM, walkPlan } from '../services/contact-query-plan.js';
import { TRASH_LIMIT, namePlan, namePlanTerms } from '../services/name-search.js';
import { foldText, searchTerms } from '../services/normalize/text.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const FIRST = ['Anna', 'Olga', 'Jan', 'Piotr', 'Ирина', 'Kasia'];
const LAST = ['Kowalska', 'Kowalski', 'Kozak', 'Nowak', 'Новак', 'Kowal-Nowak', 'Wiśniewska'];

describe('Contact list: the search and custom-field plans agree', function () {
  this.timeout(120_000);
  let host: CrmTestHost;

  before(async () => {
    host = await createCrmTestHost();
    await host.fields.create({ key: 'tier', type: 'select', labels: { en: 'Tier' }, options: ['gold', 'silver', 'bronze'] });
    await host.fields.create({ key: 'budget', type: 'money', labels: { en: 'Budget' } });
    for (let i = 0; i < 42; i++) {
      const person = i % 6 !== 5;
      const custom: Record<string, unknown> = {};
      if (i % 3) custom.tier = ['gold', 'silver', 'bronze'][i % 3];
      if (i % 4) custom.budget = (i * 370) % 5000;
      const contact = await host.contacts.create(host.admin, {
        ...(person ? { kind: 'person' as const, first_name: FIRST[i % FIRST.length], last_name: LAST[i % LAST.length] } : { kind: 'company' as const, company_name: `${LAST[i % LAST.length]} Group ${i}` }),
        emails: i % 2 ? [{ value: `${FIRST[i % FIRST.length]!.toLowerCase()}.${i}@${i % 4 === 1 ? 'example.com' : 'firma.pl'}` }] : [],
        phones: i % 5 === 0 ? [{ value: `+48 601 200 ${String(100 + i)}` }] : [],
        custom,
      });
      if (i % 13 === 7) await host.contacts.remove(host.admin, contact.id);
    }
  });
  after(async () => {
    candidatePlan.limit = CANDIDATE_LIMIT;
    walkPlan.from = WALK_FROM;
    Object.assign(namePlan, { enabled: true, trashLimit: TRASH_LIMIT });
    await host.dispose();
  });

  /** Every page through the cursors, and the first page's total. */
  const walk = async (q: ListQuery) => {
    const ids: number[] = [];
    const first = await host.query.list(host.admin, { ...q, limit: 5 });
    ids.push(...first.items.map((c) => c.id));
    for (let cursor = first.next_cursor; cursor; ) {
      const page = await host.query.list(host.admin, { ...q, limit: 5, cursor });
      ids.push(...page.items.map((c) => c.id));
      cursor = page.next_cursor;
    }
    return { ids, total: first.total };
  };

  /** The same filter as plain subqueries (what segments use), unordered. */
  const reference = async (q: ListQuery) => {
    const filter = await host.query.filterSql(q);
    const [rows] = await host.db.query(`SELECT c.id FROM crm_contacts c WHERE c.deleted_at IS NULL AND c.merged_into_id IS NULL AND ${filter.sql} ORDER BY c.id`, { replacements: filter.params });
    return (rows as Array<{ id: number }>).map((r) => Number(r.id));
  };

  /** The search as the list wrote it before the plans: one IN-subquery per word, OR the channels. */
  const formerSearch = async (text: string) => {
    const like = (v: string) => `${v.replace(/[\\%_]/g, '\\$&')}%`;
    const terms = searchTerms(text);
    const alternatives = [`(${terms.map(() => 'c.id IN (SELECT t.contact_id FROM crm_search_terms t WHERE t.term LIKE ?)').join(' AND ')})`];
    const params: unknown[] = terms.map(like);
    const folded = foldText(text);
    if (folded.includes('@') || /^[a-z0-9.-]+\.[a-z]{2,}$/.test(folded)) {
      alternatives.push("c.id IN (SELECT ch.contact_id FROM crm_channels ch WHERE ch.type IN ('email', 'domain') AND ch.normalized LIKE ?)");
      params.push(like(folded));
    }
    const [rows] = await host.db.query(`SELECT c.id FROM crm_contacts c WHERE c.deleted_at IS NULL AND c.merged_into_id IS NULL AND (${alternatives.join(' OR ')}) ORDER BY c.name_key, c.id`, {
      replacements: params,
    });
    return (rows as Array<{ id: number }>).map((r) => Number(r.id));
  };

  for (const text of ['kowal', 'nowak anna', 'НОВ', 'nowak', 'example.com', 'olga.13@example.com', 'zzzz']) {
    it(`finds what the former search SQL found, in name order: "${text}"`, async () => {
      const expected = await formerSearch(text);
      // The terms-only plan (with the trash read apart, or the trash too large for it), then the general plans.
      for (const [enabled, trashLimit, limit] of [[true, TRASH_LIMIT, CANDIDATE_LIMIT], [true, 0, CANDIDATE_LIMIT], [false, TRASH_LIMIT, CANDIDATE_LIMIT], [false, TRASH_LIMIT, 3], [false, TRASH_LIMIT, 0]] as const) {
        Object.assign(namePlan, { enabled, trashLimit });
        candidatePlan.limit = limit;
        const found = await walk({ q: text });
        expect(found.ids, `name plan ${enabled}, trash limit ${trashLimit}, plan limit ${limit}`).to.deep.equal(expected);
        expect(found.total).to.equal(expected.length);
        const backwards = await walk({ q: text, order: 'desc' });
        expect(backwards.ids, 'descending').to.deep.equal([...expected].reverse());
      }
      Object.assign(namePlan, { enabled: true, trashLimit: TRASH_LIMIT });
      candidatePlan.limit = CANDIDATE_LIMIT;
    });
  }

  it('answers a name search from the terms alone for an administrator, with trashed matches left out and counted out', async () => {
    const trashed = (await host.query.list(host.admin, { q: 'kowal', trash: true })).total;
    expect(trashed, 'the examples have trashed matches').to.be.above(0);
    const expected = await formerSearch('kowal');
    const spy = sinon.spy(host.db, 'query');
    try {
      const first = await host.query.list(host.admin, { q: 'kowal', limit: 5 });
      expect(first.items.map((c) => c.id)).to.deep.equal(expected.slice(0, 5));
      expect(first.total).to.equal(expected.length);
      const sql = spy.getCalls().map((c) => String(c.args[0]));
      expect(sql.some((s) => /FROM crm_search_terms t0 .*ORDER BY t0\.name_key/.test(s)), 'the page comes from the terms').to.equal(true);
      expect(sql.filter((s) => /FROM crm_contacts c .*c\.id IN/.test(s)), 'no contact is read to find the page').to.deep.equal([]);
    } finally {
      spy.restore();
    }
  });

  it('keeps the name order of the terms right when a contact is renamed or merged', async () => {
    const [a, b] = (await host.query.list(host.admin, { q: 'kowal', limit: 2 })).items;
    const renamed = await host.contacts.update(host.admin, a!.id, { first_name: 'Zenon' }, a!.version);
    const token = (await request(host.app!).post('/api/v1/auth/token').send({ email: ADMIN.email, password: ADMIN.password })).body.token as string;
    const merged = await request(host.app!).post('/api/v1/contacts/merge').set('Authorization', `Bearer ${token}`).send({ master_id: renamed.id, merge_ids: [b!.id], version: renamed.version });
    expect(merged.status, JSON.stringify(merged.body)).to.equal(200);
    const plans = [];
    for (const enabled of [true, false]) {
      namePlan.enabled = enabled;
      plans.push(await walk({ q: 'kowal' }));
    }
    namePlan.enabled = true;
    expect(plans[0]).to.deep.equal(plans[1]);
    expect(plans[0]!.ids).to.include(renamed.id).and.not.include(b!.id);
    expect(plans[0]!.ids).to.deep.equal(await formerSearch('kowal'));
  });

  it('keeps the general plan for users whom a rule restricts, and for searches with other filters', async () => {
    expect(namePlanTerms({ q: 'kowal' })).to.deep.equal(['kowal']);
    expect(namePlanTerms({ q: 'kowal', sort: 'created_at' })).to.equal(null);
    expect(namePlanTerms({ q: 'kowal', status_id: [1] })).to.equal(null);
    expect(namePlanTerms({ q: 'kowal', trash: true })).to.equal(null);
    expect(namePlanTerms({ q: 'kowal', offset: 50 })).to.equal(null);
    expect(namePlanTerms({ q: 'jan@example.com' }), 'an email also searches the channels').to.equal(null);
    expect(namePlanTerms({ q: '+48 601 200' }), 'a phone also searches the channels').to.equal(null);
  });

  const queries: Array<[string, ListQuery]> = [
    ['a surname prefix', { q: 'kowal' }],
    ['two words in any order', { q: 'nowak anna' }],
    ['a Cyrillic prefix in another case', { q: 'НОВ' }],
    ['a word of a double-barrelled name', { q: 'nowak' }],
    ['an email domain', { q: 'example.com' }],
    ['a whole email', { q: 'olga.13@example.com' }],
    ['a phone prefix', { q: '+48 601 200' }],
    ['nothing matches', { q: 'zzzz' }],
    ['a custom select value', { custom: { tier: 'gold' } }],
    ['custom values sorted by a custom field', { custom: { tier: ['gold', 'silver'], budget: { from: 500 } }, sort: 'custom.budget', order: 'desc' }],
    ['a custom range sorted by that field, ascending', { custom: { budget: { from: 1000, to: 4000 } }, sort: 'custom.budget' }],
    ['a custom value sorted by that field, with a search', { q: 'kow', custom: { tier: ['gold', 'bronze'] }, sort: 'custom.tier', order: 'desc' }],
    ['a custom field sorted by another one, without a value for some', { custom: { tier: 'silver' }, sort: 'custom.budget' }],
    ['a search, a custom range and a sort by date', { q: 'kow', custom: { budget: { from: 100, to: 4000 } }, sort: 'created_at', order: 'desc' }],
  ];

  for (const [title, q] of queries) {
    it(`finds the same contacts in the same order: ${title}`, async () => {
      const expected = await reference(q);
      const answers = [];
      // Ids read first or kept as subqueries; and (MariaDB) a custom-field sort walking its index.
      for (const [limit, walkFrom] of [[CANDIDATE_LIMIT, WALK_FROM], [3, WALK_FROM], [0, WALK_FROM], [CANDIDATE_LIMIT, 0], [3, 0]] as const) {
        candidatePlan.limit = limit;
        walkPlan.from = walkFrom;
        answers.push(await walk(q));
      }
      candidatePlan.limit = CANDIDATE_LIMIT;
      walkPlan.from = WALK_FROM;
      expect([...answers[0]!.ids].sort((a, b) => a - b)).to.deep.equal(expected);
      expect(answers[0]!.total).to.equal(expected.length);
      for (const other of answers.slice(1)) expect(other).to.deep.equal(answers[0]);
    });
  }

  it('has examples where a set is small, where it is large, and where nothing matches', async () => {
    expect((await reference({ q: 'kowal' })).length).to.be.above(3);
    expect((await reference({ q: 'olga.13@example.com' })).length).to.equal(1);
    expect(await reference({ q: 'zzzz' })).to.deep.equal([]);
  });
});
