import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { addFigures, createFirm } from '../helpers/factories.js';
import { insertCert, voidCert } from '../helpers/certs.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { binary, sheetRows } from '../helpers/xlsx.js';

/**
 * Hand-counted fixture for 2025 (park A: firms 1–3, park B: firms 4–7):
 *   firm1 HTE first, batch 2025: 申报 05-10, 公示 10-15, 备案 11-10, 证书 2025-11-20; tech SME 2025
 *   firm2 HTE renewal, batch 2025: 申报, 公示, 备案, 证书 2025-12-05 (voided later: the correction)
 *   firm3 HTE batch 2025 applied, failed
 *   firm4 HTE issued 2022-12-01, valid until 2025-12-01 (not valid on 31 Dec; 期满 2025)
 *   firm5 HTE issued 2023-10-10, valid until 2026-10-10 (valid; expiring 2026)
 *   firm6 tech SME 2025, provincial tech SME 2025; firm7 tech SME 2025 revoked
 * → 新认定 1, 重新认定 1, 有效 3 (1, 2, 5), 科小 2 (1, 6), 省科小 1, 领军/小巨人 0
 * → funnel: pool 3 (1: entered 培育库 2025; 2: entered 申报中 2025; 3: in 申报中 since 2024), applied 3,
 *   publicized 2, filed 2, certified 2, pass rate 2/3
 */
describe('annual report /reports/:year', () => {
  let t: TestContext;
  let firm2Cert: number;
  before(async () => {
    t = await createTestContext();
    const by = t.basics.users.admin.id;
    const { a, b } = t.basics.parks;
    const at = '2025-12-20T02:00:00.000Z';
    const f1 = await createFirm(t.db, { stage: 'hte_reserve', parkId: a, field: 'electronic_info', at: '2025-02-01T02:00:00.000Z', actorId: by });
    const f2 = await createFirm(t.db, { stage: 'hte_certified', parkId: a, field: 'new_materials', at: '2022-01-01T02:00:00.000Z', actorId: by });
    await t.db('stage_events').insert({ firm_id: f2.id, from_stage: 'hte_certified', to_stage: 'hte_applying', source: 'seed', actor_id: by, at: '2025-05-01T02:00:00.000Z' });
    const f3 = await createFirm(t.db, { stage: 'hte_applying', parkId: a, at: '2024-06-01T02:00:00.000Z', actorId: by });
    const f4 = await createFirm(t.db, { stage: 'hte_certified', parkId: b, at: '2022-12-01T02:00:00.000Z', actorId: by });
    const f5 = await createFirm(t.db, { stage: 'hte_certified', parkId: b, field: 'electronic_info', at: '2023-10-10T02:00:00.000Z', actorId: by });
    const f6 = await createFirm(t.db, { stage: 'tech_sme', parkId: b, at: '2024-01-01T02:00:00.000Z', actorId: by });
    const f7 = await createFirm(t.db, { stage: 'tech_sme', parkId: b, at: '2024-01-01T02:00:00.000Z', actorId: by });
    await insertCert(t.db, { firmId: f1.id, kind: 'hte', year: 2025, mode: 'first', number: 'GR202533000001', appliedOn: '2025-05-10', publicizedOn: '2025-10-15', filedOn: '2025-11-10', issuedOn: '2025-11-20', validUntil: '2028-11-20', at, by });
    firm2Cert = await insertCert(t.db, { firmId: f2.id, kind: 'hte', year: 2025, mode: 'renewal', number: 'GR202533000002', appliedOn: '2025-05-10', publicizedOn: '2025-10-15', filedOn: '2025-11-10', issuedOn: '2025-12-05', validUntil: '2028-12-05', at, by });
    await insertCert(t.db, { firmId: f3.id, kind: 'hte', year: 2025, mode: 'first', appliedOn: '2025-05-10', status: 'failed', at, by });
    await insertCert(t.db, { firmId: f4.id, kind: 'hte', year: 2022, mode: 'first', number: 'GR202233000004', issuedOn: '2022-12-01', validUntil: '2025-12-01', at, by });
    await insertCert(t.db, { firmId: f5.id, kind: 'hte', year: 2023, mode: 'first', number: 'GR202333000005', issuedOn: '2023-10-10', validUntil: '2026-10-10', at, by });
    await insertCert(t.db, { firmId: f1.id, kind: 'tsme', year: 2025, number: '20253302810A000001', issuedOn: '2025-04-15', at, by });
    await insertCert(t.db, { firmId: f6.id, kind: 'tsme', year: 2025, number: '20253302810A000006', issuedOn: '2025-06-15', at, by });
    await insertCert(t.db, { firmId: f7.id, kind: 'tsme', year: 2025, number: '20253302810A000007', issuedOn: '2025-06-15', status: 'revoked', statusOn: '2025-09-01', at, by });
    await insertCert(t.db, { firmId: f6.id, kind: 'tsme_prov', year: 2025, issuedOn: '2025-09-20', at, by });
    await addFigures(t.db, f1.id, 2025, { rdExpense: 1_000_000, salesRevenue: 20_000_000 });
    await t.db('targets').insert([
      { year: 2025, metric: 'hte_new', park_key: 0, value: 2, version: 1, updated_at: at, updated_by: by },
      { year: 2025, metric: 'tsme', park_key: 0, value: 4, version: 1, updated_at: at, updated_by: by },
    ]);
  });
  after(() => t.destroy());

  const t1 = (doc: ReturnType<typeof html>) =>
    Object.fromEntries(doc.querySelectorAll('#t1 tbody tr[data-metric]').map((tr) => [tr.getAttribute('data-metric'), tr.querySelectorAll('td').map((td) => td.text.trim())]));
  const steps = (doc: ReturnType<typeof html>) => doc.querySelectorAll('#t4 tr[data-step]').map((tr) => Number(tr.querySelectorAll('td')[0]!.text));

  it('T1–T6 match the hand count (as of the end of 2025)', async () => {
    const doc = html((await (await t.as('leader')).get('/reports/2025?asOf=2025-12-31').expect(200)).text);
    const rows = t1(doc);
    expect(rows.hte_new!.slice(0, 3)).to.deep.equal(['2', '1', '50.0%']);
    expect(rows.hte_renewed![1]).to.equal('1');
    expect(rows.hte_valid![1]).to.equal('3');
    expect(rows.tsme!.slice(0, 3)).to.deep.equal(['4', '2', '50.0%']);
    expect(rows.tsme_prov![1]).to.equal('1');
    expect(rows.benchmark![1]).to.equal('0');
    expect(rows.demands![1]).to.equal('辅导记录尚未启用');
    expect(steps(doc)).to.deep.equal([3, 3, 2, 2, 2]);
    expect(doc.querySelector('[data-pass-rate]')!.text.trim()).to.equal('66.7%');
    const parks = doc.querySelectorAll('#t2-parks tbody tr').map((tr) => [tr.querySelector('th')!.text, ...tr.querySelectorAll('td').map((td) => td.text)]);
    expect(parks).to.deep.equal([
      ['余姚经济开发区', '1', '1', '1', '2', '1', '0'],
      ['中意宁波生态园', '2', '0', '0', '1', '1', '1'],
    ]);
    const fields = Object.fromEntries(doc.querySelectorAll('#t3 tbody tr').map((tr) => [tr.querySelector('th')!.text, tr.querySelectorAll('td').map((td) => td.text)]));
    expect(fields['电子信息']).to.deep.equal(['1', '2', '1']);
    expect(fields['新材料']).to.deep.equal(['0', '1', '0']);
    expect(doc.querySelector('#t5 [data-k=expiringNextYear]')!.text).to.equal('1');
    expect(doc.querySelector('#t5 [data-k=tsmeRevoked]')!.text).to.equal('1');
    const t6 = doc.querySelectorAll('#t6 tbody tr')[0]!.querySelectorAll('td').map((td) => td.text);
    expect(t6.slice(0, 6)).to.deep.equal(['3', '1', '2025', '100.00', '2,000.00', '5.00%']);
    expect(doc.querySelector('#t7-off')).to.not.equal(null);
    expect(JSON.parse(doc.getElementById('report-monthly-data')!.text).series[0].actual).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(JSON.parse(doc.getElementById('report-expiring-data')!.text).counts).to.deep.equal([1, 1, 0, 2]); // 2025: firm4; 2026: firm5; 2028: firms 1 and 2
  });

  it('as of a date and a frozen 定稿 reproduce after a later correction, which is named as one', async () => {
    const leader = await t.as('leader');
    const freeze = await leader.post('/reports/2025/freeze').type('form').send({ note: '局务会' }).expect(303);
    const snapshotUrl = freeze.headers.location as string;
    expect(snapshotUrl).to.match(/^\/reports\/2025\?snapshot=\d+$/);
    const frozenBefore = html((await leader.get(snapshotUrl).expect(200)).text);
    expect(t1(frozenBefore).hte_renewed![1]).to.equal('1');
    // The correction: firm2's certificate was entered by mistake.
    await voidCert(t.db, firm2Cert, new Date().toISOString(), t.basics.users.admin.id);
    const asOf = html((await leader.get('/reports/2025?asOf=2025-12-31').expect(200)).text);
    expect(t1(asOf).hte_renewed![1]).to.equal('1');
    expect(t1(asOf).hte_valid![1]).to.equal('3');
    expect(asOf.getElementById('report-corrections')!.text).to.include('1 条更正');
    const live = html((await leader.get('/reports/2025?view=live').expect(200)).text);
    expect(t1(live).hte_renewed![1]).to.equal('0');
    expect(t1(live).hte_valid![1]).to.equal('2');
    expect(live.getElementById('report-stamp')!.text).to.include('实时计算');
    // The 定稿 is shown by default and has not moved.
    const frozen = html((await leader.get('/reports/2025').expect(200)).text);
    expect(frozen.getElementById('report-stamp')!.text).to.include('定稿');
    expect(t1(frozen).hte_renewed![1]).to.equal('1');
    expect(frozen.getElementById('report-corrections')!.text).to.include('定稿后');
    expect(await t.db('audit_log').where({ action: 'report.freeze' }).count({ n: '*' }).first()).to.satisfy((r: { n: number | string }) => Number(r.n) === 1);
  });

  it('downloads the same report as XLSX: one sheet per table and the firm list, codes as strings', async () => {
    const res = await binary(t.admin.get('/reports/2025.xlsx?asOf=2025-12-31')).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['T1 目标与完成', 'T2 园区', 'T2 镇街', 'T3 技术领域', 'T4 高企批次', 'T5 后续管理', 'T6 研发', 'T7 辅导', '到期证书', '企业名单']);
    const t1rows = sheetRows(wb.getWorksheet('T1 目标与完成')!);
    expect(String(t1rows[0]![0])).to.include('2025 年度报告 T1');
    expect(t1rows.find((r) => r[0] === '新认定高企')!.slice(1, 4)).to.deep.equal([2, 1, 0.5]);
    const firms = sheetRows(wb.getWorksheet('企业名单')!).slice(3);
    expect(firms.map((r) => r[6])).to.include('GR202533000001');
    for (const r of firms) expect(typeof r[2]).to.equal('string');
  });

  it('a year with no data is an empty report that says so (page and XLSX), not an error', async () => {
    const doc = html((await t.admin.get('/reports/2019').expect(200)).text);
    expect(doc.getElementById('report-empty')!.text).to.include('2019 年没有可统计的数据');
    await binary(t.admin.get('/reports/2019.xlsx')).expect(200);
    await t.admin.get('/reports/1999').expect(404);
    await t.admin.get('/reports/abcd').expect(404);
  });

  it('only administrators and leaders freeze; a bad as-of date is refused in Chinese', async () => {
    const cw = await t.as('caseworker');
    await cw.post('/reports/2025/freeze').type('form').send({}).expect(403);
    const res = await t.admin.get('/reports/2025?asOf=2025-13-45').expect(422);
    expect(res.text).to.include('日期格式应为');
  });
});

describe('annual report T7: coaching figures from the coaching records', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
    const by = t.basics.users.admin.id;
    const at = '2025-06-01T02:00:00.000Z';
    const f = await createFirm(t.db, { stage: 'tech_sme', parkId: t.basics.parks.a, actorId: by });
    const idOf = (r: unknown) => (typeof r === 'object' ? (r as { id: number }).id : (r as number));
    // Two visits that reached the firm, one that did not (2025); one visit in 2024.
    for (const [on, reached] of [['2025-03-02', true], ['2025-05-02', true], ['2025-05-03', false], ['2024-05-03', true]] as const) {
      const [x] = await t.db('interactions').insert({ occurred_on: on, channel: 'visit', reached, no_follow_up: true, created_by: by, created_at: at }).returning('id');
      await t.db('interaction_firms').insert({ interaction_id: idOf(x), firm_id: f.id });
    }
    const [e] = await t.db('coaching_events').insert({ kind: 'clinic', title: '高企讲诊会', starts_on: '2025-04-10', ends_on: '2025-04-10', owner_id: by, version: 1, created_at: at, updated_at: at }).returning('id');
    await t.db('event_invitations').insert({ event_id: idOf(e), firm_id: f.id, status: 'attended', invited_by: by, version: 1, created_at: at, updated_at: at });
    for (const [title, on] of [['需求一', '2025-02-01'], ['需求二', '2025-07-01']]) {
      const [d] = await t.db('demands').insert({ firm_id: f.id, title, status: 'collected', collected_on: on, created_by: by, version: 1, created_at: at, updated_at: at }).returning('id');
      if (title === '需求二') {
        await t.db('demand_changes').insert({ demand_id: idOf(d), kind: 'move', from_status: 'collected', to_status: 'diagnosed', actor_id: by, at: '2025-08-01T02:00:00.000Z' });
        await t.db('demands').where({ id: idOf(d) }).update({ status: 'diagnosed' });
      }
    }
    await t.db('targets').insert({ year: 2025, metric: 'demands', park_key: 0, value: 100, version: 1, updated_at: at, updated_by: by });
  });
  after(() => t.destroy());

  it('counts contacts, events, attendance and demands by status, as of the date', async () => {
    const doc = html((await t.admin.get('/reports/2025?asOf=2025-12-31').expect(200)).text);
    const t7 = Object.fromEntries(doc.querySelectorAll('#t7 tr').map((tr) => [tr.querySelector('th')!.text, tr.querySelector('td')!.text]));
    // Visits and firms reached are counted as /coaching/summary counts them: the same numbers on both.
    expect(t7['走访（次）']).to.equal('3');
    expect(t7['联系到的企业（家）']).to.equal('1');
    const summary = html((await t.admin.get('/coaching/summary?year=2025').expect(200)).text);
    expect([summary.querySelector('[data-total=visits]')!.text, summary.querySelector('[data-total=contacted]')!.text]).to.deep.equal([t7['走访（次）'], t7['联系到的企业（家）']]);
    expect(t7['对接活动（场）']).to.equal('1');
    expect(t7['参加企业人次']).to.equal('1');
    expect(t7['征集技术需求（项）']).to.equal('2');
    const statuses = Object.entries(t7).filter(([k]) => k.startsWith('需求：') && Number(t7[k]) > 0);
    expect(statuses.length).to.equal(2);
    const demands = doc.querySelector('#t1 tr[data-metric=demands]')!.querySelectorAll('td').map((td) => td.text.trim());
    expect(demands.slice(0, 3)).to.deep.equal(['100', '2', '2.0%']);
    expect(doc.querySelector('#t1 tr[data-metric=events] [data-actual]')!.text.trim()).to.equal('1');
    // As of 2025-07-31 the second demand was still 收集 (its move came in August).
    const july = html((await t.admin.get('/reports/2025?asOf=2025-07-31').expect(200)).text);
    const julyT7 = Object.fromEntries(july.querySelectorAll('#t7 tr').map((tr) => [tr.querySelector('th')!.text, tr.querySelector('td')!.text]));
    expect(Object.entries(julyT7).filter(([k, v]) => k.startsWith('需求：') && Number(v) > 0).map(([, v]) => v)).to.deep.equal(['2']);
  });
});
