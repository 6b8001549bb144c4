import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TOKENS, type SettingsStore } from '../../../host/api.js';
import { chromiumAvailable, launchBrowser, listen, screenshot, signIn } from '../../../tests/support/browser.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

describe('CRM settings in a browser', function () {
  let host: CrmTestHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: Server;
  let baseUrl: string;

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createCrmTestHost();
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await signIn(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  /** Drags a row by its handle onto another row, the way a person does it with the mouse. */
  async function drag(from: string, to: string): Promise<void> {
    const source = (await page.locator(`${from} [data-drag-handle]`).boundingBox())!;
    const target = (await page.locator(to).boundingBox())!;
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
    await page.mouse.down();
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2 + 5, { steps: 3 });
    await page.mouse.move(target.x + 40, target.y + target.height / 2, { steps: 10 });
    await page.mouse.move(target.x + 40, target.y + 2, { steps: 5 });
    await page.waitForTimeout(200); // Sortable animates the swap
    await page.mouse.up();
  }

  it('opens the settings from the Administration menu', async () => {
    await page.goto(`${baseUrl}/admin/users`);
    await Promise.all([page.waitForURL('**/crm/settings/fields'), page.getByRole('link', { name: 'Contact settings' }).click()]);
    await page.waitForSelector('[data-testid=fields-empty]');
    expect(await page.locator('[data-testid=settings-nav]').innerText()).to.match(/Custom fields[\s\S]*Statuses[\s\S]*Categories[\s\S]*Client types[\s\S]*Sources[\s\S]*Standard fields/);
    await screenshot(page, 'crm-settings-fields-empty');
  });

  it('creates a select field with options; the key follows the English label', async () => {
    await Promise.all([page.waitForURL('**/crm/settings/fields/new'), page.click('[data-testid=new-field]')]);
    expect(await page.locator('[data-options-group]').isHidden()).to.equal(true);
    await page.selectOption('[data-field-type]', 'select');
    expect(await page.locator('[data-options-group]').isVisible()).to.equal(true);
    await page.fill('#label-en', 'Membership level');
    expect(await page.inputValue('#field-key')).to.equal('membership_level');
    await page.fill('#label-pl', 'Poziom członkostwa');
    await page.fill('#label-ru', 'Уровень участия');
    await page.fill('#label-uk', 'Рівень участі');
    await page.fill('#field-options', 'Bronze\nSilver\nGold');
    await page.check('#field-in-list');
    await screenshot(page, 'crm-settings-field-form');
    await Promise.all([page.waitForURL('**/crm/settings/fields'), page.click('[data-testid=save-field]')]);
    expect(await page.locator('.alert-success').innerText()).to.contain('Field “Membership level” created.');
    const field = (await host.fields.byKey('membership_level'))!;
    expect(field).to.include({ type: 'select', in_list: true, active: true });
    expect(field.options).to.deep.equal(['Bronze', 'Silver', 'Gold']);
  });

  it('shows a mistake beside its field and keeps the rest', async () => {
    await page.goto(`${baseUrl}/crm/settings/fields/new`);
    await page.fill('#field-key', 'membership_level');
    await page.fill('#label-en', 'Duplicate');
    await page.click('[data-testid=save-field]');
    await page.waitForSelector('[data-testid=form-errors]');
    expect(await page.locator('#field-key + .invalid-feedback').innerText()).to.equal('A field with this key already exists.');
    expect(await page.inputValue('#label-en')).to.equal('Duplicate');
    await screenshot(page, 'crm-settings-field-errors');
  });

  it('reorders fields by dragging a row', async () => {
    await host.fields.create({ key: 'contract_no', type: 'text', labels: { en: 'Contract number', pl: 'Numer umowy' }, in_list: true });
    await host.fields.create({ key: 'renewal', type: 'date', labels: { en: 'Renewal date' }, required: true });
    await page.goto(`${baseUrl}/crm/settings/fields`);
    const keys = () => page.locator('[data-testid=field-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    expect(await keys()).to.deep.equal(['membership_level', 'contract_no', 'renewal']);
    await drag('tr[data-key=renewal]', 'tr[data-key=membership_level]');
    await page.waitForFunction(() => /saved/i.test(document.querySelector('[data-order-status]')?.textContent ?? ''));
    expect(await keys()).to.deep.equal(['renewal', 'membership_level', 'contract_no']);
    expect((await host.fields.all(true)).map((f) => f.key)).to.deep.equal(['renewal', 'membership_level', 'contract_no']);
    await page.reload();
    expect(await keys()).to.deep.equal(['renewal', 'membership_level', 'contract_no']);
    await screenshot(page, 'crm-settings-fields');
  });

  it('adds a status with a colour, previewed live as a badge', async () => {
    await host.dictionaries.create('status', { name: 'New lead', color: '#0d6efd', labels: { pl: 'Nowy lead' } });
    await host.dictionaries.create('status', { name: 'Client', color: '#198754', labels: { pl: 'Klient', ru: 'Клиент' } });
    await Promise.all([page.waitForURL('**/crm/settings/statuses'), page.getByRole('link', { name: 'Statuses' }).click()]);
    await page.fill('#item-name', 'Hot lead');
    await page.fill('#item-color', '#dc3545');
    const preview = page.locator('[data-testid=badge-preview]');
    expect(await preview.innerText()).to.equal('Hot lead');
    expect(await preview.evaluate((el) => getComputedStyle(el).backgroundColor)).to.equal('rgb(220, 53, 69)');
    await page.click('[data-swatch="#fd7e14"]');
    expect(await page.inputValue('#item-color')).to.equal('#fd7e14');
    await page.fill('#item-color', '#ffc107');
    expect(await preview.evaluate((el) => getComputedStyle(el).color)).to.equal('rgb(33, 37, 41)');
    await page.fill('#item-color', '#dc3545');
    await page.fill('#item-label-pl', 'Gorący lead');
    await screenshot(page, 'crm-settings-status-form');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'GET' && r.url().endsWith('/crm/settings/statuses')), page.click('[data-testid=save-item]')]);
    expect(await page.locator('.alert-success').innerText({ timeout: 3000 })).to.contain('“Hot lead” added.');
    const badge = page.locator('[data-testid=dictionary-item][data-name="Hot lead"] [data-testid=item-badge]');
    expect(await badge.evaluate((el) => getComputedStyle(el).backgroundColor)).to.equal('rgb(220, 53, 69)');
    expect((await host.dictionaries.list('status')).map((s) => [s.name, s.color])).to.deep.include(['Hot lead', '#dc3545']);

    await drag('[data-name="Hot lead"]', '[data-name="New lead"]');
    await page.waitForFunction(() => /saved/i.test(document.querySelector('[data-order-status]')?.textContent ?? ''));
    expect((await host.dictionaries.list('status')).map((s) => s.name)).to.deep.equal(['Hot lead', 'New lead', 'Client']);
    await page.reload();
    await screenshot(page, 'crm-settings-statuses');

    await Promise.all([page.waitForURL('**/crm/settings/statuses/*'), page.locator('[data-name="Client"] [data-testid=edit-item]').click()]);
    expect(await page.locator('[data-testid=dictionary-form] h2').innerText()).to.equal('Edit “Client”');
    expect(await page.inputValue('#item-label-ru')).to.equal('Клиент');
    await page.fill('#item-name', 'Customer');
    await screenshot(page, 'crm-settings-status-edit');
    await Promise.all([page.waitForURL((u) => u.pathname === '/crm/settings/statuses'), page.click('[data-testid=save-item]')]);
    expect(await page.locator('.alert-success').innerText()).to.contain('“Customer” saved.');
    expect((await host.dictionaries.list('status')).map((s) => s.name)).to.deep.equal(['Hot lead', 'New lead', 'Customer']);
  });

  it('hides a standard field', async () => {
    await Promise.all([page.waitForURL('**/crm/settings/standard-fields'), page.getByRole('link', { name: 'Standard fields' }).click()]);
    const row = page.locator('[data-testid=standard-field][data-field=middle_name]');
    expect(await row.locator('[data-hidden-badge]').isHidden()).to.equal(true);
    await page.check('[data-testid=hide-middle_name]');
    expect(await row.locator('[data-hidden-badge]').isVisible()).to.equal(true);
    await page.check('[data-testid=hide-tax_ids]');
    expect(await page.locator('[data-hidden-count]').innerText()).to.equal('Unsaved changes');
    await screenshot(page, 'crm-settings-standard-fields');
    await Promise.all([page.waitForURL('**/crm/settings/standard-fields'), page.click('[data-testid=save-standard-fields]')]);
    expect(await page.locator('.alert-success').innerText()).to.contain('Saved: 2 fields are hidden.');
    expect(await page.isChecked('[data-testid=hide-middle_name]')).to.equal(true);
    expect(await host.services.get<SettingsStore>(TOKENS.Settings).get('plugin:crm', 'hidden_fields')).to.deep.equal(['middle_name', 'tax_ids']);
  });

  it('fits a phone screen, in Ukrainian', async () => {
    const phone = await browser.newContext({ locale: 'uk-UA', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    await signIn(p, baseUrl);
    await p.goto(`${baseUrl}/crm/settings/statuses`);
    expect(await p.locator('h1').innerText()).to.equal('Налаштування контактів');
    // Nothing sticks out sideways: a phone would zoom the whole page out.
    const fits = () => p.evaluate(() => document.documentElement.scrollWidth <= 391);
    expect(await fits()).to.equal(true);
    await screenshot(p, 'crm-settings-statuses-phone-uk');
    await p.goto(`${baseUrl}/crm/settings/fields`);
    expect(await fits()).to.equal(true);
    await screenshot(p, 'crm-settings-fields-phone-uk');
    await p.goto(`${baseUrl}/crm/settings/standard-fields`);
    expect(await fits()).to.equal(true);
    await screenshot(p, 'crm-settings-standard-fields-phone-uk');
    await phone.close();
  });
});
