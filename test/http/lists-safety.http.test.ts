/**
 * Guards around the moment a list takes effect, found on a walk through the import as a user:
 * replacing a committed list (confirmed, sizes shown, not by a caseworker limited to some parks),
 * reverting (confirmed), discarding unfinished batches, and the messages on the way there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { transitionBatch } from '../../src/features/lists/imports.queries.js';
import { createFirm, validUscc } from '../helpers/factories.js';
import { type Cell, writeBytes, writeCsv, writeXlsx } from '../helpers/list-files.js';
import { type Client, createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

type Firm = { uscc: string; name: string; id: number };

function upload(c: Client, kind: string, year: number, file: string) {
  return c.post('/lists/imports').field('kind', kind).field('year', String(year)).attach('file', file);
}

function batchIdOf(res: { headers: Record<string, string>; status: number; text: string }): number {
  const m = /\/lists\/imports\/(\d+)/.exec(res.headers.location ?? '');
  if (!m) throw new Error(`no batch in response ${res.status}: ${res.text.slice(0, 400)}`);
  return Number(m[1]);
}

async function mappingFields(c: Client, id: number): Promise<Record<string, string>> {
  const doc = html((await c.get(`/lists/imports/${id}`).expect(200)).text);
  const fields: Record<string, string> = {};
  for (const sel of doc.querySelectorAll('form.mapping-form select')) fields[sel.getAttribute('name')!] = sel.querySelector('option[selected]')?.getAttribute('value') ?? '';
  fields.version = doc.querySelector('form.mapping-form input[name="version"]')!.getAttribute('value')!;
  return fields;
}

const HEADER: Cell[] = ['统一社会信用代码', '企业名称', '加计扣除额（万元）'];

// Each test runs whole preview and commit jobs in a worker thread, up to three of each (a minute on
// PostgreSQL on a loaded machine).
describe('candidate lists: replacing, reverting and discarding safely', function () {
  this.timeout(90_000);
  let t: TestContext;
  let runner: ImportRunner;
  let inA: Firm[];
  let inB: Firm[];

  beforeEach(async () => {
    t = await createTestContext();
    runner = t.app.locals.importRunner as ImportRunner;
    inA = [];
    inB = [];
    for (let i = 0; i < 3; i++) inA.push(await createFirm(t.db, { stage: 'candidate', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id }));
    for (let i = 0; i < 3; i++) inB.push(await createFirm(t.db, { stage: 'candidate', parkId: t.basics.parks.b, actorId: t.basics.users.admin.id }));
  });
  afterEach(() => t.destroy());

  const rowsOf = (firms: Firm[]): Cell[][] => [HEADER, ...firms.map((f) => [f.uscc, f.name, '10'])];
  const batch = (id: number) => t.db('import_batches').where({ id }).first();

  async function preview(file: string, c: Client = t.admin, kind = 'rd_deduction', year = 2025): Promise<number> {
    const id = batchIdOf(await upload(c, kind, year, file));
    await c.post(`/lists/imports/${id}/mapping`).type('form').send(await mappingFields(c, id)).expect(303);
    await runner.settled(id);
    expect((await batch(id)).status).to.equal('previewed');
    return id;
  }

  async function committed(firms: Firm[]): Promise<number> {
    const id = await preview(writeCsv(rowsOf(firms)));
    await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ mode: 'replace', confirmText: '替换' }).expect(303);
    await runner.settled(id);
    expect((await batch(id)).status).to.equal('committed');
    return id;
  }

  const currentFirms = async (kind = 'rd_deduction', year = 2025) =>
    ((await t.db('list_entries').where({ kind, year, is_current: true }).orderBy('firm_id').select('firm_id')) as { firm_id: number }[]).map((r) => r.firm_id);

  it('does not let a caseworker limited to some parks replace the committed county-wide list: the page offers only 追加, the server refuses a replace (409), nothing changes', async () => {
    const county = await committed([...inA, ...inB]);
    const scoped = await t.as('scoped');
    // Their file has firms of both parks: park B's rows are refused, park A's would replace the county list.
    const id = await preview(writeCsv(rowsOf([inA[0]!, inB[0]!, inB[1]!])), scoped);
    const page = html((await scoped.get(`/lists/imports/${id}`).expect(200)).text);
    expect(page.querySelector('.scoped-replace')!.text).to.include(`本年度该名单已有生效批次 #${county}（全县），只能由管理员或不限园区的业务员替换`);
    expect(page.querySelectorAll('form.commit-form input[name=mode]').map((i) => i.getAttribute('value'))).to.deep.equal(['append']);

    const before = await snapshot(t.db);
    for (const body of [{ confirmReplace: '1', replaces: String(county) }, { mode: 'replace', confirmText: '替换', replaces: String(county) }, { replaces: String(county) }]) {
      const refused = await scoped.post(`/lists/imports/${id}/commit`).type('form').send(body).expect(409);
      expect(html(refused.text).querySelector('#commit .scoped-replace')!.text).to.include(`#${county}（全县）`);
    }
    expect(await snapshot(t.db)).to.deep.equal(before);
    expect((await batch(county)).status).to.equal('committed');

    // The job refuses it too, should a list have been committed after the request was checked.
    expect(await transitionBatch(t.db, id, ['previewed'], 'committing')).to.equal(true);
    await runner.start('commit', id, { actor: t.basics.users.scoped, ip: null, filePath: '' });
    const after = await batch(id);
    expect(after.status).to.equal('interrupted');
    expect(after.error).to.include('只能由管理员或不限园区的业务员替换');
    expect((await batch(county)).status).to.equal('committed');
    expect(await t.db('list_entries').where({ batch_id: id }).first()).to.equal(undefined);
  });

  it('lets a caseworker limited to some parks append their firms to the county list; the county list keeps every firm', async () => {
    const county = await committed([inA[0]!, inB[0]!, inB[1]!]);
    const scoped = await t.as('scoped');
    const id = await preview(writeCsv(rowsOf([inA[0]!, inA[1]!])), scoped);
    await scoped.post(`/lists/imports/${id}/commit`).type('form').send({ mode: 'append', replaces: String(county) }).expect(303);
    await runner.settled(id);
    expect((await batch(id))).to.include({ status: 'committed', commit_mode: 'append' });
    expect(await currentFirms()).to.deep.equal([inA[0]!.id, inA[1]!.id, inB[0]!.id, inB[1]!.id].sort((a, b) => a - b));
  });

  it('lets a caseworker limited to some parks commit when no list of that kind and year is committed yet', async () => {
    const scoped = await t.as('scoped');
    const id = await preview(writeCsv(rowsOf([inA[0]!, inA[1]!])), scoped);
    const page = html((await scoped.get(`/lists/imports/${id}`).expect(200)).text);
    expect(page.querySelector('.scoped-replace')).to.equal(null);
    await scoped.post(`/lists/imports/${id}/commit`).type('form').send({ replaces: 'none' }).expect(303);
    await runner.settled(id);
    expect((await batch(id)).status).to.equal('committed');
  });

  it('shows what a commit changes (current → new, leave, stay, join) and asks 替换 or 追加; a replace that more than halves the list needs “替换” or the year typed (422 in place, nothing changed without it)', async () => {
    const current = await committed([...inA, ...inB]);
    const fresh = validFirm(900_702);
    const id = await preview(writeCsv(rowsOf([inA[0]!, fresh])));
    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    expect(page.querySelector('.replace-sizes')!.text).to.include(`批次 #${current}（6 家）`).and.include('本文件有 2 家企业，其中 1 家已在名单中，1 家不在');
    const cells = (sel: string) => page.querySelector(sel)!.querySelectorAll('td').map((td) => td.text);
    // current, after, leave, stay, join
    expect(cells('tr.change-replace')).to.deep.equal(['6', '2', '5', '1', '1']);
    expect(cells('tr.change-append')).to.deep.equal(['6', '7', '0', '6', '1']);
    expect(page.querySelector('.replace-warning')!.text).to.include('不到批次').and.include('一半').and.include('5 家企业将不再计入');
    expect(page.querySelectorAll('form.commit-form input[name=mode]').map((i) => i.getAttribute('value'))).to.deep.equal(['replace', 'append']);
    expect(page.querySelector('form.commit-form input[name=mode][checked]')).to.equal(null);
    expect(page.querySelector('form.commit-form input[name=confirmText]')).to.not.equal(null);

    const before = await snapshot(t.db);
    const unchosen = await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ replaces: String(current) }).expect(422);
    expect(html(unchosen.text).querySelector('#commit .commit-error')!.text).to.include('请选择“替换”').and.include('“追加”');
    const untyped = await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ replaces: String(current), mode: 'replace', confirmText: '是' }).expect(422);
    const untypedPage = html(untyped.text);
    expect(untypedPage.querySelector('#commit .commit-error')!.text).to.include('从 6 家减少到 2 家').and.include('请在确认框中输入“替换”或名单年度“2025”');
    // The choice and the text stay as sent.
    expect(untypedPage.querySelector('form.commit-form input[name=mode][value=replace]')!.hasAttribute('checked')).to.equal(true);
    expect(untypedPage.querySelector('form.commit-form input[name=confirmText]')!.getAttribute('value')).to.equal('是');
    // An old form's ticked box meant replace: it too needs the typed confirmation here.
    await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ replaces: String(current), confirmReplace: '1' }).expect(422);
    // The form was drawn when nothing was committed: the user has not seen what it would replace.
    const stale = await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ replaces: 'none', mode: 'replace', confirmText: '替换' }).expect(422);
    expect(html(stale.text).querySelector('#commit .commit-error')!.text).to.include(`当前生效的名单已变为批次 #${current}`);
    expect(await snapshot(t.db)).to.deep.equal(before);

    await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ replaces: String(current), mode: 'replace', confirmText: ' 2025 ' }).expect(303);
    await runner.settled(id);
    expect(await batch(id)).to.include({ status: 'committed', commit_mode: 'replace' });
    expect((await batch(current)).status).to.equal('superseded');
    expect((await currentFirms()).length).to.equal(2);
  });

  it('appends: the current list keeps its firms, the file’s join, the stayers take the file’s figures; reverting the append restores exactly the prior list', async () => {
    const current = await committed([inA[0]!, inA[1]!, inB[0]!, inB[1]!]);
    const priorEntries = await t.db('list_entries').where({ batch_id: current }).orderBy('firm_id').select('firm_id', 'data', 'is_current');
    const fresh = validFirm(900_703);
    const id = await preview(writeCsv([HEADER, [inA[0]!.uscc, inA[0]!.name, '99'], [inA[2]!.uscc, inA[2]!.name, '5'], [fresh.uscc, fresh.name, '7']]));
    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    expect(page.querySelector('form.commit-form input[name=confirmText]')).to.equal(null); // 3 of 4: no shrink below half
    await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ replaces: String(current), mode: 'append' }).expect(303);
    await runner.settled(id);
    expect(await batch(id)).to.include({ status: 'committed', commit_mode: 'append' });
    expect((await batch(current)).status).to.equal('superseded');
    const freshId = ((await t.db('firms').where({ uscc: fresh.uscc }).first('id')) as { id: number }).id;
    expect(await currentFirms()).to.deep.equal([inA[0]!.id, inA[1]!.id, inA[2]!.id, inB[0]!.id, inB[1]!.id, freshId].sort((a, b) => a - b));
    const stayer = await t.db('list_entries').where({ batch_id: id, firm_id: inA[0]!.id }).first();
    expect(JSON.parse(stayer.data).rd_deduction).to.equal(990_000);
    const audit = await t.db('audit_log').where({ action: 'import.commit', object_id: String(id) }).first();
    expect(JSON.parse(audit.after)).to.include({ mode: 'append', carried: 3, entries: 6, createdFirms: 1 });
    expect(page.querySelector('.commit-mode')).to.not.equal(null);
    expect((await t.admin.get(`/lists/imports/${id}`).expect(200)).text).to.include('以“追加”方式提交');

    // The confirmation says what the revert does: 6 entries go, #current (4 firms) comes back, the one new firm leaves.
    const plan = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text).querySelector('form.revert-form .revert-plan')!;
    expect(plan.querySelector('.revert-entries')!.text).to.include('移除本批次的 6 条名单记录');
    expect(plan.querySelector('.revert-restored')!.text).to.include(`恢复此前生效的批次 #${current}（4 家）`);
    expect(plan.querySelector('.revert-leaving')!.text).to.include('1 家候选企业退出培育库');
    await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);
    expect((await batch(current)).status).to.equal('committed');
    expect(await t.db('list_entries').where({ batch_id: current }).orderBy('firm_id').select('firm_id', 'data', 'is_current')).to.deep.equal(priorEntries);
    expect(await currentFirms()).to.deep.equal(priorEntries.map((e: { firm_id: number }) => e.firm_id));
    expect((await t.db('firms').where({ id: freshId }).first()).stage).to.equal('exited');
  });

  it('reverts only with the confirmation ticked: without it 422 with the message in place, nothing changed', async () => {
    const id = await committed([inA[0]!, validFirm(900601), validFirm(900602)]);
    // One of the two firms it created is already being cultivated: it stays, and the plan says 1.
    const moved = await t.db('firms').where({ uscc: validUscc(900602) }).first('id', 'version');
    await t.db('firms').where({ id: moved.id }).update({ stage: 'incubating', version: moved.version + 1 });
    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    expect(page.querySelector('form.revert-form label.confirm-check')!.text).to.include(`我已核对，撤销批次 #${id}`);
    expect(page.querySelector('.revert-plan .revert-entries')!.text).to.include('移除本批次的 3 条名单记录');
    expect(page.querySelector('.revert-plan .revert-restored')!.text).to.include('此前没有生效的批次').and.include('名单为空');
    expect(page.querySelector('.revert-plan .revert-leaving')!.text).to.include('1 家候选企业退出培育库');
    // Danger actions share the one red style.
    expect(page.querySelector('form.revert-form button')!.classList.contains('button-danger')).to.equal(true);
    const before = await snapshot(t.db);
    const refused = await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({}).expect(422);
    expect(html(refused.text).querySelector('.revert-error')!.text).to.include(`请先勾选“我已核对，撤销批次 #${id}”`);
    expect(await snapshot(t.db)).to.deep.equal(before);
    await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);
    expect((await batch(id)).status).to.equal('reverted');
    expect(await t.db('firms').where({ withdrawn_batch_id: id }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(1);
    expect((await t.db('firms').where({ id: moved.id }).first()).stage).to.equal('incubating');
  });

  /** A row for a firm not registered yet (becomes a candidate on commit). */
  function validFirm(n: number): Firm {
    return { uscc: validUscc(n), name: `余姚市安全测试${n}科技有限公司`, id: 0 };
  }

  it('discards an unfinished batch: staged rows and the stored file go, the batch shows as 已放弃, the audit records it, and the same file may be uploaded again', async () => {
    const file = writeCsv(rowsOf([inA[0]!, inB[0]!]));
    const id = await preview(file);
    expect(await t.db('import_rows').where({ batch_id: id }).first()).to.not.equal(undefined);
    const content = fs.readFileSync(file);
    const stored = fs
      .readdirSync(os.tmpdir())
      .filter((d) => d.startsWith('miaopu-uploads-'))
      .map((d) => path.join(os.tmpdir(), d, `batch-${id}.csv`))
      .filter((p) => fs.existsSync(p) && fs.readFileSync(p).equals(content));
    expect(stored).to.have.length(1);

    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    expect(page.querySelector('form.discard-form button')!.text).to.include('放弃本批次');
    const res = await t.admin.post(`/lists/imports/${id}/discard`).type('form').send({}).expect(303);
    expect(res.headers.location).to.equal('/lists');
    expect((await batch(id)).status).to.equal('discarded');
    expect(await t.db('import_rows').where({ batch_id: id }).first()).to.equal(undefined);
    expect(fs.existsSync(stored[0]!)).to.equal(false);
    const audit = await t.db('audit_log').where({ action: 'import.discard', object_id: String(id) }).first();
    expect(JSON.parse(audit.after)).to.deep.equal({ status: 'discarded' });
    const index = html((await t.admin.get('/lists').expect(200)).text);
    const row = index.querySelectorAll('tr').find((tr) => tr.querySelector(`a[href="/lists/imports/${id}"]`))!;
    expect(row.classList.contains('row-discarded')).to.equal(true);
    expect(row.text).to.include('已放弃');
    expect((await t.admin.get('/admin/audit').expect(200)).text).to.include('放弃导入批次');
    // Discarded, the file is not "already uploaded".
    await upload(t.admin, 'rd_deduction', 2025, file).expect(303);
  });

  it('refuses to discard a committed batch (409) or someone else\'s (403), and changes nothing', async () => {
    const id = await committed([inA[0]!]);
    const before = await snapshot(t.db);
    await t.admin.post(`/lists/imports/${id}/discard`).type('form').send({}).expect(409);
    expect(await snapshot(t.db)).to.deep.equal(before);
    const other = batchIdOf(await upload(t.admin, 'patent', 2025, writeCsv(rowsOf([inB[2]!]))));
    const beforeOther = await snapshot(t.db);
    const cw = await t.as('caseworker');
    const refused = await cw.post(`/lists/imports/${other}/discard`).type('form').send({});
    expect(refused.status).to.equal(403);
    expect(refused.text).to.include('只有管理员或上传该批次的人可以放弃');
    expect(await snapshot(t.db)).to.deep.equal(beforeOther);
    expect((await batch(id)).status).to.equal('committed');
  });

  it('offers 重新上传 on a failed batch, with its list and year chosen on the upload form', async () => {
    const id = batchIdOf(await upload(t.admin, 'below_scale', 2024, writeCsv(rowsOf([inA[0]!]))));
    await t.db('import_batches').where({ id }).update({ status: 'failed', error: '读取文件时出错，请检查文件后重新上传。' });
    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    const link = page.querySelector('.page-actions a.button')!;
    expect(link.text).to.equal('重新上传');
    expect(link.getAttribute('href')).to.equal('/lists?kind=below_scale&year=2024#upload-panel');
    expect(page.querySelector('form.discard-form')).to.not.equal(null);
    const form = html((await t.admin.get('/lists?kind=below_scale&year=2024').expect(200)).text);
    expect(form.querySelector('select[name=kind] option[selected]')!.getAttribute('value')).to.equal('below_scale');
    expect(form.querySelector('select[name=year] option[selected]')!.getAttribute('value')).to.equal('2024');
  });

  it('refuses a text file named .xlsx with a clear message, and stores nothing', async () => {
    const file = writeBytes(Buffer.from(`统一社会信用代码,企业名称\r\n${inA[0]!.uscc},${inA[0]!.name}\r\n`, 'utf8'), '名单.xlsx');
    const res = await upload(t.admin, 'rd_deduction', 2025, file).expect(422);
    expect(html(res.text).querySelector('.field-error')!.text).to.include('文件扩展名为 .xlsx，但内容不是 Excel 工作簿');
    expect(await t.db('import_batches').first()).to.equal(undefined);
  });

  it('opens a workbook at the list sheet when the instructions sheet before it mentions the credit code', async () => {
    const file = await writeXlsx([['统一社会信用代码', '企业名称'], [inA[0]!.uscc, inA[0]!.name]], {
      sheetsBefore: [{ name: '填报说明', rows: [['填报说明'], ['1. 金额单位为万元'], ['2. 请勿修改表头'], ['3. 统一社会信用代码为18位']] }],
    });
    const id = batchIdOf(await upload(t.admin, 'patent', 2025, file));
    expect(JSON.parse((await batch(id)).source_info)).to.include({ sheet: '名单' });
    expect(await mappingFields(t.admin, id)).to.include({ field_0: 'uscc', field_1: 'name' });
  });

  it('shows what the file had in the code and name columns for rows rejected over a bad value', async () => {
    const id = await preview(writeCsv([HEADER, [inA[0]!.uscc, inA[0]!.name, '一百万'], ['91330281677691616R', '校验位错误有限公司', '1']]));
    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    const rows = page.querySelectorAll('table.rejects tbody tr').map((tr) => tr.querySelectorAll('td').map((td) => td.text.trim()));
    expect(rows[0]!.slice(0, 3)).to.deep.equal(['2', inA[0]!.uscc, inA[0]!.name]);
    expect(rows[0]![3]).to.include('加计扣除额');
    expect(rows[1]!.slice(0, 3)).to.deep.equal(['3', '91330281677691616R', '校验位错误有限公司']);
  });

  it('warns on the mapping screen when the title names another year than the one chosen (a warning, not a refusal)', async () => {
    const rows: Cell[][] = [['2025年度规下工业企业样本名单'], ['统一社会信用代码', '单位详细名称', '营业收入（万元）'], [inA[0]!.uscc, inA[0]!.name, '1500']];
    const wrong = batchIdOf(await upload(t.admin, 'below_scale', 2023, writeCsv(rows)).expect(303));
    const warning = html((await t.admin.get(`/lists/imports/${wrong}`).expect(200)).text).querySelector('#mapping .title-year-warning');
    expect(warning!.text).to.include('文件标题中写的是 2025 年，而本批次选择的年度是 2023 年');
    await t.admin.post(`/lists/imports/${wrong}/mapping`).type('form').send(await mappingFields(t.admin, wrong)).expect(303);
    await runner.settled(wrong);

    const right = batchIdOf(await upload(t.admin, 'below_scale', 2025, writeCsv([...rows, [inA[1]!.uscc, inA[1]!.name, '1']])).expect(303));
    expect(html((await t.admin.get(`/lists/imports/${right}`).expect(200)).text).querySelector('.title-year-warning')).to.equal(null);
    // The date the list was drawn up is not its year.
    const dated: Cell[][] = [['填报日期：2026年3月5日'], ...rows.slice(1)];
    const drawn = batchIdOf(await upload(t.admin, 'below_scale', 2024, writeCsv([...dated, [inA[2]!.uscc, inA[2]!.name, '1']])).expect(303));
    expect(html((await t.admin.get(`/lists/imports/${drawn}`).expect(200)).text).querySelector('.title-year-warning')).to.equal(null);
  });

  it('shows a refused mapping\'s message once, and answers a reload of the refused address by going back to the mapping', async () => {
    const id = batchIdOf(await upload(t.admin, 'rd_deduction', 2025, writeCsv([['企业名称', '金额'], ['余姚市某某有限公司', '1']])));
    const refused = await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send(await mappingFields(t.admin, id)).expect(422);
    const mapping = html(refused.text).querySelector('#mapping')!;
    expect(mapping.querySelectorAll('.alert').filter((a) => a.text.includes('缺少必需列'))).to.have.length(1);
    for (const step of ['mapping', 'sheet']) {
      const res = await t.admin.get(`/lists/imports/${id}/${step}`).expect(303);
      expect(res.headers.location).to.equal(`/lists/imports/${id}#mapping`);
    }
    // Someone else's batch stays hidden from a caseworker limited to some parks.
    const scoped = await t.as('scoped');
    await scoped.get(`/lists/imports/${id}/mapping`).expect(404);
  });
});
