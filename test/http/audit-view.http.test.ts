/**
 * The audit log in words (issue 11 item 4): what a caseworker did, read by an administrator on
 * /admin/audit and in its Excel export — labels, stage and reason names, 万元, firms by name and
 * code, batches by list and year, users by name, IPv4 addresses; filters by user, action, firm
 * (code or name) and date.
 */
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { displayIp } from '../../src/features/audit/audit-view.js';
import { createFirm, validUscc } from '../helpers/factories.js';
import { commitList } from '../helpers/list-import.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { TODAY } from '../helpers/today.js';
import { binary } from '../helpers/xlsx.js';

/** A Chinese patent number with its check character (as checkPatentNumber computes it). */
function patentNo(year: number, kindDigit: 1 | 2 | 3, serial: number): string {
  const digits = `${year}${kindDigit}${String(serial).padStart(7, '0')}`;
  const weights = [2, 3, 4, 5, 6, 7, 8, 9];
  const r = [...digits].reduce((s, d, i) => s + Number(d) * weights[i % 8]!, 0) % 11;
  return `ZL${digits}.${r === 10 ? 'X' : r}`;
}

/** What in a shown change is still code: JSON, an instant, a camelCase or snake_case word, a bare English key. */
function codeIn(text: string): string | null {
  if (/[{}"[\]]/.test(text)) return 'JSON';
  if (/\d{4}-\d\d-\d\dT\d\d/.test(text)) return 'an ISO instant';
  return /\b[a-z]+[A-Z][A-Za-z0-9]*\b|\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b|^[a-z]+$/.exec(text.trim())?.[0] ?? null;
}

describe('the audit log speaks Chinese', () => {
  let t: TestContext;
  let firm: { uscc: string; name: string; id: number };
  before(async () => {
    t = await createTestContext();
    firm = await createFirm(t.db, { name: '余姚市审计可读科技有限公司', stage: 'candidate', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const cw = await t.as('caseworker');
    // A move, a figures save and a profile edit, as a caseworker makes them.
    await cw.post(`/firms/${firm.uscc}/stage`).type('form').send({ to: 'incubating', version: 1, source: 'firm_page' }).expect(303);
    await cw.post(`/firms/${firm.uscc}/figures/2025`).type('form').send({ version: 0, rdExpense: '120', salesRevenue: '33.12' }).expect(303);
    await cw.post(`/firms/${firm.uscc}`).type('form').send({ uscc: firm.uscc, name: firm.name, parkId: String(t.basics.parks.b), field: 'electronic_info', version: 2 }).expect(303);
    // A list batch, committed.
    await commitList(t, [[validUscc(830_001), '余姚市审计批次科技有限公司']]);
  });
  after(() => t.destroy());

  const page = async (qs = '') => html((await t.admin.get(`/admin/audit${qs}`).expect(200)).text);
  const rowOf = (doc: ReturnType<typeof html>, action: string) => doc.querySelectorAll('#audit-table tbody tr').find((r) => r.querySelectorAll('td')[2]?.text === action);

  it('shows a stage move with the stage names, the kind of move and where it came from, the firm by name and code, the user by name', async () => {
    const row = rowOf(await page(), '移动阶段')!;
    const text = row.text;
    expect(text).to.include('阶段').and.include('候选').and.include('孵化培育');
    expect(text).to.include('前进一个阶段').and.include('企业档案');
    expect(text).to.not.match(/candidate|incubating|forward|firm_page|version/);
    expect(row.querySelector('.audit-object a')!.text).to.equal('余姚市审计可读科技有限公司');
    expect(row.querySelector('.audit-object')!.text).to.include(firm.uscc);
    expect(row.querySelectorAll('td')[1]!.text).to.equal('王晓燕');
  });

  it('shows money in 万元 and fields by their labels', async () => {
    const figures = rowOf(await page(), '修改年度指标')!.text;
    expect(figures).to.include('研发费用').and.include('— → 120').and.include('— → 33.12');
    expect(figures).to.not.match(/rdExpense|1200000|331200/);
    const profile = rowOf(await page(), '修改企业资料')!.text;
    expect(profile).to.include('园区/平台').and.include('余姚经济开发区').and.include('中意宁波生态园');
    expect(profile).to.include('技术领域').and.include('电子信息');
    expect(profile).to.not.match(/parkId|electronic_info/);
  });

  it('names batches by list and year, and addresses as IPv4', async () => {
    const doc = await page('?action=import.');
    const commit = rowOf(doc, '提交名单导入')!;
    expect(commit.querySelector('.audit-object')!.text).to.include('授权专利 2025 年');
    expect(doc.querySelector('#audit-table')!.text).to.not.include('::ffff:');
    expect(displayIp('::ffff:10.2.3.4')).to.equal('10.2.3.4');
    expect(displayIp('192.168.1.9')).to.equal('192.168.1.9');
  });

  it('filters by user, action, firm by name or code, and date', async () => {
    const cwId = t.basics.users.caseworker.id;
    const byUser = await page(`?user=${cwId}`);
    const actors = byUser.querySelectorAll('#audit-table tbody tr').map((r) => r.querySelectorAll('td')[1]!.text);
    expect(actors.length).to.be.greaterThan(0);
    expect(new Set(actors)).to.deep.equal(new Set(['王晓燕']));
    const byName = await page(`?firm=${encodeURIComponent('审计可读')}`);
    const actions = byName.querySelectorAll('#audit-table tbody tr').map((r) => r.querySelectorAll('td')[2]!.text);
    expect(actions).to.have.members(['移动阶段', '修改年度指标', '修改企业资料']);
    expect(byName.text).to.include('名称含“审计可读”的企业 1 家');
    const byCode = await page(`?firm=${firm.uscc.toLowerCase()}`);
    expect(byCode.querySelectorAll('#audit-table tbody tr')).to.have.length(3);
    const byAction = await page('?action=figures.update');
    expect(byAction.querySelectorAll('#audit-table tbody tr').map((r) => r.querySelectorAll('td')[2]!.text)).to.deep.equal(['修改年度指标']);
    expect((await page('?from=2999-01-01')).text).to.include('没有符合条件的记录');
  });

  it('exports the filtered log to Excel with the same words, and records the export', async () => {
    const res = await t.admin
      .get(`/admin/audit/export.xlsx?firm=${encodeURIComponent('审计可读')}`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).to.include('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const ws = wb.getWorksheet('审计日志')!;
    const rows: string[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    expect(rows[0]).to.deep.equal(['时间', '操作人', '操作', '对象', '信用代码/编号', '变化', '来源地址']);
    expect(rows.slice(1).map((r) => r[2])).to.have.members(['移动阶段', '修改年度指标', '修改企业资料']);
    const move = rows.find((r) => r[2] === '移动阶段')!;
    expect(move[1]).to.equal('王晓燕');
    expect(move[3]).to.equal('余姚市审计可读科技有限公司');
    expect(move[4]).to.equal(firm.uscc);
    expect(move[5]).to.include('候选 → 孵化培育');
    expect(rows.find((r) => r[2] === '修改年度指标')![5]).to.include('研发费用总额（万元）：— → 120');
    const audit = await t.db('audit_log').where({ action: 'audit.export' }).first();
    expect(JSON.parse(audit.after)).to.deep.equal({ format: 'xlsx', filters: { firm: '审计可读' } });
    expect((await page()).querySelector('#audit-export')!.getAttribute('href')).to.equal('/admin/audit/export.xlsx');
  });
});

describe('the audit log speaks Chinese for every kind of record', function () {
  this.timeout(60_000); // a list commit through the worker, on a fresh schema on PostgreSQL
  let t: TestContext;
  let firm: { uscc: string; name: string; id: number };
  const year = Number(TODAY.slice(0, 4)) - 1;
  before(async () => {
    t = await createTestContext();
    firm = await createFirm(t.db, { name: '余姚市审计全类科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2015-03-01', actorId: t.basics.users.admin.id });
    const cw = await t.as('caseworker');
    const formKey = (page: string, form = '') => html(page).querySelector(`${form} input[name=_formKey]`)!.getAttribute('value')!;
    // Eligibility inputs: staff by month, the R&D structure, the check of the public records.
    const months: Record<string, string> = {};
    for (let m = 0; m <= 12; m += 1) Object.assign(months, { [`t${m}`]: '40', [`k${m}`]: '6' });
    await cw.postForm(`/firms/${firm.uscc}/staff/${year}`, { version: '0', ...months, p0_label: '兼职甲', p0_days: '200', p0_from: '1', p0_to: '12', p0_tech: 'yes' }).expect(303);
    await cw.postForm(`/firms/${firm.uscc}/rd/${year}`, { version: '0', personnel: '120', outsourcedDomestic: '30', typedTotal: '150' }).expect(303);
    await cw.postForm(`/firms/${firm.uscc}/compliance/check`, { version: '0', checkedOn: TODAY, source: '信用中国' }).expect(303);
    // The register: a high-tech application, pending.
    await t.admin.postForm('/certifications/new', { firm: firm.uscc, kind: 'hte', year: String(year), mode: 'first', appliedOn: `${year}-06-01` }).expect(303);
    // Coaching: a technical demand and an event.
    const demand = await cw.get(`/firms/${firm.uscc}/demands/new`).expect(200);
    await cw.post(`/firms/${firm.uscc}/demands`).type('form').send({ _formKey: formKey(demand.text), title: '高导热复合材料配方优化', field: 'new_materials', description: '导热系数不足', budgetBand: '50_100', collectedOn: TODAY }).expect(303);
    const event = await t.admin.get('/coaching/events/new').expect(200);
    await t.admin.post('/coaching/events').type('form').send({ _formKey: formKey(event.text), kind: 'clinic', title: '高企申报讲诊会', startsOn: TODAY, place: '市科技局三楼会议室', topics: ['ip', 'rd_expense'] }).expect(303);
    // An export of the firm list, searched.
    await binary(t.admin.get('/firms/export.xlsx?q=a')).expect(200);
    // A 授权专利 list whose patent enters the firm's IP register.
    await commitList(t, [[firm.uscc, firm.name, patentNo(2023, 1, 123456), '一种传感器', '发明专利', '2024-05-10']], {
      kind: 'patent',
      columns: [['统一社会信用代码', 'uscc'], ['企业名称', 'name'], ['专利号', 'patent_no'], ['专利名称', 'patent_name'], ['专利类型', 'patent_type'], ['授权公告日', 'grant_date']],
    });
  });
  after(() => t.destroy());

  const rows = async () => html((await t.admin.get('/admin/audit').expect(200)).text).querySelectorAll('#audit-table tbody tr');
  const changesOf = (row: ReturnType<typeof html>) => row.querySelectorAll('td.changes > div').map((d) => d.text.replace(/\s+/g, ' ').trim());
  const rowOf = async (action: string) => (await rows()).find((r) => r.querySelectorAll('td')[2]?.text === action);

  it('no row shows a key or a value as code', async () => {
    const all = await rows();
    const actions = all.map((r) => r.querySelectorAll('td')[2]!.text);
    expect(actions).to.include.members(['修改月度人数', '修改研发费用结构', '记录信用核查', '登记资质', '登记技术需求', '新增辅导活动', '导出表格', '由授权专利名单登记知识产权', '提交名单导入']);
    const faults: string[] = [];
    for (const r of all) {
      const action = r.querySelectorAll('td')[2]!.text;
      if (!/[\u3400-\u9fff]/.test(action)) faults.push(`action ${action}`);
      for (const d of r.querySelectorAll('td.changes > div')) {
        const label = d.querySelector('span.muted')!.text;
        if (!/[\u3400-\u9fff]/.test(label)) faults.push(`${action}: label ${label}`);
        const code = codeIn(d.text.slice(d.text.indexOf('：') + 1));
        if (code) faults.push(`${action} ${label}: ${code} in “${d.text}”`);
      }
    }
    expect(faults).to.deep.equal([]);
  });

  it('reads each record as the app names it: enums by name, money in 万元, dates, counts, filters', async () => {
    expect(changesOf((await rowOf('修改月度人数'))!)).to.include.members(['在职职工（人）：年初 40，1月末 40，2月末 40，3月末 40，4月末 40，5月末 40，6月末 40，7月末 40，8月末 40，9月末 40，10月末 40，11月末 40，12月末 40', '兼职、临时聘用人员：兼职甲：200 天，1–12 月，科技人员']);
    expect(changesOf((await rowOf('修改研发费用结构'))!)).to.include.members(['（1）人员人工费用（万元）：120', '账面研发费用合计（万元）：150']);
    expect(changesOf((await rowOf('记录信用核查'))!)).to.deep.equal([`核查日期：${TODAY}`, '核查来源：信用中国']);
    const cert = changesOf((await rowOf('登记资质'))!);
    expect(cert).to.include.members(['资质类型：高新技术企业', '申报类型：首次认定', `申报日期：${year}-06-01`, '资质状态：申报中']);
    expect(changesOf((await rowOf('登记技术需求'))!)).to.include.members(['需求名称：高导热复合材料配方优化', '需求状态：征集', `征集日期：${TODAY}`]);
    expect(changesOf((await rowOf('新增辅导活动'))!)).to.include.members(['活动名称：高企申报讲诊会', '活动类型：讲诊会', `开始日期：${TODAY}`]);
    expect(changesOf((await rowOf('导出表格'))!)).to.deep.equal(['导出内容：企业名录', '文件格式：XLSX', '筛选条件：搜索 “a”']);
    const ip = changesOf((await rowOf('由授权专利名单登记知识产权'))!);
    expect(ip).to.include.members(['登记的知识产权：1 项', '涉及企业：1 家']);
    expect(ip.find((c) => c.startsWith('导入批次'))).to.match(/^导入批次：授权专利 2025 年（#\d+）$/);
  });
});
