/**
 * Client access in a browser: a limited user cannot reach a hidden client by URL (404 page) but
 * sees an allowed one; an administrator changes a client's class and shares a card from the
 * card header's "who can see this client" dropdown, and manages classes.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, signIn } from '../../../tests/support/browser.js';
import type { Contact } from '../../crm/api.js';
import { createAccessTestHost, type AccessTestHost } from './support/access-host.js';

describe('Client access in a browser', function () {
  this.timeout(120_000);
  let host: AccessTestHost;
  let browser: Browser;
  let server: Server;
  let baseUrl: string;
  let limited: { email: string; password: string; id: number };
  let vera: Contact;
  let hector: Contact;
  let una: Contact;
  let north: number;

  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.log('    page error:', err.message));
    return { context, page };
  };

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createAccessTestHost();
    north = (await host.classes.create({ name: 'North region', color: '#0d6efd' })).id;
    const south = (await host.classes.create({ name: 'South region', color: '#fd7e14' })).id;
    const group = await host.group('Sales North', { classes: { [north]: 'view' } });
    const user = await host.user('Lena Limited', [group]);
    limited = { email: user.email, password: user.password, id: user.id };
    vera = await host.contact({ first_name: 'Vera', last_name: 'Visible', class_id: north, emails: [{ value: 'vera@visible.test' }] });
    hector = await host.contact({ first_name: 'Hector', last_name: 'Hidden', class_id: south, emails: [{ value: 'hector@hidden.test' }] });
    una = await host.contact({ first_name: 'Una', last_name: 'Unclassified' });
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  it('shows a limited user a 404 page for a hidden client’s URL, the allowed client’s card, and a list without the hidden one', async () => {
    const { context, page } = await newPage();
    await signIn(page, baseUrl, limited.email, limited.password);
    const hidden = await page.goto(`${baseUrl}/crm/contacts/${hector.id}`);
    expect(hidden!.status()).to.equal(404);
    expect(await page.locator('h1').innerText()).to.equal('Page not found');
    expect(await page.content()).not.to.contain('Hector').and.not.to.contain('hector@hidden.test');
    await screenshot(page, 'access-hidden-client-404');
    const access = await page.goto(`${baseUrl}/access/contacts/${hector.id}`);
    expect(access!.status()).to.equal(404);

    const allowed = await page.goto(`${baseUrl}/crm/contacts/${vera.id}`);
    expect(allowed!.status()).to.equal(200);
    expect(await page.locator('[data-testid=card-name]').innerText()).to.equal('Vera Visible');

    await page.goto(`${baseUrl}/crm/contacts`);
    const list = await page.locator('main').innerText();
    expect(list).to.contain('Vera Visible').and.contain('Una Unclassified').and.not.contain('Hector');
    await context.close();
  });

  it('lets an administrator set a client’s class and share a card from the card header', async () => {
    const { context, page } = await newPage();
    await signIn(page, baseUrl);
    await page.goto(`${baseUrl}/crm/contacts/${una.id}`);
    const slot = page.locator('[data-testid=access-slot]');
    expect(await slot.locator('[data-testid=class-badge]').innerText()).to.contain('No class');
    await slot.locator('[data-testid=access-toggle]').click();
    const panel = slot.locator('[data-testid=access-panel]');
    await panel.waitFor();
    expect(await panel.innerText()).to.contain('Everyone with access to Contacts');
    await panel.locator('[data-testid=class-select]').selectOption(String(north));
    await panel.locator('[data-testid=class-save]').click();
    // The card refreshes its header: the badge shows the new class.
    await page.locator('[data-testid=access-slot] [data-testid=class-badge]', { hasText: 'North region' }).waitFor();
    expect((await host.contacts.get(host.admin, una.id)).class_id).to.equal(north);

    await page.goto(`${baseUrl}/crm/contacts/${hector.id}`);
    await page.locator('[data-testid=access-toggle]').click();
    const hectorPanel = page.locator('[data-testid=access-panel]');
    await hectorPanel.waitFor();
    await hectorPanel.locator('[data-testid=grant-principal]').selectOption(`u:${limited.id}`);
    await hectorPanel.locator('[data-testid=grant-add]').click();
    await page.locator('[data-testid=grant]', { hasText: 'Lena Limited' }).waitFor();
    await screenshot(page, 'access-card-panel');
    await context.close();

    // Now the limited user reaches the shared card.
    const other = await newPage();
    await signIn(other.page, baseUrl, limited.email, limited.password);
    const shared = await other.page.goto(`${baseUrl}/crm/contacts/${hector.id}`);
    expect(shared!.status()).to.equal(200);
    expect(await other.page.locator('[data-testid=card-name]').innerText()).to.equal('Hector Hidden');
    await other.context.close();
  });

  it('manages classes on their admin page and grants them on the group form', async () => {
    const { context, page } = await newPage();
    await signIn(page, baseUrl);
    await page.goto(`${baseUrl}/access/classes`);
    await page.fill('#class-name', 'Key accounts');
    await page.locator('[data-swatch="#6f42c1"]').click();
    expect(await page.locator('[data-testid=badge-preview]').innerText()).to.equal('Key accounts');
    await Promise.all([page.waitForURL(`${baseUrl}/access/classes`), page.click('[data-testid=save-class]')]);
    await page.locator('[data-testid=class-name]', { hasText: 'Key accounts' }).waitFor();
    expect(await page.locator('.alert-success').innerText()).to.contain('The class “Key accounts” is created.');
    await screenshot(page, 'access-classes-admin');

    await page.goto(`${baseUrl}/admin/groups/new`);
    await page.fill('#name', 'Key account managers');
    const keyId = (await host.classes.list()).find((c) => c.name === 'Key accounts')!.id;
    await page.locator(`[data-testid=class-${keyId}-edit]`).check();
    await page.locator('[data-testid=only-own]').check();
    await screenshot(page, 'access-group-form');
    await Promise.all([page.waitForURL(`${baseUrl}/admin/groups`), page.click('button[type=submit].btn-primary')]);
    const group = (await host.services.get<{ findByName(n: string): Promise<{ id: number } | null> }>(Symbol.for('host.Groups')).findByName('Key account managers'))!;
    expect((await host.groupAccess.read([group.id])).get(group.id)).to.deep.equal({ classes: { [keyId]: 'edit' }, only_own: true });
    await context.close();
  });
});
