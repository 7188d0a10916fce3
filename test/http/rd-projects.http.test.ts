/**
 * R&D projects per firm and year and the 研发费用结构明细表 import (issue 12 item 2): the year's structure is the sum
 * of its projects and feeds the readiness check; the import goes through the list pipeline with the forms' checks.
 */
import { expect } from 'chai';
import { addFigures, createFirm, type SeededFirm } from '../helpers/factories.js';
import type { Cell } from '../helpers/list-files.js';
import { commitPreviewed, previewList } from '../helpers/list-import.js';
import { type Client, createTestContext, html, type TestContext } from '../helpers/test-app.js';

const THIS_YEAR = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));
const LAST = THIS_YEAR - 1;

const rdRow = (text: string) => html(text).getElementById('firm-readiness')!.querySelectorAll('table.conditions tbody tr').find((tr) => tr.text.includes('研发费用占比'))!;
const count = async (t: TestContext, table: string, where: Record<string, unknown> = {}) => Number((await t.db(table).where(where).count({ n: '*' }).first())?.n);

describe('R&D projects on the inputs page', function () {
  this.timeout(30_000);
  let t: TestContext;
  let firm: SeededFirm;
  let cw: Awaited<ReturnType<TestContext['as']>>;
  beforeEach(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    firm = await createFirm(t.db, { name: '余姚市研发项目科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2015-03-01', field: 'electronic_info', actorId: t.basics.users.admin.id });
    for (const y of [LAST - 2, LAST - 1, LAST]) await addFigures(t.db, firm.id, y, { salesRevenue: 40_000_000, rdExpense: 2_000_000, rdDomestic: 2_000_000 });
  });
  afterEach(() => t.destroy());

  const project = (code: string, extra: Record<string, string> = {}) => ({ version: '0', code, name: `项目${code}`, startDate: `${LAST}-01-01`, endDate: `${LAST}-12-31`, budget: '120', techField: '电子信息', ...extra });
  const url = `/firms/{uscc}/rd/${LAST}/projects`;

  it('adds two projects: the year shows each and their sum, which replaces the typed total in the readiness check', async () => {
    const base = url.replace('{uscc}', firm.uscc);
    const res = await cw.postForm(base, project('rd01', { personnel: '100' })).expect(303);
    expect(res.headers.location).to.equal(`/firms/${firm.uscc}/inputs?year=${LAST}#rd-projects`);
    await cw.postForm(base, project('RD02', { outsourcedDomestic: '100' })).expect(303);
    const page = await cw.get(`/firms/${firm.uscc}/inputs?year=${LAST}`).expect(200);
    const table = html(page.text).querySelector('table.rd-projects')!;
    expect(table.querySelectorAll('tbody tr').map((tr) => (tr.classList.contains('total-row') ? tr.querySelector('th')!.text : tr.querySelector('td')!.text))).to.deep.equal(['RD01', 'RD02', '各项目合计（即本年度结构）']);
    expect(table.querySelector('tr.total-row')!.text).to.include('200.00');
    // 100 + 80%·100 = 180 of 4000 = 4.50%: the projects' sum, high-tech basis.
    expect(html(page.text).querySelector('table.rd-bases')!.text).to.include('180.0000');
    expect(rdRow(page.text).text).to.include('按研发费用结构');
    // The year's structure is edited through its projects only.
    expect(html(page.text).querySelector(`form[action="/firms/${firm.uscc}/rd/${LAST}"]`)).to.equal(null);
    const refused = await cw.postForm(`/firms/${firm.uscc}/rd/${LAST}`, { version: '2', personnel: '1' }).expect(409);
    expect(html(refused.text).querySelector('#rd .form-message')!.text).to.include('已按研发项目录入');
    expect(await count(t, 'audit_log', { action: 'rd_project.create' })).to.equal(2);
  });

  it('edits a project with its version (a stale one is refused), and deleting the last project removes the year structure', async () => {
    const base = url.replace('{uscc}', firm.uscc);
    await cw.postForm(base, project('RD01', { personnel: '100' })).expect(303);
    const row = await t.db('rd_projects').first();
    await cw.postForm(`${base}/${row.id}`, project('RD01', { version: '1', personnel: '150' })).expect(303);
    expect(Number((await t.db('rd_structures').first()).personnel)).to.equal(1_500_000);
    const stale = await cw.postForm(`${base}/${row.id}`, project('RD01', { version: '1', personnel: '1' })).expect(409);
    expect(html(stale.text).querySelector('.rd-project-form .form-message')!.text).to.include('刚被他人修改或删除');
    await cw.postForm(`${base}/${row.id}`, { version: '2', delete: 'yes' }).expect(303);
    expect(await count(t, 'rd_projects')).to.equal(0);
    expect(await count(t, 'rd_structures')).to.equal(0);
    expect(rdRow((await cw.get(`/firms/${firm.uscc}/inputs?year=${LAST}`)).text).text).to.include('录入的年度数');
  });

  it('refuses a bad code, a taken code, an end before the start, negative and non-whole amounts — a message per field, nothing saved', async () => {
    const base = url.replace('{uscc}', firm.uscc);
    const res = await cw.postForm(base, project('XM1', { endDate: `${LAST - 1}-06-30`, personnel: '-1', direct: '1.23456' })).expect(422);
    const doc = html(res.text);
    expect(doc.getElementById('err-rdp-new-code')!.text).to.equal('项目编号应为 RD 加数字，如 RD01。');
    expect(doc.getElementById('err-rdp-new-endDate')!.text).to.equal('结束日期早于开始日期。');
    expect(doc.getElementById('err-rdp-new-personnel')!.text).to.equal('金额不能为负数。');
    expect(doc.getElementById('err-rdp-new-direct')!.text).to.include('最多保留4位小数');
    expect(doc.querySelector('#rdp-new-name')!.getAttribute('value')).to.equal('项目XM1');
    await cw.postForm(base, project('RD01', { personnel: '1' })).expect(303);
    const taken = await cw.postForm(base, project('rd01', { personnel: '2' })).expect(422);
    expect(html(taken.text).getElementById('err-rdp-new-code')!.text).to.include('已有项目编号 RD01');
    expect(await count(t, 'rd_projects')).to.equal(1);
    expect(Number((await t.db('rd_structures').first()).personnel)).to.equal(10_000);
  });
});

const HEAD = ['统一社会信用代码', '企业名称', '年度', '项目编号', '项目名称', '人员人工费用', '直接投入费用', '折旧费用', '无形资产摊销', '新产品设计费等', '装备调试费与试验费用', '委托外部研究开发费用（境内）', '委托外部研究开发费用（境外）', '其他相关费用'];
const headed = (unit: string) => HEAD.map((h, i) => (i >= 5 ? `${h}（${unit}）` : h));

describe('研发费用结构明细表 imported through the list pipeline', function () {
  this.timeout(60_000);
  let t: TestContext;
  let a: SeededFirm;
  let b: SeededFirm;
  beforeEach(async () => {
    t = await createTestContext();
    a = await createFirm(t.db, { name: '余姚市明细甲科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2012-01-01', field: 'new_materials', actorId: t.basics.users.admin.id });
    b = await createFirm(t.db, { name: '余姚市明细乙科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2012-01-01', field: 'new_materials', actorId: t.basics.users.admin.id });
    for (const f of [a, b]) for (const y of [LAST - 2, LAST - 1, LAST]) await addFigures(t.db, f.id, y, { salesRevenue: 40_000_000, rdExpense: 2_000_000, rdDomestic: 2_000_000 });
  });
  afterEach(() => t.destroy());

  const preview = (rows: Cell[][], c: Client = t.admin) => previewList(t, rows, { kind: 'rd_structure', year: LAST, client: c });
  const commit = (id: number) => commitPreviewed(t, id);
  const structureOf = async (f: SeededFirm) => t.db('rd_structures').where({ firm_id: f.id, year: LAST }).first();

  it('reads the category columns in the unit their header states (万元 in one file, 元 in another)', async () => {
    await commit(await preview([headed('万元'), [a.uscc, a.name, String(LAST), '', '', '120', '30', '10', '5', '5', '0', '20', '0', '10']]));
    await commit(await preview([headed('元'), [b.uscc, b.name, String(LAST), '', '', '1,200,000', '300000', '', '', '', '', '200000', '', '100000']]));
    const sa = await structureOf(a);
    const sb = await structureOf(b);
    expect([sa.personnel, sa.direct, sa.outsourced_domestic, sa.other].map(Number)).to.deep.equal([1_200_000, 300_000, 200_000, 100_000]);
    expect([sb.personnel, sb.direct, sb.outsourced_domestic, sb.other].map(Number)).to.deep.equal([1_200_000, 300_000, 200_000, 100_000]);
    expect(await count(t, 'audit_log', { action: 'rd_structure.import' })).to.equal(2);
  });

  it('sums project rows into the year, says per row what will be written and where it contradicts the typed total, and the readiness check reads it', async () => {
    const id = await preview([
      headed('万元'),
      [a.uscc, a.name, String(LAST), 'RD01', '高导热材料', '100', '', '', '', '', '', '', '', ''],
      [a.uscc, a.name, String(LAST), 'rd02', '低温烧结工艺', '', '', '', '', '', '', '100', '25', ''],
    ]);
    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    const warned = page.querySelectorAll('#warned tbody tr').map((tr) => tr.text);
    expect(warned[0]).to.include('写入研发项目 RD01“高导热材料”：合计 100.00 万元');
    // 100 + 80%·125 = 200 万元 agrees with the typed 200 万元 — then no flag; the actual amounts add to 225.
    expect(warned[1]).to.include('写入研发项目 RD02').and.not.include('请核对');
    await commit(id);
    expect((await t.db('rd_projects').where({ firm_id: a.id }).orderBy('code')).map((p) => p.code)).to.deep.equal(['RD01', 'RD02']);
    const s = await structureOf(a);
    expect([s.personnel, s.outsourced_domestic, s.outsourced_foreign].map(Number)).to.deep.equal([1_000_000, 1_000_000, 250_000]);
    expect(Boolean(s.from_projects)).to.equal(true);
    const inputs = await t.admin.get(`/firms/${a.uscc}/inputs?year=${LAST}`).expect(200);
    expect(html(inputs.text).querySelectorAll('table.rd-projects tbody tr')).to.have.length(3);
    expect(rdRow(inputs.text).text).to.include('按研发费用结构');

    // A year row for b contradicting b's typed 200 万元 is flagged, not refused.
    const id2 = await preview([headed('万元'), [b.uscc, b.name, String(LAST), '', '', '150', '', '', '', '', '', '', '', '']]);
    const warned2 = html((await t.admin.get(`/lists/imports/${id2}`)).text).querySelector('#warned tbody tr')!.text;
    expect(warned2).to.include('请核对：按结构计算的高企口径研发费用 150.00 万元，与年度指标中录入的研发费用 200.00 万元不符');
  });

  it('refuses a firm-year whole when one of its project rows is refused (line and reason shown); other firms are written; no revert', async () => {
    const id = await preview([
      headed('万元'),
      [a.uscc, a.name, String(LAST), 'RD01', '甲', '100', '', '', '', '', '', '', '', ''],
      [a.uscc, a.name, String(LAST), 'RD02', '乙', '-3', '', '', '', '', '', '', '', ''],
      [a.uscc, a.name, String(LAST), 'RD03', '丙', '10', '', '', '', '', '', '', '', ''],
      [b.uscc, b.name, String(LAST), '', '', '180', '', '', '', '', '', '', '', '20'],
      [b.uscc, b.name, String(LAST), 'RD01', '丁', '1', '', '', '', '', '', '', '', ''],
    ]);
    const batch = await t.db('import_batches').where({ id }).first();
    expect([batch.rows_matched, batch.rows_rejected]).to.deep.equal([1, 4]);
    const rejected = html((await t.admin.get(`/lists/imports/${id}`)).text).text;
    expect(rejected).to.include('人员人工费用：金额不能为负数。').and.include('同一企业同一年度的第 3 行被拒绝，本行也不导入').and.include('第 5 行已是年度合计行');
    await commit(id);
    expect(await count(t, 'rd_projects')).to.equal(0);
    expect(await structureOf(a)).to.equal(undefined);
    expect(Number((await structureOf(b)).personnel)).to.equal(1_800_000);
    // A project row whose number cannot be read is refused before its firm is matched: its firm-year goes too.
    const id2 = await preview([
      headed('万元'),
      [b.uscc, b.name, String(LAST), 'RD01', '戊', '12', '', '', '', '', '', '', '', ''],
      [b.uscc, b.name, String(LAST), 'RD02', '己', '十二', '', '', '', '', '', '', '', ''],
    ]);
    const b2 = await t.db('import_batches').where({ id: id2 }).first();
    expect([b2.rows_matched, b2.rows_rejected]).to.deep.equal([0, 2]);
    expect(html((await t.admin.get(`/lists/imports/${id2}`)).text).text).to.include('同一企业同一年度的第 3 行被拒绝');
    const revert = await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }).expect(409);
    expect(revert.text).to.include('研发费用结构明细表的导入不能整体撤销');
  });
});
