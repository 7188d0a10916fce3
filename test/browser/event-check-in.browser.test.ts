/**
 * A counsellor runs a clinic in a real browser (issue 9): creates it, invites their firms, names an
 * attendee, checks firms in on the day, prints the sign-in sheet, generates the follow-ups; the
 * attendance shows in the firm's timeline. Then moves a technical demand to 已解决.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { type BrowserContext, jsErrors, startBrowserContext } from '../helpers/browser.js';

describe('event check-in and a demand resolved, in a real browser', function () {
  this.timeout(90_000);
  let ctx: BrowserContext;
  let page: Page;

  before(async () => {
    ctx = await startBrowserContext({ firms: 80 });
  });
  after(async () => {
    await ctx?.close();
  });
  afterEach(async () => {
    expect(jsErrors(page)).to.deep.equal([]);
    await page.close();
  });

  it('creates a clinic, invites, checks in, prints the sheet and generates the follow-ups', async () => {
    page = await ctx.newPage('counsellor');
    const me = (await ctx.db('users').where({ username: 'counsellor' }).first('id')).id as number;
    const firms = (await ctx.db('firms').where({ counsellor_id: me }).orderBy('id').limit(3).select('id', 'uscc', 'name')) as { id: number; uscc: string; name: string }[];
    expect(firms).to.have.length(3);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

    await page.goto(`${ctx.baseUrl}/coaching/events`);
    await page.getByRole('link', { name: '新增活动' }).click();
    await page.fill('input[name=title]', '浏览器测试讲诊会');
    await page.fill('input[name=startsOn]', today);
    await page.fill('input[name=place]', '科技局三楼');
    await page.check('input[name=topics][value=ip]');
    await page.click('#event-form button[type=submit]');
    await page.waitForURL(/\/coaching\/events\/\d+$/);
    expect(await page.locator('h1').textContent()).to.equal('浏览器测试讲诊会');

    await page.fill('#invite-form textarea[name=codes]', firms.map((f) => f.uscc).join('\n'));
    await page.click('#invite-form button[type=submit]');
    await page.waitForSelector(`tr[data-firm="${firms[2]!.uscc}"]`);
    await page.selectOption('#attendee-form select[name=attendeeFirm]', firms[0]!.uscc);
    await page.fill('#attendee-form input[name=attendeeName]', '王明');
    await page.fill('#attendee-form input[name=attendeePosition]', '研发总监');
    await page.click('#attendee-form button[type=submit]');
    await page.waitForSelector(`tr[data-firm="${firms[0]!.uscc}"] >> text=王明`);

    // Bulk check-in: two firms ticked, 已出席.
    for (const f of firms.slice(0, 2)) await page.check(`tr[data-firm="${f.uscc}"] input[name=invitation]`);
    await page.selectOption('#attendance-form select[name=status]', 'attended');
    await page.click('[data-checkin]');
    await page.waitForSelector(`tr[data-firm="${firms[1]!.uscc}"] [data-status=attended]`);
    expect(await page.locator('#flash').textContent()).to.include('已将 2 家企业登记为“已出席”');
    expect(await page.locator(`tr[data-firm="${firms[2]!.uscc}"] [data-status]`).textContent()).to.equal('已邀请');

    // The sign-in sheet: its print button and rows.
    const eventUrl = page.url();
    await page.goto(`${eventUrl}/sign-in`);
    expect(await page.locator('.signin-sheet tbody tr').count()).to.equal(3 + 5);
    expect(await page.locator('[data-print]').isVisible()).to.equal(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('[data-print]').isVisible()).to.equal(false);
    await page.emulateMedia({ media: 'screen' });

    await page.goto(eventUrl);
    await page.click('#wrap-up-form button[type=submit]');
    await page.waitForSelector('[data-wrapped-up]');
    expect(await page.locator(`tr[data-firm="${firms[2]!.uscc}"] [data-status]`).textContent()).to.equal('缺席');
    const eventId = Number(/(\d+)$/.exec(eventUrl)![1]);
    expect(await ctx.db('follow_ups').where({ source_event_id: eventId }).count({ n: '*' }).first()).to.deep.include({ n: 3 });

    await page.goto(`${ctx.baseUrl}/firms/${firms[0]!.uscc}`);
    expect(await page.locator('.timeline li.tl-interaction').first().textContent()).to.include('活动');
  });

  it('moves a technical demand of their own firm to 已解决 through its page', async () => {
    page = await ctx.newPage('counsellor');
    const me = (await ctx.db('users').where({ username: 'counsellor' }).first('id')).id as number;
    const d = (await ctx.db('demands as d').join('firms as f', 'f.id', 'd.firm_id').where({ 'f.counsellor_id': me, 'd.status': 'matching' }).first('d.id')) as { id: number } | undefined;
    expect(d, 'a demo demand in 对接中').to.not.equal(undefined);
    await page.goto(`${ctx.baseUrl}/coaching/demands?status=matching`);
    await page.click(`a[href="/coaching/demands/${d!.id}"]`);
    await page.selectOption('#demand-move select[name=to]', 'resolved');
    await page.click('#demand-move button[type=submit]');
    await page.waitForSelector('#demand-move .field-error');
    expect(await page.locator('#demand-move .field-error').textContent()).to.include('请写明需求是如何解决的');
    await page.fill('#demand-move textarea[name=resolution]', '签订技术开发合同');
    await page.fill('#demand-move input[name=contractValue]', '20');
    await page.click('#demand-move button[type=submit]');
    await page.waitForSelector('[data-demand-status=resolved]');
    expect(await page.locator('[data-demand-status]').textContent()).to.equal('已解决');
    expect(await page.locator('.history').textContent()).to.include('对接中 → 已解决');
  });
});
