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
