/** Login, sessions, throttling, password changes, user administration and the audit log. */
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { PAIR_POLICY } from '../../src/features/accounts/login-throttle.js';
import type { KnexSessionStore } from '../../src/features/accounts/session-store.js';
import { createFirm } from '../helpers/factories.js';
import { Client, createTestContext, csrfFrom, html, snapshot, type TestContext } from '../helpers/test-app.js';

const listen = (app: ReturnType<typeof createApp>) =>
  new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
const sidOf = (res: { headers: Record<string, unknown> }) => /miaopu\.sid=([^;]+)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1] ?? null;

describe('login and sessions', () => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  it('issues a new session id at login (no fixation); the pre-login id is worthless afterwards', async () => {
    const c = new Client(t.server, t.origin);
    const page = await c.agent.get('/login');
    const before = sidOf(page);
    expect(before).to.not.equal(null);
    const res = await c.agent.post('/login').set('Origin', t.origin).type('form').send({ _csrf: csrfFrom(page.text), username: 'caseworker', password: 'miaopu-demo' }).expect(303);
    const after = sidOf(res);
    expect(after).to.not.equal(null).and.not.equal(before);
    const replay = await supertest(t.server).get('/board').set('Cookie', `miaopu.sid=${before}`);
    expect(replay.status).to.equal(302);
    expect(await t.db('sessions').where('sid', decodeURIComponent(before!).slice(2).split('.')[0]!).first()).to.equal(undefined);
  });

  it('answers a wrong password and an unknown user identically, and records both', async () => {
    const a = new Client(t.server, t.origin);
    const p1 = await a.agent.get('/login');
    const wrong = await a.agent.post('/login').set('Origin', t.origin).type('form').send({ _csrf: csrfFrom(p1.text), username: 'leader', password: 'wrong-password-1' });
    const b = new Client(t.server, t.origin);
    const p2 = await b.agent.get('/login');
    const unknown = await b.agent.post('/login').set('Origin', t.origin).type('form').send({ _csrf: csrfFrom(p2.text), username: 'nobody-here', password: 'wrong-password-1' });
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    const message = (r: typeof wrong) => html(r.text).querySelector('.alert')!.text.trim();
    expect(message(wrong)).to.equal('用户名或密码错误。');
    expect(message(unknown)).to.equal(message(wrong));
    const failures = await t.db('audit_log').where({ action: 'login.failure' }).select('object_id', 'ip');
    expect(failures.map((f) => f.object_id).sort()).to.deep.equal(['leader', 'nobody-here']);
    expect(failures[0].ip).to.be.a('string');
  });

  it('logout ends this session and the user\'s other sessions; the old cookie no longer works', async () => {
    const first = new Client(t.server, t.origin);
    await first.login('caseworker');
    const second = new Client(t.server, t.origin);
    await second.login('caseworker');
    await first.post('/logout').expect(303);
    expect((await first.get('/board')).status).to.equal(302);
    expect((await second.get('/board')).status).to.equal(302);
    expect(await t.db('sessions').where({ user_id: t.basics.users.caseworker.id }).first()).to.equal(undefined);
    expect(await t.db('audit_log').where({ action: 'logout' }).first()).to.include({ actor_id: t.basics.users.caseworker.id });
  });

  it('a disabled user\'s session stops working at once', async () => {
    const cw = await t.as('caseworker');
    await cw.get('/board').expect(200);
    await t.admin.post(`/admin/users/${t.basics.users.caseworker.id}/disable`).type('form').send({ version: 1 }).expect(303);
    expect((await cw.get('/board')).status).to.equal(302);
    const again = new Client(t.server, t.origin);
    expect((await again.login('caseworker')).status).to.equal(401);
  });

  it('a disabled user is refused even if their session row survived', async () => {
    const cw = await t.as('caseworker');
    await t.db('users').where({ id: t.basics.users.caseworker.id }).update({ is_active: false });
    expect((await cw.get('/board')).status).to.equal(302);
  });

  it('changing one\'s password ends the other sessions but keeps this one', async () => {
    const here = new Client(t.server, t.origin);
    await here.login('leader');
    const elsewhere = new Client(t.server, t.origin);
    await elsewhere.login('leader');
    const res = await here.post('/account/password').type('form').send({ current: 'miaopu-demo', next: '科技局的新密码 2026 年', confirm: '科技局的新密码 2026 年' });
    expect(res.status).to.equal(303);
    const after = await here.get('/board');
    expect(after.status).to.equal(200);
    expect(after.text).to.include('密码已修改');
    expect((await elsewhere.get('/board')).status).to.equal(302);
    const fresh = new Client(t.server, t.origin);
    expect((await fresh.login('leader', '科技局的新密码 2026 年')).status).to.equal(303);
  });

  it('refuses weak, common or mismatched new passwords with a reason, and keeps the old one', async () => {
    const c = await t.as('counsellor');
    const cases: [Record<string, string>, string][] = [
      [{ current: 'miaopu-demo', next: 'short', confirm: 'short' }, '至少 12'],
      [{ current: 'miaopu-demo', next: 'password1234', confirm: 'password1234' }, '太常见'],
      [{ current: 'miaopu-demo', next: 'a long enough one', confirm: 'a different one!!' }, '不一致'],
      [{ current: 'not-my-password', next: 'a long enough one', confirm: 'a long enough one' }, '当前密码不正确'],
      [{ current: 'miaopu-demo', next: 'x'.repeat(129), confirm: 'x'.repeat(129) }, '不能超过'],
    ];
    const before = await snapshot(t.db);
    for (const [body, message] of cases) {
      const res = await c.post('/account/password').type('form').send(body).expect(422);
      expect(res.text, message).to.include(message);
    }
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('accepts a 64-character passphrase of Chinese, spaces and emoji', async () => {
    const c = await t.as('counsellor');
    const pass = '春眠不觉晓 处处闻啼鸟 夜来风雨声 花落知多少🌸'.padEnd(64, '。');
    await c.post('/account/password').type('form').send({ current: 'miaopu-demo', next: pass, confirm: pass }).expect(303);
    expect((await new Client(t.server, t.origin).login('counsellor', pass)).status).to.equal(303);
  });

  // Timeouts of a few seconds, not fractions: signing in hashes a password, and on a loaded machine
  // (two cores, the app and the test client on them) sign-in alone can take most of a second.
  it('ends a session after the idle timeout and after the absolute timeout', async () => {
    const short = createApp(t.db, testConfig({ sessionIdleMinutes: 2 / 60, sessionAbsoluteHours: 10 }));
    const server = await listen(short);
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const idle = new Client(server, origin);
      await idle.login('leader');
      await new Promise((r) => setTimeout(r, 2500));
      expect((await idle.get('/board')).status).to.equal(302);
    } finally {
      server.close();
    }
    const capped = createApp(t.db, testConfig({ sessionAbsoluteHours: 2 / 3600 }));
    const server2 = await listen(capped);
    const origin2 = `http://127.0.0.1:${(server2.address() as { port: number }).port}`;
    try {
      const busy = new Client(server2, origin2);
      await busy.login('leader');
      await busy.get('/board').expect(200);
      await new Promise((r) => setTimeout(r, 2500));
      expect((await busy.get('/board')).status).to.equal(302);
    } finally {
      server2.close();
    }
  });

  it('keeps sessions in the database: a second app instance on the same database honours the cookie', async () => {
    const cw = await t.as('caseworker');
    const other = createApp(t.db, testConfig());
    const res = await supertest(other).get('/board').set('Cookie', (cw.agent as unknown as { jar: { getCookies(a: unknown): { toValueString(): string }[] } }).jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).map((c) => c.toValueString()).join('; '));
    expect(res.status).to.equal(200);
  });
});

describe('login throttling', () => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  async function attempt(username: string, password: string) {
    const c = new Client(t.server, t.origin);
    const page = await c.agent.get('/login');
    return c.agent.post('/login').set('Origin', t.origin).type('form').send({ _csrf: csrfFrom(page.text), username, password });
  }

  it('locks the account after repeated failures; the right password during the lock still fails with the lock message; the lock is audited', async function () {
    this.timeout(20_000);
    for (let i = 1; i < PAIR_POLICY.maxFailures; i++) expect((await attempt('leader', `wrong-${i}-password`)).status).to.equal(401);
    const locking = await attempt('leader', 'wrong-last-password');
    expect(locking.status).to.equal(429);
    expect(locking.text).to.include('已暂时锁定');
    const right = await attempt('leader', 'miaopu-demo');
    expect(right.status).to.equal(429);
    expect(right.text).to.include('已暂时锁定');
    expect(await t.db('audit_log').where({ action: 'login.locked', object_id: 'leader' }).first()).to.not.equal(undefined);
    expect(await t.db('audit_log').where({ action: 'login.refused_locked' }).first()).to.not.equal(undefined);
    // Other accounts are not locked by it (from another address; this one has failures too but is under its limit).
    expect((await attempt('caseworker', 'miaopu-demo')).status).to.equal(303);
  });

  it('counts parallel attempts too: a burst of wrong passwords cannot slip past the limit or erase the lock', async function () {
    this.timeout(30_000);
    const c = new Client(t.server, t.origin);
    const page = await c.agent.get('/login');
    const token = csrfFrom(page.text);
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => c.agent.post('/login').set('Origin', t.origin).type('form').send({ _csrf: token, username: 'leader', password: `wrong-${i}-password` })),
    );
    const checked = await t.db('audit_log').where({ action: 'login.failure', object_id: 'leader' }).count({ n: '*' }).first();
    expect(Number(checked?.n)).to.be.at.most(PAIR_POLICY.maxFailures);
    expect(burst.filter((r) => r.status === 429).length).to.be.at.least(30 - PAIR_POLICY.maxFailures);
    const row = await t.db('login_throttle').where('key', 'like', 'pair:%|leader').first();
    expect(row.locked_until).to.not.equal(null);
    expect((await attempt('leader', 'miaopu-demo')).status).to.equal(429);
  });

  it('slows repeated failures down before locking', async function () {
    this.timeout(20_000);
    for (let i = 0; i < PAIR_POLICY.slowAfter; i++) await attempt('counsellor', `wrong-${i}-password`);
    const started = Date.now();
    expect((await attempt('counsellor', 'wrong-again-password')).status).to.equal(401);
    expect(Date.now() - started).to.be.greaterThan(900);
  });

  it('the periodic cleanup deletes throttle rows whose window and lock have both run out, and keeps the rest', async () => {
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const hour = 3600_000;
    await t.db('login_throttle').insert([
      { key: 'user:spent', failures: 3, first_failure_at: ago(hour), locked_until: null },
      { key: 'user:lock-over', failures: 5, first_failure_at: ago(hour), locked_until: ago(1000) },
      { key: 'user:still-locked', failures: 5, first_failure_at: ago(hour), locked_until: ago(-600_000) },
      { key: 'ip:in-window', failures: 2, first_failure_at: ago(60_000), locked_until: null },
    ]);
    await (t.app.locals.sessionStore as KnexSessionStore).deleteExpired();
    const left = (await t.db('login_throttle').whereIn('key', ['user:spent', 'user:lock-over', 'user:still-locked', 'ip:in-window']).select('key')).map((r) => r.key as string).sort();
    expect(left).to.deep.equal(['ip:in-window', 'user:still-locked']);
  });

  it('unlocks once the lock has run out', async () => {
    await t.db('login_throttle').insert({ key: 'user:leader', failures: 0, first_failure_at: new Date(Date.now() - 3600_000).toISOString(), locked_until: new Date(Date.now() - 1000).toISOString() });
    expect((await attempt('leader', 'miaopu-demo')).status).to.equal(303);
  });
});

describe('user administration', () => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  it('creates a user with a generated password shown once; the user must choose a new one at first login', async () => {
    const res = await t.admin.post('/admin/users').type('form').send({ username: 'Zhang.Wei', displayName: '张伟', role: 'caseworker', parkIds: [String(t.basics.parks.b)], password: '' }).expect(200);
    const temp = html(res.text).querySelector('.temp-password')!.text.trim();
    expect(temp).to.match(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const row = await t.db('users').where({ username: 'zhang.wei' }).first();
    expect(row.password_hash).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).to.not.include(temp);
    const zw = new Client(t.server, t.origin);
    const login = await zw.login('zhang.wei', temp);
    expect(login.headers.location).to.equal('/account/password');
    expect((await zw.get('/board')).headers.location).to.equal('/account/password');
    await zw.refreshToken();
    await zw.post('/account/password').type('form').send({ current: temp, next: '张伟的长密码 2026 春', confirm: '张伟的长密码 2026 春' }).expect(303);
    const board = await zw.get('/board').expect(200);
    expect(board.text).to.include('中意宁波生态园');
    expect(await t.db('audit_log').where({ action: 'user.create', object_id: 'zhang.wei' }).first()).to.not.equal(undefined);
  });

  it('accepts a park sent twice (a repeated form field) and stores it once', async () => {
    const park = String(t.basics.parks.b);
    await t.admin.post('/admin/users').type('form').send({ username: 'twice', displayName: '重复', role: 'caseworker', parkIds: [park, park], password: '' }).expect(200);
    const user = await t.db('users').where({ username: 'twice' }).first();
    expect(await t.db('user_parks').where({ user_id: user.id }).select('park_id')).to.deep.equal([{ park_id: t.basics.parks.b }]);
    await t.admin.post(`/admin/users/${user.id}`).type('form').send({ displayName: '重复', role: 'caseworker', parkIds: [park, park, String(t.basics.parks.a)], version: 1 }).expect(303);
    const parks = (await t.db('user_parks').where({ user_id: user.id }).orderBy('park_id')).map((r) => r.park_id);
    expect(parks).to.deep.equal([t.basics.parks.a, t.basics.parks.b].sort((x, y) => x - y));
  });

  it('two administrators creating the same username at once: one succeeds, the other is told the name is taken', async function () {
    this.timeout(20_000);
    const body = { username: 'same.name', displayName: '同名', role: 'leader', password: '' };
    const results = await Promise.all([t.admin.post('/admin/users').type('form').send(body), t.admin.post('/admin/users').type('form').send(body)]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 422]);
    expect(results.find((r) => r.status === 422)!.text).to.include('已被使用');
    expect(await t.db('users').where({ username: 'same.name' })).to.have.length(1);
  });

  it('refuses a taken username, a bad username, park scope for non-caseworkers, and a weak chosen password', async () => {
    const before = await snapshot(t.db);
    const bad = async (body: Record<string, unknown>, message: string) => {
      const res = await t.admin.post('/admin/users').type('form').send({ displayName: '某人', role: 'leader', password: '', ...body }).expect(422);
      expect(res.text).to.include(message);
    };
    await bad({ username: 'LEADER' }, '已被使用');
    await bad({ username: 'a b' }, '用户名为');
    await bad({ username: 'okname', parkIds: String(t.basics.parks.a) }, '只有业务员');
    await bad({ username: 'okname', password: 'short' }, '至少 12');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('changes role and scope, ending the user\'s sessions; the next login has the new scope', async () => {
    const cw = await t.as('caseworker');
    await t.admin.post(`/admin/users/${t.basics.users.caseworker.id}`).type('form').send({ displayName: '王晓燕', role: 'caseworker', parkIds: String(t.basics.parks.a), version: 1 }).expect(303);
    expect((await cw.get('/board')).status).to.equal(302);
    const again = new Client(t.server, t.origin);
    await again.login('caseworker');
    const outside = await createFirm(t.db, { parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
    await again.get(`/firms/${outside.uscc}`).expect(404);
    const audit = await t.db('audit_log').where({ action: 'user.update' }).first();
    expect(JSON.parse(audit.after).parkIds).to.deep.equal([t.basics.parks.a]);
  });

  it('protects the last administrator and the administrator\'s own role and account', async () => {
    const adminId = t.basics.users.admin.id;
    const before = await snapshot(t.db);
    const demote = await t.admin.post(`/admin/users/${adminId}`).type('form').send({ displayName: '系统管理员', role: 'leader', version: 1 }).expect(422);
    expect(demote.text).to.include('不能修改自己的角色');
    const disable = await t.admin.post(`/admin/users/${adminId}/disable`).type('form').send({ version: 1 }).expect(303);
    expect(disable.headers.location).to.equal('/admin/users');
    expect((await t.admin.get('/admin/users')).text).to.include('不能停用自己的账户');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('never deletes users: disabling keeps them listed, and they can be enabled again', async () => {
    await t.admin.post(`/admin/users/${t.basics.users.leader.id}/disable`).type('form').send({ version: 1 }).expect(303);
    const list = (await t.admin.get('/admin/users').expect(200)).text;
    expect(list).to.include('已停用');
    await t.admin.post(`/admin/users/${t.basics.users.leader.id}/enable`).type('form').send({ version: 2 }).expect(303);
    expect(await t.db('users').where({ id: t.basics.users.leader.id }).first()).to.include({ is_active: t.dialect === 'postgres' ? true : 1 });
  });

  it('resets a password: a temporary one shown once, the user\'s sessions end, the old password stops working', async () => {
    const leader = await t.as('leader');
    const res = await t.admin.post(`/admin/users/${t.basics.users.leader.id}/reset-password`).type('form').send({ version: 1 }).expect(200);
    const temp = html(res.text).querySelector('.temp-password')!.text.trim();
    expect((await leader.get('/board')).status).to.equal(302);
    expect((await new Client(t.server, t.origin).login('leader')).status).to.equal(401);
    expect((await new Client(t.server, t.origin).login('leader', temp)).headers.location).to.equal('/account/password');
  });

  it('a stale version is refused (two administrators at once)', async () => {
    // A real change (an unchanged save writes nothing, so it would leave the version where it was).
    await t.admin.post(`/admin/users/${t.basics.users.leader.id}`).type('form').send({ displayName: '陈建华（市局）', role: 'leader', version: 1 }).expect(303);
    const res = await t.admin.post(`/admin/users/${t.basics.users.leader.id}`).type('form').send({ displayName: '另一个名字', role: 'leader', version: 1 });
    expect(res.status).to.equal(409);
  });
});

describe('the audit log page', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
    const firm = await createFirm(t.db, { stage: 'candidate', actorId: t.basics.users.admin.id });
    const cw = await t.as('caseworker');
    await cw.post(`/firms/${firm.uscc}/stage`).type('form').send({ to: 'incubating', version: 1, source: 'board' }).expect(303);
    (t as unknown as { firm: string }).firm = firm.uscc;
  });
  after(() => t.destroy());

  it('lists writes and logins with actor, action, object, before/after, time and IP', async () => {
    const doc = html((await t.admin.get('/admin/audit').expect(200)).text);
    const rows = doc.querySelectorAll('table.audit tbody tr').map((r) => r.text.replace(/\s+/g, ' '));
    expect(rows.some((r) => r.includes('王晓燕') && r.includes('移动阶段') && r.includes('候选') && r.includes('孵化培育') && !r.includes('candidate'))).to.equal(true);
    expect(rows.some((r) => r.includes('登录成功'))).to.equal(true);
  });

  it('filters by user, firm, action and date', async () => {
    const firm = (t as unknown as { firm: string }).firm;
    const byUser = html((await t.admin.get(`/admin/audit?user=${t.basics.users.caseworker.id}`).expect(200)).text);
    expect(byUser.querySelectorAll('table.audit tbody tr').every((r) => r.text.includes('王晓燕'))).to.equal(true);
    const byFirm = html((await t.admin.get(`/admin/audit?firm=${firm.toLowerCase()}`).expect(200)).text);
    expect(byFirm.querySelectorAll('table.audit tbody tr')).to.have.length(1);
    const byAction = html((await t.admin.get('/admin/audit?action=login.').expect(200)).text);
    expect(byAction.querySelectorAll('table.audit tbody tr').every((r) => r.text.includes('登录'))).to.equal(true);
    const future = html((await t.admin.get('/admin/audit?from=2999-01-01').expect(200)).text);
    expect(future.querySelector('table.audit tbody')!.text).to.include('没有符合条件的记录');
  });

  it('offers every user in the filter, and ignores an action that is not one (even an Object property name)', async () => {
    const doc = html((await t.admin.get('/admin/audit').expect(200)).text);
    const options = doc.querySelectorAll('select[name="user"] option').map((o) => o.getAttribute('value')).filter(Boolean);
    expect(options.map(Number).sort((a, b) => a - b)).to.deep.equal(Object.values(t.basics.users).map((u) => u.id).sort((a, b) => a - b));
    for (const action of ['toString', 'constructor']) {
      const filtered = html((await t.admin.get(`/admin/audit?action=${action}`).expect(200)).text);
      expect(filtered.querySelector('select[name="action"] option[selected]'), action).to.equal(null);
      expect(filtered.querySelectorAll('table.audit tbody tr').length, action).to.equal(doc.querySelectorAll('table.audit tbody tr').length);
    }
  });

  it('is for administrators only', async () => {
    for (const role of ['leader', 'caseworker', 'counsellor'] as const) {
      expect((await (await t.as(role)).get('/admin/audit')).status, role).to.equal(403);
    }
  });
});
