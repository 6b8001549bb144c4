/** `npm run crm -- seed --contacts N` as a user runs it: a child process on a temporary SQLite base. */
import fs from 'node:fs';
import { expect } from 'chai';
import { cliDir, cliEnv, runCli as crm } from '../../../tests/support/cli.js';
import { createCrmTestHost } from './support/crm-host.js';


describe('Command line: crm seed --contacts N', function () {
  this.timeout(120_000);
  let dir: string;
  let env: Record<string, string>;

  before(() => {
    dir = cliDir('crm-seed-cli-');
    env = cliEnv(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes N contacts in batches and reports progress and the rate', async () => {
    const r = await crm(['seed', '--contacts', '300', '--seed', '4', '--batch', '100'], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('Seeding 300 demo contacts (seed 4, 100 per transaction)');
    expect(r.stdout).to.match(/300 \/ 300 contacts · [\d,]+ contacts\/s · [\d,]+ rows\/s/);
    expect(r.stdout).to.match(/Done: 300 contacts \(\d+ companies\), [\d,]+ rows in [\d.]+ s/);

    const host = await createCrmTestHost({ databaseUrl: env.DATABASE_URL!, config: { dataDir: dir } });
    try {
      expect((await host.query.count(host.admin, {})).total).to.equal(300);
    } finally {
      await host.stop();
    }
  });

  it('refuses a count that is not a whole number, with one clear message', async () => {
    const r = await crm(['seed', '--contacts', 'lots'], env);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("option '--contacts <n>' argument 'lots' is invalid. expected a whole number from 1 to 10,000,000");
    expect(r.stderr).not.to.match(/\n\s+at /);
  });
});
