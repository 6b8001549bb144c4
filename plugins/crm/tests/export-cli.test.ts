/** `npm run crm -- export` as an administrator runs it: a child process on a temporary SQLite base. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { cliDir, cliEnv, runCli as crm } from '../../../tests/support/cli.js';
import { readCsv, readXlsx } from './export-kit.js';
import { createCrmTestHost } from './support/crm-host.js';


describe('Command line: crm export', function () {
  this.timeout(120_000);
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    dir = cliDir('crm-export-cli-');
    env = cliEnv(dir);
    const host = await createCrmTestHost({ databaseUrl: env.DATABASE_URL!, config: { dataDir: dir } });
    try {
      const lead = await host.dictionaries.create('status', { name: 'Lead' });
      await host.contacts.create(host.admin, { kind: 'person', first_name: 'Olga', last_name: 'Nowak', status_id: lead.id, emails: [{ value: 'olga@example.com' }] });
      await host.contacts.create(host.admin, { kind: 'company', company_name: 'Northwind' });
    } finally {
      await host.stop();
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes an XLSX file with the filters and columns given, and logs the export', async () => {
    const file = path.join(dir, 'people.xlsx');
    const r = await crm(['export', '--format', 'xlsx', '--out', file, '--columns', 'name,emails,status', '--filter', 'kind=person', '--as', 'admin@example.com'], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.contain(`Exported 1 contacts as XLSX to ${file}.`);
    expect(await readXlsx(file)).to.deep.equal([['Name', 'Emails', 'Status'], ['Olga Nowak', 'olga@example.com', 'Lead']]);
    const host = await createCrmTestHost({ databaseUrl: env.DATABASE_URL!, config: { dataDir: dir } });
    try {
      const [rows] = await host.db.query('SELECT format, rows, filter FROM crm_exports ORDER BY id DESC LIMIT 1');
      expect(rows).to.deep.equal([{ format: 'xlsx', rows: 1, filter: 'kind=person' }]);
    } finally {
      await host.stop();
    }
  });

  it('writes a CSV to standard output, and says clearly what is wrong with a bad column', async () => {
    const r = await crm(['export', '--format', 'csv', '--delimiter', 'semicolon', '--columns', 'name,kind', '--as', 'admin@example.com'], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(readCsv(r.stdoutBytes, ';').slice(1).sort()).to.deep.equal([['Northwind', 'Company'], ['Olga Nowak', 'Person']]);
    const bad = await crm(['export', '--columns', 'name,salary', '--as', 'admin@example.com'], env);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('Unknown column: salary');
  });
});
