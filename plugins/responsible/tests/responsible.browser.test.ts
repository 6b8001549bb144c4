/**
 * Responsible managers in headless Chromium: the overview, reassigning a departing colleague's
 * clients to two managers through the job page and back to the summary, and claiming from the pool.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, signIn } from '../../../tests/support/browser.js';
import { createResponsibleTestHost, type ResponsibleTestHost } from './support/responsible-host.js';

const MANAGER = ['crm.access', 'crm.contacts.edit', 'responsible.claim'];

describe('Responsible managers in a browser', function () {
  let host: ResponsibleTestHost;
  let browser: Browser;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let kasia: { id: number };
  let marek: { id: number };
  let olga: { id: number };

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createResponsibleTestHost();
    const person = async (email: string, name: string) => {
      const user = await host.userWithRights(MANAGER, email);
      await host.users.update(user.id, { name });
      return user;
    };
    kasia = await person('kasia@example.com', 'Katarzyna Zielińska');
    marek = await person('marek@example.com', 'Marek Nowicki');
    olga = await person('olga@example.com', 'Olga Petrenko');
    for (let i = 0; i < 5; i++) await host.contact({ first_name: 'Klient', last_name: `Olgi ${i + 1}`, responsible_id: olga.id });
    for (let i = 0; i < 3; i++) await host.contact({ first_name: 'Klient', last_name: `Marka ${i + 1}`, responsible_id: marek.id });
    await host.contact({ kind: 'company', company_name: 'Wolna Firma S.A.', emails: [{ value: 'kontakt@wolnafirma.pl' }], phones: [{ value: '+48 22 123 45 67' }] });
    await host.contact({ first_name: 'Jan', last_name: 'Wolny', emails: [{ value: 'jan.wolny@example.com' }] });
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 860 } })).newPage();
    page.on('pageerror', (err) => console.log('    page error:', err.message));
    page.on('dialog', (dialog) => void dialog.accept());
    await signIn(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  it('reassigns a departing colleague’s clients evenly and shows the summary', async () => {
    await host.users.update(olga.id, { isActive: false });
    await page.goto(`${baseUrl}/responsible`);
    expect(await page.locator(`[data-testid="manager-count-${olga.id}"]`).innerText()).to.equal('5');
    await screenshot(page, 'responsible-overview');

    await page.click(`[data-testid="reassign-from-${olga.id}"]`);
    expect(await page.locator('[data-testid="reassign-from"]').inputValue()).to.equal(String(olga.id));
    await page.check(`[data-testid="reassign-to-${kasia.id}"]`);
    await page.check(`[data-testid="reassign-to-${marek.id}"]`);
    await Promise.all([page.waitForURL(/\/jobs\//), page.click('[data-testid="reassign-submit"]')]);
    await page.locator('[data-job-progress][data-job-state="done"]').waitFor();
    await page.waitForTimeout(700); // the progress bar's transition
    await screenshot(page, 'responsible-job');
    await Promise.all([page.waitForURL(/\/responsible\?job=/), page.click('a:has-text("Back")')]);
    const summary = page.locator('[data-testid="reassign-summary"]');
    expect(await summary.innerText()).to.contain('5 clients of Olga Petrenko have a new responsible manager.');
    expect(await summary.innerText()).to.contain('3 clients to Katarzyna Zielińska');
    expect(await summary.innerText()).to.contain('2 clients to Marek Nowicki');
    expect(await page.locator(`[data-testid="manager-count-${marek.id}"]`).innerText()).to.equal('5');
    await screenshot(page, 'responsible-summary');
  });

  it('claims a free client from the pool', async () => {
    const kasiaPage = await (await browser.newContext({ locale: 'pl-PL', viewport: { width: 1280, height: 760 } })).newPage();
    await signIn(kasiaPage, baseUrl, 'kasia@example.com', 'user-password-1');
    await kasiaPage.goto(`${baseUrl}/responsible/pool`);
    await screenshot(kasiaPage, 'responsible-pool');
    const row = kasiaPage.locator('tr', { hasText: 'Wolna Firma S.A.' });
    await Promise.all([kasiaPage.waitForURL(/\/responsible\/pool/), row.locator('button[type=submit]').click()]);
    expect(await kasiaPage.locator('.alert-success').innerText()).to.contain('„Wolna Firma S.A.” jest teraz twoim klientem.');
    expect(await kasiaPage.locator('tr', { hasText: 'Wolna Firma S.A.' }).count()).to.equal(0);
    await screenshot(kasiaPage, 'responsible-pool-claimed');
    await kasiaPage.close();
  });
});
