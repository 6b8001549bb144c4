import path from 'node:path';
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, signIn } from '../support/browser.js';
import { createTestHost, FIXTURES, type TestHost } from '../support/test-host.js';

describe('The shell in a browser', function () {
  let host: TestHost;
  let browser: Browser;
  let page: Page;
  let server: Server;
  let baseUrl: string;

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createTestHost({ pluginRoots: [path.join(FIXTURES, 'plugin-sets', 'mixed')], jobs: true });
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } })).newPage();
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  it('signs in and shows the apps the user may open', async () => {
    await signIn(page, baseUrl);
    expect(await page.locator('[data-testid=app-tiles]').innerText()).to.contain('Good A');
    await screenshot(page, 'host-home');
  });

  it('switches the whole interface to Polish from the user menu', async () => {
    await page.click('[data-testid=user-menu]');
    await Promise.all([page.waitForLoadState('load'), page.click('[data-testid=language-pl]')]);
    await page.waitForSelector('html[lang=pl]');
    expect(await page.locator('h1').innerText()).to.match(/^Witamy/);
    expect(await page.locator('[data-testid=admin-link]').innerText()).to.contain('Administracja');
  });

  it('opens the plugin list in the admin area, disables a plugin and enables it again', async () => {
    await Promise.all([page.waitForURL('**/admin/plugins'), page.click('[data-testid=admin-link]')]);
    await page.waitForSelector('[data-testid=plugins-table]');
    const row = page.locator('tr[data-plugin="good-a"]');
    expect(await row.locator('[data-testid=plugin-state]').innerText()).to.equal('Włączona');
    expect(await page.locator('tr[data-plugin="throws-on-load"] [data-testid=plugin-error]').innerText()).to.contain('boom while registering');
    await screenshot(page, 'host-plugins-pl');

    await Promise.all([page.waitForLoadState('load'), row.locator('[data-testid=disable-good-a]').click()]);
    expect(await page.locator('tr[data-plugin="good-a"] [data-testid=plugin-state]').innerText()).to.equal('Wyłączona');
    expect(await page.locator('[data-testid=apps-menu]').innerText()).not.to.contain('Dobry A');
    expect((await page.goto(`${baseUrl}/good-a`))!.status()).to.equal(404);

    await page.goto(`${baseUrl}/admin/plugins`);
    await Promise.all([page.waitForLoadState('load'), page.click('[data-testid=enable-good-a]')]);
    expect(await page.locator('tr[data-plugin="good-a"] [data-testid=plugin-state]').innerText()).to.equal('Włączona');
    expect(await page.locator('[data-testid=apps-menu]').innerText()).to.contain('Dobry A');
    expect((await page.goto(`${baseUrl}/good-a`))!.status()).to.equal(200);
  });

  it('shows a background job moving to the end on a live progress bar', async () => {
    await page.goto(`${baseUrl}/good-a`);
    await Promise.all([page.waitForURL('**/jobs/**'), page.click('[data-testid=start-count]')]);
    const card = page.locator('[data-job-progress]');
    await page.waitForFunction(() => {
      const bar = document.querySelector<HTMLElement>('[data-job-progress] .progress-bar');
      return bar !== null && parseFloat(bar.style.width) > 0 && parseFloat(bar.style.width) < 100;
    });
    await page.waitForSelector('[data-job-progress][data-job-state=done]', { timeout: 15000 });
    expect(await card.locator('[data-job-count]').innerText()).to.equal('20 / 20');
    expect(await card.locator('.progress-bar').getAttribute('style')).to.contain('100%');
    await screenshot(page, 'host-job-done');
  });

  it('shows the layout on a phone with a collapsed menu', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/`);
    expect(await page.locator('.navbar-toggler').isVisible()).to.equal(true);
    await page.click('.navbar-toggler');
    await page.waitForSelector('#main-nav.show');
    expect(await page.locator('[data-testid=apps-menu]').isVisible()).to.equal(true);
    await screenshot(page, 'host-phone');
  });
});
