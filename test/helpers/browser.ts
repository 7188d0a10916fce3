/**
 * Browser tests drive Debian's Chromium through playwright-core against the real app, served on a
 * random local port from a temporary SQLite file filled with the demo data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { type Browser, type Page, chromium } from 'playwright-core';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { createDb } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { DEMO_PASSWORD, seedDemoData } from '../../src/demo/seed.js';
import { testPasswordHash } from './factories.js';
import { clearDashboardCache } from '../../src/features/dashboard/dashboard.service.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The app's designed refusals (422 asks for input, 409 reports a conflict) are answers a page
 * shows; Chromium still logs each as "Failed to load resource". Every other console error — a
 * script error, an htmx error such as oobErrorNoTarget, a CSP violation, a 404 or a 500 —
 * fails the test that caused it.
 */
const EXPECTED_REFUSAL = /^Failed to load resource: the server responded with a status of (409|422)\b/;

/** Every page any context opened, with what it reported since the last check. */
const livePages = new Set<Page>();
/** Errors of pages closed before the check. */
const closedPageErrors: string[] = [];

/**
 * After every browser test (a root-level hook: this module is imported by every browser test
 * file): any console error or CSP violation on any open page fails that test.
 */
/** Every error reported since the last call, on any page (and forgets them). */
export function takeBrowserErrors(): string[] {
  const found: string[] = closedPageErrors.splice(0);
  for (const page of livePages) found.push(...jsErrors(page).splice(0));
  return found;
}

if (typeof afterEach === "function") afterEach(function () {
  const found = takeBrowserErrors();
  if (found.length) throw new Error(`console errors or CSP violations during “${this.currentTest?.fullTitle()}”:\n  ${found.join('\n  ')}`);
});

export interface BrowserContext {
  db: Knex;
  baseUrl: string;
  browser: Browser;
  /** A new page signed in as `user` (a demo user; default admin), or anonymous when user is null. */
  newPage(user?: string | null): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowserContext(options: { firms?: number } = {}): Promise<BrowserContext> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-browser-'));
  const db = createDb(`sqlite:${path.join(dir, 'test.sqlite')}`);
  await migrateLatest(db);
  await seedDemoData(db, { firms: options.firms ?? 120, passwordHash: await testPasswordHash() });
  clearDashboardCache();
  const app = createApp(db, testConfig());
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const pages: Page[] = [];
  return {
    db,
    baseUrl: `http://127.0.0.1:${port}`,
    browser,
    async newPage(user: string | null = 'admin') {
      // A context per page: separate cookies, like separate people at separate desks.
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`script error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() !== 'error' || EXPECTED_REFUSAL.test(m.text())) return;
        errors.push(/Content Security Policy|Refused to/.test(m.text()) ? `CSP: ${m.text()}` : `console error: ${m.text()}`);
      });
      // A CSP violation is reported as an event even where Chromium logs nothing (report-only, eval in a worker).
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused by Content Security Policy: ${e.violatedDirective} ${e.blockedURI || 'inline'}`));
      });
      page.on('dialog', (d) => {
        errors.push(`unexpected browser dialog: ${d.message()}`);
        void d.dismiss();
      });
      (page as Page & { jsErrors: string[] }).jsErrors = errors;
      pages.push(page);
      livePages.add(page);
      page.on('close', () => {
        livePages.delete(page);
        closedPageErrors.push(...errors.splice(0));
      });
      if (user) await login(page, `http://127.0.0.1:${port}`, user);
      return page;
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function login(page: Page, baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}

export function jsErrors(page: Page): string[] {
  return (page as Page & { jsErrors?: string[] }).jsErrors ?? [];
}

/** Drag with real mouse events, in small steps, as a person would. */
export async function dragTo(page: Page, source: string, target: string): Promise<void> {
  const from = await page.locator(source).boundingBox();
  const to = await page.locator(target).boundingBox();
  if (!from || !to) throw new Error(`cannot drag ${source} → ${target}: not visible`);
  await page.mouse.move(from.x + from.width / 2, from.y + 12);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 10, from.y + 20, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + 30, { steps: 12 });
  await page.mouse.move(to.x + to.width / 2, to.y + 34, { steps: 2 });
  await page.mouse.up();
}
