/**
 * Segments in a browser: filter the client list, save the filter as a segment from the Segments
 * panel, see it there with its count, click it to filter the list by it; add a client to a list
 * from the card; the Segments pages on a laptop and a phone.
 */
import type { Server } from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { chromiumAvailable, launchBrowser, listen, screenshot, SCREENSHOTS, signIn } from '../../../tests/support/browser.js';
import type { Contact } from '../../crm/api.js';
import { createSegmentsTestHost, type SegmentsTestHost } from './support/segments-host.js';

const PEOPLE: Array<[string, string, 'lead' | 'won']> = [
  ['Łukasz', 'Żółkiewski', 'lead'],
  ['Małgorzata', 'Wiśniewska', 'won'],
  ['Agnieszka', 'Wójcik', 'lead'],
  ['Олена', 'Шевченко', 'lead'],
  ['Тарас', 'Коваленко', 'won'],
  ['Иван', 'Петров', 'lead'],
  ['John', 'Smith', 'won'],
  ['Emily', 'Johnson', 'lead'],
  ['Sarah', 'Davis', 'won'],
];

/** What is on screen, rather than the whole page. */
async function viewShot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

describe('Segments in a browser', function () {
  let host: SegmentsTestHost;
  let browser: Browser;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let leads: Contact[];
  let emily: Contact;

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createSegmentsTestHost();
    const token = await host.token();
    const status = async (name: string, color: string) =>
      (await request(host.app!).post('/api/v1/dictionaries/status').set('Authorization', `Bearer ${token}`).send({ name, color }).expect(201)).body.id as number;
    const ids = { lead: await status('Lead', '#0d6efd'), won: await status('Won', '#198754') };
    const created = [];
    for (const [first, last, s] of PEOPLE) created.push(await host.contact({ first_name: first, last_name: last, status_id: ids[s] }));
    leads = created.filter((_, i) => PEOPLE[i]![2] === 'lead');
    emily = created.find((c) => c.first_name === 'Emily')!;
    await host.segments.create(host.admin, { name: 'Trade fair 2025', type: 'static', shared: true, color: '#fd7e14', contact_ids: [created[0]!.id, created[1]!.id] });
    await host.segments.create(host.admin, { name: 'Call back this week', type: 'static', color: '#6f42c1' });
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } })).newPage();
    page.on('pageerror', (err) => console.log('    page error:', err.message));
    await signIn(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  const names = () => page.locator('[data-testid=contact-name]').allInnerTexts();

  it('builds a dynamic segment from the list’s filters, shows it in the panel with its count, and filters by it', async () => {
    await page.goto(`${baseUrl}/crm/contacts`);
    await page.locator('[data-testid=segments-panel]').waitFor();
    // The panel's counts arrive after the list.
    await page.locator('[data-testid=segments-item]', { hasText: 'Trade fair 2025' }).locator('[data-testid=segment-count]').waitFor();
    expect(await page.locator('[data-testid=segments-item]', { hasText: 'Trade fair 2025' }).locator('[data-testid=segment-count]').innerText()).to.equal('2');
    await viewShot(page, 'segments-panel');

    // Filter: status Lead.
    await page.click('[data-testid=filters-button]');
    await page.waitForSelector('#crm-filters.show');
    await page.locator('[data-testid=filter-status] label', { hasText: 'Lead' }).click();
    await page.locator('#crm-filters .offcanvas-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await Promise.all([page.waitForURL(/status_id=/), page.click('[data-testid=filters-apply]')]);
    expect((await names()).length).to.equal(leads.length);
    // And a search typed into the live search box: the saved filter takes it too.
    await page.fill('[data-testid=list-search]', 'emily');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=contact-name]').length === 1);
    await page.fill('[data-testid=list-search]', '');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=contact-name]').length === n, leads.length);

    await page.click('[data-testid=segments-save] summary');
    await page.fill('[data-testid=segments-save-name]', 'Hot leads');
    await viewShot(page, 'segments-save-form');
    await Promise.all([page.waitForURL(/status_id=/), page.click('[data-testid=segments-save-submit]')]);
    expect(await page.locator('.alert-success').innerText()).to.contain('The segment “Hot leads” was saved.');
    const item = page.locator('[data-testid=segments-item]', { hasText: 'Hot leads' });
    await item.locator('[data-testid=segment-count]').waitFor();
    expect(await item.locator('[data-testid=segment-count]').innerText()).to.equal(String(leads.length));
    await viewShot(page, 'segments-panel-saved');

    // A click filters the list by the segment alone.
    await Promise.all([page.waitForURL(/segment_id=\d+$/), item.click()]);
    expect(new URL(page.url()).search).to.match(/^\?segment_id=\d+$/);
    expect((await names()).sort()).to.deep.equal(leads.map((c) => c.name).sort());
    expect((await page.locator('[data-testid=filter-chip]').innerText()).replace(/\s+/g, ' ')).to.contain('Segment: Hot leads');
    expect(await page.locator('[data-testid=segments-item].active').innerText()).to.contain('Hot leads');
    await viewShot(page, 'segments-list-filtered');

    // A new lead is in the segment at once.
    await host.contact({ first_name: 'Zoe', last_name: 'New', status_id: leads[0]!.status_id });
    await page.reload();
    expect(await names()).to.include('Zoe New');
  });

  it('adds a client to a list from the card', async () => {
    await page.goto(`${baseUrl}/crm/contacts/${emily.id}`);
    const slot = page.locator('[data-testid=segments-slot]');
    await slot.locator('[data-testid=segments-add]').click();
    await slot.locator('[data-testid=segments-add-menu].show').waitFor();
    await viewShot(page, 'segments-card-menu');
    await slot.locator('[data-testid=segments-add-option]', { hasText: 'Call back this week' }).click();
    await page.locator('[data-testid=segments-chip]', { hasText: 'Call back this week' }).waitFor();
    expect(new URL(page.url()).pathname).to.equal(`/crm/contacts/${emily.id}`);
    await screenshot(page, 'segments-card');
    const list = (await host.segments.list(host.admin)).find((s) => s.name === 'Call back this week')!;
    expect((await host.segments.contacts(host.admin, list.id)).items.map((c) => c.id)).to.deep.equal([emily.id]);
  });

  it('shows the Segments pages on a laptop and a phone', async () => {
    await page.goto(`${baseUrl}/segments`);
    await page.locator('[data-testid=segment-row] [data-testid=segment-count]').first().waitFor();
    expect(await page.locator('[data-testid=segment-row]').count()).to.equal(3);
    await screenshot(page, 'segments-page');
    await page.locator('[data-testid=segment-row]', { hasText: 'Hot leads' }).locator('a').first().click();
    await page.locator('[data-testid=segment-preview]').waitFor();
    expect((await page.locator('[data-testid=segment-filter]').innerText()).replace(/\s+/g, ' ')).to.equal('Status Lead');
    await screenshot(page, 'segments-segment-page');
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${baseUrl}/crm/contacts`);
    await page.locator('[data-testid=segments-item] [data-testid=segment-count]').first().waitFor();
    await screenshot(page, 'segments-list-phone');
    await page.goto(`${baseUrl}/segments`);
    await screenshot(page, 'segments-page-phone');
  });
});
