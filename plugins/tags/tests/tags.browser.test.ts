/**
 * Tags in headless Chromium: on a client's card, create a tag by typing it and pressing Enter,
 * pick an existing one from the suggestions, take one off; see them in the card header; click a
 * tag in the cloud on the Contacts page and get the list filtered by it.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, SCREENSHOTS, signIn } from '../../../tests/support/browser.js';
import type { Contact } from '../../crm/api.js';
import { createTagsTestHost, type TagsTestHost } from './support/tags-host.js';

describe('Tags in a browser', function () {
  let host: TagsTestHost;
  let browser: Browser;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let anna: Contact;
  let boris: Contact;
  let cezary: Contact;

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createTagsTestHost();
    anna = await host.contact({ first_name: 'Anna', last_name: 'Nowak', job_title: 'Buyer', emails: [{ value: 'anna@example.com' }] });
    boris = await host.contact({ first_name: 'Борис', last_name: 'Гребенщиков' });
    cezary = await host.contact({ first_name: 'Cezary', last_name: 'Pazura' });
    await host.contactTags.addMany(host.admin, [boris.id, cezary.id], ['Wholesale']);
    await host.contactTags.addMany(host.admin, [cezary.id], ['Newsletter']);
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 860 } })).newPage();
    page.on('pageerror', (err) => console.log('    page error:', err.message));
    await signIn(page, baseUrl);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `tags-failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  const chips = async () => page.locator('[data-testid=tags-slot] [data-testid=tag-chip]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')));

  /** Types a new tag and presses Enter, picks an existing one from the suggestions, removes one. */
  async function editTags(shot: string): Promise<void> {
    const input = page.locator('[data-testid=tag-input]');
    await input.click();
    await input.fill('Key account');
    await page.locator('[data-testid=tag-create]').waitFor(); // offered while typing
    await input.press('Enter');
    await page.locator('[data-testid=tag-chip][data-tag="Key account"]').waitFor();

    await page.locator('[data-testid=tag-input]').fill('whole');
    const suggestion = page.locator('[data-testid=tag-suggestion]', { hasText: 'Wholesale' });
    await suggestion.waitFor();
    await screenshot(page, `${shot}-suggestions`);
    await suggestion.click();
    await page.locator('[data-testid=tag-chip][data-tag="Wholesale"]').waitFor();
    expect(await chips()).to.deep.equal(['Key account', 'Wholesale']);

    await page.locator('[data-testid=tag-input]').fill('Temporary');
    await page.locator('[data-testid=tag-input]').press('Enter');
    await page.locator('[data-testid=tag-chip][data-tag="Temporary"]').waitFor();
    await page.locator('[data-testid=tag-chip][data-tag="Temporary"] [data-testid=tag-remove]').click();
    await page.locator('[data-testid=tag-chip][data-tag="Temporary"]').waitFor({ state: 'detached' });
    await page.locator('[data-testid=tag-input]').blur();
    await screenshot(page, shot);
  }

  it('adds, picks and removes tags with the header chips (on a stand-in page that embeds the slot like the card does)', async () => {
    await page.goto(`${baseUrl}/tags-probe/card/${anna.id}`);
    await editTags('tags-slot');
    expect((await host.contacts.get(host.admin, anna.id)).tags).to.deep.equal(['Key account', 'Wholesale']);
    const history = await host.history.list(host.admin, anna.id, { field: 'tags' });
    expect(history.map((h) => h.new_value)).to.deep.equal([['Key account', 'Wholesale'], ['Key account', 'Temporary', 'Wholesale'], ['Key account', 'Wholesale'], ['Key account']]);
    // The tag cloud beside it loads after the page, counting Anna's new tags.
    await page.reload();
    await page.locator('[data-testid=tags-cloud-item][data-tag="Key account"]').waitFor();
    expect(await page.locator('[data-testid=tags-cloud-item][data-tag="Wholesale"] .tags-count').innerText()).to.equal('3');
  });

  it('adds tags on the client card and shows them in its header', async () => {
    await page.goto(`${baseUrl}/crm/contacts/${boris.id}`);
    await page.locator('[data-testid=card-header] [data-testid=tags-slot]').waitFor({ timeout: 5000 }); // the CRM embeds the slot in its header
    expect(await chips()).to.deep.equal(['Wholesale']);
    await page.locator('[data-testid=tag-input]').fill('Key account');
    // After a change the card refreshes its header (history count): what is typed meanwhile stays.
    const refreshed = page.waitForResponse((r) => new URL(r.url()).pathname === `/crm/contacts/${boris.id}/header`);
    await page.locator('[data-testid=tag-input]').press('Enter');
    await page.locator('[data-testid=tag-chip][data-tag="Key account"]').waitFor();
    await page.locator('[data-testid=tag-input]').pressSequentially('news');
    await refreshed;
    // Two more refreshes at once (another change elsewhere on the card): still the same input and text.
    const both = Promise.all([1, 2].map(() => page.waitForResponse((r) => new URL(r.url()).pathname === `/crm/contacts/${boris.id}/header`)));
    await page.evaluate((src) => {
      const { htmx } = window as unknown as { htmx: { ajax(...a: unknown[]): void } };
      htmx.ajax('GET', src, { target: '#card-header', swap: 'outerHTML' });
      htmx.ajax('GET', src, { target: '#card-header', swap: 'outerHTML' });
    }, `/crm/contacts/${boris.id}/header`);
    await both;
    await page.waitForTimeout(150);
    expect(await page.locator('[data-testid=tag-input]').count()).to.equal(1);
    expect(await page.locator('[data-testid=tag-input]').inputValue()).to.equal('news');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).to.equal('tag-input');
    expect(await page.locator('[data-testid=card-header]').innerText()).to.contain('Key account');
    await page.locator('[data-testid=tag-suggestion]', { hasText: 'Newsletter' }).click();
    await page.locator('[data-testid=tag-chip][data-tag="Newsletter"]').waitFor();
    await page.reload();
    await page.locator('[data-testid=card-header] [data-testid=tag-chip][data-tag="Newsletter"]').waitFor();
    expect(await chips()).to.deep.equal(['Key account', 'Newsletter', 'Wholesale']);
    await screenshot(page, 'tags-card');
    await page.setViewportSize({ width: 390, height: 800 }); // a phone
    await page.locator('[data-testid=tag-input]').fill('w');
    await page.locator('[data-testid=tag-create]', { hasText: '“w”' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/tags-card-phone.png` });
    await page.locator('[data-testid=tag-input]').press('Escape');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('opens the list filtered by a tag clicked in the cloud on the Contacts page', async () => {
    await page.goto(`${baseUrl}/crm/contacts`);
    const item = page.locator('[data-testid=tags-cloud-item][data-tag="Newsletter"]');
    await item.waitFor({ timeout: 5000 });
    await Promise.all([page.waitForURL(/[?&]tag=Newsletter/), item.click()]);
    await page.locator('[data-testid=tags-cloud-item].active[data-tag="Newsletter"]').waitFor();
    const body = await page.locator('main').innerText();
    expect(body).to.contain('Cezary Pazura').and.contain('Гребенщиков');
    expect(body).to.not.contain('Anna Nowak');
    await screenshot(page, 'tags-list-filtered');
  });

  it('lets an administrator recolour and merge tags on the Tags page', async () => {
    await page.goto(`${baseUrl}/tags/manage`);
    const row = (name: string) => page.locator(`[data-testid=tag-row][data-tag="${name}"]`);
    await row('Temporary').waitFor(); // taken off Anna, still a tag with no clients
    expect(await row('Temporary').locator('[data-testid=tag-count]').innerText()).to.equal('0');
    await screenshot(page, 'tags-manage');
    await row('Key account').locator('input[type=color]').fill('#dc3545');
    await Promise.all([page.waitForURL(/\/tags\/manage/), row('Key account').locator('[data-testid=tag-save]').click()]);
    await page.locator('.alert-success').waitFor();
    expect((await host.tags.list(host.admin, { q: 'Key account' }))[0]!.color).to.equal('#dc3545');

    await row('Newsletter').locator('input[data-select]').check();
    await row('Key account').locator('input[data-select]').check();
    expect(await page.locator('[data-selected-count]').innerText()).to.equal('2');
    await page.selectOption('[data-testid=merge-into]', { label: 'Wholesale' });
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForURL(/\/tags\/manage/), page.locator('[data-testid=merge-submit]').click()]);
    await page.locator('.alert-success').waitFor();
    expect(await page.locator('.alert-success').innerText()).to.contain('Merged into “Wholesale”: 3 clients changed.');
    expect(await page.locator('[data-testid=tag-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')))).to.not.include.members(['Newsletter', 'Key account']);
    expect((await host.contacts.get(host.admin, boris.id)).tags).to.deep.equal(['Wholesale']);
    await screenshot(page, 'tags-manage-merged');
  });

  it('suggests tags for what is typed straight after adding one, before anything else happens on the page', async () => {
    const dora = await host.contact({ first_name: 'Dora', last_name: 'Quick' });
    await page.goto(`${baseUrl}/tags-probe/card/${dora.id}`);
    // Types into the new input in the very task that swapped it in, as a fast typist would.
    // (A string: a function here would reach the page wrapped in the transpiler's naming helper.)
    await page.evaluate(`
      document.addEventListener('htmx:afterSwap', function typeNext(e) {
        if (!e.target.classList || !e.target.classList.contains('tags-slot')) return; // a suggestion box swapped in
        document.removeEventListener('htmx:afterSwap', typeNext);
        setTimeout(function () {
          var input = document.querySelector('[data-testid=tag-input]');
          input.value = 'whole';
          input.dispatchEvent(new Event('input', { bubbles: true }));
        }, 0);
      });
    `);
    await page.locator('[data-testid=tag-input]').fill('Fresh');
    await page.locator('[data-testid=tag-input]').press('Enter');
    await page.locator('[data-testid=tag-chip][data-tag="Fresh"]').waitFor();
    // What matches "whole" alone: the focused empty input's suggestions (every other tag) come first.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=tag-suggestion]'), (e) => e.textContent!.trim()).join('|') === 'Wholesale', null, { timeout: 5000 });
    expect(await page.locator('[data-testid=tag-input]').inputValue()).to.equal('whole');
  });
});
