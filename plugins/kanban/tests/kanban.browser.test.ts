/**
 * The board in headless Chromium: drag a card to another column and it stays there after a
 * reload (status and history saved); a card whose client changed meanwhile goes back with a message.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, listen, screenshot, signIn } from '../../../tests/support/browser.js';
import type { Contact, DictionaryItem } from '../../crm/api.js';
import { createKanbanTestHost, type KanbanTestHost } from './support/kanban-host.js';

describe('The kanban board in a browser', function () {
  let host: KanbanTestHost;
  let browser: Browser;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let lead: DictionaryItem;
  let talks: DictionaryItem;
  let won: DictionaryItem;
  let anna: Contact;
  let piotr: Contact;

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createKanbanTestHost();
    lead = await host.status('Lead', '#0d6efd');
    talks = await host.status('Negotiation', '#fd7e14');
    won = await host.status('Won', '#198754');
    await host.status('Lost', '#dc3545');
    const maria = await host.userWithRights(['crm.access', 'crm.contacts.edit'], 'maria.kowalska@example.com');
    const acme = await host.contact({ kind: 'company', company_name: 'Zielona Łąka Sp. z o.o.', status_id: won.id, responsible_id: maria.id, emails: [{ value: 'biuro@zielona-laka.pl' }] });
    anna = await host.contact({ first_name: 'Anna', last_name: 'Nowak', company_id: acme.id, status_id: lead.id, responsible_id: host.admin.id, emails: [{ value: 'anna.nowak@zielona-laka.pl' }], phones: [{ value: '+48 601 234 567' }] });
    piotr = await host.contact({ first_name: 'Piotr', last_name: 'Wiśniewski', job_title: 'CEO', status_id: lead.id, responsible_id: maria.id, phones: [{ value: '+48 22 555 01 02' }] });
    await host.contact({ first_name: 'Olena', last_name: 'Kovalenko', status_id: talks.id, responsible_id: maria.id, emails: [{ value: 'olena@example.com' }] });
    await host.contact({ first_name: 'Jan', last_name: 'Kowalczyk', status_id: talks.id });
    await host.contact({ first_name: 'Hanna', last_name: 'Bez Statusu', emails: [{ value: 'hanna@example.com' }] });
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } })).newPage();
    page.on('pageerror', (err) => console.log('    page error:', err.message));
    await signIn(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  const list = (id: number | 'none') => page.locator(`[data-testid="kanban-list-${id}"]`);
  const card = (id: number) => page.locator(`[data-testid="kanban-card-${id}"]`);
  const count = (id: number | 'none') => page.locator(`[data-testid="kanban-count-${id}"]`);

  /** Drags with the mouse, step by step, the way SortableJS's fallback mode follows it. */
  async function drag(from: Locator, to: Locator): Promise<void> {
    const a = (await from.boundingBox())!;
    const b = (await to.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + a.width / 2 + 8, a.y + a.height / 2 + 8, { steps: 4 });
    await page.mouse.move(b.x + b.width / 2, b.y + 30, { steps: 15 });
    await page.mouse.move(b.x + b.width / 2, b.y + 34, { steps: 3 });
    await page.mouse.up();
  }

  it('drags a card to another column, and it stays there after a reload', async () => {
    await page.goto(`${baseUrl}/kanban`);
    await card(anna.id).waitFor();
    expect(await count(lead.id).innerText()).to.equal('2');
    await screenshot(page, 'kanban-board');

    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/kanban/cards/${anna.id}/move`));
    // Grabbed by its name, which is also the link to the card: a drag is not a click.
    await drag(card(anna.id).locator('.kanban-card-name'), list(won.id));
    expect((await saved).status()).to.equal(200);
    expect(new URL(page.url()).pathname).to.equal('/kanban');
    await page.waitForFunction((id) => !document.querySelector(`[data-testid="kanban-card-${id}"]`)?.classList.contains('kanban-card-busy'), anna.id);
    expect(await list(won.id).locator(`[data-testid="kanban-card-${anna.id}"]`).count()).to.equal(1);
    expect(await count(lead.id).innerText()).to.equal('1');
    expect(await count(won.id).innerText()).to.equal('2');

    await page.reload();
    await card(anna.id).waitFor();
    expect(await list(won.id).locator(`[data-testid="kanban-card-${anna.id}"]`).count()).to.equal(1);
    expect(await list(lead.id).locator(`[data-testid="kanban-card-${anna.id}"]`).count()).to.equal(0);
    expect((await host.contacts.get(host.admin, anna.id)).status_id).to.equal(won.id);
    const [entry] = await host.history.list(host.admin, anna.id, { field: 'status_id' });
    expect(entry).to.deep.include({ old_value: lead.id, new_value: won.id });
    await screenshot(page, 'kanban-after-drag');
    // A plain click still opens the client.
    await Promise.all([page.waitForURL(new RegExp(`/crm/contacts/${anna.id}$`)), card(anna.id).locator('.kanban-card-name').click()]);
  });

  it('puts a card back with a message when the client changed meanwhile', async () => {
    await page.goto(`${baseUrl}/kanban`);
    await card(piotr.id).waitFor();
    // Somebody else edits the client after the board was drawn.
    await host.contacts.update(host.admin, piotr.id, { job_title: 'Owner' }, piotr.version);
    const refused = page.waitForResponse((r) => r.url().endsWith(`/api/v1/kanban/cards/${piotr.id}/move`));
    await drag(card(piotr.id), list(talks.id));
    expect((await refused).status()).to.equal(409);
    const toast = page.locator('[data-testid="kanban-toast"]');
    await toast.waitFor({ state: 'visible' });
    expect(await toast.innerText()).to.contain('“Piotr Wiśniewski” was changed by someone else in the meantime');
    expect(await list(lead.id).locator(`[data-testid="kanban-card-${piotr.id}"]`).count()).to.equal(1);
    expect(await count(lead.id).innerText()).to.equal('1');
    expect(await count(talks.id).innerText()).to.equal('2');
    await page.waitForTimeout(400); // the toast's fade-in
    await screenshot(page, 'kanban-stale');

    // The card now carries the current version: a second try goes through.
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/kanban/cards/${piotr.id}/move`));
    await drag(card(piotr.id), list(talks.id));
    expect((await saved).status()).to.equal(200);
    expect((await host.contacts.get(host.admin, piotr.id)).status_id).to.equal(talks.id);
  });

  it('fits a phone: columns scroll sideways', async () => {
    const phone = await (await browser.newContext({ locale: 'pl-PL', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true })).newPage();
    await signIn(phone, baseUrl);
    await phone.goto(`${baseUrl}/kanban`);
    await phone.locator('[data-testid="kanban-board"]').waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).to.be.at.most(1);
    await screenshot(phone, 'kanban-phone');
    await phone.close();
  });
});
