import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { type BrowserContext, dragTo, jsErrors, startBrowserContext } from '../helpers/browser.js';

describe('the board in a real browser', function () {
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
    page = await ctx.newPage();
  });
  afterEach(async () => {
    expect(jsErrors(page)).to.deep.equal([]);
    await page.close();
  });

  const count = async (stage: string) => Number(await page.locator(`#count-${stage}`).textContent());
  const firstCard = async (stage: string) => (await page.locator(`#cards-${stage} .card`).first().getAttribute('data-uscc'))!;

  async function stageOnFirmPage(uscc: string): Promise<string> {
    const firmPage = await ctx.newPage();
    await firmPage.goto(`${ctx.baseUrl}/firms/${uscc}`);
    const chip = (await firmPage.locator('.subtitle .stage-chip').textContent())!.trim();
    const history = (await firmPage.locator('table.history tbody tr').first().textContent())!;
    await firmPage.close();
    return `${chip}|${history.replace(/\s+/g, ' ')}`;
  }

  it('moves a card by drag and drop: the counts change, the card lands in its column, and the firm page agrees', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const uscc = await firstCard('candidate');
    const [candidates, incubating] = [await count('candidate'), await count('incubating')];
    await dragTo(page, `#card-${uscc}`, '#cards-incubating');
    await page.waitForFunction((n) => document.querySelector('#count-incubating')?.textContent === String(n), incubating + 1);
    expect(await count('candidate')).to.equal(candidates - 1);
    expect(await page.locator(`#cards-incubating #card-${uscc}`).count()).to.equal(1);
    expect(await page.locator(`#card-${uscc}`).count()).to.equal(1);
    expect(await stageOnFirmPage(uscc)).to.match(/^孵化培育\|.*候选 → 孵化培育/);
  });

  it('moves a card with the keyboard through its "move to…" menu', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const uscc = await firstCard('incubating');
    const before = await count('tech_sme');
    const summary = page.locator(`#card-${uscc} summary`);
    await summary.focus();
    await page.keyboard.press('Enter');
    const target = page.locator(`#card-${uscc} button.move-target[value="tech_sme"]`);
    await target.waitFor();
    await target.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('#count-tech_sme')?.textContent === String(n), before + 1);
    expect(await page.locator(`#cards-tech_sme #card-${uscc}`).count()).to.equal(1);
    expect(await stageOnFirmPage(uscc)).to.match(/^科技型中小企业\|/);
  });

  it('asks for a reason in a dialog when a drag skips a stage, puts the card back meanwhile, and moves it once the reason is given', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const uscc = await firstCard('candidate');
    const before = { candidate: await count('candidate'), reserve: await count('hte_reserve') };
    await dragTo(page, `#card-${uscc}`, '#cards-hte_reserve');
    const dialog = page.locator('dialog.move-dialog');
    await dialog.waitFor();
    expect(await dialog.locator('.field-error').textContent()).to.include('跨阶段');
    expect(await page.locator(`#cards-candidate #card-${uscc}`).count(), 'card returned to its column').to.equal(1);
    expect(await count('hte_reserve')).to.equal(before.reserve);
    await dialog.locator('textarea[name=reason]').fill('已入库国家科技型中小企业，直接纳入培育库');
    await dialog.locator('button[type=submit]').click();
    await page.waitForFunction((n) => document.querySelector('#count-hte_reserve')?.textContent === String(n), before.reserve + 1);
    expect(await page.locator('dialog.move-dialog').count()).to.equal(0);
    expect(await count('candidate')).to.equal(before.candidate - 1);
    expect(await page.locator(`#cards-hte_reserve #card-${uscc}`).count()).to.equal(1);
  });

  it('shows why a move was refused when someone else changed the firm first, and changes nothing', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const uscc = await firstCard('tech_sme');
    await ctx.db('firms').where({ uscc }).increment('version', 1); // another caseworker saved meanwhile
    const before = await count('hte_reserve');
    await dragTo(page, `#card-${uscc}`, '#cards-hte_reserve');
    await page.locator('#flash .alert').waitFor();
    expect(await page.locator('#flash .alert').textContent()).to.include('刚被他人修改');
    expect(await count('hte_reserve')).to.equal(before);
    expect(await page.locator(`#cards-tech_sme #card-${uscc}`).count()).to.equal(1);
    expect((await ctx.db('firms').where({ uscc }).first()).stage).to.equal('tech_sme');
  });

  it('keeps filters in the URL: filtering, reloading and going back all show the same board', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const total = await count('candidate');
    await page.selectOption('#board-filters select[name=park]', { index: 1 });
    await page.waitForURL(/park=\d+/);
    const filtered = await count('candidate');
    expect(filtered).to.be.lessThan(total);
    await page.reload();
    expect(await count('candidate')).to.equal(filtered);
    expect(await page.locator('#board-filters select[name=park]').inputValue()).to.not.equal('');
    await page.goBack();
    await page.waitForURL(/\/board$/);
    await page.waitForFunction((n) => document.querySelector('#count-candidate')?.textContent === String(n), total);
  });

  it('draws the funnel with Chart.js, with the same numbers as the board', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const boardCount = await count('tech_sme');
    await page.goto(`${ctx.baseUrl}/dashboard`);
    await page.waitForFunction(() => {
      const c = document.querySelector('#funnel-chart') as HTMLCanvasElement | null;
      return !!c && !!(window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart.getChart(c);
    });
    const data = await page.evaluate(() => {
      const c = document.querySelector('#funnel-chart') as HTMLCanvasElement;
      const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: string[]; datasets: { data: number[] }[] } } } }).Chart.getChart(c);
      return { labels: chart.data.labels, counts: chart.data.datasets[0]!.data };
    });
    expect(data.labels[2]).to.equal('科技型中小企业');
    expect(data.counts[2]).to.equal(boardCount);
  });
});
