/**
 * Headless Chromium from Debian driven by playwright-core, against a test host listening on a
 * loopback port. Suites skip (with the reason) when /usr/bin/chromium is not installed;
 * `.ci/run` installs it.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ADMIN, ROOT, type TestHost } from './test-host.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, '.tmp', 'screenshots');

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function listen(host: TestHost): Promise<{ baseUrl: string; server: Server }> {
  const server = host.app!.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export async function signIn(page: Page, baseUrl: string, email = ADMIN.email, password = ADMIN.password): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Drags `from` (a handle) onto a point of `to` with the mouse, the way a person does and the way
 * SortableJS follows it: press, a small move past its threshold, the way over in steps, a pause
 * for its swap animation, release. Paced so a busy machine's late animation frames cannot lose
 * the drop. `at` picks the point on the target (default: near its top-left, i.e. "above it").
 */
export async function dragWithMouse(page: Page, from: Locator, to: Locator, at: (box: { x: number; y: number; width: number; height: number }) => { x: number; y: number } = (b) => ({ x: b.x + 20, y: b.y + 4 })): Promise<void> {
  await to.scrollIntoViewIfNeeded();
  const a = (await from.boundingBox())!;
  const start = { x: a.x + a.width / 2, y: a.y + a.height / 2 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 4, start.y - 6, { steps: 4 });
  await page.waitForTimeout(50);
  // Measured after the drag started: SortableJS may have shifted the rows.
  const end = at((await to.boundingBox())!);
  await page.mouse.move(end.x, end.y + 12, { steps: 15 });
  await page.waitForTimeout(50);
  await page.mouse.move(end.x, end.y, { steps: 5 });
  await page.waitForTimeout(250);
  await page.mouse.up();
  await page.waitForTimeout(50);
}
