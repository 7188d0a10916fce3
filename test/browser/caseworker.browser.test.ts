/**
 * What a new caseworker met (issue 11), in a real browser: success is announced and focus returns
 * to what was changed; cancelled menus close; messages belong to the current value; saving figures
 * lands on the firm page's figures with the year marked; and any console error fails a test.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { type BrowserContext, startBrowserContext, takeBrowserErrors } from '../helpers/browser.js';
import { validUscc } from '../helpers/factories.js';

describe('a caseworker’s day in a real browser', function () {
  this.timeout(60_000);
  let ctx: BrowserContext;
  let page: Page;

  before(async () => {
    ctx = await startBrowserContext();
  });
  after(async () => {
    await ctx?.close();
  });
  beforeEach(async () => {
    page = await ctx.newPage('caseworker');
  });
  afterEach(async () => {
    await page.close();
  });

  const firstCard = async (stage: string) => (await page.locator(`#cards-${stage} .card`).first().getAttribute('data-uscc'))!;
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return el ? { tag: el.tagName, text: el.textContent?.trim() ?? '', card: el.closest('.card')?.getAttribute('data-uscc') ?? null, id: el.id } : null;
  });

  it('after a keyboard move the moved card has the focus and the move is announced', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const uscc = await firstCard('incubating');
    await page.locator(`#card-${uscc} summary`).focus();
    await page.keyboard.press('Enter');
    const target = page.locator(`#card-${uscc} button.move-target[value="tech_sme"]`);
    await target.waitFor();
    await target.focus();
    await page.keyboard.press('Enter');
    await page.locator(`#cards-tech_sme #card-${uscc}`).waitFor();
    await page.waitForFunction((u) => document.activeElement?.closest('.card')?.getAttribute('data-uscc') === u, uscc);
    expect((await focused())?.card).to.equal(uscc);
    const live = page.locator('#flash[aria-live="polite"]');
    expect(await live.textContent()).to.match(/已将 .+ 移到“科技型中小企业”/);
  });

  it('a menu closes when cancelled: Escape, a click elsewhere, or the dialog it opened dismissed', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const uscc = await firstCard('incubating');
    const menu = page.locator(`#card-${uscc} details.move-menu`);
    await page.locator(`#card-${uscc} summary`).focus();
    await page.keyboard.press('Enter');
    await page.locator(`#card-${uscc} button.move-target`).first().waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    expect(await menu.evaluate((d) => (d as HTMLDetailsElement).open)).to.equal(false);
    expect((await focused())?.card).to.equal(uscc);

    await page.locator(`#card-${uscc} summary`).click();
    await page.locator('h1, .page-head').first().click();
    expect(await menu.evaluate((d) => (d as HTMLDetailsElement).open)).to.equal(false);

    // 退库 asks for a reason: cancelling the dialog closes the menu and puts focus back on it.
    await page.locator(`#card-${uscc} summary`).click();
    await page.locator(`#card-${uscc} button.move-target[value="exited"]`).click();
    await page.locator('dialog.move-dialog').waitFor();
    await page.locator('dialog.move-dialog [data-close-dialog]').click();
    await page.locator('dialog.move-dialog').waitFor({ state: 'detached' });
    expect(await menu.evaluate((d) => (d as HTMLDetailsElement).open)).to.equal(false);
    expect((await focused())?.card).to.equal(uscc);
    expect(await page.locator(`#cards-incubating #card-${uscc}`).count()).to.equal(1);
  });

  it('the 退库 choice and every destructive button share one red danger style', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const uscc = await firstCard('incubating');
    await page.locator(`#card-${uscc} summary`).click();
    const exit = page.locator(`#card-${uscc} button.move-target[value="exited"]`);
    await exit.waitFor();
    expect(await exit.getAttribute('class')).to.include('button-danger');
    const red = (sel: string, p: Page = page) => p.locator(sel).first().evaluate((el) => getComputedStyle(el).backgroundColor);
    const admin = await ctx.newPage('admin');
    await admin.goto(`${ctx.baseUrl}/admin/users`);
    await admin.locator('a:has-text("编辑")').first().click();
    const disable = admin.locator('button:has-text("停用账户")');
    if (await disable.count()) expect(await red('button:has-text("停用账户")', admin)).to.equal('rgb(180, 35, 24)');
    await admin.goto(`${ctx.baseUrl}/admin/parks`);
    expect(await red('#areas-park button.button-danger', admin)).to.equal('rgb(180, 35, 24)');
    await admin.close();
  });

  it('a refused credit code’s message goes once the code is corrected; only the current check shows', async () => {
    const taken = (await ctx.db('firms').first('uscc')) as { uscc: string };
    await page.goto(`${ctx.baseUrl}/firms/new`);
    await page.fill('#firm-form input[name=uscc]', taken.uscc);
    await page.fill('#firm-form input[name=name]', '余姚市纠错测试科技有限公司');
    await page.locator('#uscc-feedback:has-text("已登记")').waitFor();
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 422), page.click('#firm-form button[type=submit]')]);
    await page.locator('#uscc-feedback:has-text("已登记")').waitFor();
    await page.fill('#firm-form input[name=uscc]', validUscc(987_654));
    await page.locator('#uscc-feedback.inline-ok').waitFor();
    const messages = await page.locator('#firm-form label:has(input[name=uscc]) .field-error, #firm-form label:has(input[name=uscc]) .inline-error').count();
    expect(messages).to.equal(0);
    expect(await page.locator('#uscc-feedback').textContent()).to.match(/^格式正确/);
  });

  it('saving figures announces it, stays on the firm page and marks the saved year; an unchanged save says 没有修改', async () => {
    const firm = (await ctx.db('firms as f').join('annual_figures as a', 'a.firm_id', 'f.id').where('a.year', 2025).whereNotNull('a.sales_revenue').first('f.uscc')) as { uscc: string };
    await page.goto(`${ctx.baseUrl}/firms/${firm.uscc}`);
    await page.locator('#firm-figures a.edit-year').first().click();
    await page.locator('#firm-figures form.figures-form').waitFor();
    const year = await page.locator('#firm-figures form.figures-form').getAttribute('action').then((a) => Number(/(\d{4})$/.exec(a!)![1]));
    await page.fill('#firm-figures input[name=rdExpense]', '123.4567');
    await page.click('#firm-figures button[type=submit]');
    await page.locator('#firm-figures th.figures-saved').waitFor();
    expect(new URL(page.url()).pathname).to.equal(`/firms/${firm.uscc}`);
    expect(await page.locator('#firm-figures th.figures-saved').textContent()).to.include(`${year} 年`);
    expect(await page.locator('#flash').textContent()).to.include(`已保存 ${year} 年指标`);
    expect((await focused())?.id).to.equal('figures-saved-year');
    expect(await page.locator('#firm-readiness').count()).to.equal(1);

    const audits = await ctx.db('audit_log').where({ action: 'figures.update' }).count({ n: '*' }).first();
    await page.locator(`#firm-figures th.figures-saved a.edit-year`).click();
    await page.locator('#firm-figures form.figures-form').waitFor();
    await page.click('#firm-figures button[type=submit]');
    await page.locator('#flash:has-text("没有修改")').waitFor();
    expect(await ctx.db('audit_log').where({ action: 'figures.update' }).count({ n: '*' }).first()).to.deep.equal(audits);
  });

  it('the figures form opened on its own page returns to the firm page after saving, not to the form', async () => {
    const firm = (await ctx.db('firms').where({ stage: 'tech_sme' }).first('uscc')) as { uscc: string };
    await page.goto(`${ctx.baseUrl}/firms/${firm.uscc}/figures/edit?year=2024`);
    await page.fill('input[name=salesRevenue]', '2000');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/figures/2024')), page.click('form.figures-form button[type=submit]')]);
    expect(answer.status(), await answer.text().catch(() => '')).to.equal(303);
    await page.waitForURL((u) => u.pathname === `/firms/${firm.uscc}`);
    expect(await page.locator('#firm-figures th.figures-saved').textContent()).to.include('2024 年');
    expect(await page.locator('#flash').textContent()).to.include('已保存 2024 年指标');
    await page.reload();
    expect(await page.locator('form.figures-form').count()).to.equal(0);
  });

  it('a printed dashboard, readiness list and board say what they show, when, and for whom; one park is one ordinary bar', async () => {
    const scoped = await ctx.newPage('caseworker-kfq');
    await scoped.goto(`${ctx.baseUrl}/dashboard?field=advanced_manufacturing`);
    await scoped.locator('#park-chart').waitFor();
    const box = await scoped.locator('#park-chart').evaluate((c) => c.parentElement!.getBoundingClientRect().height);
    expect(box).to.be.below(200);
    expect(await scoped.locator('.print-heading').isVisible()).to.equal(false);
    await scoped.emulateMedia({ media: 'print' });
    const heading = (await scoped.locator('#funnel .print-heading').innerText()).replace(/\s+/g, ' ');
    expect(heading).to.include('技术领域：先进制造与自动化').and.include('统计年度：');
    expect(heading).to.match(/数据截至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(heading).to.include('打印人：周涛（业务员，负责 1 个园区）');
    await scoped.screenshot({ path: '/tmp/miaopu-print-dashboard.png', fullPage: true });
    await scoped.goto(`${ctx.baseUrl}/readiness?check=tsme`);
    expect((await scoped.locator('#reserve-table .print-heading').innerText()).replace(/\s+/g, ' ')).to.include('对照：');
    await scoped.goto(`${ctx.baseUrl}/board?q=${encodeURIComponent('科技')}`);
    expect((await scoped.locator('#board .print-heading').innerText()).replace(/\s+/g, ' ')).to.include('搜索：“科技”');
    await scoped.close();
  });

  it('every browser test fails on a console error: the check sees one and names it', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    await page.evaluate(() => console.error('deliberate error for the test'));
    await page.waitForTimeout(50);
    // Taken here, so this test itself passes; left alone, the after-each check fails the test.
    expect(takeBrowserErrors()).to.deep.equal(['console error: deliberate error for the test']);
    await page.evaluate(() => {
      const div = document.createElement('div');
      div.setAttribute('style', 'color: red');
      document.body.appendChild(div);
    });
    await page.waitForTimeout(50);
    expect(takeBrowserErrors().some((e) => e.startsWith('CSP:'))).to.equal(true);
  });
});

