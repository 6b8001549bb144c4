/**
 * Export in a browser: from the filtered client list to an XLSX with chosen and reordered columns;
 * a CSV (semicolons, byte order mark) of the contacts ticked in the list; and a background export
 * whose progress shows while it runs, then its download link. Every file is read back with
 * independent readers (exceljs, csv-parse) and compared with what the list showed.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT } from '../../../tests/support/test-host.js';
import { chromiumAvailable, dragWithMouse, launchBrowser, listen, screenshot, signIn } from '../../../tests/support/browser.js';
import type { DictionaryItem } from '../api.js';
import { PAGE_SIZE } from '../export/export-service.js';
import { holdScorePages, readCsv, readXlsx, writeScorePlugin } from './export-kit.js';
import { bulkPeople } from './selection-kit.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const PEOPLE: Array<[first: string, last: string, status: 'lead' | 'won', industry: string]> = [
  ['Łukasz', 'Żółkiewski', 'lead', 'IT'],
  ['Małgorzata', 'Wiśniewska', 'won', 'Retail'],
  ['Иван', 'Петров', 'lead', 'Retail'],
  ['Олена', 'Шевченко', 'won', 'IT'],
  ['John', 'Smith', 'lead', 'IT'],
  ['Emily', 'Johnson', 'won', 'Retail'],
  ['Paweł', 'Kamiński', 'won', 'IT'],
  ['Мария', 'Смирнова', 'lead', 'Retail'],
];
const emailOf = (first: string) => `${PEOPLE.findIndex((p) => p[0] === first)}.client@example.com`;
/** Contacts of the background export: more than one page, so its progress stops half way. */
const BULK = PAGE_SIZE + 10;

describe('Exporting contacts in a browser', function () {
  this.timeout(120_000);
  let host: CrmTestHost;
  let probeRoot: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let lead: DictionaryItem;
  let won: DictionaryItem;
  let bulk: DictionaryItem;

  const names = () => page.locator('[data-testid=contact-name]').allInnerTexts();
  const columnOrder = () => page.locator('[data-testid=export-columns] li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-col')));

  /** Clicks and returns the downloaded file's path. */
  async function download(selector: string): Promise<string> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    const saved = path.join(ROOT, '.tmp', 'downloads', `${Date.now()}-${file.suggestedFilename()}`);
    fs.mkdirSync(path.dirname(saved), { recursive: true });
    await file.saveAs(saved);
    return saved;
  }

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    probeRoot = writeScorePlugin();
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), probeRoot], jobs: true });
    lead = await host.dictionaries.create('status', { name: 'Lead', color: '#0d6efd' });
    won = await host.dictionaries.create('status', { name: 'Won', color: '#198754' });
    bulk = await host.dictionaries.create('category', { name: 'Bulk' });
    await host.fields.create({ key: 'industry', type: 'select', labels: { en: 'Industry' }, options: ['IT', 'Retail'] });
    for (const [first, last, status, industry] of PEOPLE) {
      await host.contacts.create(host.admin, {
        kind: 'person',
        first_name: first,
        last_name: last,
        status_id: status === 'lead' ? lead.id : won.id,
        emails: [{ value: emailOf(first) }],
        custom: { industry },
      });
    }
    await bulkPeople(host, BULK, { last_name: 'Many', category_id: bulk.id });
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    await signIn(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
    if (probeRoot) fs.rmSync(probeRoot, { recursive: true, force: true });
  });

  it('exports the filtered list to XLSX with the columns ticked, in the order dragged', async () => {
    await page.goto(`${baseUrl}/crm/contacts`);
    await page.click('[data-testid=filters-button]');
    await page.waitForSelector('#crm-filters.show');
    await page.locator('[data-testid=filter-status] label', { hasText: 'Lead' }).click();
    await Promise.all([page.waitForURL(/status_id=/), page.click('[data-testid=filters-apply]')]);
    const shown = await names();
    expect(shown).to.have.length(PEOPLE.filter((p) => p[2] === 'lead').length);

    await Promise.all([page.waitForURL(/\/crm\/contacts\/export\?status_id=/), page.click('[data-testid=export-link]')]);
    expect(await page.locator('[data-testid=export-count]').innerText()).to.contain('4 contacts');
    expect(await page.locator('[data-testid=export-format-xlsx]').isChecked()).to.equal(true);
    // CSV's options are for CSV only.
    expect(await page.locator('[data-testid=export-delimiter]').isVisible()).to.equal(false);

    await page.click('[data-crm-export-none]');
    for (const id of ['name', 'emails', 'status', 'custom.industry']) await page.locator(`[data-testid=export-columns] li[data-col="${id}"] input`).check();
    // Drag "Status" above "Name".
    const handle = page.locator('[data-testid=export-columns] li[data-col="status"] [data-crm-export-handle]');
    const target = page.locator('[data-testid=export-columns] li[data-col="name"]');
    await dragWithMouse(page, handle, target);
    const order = (await columnOrder()).filter((id) => ['name', 'emails', 'status', 'custom.industry'].includes(id!));
    expect(order).to.deep.equal(['status', 'name', 'emails', 'custom.industry']);
    await page.waitForTimeout(200); // let the drop's animation end before the picture
    await screenshot(page, 'crm-export-page');

    const file = await download('[data-testid=export-submit]');
    expect(path.basename(file)).to.match(/contacts-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const rows = await readXlsx(file);
    expect(rows[0]).to.deep.equal(['Status', 'Name', 'Emails', 'Industry']);
    const expected = PEOPLE.filter((p) => p[2] === 'lead').map(([first, last, , industry]) => ['Lead', `${first} ${last}`, emailOf(first), industry]);
    expect(rows.slice(1)).to.have.deep.members(expected);
    expect(rows.slice(1).map((r) => r[1])).to.have.members(shown);
  });

  it('exports the contacts ticked in the list, from the Actions menu, as CSV with semicolons and a byte order mark', async () => {
    await page.goto(`${baseUrl}/crm/contacts?status_id=${won.id}`);
    const picked: string[] = [];
    for (const n of [0, 2]) {
      const row = page.locator('[data-testid=contacts-table] tbody tr').nth(n);
      picked.push(await row.locator('[data-testid=contact-name]').innerText());
      await row.locator('input[data-crm-select]').check();
      await page.waitForFunction((text) => document.querySelector('[data-testid=selection-count]')?.textContent === text, `${picked.length} selected`);
    }
    await page.click('[data-testid=actions-button]');
    await page.click('[data-testid=action-crm-export]');
    const modal = page.locator('[data-testid=action-modal-crm-export]');
    await modal.waitFor({ state: 'visible' });
    expect(await modal.innerText()).to.contain('2 selected');
    await Promise.all([page.waitForURL(/\/crm\/contacts\/export\?selected=1/), modal.locator('[data-testid=action-submit-crm-export]').click()]);
    expect(await page.locator('[data-testid=export-count]').innerText()).to.contain('2 contacts');
    await page.click('[data-testid=export-format-csv]');
    await page.selectOption('[data-testid=export-delimiter]', 'semicolon');
    await page.check('[data-testid=export-bom]');
    await page.click('[data-crm-export-none]');
    for (const id of ['name', 'status']) await page.locator(`[data-testid=export-columns] li[data-col="${id}"] input`).check();
    await screenshot(page, 'crm-export-selection');

    const file = await download('[data-testid=export-submit]');
    expect(path.basename(file)).to.match(/\.csv$/);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 3).toString('hex')).to.equal('efbbbf');
    expect(bytes.toString('utf8')).to.contain('Name;Status\r\n');
    const rows = readCsv(bytes, ';');
    expect(rows[0]).to.deep.equal(['Name', 'Status']);
    expect(rows.slice(1)).to.have.deep.members(picked.map((name) => [name, 'Won']));
  });

  it('runs a background export showing its progress, then offers the file', async () => {
    await page.goto(`${baseUrl}/crm/contacts/export?category_id=${bulk.id}`);
    expect(await page.locator('[data-testid=export-count]').innerText()).to.contain(`${BULK.toLocaleString('en-US')} contacts`);
    await page.click('[data-crm-export-none]');
    for (const id of ['id', 'name', 'io.export-probe.score']) await page.locator(`[data-testid=export-columns] li[data-col="${id}"] input`).check();
    await page.check('[data-testid=export-background]');
    // The job stops after its first page until released, so its progress can be seen half way.
    const release = holdScorePages();
    try {
      await Promise.all([page.waitForURL(/\/crm\/exports\/\d+$/), page.click('[data-testid=export-submit]')]);
      await page.waitForFunction((text) => document.querySelector('[data-job-count]')?.textContent === text, `${PAGE_SIZE} / ${BULK}`);
      expect(await page.locator('[data-job-progress]').getAttribute('data-job-state')).to.equal('running');
      expect(await page.locator('[data-testid=export-download]').count()).to.equal(0);
      await screenshot(page, 'crm-export-progress');
    } finally {
      release();
    }
    // When the job ends the page reloads with the download link.
    await page.waitForSelector('[data-testid=export-download]', { timeout: 60_000 });
    expect(await page.locator('[data-testid=export-state]').innerText()).to.equal('Done');
    await screenshot(page, 'crm-export-done');
    const rows = await readXlsx(await download('[data-testid=export-download]'));
    // The columns come in the page's order: the default ones (the name) first.
    expect(rows[0]).to.deep.equal(['Name', 'ID', 'Score']);
    expect(rows).to.have.length(BULK + 1);
    expect(rows[1]![0]).to.equal('Bulk00001 Many');
    expect(rows.slice(1).filter((r) => r[2] !== `score-${r[1]}`)).to.deep.equal([]);
  });
});
