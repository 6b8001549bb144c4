/** The orders app in a browser: the Orders tab with its count on the client card, its form, and the /orders page. */
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, signIn } from '../../../tests/support/browser.js';
import type { Contact } from '../../crm/api.js';
import { createOrdersTestHost, type OrdersTestHost } from './support/orders-host.js';

describe('The orders app in a browser', function () {
  let host: OrdersTestHost;
  let browser: Browser;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let client: Contact;

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createOrdersTestHost();
    client = await host.contact({ kind: 'company', company_name: 'Zielona Łąka Sp. z o.o.', phones: [{ value: '+48 22 628 12 34' }] });
    const other = await host.contact({ first_name: 'Олена', last_name: 'Коваленко', phones: [{ value: '+380 50 123 4567' }] });
    await host.orders.create(host.admin, client.id, { product: 'Laptop Pro 14', amount: 5600, currency: 'PLN', ordered_at: '2024-04-10', status: 'shipped' });
    await host.orders.create(host.admin, client.id, { product: 'Support Plan Gold', amount: 6000, currency: 'PLN', ordered_at: '2024-09-01', status: 'paid' });
    await host.orders.create(host.admin, other.id, { product: 'Projector', amount: 24000, currency: 'UAH', ordered_at: '2024-10-15' });
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 860 } })).newPage();
    page.on('pageerror', (err) => console.log('    page error:', err.message));
    await signIn(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  it('shows the Orders tab with its count on the client card, and the orders when opened', async () => {
    await page.goto(`${baseUrl}/crm/contacts/${client.id}`);
    const tab = page.locator('[data-testid="tab-orders.orders"]');
    expect((await tab.innerText()).replace(/\s+/g, ' ').trim()).to.equal('Orders 2');
    await tab.click();
    const pane = page.locator('[data-testid="pane-orders.orders"] [data-testid=orders-tab]');
    await pane.waitFor();
    expect(await pane.locator('[data-testid=orders-table] tbody tr').count()).to.equal(2);
    expect(await pane.innerText()).to.contain('Support Plan Gold').and.contain('Paid');
    await screenshot(page, 'orders-tab');
  });

  it('adds an order from the tab without leaving the card', async () => {
    const pane = page.locator('[data-testid="pane-orders.orders"]');
    await pane.locator('[data-testid=orders-add]').click();
    await pane.locator('.collapse.show [data-testid=orders-form]').waitFor();
    await pane.locator('input[name=product]').fill('Standing Desk');
    await pane.locator('input[name=amount]').fill('2 150,00');
    await screenshot(page, 'orders-tab-form');
    await pane.locator('[data-testid=orders-save]').click();
    await pane.getByText('The order was added.').waitFor();
    expect(await pane.locator('[data-testid=orders-table] tbody tr').count()).to.equal(3);
    // The card refreshes its header: the tab's count follows.
    await page.waitForFunction(() => document.querySelector('[data-testid="tab-count-orders.orders"]')?.textContent?.trim() === '3');
    expect(new URL(page.url()).pathname).to.equal(`/crm/contacts/${client.id}`);
    await screenshot(page, 'orders-tab-added');
  });

  it('lists every order on the /orders page, filtered by product, on a laptop and a phone', async () => {
    await page.goto(`${baseUrl}/orders`);
    expect(await page.locator('[data-testid=orders-table] tbody tr').count()).to.equal(4);
    await screenshot(page, 'orders-page');
    await page.selectOption('select[name=product]', 'Projector');
    await Promise.all([page.waitForURL(/product=Projector/), page.click('form[role=search] button[type=submit]')]);
    expect(await page.locator('[data-testid=orders-table] tbody tr').count()).to.equal(1);
    await page.setViewportSize({ width: 390, height: 800 });
    await screenshot(page, 'orders-page-phone');
  });
});
