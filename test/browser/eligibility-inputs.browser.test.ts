/** A counsellor's caseworker enters a patent on the firm's 认定数据 page and watches the readiness panel change. */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { type BrowserContext, jsErrors, startBrowserContext } from '../helpers/browser.js';

describe('eligibility inputs in a real browser', function () {
  this.timeout(90_000);
  let ctx: BrowserContext;
  let page: Page;

  before(async () => {
    ctx = await startBrowserContext({ firms: 20 });
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

  it('enters a patent: the IP condition turns from 不符合 to 待评审 and names the patent', async () => {
    const firm = (await ctx.db('firms').where({ stage: 'hte_reserve' }).first('id', 'uscc')) as { id: number; uscc: string };
    const year = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4)) - 1;
    await ctx.db('ip_items').where({ firm_id: firm.id }).del();
    await ctx.db('annual_figures').where({ firm_id: firm.id, year }).del();
    await ctx.db('annual_figures').insert({ firm_id: firm.id, year, ip_class1: 0, ip_class2: 0, ip_class2_used: 0, version: 1, updated_at: new Date().toISOString() });
    await page.goto(`${ctx.baseUrl}/firms/${firm.uscc}`);
    await Promise.all([page.waitForURL(/\/inputs$/), page.click('text=认定数据')]);
    const ipCondition = page.locator('#firm-readiness table.conditions tbody tr', { hasText: '拥有核心知识产权' });
    expect(await ipCondition.locator('.status').textContent()).to.equal('不符合');
    await page.selectOption('#ip-form select[name=kind]', 'invention');
    await page.fill('#ip-form input[name=number]', 'ZL201710601862.3');
    await page.fill('#ip-form input[name=title]', '一种光学镜头的镀膜方法');
    await page.fill('#ip-form input[name=appliedOn]', '2017-07-10');
    await page.fill('#ip-form input[name=grantedOn]', '2019-11-05');
    await Promise.all([page.waitForURL(/\/inputs#ip$/), page.click('#ip-form button[type=submit]')]);
    await page.locator('table.ip-items', { hasText: 'ZL201710601862.3' }).waitFor();
    expect(await ipCondition.locator('.status').textContent()).to.equal('待评审/核实');
    expect(await ipCondition.textContent()).to.include('Ⅰ类 1 项').and.include('ZL201710601862.3');
    expect(await page.locator('table.ip-items').textContent()).to.include('计入：Ⅰ类，自主研发');
  });
});
