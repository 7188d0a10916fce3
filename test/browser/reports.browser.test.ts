import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { type BrowserContext, jsErrors, startBrowserContext } from '../helpers/browser.js';
import { liveReportSettings } from '../../src/features/reporting/live-report.js';

describe('annual report and dashboard charts in a real browser', function () {
  this.timeout(60_000);
  let ctx: BrowserContext;
  let page: Page;
  const year = new Date().getFullYear() - 1;

  before(async () => {
    ctx = await startBrowserContext();
  });
  after(async () => {
    await ctx?.close();
  });
  beforeEach(async () => {
    page = await ctx.newPage('leader');
  });
  afterEach(async () => {
    expect(jsErrors(page)).to.deep.equal([]);
    await page.close();
  });

  const drawn = (ids: string[]) =>
    page.waitForFunction((list) => list.every((id) => {
      const c = document.getElementById(id) as HTMLCanvasElement | null;
      return !!c && !!(window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart.getChart(c) && c.width > 0;
    }), ids);

  it('draws the report’s three charts (with their tables), also for print, without console errors or CSP violations', async () => {
    await page.goto(`${ctx.baseUrl}/reports/${year}?view=live`);
    await drawn(['report-monthly-chart', 'report-parks-chart', 'report-expiring-chart']);
    expect(await page.locator('#monthly-table tbody tr').count()).to.equal(3);
    expect(await page.locator('#t2-parks tbody tr').count()).to.be.greaterThan(0);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.topbar').isVisible()).to.equal(false);
    expect(await page.locator('.print-heading').isVisible()).to.equal(true);
    await page.emulateMedia({ media: 'screen' });
  });

  it('draws the certification charts on the dashboard, and again after a filter swaps the panel', async () => {
    await page.goto(`${ctx.baseUrl}/dashboard?year=${year}`);
    await drawn(['funnel-chart', 'report-monthly-chart', 'report-parks-chart', 'report-expiring-chart']);
    await page.selectOption('#dashboard-filters select[name=year]', String(year - 1));
    await page.waitForFunction((y) => document.querySelector('#cert-charts h2')?.textContent?.startsWith(`${y} 年`), year - 1);
    await drawn(['report-monthly-chart', 'report-parks-chart', 'report-expiring-chart']);
  });

  it('a leader freezes the report: the page then says 定稿', async () => {
    await page.goto(`${ctx.baseUrl}/reports/${year}?view=live`);
    await page.fill('.freeze-form input[name=note]', '浏览器测试');
    await Promise.all([page.waitForURL(/snapshot=\d+/), page.click('.freeze-form button[type=submit]')]);
    expect(await page.locator('#report-stamp').textContent()).to.include('定稿');
    await drawn(['report-monthly-chart']);
  });

  it('a large county: the first read waits on a page that polls, then shows the report computed in the background, and the dashboard its charts', async () => {
    const saved = liveReportSettings.syncBelowFirms;
    liveReportSettings.syncBelowFirms = 0;
    try {
      await page.goto(`${ctx.baseUrl}/reports/${year - 2}?view=live`);
      expect(await page.locator('#report-status').textContent()).to.include('正在计算');
      // htmx polls the status; when the worker has finished, the page reloads itself (HX-Refresh).
      await page.waitForSelector('#report-stamp', { timeout: 30_000 });
      expect(await page.locator('#report-stamp').textContent()).to.match(/实时计算：截至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      await drawn(['report-monthly-chart', 'report-parks-chart', 'report-expiring-chart']);
      await page.goto(`${ctx.baseUrl}/dashboard?year=${year - 2}`);
      expect(await page.locator('#cert-charts-stamp').textContent()).to.include('与年度报告同一次计算');
      await drawn(['funnel-chart', 'report-monthly-chart', 'report-parks-chart', 'report-expiring-chart']);
    } finally {
      liveReportSettings.syncBelowFirms = saved;
    }
  });
});
