/**
 * The register in a real browser: the 资质 page from the menu, its filters, recording an HTE
 * certificate for a firm in 高企申报中 (the firm moves on the board), and the calendar with a tick.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { todayInShanghai } from '../../src/lib/dates.js';
import { type BrowserContext, jsErrors, startBrowserContext } from '../helpers/browser.js';

describe('certification register in a real browser', function () {
  this.timeout(90_000);
  let ctx: BrowserContext;
  let page: Page;

  before(async () => {
    ctx = await startBrowserContext({ firms: 200 });
  });
  after(async () => {
    await ctx?.close();
  });
  beforeEach(async () => {
    page = await ctx.newPage('caseworker');
  });
  afterEach(async () => {
    expect(jsErrors(page)).to.deep.equal([]);
    await page.close();
  });

  it('opens 资质 from the menu, filters to 高新技术企业, and records a certificate that moves the firm to 高新技术企业', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    await Promise.all([page.waitForURL(/\/certifications$/), page.click('nav.mainnav >> text=资质')]);
    const all = await page.locator('.register-table tbody tr').count();
    expect(all).to.be.greaterThan(10);
    await page.selectOption('select[name=kind]', 'hte');
    await Promise.all([page.waitForURL(/kind=hte/), page.click('form.filters button[type=submit]')]);
    const kinds = await page.locator('.register-table tbody tr td:nth-child(4)').allTextContents();
    expect(kinds.length).to.be.greaterThan(0);
    expect(new Set(kinds)).to.deep.equal(new Set(['高新技术企业']));

    const firm = (await ctx.db('firms').where({ stage: 'hte_reserve' }).whereNotExists(ctx.db('certifications').whereRaw('certifications.firm_id = firms.id').andWhere('kind', 'hte')).first('uscc', 'id')) as { uscc: string; id: number };
    const today = todayInShanghai();
    const year = today.slice(0, 4);
    await page.goto(`${ctx.baseUrl}/firms/${firm.uscc}`);
    await Promise.all([page.waitForURL(/\/certifications\/(new|\d+\/edit)/), page.click('#certifications .panel-actions a:has-text("高新技术企业")')]);
    await page.fill('input[name=year]', year);
    await page.fill('input[name=number]', `GR${year}33999001`);
    await page.fill('input[name=issuedOn]', today);
    await Promise.all([page.waitForURL(new RegExp(`/firms/${firm.uscc}`)), page.click('button:has-text("保存")')]);
    expect(await page.locator('#flash').textContent()).to.include('高新技术企业');
    expect(await page.locator('.subtitle .stage-chip').textContent()).to.equal('高新技术企业');
    expect(await page.locator('#certifications').textContent()).to.include(`GR${year}33999001`);
    // A wrong number is refused with a Chinese message, nothing saved.
    await page.goto(`${ctx.baseUrl}/certifications/new?firm=${firm.uscc}&kind=hte`);
    await page.fill('input[name=year]', String(Number(year) - 1));
    await page.fill('input[name=number]', 'GR12');
    await page.fill('input[name=issuedOn]', today);
    await page.click('button:has-text("保存")');
    await page.locator('.field-error', { hasText: 'GR 加 12 位数字' }).waitFor();
  });

  it('shows the calendar, ticks a report as filed, and offers the export', async () => {
    await page.goto(`${ctx.baseUrl}/certifications/calendar?days=90`);
    expect(await page.locator('h1').textContent()).to.equal('后续管理');
    expect(await page.locator('a:has-text("导出 Excel")').getAttribute('href')).to.match(/^\/certifications\/calendar\.xlsx\?/);
    const tick = page.locator('.calendar-table form.tick-form').first();
    if ((await tick.count()) > 0) {
      const before = await page.locator('.calendar-table form.tick-form').count();
      await Promise.all([page.waitForURL(/\/certifications\/calendar/), tick.locator('button').click()]);
      expect(await page.locator('#flash').textContent()).to.include('已报送');
      expect(await page.locator('.calendar-table form.tick-form').count()).to.equal(before - 1);
    }
  });
});
