/**
 * A counsellor's week in a real browser (issue 9): they land on their workspace, record a visit
 * with a next step, see the follow-up in their queue (due today) and complete it; any console
 * error or CSP violation fails the test.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { type BrowserContext, startBrowserContext, takeBrowserErrors } from '../helpers/browser.js';
import { todayInShanghai } from '../../src/lib/dates.js';

describe('a counsellor in a real browser', function () {
  this.timeout(90_000);
  let ctx: BrowserContext;
  let page: Page;

  before(async () => {
    ctx = await startBrowserContext();
  });
  after(async () => {
    await ctx?.close();
  });
  afterEach(async () => {
    await page?.close();
    expect(takeBrowserErrors()).to.deep.equal([]);
  });

  it('records a visit, sees its follow-up in the queue and completes it', async () => {
    page = await ctx.newPage('counsellor');
    expect(new URL(page.url()).pathname).to.equal('/coaching');
    const me = await ctx.db('users').where({ username: 'counsellor' }).first('id');
    const firm = await ctx.db('firms').where({ counsellor_id: me.id }).whereNotIn('stage', ['candidate', 'exited']).orderBy('id').first('uscc', 'name', 'id');
    const title = '浏览器测试：寄送研发费用辅助账模板';

    await page.goto(`${ctx.baseUrl}/coaching/interactions/new?firm=${firm.uscc}&next=/coaching`);
    const form = page.locator('#interaction-form');
    expect(await form.locator(`input[name="firm"][value="${firm.uscc}"]`).isChecked()).to.equal(true);
    await form.locator('input[name="topic"][value="rd_expense"]').check();
    await form.locator('textarea[name="notes"]').fill('讲解研发费用归集口径。');
    // Without a next step the save is refused in place, and nothing is lost.
    await form.locator('button[type="submit"]').click();
    await page.locator('#interaction-form .form-error').waitFor();
    expect(await page.locator('#interaction-form').textContent()).to.include('请填写下一步及其到期日，或勾选“无需跟进”。');
    expect(await page.locator('#interaction-form textarea[name="notes"]').inputValue()).to.equal('讲解研发费用归集口径。');
    await page.locator('#interaction-form input[name="nextStep"]').fill(title);
    await page.locator('#interaction-form input[name="nextDue"]').fill(todayInShanghai());
    await page.locator('#interaction-form button[type="submit"]').click();
    await page.waitForURL(`${ctx.baseUrl}/coaching`);
    expect(await page.locator('#flash').textContent()).to.include('已记录辅导');

    const item = page.locator('.coaching-queue .follow-up', { hasText: title });
    await item.waitFor();
    expect(await item.locator('.due').getAttribute('class')).to.include('due-today');
    await item.locator('summary').click();
    await item.locator('input[name="result"]').fill('已寄送，企业确认收到');
    await item.locator('button', { hasText: '完成' }).click();
    await page.locator('#flash', { hasText: '已完成' }).waitFor();
    expect(await page.locator('.coaching-queue .follow-up', { hasText: title }).count()).to.equal(0);
    const row = await ctx.db('follow_ups').where({ firm_id: firm.id, title }).first();
    expect(row).to.include({ status: 'done', result: '已寄送，企业确认收到' });

    // The firm's timeline keeps the done follow-up, dated the day it was done.
    await page.goto(`${ctx.baseUrl}/firms/${firm.uscc}`);
    const done = page.locator('#coaching .timeline li', { hasText: '已寄送，企业确认收到' });
    expect(await done.locator('.tl-date').textContent()).to.equal(todayInShanghai());
  });
});
