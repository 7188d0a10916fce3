/**
 * The sweep of issue 8, item 3: bodies the app does not expect, posted to every POST route the app
 * registers (test/helpers/routes.ts), each answered with a 4xx and a message, never 500, and none
 * of them writing anything. Each malformed body is a near miss of a well-formed one, which the
 * route then accepts, so a refusal cannot come from a request that was wrong in some other way.
 */
import { expect } from 'chai';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { TEST_PASSWORD, createFirm, testPasswordHash, validUscc } from '../helpers/factories.js';
import { writeCsv, writeXlsx } from '../helpers/list-files.js';
import { registeredRoutes } from '../helpers/routes.js';
import { Client, createTestContext, snapshot, type TestContext } from '../helpers/test-app.js';

type Body = Record<string, string>;

interface Target {
  url: string;
  /** The well-formed body the malformed ones are made from. */
  body: Body;
  client: Client;
}

let n = 80_000;

async function newUser(t: TestContext, role: 'admin' | 'leader', active = true): Promise<{ id: number; username: string }> {
  const username = `sweep${n++}`;
  const at = new Date().toISOString();
  const [row] = await t.db('users')
    .insert({ username, display_name: '扫描用户', role, password_hash: await testPasswordHash(), is_active: active, version: 1, created_at: at, updated_at: at })
    .returning('id');
  return { id: typeof row === 'object' ? (row as { id: number }).id : (row as number), username };
}

/** A signed-in administrator of its own, for routes that sign out or change the password. */
async function ownAdmin(t: TestContext): Promise<Client> {
  const { username } = await newUser(t, 'admin');
  const c = new Client(t.server, t.origin);
  expect((await c.login(username)).status).to.equal(303);
  return c;
}

async function uploadedBatch(t: TestContext): Promise<number> {
  const res = await t.admin.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', writeCsv([['统一社会信用代码', '企业名称'], [validUscc(n++), '余姚市扫描测试有限公司']]));
  return Number(/(\d+)$/.exec(res.headers.location ?? '')![1]);
}

async function previewedBatch(t: TestContext): Promise<number> {
  const id = await uploadedBatch(t);
  await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name', version: 1 }).expect(303);
  await (t.app.locals.importRunner as ImportRunner).settled(id);
  return id;
}

async function committedBatch(t: TestContext): Promise<number> {
  const id = await previewedBatch(t);
  await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ confirmReplace: '1' }).expect(303);
  await (t.app.locals.importRunner as ImportRunner).settled(id);
  return id;
}

const firm = (t: TestContext) => createFirm(t.db, { stage: 'candidate', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });

/** A fresh target per route, so the well-formed request at the end finds it as the page would. */
const TARGETS: Record<string, (t: TestContext) => Promise<Target>> = {
  'POST /login': async (t) => {
    const client = new Client(t.server, t.origin);
    await client.refreshToken('/login');
    return { url: '/login', body: { username: (await newUser(t, 'leader')).username, password: TEST_PASSWORD }, client };
  },
  'POST /logout': async (t) => ({ url: '/logout', body: {}, client: await ownAdmin(t) }),
  // The targets form names its fields after the metrics: the sweep sends those, not the generic ones.
  'POST /targets': async (t) => ({ url: '/targets', body: { year: '2025', t_hte_new: '12', v_hte_new: '0' }, client: t.admin }),
  'POST /account/password': async (t) => ({ url: '/account/password', body: { current: TEST_PASSWORD, next: '扫描之后换上的一句新口令', confirm: '扫描之后换上的一句新口令' }, client: await ownAdmin(t) }),
  'POST /firms/:uscc/figures/:year/check': async (t) => ({ url: `/firms/${(await firm(t)).uscc}/figures/2025/check`, body: { salesRevenue: '100' }, client: t.admin }),
  'POST /firms/:uscc/figures/:year': async (t) => ({ url: `/firms/${(await firm(t)).uscc}/figures/2025`, body: { version: '0', salesRevenue: '100' }, client: t.admin }),
  'POST /firms': async (t) => ({ url: '/firms', body: { uscc: validUscc(n++), name: `余姚市扫描${n}科技有限公司`, parkId: String(t.basics.parks.a), stage: 'candidate' }, client: t.admin }),
  'POST /firms/:uscc': async (t) => {
    const f = await firm(t);
    return { url: `/firms/${f.uscc}`, body: { uscc: f.uscc, name: '余姚市扫描改名有限公司', parkId: String(t.basics.parks.a), version: '1' }, client: t.admin };
  },
  'POST /firms/:uscc/stage': async (t) => ({ url: `/firms/${(await firm(t)).uscc}/stage`, body: { to: 'incubating', version: '1', source: 'firm_page' }, client: t.admin }),
  'POST /lists/imports': async (t) => ({ url: '/lists/imports', body: { kind: 'patent', year: '2025' }, client: t.admin }),
  'POST /lists/imports/:id/sheet': async (t) => {
    const file = await writeXlsx([['统一社会信用代码', '企业名称'], [validUscc(n++), '余姚市扫描测试有限公司']], { sheetsBefore: [{ name: '说明', rows: [['说明']] }] });
    const res = await t.admin.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', file).expect(303);
    return { url: `${res.headers.location}/sheet`, body: { sheet: '说明' }, client: t.admin };
  },
  'POST /lists/imports/:id/mapping': async (t) => ({ url: `/lists/imports/${await uploadedBatch(t)}/mapping`, body: { field_0: 'uscc', field_1: 'name', version: '1' }, client: t.admin }),
  'POST /lists/imports/:id/commit': async (t) => ({ url: `/lists/imports/${await previewedBatch(t)}/commit`, body: { confirmReplace: '1' }, client: t.admin }),
  'POST /lists/imports/:id/revert': async (t) => ({ url: `/lists/imports/${await committedBatch(t)}/revert`, body: { confirmRevert: '1' }, client: t.admin }),
  'POST /lists/imports/:id/discard': async (t) => ({ url: `/lists/imports/${await uploadedBatch(t)}/discard`, body: {}, client: t.admin }),
  'POST /lists/screen': async (t) => ({ url: '/lists/screen', body: { year: '2025', firm: `${(await firm(t)).uscc}:1`, reason: '同时在三张名单上' }, client: t.admin }),
  'POST /admin/users': async (t) => ({ url: '/admin/users', body: { username: `sweepnew${n++}`, displayName: '新用户', role: 'leader', password: '' }, client: t.admin }),
  'POST /admin/users/:id': async (t) => ({ url: `/admin/users/${(await newUser(t, 'leader')).id}`, body: { displayName: '改名', role: 'counsellor', version: '1' }, client: t.admin }),
  'POST /admin/users/:id/disable': async (t) => ({ url: `/admin/users/${(await newUser(t, 'leader')).id}/disable`, body: { version: '1' }, client: t.admin }),
  'POST /admin/users/:id/enable': async (t) => ({ url: `/admin/users/${(await newUser(t, 'leader', false)).id}/enable`, body: { version: '1' }, client: t.admin }),
  'POST /admin/users/:id/reset-password': async (t) => ({ url: `/admin/users/${(await newUser(t, 'leader')).id}/reset-password`, body: { version: '1' }, client: t.admin }),
};

/**
 * A route added later and not listed above is still swept, with its parameters filled in and a
 * generic body; only the final "well-formed is accepted" check needs it to be listed.
 */
async function genericTarget(t: TestContext, route: string): Promise<Target> {
  const f = await firm(t);
  const url = route
    .slice('POST '.length)
    .replace(':uscc', f.uscc)
    .replace(':year', '2025')
    .replace(/:[a-zA-Z]+/g, '1');
  return { url, body: { name: '扫描', version: '1', note: '扫描' }, client: t.admin };
}

const NUL = '\u0000';
const urlencode = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

interface Variant {
  what: string;
  send(c: Client, target: Target): PromiseLike<{ status: number; text: string }>;
  /** The answer it must get; any 4xx when not given. */
  status?: number[];
}

const VARIANTS: Variant[] = [
  { what: 'text/plain', status: [415], send: (c, t) => c.post(t.url).set('Content-Type', 'text/plain').send(urlencode(Object.entries(t.body))) },
  { what: 'JSON', status: [415], send: (c, t) => c.post(t.url).set('Content-Type', 'application/json').send(JSON.stringify(t.body)) },
  { what: 'JSON with an array body', status: [415], send: (c, t) => c.post(t.url).set('Content-Type', 'application/json').send(JSON.stringify([t.body])) },
  { what: 'XML', status: [415], send: (c, t) => c.post(t.url).set('Content-Type', 'application/xml').send('<a>1</a>') },
  { what: 'a body without a Content-Type', status: [415], send: (c, t) => c.post(t.url).set('Content-Type', '').send(Buffer.from(urlencode([...Object.entries(t.body), ['_x', '1']]))) },
  { what: 'a form in another charset', status: [415], send: (c, t) => c.post(t.url).set('Content-Type', 'application/x-www-form-urlencoded; charset=iso-8859-1').send(urlencode(Object.entries(t.body))) },
  { what: 'a form with a gzip Content-Encoding that is not gzip', send: (c, t) => c.post(t.url).set('Content-Type', 'application/x-www-form-urlencoded').set('Content-Encoding', 'gzip').send(urlencode(Object.entries(t.body))) },
  {
    what: 'multipart with the form fields',
    send: (c, t) => {
      const req = c.post(t.url);
      for (const [k, v] of Object.entries(t.body)) req.field(k, v);
      return req.field('_pad', 'x');
    },
  },
  {
    what: 'multipart with two files',
    send: (c, t) => {
      const req = c.post(t.url);
      for (const [k, v] of Object.entries(t.body)) req.field(k, v);
      const file = writeCsv([['统一社会信用代码', '企业名称'], [validUscc(n++), '余姚市扫描测试有限公司']]);
      return req.attach('file', file).attach('file', file);
    },
  },
  { what: 'multipart without a boundary', send: (c, t) => c.post(t.url).set('Content-Type', 'multipart/form-data').send('--x\r\n\r\n') },
  { what: 'NUL characters in every field', status: [400], send: (c, t) => c.post(t.url).type('form').send(urlencode([...Object.entries(t.body).map(([k, v]): [string, string] => [k, `${v}${NUL}`]), ['_nul', NUL]])) },
  { what: 'a NUL in a field name', status: [400], send: (c, t) => c.post(t.url).type('form').send(urlencode([...Object.entries(t.body), [`x${NUL}`, '1']])) },
  { what: 'an oversized field', status: [413], send: (c, t) => c.post(t.url).type('form').send(urlencode([...Object.entries(t.body), ['_pad', '苗'.repeat(30_000)]])) },
  { what: 'a body over the limit', status: [413], send: (c, t) => c.post(t.url).type('form').send(urlencode([...Object.entries(t.body), ...Array.from({ length: 300 }, (_, i): [string, string] => [`p${i}`, 'x'.repeat(900)])])) },
  { what: 'too many fields', status: [413], send: (c, t) => c.post(t.url).type('form').send(urlencode([...Object.entries(t.body), ...Array.from({ length: 600 }, (_, i): [string, string] => [`p${i}`, '1'])])) },
  { what: 'bad percent-encoding', send: (c, t) => c.post(t.url).type('form').send(`${urlencode(Object.entries(t.body))}&x=%E0%A4%A`) },
];

/** Every field of the well-formed body sent twice: a list where the route reads one value. */
const ARRAYS: Variant = {
  what: 'arrays where strings are expected',
  status: [400],
  send: (c, t) => c.post(t.url).type('form').send(urlencode(Object.entries(t.body).flatMap(([k, v]): [string, string][] => [[k, v], [k, `${v}2`]]))),
};

describe('malformed bodies on every POST route (the sweep)', function () {
  this.timeout(120_000);
  let t: TestContext;
  let routes: string[];
  before(async () => {
    t = await createTestContext();
    routes = registeredRoutes(t.app).filter((r) => r.startsWith('POST '));
  });
  after(() => t.destroy());

  it('finds the POST routes to sweep', () => {
    expect(routes.length).to.be.at.least(Object.keys(TARGETS).length);
  });

  // The route list is read from the app in before(); mocha needs the tests now, so they are one per
  // route known at the time of writing, plus one that sweeps any route added since.
  for (const route of Object.keys(TARGETS)) {
    it(`${route}: every malformed body is refused with a 4xx and writes nothing; the well-formed one is accepted`, async () => {
      expect(routes, 'the route is still registered').to.include(route);
      await sweep(t, route, TARGETS[route]!);
    });
  }

  it('routes registered since this list was written are swept too (with a generic body)', async () => {
    for (const route of routes.filter((r) => !(r in TARGETS))) await sweep(t, route, (ctx) => genericTarget(ctx, route), false);
  });
});

async function sweep(t: TestContext, route: string, prepare: (t: TestContext) => Promise<Target>, checkWellFormed = true): Promise<void> {
  const runner = t.app.locals.importRunner as ImportRunner;
  const target = await prepare(t);
  const variants = Object.keys(target.body).length ? [...VARIANTS, ARRAYS] : VARIANTS;
  for (const variant of variants) {
    await runner.idle();
    const before = await snapshot(t.db);
    const res = await variant.send(target.client, target);
    await runner.idle();
    const label = `${route} with ${variant.what}`;
    expect(res.status, `${label}: ${res.text.slice(0, 200)}`).to.be.within(400, 499);
    // A generic target may be refused for its made-up parameters first (404): any 4xx will do there.
    if (variant.status && checkWellFormed) expect(res.status, label).to.be.oneOf(variant.status);
    expect(res.text, label).to.not.match(/SqliteError|error:|at .*\.ts:\d+/);
    expect(await snapshot(t.db), `${label} wrote something`).to.deep.equal(before);
  }
  if (!checkWellFormed) return;
  // The same target, well-formed, goes through: the refusals above were about the body alone.
  const res = await (route === 'POST /lists/imports'
    ? target.client.post(target.url).field('kind', 'patent').field('year', '2025').attach('file', writeCsv([['统一社会信用代码', '企业名称'], [validUscc(n++), '余姚市扫描测试有限公司']]))
    : target.client.post(target.url).type('form').send(target.body));
  await runner.idle();
  expect(res.status, `${route}, well-formed: ${res.text.slice(0, 300)}`).to.be.oneOf([200, 204, 303]);
}
