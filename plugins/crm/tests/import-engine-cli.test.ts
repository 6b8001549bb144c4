/** `npm run crm -- import <file> [--mapping m.json]` as an administrator runs it: a child process on a temporary SQLite base. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../../../tests/support/test-host.js';
import { createCrmTestHost } from './support/crm-host.js';

function crm(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { CRM_PLUGIN_PATH: _ignored, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'host', 'cli', 'main.ts'), ...args], { cwd: ROOT, env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('Command line: crm import <file>', function () {
  this.timeout(120_000);
  let dir: string;
  let env: Record<string, string>;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-cli-'));
    env = { DATABASE_URL: `sqlite:${path.join(dir, 'crm.sqlite')}`, CRM_DATA_DIR: dir, LOG_LEVEL: 'silent', CRM_SEED_DEMO: '0' };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('imports with a mapping file, reports the summary, writes the failed rows and leaves the given file in place', async () => {
    const file = path.join(dir, 'klienci.csv');
    fs.writeFileSync(file, 'Nazwa,Mail,Uwagi\r\nAlfa,alfa@example.pl,first\r\nBeta,beta@example.pl,second\r\nGamma,not-a-mail,third\r\nAlfa again,ALFA@example.pl,dup\r\n');
    const mapping = path.join(dir, 'mapping.json');
    fs.writeFileSync(mapping, JSON.stringify({ Nazwa: 'company_name', Mail: 'email', Uwagi: 'comment' }));
    const errors = path.join(dir, 'failed.csv');
    const r = await crm(['import', file, '--mapping', mapping, '--kind', 'company', '--keep-valid', '--errors', errors], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('Nazwa -> company_name');
    expect(r.stdout, r.stdout).to.match(/Import #1 done: 2 created, 0 updated, 1 skipped, 1 failed/);
    expect(fs.readFileSync(errors, 'utf8')).to.contain('Mail: This is not a valid email address.,Gamma,not-a-mail,third');
    expect(fs.existsSync(file)).to.equal(true);

    const host = await createCrmTestHost({ databaseUrl: env.DATABASE_URL!, config: { dataDir: dir } });
    try {
      const names = (await host.query.list(host.admin, { sort: 'name' })).items.map((c) => [c.kind, c.name, c.comment]);
      expect(names).to.deep.equal([['company', 'Alfa', 'first'], ['company', 'Beta', 'second']]);
    } finally {
      await host.stop();
    }
  });

  it('refuses a policy it does not know, with one clear message', async () => {
    const r = await crm(['import', path.join(dir, 'klienci.csv'), '--on-duplicate', 'merge'], env);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("argument 'merge' is invalid. expected one of create, skip, update");
  });
});
