/**
 * Login throttling for an office behind one NAT address (issue 8, item 6): failures lock an
 * account from one address, or from anywhere for browsers it never signed in from, but never the
 * address; a real user's refused attempts do not count against them; a browser that signed in
 * before gets in during an attack on its account or its address.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { ACCOUNT_POLICY, ADDRESS_POLICY, PAIR_POLICY, addressKey } from '../../src/features/accounts/login-throttle.js';
import { TEST_PASSWORD, testPasswordHash } from '../helpers/factories.js';
import { createTestContext, csrfFrom, type TestContext } from '../helpers/test-app.js';

const OFFICE = '10.8.0.1';

describe('login throttling behind an office NAT address', function () {
  this.timeout(60_000);
  let t: TestContext;
  let server: Server;
  let origin: string;

  beforeEach(async () => {
    t = await createTestContext();
    // Behind the bureau's reverse proxy: the client address comes from X-Forwarded-For.
    server = createApp(t.db, testConfig({ trustProxy: 'loopback' })).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.destroy();
  });

  /** A browser at an address; it keeps its cookies (the device note among them) across attempts. */
  function browser(ip: string) {
    const agent = supertest.agent(server);
    return {
      async login(username: string, password: string) {
        const page = await agent.get('/login').set('X-Forwarded-For', ip);
        return agent.post('/login').set('X-Forwarded-For', ip).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text), username, password });
      },
      async logout() {
        const page = await agent.get('/account/password').set('X-Forwarded-For', ip);
        await agent.post('/logout').set('X-Forwarded-For', ip).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
      },
    };
  }

  async function users(count: number, prefix: string): Promise<string[]> {
    const at = new Date().toISOString();
    const hash = await testPasswordHash();
    const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
    await t.db('users').insert(names.map((username) => ({ username, display_name: username, role: 'leader', password_hash: hash, is_active: true, version: 1, created_at: at, updated_at: at })));
    return names;
  }

  it('30 colleagues sign in from the one office address after 25 mistyped passwords there: all 30 get in', async () => {
    const staff = await users(30, 'staff');
    for (let i = 0; i < 25; i++) expect((await browser(OFFICE).login(staff[i % staff.length]!, `typo-${i}-password`)).status).to.equal(401);
    const answers = [];
    for (const name of staff) answers.push((await browser(OFFICE).login(name, TEST_PASSWORD)).status);
    expect(answers.filter((s) => s !== 303), 'refused colleagues').to.deep.equal([]);
  });

  it('guessing at one account from one address locks that account there only; the user signs in from elsewhere', async () => {
    const attacker = browser('10.9.9.9');
    for (let i = 0; i < PAIR_POLICY.maxFailures; i++) await attacker.login('leader', `guess-${i}-password`);
    expect((await attacker.login('leader', TEST_PASSWORD)).status).to.equal(429);
    expect((await browser(OFFICE).login('leader', TEST_PASSWORD)).status).to.equal(303);
  });

  it('a real user’s refused attempts do not count against them: twenty retries during a lock, then in from another address', async () => {
    const desk = browser(OFFICE);
    for (let i = 0; i < PAIR_POLICY.maxFailures; i++) await desk.login('counsellor', `mistyped-${i}-password`);
    // Locked at this desk; they keep trying, with the right password, well past the account-wide limit.
    for (let i = 0; i < ACCOUNT_POLICY.maxFailures + 5; i++) expect((await desk.login('counsellor', TEST_PASSWORD)).status).to.equal(429);
    expect((await browser('10.8.0.77').login('counsellor', TEST_PASSWORD)).status).to.equal(303);
  });

  it('guessing spread over many addresses locks the account for new browsers, never for one it signed in from', async () => {
    const own = browser(OFFICE);
    expect((await own.login('caseworker', TEST_PASSWORD)).status).to.equal(303);
    await own.logout();
    // At once, as a botnet would (each answer is slowed down, but they do not wait for each other).
    await Promise.all(Array.from({ length: ACCOUNT_POLICY.maxFailures }, (_, i) => browser(`172.16.0.${i + 1}`).login('caseworker', `spray-${i}-password`)));
    const fresh = await browser(OFFICE).login('caseworker', TEST_PASSWORD);
    expect(fresh.status).to.equal(429);
    expect(fresh.text).to.include('已暂时锁定');
    expect((await own.login('caseworker', TEST_PASSWORD)).status).to.equal(303);
  });

  it('an address at its ceiling is slowed and refused only for browsers unknown to the account, never locked', async () => {
    const own = browser(OFFICE);
    expect((await own.login('leader', TEST_PASSWORD)).status).to.equal(303);
    await own.logout();
    // As if the office address had just had its ceiling of failures.
    await t.db('login_throttle').insert({ key: addressKey(OFFICE), failures: ADDRESS_POLICY.maxFailures, first_failure_at: new Date().toISOString(), locked_until: null }).onConflict('key').merge();
    const stranger = await browser(OFFICE).login('caseworker', TEST_PASSWORD);
    expect(stranger.status).to.equal(429);
    expect(stranger.text).to.include('只接受在本浏览器登录过的账户');
    expect((await own.login('leader', TEST_PASSWORD)).status).to.equal(303);
    const row = await t.db('login_throttle').where({ key: addressKey(OFFICE) }).first();
    expect(row.locked_until, 'the address itself is never locked').to.equal(null);
  });
});
