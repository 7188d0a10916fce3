/**
 * Bursts on the search and list pages (issue 8, item 10): about 10 requests a second per user,
 * bursts of 20, then 429 with a Chinese message; other users are unaffected; two app instances on
 * one database share each user's allowance.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { SEARCH_POLICY } from '../../src/web/burst-limit.js';
import { Client, createTestContext, type TestContext } from '../helpers/test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for any allowance to fill up again. */
const REFILL_MS = SEARCH_POLICY.burst * SEARCH_POLICY.intervalMs + 200;

describe('per-user burst limit on search and list pages', function () {
  this.timeout(60_000);
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());
  beforeEach(() => sleep(REFILL_MS));

  /**
   * Requests at once, as fast as the test client can send them; how many the limit may let through
   * in the time they took: the burst, plus one per interval.
   */
  async function flood(send: (i: number) => PromiseLike<{ status: number; text: string; headers: Record<string, string> }>, count: number) {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => send(i)));
    const allowance = SEARCH_POLICY.burst + Math.ceil((Date.now() - started) / SEARCH_POLICY.intervalMs) + 1;
    return { answers, ok: answers.filter((r) => r.status === 200).length, allowance };
  }

  it('a burst of searches: the first 20 and then ~10 a second are answered, the rest get 429 with a message and Retry-After; another user is unaffected', async () => {
    const cw = await t.as('caseworker');
    const leader = await t.as('leader');
    const [mine, theirs] = await Promise.all([
      flood((i) => cw.get(`/firms/check-uscc?uscc=9133${i}`), 100),
      Promise.all(Array.from({ length: 10 }, () => leader.get('/firms?q=%E4%BD%99%E5%A7%9A'))),
    ]);
    expect(mine.ok).to.be.at.least(SEARCH_POLICY.burst).and.at.most(mine.allowance);
    const refused = mine.answers.filter((r) => r.status === 429);
    expect(refused.length).to.equal(100 - mine.ok).and.be.greaterThan(0);
    expect(refused[0]!.text).to.include('查询过于频繁');
    expect(Number(refused[0]!.headers['retry-after'])).to.be.at.least(1);
    expect(theirs.map((r) => r.status)).to.deep.equal(Array(10).fill(200));
  });

  it('as htmx fragments (the board’s column pages, search as you type): 429 shows the message in place', async () => {
    const cw = await t.as('caseworker');
    const { answers } = await flood(() => cw.get('/board/columns/candidate').set('HX-Request', 'true'), 100);
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.headers['hx-retarget']).to.equal('#flash');
    expect(refused.text).to.include('查询过于频繁');
  });

  it('a steady pace under the rate is never refused', async () => {
    const cw = await t.as('caseworker');
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push((await cw.get(`/board?q=${i}`)).status);
      await sleep(SEARCH_POLICY.intervalMs * 1.5);
    }
    expect(statuses.filter((s) => s !== 200)).to.deep.equal([]);
  });

  it('two app instances on one database share a user’s allowance', async () => {
    const second: Server = createApp(t.db, testConfig()).listen(0, '127.0.0.1');
    await new Promise((resolve) => second.once('listening', resolve));
    try {
      const a = new Client(t.server, t.origin);
      const b = new Client(second, `http://127.0.0.1:${(second.address() as { port: number }).port}`);
      await a.login('counsellor');
      await b.login('counsellor');
      await sleep(REFILL_MS);
      // Half to each instance: with an allowance per instance, twice as many would get through.
      const { answers, ok, allowance } = await flood((i) => (i % 2 ? a : b).get(`/firms/check-uscc?uscc=9133${i}`), 100);
      expect(ok).to.be.at.least(SEARCH_POLICY.burst).and.at.most(allowance);
      expect(answers.some((r) => r.status === 429)).to.equal(true);
    } finally {
      await new Promise((resolve) => second.close(resolve));
    }
  });
});
