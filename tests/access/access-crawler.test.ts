/**
 * The access crawler over the whole application: every plugin in plugins/, every route in the
 * inventory, as users of different groups (no classes; one class at "view"; one class at "edit"
 * for their own clients only; a per-card grant), against contacts they may and may not see.
 * See crawler.ts for what counts as a leak. A route added later that forgets the scope fails here.
 */
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createTestHost, ROOT, type TestHost } from '../support/test-host.js';
import { buildWorld, crawl, describeFindings, type World } from './crawler.js';

const verbose = process.env.CRAWLER_VERBOSE === '1';
const log = (line: string) => verbose && console.log(`      ${line}`);

describe('Access crawler', function () {
  this.timeout(600_000);

  describe('over every plugin of the application', () => {
    let host: TestHost;
    let world: World;

    before(async () => {
      host = await createTestHost({ pluginRoots: [path.join(ROOT, 'plugins')] });
      world = await buildWorld(host);
    });
    after(() => host?.dispose());

    it('builds a world where each user sees exactly their contacts', async () => {
      // The oracle the crawl relies on, checked once through the CRM's list API.
      for (const persona of world.personas) {
        const list = await request(host.app!).get('/api/v1/contacts?limit=100').set('Authorization', `Bearer ${persona.token}`).expect(200);
        const ids = (list.body.items as Array<{ id: number }>).map((c) => c.id).sort((a, b) => a - b);
        const expected = [...world.open.map((c) => c.id), ...persona.sees.map((k) => world.secrets[k]!.id)].sort((a, b) => a - b);
        expect(ids, persona.key).to.deep.equal(expected);
      }
    });

    it('finds no route that shows, counts, lists or changes a contact its user may not see', async () => {
      const { findings, requests, routes } = await crawl(host, world, { addBetweenPasses: 2, log });
      log(`${routes} routes, ${requests} requests`);
      expect(routes).to.be.greaterThan(50);
      expect(describeFindings(findings)).to.deep.equal([]);
    });
  });

  describe('with a route that forgets the scope', () => {
    let host: TestHost;
    let world: World;

    before(async () => {
      host = await createTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), path.join(import.meta.dirname, 'fixtures')] });
      world = await buildWorld(host);
    });
    after(() => host?.dispose());

    it('flags each of the leaky plugin’s routes, and nothing else', async () => {
      expect(host.plugins.get('leaky')?.state).to.equal('enabled');
      const { findings } = await crawl(host, world, { addBetweenPasses: 1, plugins: ['leaky'], log });
      const flagged = new Set(findings.map((f) => `${f.method} ${f.route}`));
      expect([...flagged].sort()).to.deep.equal(['GET /api/v1/leaky/contacts/:id', 'GET /api/v1/leaky/search', 'GET /leaky/count', 'POST /api/v1/leaky/contacts/:id/rename'].sort());
      const problems = describeFindings(findings).join('\n');
      expect(problems).to.contain('shows the name of south').and.contain('answered 200 for a hidden contact').and.contain('changes when contacts the user may not see are added').and.contain('changed hidden contact');
    });
  });
});
