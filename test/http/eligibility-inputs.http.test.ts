/** The eligibility inputs page (issue 12): staff by month, compliance events, IP register, R&D structure, tech-SME option. */
import { expect } from 'chai';
import { addFigures, createFirm, type SeededFirm } from '../helpers/factories.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { TODAY } from '../helpers/today.js';

const THIS_YEAR = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));
const LAST = THIS_YEAR - 1;

/** 年初 + 12 month ends, all `n` except December `end`. */
function monthsBody(total: [number, number], tech: [number, number]): Record<string, string> {
  const body: Record<string, string> = {};
  for (let m = 0; m <= 12; m += 1) {
    body[`t${m}`] = String(m === 12 ? total[1] : total[0]);
    body[`k${m}`] = String(m === 12 ? tech[1] : tech[0]);
  }
  return body;
}

describe('eligibility inputs: staff by month', function () {
  this.timeout(30_000); // a fresh schema per test on PostgreSQL, on a loaded machine
  let t: TestContext;
  let firm: SeededFirm;
  let cw: Awaited<ReturnType<TestContext['as']>>;
  beforeEach(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    firm = await createFirm(t.db, { name: '余姚市月度人数科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2015-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
    // Typed annual averages rounded to two decimals: 10.13 / 101.29 reads 10.00% and passes.
    await addFigures(t.db, firm.id, LAST, { staffTotal: 101.29, techStaff: 10.13 });
  });
  afterEach(() => t.destroy());

  const techStaffRow = (text: string) => html(text).getElementById('firm-readiness')!.querySelectorAll('table.conditions tbody tr').find((tr) => tr.text.includes('科技人员占比'))!;

  it('saves twelve month-end counts, audits them, and the exact ratio 9.9959% fails where the rounded one passed', async () => {
    const before = await cw.get(`/firms/${firm.uscc}/inputs?year=${LAST}`).expect(200);
    expect(techStaffRow(before.text).querySelector('.status')!.text).to.equal('符合');
    const res = await cw.postForm(`/firms/${firm.uscc}/staff/${LAST}`, { version: '0', ...monthsBody([101, 108], [10, 13]) }).expect(303);
    expect(res.headers.location).to.equal(`/firms/${firm.uscc}/inputs?year=${LAST}#staff`);
    const page = await cw.get(res.headers.location!).expect(200);
    const row = techStaffRow(page.text);
    expect(row.querySelector('.status')!.text).to.equal('不符合');
    expect(row.text).to.include('9.9958%').and.include('月度人数');
    expect(html(page.text).getElementById('staff')!.text).to.include('10.125').and.include('101.2916');
    const audit = await t.db('audit_log').where({ action: 'staff_months.update', object_id: firm.uscc }).first();
    expect(JSON.parse(audit.after)).to.deep.include({ year: LAST });
    const current = await t.db('eligibility_current').where({ firm_id: firm.id, rule_set: 'hte-2016' }).first();
    expect(current.summary).to.include('科技人员占比');
  });

  it('refuses a negative or fractional count with a Chinese message, keeps the form as typed and saves nothing', async () => {
    const body = { version: '0', ...monthsBody([101, 108], [10, 13]), t3: '-1', k5: '2.5' };
    const res = await cw.postForm(`/firms/${firm.uscc}/staff/${LAST}`, body).expect(422);
    const doc = html(res.text);
    expect(doc.getElementById('err-t3')!.text).to.include('不能为负数或小数');
    expect(doc.getElementById('err-k5')!.text).to.include('不能为负数或小数');
    expect(doc.querySelector('input[name=t3]')!.getAttribute('value')).to.equal('-1');
    expect(await t.db('staff_months').first()).to.equal(undefined);
  });

  it('refuses a part-timer with more days than the months allow, and counts one with 183 days', async () => {
    const bad = await cw.postForm(`/firms/${firm.uscc}/staff/${LAST}`, { version: '0', ...monthsBody([10, 10], [1, 1]), p0_label: '兼职甲', p0_days: '200', p0_from: '1', p0_to: '6', p0_tech: 'yes' }).expect(422);
    expect(html(bad.text).getElementById('err-p0_days')!.text).to.include('超过了这几个月的天数');
    await cw.postForm(`/firms/${firm.uscc}/staff/${LAST}`, { version: '0', ...monthsBody([10, 10], [1, 1]), p0_label: '兼职甲', p0_days: '183', p0_from: '1', p0_to: '12', p0_tech: 'yes', p1_label: '临时乙', p1_days: '90', p1_from: '1', p1_to: '3', p1_tech: 'no' }).expect(303);
    const page = html((await cw.get(`/firms/${firm.uscc}/inputs?year=${LAST}`).expect(200)).text);
    const staff = page.getElementById('staff')!.text;
    expect(staff).to.include('职工 11').and.include('科技人员 2').and.include('不满183天');
  });

  it('answers a stale version with 409 and keeps the stored year', async () => {
    await cw.postForm(`/firms/${firm.uscc}/staff/${LAST}`, { version: '0', ...monthsBody([10, 10], [1, 1]) }).expect(303);
    const res = await cw.postForm(`/firms/${firm.uscc}/staff/${LAST}`, { version: '0', ...monthsBody([20, 20], [2, 2]) }).expect(409);
    expect(res.text).to.include('刚被他人修改');
    const row = await t.db('staff_months').where({ firm_id: firm.id }).first();
    expect(JSON.parse(row.total_counts)[0]).to.equal(10);
  });

  it('is for caseworkers, counsellors and administrators; a leader reads the page but cannot save; a firm outside the scope is 404', async () => {
    const counsellor = await t.as('counsellor');
    expect((await counsellor.postForm(`/firms/${firm.uscc}/staff/${LAST}`, { version: '0', ...monthsBody([10, 10], [1, 1]) })).status).to.equal(303);
    expect(await t.db('staff_months').where({ firm_id: firm.id }).count({ n: '*' }).first()).to.satisfy((r: { n: number | string }) => Number(r.n) > 0);
    const leader = await t.as('leader');
    await leader.get(`/firms/${firm.uscc}/inputs`).expect(200);
    expect((await leader.postForm(`/firms/${firm.uscc}/staff/${LAST}`, { version: '0', ...monthsBody([10, 10], [1, 1]) })).status).to.equal(403);
    const other = await createFirm(t.db, { name: '余姚市园区外科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.b, foundedOn: '2015-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
    const scoped = await t.as('scoped');
    await scoped.get(`/firms/${other.uscc}/inputs`).expect(404);
    expect((await scoped.postForm(`/firms/${other.uscc}/staff/${LAST}`, { version: '0', ...monthsBody([10, 10], [1, 1]) })).status).to.equal(404);
  });
});

const daysAgo = (n: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

describe('eligibility inputs: dated compliance events', function () {
  this.timeout(30_000); // a fresh schema per test on PostgreSQL, on a loaded machine
  let t: TestContext;
  let firm: SeededFirm;
  let cw: Awaited<ReturnType<TestContext['as']>>;
  beforeEach(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    firm = await createFirm(t.db, { name: '余姚市合规记录科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2015-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
  });
  afterEach(() => t.destroy());

  const incidentRow = (text: string) => html(text).getElementById('firm-readiness')!.querySelectorAll('table.conditions tbody tr').find((tr) => tr.text.includes('无重大安全'))!;
  const formKey = (text: string) => html(text).querySelector('#compliance input[name=_formKey]')!.getAttribute('value')!;

  it('an incident 400 days back, with the records checked, no longer fails the high-tech condition the yearly flag failed', async () => {
    await addFigures(t.db, firm.id, LAST, { majorIncident: true });
    const page = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    expect(incidentRow(page.text).querySelector('.status')!.text).to.equal('不符合');
    await cw.postForm(`/firms/${firm.uscc}/compliance/events`, { _formKey: formKey(page.text), kind: 'major_safety', date: daysAgo(400), authority: '余姚市应急管理局', docNumber: '余应急罚〔2024〕3号' }).expect(303);
    await cw.postForm(`/firms/${firm.uscc}/compliance/check`, { version: '0', checkedOn: TODAY, source: '信用中国' }).expect(303);
    const after = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    const row = incidentRow(after.text);
    expect(row.querySelector('.status')!.text).to.equal('符合');
    expect(row.text).to.include('超过365天');
    expect(await t.db('audit_log').where({ action: 'compliance.event_add' }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(1);
  });

  it('365 days back still fails; an unclassified penalty inside the window is review, not missing', async () => {
    await cw.postForm(`/firms/${firm.uscc}/compliance/check`, { version: '0', checkedOn: TODAY, source: '信用中国' }).expect(303);
    const page = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    await cw.postForm(`/firms/${firm.uscc}/compliance/events`, { _formKey: formKey(page.text), kind: 'other_penalty', date: daysAgo(20), authority: '余姚市市场监督管理局', docNumber: '余市监罚〔2025〕8号' }).expect(303);
    expect(incidentRow((await cw.get(`/firms/${firm.uscc}/inputs`)).text).querySelector('.status')!.text).to.equal('待评审/核实');
    const again = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    await cw.postForm(`/firms/${firm.uscc}/compliance/events`, { _formKey: formKey(again.text), kind: 'serious_environmental', date: daysAgo(365), authority: '宁波市生态环境局', docNumber: '甬环罚〔2024〕1号' }).expect(303);
    expect(incidentRow((await cw.get(`/firms/${firm.uscc}/inputs`)).text).querySelector('.status')!.text).to.equal('不符合');
  });

  it('refuses a penalty dated after today (the application date), a removal before the listing, and saves nothing', async () => {
    const page = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    const res = await cw.postForm(`/firms/${firm.uscc}/compliance/events`, { _formKey: formKey(page.text), kind: 'major_quality', date: daysAgo(-1), authority: '某局', docNumber: '某罚1号' }).expect(422);
    expect(html(res.text).getElementById('err-date')!.text).to.include('不能晚于今天');
    expect(html(res.text).querySelector('#compliance input[name=authority]')!.getAttribute('value')).to.equal('某局');
    const res2 = await cw.postForm(`/firms/${firm.uscc}/compliance/listings`, { _formKey: formKey(page.text), list: 'abnormal', listedOn: daysAgo(10), removedOn: daysAgo(20) }).expect(422);
    expect(html(res2.text).getElementById('err-removedOn')!.text).to.include('不能早于列入日期');
    expect(await t.db('compliance_events').first()).to.equal(undefined);
    expect(await t.db('compliance_listings').first()).to.equal(undefined);
  });

  it('a double submit records the event once', async () => {
    const page = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    const body = { _formKey: formKey(page.text), kind: 'major_safety', date: daysAgo(5), authority: '余姚市应急管理局', docNumber: '余应急罚〔2025〕9号' };
    await cw.postForm(`/firms/${firm.uscc}/compliance/events`, body).expect(303);
    await cw.postForm(`/firms/${firm.uscc}/compliance/events`, body).expect(303);
    expect(await t.db('compliance_events').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(1);
  });

  it('the tech-SME list condition: listed within the two years fails, for a 微成长 firm', async () => {
    const sme = await createFirm(t.db, { name: '余姚市名单科技有限公司', stage: 'incubating', parkId: t.basics.parks.a, foundedOn: '2018-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
    const page = await cw.get(`/firms/${sme.uscc}/inputs`).expect(200);
    const row = (text: string) => html(text).getElementById('firm-readiness')!.querySelectorAll('table.conditions tbody tr').find((tr) => tr.text.includes('经营异常名录'))!;
    expect(row(page.text).querySelector('.status')!.text).to.equal('缺数据');
    await cw.postForm(`/firms/${sme.uscc}/compliance/check`, { version: '0', checkedOn: TODAY, source: '国家企业信用信息公示系统' }).expect(303);
    expect(row((await cw.get(`/firms/${sme.uscc}/inputs`)).text).querySelector('.status')!.text).to.equal('符合');
    await cw.postForm(`/firms/${sme.uscc}/compliance/listings`, { _formKey: formKey(page.text), list: 'abnormal', listedOn: `${LAST}-03-01`, removedOn: `${LAST}-05-01` }).expect(303);
    expect(row((await cw.get(`/firms/${sme.uscc}/inputs`)).text).querySelector('.status')!.text).to.equal('不符合');
  });
});

describe('eligibility inputs: the tech-SME 研发投入 option', function () {
  this.timeout(30_000); // a fresh schema per test on PostgreSQL, on a loaded machine
  let t: TestContext;
  let firm: SeededFirm;
  let cw: Awaited<ReturnType<TestContext['as']>>;
  beforeEach(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    firm = await createFirm(t.db, { name: '余姚市研发选项科技有限公司', stage: 'incubating', parkId: t.basics.parks.a, foundedOn: '2015-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
    // 科技人员 30% → 20; (1) 3% of sales → 20; 3 Class II → 18: 58 with (1); 成本费用 not entered.
    const noDirectRoute = { standardsLed: 0, nationalAwardTop3: false, hasRdInstitution: false };
    await addFigures(t.db, firm.id, LAST, { salesRevenue: 40_000_000, rdDeductible: 1_200_000, staffTotal: 100, techStaff: 30, ipClass1: 0, ipClass2: 3, totalAssets: 50_000_000, ...noDirectRoute });
    for (const y of [THIS_YEAR, THIS_YEAR - 2, THIS_YEAR - 3, THIS_YEAR - 4]) await addFigures(t.db, firm.id, y, noDirectRoute);
  });
  afterEach(() => t.destroy());

  const scoreRow = (text: string) => html(text).getElementById('firm-readiness')!.querySelectorAll('table.conditions tbody tr').find((tr) => tr.text.includes('评价得分或直接确认'))!;

  it('records the chosen option, shows both scores with the chosen one, and a missing 成本费用 no longer keeps (五) open', async () => {
    const before = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    expect(scoreRow(before.text).querySelector('.status')!.text).to.equal('缺数据');
    await cw.postForm(`/firms/${firm.uscc}/tsme-option`, { version: '0', option: 'sales' }).expect(303);
    const after = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    expect(scoreRow(after.text).querySelector('.status')!.text).to.equal('不符合');
    const section = html(after.text).getElementById('tsme-option')!;
    const rows = section.querySelectorAll('table.tsme-rd-options tbody tr');
    expect(rows).to.have.length(2);
    expect(rows[0]!.text).to.include('计入评分').and.include('20');
    expect(rows[1]!.text).to.include('企业未选此项');
    const audit = await t.db('audit_log').where({ action: 'eligibility.tsme_option' }).first();
    expect(JSON.parse(audit.after)).to.deep.equal({ tsmeRdOption: 'sales' });
    expect((await t.db('eligibility_current').where({ firm_id: firm.id, rule_set: 'tsme-2017' }).first()).status).to.equal('fail');
  });

  it('refuses an unknown option (422) and a stale version (409), saving nothing', async () => {
    await cw.postForm(`/firms/${firm.uscc}/tsme-option`, { version: '0', option: 'both' }).expect(422);
    expect(await t.db('eligibility_settings').first()).to.equal(undefined);
    await cw.postForm(`/firms/${firm.uscc}/tsme-option`, { version: '0', option: 'cost' }).expect(303);
    const res = await cw.postForm(`/firms/${firm.uscc}/tsme-option`, { version: '0', option: 'sales' }).expect(409);
    expect(res.text).to.include('刚被他人修改');
    expect((await t.db('eligibility_settings').first()).tsme_rd_option).to.equal('cost');
  });
});

describe('eligibility inputs: the IP register', function () {
  this.timeout(30_000); // a fresh schema per test on PostgreSQL, on a loaded machine
  let t: TestContext;
  let firm: SeededFirm;
  let cw: Awaited<ReturnType<TestContext['as']>>;
  beforeEach(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    firm = await createFirm(t.db, { name: '余姚市知识产权科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2015-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
    await addFigures(t.db, firm.id, LAST, { ipClass1: 0, ipClass2: 0, ipClass2Used: 0 });
  });
  afterEach(() => t.destroy());

  const ipRow = (text: string) => html(text).getElementById('firm-readiness')!.querySelectorAll('table.conditions tbody tr').find((tr) => tr.text.includes('拥有核心知识产权'))!;
  const key = (text: string) => html(text).querySelector('#ip-form input[name=_formKey]')!.getAttribute('value')!;
  const patent = { kind: 'utility', number: 'ZL 201720601862.9', title: '一种光学镜头调焦装置', appliedOn: '2017-05-02', grantedOn: '2018-01-09', acquisition: 'own', status: 'valid', supportsMainProducts: 'yes' };

  it('registers a patent, shows its verdict and reason, and the readiness panel counts it instead of the yearly count', async () => {
    const before = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    expect(ipRow(before.text).querySelector('.status')!.text).to.equal('不符合');
    await cw.postForm(`/firms/${firm.uscc}/ip`, { _formKey: key(before.text), ...patent }).expect(303);
    const row = await t.db('ip_items').where({ firm_id: firm.id }).first();
    expect(row.number).to.equal('ZL201720601862.9');
    const after = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    expect(ipRow(after.text).querySelector('.status')!.text).to.equal('待评审/核实');
    expect(ipRow(after.text).text).to.include('按知识产权清单').and.include('ZL201720601862.9');
    expect(html(after.text).querySelector('table.ip-items')!.text).to.include('计入：Ⅱ类，自主研发');
    expect((await t.db('eligibility_current').where({ firm_id: firm.id, rule_set: 'hte-2016' }).first()).summary ?? '').to.not.include('拥有核心知识产权');
    expect(await t.db('audit_log').where({ action: 'ip.add' }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(1);
  });

  it('refuses a grant before the application, a wrong check digit, and a number already on another firm — saving nothing', async () => {
    const page = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    const early = await cw.postForm(`/firms/${firm.uscc}/ip`, { _formKey: key(page.text), ...patent, grantedOn: '2017-05-01' }).expect(422);
    expect(html(early.text).getElementById('err-grantedOn')!.text).to.include('不能早于申请日');
    expect(html(early.text).querySelector('#ip-form input[name=title]')!.getAttribute('value')).to.equal(patent.title);
    const bad = await cw.postForm(`/firms/${firm.uscc}/ip`, { _formKey: key(page.text), ...patent, number: 'ZL201720601862.3' }).expect(422);
    expect(html(bad.text).getElementById('err-number')!.text).to.include('校验位');
    expect(await t.db('ip_items').first()).to.equal(undefined);
    const other = await createFirm(t.db, { name: '余姚市另一家科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2015-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
    const p2 = await cw.get(`/firms/${other.uscc}/inputs`).expect(200);
    await cw.postForm(`/firms/${other.uscc}/ip`, { _formKey: key(p2.text), ...patent }).expect(303);
    const dup = await cw.postForm(`/firms/${firm.uscc}/ip`, { _formKey: key(page.text), ...patent, number: '201720601862.9' }).expect(422);
    expect(html(dup.text).getElementById('err-number')!.text).to.include('另一家企业');
    expect(await t.db('ip_items').where({ firm_id: firm.id }).first()).to.equal(undefined);
  });

  it('removes an item with its version; the yearly counts are the fallback again', async () => {
    const page = await cw.get(`/firms/${firm.uscc}/inputs`).expect(200);
    await cw.postForm(`/firms/${firm.uscc}/ip`, { _formKey: key(page.text), ...patent }).expect(303);
    const row = await t.db('ip_items').first();
    await cw.postForm(`/firms/${firm.uscc}/ip/${row.id}/delete`, { version: '2' }).expect(409);
    await cw.postForm(`/firms/${firm.uscc}/ip/${row.id}/delete`, { version: '1' }).expect(303);
    expect(ipRow((await cw.get(`/firms/${firm.uscc}/inputs`)).text).querySelector('.status')!.text).to.equal('不符合');
  });
});

describe('eligibility inputs: the R&D expense structure', function () {
  this.timeout(30_000); // a fresh schema per test on PostgreSQL, on a loaded machine
  let t: TestContext;
  let firm: SeededFirm;
  let cw: Awaited<ReturnType<TestContext['as']>>;
  beforeEach(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    firm = await createFirm(t.db, { name: '余姚市研发结构科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2015-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
    // Typed totals: 200万 of R&D on 4000万 of sales each year (5%, passes) — the actual amounts, not the 80% basis.
    for (const y of [LAST - 2, LAST - 1, LAST]) await addFigures(t.db, firm.id, y, { salesRevenue: 40_000_000, rdExpense: 2_000_000, rdDomestic: 2_000_000 });
  });
  afterEach(() => t.destroy());

  const rdRow = (text: string) => html(text).getElementById('firm-readiness')!.querySelectorAll('table.conditions tbody tr').find((tr) => tr.text.includes('研发费用占比'))!;
  const structure = { personnel: '100', outsourcedDomestic: '100' };

  it('saves the structure of each year; the 80% rule turns the R&D ratio from 符合 into 不符合, both bases shown', async () => {
    expect(rdRow((await cw.get(`/firms/${firm.uscc}/inputs`)).text).querySelector('.status')!.text).to.equal('符合');
    for (const y of [LAST - 2, LAST - 1, LAST]) await cw.postForm(`/firms/${firm.uscc}/rd/${y}`, { version: '0', ...structure, typedTotal: '200' }).expect(303);
    const page = await cw.get(`/firms/${firm.uscc}/inputs?year=${LAST}`).expect(200);
    const row = rdRow(page.text);
    expect(row.querySelector('.status')!.text).to.equal('不符合');
    expect(row.text).to.include('4.50%').and.include('按研发费用结构');
    const bases = html(page.text).querySelector('table.rd-bases')!.text;
    expect(bases).to.include('180.0000').and.include('80.0000');
    expect(await t.db('audit_log').where({ action: 'rd_structure.update' }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(3);
  });

  it('refuses categories not adding up to the typed total (showing the difference) and outsourcing above the total; saves nothing', async () => {
    const res = await cw.postForm(`/firms/${firm.uscc}/rd/${LAST}`, { version: '0', ...structure, other: '5', typedTotal: '200' }).expect(422);
    expect(html(res.text).getElementById('err-typedTotal')!.text).to.include('相差 5 万元').and.include('各项多');
    expect(html(res.text).querySelector('#rd input[name=other]')!.getAttribute('value')).to.equal('5');
    const res2 = await cw.postForm(`/firms/${firm.uscc}/rd/${LAST}`, { version: '0', outsourcedDomestic: '150', outsourcedForeign: '60', typedTotal: '200' }).expect(422);
    expect(html(res2.text).getElementById('err-outsourcedDomestic')!.text).to.include('超过了研发费用合计');
    const res3 = await cw.postForm(`/firms/${firm.uscc}/rd/${LAST}`, { version: '0', personnel: '-1' }).expect(422);
    expect(html(res3.text).getElementById('err-personnel')!.text).to.include('不能为负数');
    expect(await t.db('rd_structures').first()).to.equal(undefined);
  });
});
