/** `npm run crm -- import <file> [--mapping m.json]` as an administrator runs it: a child process on a temporary SQLite base. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { cliDir, cliEnv, runCli as crm } from '../../../tests/support/cli.js';
import { createCrmTestHost } from './support/crm-host.js';


describe('Command line: crm import <file>', function () {
  this.timeout(120_000);
  let dir: string;
  let env: Record<string, string>;

  before(() => {
    dir = cliDir('crm-import-cli-');
    env = cliEnv(dir);
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
