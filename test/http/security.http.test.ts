/** CSRF, origin checks, security headers, anonymous access and what the static server must not serve. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { createFirm } from '../helpers/factories.js';
import { writeCsv } from '../helpers/list-files.js';
import { Client, createTestContext, csrfFrom, html, snapshot, type TestContext } from '../helpers/test-app.js';

describe('CSRF and origin checks on unsafe requests', () => {
  let t: TestContext;
  let firm: { uscc: string };
  before(async () => {
    t = await createTestContext();
  });
  beforeEach(async () => {
    firm = await createFirm(t.db, { stage: 'candidate', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
  });
  after(() => t.destroy());

  const moveBody = { to: 'incubating', version: 1, source: 'board' };
  const refused = async (send: () => Promise<{ status: number; text: string; headers: Record<string, string> }>) => {
    const before = await snapshot(t.db);
    const res = await send();
    expect(res.status).to.equal(403);
    expect(res.text).to.not.match(/at .*\.ts:\d+|SqliteError|ForbiddenError/);
    expect(await snapshot(t.db)).to.deep.equal(before);
    return res;
  };

  it('When the token is missing, then 403 and nothing changes (form and htmx variants)', async () => {
    await refused(() => t.admin.agent.post(`/firms/${firm.uscc}/stage`).set('Origin', t.origin).type('form').send(moveBody));
    const res = await refused(() => t.admin.agent.post(`/firms/${firm.uscc}/stage`).set('Origin', t.origin).set('HX-Request', 'true').type('form').send(moveBody));
    expect(res.headers['hx-retarget']).to.equal('#flash');
    expect(res.text).to.include('页面已过期');
  });

  it('When the token is wrong, empty, or belongs to another session, then 403', async () => {
    await refused(() => t.admin.agent.post(`/firms/${firm.uscc}/stage`).set('Origin', t.origin).set('X-CSRF-Token', 'x'.repeat(64)).type('form').send(moveBody));
    await refused(() => t.admin.agent.post(`/firms/${firm.uscc}/stage`).set('Origin', t.origin).set('X-CSRF-Token', '').type('form').send(moveBody));
    const other = await t.as('caseworker');
    await refused(() => t.admin.agent.post(`/firms/${firm.uscc}/stage`).set('Origin', t.origin).set('X-CSRF-Token', other.token).type('form').send(moveBody));
  });

  it('When the token is the one from before logging out and in again, then 403', async () => {
    const c = new Client(t.server, t.origin);
    await c.login('caseworker');
    const old = c.token;
    await c.post('/logout').expect(303);
    await c.login('caseworker');
    await refused(() => c.agent.post(`/firms/${firm.uscc}/stage`).set('Origin', t.origin).set('X-CSRF-Token', old).type('form').send(moveBody));
  });

  it('accepts the token as a form field (plain HTML forms without JavaScript)', async () => {
    const res = await t.admin.postForm(`/firms/${firm.uscc}/stage`, moveBody).expect(303);
    expect(res.headers.location).to.equal('/board');
  });

  for (const [what, headers] of [
    ['another origin', { Origin: 'http://evil.example' }],
    ['Origin: null', { Origin: 'null' }],
    ['a look-alike origin', { Origin: 'SUFFIX' }],
    ['a cross-site fetch', { 'Sec-Fetch-Site': 'cross-site' }],
    ['no Origin and a foreign Referer', { Referer: 'http://evil.example/page' }],
  ] as const) {
    it(`When the request comes from ${what} even with a valid token, then 403`, async () => {
      const h: Record<string, string> = { ...headers };
      if (h.Origin === 'SUFFIX') h.Origin = `${t.origin}.evil.example`;
      const res = await refused(() => {
        const req = t.admin.agent.post(`/firms/${firm.uscc}/stage`).set('X-CSRF-Token', t.admin.token);
        for (const [k, v] of Object.entries(h)) req.set(k, v);
        return req.type('form').send(moveBody);
      });
      expect(res.text).to.include('请求来源');
    });
  }

  it('accepts a same-origin Referer when the browser sends no Origin', async () => {
    await t.admin.agent.post(`/firms/${firm.uscc}/stage`).set('Referer', `${t.origin}/board`).set('X-CSRF-Token', t.admin.token).set('HX-Request', 'true').type('form').send(moveBody).expect(200);
  });

  it('protects the login form too', async () => {
    const anon = t.anonymous();
    await anon.get('/login');
    const res = await anon.agent.post('/login').set('Origin', t.origin).type('form').send({ username: 'admin', password: 'miaopu-demo' });
    expect(res.status).to.equal(403);
  });

  it('a plain (script-less) upload form is accepted with its _csrf field, and refused without it', async () => {
    const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-csrf-uploads-'));
    const server = createApp(t.db, testConfig({ uploadDir })).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const admin = new Client(server, origin);
      await admin.login('admin');
      const file = writeCsv([['纳税人识别号', '纳税人名称'], [firm.uscc, '某公司']]);
      const form = (fields: Record<string, string>) => {
        const req = admin.agent.post('/lists/imports').set('Origin', origin);
        for (const [k, v] of Object.entries(fields)) req.field(k, v);
        return req.attach('file', file);
      };
      const page = html((await admin.get('/lists').expect(200)).text);
      expect(page.querySelector('form.upload-form input[name="_csrf"]')?.getAttribute('value')).to.equal(admin.token);
      const before = await snapshot(t.db);
      const refused: Record<string, string>[] = [{ kind: 'rd_deduction', year: '2025' }, { _csrf: 'x'.repeat(64), kind: 'rd_deduction', year: '2025' }];
      for (const fields of refused) {
        const res = await form(fields);
        expect(res.status).to.equal(403);
        expect(res.text).to.include('页面已过期');
      }
      expect(await snapshot(t.db)).to.deep.equal(before);
      expect(fs.readdirSync(path.join(uploadDir, 'incoming')), 'refused uploads are not left on disk').to.deep.equal([]);
      const ok = await form({ _csrf: admin.token, kind: 'rd_deduction', year: '2025' }).expect(303);
      expect(ok.headers.location).to.match(/^\/lists\/imports\/\d+$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(uploadDir, { recursive: true, force: true });
    }
  });

  it('every page carries the token in <meta name="csrf-token">', async () => {
    for (const url of ['/board', '/firms', `/firms/${firm.uscc}`, '/dashboard', '/admin/users', '/admin/audit']) {
      const page = await t.admin.get(url).expect(200);
      expect(html(page.text).querySelector('meta[name="csrf-token"]')?.getAttribute('content'), url).to.equal(t.admin.token);
    }
  });
});

describe('anonymous access', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  it('sends page requests to the login page, remembering where they were going', async () => {
    const res = await t.anonymous().get('/firms?stage=tech_sme').expect(302);
    expect(res.headers.location).to.equal('/login?next=%2Ffirms%3Fstage%3Dtech_sme');
  });

  it('answers htmx requests with 401 and HX-Redirect, and no data', async () => {
    const res = await t.anonymous().get('/board').set('HX-Request', 'true').expect(401);
    expect(res.headers['hx-redirect']).to.equal('/login?next=%2Fboard');
    expect(res.text).to.equal('');
  });

  it('writes no session for anonymous requests that do not need one (only the login form does)', async () => {
    const count = async () => Number(((await t.db('sessions').count({ n: '*' }).first()) as { n: number | string }).n);
    const before = await count();
    for (const url of ['/', '/board', '/firms?stage=tech_sme', '/admin/users', '/nowhere', '/healthz', '/css/app.css']) {
      const res = await supertest(t.server).get(url);
      expect(res.status, url).to.be.oneOf([200, 302]);
      expect(res.headers['set-cookie'], url).to.equal(undefined);
    }
    await supertest(t.server).get('/board').set('HX-Request', 'true').expect(401);
    expect(await count()).to.equal(before);
    const login = await supertest(t.server).get('/login').expect(200);
    expect(csrfFrom(login.text)).to.be.a('string');
    expect(await count()).to.equal(before + 1);
  });

  it('refuses anonymous writes', async () => {
    const anon = t.anonymous();
    const page = await anon.get('/login');
    anon.token = csrfFrom(page.text);
    const before = await snapshot(t.db);
    const res = await anon.post('/firms').type('form').send({ uscc: '91330281677691616Q', name: 'x' });
    expect(res.status).to.equal(302);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('follows only same-origin paths after login', async () => {
    for (const next of ['//evil.example', 'https://evil.example/', 'javascript:alert(1)', '/\\evil.example']) {
      const c = new Client(t.server, t.origin);
      const page = await c.agent.get(`/login?next=${encodeURIComponent(next)}`);
      const res = await c.agent.post('/login').set('Origin', t.origin).type('form').send({ _csrf: csrfFrom(page.text), username: 'leader', password: 'miaopu-demo', next });
      expect(res.status).to.equal(303);
      expect(res.headers.location, next).to.equal('/board');
    }
  });

  it('serves no database, source, environment or dot files', async () => {
    for (const url of ['/data/miaopu.sqlite', '/miaopu.sqlite', '/.env', '/.git/config', '/package.json', '/src/app.ts', '/dist/src/app.js', '/node_modules/htmx.org/package.json', '/css/../../package.json']) {
      const res = await t.anonymous().get(url);
      expect(res.status, url).to.be.oneOf([302, 404]);
      expect(res.text, url).to.not.include('"dependencies"');
    }
  });
});

describe('security headers', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  it('sends a CSP without inline script or eval, and the other headers, on pages, fragments and errors', async () => {
    const firm = await createFirm(t.db, { actorId: t.basics.users.admin.id });
    const responses = [
      await t.admin.get('/board'),
      await t.admin.get('/board').set('HX-Request', 'true'),
      await t.admin.get(`/firms/${firm.uscc}/move-menu`).set('HX-Request', 'true'),
      await t.admin.get('/nowhere'),
      await t.anonymous().get('/login'),
    ];
    for (const res of responses) {
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).to.include("script-src 'self'").and.include("script-src-attr 'none'").and.include("object-src 'none'").and.include("frame-ancestors 'self'");
      expect(csp).to.not.include('unsafe-inline');
      expect(csp).to.not.include('unsafe-eval');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['x-powered-by']).to.equal(undefined);
      expect(res.headers['content-type']).to.match(/charset=utf-8/);
    }
  });

  it('has no inline scripts or inline event handlers in any page', async () => {
    for (const url of ['/board', '/firms', '/dashboard', '/admin/users', '/admin/audit', '/account/password', '/firms/new']) {
      const page = (await t.admin.get(url).expect(200)).text;
      const doc = html(page);
      for (const script of doc.querySelectorAll('script')) {
        const src = script.getAttribute('src');
        const type = script.getAttribute('type');
        expect(!!src || type === 'application/json', `${url}: inline script`).to.equal(true);
      }
      expect(page, url).to.not.match(/\son[a-z]+=/i);
      expect(page, url).to.not.match(/hx-on|hx-vals=|javascript:/);
    }
  });

  it('sets Secure on the session cookie behind a TLS-terminating proxy when trust proxy is configured', async () => {
    const { createApp } = await import('../../src/app.js');
    const { testConfig } = await import('../../src/config.js');
    const supertest = (await import('supertest')).default;
    const app = createApp(t.db, testConfig({ trustProxy: 'loopback' }));
    const res = await supertest(app).get('/login').set('X-Forwarded-Proto', 'https');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).to.include('Secure').and.include('HttpOnly').and.include('SameSite=Lax').and.include('Path=/');
    const plain = await supertest(app).get('/login');
    expect(String(plain.headers['set-cookie'])).to.not.include('Secure');
    expect(String(plain.headers['set-cookie'])).to.include('HttpOnly');
  });
});

describe('static files', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  it('makes browsers revalidate scripts and styles (same URL across upgrades), answering 304 when unchanged', async () => {
    const app = createApp(t.db, testConfig({ production: true }));
    for (const url of ['/js/app.js', '/css/app.css', '/vendor/htmx.min.js', '/vendor/sortable.min.js']) {
      const res = await supertest(app).get(url).expect(200);
      expect(res.headers['cache-control'], url).to.equal('no-cache');
      expect(res.headers.etag, url).to.be.a('string');
      await supertest(app).get(url).set('If-None-Match', res.headers.etag as string).expect(304);
    }
  });
});

describe('error pages', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  it('a 403 is a Chinese page, or an in-place message for htmx', async () => {
    const leader = await t.as('leader');
    const page = await leader.get('/admin/users').expect(403);
    expect(page.text).to.include('没有权限').and.include('<html');
    const fragment = await leader.get('/admin/users').set('HX-Request', 'true').expect(403);
    expect(fragment.headers['hx-retarget']).to.equal('#flash');
    expect(fragment.text).to.not.include('<html');
  });

  it('a database failure is a generic 500 with a reference number, never SQL or a stack trace', async () => {
    await t.db.schema.renameTable('stage_counts', 'stage_counts_gone');
    try {
      for (const res of [await t.admin.get('/board'), await t.admin.get('/board').set('HX-Request', 'true')]) {
        expect(res.status).to.equal(500);
        expect(res.text).to.include('系统出错了').and.match(/编号[：\s]*(<code>)?[0-9a-f]{8}/);
        expect(res.text).to.not.match(/stage_counts|select|SQLITE|at .*\.(ts|js):\d+/i);
      }
    } finally {
      await t.db.schema.renameTable('stage_counts_gone', 'stage_counts');
    }
  });
});
