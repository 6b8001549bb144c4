import path from 'node:path';
import { expect } from 'chai';
import { createTestHost, FIXTURES, type TestHost } from '../support/test-host.js';

const MIXED = path.join(FIXTURES, 'plugin-sets', 'mixed');

describe('Migrations', () => {
  let first: TestHost;

  before(async () => {
    first = await createTestHost({ pluginRoots: [MIXED] });
  });
  after(() => first.dispose());

  it("applies the host's and each plugin's migrations, named <owner>/<file> so equal file names never collide", async () => {
    const names = await first.migrator.executed();
    expect(names).to.include.members([
      'host/0001-users-groups-rights.ts',
      'host/0002-plugins-settings-sessions-jobs.ts',
      'good-a/0001-create-items.ts',
      'good-a/0002-add-note.ts',
    ]);
  });

  it('applies nothing on a second start against the same database', async () => {
    const before = await first.migrator.executed();
    const second = await createTestHost({ pluginRoots: [MIXED], databaseUrl: first.config.databaseUrl });
    try {
      expect(await second.migrator.executed()).to.deep.equal(before);
      expect(await second.migrator.pending([second.plugins.migrationSource({ id: 'good-a', manifest: second.plugins.manifests().find((m) => m.id === 'good-a')!, dir: path.join(MIXED, 'good-a') })])).to.deep.equal([]);
    } finally {
      await second.stop();
    }
  });

  it('keeps column changes and indexes working on this dialect', async () => {
    await first.db.query("INSERT INTO good_a_items (title, note) VALUES ('x', 'y')");
    const [rows] = await first.db.query('SELECT title, note FROM good_a_items');
    expect(rows).to.deep.include({ title: 'x', note: 'y' });
  });

  it('refuses to uninstall a plugin that others depend on', async () => {
    let error: Error | null = null;
    try {
      await first.plugins.uninstall('good-a');
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.equal('host:plugins.has_dependents');
    expect(await first.migrator.executed()).to.include('good-a/0002-add-note.ts');
  });

  it("rolls back only the plugin's own migrations when it is uninstalled, and re-applies them on enable", async () => {
    await first.plugins.uninstall('good-b');
    await first.plugins.uninstall('good-a');
    let names = await first.migrator.executed();
    expect(names.filter((n) => n.startsWith('good-a/'))).to.deep.equal([]);
    expect(names.filter((n) => n.startsWith('host/'))).to.have.length(2);
    expect(first.plugins.get('good-a')!.state).to.equal('uninstalled');

    await first.plugins.enable('good-a');
    await first.plugins.enable('good-b');
    names = await first.migrator.executed();
    expect(names).to.include.members(['good-a/0001-create-items.ts', 'good-a/0002-add-note.ts']);
    const [rows] = await first.db.query('SELECT COUNT(*) AS n FROM good_a_items');
    expect(Number((rows as Array<{ n: number }>)[0]!.n)).to.equal(0);
  });
});
