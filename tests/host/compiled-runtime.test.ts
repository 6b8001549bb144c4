/**
 * What `npm start`, `npm run crm` and `npm run bench` run: the JavaScript `npm run build` compiles
 * into dist/. The rest of the suite runs the TypeScript sources through tsx; these tests prove the
 * compiled copy is the same product: it boots a fresh base with the migrations named as the
 * sources name them, serves signed-in pages and the API, and loads a TypeScript plugin from
 * CRM_PLUGIN_PATH against the same host modules.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { Sequelize } from 'sequelize';
import { buildDist } from '../../host/build/build-dist.js';
import { listMigrationFiles } from '../../host/db/migrator.js';
import { DIST, ROOT } from '../../host/root.js';
import { cliEnv, outputOf, runCli } from '../support/cli.js';

/** Runs `npm start`'s compiled entry point with the environment given (and PATH, HOME), as npm would. */
function startCompiled(env: Record<string, string>): ChildProcessWithoutNullStreams {
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) base[key] = process.env[key]!;
  return spawn(process.execPath, [path.join(DIST, 'host', 'main.js')], { cwd: ROOT, env: { ...base, ...env } });
}

/** The names the migrator gives the sources' migrations (what a tsx run records). */
function sourceMigrationNames(): string[] {
  const names = listMigrationFiles(path.join(ROOT, 'migrations')).map((f) => `host/${f}`);
  for (const plugin of fs.readdirSync(path.join(ROOT, 'plugins'))) {
    names.push(...listMigrationFiles(path.join(ROOT, 'plugins', plugin, 'migrations')).map((f) => `${plugin}/${f}`));
  }
  return names.sort();
}

describe('The compiled host (npm run build, then npm start and npm run crm)', function () {
  this.timeout(180_000);
  let tmp: string;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-compiled-'));
    const built = await buildDist();
    expect(built.files).to.be.above(100);
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('builds only code: every module of host and plugins has a compiled copy, views and locales stay in the sources', () => {
    expect(fs.existsSync(path.join(DIST, 'host', 'main.js'))).to.equal(true);
    expect(fs.existsSync(path.join(DIST, 'plugins', 'crm', 'index.js'))).to.equal(true);
    expect(fs.existsSync(path.join(DIST, 'host', 'plugins', 'manifest.schema.json'))).to.equal(true);
    expect(fs.existsSync(path.join(DIST, 'plugins', 'crm', 'views'))).to.equal(false);
    expect(fs.existsSync(path.join(DIST, 'plugins', 'crm', 'tests', 'import-engine.test.js'))).to.equal(false);
  });

  it('a second build changes nothing, and a file whose source is gone is removed', async () => {
    const stale = path.join(DIST, 'host', 'gone-from-the-sources.js');
    fs.writeFileSync(stale, 'export {};\n');
    const again = await buildDist();
    expect(again.changed).to.equal(0);
    expect(fs.existsSync(stale)).to.equal(false);
  });

  it('npm start: boots a fresh base with the demo data, records the migrations under their source names, serves pages and the API', async () => {
    const dir = path.join(tmp, 'server');
    fs.mkdirSync(dir);
    const server = startCompiled({ CRM_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'production' });
    const exited = outputOf(server);
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        let seen = '';
        server.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const url = /CRM is running at (http:\/\/\S+?)\/?\s/.exec(seen)?.[1];
          if (url) resolve(url);
        });
        void exited.then((r) => reject(new Error(`the server exited (${r.code}): ${r.stderr}`)));
      });

      const agent = request.agent(baseUrl);
      const login = await agent.get('/login').expect(200);
      expect(login.text).to.contain('name="password"');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1];
      await agent.post('/login').type('form').send({ _csrf: csrf, email: 'admin@example.com', password: 'admin12345' }).expect(302);
      const contacts = await agent.get('/api/v1/contacts').expect(200);
      const first = contacts.body.items[0] as { name: string } | undefined;
      expect(first?.name, 'a demo contact').to.be.a('string').and.not.equal('');
      const page = await agent.get('/crm/contacts').expect(200);
      expect(page.text).to.contain(first!.name);

      const db = new Sequelize({ dialect: 'sqlite', storage: path.join(dir, 'crm.sqlite'), logging: false });
      try {
        const [rows] = await db.query('SELECT name FROM host_migrations ORDER BY name');
        expect((rows as { name: string }[]).map((r) => r.name)).to.deep.equal(sourceMigrationNames());
      } finally {
        await db.close();
      }
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('npm run crm: runs a TypeScript plugin from CRM_PLUGIN_PATH against the same host modules as its own', async () => {
    const pluginsDir = path.join(tmp, 'external');
    const made = await runCli(['plugin:new', 'demo-notes', '--dir', pluginsDir], {});
    expect(made.code, made.stderr).to.equal(0);
    // The plugin registers its command on the host's `cliCommands` extension point and reads its
    // service through the host's TOKENS: with a second copy of host/api the command would be unknown.
    const env = cliEnv(path.join(tmp, 'cli'), { CRM_PLUGIN_PATH: pluginsDir });
    const added = await runCli(['demo-notes:add', 'Written by the compiled CLI'], env, { compiled: true });
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout).to.contain('Added "Written by the compiled CLI" to demo-notes.');
    const list = await runCli(['plugins', 'list'], env, { compiled: true });
    expect(list.stdout).to.match(/^demo-notes\s+0\.1\.0\s+enabled$/m);
  });

  it('npm run crm: runs a plugin written in JavaScript that imports the host by its path', async () => {
    const dir = path.join(tmp, 'plain', 'plain-js');
    fs.mkdirSync(dir, { recursive: true });
    const manifest = { id: 'plain-js', name: { en: 'Plain', pl: 'Plain', ru: 'Plain', uk: 'Plain' }, version: '0.1.0', host: '^1.0.0', main: 'index.js' };
    fs.writeFileSync(path.join(dir, 'plugin.manifest.json'), JSON.stringify(manifest));
    const hostApi = path.relative(dir, path.join(ROOT, 'host', 'api.js')).split(path.sep).join('/');
    fs.writeFileSync(
      path.join(dir, 'index.js'),
      `import { cliCommands } from '${hostApi}';\n` +
        'export function register(ctx) {\n' +
        "  ctx.extend(cliCommands, { id: 'hello', configure(program, run) { program.command('plain-js:hello').action(() => run(async () => console.log('Hello from JavaScript.'))); } });\n" +
        '}\n',
    );
    const env = cliEnv(path.join(tmp, 'plain-cli'), { CRM_PLUGIN_PATH: path.dirname(dir) });
    const hello = await runCli(['plain-js:hello'], env, { compiled: true });
    expect(hello.code, hello.stderr).to.equal(0);
    expect(hello.stdout).to.contain('Hello from JavaScript.');
  });
});
