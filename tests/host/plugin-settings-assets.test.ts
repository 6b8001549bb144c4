import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createTestHost, csrfOf, FIXTURES, type TestHost } from '../support/test-host.js';

describe('Plugin settings and assets', () => {
  let host: TestHost;

  before(async () => {
    host = await createTestHost({ pluginRoots: [path.join(FIXTURES, 'plugin-sets', 'mixed')] });
  });
  after(() => host.dispose());

  it("gives a plugin its schema's defaults until an administrator saves settings", async () => {
    const agent = await host.login();
    expect((await agent.get('/api/v1/good-a/settings')).body).to.deep.equal({ greeting: 'Hello', limit: 10, loud: false });
  });

  it('saves settings from the generated form, typed and validated', async () => {
    const agent = await host.login();
    const form = await agent.get('/admin/plugins/good-a/settings');
    expect(form.status).to.equal(200);
    expect(form.text).to.contain('name="limit"');
    const csrf = await csrfOf(agent, '/admin/plugins/good-a/settings');
    const bad = await agent.post('/admin/plugins/good-a/settings').type('form').send({ _csrf: csrf, greeting: 'Hi', limit: '500' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('is-invalid');
    expect((await agent.get('/api/v1/good-a/settings')).body.limit).to.equal(10);
    const ok = await agent.post('/admin/plugins/good-a/settings').type('form').send({ _csrf: csrf, greeting: 'Hi', limit: '25', loud: 'on' });
    expect(ok.status).to.equal(302);
    expect((await agent.get('/api/v1/good-a/settings')).body).to.deep.equal({ greeting: 'Hi', limit: 25, loud: true });
  });

  it('answers 404 for the settings of a plugin that has none', async () => {
    const agent = await host.login();
    expect((await agent.get('/admin/plugins/good-b/settings')).status).to.equal(404);
  });

  it("serves a plugin's static assets only while it is enabled", async () => {
    expect((await request(host.app!).get('/assets/p/good-a/good-a.css')).text).to.contain('teal');
    await host.plugins.disable('good-a');
    try {
      expect((await request(host.app!).get('/assets/p/good-a/good-a.css')).status).to.equal(404);
    } finally {
      await host.plugins.enable('good-a');
    }
  });

  it('serves the front-end toolkit from node_modules', async () => {
    expect((await request(host.app!).get('/assets/vendor/bootstrap/css/bootstrap.min.css')).status).to.equal(200);
    expect((await request(host.app!).get('/assets/vendor/htmx/htmx.min.js')).status).to.equal(200);
    expect((await request(host.app!).get('/assets/vendor/bootstrap/nope.css')).status).to.equal(404);
  });
});
