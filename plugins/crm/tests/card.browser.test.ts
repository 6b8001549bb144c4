import type { Server } from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, signIn } from '../../../tests/support/browser.js';
import { ROOT } from '../../../tests/support/test-host.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

describe('The client card in a browser', function () {
  let host: CrmTestHost;
  let browser: Browser;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let companyUrl = '';
  let personUrl = '';

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    // With the test-only plugin whose tab throws, next to the real ones.
    host = await createCrmTestHost({ pluginRoots: [path.join(ROOT, 'plugins'), path.join(ROOT, 'plugins', 'crm', 'tests', 'fixtures', 'plugins')] });
    for (const [name, color] of [['Lead', '#0d6efd'], ['Negotiation', '#fd7e14'], ['Client', '#198754']]) await host.dictionaries.create('status', { name: name!, color: color! });
    await host.dictionaries.create('source', { name: 'Website' });
    await host.fields.create({ key: 'budget', type: 'money', labels: { en: 'Budget', pl: 'Budżet' } });
    await host.contacts.create(host.admin, { kind: 'person', first_name: 'Existing', last_name: 'Person', emails: [{ value: 'taken@example.com' }] });
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

  const pane = (key: string) => page.locator(`[data-testid="pane-${key}"]`);

  it('adds a company with "save and open" and lands on its card', async () => {
    await page.goto(`${baseUrl}/crm/contacts/new?kind=company`);
    await page.fill('[data-testid=input-company_name]', 'Zielona Łąka Sp. z o.o.');
    await page.fill('[data-testid=input-tax_id]', '7342867148');
    await page.fill('[data-testid=input-email]', 'biuro@zielona-laka.pl');
    await Promise.all([page.waitForURL(/\/crm\/contacts\/\d+$/), page.click('[data-testid=save-open]')]);
    companyUrl = page.url();
    expect(await page.locator('[data-testid=card-name]').innerText()).to.equal('Zielona Łąka Sp. z o.o.');
    await pane('crm.info').locator('[data-testid=info-tab]').waitFor();
  });

  it('adds a person linked to the company through the company picker, warning about a duplicate email while typing', async () => {
    await page.goto(`${baseUrl}/crm/contacts/new?kind=person`);
    await page.fill('[data-testid=input-first_name]', 'Agnieszka');
    await page.fill('[data-testid=input-last_name]', 'Wiśniewska');
    await page.fill('[data-testid=input-job_title]', 'Head of purchasing');
    await page.fill('[data-testid=input-email]', 'taken@example.com');
    const warning = page.locator('[data-testid=duplicate-warning]');
    await warning.waitFor({ state: 'visible' });
    expect(await warning.innerText()).to.contain('Existing Person');
    expect(await warning.locator('a').getAttribute('href')).to.match(/^\/crm\/contacts\/\d+$/);
    await screenshot(page, 'crm-new-contact-duplicate');
    await page.fill('[data-testid=input-email]', 'agnieszka@zielona-laka.pl');
    await warning.waitFor({ state: 'hidden' });
    await page.fill('[data-testid=input-phone]', '601 234 567');
    await page.locator('[data-testid=company-search]').pressSequentially('zielona', { delay: 20 });
    await page.locator('[data-picker-menu] .dropdown-item', { hasText: 'Zielona Łąka' }).click();
    await Promise.all([page.waitForURL(/\/crm\/contacts\/\d+$/), page.click('[data-testid=save-open]')]);
    personUrl = page.url();
    expect(await page.locator('[data-testid=header-company]').innerText()).to.contain('Zielona Łąka');
    expect(await page.locator('[data-testid=header-email]').getAttribute('href')).to.equal('mailto:agnieszka@zielona-laka.pl');
    expect(await page.locator('[data-testid=header-phone]').getAttribute('href')).to.equal('tel:+48601234567');
    await pane('crm.info').locator('[data-testid=info-tab]').waitFor();
    await screenshot(page, 'crm-card-person');

    await page.goto(companyUrl);
    await page.click('[data-testid="tab-crm.employees"]');
    const employee = pane('crm.employees').locator('[data-testid=employee]');
    await employee.first().waitFor();
    expect(await employee.innerText()).to.contain('Agnieszka Wiśniewska');
    expect(await page.locator('[data-testid="tab-count-crm.employees"]').innerText()).to.equal('1');
  });

  it('edits a field in place, and shows an error beside it without leaving the card', async () => {
    await page.goto(personUrl);
    const info = pane('crm.info');
    await info.locator('[data-testid=info-tab]').waitFor();
    await info.locator('[data-testid=field-job_title]').hover();
    await info.locator('[data-testid=edit-job_title]').click();
    const input = info.locator('[data-testid=form-job_title] input[name=value]');
    await input.waitFor();
    expect(await input.evaluate((el) => el === document.activeElement)).to.equal(true);
    await input.fill('Purchasing director');
    await screenshot(page, 'crm-card-inline-edit');
    await input.press('Enter');
    await info.locator('[data-testid=field-job_title]').filter({ hasText: 'Purchasing director' }).waitFor();
    await page.locator('[data-testid=header-job]').filter({ hasText: 'Purchasing director' }).waitFor();

    await info.locator('[data-testid=edit-phones]').click();
    const phones = info.locator('[data-testid=form-phones]');
    await phones.locator('[data-testid=add-row]').click();
    await phones.locator('[data-testid=row-value]').nth(1).fill('12');
    await phones.locator('[data-testid=save]').click();
    await phones.locator('[data-testid=field-error]').waitFor();
    expect(await phones.locator('[data-testid=field-error]').innerText()).to.equal('This is not a valid phone number.');
    await screenshot(page, 'crm-card-inline-error');
    await phones.locator('[data-testid=cancel]').click();
    await info.locator('[data-testid=field-phones]').waitFor();
  });

  it('changes the status from the header dropdown', async () => {
    await page.click('[data-testid=status-toggle]');
    await page.locator('[data-testid=status-option]', { hasText: 'Negotiation' }).click();
    await page.locator('[data-testid=status-toggle]', { hasText: 'Negotiation' }).waitFor();
    expect(await page.locator('[data-testid=status-toggle]').getAttribute('style')).to.contain('#fd7e14');
    await pane('crm.info').locator('[data-testid=field-status_id]', { hasText: 'Negotiation' }).waitFor();
  });

  it('adds, pins and edits a note, with the count on the tab', async () => {
    await page.click('[data-testid="tab-crm.notes"]');
    const notes = pane('crm.notes');
    await notes.locator('[data-testid=note-body]').fill('Called about the spring order.\nWants a quote by Friday.');
    await notes.locator('[data-testid=add-note]').click();
    await notes.locator('[data-testid=note]').first().waitFor();
    expect(await notes.locator('[data-testid=note-author]').innerText()).to.equal('Administrator');
    await page.locator('[data-testid="tab-count-crm.notes"]', { hasText: '1' }).waitFor();
    await notes.locator('[data-testid=note-body]').fill('Second note');
    await notes.locator('[data-testid=add-note]').click();
    await page.locator('[data-testid="tab-count-crm.notes"]', { hasText: '2' }).waitFor();
    await notes.locator('[data-testid=note]', { hasText: 'spring order' }).locator('[data-testid=pin-note]').click();
    await notes.locator('[data-testid=note]').first().filter({ hasText: 'spring order' }).locator('.bi-pin-angle-fill').first().waitFor();
    await notes.locator('[data-testid=note]', { hasText: 'Second note' }).locator('[data-testid=edit-note]').click();
    await notes.locator('[data-testid=note-edit-body]').fill('Second note, corrected');
    await notes.locator('[data-testid=save-note]').click();
    await notes.locator('[data-testid=note-text]', { hasText: 'corrected' }).waitFor();
    await screenshot(page, 'crm-card-notes');
  });

  it('restores an old value from History with one click', async () => {
    await page.click('[data-testid="tab-crm.history"]');
    const history = pane('crm.history');
    const change = history.locator('[data-testid=history-entry][data-field=job_title]').first();
    await change.waitFor();
    expect(await change.locator('[data-testid=old-value]').innerText()).to.equal('Head of purchasing');
    expect(await history.locator('[data-testid=history-entry][data-field=status_id] [data-testid=new-value]').first().innerText()).to.equal('Negotiation');
    await screenshot(page, 'crm-card-history');
    await change.locator('[data-testid=restore-value]').click();
    await history.locator('[data-testid=history-alert]').waitFor();
    await page.locator('[data-testid=header-job]', { hasText: 'Head of purchasing' }).waitFor();

    await history.locator('[data-testid=history-field]').selectOption('status_id');
    await history.locator('[data-testid=history-entry][data-field=job_title]').first().waitFor({ state: 'detached' });
    const fields = await history.locator('[data-testid=history-entry]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
    expect(new Set(fields)).to.deep.equal(new Set(['status_id']));

    await page.click('[data-testid="tab-crm.info"]');
    await pane('crm.info').locator('[data-testid=field-job_title]', { hasText: 'Head of purchasing' }).waitFor();
  });

  it('asks what to do when someone else saved the same field meanwhile', async () => {
    const info = pane('crm.info');
    await info.locator('[data-testid=field-job_title]').hover();
    await info.locator('[data-testid=edit-job_title]').click();
    const id = Number(personUrl.split('/').pop());
    const current = await host.contacts.get(host.admin, id);
    const colleague = await host.asUser((await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'colleague@example.com')).id);
    await host.contacts.update(colleague, id, { job_title: 'Chief buyer' }, current.version);
    const editor = info.locator('[data-testid=form-job_title]');
    await editor.locator('input[name=value]').fill('Procurement lead');
    await editor.locator('[data-testid=save]').click();
    await editor.locator('[data-testid=conflict]').waitFor();
    expect(await editor.locator('[data-testid=their-value]').innerText()).to.equal('Chief buyer');
    await screenshot(page, 'crm-card-conflict');
    await editor.locator('[data-testid=overwrite]').click();
    await info.locator('div[data-testid=field-job_title]', { hasText: 'Procurement lead' }).waitFor();
    expect((await host.contacts.get(host.admin, id)).job_title).to.equal('Procurement lead');
  });

  it('shows a small error box in a tab that fails, while the card and the other tabs keep working', async () => {
    await page.click('[data-testid="tab-broken-tab.boom"]');
    await pane('broken-tab.boom').locator('[data-testid=tab-failed]').waitFor();
    await screenshot(page, 'crm-card-tab-failed');
    await page.click('[data-testid="tab-broken-tab.calm"]');
    await pane('broken-tab.calm').locator('[data-testid=calm-body]').waitFor();
    await page.click('[data-testid="tab-crm.info"]');
    await pane('crm.info').locator('[data-testid=info-tab]').waitFor();
  });

  it('reads well on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(personUrl);
    await pane('crm.info').locator('[data-testid=info-tab]').waitFor();
    await screenshot(page, 'crm-card-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
