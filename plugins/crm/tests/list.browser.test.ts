import type { Server } from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TOKENS, type UsersService } from '../../../host/api.js';
import { chromiumAvailable, dragWithMouse, launchBrowser, listen, screenshot, SCREENSHOTS, signIn } from '../../../tests/support/browser.js';
import type { ContactInput } from '../api.js';
import { createCrmTestHost, type CrmTestHost } from './support/crm-host.js';

const PEOPLE: Array<[string, string, string]> = [
  // [first, last, phone prefix or '']
  ['Łukasz', 'Żółkiewski', '+48 600 100 1'],
  ['Małgorzata', 'Wiśniewska', '+48 600 100 1'],
  ['Agnieszka', 'Wójcik', ''],
  ['Paweł', 'Kamiński', '+48 600 100 1'],
  ['Krzysztof', 'Lewandowski', ''],
  ['Katarzyna', 'Zielińska', '+48 600 100 1'],
  ['Michał', 'Szymański', ''],
  ['Joanna', 'Woźniak', '+48 600 100 1'],
  ['Tomasz', 'Dąbrowski', ''],
  ['Magdalena', 'Kozłowska', '+48 600 100 1'],
  ['Piotr', 'Jankowski', ''],
  ['Ewa', 'Mazur', '+48 600 100 1'],
  ['Grzegorz', 'Kwiatkowski', ''],
  ['Zofia', 'Krawczyk', ''],
  ['Jakub', 'Piotrowski', '+48 600 100 1'],
  ['Иван', 'Петров', '+7 912 345 67 '],
  ['Мария', 'Смирнова', '+7 912 345 67 '],
  ['Алексей', 'Кузнецов', ''],
  ['Ольга', 'Попова', '+7 912 345 67 '],
  ['Дмитрий', 'Соколов', ''],
  ['Екатерина', 'Лебедева', '+7 912 345 67 '],
  ['Сергей', 'Козлов', ''],
  ['Наталья', 'Новикова', ''],
  ['Андрей', 'Морозов', '+7 912 345 67 '],
  ['Юлия', 'Волкова', ''],
  ['Артём', 'Фёдоров', '+7 912 345 67 '],
  ['Анна', 'Михайлова', ''],
  ['Олена', 'Шевченко', '+380 67 123 45 '],
  ['Тарас', 'Коваленко', '+380 67 123 45 '],
  ['Оксана', 'Бондаренко', ''],
  ['Андрій', 'Ткаченко', '+380 67 123 45 '],
  ['Ірина', 'Кравченко', ''],
  ['Богдан', 'Олійник', '+380 67 123 45 '],
  ['Наталія', 'Шевчук', ''],
  ['Юрій', 'Поліщук', '+380 67 123 45 '],
  ['Галина', 'Лисенко', ''],
  ['Ярослав', 'Мельник', '+380 67 123 45 '],
  ['Вікторія', 'Савченко', ''],
  ['Євген', 'Руденко', '+380 67 123 45 '],
  ['John', 'Smith', '+1 202 555 01'],
  ['Emily', 'Johnson', ''],
  ['Michael', 'Brown', '+1 202 555 01'],
  ['Sarah', 'Davis', ''],
  ['David', 'Wilson', '+1 202 555 01'],
  ['Jessica', 'Taylor', ''],
  ['James', 'Anderson', '+1 202 555 01'],
  ['Olivia', 'Thomas', ''],
  ['Robert', 'Martin', '+1 202 555 01'],
  ['Emma', 'Clarke', ''],
];
const COMPANIES = ['Acme Sp. z o.o.', 'Polbud S.A.', 'Wisła Logistics', 'ООО «Ромашка»', 'Сибирь Трейд', 'ТОВ «Дніпро-Агро»', 'Карпати Тур', 'Northwind Ltd', 'Blue Harbor Inc', 'Mazowsze Energia', 'Contoso Trading'];
/** What is on screen (menus and panels), rather than the whole page. */
async function viewShot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(350); // let the panel's slide-in finish
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

const TITLES = ['CEO', 'Sales manager', 'Accountant', 'Buyer', 'Engineer', 'Marketing lead', 'Office manager'];

describe('The client list in a browser', function () {
  let host: CrmTestHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: Server;
  let baseUrl: string;
  let leadLabel: string;

  /** The names in the table, top to bottom. */
  const names = () => page.locator('[data-testid=contact-name]').allInnerTexts();
  const headerIds = () => page.locator('[data-testid=contacts-table] thead th[data-col]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-col')));

  before(async function () {
    if (!chromiumAvailable()) {
      console.log('    (skipped: no /usr/bin/chromium; `apt-get install -y chromium` or run .ci/run)');
      return this.skip();
    }
    host = await createCrmTestHost();
    const users = host.services.get<UsersService>(TOKENS.Users);
    const marta = await users.create({ email: 'marta@example.com', password: 'marta-password-1', name: 'Marta Nowicka' });
    const statuses = [
      await host.dictionaries.create('status', { name: 'Lead', labels: { pl: 'Potencjalny', ru: 'Лид', uk: 'Лід' }, color: '#0d6efd' }),
      await host.dictionaries.create('status', { name: 'Negotiation', labels: { pl: 'Negocjacje' }, color: '#fd7e14' }),
      await host.dictionaries.create('status', { name: 'Client', labels: { pl: 'Klient' }, color: '#198754' }),
      await host.dictionaries.create('status', { name: 'Lost', labels: { pl: 'Utracony' }, color: '#adb5bd' }),
    ];
    leadLabel = 'Lead';
    const categories = [await host.dictionaries.create('category', { name: 'Partner' }), await host.dictionaries.create('category', { name: 'VIP' })];
    await host.fields.create({ key: 'budget', type: 'money', labels: { en: 'Budget', pl: 'Budżet' }, in_list: true });
    await host.fields.create({ key: 'region', type: 'select', labels: { en: 'Region', pl: 'Region' }, options: ['North', 'South', 'East', 'West'] });

    const companyIds: number[] = [];
    for (const [i, name] of COMPANIES.entries()) {
      const c = await host.contacts.create(host.admin, {
        kind: 'company',
        company_name: name,
        status_id: statuses[i % 3]!.id,
        category_id: categories[i % 2]!.id,
        emails: [{ value: `office${i}@company${i}.example.com` }],
        responsible_id: i % 2 ? marta.id : host.admin.id,
      });
      companyIds.push(c.id);
    }
    for (const [i, [first, last, phone]] of PEOPLE.entries()) {
      const input: ContactInput & { kind: 'person' } = {
        kind: 'person',
        first_name: first,
        last_name: last,
        job_title: TITLES[i % TITLES.length]!,
        status_id: statuses[i % statuses.length]!.id,
        company_id: i % 3 === 0 ? companyIds[i % companyIds.length]! : null,
        responsible_id: i % 4 === 0 ? null : i % 2 ? marta.id : host.admin.id,
        emails: i % 5 === 4 ? [] : [{ value: `person${i}@example.com` }],
        phones: phone ? [{ value: `${phone}${String(10 + i).padStart(2, '0')}` }] : [],
        custom: { budget: (i * 137) % 5000, region: ['North', 'South', 'East', 'West'][i % 4] },
      };
      await host.contacts.create(host.admin, input);
    }
    ({ baseUrl, server } = await listen(host));
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
    page = await context.newPage();
    await signIn(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await host?.dispose();
  });

  it('opens the list with counts, statuses and the first page of fifty', async () => {
    await page.goto(`${baseUrl}/crm/contacts`);
    expect(await page.locator('[data-testid=list-count]').innerText()).to.equal('60 contacts');
    expect(await page.locator('[data-testid=page-range]').innerText()).to.equal('1–50 of 60');
    expect(await page.locator('[data-testid=contact-name]').count()).to.equal(50);
    expect(await page.locator('.crm-status').first().isVisible()).to.equal(true);
    await screenshot(page, 'crm-list');
  });

  it('finds a Cyrillic name typed in upper case while typing', async () => {
    await page.fill('[data-testid=list-search]', 'ШЕВЧЕНКО');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=contact-name]').length === 1);
    expect(await names()).to.deep.equal(['Олена Шевченко']);
    expect(await page.locator('[data-testid=list-search]').evaluate((el) => el === document.activeElement)).to.equal(true);
    expect(new URL(page.url()).searchParams.get('q')).to.equal('ШЕВЧЕНКО');
    await screenshot(page, 'crm-list-search-cyrillic');
  });

  it('finds a Polish name typed without diacritics', async () => {
    await page.fill('[data-testid=list-search]', 'zolkiewski');
    await page.waitForFunction(() => document.querySelector('[data-testid=contact-name]')?.textContent === 'Łukasz Żółkiewski');
    expect(await names()).to.deep.equal(['Łukasz Żółkiewski']);
    await page.fill('[data-testid=list-search]', 'malgorzata wisn');
    await page.waitForFunction(() => document.querySelector('[data-testid=contact-name]')?.textContent === 'Małgorzata Wiśniewska');
    // The search survives a reload: it is in the address.
    await page.reload();
    expect(await page.locator('[data-testid=list-search]').inputValue()).to.equal('malgorzata wisn');
    expect(await names()).to.deep.equal(['Małgorzata Wiśniewska']);
  });

  it('filters by status from the filter panel and shows a removable chip', async () => {
    await page.goto(`${baseUrl}/crm/contacts`);
    await page.click('[data-testid=filters-button]');
    await page.waitForSelector('#crm-filters.show');
    await page.locator('[data-testid=filter-status] label', { hasText: leadLabel }).click();
    await viewShot(page, 'crm-list-filters');
    await page.locator('#crm-filters .offcanvas-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await viewShot(page, 'crm-list-filters-more');
    await Promise.all([page.waitForURL(/status_id=/), page.click('[data-testid=filters-apply]')]);
    expect(page.url()).not.to.contain('created_from'); // empty inputs stay out of the address
    const statuses = await page.locator('[data-testid=contacts-table] tbody .crm-status').allInnerTexts();
    expect(statuses.length).to.be.greaterThan(5);
    expect(new Set(statuses)).to.deep.equal(new Set([leadLabel]));
    expect((await page.locator('[data-testid=filter-chip]').innerText()).replace(/\s+/g, ' ')).to.contain('Status: Lead');
    expect(await page.locator('[data-testid=filters-count]').innerText()).to.equal('1');
    await screenshot(page, 'crm-list-filtered');
    await Promise.all([page.waitForURL((u) => !u.search.includes('status_id')), page.locator('[data-testid=filter-chip] a').click()]);
    expect(await page.locator('[data-testid=list-count]').innerText()).to.equal('60 contacts');
  });

  it('sorts by clicking a column header, and again the other way', async () => {
    await Promise.all([page.waitForURL(/sort=job_title/), page.click('th[data-col=job_title] a')]);
    const titles = await page.locator('[data-testid=contacts-table] tbody tr').evaluateAll((rows) => {
      const index = Array.from(document.querySelectorAll('[data-testid=contacts-table] thead th')).findIndex((th) => th.getAttribute('data-col') === 'job_title');
      return rows.map((r) => (r.children[index] as HTMLElement).innerText.trim());
    });
    expect(titles[0]).to.equal('');
    expect(titles.filter(Boolean)).to.deep.equal([...titles.filter(Boolean)].sort());
    expect(await page.locator('th[data-col=job_title]').getAttribute('aria-sort')).to.equal('ascending');
    await Promise.all([page.waitForURL(/order=desc/), page.click('th[data-col=job_title] a')]);
    expect(await page.locator('th[data-col=job_title]').getAttribute('aria-sort')).to.equal('descending');
    expect(await page.locator('[data-testid=contacts-table] tbody tr').first().innerText()).to.contain('Sales manager');
  });

  it('goes to the next page and back to the first', async () => {
    await page.goto(`${baseUrl}/crm/contacts`);
    const firstPage = await names();
    await Promise.all([page.waitForURL(/cursor=/), page.click('[data-testid=next-page]')]);
    expect(await page.locator('[data-testid=page-range]').innerText()).to.equal('51–60 of 60');
    const secondPage = await names();
    expect(secondPage).to.have.length(10);
    expect(secondPage.filter((n) => firstPage.includes(n))).to.deep.equal([]);
    await screenshot(page, 'crm-list-page-2');
    await Promise.all([page.waitForURL((u) => !u.search.includes('cursor')), page.click('[data-testid=prev-page]')]);
    expect(await names()).to.deep.equal(firstPage);
  });

  it('hides a column and moves another with the column chooser, and keeps the choice after a reload', async () => {
    await page.goto(`${baseUrl}/crm/contacts`);
    expect(await headerIds()).to.include('email');
    await page.click('[data-testid=columns-button]');
    await page.waitForSelector('[data-testid=columns-menu].show');
    await page.locator('[data-testid=columns-list] li[data-col=email] input').uncheck();
    // Drag "Created" above "Status", the first column after the name.
    const handle = page.locator('[data-testid=columns-list] li[data-col=created_at] .crm-col-handle');
    const target = page.locator('[data-testid=columns-list] li[data-col=status]');
    await dragWithMouse(page, handle, target);
    const order = await page.locator('[data-testid=columns-list] li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-col')));
    expect(order.indexOf('created_at')).to.equal(0);
    await viewShot(page, 'crm-list-columns');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=columns-apply]')]);
    const after = await headerIds();
    expect(after.slice(0, 3)).to.deep.equal(['name', 'created_at', 'status']);
    expect(after).not.to.include('email');
    await page.reload();
    expect(await headerIds()).to.deep.equal(after);
    await screenshot(page, 'crm-list-columns-saved');
  });

  it('restores a deleted contact from the trash', async () => {
    const [gone] = (await host.query.list(host.admin, { q: 'Mazur' })).items;
    await host.contacts.remove(host.admin, gone!.id);
    await page.goto(`${baseUrl}/crm/contacts`);
    expect(await page.locator('[data-testid=list-count]').innerText()).to.equal('59 contacts');
    await Promise.all([page.waitForURL(/trash=1/), page.click('[data-testid=trash-link]')]);
    expect(await names()).to.deep.equal(['Ewa Mazur']);
    await screenshot(page, 'crm-list-trash');
    await Promise.all([page.waitForURL(/restored=/), page.click(`[data-testid=restore-${gone!.id}]`)]);
    expect(await page.locator('[data-testid=restored]').innerText()).to.contain('Ewa Mazur is back among the contacts.');
    expect(await page.locator('[data-testid=list-empty]').getAttribute('data-empty')).to.equal('trash');
    await screenshot(page, 'crm-list-trash-restored');
    await Promise.all([page.waitForURL((u) => !u.search.includes('trash')), page.click('[data-testid=back-to-list]')]);
    expect(await page.locator('[data-testid=list-count]').innerText()).to.equal('60 contacts');
  });

  it('shows the list in Polish, and on a phone', async () => {
    await page.click('[data-testid=user-menu]');
    await Promise.all([page.waitForLoadState('load'), page.click('[data-testid=language-pl]')]);
    await page.waitForSelector('html[lang=pl]');
    expect(await page.locator('[data-testid=list-count]').innerText()).to.equal('60 kontaktów');
    expect(await page.locator('[data-testid=add-person]').innerText()).to.contain('Dodaj osobę');
    await screenshot(page, 'crm-list-pl');
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${baseUrl}/crm/contacts?q=ковал`);
    expect(await phone.locator('[data-testid=contact-name]').allInnerTexts()).to.deep.equal(['Тарас Коваленко']);
    await screenshot(phone, 'crm-list-phone');
    await phone.goto(`${baseUrl}/crm/contacts`);
    await screenshot(phone, 'crm-list-phone-full');
    await phone.close();
  });
});
