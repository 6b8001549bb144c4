/**
 * The command line as users run it: a child process per command on a temporary SQLite database,
 * then a plugin scaffolded by `plugin:new` outside the project, loaded through CRM_PLUGIN_PATH.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pino from 'pino';
import request from 'supertest';
import { createHost } from '../../host/boot.js';
import { loadConfig } from '../../host/config/load-config.js';
import { ROOT } from '../../host/root.js';
import { cliEnv, runCli, type CliEnv, type CliResult } from '../support/cli.js';

/** An expected error: one message on stderr, exit code 1, no stack trace. */
function expectCleanFailure(r: CliResult, message: string): void {
  expect(r.code, r.stderr).to.equal(1);
  expect(r.stderr).to.contain(message);
  expect(r.stderr).not.to.match(/\n\s+at /);
}

describe('Command line (npm run crm)', function () {
  this.timeout(120_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-'));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('on the host alone', () => {
    let env: CliEnv;
    before(() => {
      env = cliEnv(path.join(tmp, 'host'));
    });

    it('migrate applies the host migrations, then has nothing to migrate', async () => {
      const first = await runCli(['migrate'], env);
      expect(first.code, first.stderr).to.equal(0);
      expect(first.stdout).to.match(/Applied \d+ migrations:/);
      expect(first.stdout).to.contain('host/0001-users-groups-rights.ts');

      const second = await runCli(['migrate'], env);
      expect(second.code, second.stderr).to.equal(0);
      expect(second.stdout).to.contain('Nothing to migrate');
    });

    it('users add creates accounts in the named groups, and users list shows them', async () => {
      const bob = await runCli(['users', 'add', '--email', 'bob@example.com', '--name', 'Bob Builder', '--password', 'bob-password-1', '--group', 'Staff'], env);
      expect(bob.code, bob.stderr).to.equal(0);
      expect(bob.stdout).to.contain('bob@example.com').and.to.contain('Staff');
      const carol = await runCli(['users', 'add', '--email', 'carol@example.com', '--name', 'Carol', '--password', 'carol-password-1', '--admin'], env);
      expect(carol.code, carol.stderr).to.equal(0);

      const list = await runCli(['users', 'list'], env);
      expect(list.code, list.stderr).to.equal(0);
      const lines = list.stdout.split('\n');
      expect(lines[0]).to.match(/^ID\s+EMAIL\s+NAME\s+ACTIVE\s+GROUPS$/);
      expect(lines.find((l) => l.includes('bob@example.com'))).to.match(/Bob Builder\s+yes\s+Staff$/);
      expect(lines.find((l) => l.includes('carol@example.com'))).to.match(/Administrators$/);
      expect(lines.find((l) => l.includes('admin@example.com')), 'the seeded admin').to.be.a('string');
    });

    it('explains bad input in English with exit code 1 and no stack', async () => {
      const add = (email: string, password: string, ...more: string[]) => runCli(['users', 'add', '--email', email, '--name', 'X', '--password', password, ...more], env);
      expectCleanFailure(await add('short@example.com', 'short'), 'The password must be at least 8 characters long.');
      expectCleanFailure(await add('bob@example.com', 'bob-password-1'), 'A user with this email already exists.');
      expectCleanFailure(await add('x@example.com', 'x-password-1', '--group', 'Nobody'), 'There is no group "Nobody"');
      expectCleanFailure(await runCli(['plugins', 'enable', 'nope'], env), 'There is no plugin nope.');
      expectCleanFailure(await runCli(['migrate'], { ...env, DATABASE_URL: 'ftp://nowhere' }), 'DATABASE_URL must start with');
      expectCleanFailure(await runCli(['frobnicate'], env), "unknown command 'frobnicate'");
    });
  });

  describe('with a plugin made by plugin:new', () => {
    let pluginsDir: string;
    let env: CliEnv;
    before(() => {
      pluginsDir = path.join(tmp, 'plugins');
      env = cliEnv(path.join(tmp, 'with-plugin'), { CRM_PLUGIN_PATH: pluginsDir });
    });

    it('plugin:new writes a complete plugin into --dir and refuses bad or taken ids', async () => {
      const made = await runCli(['plugin:new', 'demo-notes', '--dir', pluginsDir], {});
      expect(made.code, made.stderr).to.equal(0);
      const dir = path.join(pluginsDir, 'demo-notes');
      for (const file of [
        'plugin.manifest.json',
        'api.ts',
        'index.ts',
        'services/demo-notes-service.ts',
        'migrations/0001-create-demo-notes-items.ts',
        'views/index.hbs',
        'tests/demo-notes.test.ts',
        ...['en', 'pl', 'ru', 'uk'].map((l) => `locales/${l}.json`),
      ]) {
        expect(fs.existsSync(path.join(dir, file)), file).to.equal(true);
      }
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'plugin.manifest.json'), 'utf8'));
      expect(manifest).to.include({ id: 'demo-notes', version: '0.1.0', host: '^1.0.0', main: 'index.ts' });
      const keys = (l: string) => JSON.stringify(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'locales', `${l}.json`), 'utf8'))));
      expect(['pl', 'ru', 'uk'].map(keys)).to.deep.equal([keys('en'), keys('en'), keys('en')]);
      const hostApi = path.relative(dir, path.join(ROOT, 'host', 'api.js')).split(path.sep).join('/');
      expect(fs.readFileSync(path.join(dir, 'index.ts'), 'utf8')).to.contain(`from '${hostApi}'`);

      expectCleanFailure(await runCli(['plugin:new', 'demo-notes', '--dir', pluginsDir], {}), 'already exists');
      expectCleanFailure(await runCli(['plugin:new', 'Demo_Notes', '--dir', pluginsDir], {}), 'not a valid plugin id');
    });

    it('plugins list, disable and enable change the state kept in the database', async () => {
      const state = async () => {
        const list = await runCli(['plugins', 'list'], env);
        expect(list.code, list.stderr).to.equal(0);
        expect(list.stdout.split('\n')[0]).to.match(/^ID\s+VERSION\s+STATE\s+ERROR$/);
        return list.stdout.split('\n').find((l) => l.startsWith('demo-notes '));
      };
      expect(await state()).to.match(/^demo-notes\s+0\.1\.0\s+enabled$/);

      const disabled = await runCli(['plugins', 'disable', 'demo-notes'], env);
      expect(disabled.code, disabled.stderr).to.equal(0);
      expect(disabled.stdout).to.contain('Plugin demo-notes is disabled.');
      expect(await state()).to.match(/\sdisabled$/);
      expectCleanFailure(await runCli(['demo-notes:add', 'While disabled'], env), "unknown command 'demo-notes:add'");

      const enabled = await runCli(['plugins', 'enable', 'demo-notes'], env);
      expect(enabled.code, enabled.stderr).to.equal(0);
      expect(await state()).to.match(/\senabled$/);
    });

    it("runs a command the plugin contributes through cliCommands", async () => {
      const added = await runCli(['demo-notes:add', 'Written from the CLI'], env);
      expect(added.code, added.stderr).to.equal(0);
      expect(added.stdout).to.contain('Added "Written from the CLI" to demo-notes.');
      const help = await runCli(['demo-notes:add', '--help'], env);
      expect(help.code, help.stderr).to.equal(0);
      expect(help.stdout).to.contain('Usage: crm demo-notes:add');
    });

    it('boots with CRM_PLUGIN_PATH: the plugin is enabled and its page and API answer', async () => {
      const host = await createHost({ config: loadConfig({ ...env, NODE_ENV: 'test' }), jobs: false, logger: pino({ level: 'silent' }) });
      try {
        expect(host.plugins.isEnabled('demo-notes')).to.equal(true);
        const agent = request.agent(host.app!);
        const login = await agent.get('/login').expect(200);
        const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1];
        await agent.post('/login').type('form').send({ _csrf: csrf, email: host.config.adminEmail, password: host.config.adminPassword }).expect(302);

        const page = await agent.get('/demo-notes/').expect(200);
        expect(page.text).to.contain('Demo Notes').and.to.contain('Written from the CLI');
        const api = await agent.get('/api/v1/demo-notes/items').expect(200);
        expect(api.body.items.map((i: { title: string }) => i.title)).to.deep.equal(['Written from the CLI']);
      } finally {
        await host.stop();
      }
    });
  });
});
