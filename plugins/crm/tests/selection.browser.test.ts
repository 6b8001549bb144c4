import type { Server } from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, SCREENSHOTS, signIn } from '../../../tests/support/browser.js';
import type { DictionaryItem } from '../api.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const FIRST = ['Łukasz', 'Małgorzata', 'Agnieszka', 'Paweł', 'Иван', 'Мария', 'Олена', 'Тарас', 'John', 'Emily'];
const LAST = ['Nowak', 'Wiśniewska', 'Kowalczyk', 'Петров', 'Смирнова', 'Шевченко', 'Коваленко', 'Smith'];

/** What is on screen (a menu, a dialog) rather than the whole page. */
async function viewShot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(350); // let the dialog's fade-in finish
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

describe('Selecting contacts across pages and acting on them, in a browser', function () {
  let host: CrmTestHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let won: DictionaryItem;
  const picked: string[] = [];

  const names = () => page.locator('[data-testid=contact-name]').allInnerTexts();
  const count = () => page.locator('[data-testid=selection-count]').innerText();
  /** Ticks the n-th row (0-based) and waits for the server to count it. */
  async function tick(n: number, expected: string): Promise<void> {
    const row = page.locator('[data-testid=contacts-table] tbody tr').nth(n);
    picked.push(await row.locator('[data-testid=contact-name]').innerText());
    await row.locator('input[data-crm-select]').check();
    await page.waitForFunction((text) => document.querySelector('[data-testid=selection-count]')?.textContent === text, expected);
  }

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createCrmTestHost();
    const lead = await host.dictionaries.create('status', { name: 'Lead', labels: { pl: 'Potencjalny' }, color: '#0d6efd' });
    await host.dictionaries.create('status', { name: 'Negotiation', labels: { pl: 'Negocjacje' }, color: '#fd7e14' });
    won = await host.dictionaries.create('status', { name: 'Won', labels: { pl: 'Wygrany' }, color: '#198754' });
    for (let i = 0; i < 80; i++) {
      await host.contacts.create(host.admin, {
        kind: 'person',
        first_name: FIRST[i % FIRST.length]!,
        last_name: LAST[Math.floor(i / FIRST.length) % LAST.length]!,
        status_id: lead.id,
        emails: [{ value: `client${i}@example.com` }],
      });
    }
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
    page = await context.newPage();
    await signIn(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  it('ticks rows on page 1 and page 3 and keeps them', async () => {
    await page.goto(`${baseUrl}/crm/contacts?limit=25`);
    expect(await page.locator('[data-testid=selection-bar]').isVisible()).to.equal(false);
    await tick(0, '1 selected');
    await tick(2, '2 selected');
    expect(await page.locator('[data-testid=selection-bar]').isVisible()).to.equal(true);
    expect(await page.locator('[data-testid=select-page]').evaluate((el) => (el as HTMLInputElement).indeterminate)).to.equal(true);
    await screenshot(page, 'crm-selection-page-1');

    await Promise.all([page.waitForURL(/cursor=/), page.click('[data-testid=next-page]')]);
    expect(await count()).to.equal('2 selected');
    await Promise.all([page.waitForURL(/pos=50/), page.click('[data-testid=next-page]')]);
    expect(await page.locator('[data-testid=page-range]').innerText()).to.equal('51–75 of 80');
    await tick(1, '3 selected');
    await tick(4, '4 selected');
    // Untick one again: it leaves the selection.
    await page.locator('[data-testid=contacts-table] tbody tr').nth(4).locator('input[data-crm-select]').uncheck();
    await page.waitForFunction(() => document.querySelector('[data-testid=selection-count]')?.textContent === '3 selected');
    picked.pop();

    // Back on page 1, the ticks are still there.
    await Promise.all([page.waitForURL((u) => !u.search.includes('cursor')), page.click('[data-testid=first-page]')]);
    const ticked = await page.locator('input[data-crm-select]:checked').count();
    expect(ticked).to.equal(2);
  });

  it('opens "Selected contacts" with exactly the ticked contacts', async () => {
    await Promise.all([page.waitForURL(/selected=1/), page.click('[data-testid=show-selected]')]);
    expect(await page.locator('h1').innerText()).to.contain('Selected contacts');
    expect((await names()).sort()).to.deep.equal([...picked].sort());
    expect(await page.locator('input[data-crm-select]:checked').count()).to.equal(3);
    await screenshot(page, 'crm-selection-view');
  });

  it('sets a status for them from the Actions menu and shows the new statuses', async () => {
    await page.click('[data-testid=actions-button]');
    await page.waitForSelector('[data-testid=actions-menu].show');
    await viewShot(page, 'crm-selection-actions-menu');
    await page.click('[data-testid=action-crm-set-status]');
    const modal = page.locator('[data-testid=action-modal-crm-set-status]');
    await modal.waitFor({ state: 'visible' });
    expect(await modal.innerText()).to.contain('3 selected');
    await modal.locator('label', { hasText: 'Won' }).click();
    await viewShot(page, 'crm-selection-set-status');
    await Promise.all([page.waitForURL(/selected=1/), page.waitForEvent('load'), modal.locator('[data-testid=action-submit-crm-set-status]').click()]);
    expect(await page.locator('.alert-success').first().innerText()).to.contain('Set status: 3 contacts changed.');
    const statuses = await page.locator('[data-testid=contacts-table] tbody .crm-status').allInnerTexts();
    expect(statuses).to.deep.equal(['Won', 'Won', 'Won']);
    const stored = await host.query.list(host.admin, { status_id: [won.id] });
    expect(stored.items.map((c) => c.name).sort()).to.deep.equal([...picked].sort());
    await screenshot(page, 'crm-selection-done');
  });

  it('selects everything that matches a filter and clears it again', async () => {
    await page.goto(`${baseUrl}/crm/contacts?limit=25`);
    // Two of this page and one of page 3 are still selected: the page adds its other 23.
    await page.click('[data-testid=select-page]');
    await page.waitForFunction(() => document.querySelector('[data-testid=selection-count]')?.textContent === '26 selected');
    await page.click('[data-testid=select-matching]');
    await page.waitForFunction(() => document.querySelector('[data-testid=selection-count]')?.textContent === '80 selected');
    expect(await page.locator('input[data-crm-select]:checked').count()).to.equal(25);
    expect(await page.locator('[data-crm-matching-done]').innerText()).to.equal('All 80 that match are selected');
    await screenshot(page, 'crm-selection-all');
    await page.click('[data-testid=clear-selection]');
    await page.waitForSelector('[data-testid=selection-bar].d-none', { state: 'attached' });
    expect(await page.locator('input[data-crm-select]:checked').count()).to.equal(0);
  });

  it('works in Polish and on a phone', async () => {
    await page.goto(`${baseUrl}/crm/contacts?limit=25`);
    await tick(0, '1 selected');
    await page.click('[data-testid=user-menu]');
    await Promise.all([page.waitForLoadState('load'), page.click('[data-testid=language-pl]')]);
    await page.waitForSelector('html[lang=pl]');
    expect(await count()).to.equal('Zaznaczono 1');
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${baseUrl}/crm/contacts?selected=1`);
    expect(await phone.locator('[data-testid=selection-bar]').isVisible()).to.equal(true);
    expect(await phone.locator('h1').innerText()).to.contain('Zaznaczone kontakty');
    await screenshot(phone, 'crm-selection-phone-pl');
    await phone.click('[data-testid=actions-button]');
    await phone.click('[data-testid=action-crm-set-responsible]');
    await phone.locator('[data-testid=action-modal-crm-set-responsible]').waitFor({ state: 'visible' });
    await viewShot(phone, 'crm-selection-phone-pl-responsible');
    await phone.close();
  });
});
