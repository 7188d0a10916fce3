import { expect } from 'chai';
import { createFirm } from '../helpers/factories.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';

describe('GET /dashboard', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
    const admin = t.basics.users.admin.id;
    const { a, b } = t.basics.parks;
    // Three firms entered incubating in 2025; two of them later reached tech_sme or beyond.
    const f1 = await createFirm(t.db, { stage: 'candidate', parkId: a, at: '2024-05-01T02:00:00.000Z', actorId: admin });
    const f2 = await createFirm(t.db, { stage: 'candidate', parkId: a, at: '2024-06-01T02:00:00.000Z', actorId: admin });
    const f3 = await createFirm(t.db, { stage: 'candidate', parkId: b, at: '2024-07-01T02:00:00.000Z', actorId: admin });
    const ev = (firm: { id: number }, from: string, to: string, at: string) =>
      t.db('stage_events').insert({ firm_id: firm.id, from_stage: from, to_stage: to, source: 'seed', actor_id: admin, at });
    await ev(f1, 'candidate', 'incubating', '2025-02-01T02:00:00.000Z');
    await ev(f2, 'candidate', 'incubating', '2025-03-01T02:00:00.000Z');
    await ev(f3, 'candidate', 'incubating', '2025-04-01T02:00:00.000Z');
    await ev(f1, 'incubating', 'tech_sme', '2025-09-01T02:00:00.000Z');
    await ev(f2, 'incubating', 'hte_reserve', '2026-01-15T02:00:00.000Z'); // a skip counts as reaching the next stage
    await t.db('firms').where({ id: f1.id }).update({ stage: 'tech_sme' });
    await t.db('firms').where({ id: f2.id }).update({ stage: 'hte_reserve' });
    await t.db('firms').where({ id: f3.id }).update({ stage: 'incubating' });
    await createFirm(t.db, { stage: 'exited', parkId: b, at: '2025-05-01T02:00:00.000Z', actorId: admin });
  });
  after(() => t.destroy());

  const rowFor = (doc: ReturnType<typeof html>, label: string) =>
    doc.querySelectorAll('table.funnel-table tbody tr').find((tr) => tr.querySelector('th')!.text.trim() === label)!;

  it('computes the conversion of a year from stage events: entered, reached the next stage or beyond, rate', async () => {
    const doc = html((await t.admin.get('/dashboard?year=2025').expect(200)).text);
    const cells = rowFor(doc, '孵化培育').querySelectorAll('td').map((td) => td.text.trim());
    // tier, current, entered, next, advanced, rate
    expect(cells).to.deep.equal(['微成长', '1', '3', '科技型中小企业', '2', '66.7%']);
  });

  it('shows the same current counts as the board, in stage order, and the chart data in a JSON block', async () => {
    const dash = html((await t.admin.get('/dashboard').expect(200)).text);
    const board = html((await t.admin.get('/board').expect(200)).text);
    for (const stage of ['candidate', 'incubating', 'tech_sme', 'hte_reserve', 'hte_applying', 'hte_certified', 'benchmark', 'exited']) {
      expect(dash.querySelector(`[data-stage-count=${stage}]`)!.text, stage).to.equal(board.getElementById(`count-${stage}`)!.text);
    }
    const chart = JSON.parse(dash.getElementById('funnel-data')!.text);
    expect(chart.labels).to.deep.equal(['候选', '孵化培育', '科技型中小企业', '高企培育库', '高企申报中', '高新技术企业', '科技领军/小巨人']);
    expect(chart.counts).to.deep.equal([0, 1, 1, 1, 0, 0, 0]);
  });

  it('filters by park, in the URL', async () => {
    const doc = html((await t.admin.get(`/dashboard?year=2025&park=${t.basics.parks.a}`).expect(200)).text);
    const cells = rowFor(doc, '孵化培育').querySelectorAll('td').map((td) => td.text.trim());
    expect(cells.slice(2, 6)).to.deep.equal(['2', '科技型中小企业', '2', '100.0%']);
    expect(doc.querySelector('select[name=park] option[selected]')!.getAttribute('value')).to.equal(String(t.basics.parks.a));
  });

  it('answers htmx with the funnel fragment only', async () => {
    const res = await t.admin.get('/dashboard?year=2025').set('HX-Request', 'true').expect(200);
    expect(res.text).to.not.include('<html');
    expect(html(res.text).getElementById('funnel')).to.not.equal(null);
  });

  it('escapes chart data so a name cannot close the script block', async () => {
    const doc = (await t.admin.get('/dashboard').expect(200)).text;
    const block = doc.slice(doc.indexOf('id="funnel-data"'));
    expect(block.slice(0, block.indexOf('</script>'))).to.not.include('<');
  });

  it('ignores a year outside the range and shows the current year', async () => {
    const doc = html((await t.admin.get('/dashboard?year=1900').expect(200)).text);
    expect(doc.querySelector('select[name=year] option[selected]')!.text).to.equal(`${new Date().getFullYear()} 年`);
  });
});

describe('the app itself', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  it('GET /healthz answers 200 while the database is readable', async () => {
    const res = await t.admin.get('/healthz').expect(200);
    expect(res.text).to.equal('ok');
  });

  it('GET / redirects to the board', async () => {
    const res = await t.admin.get('/').expect(302);
    expect(res.headers.location).to.equal('/board');
  });

  it('serves htmx 2, SortableJS and Chart.js from the app itself, and nothing else from node_modules', async () => {
    const htmx = await t.admin.get('/vendor/htmx.min.js').expect(200);
    expect(htmx.text).to.include('2.0.');
    await t.admin.get('/vendor/sortable.min.js').expect(200);
    await t.admin.get('/vendor/chart.umd.min.js').expect(200);
    await t.admin.get('/vendor/../package.json').expect(404);
    await t.admin.get('/node_modules/knex/package.json').expect(404);
  });

  it('reads little and writes nothing for a repeated dashboard view: only the session and the signed-in user (and a caseworker\'s parks and towns)', async () => {
    for (const [user, tables] of [
      ['leader', ['sessions', 'users']],
      ['scoped', ['sessions', 'user_parks', 'user_towns', 'users']],
    ] as const) {
      const c = await t.as(user);
      await c.get('/dashboard').expect(200);
      const sent: string[] = [];
      const onQuery = (q: { sql: string }) => sent.push(q.sql);
      t.db.on('query', onQuery);
      try {
        await c.get('/dashboard').expect(200);
      } finally {
        t.db.removeListener('query', onQuery);
      }
      expect(sent.filter((sql) => !/^\s*select/i.test(sql)), `${user}: writes`).to.deep.equal([]);
      expect(sent.map((sql) => /from [`"](\w+)[`"]/i.exec(sql)?.[1]).sort(), user).to.deep.equal(tables);
    }
  });

  it('serves every stylesheet, script and image the pages link to; a missing one is a Chinese 404', async () => {
    const page = (await t.admin.get('/dashboard').expect(200)).text;
    const links = [...page.matchAll(/(?:src|href)="(\/(?:css|js|img)\/[^"?]+)/g)].map((m) => m[1]!);
    expect(links).to.include.members(['/css/app.css', '/js/app.js', '/js/dashboard.js']);
    for (const link of links) await t.admin.get(link).expect(200);
    const missing = await t.admin.get('/css/missing.css').expect(404);
    expect(missing.text).to.include('页面不存在');
  });

  it('never loads an asset from the internet', async () => {
    const page = (await t.admin.get('/board').expect(200)).text;
    expect(page).to.not.match(/(src|href)=["']https?:\/\//);
  });

  it('answers an unknown address with a Chinese 404 page, and tells browsers not to keep firm pages', async () => {
    const res = await t.admin.get('/nowhere').expect(404);
    expect(res.text).to.include('页面不存在');
    const board = await t.admin.get('/board').expect(200);
    expect(board.headers['cache-control']).to.equal('no-store');
  });
});
