/**
 * Double submits in a real browser (issue 8, item 11): every form's buttons are held while its
 * request runs — htmx forms, a menu of several buttons, and plain forms — without anything in the
 * templates; a double click on a create form makes one record.
 */
import { expect } from 'chai';
import type { Page, Route } from 'playwright-core';
import { type BrowserContext, jsErrors, startBrowserContext } from '../helpers/browser.js';
import { validUscc } from '../helpers/factories.js';

describe('double submits in a real browser', function () {
  this.timeout(60_000);
  let ctx: BrowserContext;
  let page: Page;
  let n = 97_000;

  before(async () => {
    ctx = await startBrowserContext({ firms: 60 });
  });
  after(async () => {
    await ctx?.close();
  });
  beforeEach(async () => {
    page = await ctx.newPage('admin');
  });
  afterEach(async () => {
    expect(jsErrors(page)).to.deep.equal([]);
    await page.close();
  });

  /** Holds the next POST to `path` until released, so the page can be looked at mid-request. */
  async function holdPost(path: RegExp): Promise<{ arrived: Promise<void>; release: () => void }> {
    let release!: () => void;
    let arrived!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen = new Promise<void>((resolve) => (arrived = resolve));
    await page.route(path, async (route: Route) => {
      if (route.request().method() !== 'POST') return route.continue();
      arrived();
      await gate;
      await route.continue();
    });
    return { arrived: seen, release };
  }

  // Read straight from the document: a locator would wait for the navigation the held post started.
  const disabled = (selector: string) =>
    page.evaluate((sel) => Array.from(document.querySelectorAll(sel)).map((e) => (e as HTMLButtonElement).disabled), selector);

  it('an htmx form (a new firm): its button is held until the answer; a double click creates one firm', async () => {
    await page.goto(`${ctx.baseUrl}/firms/new`);
    const uscc = validUscc(n++);
    await page.fill('input[name=uscc]', uscc);
    await page.fill('input[name=name]', '余姚市浏览器双击科技有限公司');
    await page.locator('#uscc-feedback', { hasText: '格式正确' }).waitFor();
    const held = await holdPost(/\/firms$/);
    await page.dblclick('#firm-form button[type=submit]');
    await held.arrived;
    expect(await disabled('#firm-form button[type=submit]')).to.deep.equal([true]);
    held.release();
    await page.waitForURL(new RegExp(`/firms/${uscc}$`));
    const firms = await ctx.db('firms').where({ uscc }).count({ n: '*' }).first();
    expect(Number(firms?.n)).to.equal(1);
  });

  it('a menu of several buttons (a card’s "move to…"): all of them are held while the move runs', async () => {
    await page.goto(`${ctx.baseUrl}/board`);
    const uscc = (await page.locator('#cards-candidate .card').first().getAttribute('data-uscc'))!;
    await page.locator(`#card-${uscc} summary`).click();
    const targets = `#card-${uscc} button.move-target`;
    await page.locator(targets).first().waitFor();
    const held = await holdPost(new RegExp(`/firms/${uscc}/stage$`));
    await page.locator(`${targets}[value="incubating"]`).click();
    await held.arrived;
    const states = await disabled(targets);
    expect(states.length).to.be.greaterThan(1);
    expect(states.every(Boolean)).to.equal(true);
    held.release();
    await page.locator(`#cards-incubating #card-${uscc}`).waitFor();
  });

  it('a plain form (a new user): its button is held once the browser has sent it, and the value still arrives', async () => {
    await page.goto(`${ctx.baseUrl}/admin/users`);
    await page.click('summary:has-text("新增用户")');
    const username = `browser${n++}`;
    await page.fill('form.user-form input[name=username]', username);
    await page.fill('form.user-form input[name=displayName]', '浏览器用户');
    await page.selectOption('form.user-form select[name=role]', 'leader');
    // While a plain form's post is pending the page cannot be asked (it is navigating), so the page
    // reports what it sees a moment after sending.
    const seen = new Promise<boolean[]>((resolve) => void page.exposeFunction('reportHeld', resolve));
    await page.evaluate(() => {
      document.addEventListener('submit', (evt) => {
        const form = evt.target as HTMLFormElement;
        setTimeout(() => (window as unknown as { reportHeld(s: boolean[]): void }).reportHeld(Array.from(form.querySelectorAll('button')).map((b) => b.disabled)), 100);
      });
    });
    const held = await holdPost(/\/admin\/users$/);
    await page.click('form.user-form button[type=submit]', { noWaitAfter: true });
    await held.arrived;
    expect(await seen).to.deep.equal([true]);
    held.release();
    await page.locator('text=用户已创建').waitFor();
    expect(Number((await ctx.db('users').where({ username }).count({ n: '*' }).first())?.n)).to.equal(1);
  });

  it('a search box that asks as you type is never held', async () => {
    await page.goto(`${ctx.baseUrl}/firms`);
    const held = await holdPost(/never/);
    await page.fill('#firm-filters input[name=q]', '余姚');
    expect(await page.locator('#firm-filters input[name=q]').isDisabled()).to.equal(false);
    held.release();
  });
});
