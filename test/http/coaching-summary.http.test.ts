/** /coaching/summary: the year's coaching figures, by counsellor / park / lifecycle, the total, XLSX; scope. */
import ExcelJS from 'exceljs';
import { expect } from 'chai';
import { coachingFigures, conversionsAfterCoaching, demandFunnel } from '../../src/features/coaching-figures/coaching-figures.queries.js';
import { insertInteraction } from '../../src/features/coaching/interactions.queries.js';
import { createFirm, type SeededFirm } from '../helpers/factories.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { TODAY } from '../helpers/today.js';

const YEAR = Number(TODAY.slice(0, 4));
const AT = new Date().toISOString();

describe('coaching figures for leaders (/coaching/summary)', () => {
  let t: TestContext;
  let a1: SeededFirm;
  let a2: SeededFirm;
  let b1: SeededFirm;
  const idOf = (r: unknown) => (typeof r === 'object' ? (r as { id: number }).id : (r as number));

  beforeEach(async () => {
    t = await createTestContext();
    const admin = t.basics.users.admin.id;
    const c = t.basics.users.counsellor.id;
    a1 = await createFirm(t.db, { name: '余姚市统计甲有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, counsellorId: c, actorId: admin, at: `${YEAR - 1}-01-01T00:00:00.000Z` });
    a2 = await createFirm(t.db, { name: '余姚市统计乙有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, counsellorId: c, actorId: admin });
    b1 = await createFirm(t.db, { name: '余姚市统计丙有限公司', stage: 'tech_sme', parkId: t.basics.parks.b, actorId: admin });
    await t.db('firms').where({ id: a1.id }).update({ lifecycle: 'growth' });
    // A park visit covering a1 and a2 (one visit), a phone call to b1 not reached, a call to b1 reached last year.
    await insertInteraction(t.db, { firmIds: [a1.id, a2.id], occurredOn: TODAY, channel: 'visit', counsellorId: c, reached: true, createdBy: c, at: AT });
    await insertInteraction(t.db, { firmIds: [b1.id], occurredOn: TODAY, channel: 'phone', counsellorId: c, reached: false, createdBy: c, at: AT });
    await insertInteraction(t.db, { firmIds: [b1.id], occurredOn: `${YEAR - 1}-03-01`, channel: 'phone', counsellorId: c, reached: true, createdBy: c, at: AT });
    // An event today: a1 attended, b1 absent.
    const [e] = await t.db('coaching_events').insert({ kind: 'clinic', title: '讲诊会', starts_on: TODAY, ends_on: TODAY, owner_id: admin, version: 1, created_at: AT, updated_at: AT }).returning('id');
    await t.db('event_invitations').insert([
      { event_id: idOf(e), firm_id: a1.id, status: 'attended', invited_by: admin, version: 1, created_at: AT, updated_at: AT },
      { event_id: idOf(e), firm_id: b1.id, status: 'absent', invited_by: admin, version: 1, created_at: AT, updated_at: AT },
    ]);
    // Demands of this year: a1 resolved (went through matching), b1 collected; one of last year.
    for (const [firm, status, on] of [[a1, 'resolved', TODAY], [b1, 'collected', TODAY], [b1, 'collected', `${YEAR - 1}-05-01`]] as [SeededFirm, string, string][]) {
      const [d] = await t.db('demands').insert({ firm_id: firm.id, title: '需求', status, collected_on: on, created_by: admin, version: 1, created_at: AT, updated_at: AT }).returning('id');
      if (status === 'resolved') await t.db('demand_changes').insert({ demand_id: idOf(d), kind: 'move', from_status: 'published', to_status: 'matching', actor_id: admin, at: AT });
    }
    // a1 moved forward after its coaching (today), b1 (coached last year) moved forward this year too.
    await t.db('stage_events').insert({ firm_id: a1.id, from_stage: 'tech_sme', to_stage: 'hte_reserve', source: 'menu', actor_id: admin, at: new Date(Date.now() + 1000).toISOString() });
  });
  afterEach(() => t.destroy());

  it('counts the year by counsellor with a total counted once', async () => {
    const rows = await coachingFigures(t.db, YEAR, { parkIds: null }, 'counsellor', TODAY);
    const total = rows.at(-1)!;
    expect(total).to.deep.include({ key: null, label: '合计', firmsContacted: 2, visits: 1, events: 1, attendances: 1, demandsTotal: 2, reserveFirms: 2, reserveCoached90: 2 });
    expect(total.demands).to.include({ resolved: 1, collected: 1 });
    const mine = rows.find((r) => r.key === String(t.basics.users.counsellor.id))!;
    expect(mine).to.deep.include({ label: '李志强', firmsContacted: 2, visits: 1, attendances: 1, demandsTotal: 1, reserveFirms: 2 });
    const none = rows.find((r) => r.key === '')!;
    expect(none).to.deep.include({ label: '未分配辅导员', firmsContacted: 0, events: 1, attendances: 0, demandsTotal: 1 });
    const byLifecycle = await coachingFigures(t.db, YEAR, { parkIds: null }, 'lifecycle', TODAY);
    expect(byLifecycle.find((r) => r.key === 'growth')).to.deep.include({ label: '成长期', firmsContacted: 1, visits: 1 });
    const last = await coachingFigures(t.db, YEAR - 1, { parkIds: null }, 'park', TODAY);
    expect(last.at(-1)).to.deep.include({ firmsContacted: 1, visits: 0, demandsTotal: 1 });
  });

  it('conversions after coaching and the demand funnel', async () => {
    expect(await conversionsAfterCoaching(t.db, YEAR, { parkIds: null })).to.deep.equal({ year: YEAR, coached: 2, advanced: 1 });
    expect(await demandFunnel(t.db, YEAR, { parkIds: null })).to.deep.equal({ raised: 2, matched: 1, resolved: 1 });
  });

  it('shows the page to every role, limited to a scoped caseworker\'s parks, and exports the same numbers as XLSX (audited)', async () => {
    for (const role of ['admin', 'caseworker', 'counsellor', 'leader'] as const) {
      const res = await (await t.as(role)).get(`/coaching/summary?year=${YEAR}&by=park`);
      expect(res.status, role).to.equal(200);
    }
    const leader = await t.as('leader');
    const page = html((await leader.get(`/coaching/summary?year=${YEAR}`).expect(200)).text);
    expect(page.querySelector('[data-total=contacted]')!.text).to.equal('2');
    expect(page.querySelector('[data-total=reserve-share]')!.text).to.equal('100.0%');
    expect(page.querySelector('[data-total=conversions]')!.text).to.equal('1 / 2');
    expect(page.querySelector('tr.total-row')!.text).to.include('合计');
    const scoped = html((await (await t.as('scoped')).get(`/coaching/summary?year=${YEAR}`).expect(200)).text);
    expect(scoped.querySelector('[data-total=attendances]')!.text).to.equal('1');
    expect(scoped.querySelector('[data-total=demands]')!.text).to.equal('1');
    const res = await leader.get(`/coaching/summary.xlsx?year=${YEAR}&by=counsellor`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const ws = wb.getWorksheet('辅导统计')!;
    const totalRow = ws.getRows(1, ws.rowCount)!.find((r) => r.getCell(1).value === '合计')!;
    expect([totalRow.getCell(2).value, totalRow.getCell(3).value, totalRow.getCell(4).value, totalRow.getCell(5).value]).to.deep.equal([2, 1, 1, 1]);
    expect(await t.db('audit_log').where({ action: 'coaching.summary_export' })).to.have.length(1);
  });
});
