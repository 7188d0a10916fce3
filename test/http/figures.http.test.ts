/** Annual figures edited in place on the firm page, and what the readiness panel then says. */
import { expect } from 'chai';
import { addFigures, addPassingHteFigures, createFirm, type SeededFirm } from '../helpers/factories.js';
import { createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

const THIS_YEAR = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));

describe('annual figures and readiness on the firm page', () => {
  let t: TestContext;
  let firm: SeededFirm;
  let cwClient: Awaited<ReturnType<TestContext['as']>>;
  beforeEach(async () => {
    t = await createTestContext();
    cwClient = await t.as('caseworker');
    firm = await createFirm(t.db, { name: '余姚市指标测试科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2015-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
  });
  afterEach(() => t.destroy());

  const save = (year: number, body: Record<string, string | number>) =>
    cwClient.post(`/firms/${firm.uscc}/figures/${year}`).set('HX-Request', 'true').type('form').send(body);

  it('enters a new year in 万元 exactly, audits it, refreshes the stored eligibility and answers with the table and the readiness panel', async () => {
    const cw = await t.as('caseworker');
    const form = html((await cw.get(`/firms/${firm.uscc}/figures/edit?year=2025`).set('HX-Request', 'true').expect(200)).text);
    expect(form.querySelector('input[name=version]')!.getAttribute('value')).to.equal('0');
    const res = await save(2025, { version: 0, salesRevenue: '5000', rdExpense: '250.1234', staffTotal: '45.5', techStaff: '5', majorIncident: 'no' }).expect(200);
    const row = await t.db('annual_figures').where({ firm_id: firm.id, year: 2025 }).first();
    expect(Number(row.sales_revenue)).to.equal(50_000_000);
    expect(Number(row.rd_expense)).to.equal(2_501_234);
    expect(row.staff_total_x100).to.equal(4550);
    expect(Boolean(row.major_incident)).to.equal(false);
    const doc = html(res.text);
    expect(doc.getElementById('firm-figures')!.text).to.include('5,000.00').and.include('250.12').and.include('45.5');
    expect(doc.querySelector('#firm-readiness[hx-swap-oob]')).to.not.equal(null);
    const audit = await t.db('audit_log').where({ action: 'figures.update', object_id: firm.uscc }).first();
    expect(JSON.parse(audit.after)).to.include({ year: 2025, salesRevenue: 50_000_000 });
    expect(JSON.parse(audit.before)).to.include({ salesRevenue: null });
    const current = await t.db('eligibility_current').where({ firm_id: firm.id, rule_set: 'hte-2016' }).first();
    expect(current).to.not.equal(undefined);
    expect(current.summary).to.include('研发费用占比缺数据');
    expect(current.summary).to.not.include('科技人员');
  });

  it('refuses what is not a number, more than four decimals of 万元, or tech staff above total staff — keeping what was typed — and writes nothing', async () => {
    const before = await snapshot(t.db);
    const res = await save(2025, { version: 0, salesRevenue: '五千', rdExpense: '1.23456', staffTotal: '10', techStaff: '12' }).expect(422);
    const doc = html(res.text);
    const error = (key: string) => doc.getElementById(`fig-err-${key}`)!.text;
    expect(error('salesRevenue')).to.include('不是有效的金额');
    expect(error('rdExpense')).to.include('4位小数');
    expect(error('techStaff')).to.include('不能超过职工总数');
    expect(doc.querySelector('input[name=salesRevenue]')!.getAttribute('value')).to.equal('五千');
    expect(await snapshot(t.db)).to.deep.equal(before);
    expect(await t.db('annual_figures').where({ firm_id: firm.id }).first()).to.equal(undefined);
  });

  it('validates while typing without writing: each field\'s message arrives as an out-of-band swap', async () => {
    const cw = await t.as('caseworker');
    const res = await cw.post(`/firms/${firm.uscc}/figures/2025/check`).set('HX-Request', 'true').type('form').send({ salesRevenue: 'x', staffTotal: '3' }).expect(200);
    const doc = html(res.text);
    expect(doc.getElementById('fig-err-salesRevenue')!.getAttribute('hx-swap-oob')).to.equal('true');
    expect(doc.getElementById('fig-err-salesRevenue')!.text).to.include('金额');
    expect(doc.getElementById('fig-err-staffTotal')!.text).to.equal('');
    expect(await t.db('annual_figures').first()).to.equal(undefined);
  });

  it('refuses a stale version with 409, keeping the typed values and showing the saved ones', async () => {
    await addFigures(t.db, firm.id, 2025, { salesRevenue: 10_000_000 });
    await save(2025, { version: 1, salesRevenue: '2000' }).expect(200);
    const before = await snapshot(t.db);
    const res = await save(2025, { version: 1, salesRevenue: '3000' }).expect(409);
    const doc = html(res.text);
    expect(doc.querySelector('input[name=salesRevenue]')!.getAttribute('value')).to.equal('3000');
    expect(doc.text).to.include('当前：2000');
    expect(doc.querySelector('input[name=version]')!.getAttribute('value')).to.equal('2');
    expect(await snapshot(t.db)).to.deep.equal(before);
    const again = await save(2025, { version: 0, salesRevenue: '1' }).expect(409);
    expect(again.text).to.include('刚被他人修改');
  });

  it('when two people enter the same new year at once, keeps one and answers the other with 409', async () => {
    const [a, b] = await Promise.all([save(2024, { version: 0, salesRevenue: '100' }), save(2024, { version: 0, salesRevenue: '200' })]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    expect(await t.db('annual_figures').where({ firm_id: firm.id, year: 2024 }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(1);
  });

  it('refuses a year in the future and a missing version', async () => {
    await save(THIS_YEAR + 1, { version: 0, salesRevenue: '1' }).expect(400);
    await save(2025, { salesRevenue: '1' }).expect(400);
  });

  it('shows each high-tech condition with status, numbers, gap and article, the rule version and the input years', async () => {
    await addPassingHteFigures(t.db, firm.id, THIS_YEAR - 1);
    await t.db('annual_figures').where({ firm_id: firm.id }).whereNot('year', THIS_YEAR).update({ rd_expense: 1_000_000, rd_domestic: 1_000_000 });
    const doc = html((await t.admin.get(`/firms/${firm.uscc}`).expect(200)).text);
    const panel = doc.getElementById('firm-readiness')!;
    expect(panel.text).to.include('hte-2016').and.include(`${THIS_YEAR - 3}、${THIS_YEAR - 2}、${THIS_YEAR - 1}`);
    const rd = panel.querySelectorAll('table.conditions tbody tr').find((tr) => tr.text.includes('研发费用占比'))!;
    expect(rd.querySelector('.status')!.text).to.equal('不符合');
    expect(rd.text).to.include('第十一条（五）').and.include('还需增加研发费用约');
    expect(panel.querySelector('.verdict')!.text).to.include('有条件不符合');
  });

  it('suggests a lifecycle category beside the counsellor\'s choice', async () => {
    await addFigures(t.db, firm.id, 2025, { salesRevenue: 30_000_000 });
    const doc = html((await t.admin.get(`/firms/${firm.uscc}`).expect(200)).text);
    expect(doc.querySelector('.suggestion')!.text).to.include('系统建议：成长期').and.include('3000 万元');
  });

  it('is for caseworkers and administrators; counsellors and leaders read only', async () => {
    for (const role of ['counsellor', 'leader'] as const) {
      const c = await t.as(role);
      expect((await c.post(`/firms/${firm.uscc}/figures/2025`).type('form').send({ version: 0, salesRevenue: '1' })).status).to.equal(403);
      const page = (await c.get(`/firms/${firm.uscc}`).expect(200)).text;
      expect(page).to.not.include('录入/修改该年指标');
    }
  });
});

describe('the reserve ranked by distance to certification, and the board chips', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
    const admin = t.basics.users.admin.id;
    const mk = async (name: string, stage: 'hte_reserve' | 'tech_sme' | 'incubating', parkId: number) =>
      createFirm(t.db, { name, stage, parkId, foundedOn: '2012-01-01', field: 'new_materials', actorId: admin });
    const ready = await mk('余姚市达标科技有限公司', 'hte_reserve', t.basics.parks.a);
    const oneGap = await mk('余姚市差一项科技有限公司', 'hte_reserve', t.basics.parks.a);
    const noData = await mk('余姚市无数据科技有限公司', 'tech_sme', t.basics.parks.b);
    const incubating = await mk('余姚市孵化科技有限公司', 'incubating', t.basics.parks.a);
    const year = THIS_YEAR - 1;
    await addPassingHteFigures(t.db, ready.id, year);
    await addPassingHteFigures(t.db, oneGap.id, year);
    await t.db('annual_figures').where({ firm_id: oneGap.id }).whereNot('year', THIS_YEAR).update({ tech_staff_x100: 500 });
    const { refreshEligibility } = await import('../../src/features/eligibility/eligibility.service.js');
    await refreshEligibility(t.db, [ready.id, oneGap.id, noData.id, incubating.id]);
  });
  after(() => t.destroy());

  const names = (text: string) => html(text).querySelectorAll('table.reserve tbody tr td:nth-child(2)').map((td) => td.text.trim());

  it('ranks the reserve: ready first, then one condition short, then missing data', async () => {
    const res = await t.admin.get('/readiness').expect(200);
    expect(names(res.text)).to.deep.equal(['余姚市达标科技有限公司', '余姚市差一项科技有限公司', '余姚市无数据科技有限公司']);
    expect(res.text).to.include('科技人员占比');
  });

  it('filters: within one condition, missing data, park; and the tech-SME check for the 微成长 stages', async () => {
    expect(names((await t.admin.get('/readiness?focus=near').expect(200)).text)).to.deep.equal(['余姚市差一项科技有限公司']);
    expect(names((await t.admin.get('/readiness?focus=missing').expect(200)).text)).to.deep.equal(['余姚市无数据科技有限公司']);
    expect(names((await t.admin.get(`/readiness?park=${t.basics.parks.b}`).expect(200)).text)).to.deep.equal(['余姚市无数据科技有限公司']);
    expect(names((await t.admin.get('/readiness?check=tsme').expect(200)).text)).to.deep.equal(['余姚市孵化科技有限公司']);
  });

  it('shows a readiness chip on board cards, from the stored summary', async () => {
    const board = html((await t.admin.get('/board').expect(200)).text);
    const chip = (name: string) => board.querySelectorAll('.card').find((c) => c.querySelector('.card-name')!.text === name)!.querySelector('.readiness-chip')!.text;
    expect(chip('余姚市达标科技有限公司')).to.equal('高企达标待评审');
    expect(chip('余姚市差一项科技有限公司')).to.equal('高企差 1 项');
  });

  it('limits a scoped caseworker to their parks', async () => {
    const scoped = await t.as('scoped');
    expect(names((await scoped.get('/readiness').expect(200)).text)).to.not.include('余姚市无数据科技有限公司');
  });
});
