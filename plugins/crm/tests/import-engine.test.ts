/** The import engine: files of clients into contacts, never losing or doubling one. */
import { expect } from 'chai';
import { DIRTY_CSV, importKit, type ImportKit } from './import-engine-kit.js';

describe('Import engine: rows into contacts', function () {
  this.timeout(120_000);
  let kit: ImportKit;

  before(async () => {
    kit = await importKit();
  });
  after(() => kit.dispose());

  it('imports the dirty datablist file: duplicates by email skipped, ragged rows failed with their reason', async () => {
    const mapping = ['skip', 'external_id', 'first_name', 'last_name', 'company_name', 'address.city', 'address.country', 'skip', 'skip', 'email', 'skip', 'website'];
    const record = await kit.run(DIRTY_CSV, mapping, { dedupe_keys: ['email'], on_duplicate: 'skip' });
    expect(record).to.deep.include({ state: 'done', total: 1039, processed: 1039, created: 999, updated: 0, skipped: 38, failed: 2 });
    expect(await kit.count()).to.equal(999);
  });
});
