/**
 * Script and HTML in a firm's name and notes, in a park's name, in a search filter and in the
 * audit log render as text everywhere: no dialog opens, no injected script runs, and the page
 * reports no CSP violation.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { type BrowserContext, jsErrors, startBrowserContext } from '../helpers/browser.js';

const NAME = '<img src=x onerror="window.__xss=1;alert(1)">宁波测试有限公司';
const NOTES = '<script>window.__xss=2;alert(2)</script>"><svg onload=alert(3)>';
const PARK = '</script><script>window.__xss=3;alert(4)</script>园区';
const QUERY = '"><svg onload=alert(5)>';

describe('hostile text renders as text (browser)', function () {
  this.timeout(60_000);
  let ctx: BrowserContext;
  let page: Page;
  let uscc: string;

  before(async () => {
    ctx = await startBrowserContext({ firms: 60 });
    const firm = await ctx.db('firms').where({ stage: 'tech_sme' }).first();
    uscc = firm.uscc;
    const [row] = await ctx.db('parks').insert({ code: 'evil', name: PARK, kind: 'park', is_active: true, sort_order: 99 }).returning('id');
    const parkId = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    await ctx.db('firms').where({ uscc }).update({ park_id: parkId, notes: NOTES });
  });
  after(async () => {
    await ctx?.close();
  });
  beforeEach(async () => {
    page = await ctx.newPage();
  });
  afterEach(async () => {
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).to.equal(undefined);
    expect(jsErrors(page)).to.deep.equal([]);
    await page.close();
  });

  it('the firm page shows a hostile name typed into the edit form, and the notes, as text', async () => {
    await page.goto(`${ctx.baseUrl}/firms/${uscc}`);
    await page.click('text=编辑资料');
    await page.locator('#firm-form input[name=name]').fill(NAME);
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/firms/${uscc}`)),
      page.click('#firm-form button[type=submit]'),
    ]);
    // htmx follows HX-Redirect with a full page load of the firm page.
    await page.waitForFunction((name) => document.querySelector('h1')?.textContent === name, NAME);
    expect(await page.locator('h1').textContent()).to.equal(NAME);
    expect(await page.locator('.profile dd.prewrap').textContent()).to.equal(NOTES);
    expect(await page.locator('img[src=x]').count()).to.equal(0);
  });

  it('the board card, its park and a hostile search filter render as text', async () => {
    await page.goto(`${ctx.baseUrl}/board?q=${encodeURIComponent(QUERY)}`);
    expect(await page.locator('#board-filters input[name=q]').inputValue()).to.equal(QUERY);
    await page.goto(`${ctx.baseUrl}/board`);
    const card = page.locator(`#card-${uscc}`);
    expect(await card.locator('.card-name').textContent()).to.equal(NAME);
    expect(await card.locator('.card-park').textContent()).to.equal(PARK);
    expect(await page.locator('svg').count()).to.equal(0);
  });

  it('the audit page shows the before/after of the hostile edit as text', async () => {
    await page.goto(`${ctx.baseUrl}/admin/audit?action=firm.update`);
    const changes = await page.locator('table.audit td.changes').first().textContent();
    expect(changes).to.include(NAME);
  });

  it('chart labels (park names) are drawn as text and the chart data cannot break out of its script block', async () => {
    await page.goto(`${ctx.baseUrl}/dashboard`);
    await page.waitForFunction(() => {
      const c = document.querySelector('#park-chart') as HTMLCanvasElement | null;
      return !!c && !!(window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart.getChart(c);
    });
    const labels = await page.evaluate(() => {
      const c = document.querySelector('#park-chart') as HTMLCanvasElement;
      return (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: string[] } } } }).Chart.getChart(c).data.labels;
    });
    expect(labels).to.include(PARK);
    expect(await page.locator('script:not([src]):not([type="application/json"])').count()).to.equal(0);
  });
});
