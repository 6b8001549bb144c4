/**
 * In headless Chromium (issue 5): find duplicates, open a group, choose a value, merge, land on
 * the master's card; the merged contact's old URL leads there too.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, signIn } from '../../../tests/support/browser.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

describe('Merging from the duplicate finder (browser)', function () {
  this.timeout(120_000);
  let host: CrmTestHost;
  let browser: Browser;
  let server: Server;
  let baseUrl: string;
  let page: Page;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    host = await createCrmTestHost();
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, baseUrl);
  });
  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  it('finds a pair by email, merges it keeping the chosen job title, and redirects the old card', async () => {
    const master = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Małgorzata', last_name: 'Wiśniewska', job_title: 'Księgowa', emails: [{ value: 'm.wisniewska@firma.pl' }] });
    const dupe = await host.contacts.create(host.admin, { kind: 'person', first_name: 'Małgorzata', last_name: 'Wiśniewska', job_title: 'Główna księgowa', emails: [{ value: 'M.Wisniewska@firma.pl' }], phones: [{ value: '+48 601 222 333' }] });

    await page.goto(`${baseUrl}/crm/duplicates`);
    await page.getByTestId('never-run').waitFor();
    await Promise.all([page.waitForURL(`${baseUrl}/crm/duplicates`), page.getByTestId('find-duplicates').click()]);
    const group = page.getByTestId('duplicate-group');
    expect(await group.count()).to.equal(1);
    expect(await group.getByTestId('group-reason').innerText()).to.contain('m.wisniewska@firma.pl');
    await group.getByTestId('group-merge').click();
    await page.getByTestId('merge-form').waitFor();
    expect(await page.getByTestId('kept-channels').innerText()).to.contain('+48 601 222 333');
    await page.getByTestId(`pick-job_title-${dupe.id}`).check();
    await screenshot(page, 'merge-screen');
    await Promise.all([page.waitForURL(`${baseUrl}/crm/contacts/${master.id}`), page.getByTestId('merge-confirm').click()]);
    expect(await page.locator('body').innerText()).to.contain('Główna księgowa');

    await page.goto(`${baseUrl}/crm/contacts/${dupe.id}`);
    expect(new URL(page.url()).pathname).to.equal(`/crm/contacts/${master.id}`);
    await page.goto(`${baseUrl}/crm/duplicates`);
    expect(await page.getByTestId('duplicate-group').count()).to.equal(0);
  });
});
