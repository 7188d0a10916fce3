import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { refreshEligibility } from '../../src/features/eligibility/eligibility.service.js';
import { addFigures, createFirm } from '../helpers/factories.js';
import { createTestContext, type TestContext } from '../helpers/test-app.js';
import { binary, readXlsx, sheetRows } from '../helpers/xlsx.js';

describe('exports of the firm lists, the readiness list and the dashboard', () => {
  let t: TestContext;
  let firmA: { uscc: string; id: number };
  before(async () => {
    t = await createTestContext();
    const admin = t.basics.users.admin.id;
    firmA = await createFirm(t.db, { name: '=cmd|余姚导出甲科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, actorId: admin });
    await createFirm(t.db, { name: '余姚导出乙科技有限公司', stage: 'incubating', parkId: t.basics.parks.b, actorId: admin });
    await createFirm(t.db, { name: '余姚导出丙科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, actorId: admin });
    await addFigures(t.db, firmA.id, 2025, { rdExpense: 1_500_000 });
    await refreshEligibility(t.db, [firmA.id]);
  });
  after(() => t.destroy());

  it('/firms/export.xlsx: every firm under the filters, codes as strings, a title row naming the filters, recorded in the audit log', async () => {
    const wb = await readXlsx(t.admin, `/firms/export.xlsx?park=${t.basics.parks.a}`);
    const ws = wb.worksheets[0]!;
    const rows = sheetRows(ws);
    expect(String(rows[0]![0])).to.match(/^企业名录　数据截至 \d{4}-\d\d-\d\d \d\d:\d\d　筛选：园区\/平台 余姚经济开发区$/);
    expect(rows[1]!.slice(0, 3)).to.deep.equal(['统一社会信用代码', '企业名称', '阶段']);
    const body = rows.slice(2);
    expect(body.map((r) => r[1])).to.have.members(["'=cmd|余姚导出甲科技有限公司", '余姚导出丙科技有限公司']);
    for (let r = 3; r <= ws.rowCount; r++) {
      expect(typeof ws.getCell(r, 1).value).to.equal('string');
      ws.getRow(r).eachCell((c) => expect(c.type).to.not.equal(ExcelJS.ValueType.Formula));
    }
    const audit = await t.db('audit_log').where({ action: 'export.download' }).orderBy('id', 'desc').first();
    expect(JSON.parse(audit.after)).to.deep.equal({ what: '企业名录', format: 'xlsx', filters: { '园区/平台': '余姚经济开发区' } });
  });

  it('/firms/export.csv: formula-escaped, UTF-8 with BOM', async () => {
    const res = await binary(t.admin.get('/firms/export.csv?q=导出')).expect(200);
    expect(res.headers['content-type']).to.include('text/csv');
    const text = (res.body as Buffer).toString('utf8');
    expect(text.charCodeAt(0)).to.equal(0xfeff);
    expect(text).to.include(`,'=cmd|余姚导出甲科技有限公司,`);
    expect(text.split('\r\n').filter((l) => l.includes('余姚导出'))).to.have.length(3);
  });

  it('a caseworker limited to one park exports only that park’s firms', async () => {
    const scoped = await t.as('scoped');
    const rows = sheetRows((await readXlsx(scoped, '/board/export.xlsx')).worksheets[0]!).slice(2);
    expect(rows.map((r) => r[3])).to.satisfy((parks: unknown[]) => parks.every((p) => p === '余姚经济开发区'));
    expect(rows).to.have.length(2);
  });

  it('/board/export.xlsx takes the board filters (not the stage)', async () => {
    const rows = sheetRows((await readXlsx(t.admin, `/board/export.xlsx?park=${t.basics.parks.b}&stage=tech_sme`)).worksheets[0]!).slice(2);
    expect(rows.map((r) => r[1])).to.deep.equal(['余姚导出乙科技有限公司']);
  });

  it('/readiness/export.xlsx: the ranked reserve with the R&D gap in 万元 as a number', async () => {
    const wb = await readXlsx(t.admin, '/readiness/export.xlsx?check=hte');
    const ws = wb.worksheets[0]!;
    const rows = sheetRows(ws);
    expect(String(rows[0]![0])).to.include('认定准备（');
    expect(String(rows[0]![0])).to.include('对照 ');
    expect(rows[1]).to.include('研发费用差额（万元）');
    const body = rows.slice(2);
    expect(body.map((r) => r[1])).to.deep.equal([firmA.uscc]);
    expect(body[0]![0]).to.equal(1);
    expect(typeof body[0]![5]).to.equal('number');
  });

  it('/dashboard/export.xlsx: one sheet per table with the numbers the page shows', async () => {
    const wb = await readXlsx(t.admin, '/dashboard/export.xlsx');
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['阶段转化', '各园区在库企业']);
    const funnel = sheetRows(wb.worksheets[0]!);
    const reserve = funnel.find((r) => r[0] === '高企培育库')!;
    expect(reserve[2]).to.equal(1);
    const parks = sheetRows(wb.worksheets[1]!).slice(2);
    expect(parks.find((r) => r[0] === '余姚经济开发区')!.at(-1)).to.equal(2);
  });

  it('the pages offer the export buttons, carrying the filter form', async () => {
    for (const [url, form] of [['/firms', 'firm-filters'], ['/board', 'board-filters'], ['/readiness', 'reserve-filters'], ['/dashboard', 'dashboard-filters']] as const) {
      const page = (await t.admin.get(url).expect(200)).text;
      expect(page, url).to.include(`form="${form}" formaction="${url === '/firms' ? '/firms' : url}/export.xlsx"`);
    }
  });
});
