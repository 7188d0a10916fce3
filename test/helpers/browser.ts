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
import { createDb } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { clearDashboardCache } from '../../src/features/dashboard/dashboard.service.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserContext {
  db: Knex;
  baseUrl: string;
  browser: Browser;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowserContext(options: { firms?: number } = {}): Promise<BrowserContext> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-browser-'));
  const db = createDb(`sqlite:${path.join(dir, 'test.sqlite')}`);
  await migrateLatest(db);
  await seedDemoData(db, { firms: options.firms ?? 120 });
  clearDashboardCache();
  const app = createApp(db, { production: false });
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
    async newPage() {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => {
        errors.push(`unexpected browser dialog: ${d.message()}`);
        void d.dismiss();
      });
      (page as Page & { jsErrors: string[] }).jsErrors = errors;
      pages.push(page);
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
