/**
 * Sessions and administrator actions (issue 8, item 8): the __Host- cookie over HTTPS,
 * Clear-Site-Data at logout, the password asked again for administrator actions after 15 minutes,
 * and refused requests in the audit log with the actor and role.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { TEST_PASSWORD, testPasswordHash } from '../helpers/factories.js';
import { Client, createTestContext, csrfFrom, html, type TestContext } from '../helpers/test-app.js';

/** A browser behind a TLS-terminating proxy on loopback: cookies set by hand (the jar keeps Secure ones from http). */
class HttpsClient {
  private jar = new Map<string, string>();
  token = '';
  constructor(readonly server: Server) {}
  get cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  remember(res: supertest.Response) {
    for (const c of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      const [pair] = c.split(';');
      const [name, ...value] = pair!.split('=');
      if (/Expires=Thu, 01 Jan 1970/.test(c) || value.join('=') === '') this.jar.delete(name!);
      else this.jar.set(name!, value.join('='));
    }
    return res;
  }
  async get(url: string) {
    return this.remember(await supertest(this.server).get(url).set('X-Forwarded-Proto', 'https').set('Cookie', this.cookie));
  }
  async post(url: string, body: Record<string, string>) {
    return this.remember(
      await supertest(this.server).post(url).set('X-Forwarded-Proto', 'https').set('Cookie', this.cookie).set('Origin', 'https://127.0.0.1').set('Host', '127.0.0.1').type('form').send({ _csrf: this.token, ...body }),
    );
  }
}

/** The session cookie among the cookies an answer sets (the device note is another). */
function sessionCookie(res: { headers: Record<string, unknown> }): string {
  return ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => /miaopu\.sid=/.test(c)) ?? '';
}

describe('session cookies and logout over HTTPS', () => {
  let t: TestContext;
  let server: Server;
  before(async () => {
    t = await createTestContext();
    server = createApp(t.db, testConfig({ trustProxy: 'loopback' })).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.destroy();
  });

  it('names the cookie __Host- when it is Secure: Path=/, no Domain; plain HTTP keeps the plain name', async () => {
    const c = new HttpsClient(server);
    const page = c.remember(await supertest(server).get('/login').set('X-Forwarded-Proto', 'https').set('Host', '127.0.0.1'));
    c.token = csrfFrom(page.text);
    const res = await c.post('/login', { username: 'caseworker', password: TEST_PASSWORD });
    expect(res.status).to.equal(303);
    const set = sessionCookie(res);
    expect(set).to.match(/^__Host-miaopu\.sid=/);
    expect(set).to.include('Secure').and.include('Path=/').and.include('HttpOnly').and.include('SameSite=Lax');
    expect(set).to.not.match(/Domain=/i);
    // The same app over plain HTTP (an intranet without TLS) uses the unprefixed, non-Secure cookie.
    const plain = await new Client(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`).login('caseworker');
    expect(sessionCookie(plain)).to.match(/^miaopu\.sid=/).and.not.include('Secure');
  });

  it('COOKIE_SECURE=true: always the __Host- cookie', async () => {
    const secure = createApp(t.db, testConfig({ cookieSecure: true, trustProxy: 'loopback' })).listen(0, '127.0.0.1');
    await new Promise((resolve) => secure.once('listening', resolve));
    try {
      const page = await supertest(secure).get('/login').set('X-Forwarded-Proto', 'https');
      const res = await supertest(secure).post('/login').set('X-Forwarded-Proto', 'https').set('Host', '127.0.0.1').set('Origin', 'https://127.0.0.1')
        .set('Cookie', String(([] as string[]).concat(page.headers['set-cookie'] ?? [])[0]).split(';')[0]!)
        .type('form').send({ _csrf: csrfFrom(page.text), username: 'leader', password: TEST_PASSWORD });
      expect(sessionCookie(res)).to.match(/^__Host-miaopu\.sid=.*Secure/);
    } finally {
      await new Promise((resolve) => secure.close(resolve));
    }
  });

  it('logout over HTTPS clears the cookie and asks the browser to clear its cache and storage; over HTTP it cannot', async () => {
    const c = new HttpsClient(server);
    const page = c.remember(await supertest(server).get('/login').set('X-Forwarded-Proto', 'https'));
    c.token = csrfFrom(page.text);
    await c.post('/login', { username: 'counsellor', password: TEST_PASSWORD });
    c.token = csrfFrom((await c.get('/account/password')).text);
    const out = await c.post('/logout', {});
    expect(out.status).to.equal(303);
    expect(out.headers['clear-site-data']).to.equal('"cache", "storage"');
    expect(([] as string[]).concat(out.headers['set-cookie'] ?? []).some((c) => c.startsWith('__Host-miaopu.sid=;') && c.includes('Secure'))).to.equal(true);
    const plain = new Client(t.server, t.origin);
    await plain.login('counsellor');
    const res = await plain.post('/logout').type('form').send({}).expect(303);
    expect(res.headers['clear-site-data']).to.equal(undefined);
  });
});

describe('administrator actions ask for the password again after 15 minutes', () => {
  let t: TestContext;
  let n = 0;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  /** A signed-in administrator whose last sign-in was `minutes` ago. */
  async function adminAuthenticated(minutesAgo: number): Promise<{ c: Client; id: number }> {
    const username = `reauth${n++}`;
    const at = new Date().toISOString();
    const [row] = await t.db('users').insert({ username, display_name: '复核管理员', role: 'admin', password_hash: await testPasswordHash(), is_active: true, version: 1, created_at: at, updated_at: at }).returning('id');
    const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    const c = new Client(t.server, t.origin);
    await c.login(username);
    const session = await t.db('sessions').where({ user_id: id }).first();
    const data = JSON.parse(session.data);
    data.authenticatedAt = new Date(Date.now() - minutesAgo * 60_000).toISOString();
    await t.db('sessions').where({ sid: session.sid }).update({ data: JSON.stringify(data) });
    return { c, id };
  }

  const newUser = () => ({ username: `made${n++}`, displayName: '新同事', role: 'caseworker', parkIds: [String(t.basics.parks.a), String(t.basics.parks.b)], password: '' });
  const users = async (username: string) => Number((await t.db('users').where({ username }).count({ n: '*' }).first())?.n);

  it('within 15 minutes of signing in, an administrator action goes straight through', async () => {
    const { c } = await adminAuthenticated(10);
    const body = newUser();
    await c.post('/admin/users').type('form').send(body).expect(200);
    expect(await users(body.username)).to.equal(1);
  });

  it('after 15 minutes: the password is asked, the form is kept, and the action completes once it is given', async () => {
    const { c, id } = await adminAuthenticated(16);
    const body = newUser();
    const asked = await c.post('/admin/users').type('form').send(body).expect(200);
    expect(asked.text).to.include('请再次输入你的密码');
    expect(await users(body.username)).to.equal(0);
    const form = html(asked.text).querySelector('form.reauth-form')!;
    expect(form.getAttribute('action')).to.equal('/admin/users');
    const carried = form.querySelectorAll('input[type=hidden]').map((i) => [i.getAttribute('name'), i.getAttribute('value')]);
    expect(carried).to.deep.include.members([['username', body.username], ['displayName', '新同事'], ['parkIds', String(t.basics.parks.a)], ['parkIds', String(t.basics.parks.b)]]);
    const wrong = await c.post('/admin/users').type('form').send({ ...body, _reauthPassword: 'not-my-password' }).expect(200);
    expect(wrong.text).to.include('密码不正确');
    expect(await users(body.username)).to.equal(0);
    const done = await c.post('/admin/users').type('form').send({ ...body, _reauthPassword: TEST_PASSWORD }).expect(200);
    expect(done.text).to.include('用户已创建');
    const made = await t.db('users').where({ username: body.username }).first('id');
    expect((await t.db('user_parks').where({ user_id: made.id })).length).to.equal(2);
    // Proven again just now: the next action does not ask.
    await c.post(`/admin/users/${made.id}/disable`).type('form').send({ version: 1 }).expect(303);
    const audit = await t.db('audit_log').where({ actor_id: id }).whereIn('action', ['reauth.failure', 'reauth.success']).orderBy('id').pluck('action');
    expect(audit).to.deep.equal(['reauth.failure', 'reauth.success']);
  });

  for (const [what, url, body] of [
    ['changing a role', (id: number) => `/admin/users/${id}`, { displayName: '被改的人', role: 'leader', version: '1' }],
    ['disabling', (id: number) => `/admin/users/${id}/disable`, { version: '1' }],
    ['resetting a password', (id: number) => `/admin/users/${id}/reset-password`, { version: '1' }],
  ] as const) {
    it(`${what} is guarded too, and changes nothing until confirmed`, async () => {
      const { c } = await adminAuthenticated(30);
      const target = await adminAuthenticated(0);
      const before = await t.db('users').where({ id: target.id }).first();
      const asked = await c.post(url(target.id)).type('form').send(body).expect(200);
      expect(asked.text).to.include('请再次输入你的密码');
      expect(await t.db('users').where({ id: target.id }).first()).to.deep.equal(before);
    });
  }

  it('five wrong passwords end the session', async () => {
    const { c } = await adminAuthenticated(20);
    for (let i = 0; i < 4; i++) expect((await c.post('/admin/users').type('form').send({ ...newUser(), _reauthPassword: `wrong-${i}` }).expect(200)).text).to.include('密码不正确');
    const last = await c.post('/admin/users').type('form').send({ ...newUser(), _reauthPassword: 'wrong-again' }).expect(303);
    expect(last.headers.location).to.equal('/login');
    await c.get('/admin/users').expect(302);
  });
});

describe('refused requests in the audit log', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  it('a role without the permission: one access.denied row with the actor, the role and the request', async () => {
    const leader = await t.as('leader');
    await leader.post('/firms').type('form').send({ name: 'x' }).expect(403);
    const row = await t.db('audit_log').where({ action: 'access.denied' }).orderBy('id', 'desc').first();
    expect(row.actor_id).to.equal(t.basics.users.leader.id);
    expect(row.actor_name).to.equal(t.basics.users.leader.displayName);
    expect(row.object_id).to.equal('POST /firms');
    expect(JSON.parse(row.after)).to.include({ role: 'leader', username: 'leader', code: 'FORBIDDEN' });
  });

  it('a missing CSRF token and a GET of an administrator page are audited too; the audit page names them', async () => {
    const cw = await t.as('caseworker');
    await cw.agent.post('/firms').set('Origin', t.origin).type('form').send({ name: 'x' }).expect(403);
    await cw.get('/admin/audit').expect(403);
    const rows = await t.db('audit_log').where({ action: 'access.denied', actor_id: t.basics.users.caseworker.id }).orderBy('id');
    expect(rows.map((r: { object_id: string }) => r.object_id)).to.deep.equal(['POST /firms', 'GET /admin/audit']);
    expect(JSON.parse(rows[0].after).code).to.equal('CSRF_TOKEN');
    expect((await t.admin.get('/admin/audit').expect(200)).text).to.include('拒绝访问');
  });
});
