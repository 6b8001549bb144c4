import path from 'node:path';
import { expect } from 'chai';
import { TOKENS, menuItems, type ExtensionRegistry, type PluginInfo } from '../../host/api.js';
import { createTestHost, FIXTURES, type TestHost } from '../support/test-host.js';
import { widgets } from '../fixtures/plugin-sets/mixed/good-a/api.js';

const MIXED = path.join(FIXTURES, 'plugin-sets', 'mixed');

describe('Plugin loader', () => {
  let host: TestHost;
  const state = (id: string): PluginInfo => host.plugins.get(id)!;

  before(async () => {
    host = await createTestHost({ pluginRoots: [MIXED] });
  });
  after(() => host.dispose());

  it('enables valid plugins, each after the plugins it depends on', () => {
    expect(state('good-a').state).to.equal('enabled');
    expect(state('good-b').state).to.equal('enabled');
    const ids = host.plugins.manifests().map((m) => m.id);
    expect(ids.indexOf('good-a')).to.be.below(ids.indexOf('good-b'));
  });

  it('disables a plugin with an invalid manifest, naming the file, the field and the problem', () => {
    const p = state('invalid-manifest');
    expect(p.state).to.equal('failed');
    expect(p.error).to.contain(path.join('invalid-manifest', 'plugin.manifest.json'));
    expect(p.error).to.contain('field "colour": unknown field');
    expect(p.error).to.contain('field "version"');
  });

  it('skips a plugin whose dependency is not installed and names it', () => {
    expect(state('missing-dep').state).to.equal('skipped');
    expect(state('missing-dep').error).to.equal('depends on "nope" (^1.0.0), which is not installed');
  });

  it('skips a plugin whose dependency has the wrong version and names both versions', () => {
    expect(state('version-mismatch').state).to.equal('skipped');
    expect(state('version-mismatch').error).to.equal('depends on "good-a" ^2.0.0, but version 1.2.0 is installed');
  });

  it('skips the plugins of a dependency cycle and shows the cycle', () => {
    expect(state('cycle-x').state).to.equal('skipped');
    expect(state('cycle-y').state).to.equal('skipped');
    expect(state('cycle-x').error).to.match(/dependency cycle: cycle-(x|y) -> cycle-(x|y) -> cycle-(x|y)/);
  });

  it('marks a plugin that throws while loading as failed, skips its dependents with the reason, and keeps running', async () => {
    expect(state('throws-on-load').state).to.equal('failed');
    expect(state('throws-on-load').error).to.equal('boom while registering');
    expect(state('depends-on-thrower').state).to.equal('skipped');
    expect(state('depends-on-thrower').error).to.contain('depends on "throws-on-load", which could not load: boom while registering');
    const agent = await host.login();
    expect((await agent.get('/good-a')).status).to.equal(200);
  });

  it('gives consumers the contributions of enabled plugins sorted by order', () => {
    const list = host.services.get<ExtensionRegistry>(TOKENS.Extensions).list(widgets);
    expect(list.map((w) => [w.pluginId, w.label])).to.deep.equal([['good-b', 'B'], ['good-a', 'A']]);
  });

  it('keeps the state of every plugin in the database', async () => {
    const [rows] = await host.db.query('SELECT id, state FROM host_plugins ORDER BY id');
    const states = Object.fromEntries((rows as Array<{ id: string; state: string }>).map((r) => [r.id, r.state]));
    expect(states).to.include({ 'good-a': 'enabled', 'good-b': 'enabled', 'throws-on-load': 'failed', 'missing-dep': 'skipped', 'invalid-manifest': 'failed' });
  });

  describe('disabled at run time', () => {
    afterEach(async () => {
      await host.plugins.enable('good-a');
      await host.plugins.enable('good-b');
    });

    it('answers 404 on its routes and takes its contributions away, without a restart', async () => {
      const agent = await host.login();
      await host.plugins.disable('good-b');
      expect(host.services.get<ExtensionRegistry>(TOKENS.Extensions).list(widgets).map((w) => w.id)).to.deep.equal(['own']);
      await host.plugins.disable('good-a');
      expect((await agent.get('/good-a')).status).to.equal(404);
      expect((await agent.get('/api/v1/good-a/items/count')).status).to.equal(404);
      expect(host.services.get<ExtensionRegistry>(TOKENS.Extensions).list(menuItems).map((m) => m.id)).not.to.include('good-a');
      await host.plugins.enable('good-a');
      expect((await agent.get('/good-a')).status).to.equal(200);
    });

    it('switches off the plugins that depend on it, and delivers no events to disabled plugins', async () => {
      const agent = await host.login();
      const csrf = /<meta name="csrf-token" content="([^"]*)"/.exec((await agent.get('/good-a')).text)![1]!;
      const seen = async () => (await agent.get('/api/v1/good-b/seen').expect(200)).body.seen as number[];
      const before = (await seen()).length;
      await agent.post('/api/v1/good-a/items').set('x-csrf-token', csrf).send({ title: 'first' }).expect(201);
      expect(await seen()).to.have.length(before + 1);
      await host.plugins.disable('good-b');
      await agent.post('/api/v1/good-a/items').set('x-csrf-token', csrf).send({ title: 'second' }).expect(201);
      await host.plugins.enable('good-b');
      expect(await seen()).to.have.length(before + 1);
      await host.plugins.disable('good-a');
      expect(host.plugins.isEnabled('good-b')).to.equal(false);
      expect(state('good-b').state).to.equal('enabled');
    });
  });

  it('refuses to enable a plugin that failed, with a translated conflict', async () => {
    const agent = await host.login();
    const res = await agent.post('/api/v1/plugins/throws-on-load/enable').set('Accept-Language', 'pl').set('x-csrf-token', /<meta name="csrf-token" content="([^"]*)"/.exec((await agent.get('/')).text)![1]!);
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('conflict');
  });
});

describe('Plugin state across instances', () => {
  it('follows an enable or disable made by another instance on the same database', async () => {
    const first = await createTestHost({ pluginRoots: [MIXED] });
    const second = await createTestHost({ pluginRoots: [MIXED], databaseUrl: first.config.databaseUrl });
    try {
      await first.plugins.disable('good-a');
      expect(second.plugins.isEnabled('good-a')).to.equal(true);
      await second.plugins.syncFromStore();
      expect(second.plugins.isEnabled('good-a')).to.equal(false);
      expect(second.plugins.isEnabled('good-b')).to.equal(false);
      await first.plugins.enable('good-a');
      await second.plugins.syncFromStore();
      expect(second.plugins.isEnabled('good-b')).to.equal(true);
    } finally {
      await second.stop();
      await first.dispose();
    }
  });
});
