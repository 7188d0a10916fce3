/**
 * A caseworker's day in the browser: upload a list (htmx multipart upload, polling progress),
 * commit it and see the badges on the board; then type a firm's figures in place, with messages
 * appearing as they type and the readiness panel updating on save.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { writeCsv } from '../helpers/list-files.js';
import { type BrowserContext, jsErrors, startBrowserContext } from '../helpers/browser.js';

describe('lists and figures in a real browser', function () {
  this.timeout(90_000);
  let ctx: BrowserContext;
  let page: Page;

  before(async () => {
    ctx = await startBrowserContext({ firms: 80 });
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

  it('uploads a GBK list, confirms the mapping, watches the check, commits, and finds the badge on the board', async () => {
    const firms = (await ctx.db('firms').where({ stage: 'candidate' }).limit(3).select('uscc', 'name')) as { uscc: string; name: string }[];
    const file = writeCsv(
      [['序号', '统一社会信用代码', '单位详细名称', '营业收入（万元）'], ...firms.map((f, i) => [i + 1, f.uscc, f.name, 1200 + i]), [9, '12345', '错误代码有限公司', 1]],
      { encoding: 'gbk', name: '规下样本-2026.csv' },
    );
    await page.goto(`${ctx.baseUrl}/lists`);
    await page.selectOption('select[name=kind]', 'below_scale');
    await page.selectOption('select[name=year]', { index: 0 });
    await page.setInputFiles('input[name=file]', file);
    await Promise.all([page.waitForURL(/\/lists\/imports\/\d+$/), page.click('text=上传并识别表头')]);
    expect(await page.locator('select[name=field_1]').inputValue()).to.equal('uscc');
    // The header says 万元: the unit is the header's, shown and sent with the mapping, not offered as a choice.
    expect(await page.locator('input[name=unit_3]').inputValue()).to.equal('wan');
    expect(await page.locator('select[name=unit_3]').count()).to.equal(0);
    expect(await page.locator('.header-unit').first().textContent()).to.include('万元');
    await page.click('text=确认列对应并开始核对');
    await page.locator('text=核对结果').waitFor({ timeout: 30_000 });
    expect(await page.locator('.stat-ok .stat-n').textContent()).to.equal('3');
    expect(await page.locator('table.rejects .reason').first().textContent()).to.include('18位');
    await page.click('button:has-text("提交 3 行")');
    await page.locator('text=本批次已生效').waitFor({ timeout: 30_000 });
    await page.goto(`${ctx.baseUrl}/board?list=below_scale`);
    const badge = page.locator(`#card-${firms[0]!.uscc} .badge`, { hasText: '规下' });
    expect(await badge.count()).to.be.greaterThan(0);
  });

  it('types figures into a year: wrong input is flagged while typing, and saving updates the table and the readiness panel in place', async () => {
    const firm = (await ctx.db('firms').where({ stage: 'hte_reserve' }).first('uscc')) as { uscc: string };
    await page.goto(`${ctx.baseUrl}/firms/${firm.uscc}`);
    await page.click('text=录入/修改该年指标');
    await page.locator('.figures-form').waitFor();
    await page.fill('.figures-form input[name=salesRevenue]', '一千');
    await page.locator('#fig-err-salesRevenue', { hasText: '金额' }).waitFor();
    await page.fill('.figures-form input[name=salesRevenue]', '8888.5');
    await page.waitForFunction(() => document.querySelector('#fig-err-salesRevenue')?.textContent === '');
    await page.click('.figures-form button[type=submit]');
    await page.locator('#firm-figures table.figures').waitFor();
    expect(await page.locator('#firm-figures').textContent()).to.include('8,888.50');
    expect(await page.locator('#firm-readiness').count()).to.equal(1);
    expect(page.url()).to.match(new RegExp(`/firms/${firm.uscc}$`));
  });
});
