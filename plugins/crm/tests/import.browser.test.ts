/**
 * The import wizard in headless Chromium: a Windows-1250 CSV of a few thousand Polish rows
 * (delimiter overridden once and back), the live progress bar moving, the summary and the
 * failed rows downloaded with their reasons; then an XLSX of companies as a dry run, for real
 * from the summary, and undone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, signIn } from '../../../tests/support/browser.js';
import type { ImportServiceImpl } from '../import/engine/import-service.js';
import { ImportTokens } from '../import/import-contract.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const FIRST = ['Łukasz', 'Małgorzata', 'Żaneta', 'Paweł', 'Grzegorz', 'Agnieszka', 'Bożena', 'Jędrzej', 'Mikołaj', 'Ślęża'];
const LAST = ['Żółkiewski', 'Wiśniewska', 'Dąbrowska', 'Kamiński', 'Gęślarz', 'Łoś', 'Źrebięcki', 'Nałęcz', 'Jóźwiak', 'Ćwikliński'];
const CITIES = ['Łódź', 'Kraków', 'Gdańsk', 'Poznań', 'Zielona Góra', 'Świętochłowice', 'Bielsko-Biała', 'Toruń'];
const ROWS = 3000;
/** Every 250th row has an email that is not one: 12 failed rows. */
const BAD_EVERY = 250;

describe('The import wizard in a browser', function () {
  let host: CrmTestHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let dir: string;
  const progress: number[] = [];

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createCrmTestHost({ jobs: true });
    // Progress is reported per batch: smaller batches give the bar more steps to show.
    host.services.get<ImportServiceImpl>(ImportTokens.Service).batchSize = 250;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-browser-'));
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    // Every percentage the progress bar is given, on whichever page it is (host/assets/app.js
    // announces each server-sent update with a job:progress event after drawing it).
    await context.exposeBinding('recordProgress', (_source, value: number) => void progress.push(value));
    await context.addInitScript(() => {
      document.addEventListener('job:progress', (e) => {
        const bar = document.querySelector('[data-job-progress] .progress');
        (window as unknown as { recordProgress(v: number): void }).recordProgress(Number(bar?.getAttribute('aria-valuenow') ?? (e as CustomEvent<{ percent: number }>).detail.percent));
      });
    });
    page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const columns = () => page.locator('[data-testid=import-column]').allInnerTexts();

  it('imports a Windows-1250 CSV of Polish names, overriding the delimiter once, with a moving progress bar', async function () {
    this.timeout(180_000);
    const lines = ['Imię;Nazwisko;E-mail;Miasto'];
    for (let i = 1; i <= ROWS; i++) {
      const email = i % BAD_EVERY === 0 ? `zły-adres-${i}` : `osoba${i}@example.pl`;
      lines.push([FIRST[i % FIRST.length], LAST[i % LAST.length], email, CITIES[i % CITIES.length]].join(';'));
    }
    const file = path.join(dir, 'klienci-1250.csv');
    fs.writeFileSync(file, iconv.encode(`${lines.join('\r\n')}\r\n`, 'windows-1250'));

    await page.goto(`${baseUrl}/crm/contacts`);
    await Promise.all([page.waitForURL(/\/crm\/import$/), page.click('[data-testid=import-link]')]);
    await page.setInputFiles('[data-testid=import-file]', file);
    await Promise.all([page.waitForURL(/\/crm\/import\/uploads\//), page.click('[data-testid=import-upload-submit]')]);

    // Detected: Windows-1250, semicolons, a header row; the Polish letters read right.
    expect(await columns()).to.deep.equal(['Imię', 'Nazwisko', 'E-mail', 'Miasto']);
    expect(await page.locator('[data-testid=import-preview-table] tbody').innerText()).to.contain('Żółkiewski').and.contain('Świętochłowice');
    expect(await page.locator('[data-testid=import-encoding] option:checked').innerText()).to.equal('Wykryj');
    expect(await page.locator('[data-testid=import-encoding] option', { hasText: 'windows-1250' }).innerText()).to.contain('wykryto');
    await screenshot(page, 'crm-import-preview');

    // Overridden: a comma makes one column of each line; back to detection gives four again.
    await Promise.all([page.waitForLoadState('load'), page.waitForURL(/uploads/), page.selectOption('[data-testid=import-delimiter]', 'comma')]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=import-column]').length === 1);
    expect(await page.locator('[data-testid=import-delimiter] option:checked').getAttribute('value')).to.equal('comma');
    await page.selectOption('[data-testid=import-delimiter]', '');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=import-column]').length === 4);

    const maps = page.locator('[data-testid=import-map]');
    await maps.nth(0).selectOption('first_name');
    await maps.nth(1).selectOption('last_name');
    await maps.nth(2).selectOption('email');
    await maps.nth(3).selectOption('skip');
    await page.check('[data-testid=dedupe-email]');
    await page.check('[data-testid=on-duplicate-skip]');
    await page.fill('[data-testid=apply-tags]', 'targi 2024');
    await page.check('[data-testid=keep-valid]');
    await Promise.all([page.waitForURL(/\/crm\/import\/\d+$/), page.click('[data-testid=import-start]')]);
    await screenshot(page, 'crm-import-progress');

    // The page turns into the summary when the job ends.
    await page.waitForSelector('[data-testid=import-result]', { timeout: 150_000 });
    const between = [...new Set(progress.filter((v) => v > 0 && v < 100))];
    expect(between.length, `progress seen: ${progress.join(',')}`).to.be.greaterThan(1);
    expect(between).to.deep.equal([...between].sort((a, b) => a - b));

    const bad = Math.floor(ROWS / BAD_EVERY);
    expect(await page.locator('[data-testid=count-created]').innerText()).to.equal(String(ROWS - bad));
    expect(await page.locator('[data-testid=count-failed]').innerText()).to.equal(String(bad));
    await screenshot(page, 'crm-import-summary');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=import-failed-rows]')]);
    const text = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const rows = text.trim().split(/\r?\n/);
    expect(rows).to.have.length(bad + 1);
    expect(rows[0]).to.contain('Imię').and.contain('E-mail');
    expect(rows[1]).to.contain(`zły-adres-${BAD_EVERY}`).and.contain(LAST[BAD_EVERY % LAST.length]);
    // The reason, translated (Polish session), after the file's own columns.
    const reason = rows[1]!.slice(rows[1]!.indexOf(`zły-adres-${BAD_EVERY}`));
    expect(reason.length).to.be.greaterThan(`zły-adres-${BAD_EVERY}`.length + 5);
    expect(text).not.to.match(/crm:|import-/);

    const tagged = await page.request.get(`${baseUrl}/api/v1/contacts?tag=${encodeURIComponent('targi 2024')}&limit=5`);
    expect(((await tagged.json()) as { items: unknown[] }).items).to.have.length(5);
  });

  it('imports an XLSX of companies as a dry run, then for real from the summary, then undoes it', async function () {
    this.timeout(60_000);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Firmy');
    sheet.addRow(['Nazwa firmy', 'E-mail', 'Telefon']);
    sheet.addRow(['Przedsiębiorstwo Łączność Sp. z o.o.', 'biuro@lacznosc.example.com', '+48 22 123 45 67']);
    sheet.addRow(['Żegluga Gdańska S.A.', 'kontakt@zegluga.example.com', '+48 58 301 00 00']);
    sheet.addRow(['Świętokrzyskie Młyny', 'młyny@@example', '']);
    const file = path.join(dir, 'firmy.xlsx');
    await workbook.xlsx.writeFile(file);

    await page.goto(`${baseUrl}/crm/import`);
    await page.setInputFiles('[data-testid=import-file]', file);
    await Promise.all([page.waitForURL(/\/crm\/import\/uploads\//), page.click('[data-testid=import-upload-submit]')]);
    expect(await page.locator('[data-testid=import-format]').innerText()).to.equal('XLSX');
    expect(await page.locator('[data-testid=import-delimiter]').count()).to.equal(0);
    expect(await columns()).to.deep.equal(['Nazwa firmy', 'E-mail', 'Telefon']);

    const maps = page.locator('[data-testid=import-map]');
    await maps.nth(0).selectOption('company_name');
    await maps.nth(1).selectOption('email');
    await maps.nth(2).selectOption('phone');
    await page.check('[data-testid=kind-company]');
    await Promise.all([page.waitForURL(/\/crm\/import\/\d+$/), page.click('[data-testid=import-dry-run]')]);
    await page.waitForSelector('[data-testid=import-result]', { timeout: 30_000 });
    expect(await page.locator('[data-testid=import-dry-run-badge]').isVisible()).to.equal(true);
    expect(await page.locator('[data-testid=count-created]').innerText()).to.equal('2');
    expect(await page.locator('[data-testid=count-failed]').innerText()).to.equal('1');
    expect((await host.query.list(host.admin, { q: 'Żegluga', limit: 5 })).items).to.have.length(0);
    await screenshot(page, 'crm-import-dry-run');

    const dryUrl = page.url();
    await Promise.all([page.waitForURL((u) => u.toString() !== dryUrl && /\/crm\/import\/\d+$/.test(u.pathname)), page.click('[data-testid=import-for-real]')]);
    await page.waitForSelector('[data-testid=import-result]', { timeout: 30_000 });
    expect(await page.locator('[data-testid=import-dry-run-badge]').count()).to.equal(0);
    expect(await page.locator('[data-testid=count-created]').innerText()).to.equal('2');
    const companies = (await host.query.list(host.admin, { q: 'Żegluga', limit: 5 })).items;
    expect(companies.map((c) => [c.kind, c.name])).to.deep.equal([['company', 'Żegluga Gdańska S.A.']]);

    await page.click('[data-testid=import-undo]');
    await page.waitForSelector('[data-import-state=undone] [data-testid=import-result]', { timeout: 30_000 });
    expect(await page.locator('[data-testid=import-undo-result]').innerText()).to.equal('Cofnięto: utworzone kontakty przeniesione do kosza: 2, przywrócone zaktualizowane kontakty: 0, pozostawione bez zmian, bo zmieniono je po imporcie: 0.');
    expect((await host.query.list(host.admin, { q: 'Żegluga', limit: 5 })).items).to.have.length(0);
    await screenshot(page, 'crm-import-undone');

    // The dry run's file went with the real import: its summary says so instead of offering to run it again.
    await page.goto(dryUrl);
    expect(await page.locator('[data-testid=import-file-gone]').innerText()).to.contain('Plik tego importu nie jest już przechowywany');
    expect(await page.locator('[data-testid=import-for-real]').count()).to.equal(0);
  });
});
