import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { binary, sheetRows } from '../helpers/xlsx.js';
import { createFirm } from '../helpers/factories.js';
import { insertCert } from '../helpers/certs.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { liveReportSettings, refreshLiveReport, type ReportRequest } from '../../src/features/reporting/live-report.js';

/**
 * A large county's annual report (live-report.ts): computed in the background, in a worker thread
 * (a file database: the worker opens its own connection), kept in live_reports and shown with the
 * time it was computed. Here the threshold is lowered so a handful of firms takes that path.
 */
describe('annual report computed in the background (a large county)', () => {
  let t: TestContext;
  const saved = { ...liveReportSettings };
  const live: ReportRequest = { year: 2025, asOfDate: null, jurisdiction: { parkIds: null, townIds: [] }, scopeLabel: '全市' };
  const t1 = (doc: ReturnType<typeof html>) =>
    Object.fromEntries(doc.querySelectorAll('#t1 tbody tr[data-metric]').map((tr) => [tr.getAttribute('data-metric'), tr.querySelectorAll('td').map((td) => td.text.trim())]));

  before(async () => {
    liveReportSettings.syncBelowFirms = 0;
    t = await createTestContext({ file: true });
    const by = t.basics.users.admin.id;
    const f1 = await createFirm(t.db, { stage: 'hte_certified', parkId: t.basics.parks.a, at: '2025-02-01T02:00:00.000Z', actorId: by });
    await insertCert(t.db, { firmId: f1.id, kind: 'hte', year: 2025, mode: 'first', number: 'GR202533000001', issuedOn: '2025-11-20', validUntil: '2028-11-20', at: '2025-12-20T02:00:00.000Z', by });
  });
  after(async () => {
    Object.assign(liveReportSettings, saved);
    await t.destroy();
  });

  it('the first read says it is computing and polls; once computed the page shows the figures and when', async () => {
    const leader = await t.as('leader');
    const first = await leader.get('/reports/2025?view=live').expect(202);
    const waiting = html(first.text);
    const status = waiting.getElementById('report-status')!;
    expect(status.text).to.include('正在计算 2025 年度报告');
    expect(status.getAttribute('hx-get')).to.equal('/reports/2025/status?view=live');
    await refreshLiveReport(t.db, live);
    const poll = await leader.get('/reports/2025/status?view=live').set('HX-Request', 'true').expect(204);
    expect(poll.headers['hx-refresh']).to.equal('true');
    const shown = html((await leader.get('/reports/2025?view=live').expect(200)).text);
    expect(t1(shown).hte_new![1]).to.equal('1');
    expect(shown.getElementById('report-stamp')!.text).to.match(/实时计算：截至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(shown.getElementById('report-status')).to.equal(null);
    // Kept apart: the page's part (the head of the firm list and its length) and the whole list, which the XLSX reads.
    const row = await t.db('live_reports').where({ year: 2025, scope_key: 'all', as_of_date: '' }).first();
    expect(JSON.parse(row.data)).to.include({ firmsTotal: 1 });
    expect(JSON.parse(row.firms).map((f: { number: string }) => f.number)).to.deep.equal(['GR202533000001']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await binary(leader.get('/reports/2025.xlsx?view=live')).expect(200)).body as never);
    expect(sheetRows(wb.getWorksheet('企业名单')!).slice(3).map((r) => r[6])).to.deep.equal(['GR202533000001']);
  });

  it('after a write the kept figures are shown as being redone; the poll offers the new ones; freezing waits for them', async () => {
    const leader = await t.as('leader');
    await t.admin.post('/targets').type('form').send({ year: '2025', t_hte_new: '7', v_hte_new: '0' }).expect(303);
    const stale = html((await leader.get('/reports/2025?view=live').expect(200)).text);
    expect(t1(stale).hte_new![0]).to.not.equal('7');
    const banner = stale.getElementById('report-status')!;
    expect(banner.text).to.include('正在按最新登记重新计算');
    const pollUrl = banner.getAttribute('hx-get')!;
    expect(pollUrl).to.match(/^\/reports\/2025\/status\?view=live&since=/);

    const refused = await leader.post('/reports/2025/freeze').type('form').send({ note: '局务会' }).expect(409);
    expect(refused.text).to.include('最新的数字还在计算中');
    expect(await t.db('report_snapshots').count({ n: '*' }).first()).to.satisfy((r: { n: number | string }) => Number(r.n) === 0);

    await refreshLiveReport(t.db, live);
    const offer = html((await leader.get(pollUrl).set('HX-Request', 'true').expect(200)).text);
    expect(offer.getElementById('report-status')!.text).to.include('已按最新登记算好');
    expect(offer.getElementById('report-status')!.hasAttribute('hx-get')).to.equal(false);
    const fresh = html((await leader.get('/reports/2025?view=live').expect(200)).text);
    expect(t1(fresh).hte_new![0]).to.equal('7');
    expect(fresh.getElementById('report-status')).to.equal(null);

    const frozen = await leader.post('/reports/2025/freeze').type('form').send({ note: '局务会' }).expect(303);
    const doc = html((await leader.get(frozen.headers.location as string).expect(200)).text);
    expect(t1(doc).hte_new!.slice(0, 2)).to.deep.equal(['7', '1']);
  });

  it('one computation at a time: a second request while one runs shares it, and the lease keeps other processes out', async () => {
    await t.admin.post('/targets').type('form').send({ year: '2025', t_hte_new: '8', v_hte_new: '1' }).expect(303);
    const a = refreshLiveReport(t.db, live);
    const b = refreshLiveReport(t.db, live);
    expect(a).to.equal(b);
    await a;
    // Another process holding the lease: this one does not compute.
    const before = await t.db('live_reports').where({ year: 2025, scope_key: 'all', as_of_date: '' }).first('computed_at');
    await t.db('live_reports').update({ refreshing_until: new Date(Date.now() + 60_000).toISOString() });
    await refreshLiveReport(t.db, live);
    const after = await t.db('live_reports').where({ year: 2025, scope_key: 'all', as_of_date: '' }).first('computed_at');
    expect(String(after.computed_at)).to.equal(String(before.computed_at));
  });

  it('the dashboard shows the certification charts of the kept report, with its time; a year not computed yet says so', async () => {
    const leader = await t.as('leader');
    await refreshLiveReport(t.db, live);
    const doc = html((await leader.get('/dashboard?year=2025').expect(200)).text);
    expect(doc.getElementById('cert-charts-stamp')!.text).to.match(/与年度报告同一次计算，截至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    const hteNew = doc.querySelectorAll('#cert-monthly-table tbody tr').find((tr) => tr.querySelector('th')!.text.includes('高企'))!;
    expect(hteNew.querySelectorAll('td').at(-1)!.text.trim()).to.equal('8');
    const none = html((await leader.get('/dashboard?year=2024').expect(200)).text);
    expect(none.getElementById('cert-charts-pending')!.text).to.include('在后台计算');
    await refreshLiveReport(t.db, { ...live, year: 2024 });
    expect(html((await leader.get('/dashboard?year=2024').expect(200)).text).getElementById('cert-monthly-table')).to.not.equal(null);
  });
});
