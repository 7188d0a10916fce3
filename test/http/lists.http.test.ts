/** The four candidate lists: upload, column mapping, preview with reasons, commit, supersede, revert. */
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { createDb } from '../../src/db/knex.js';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { createImportRunner } from '../../src/jobs/import-steps.js';
import { createFirm, validUscc } from '../helpers/factories.js';
import { type Cell, writeBytes, writeCsv, writeXlsx } from '../helpers/list-files.js';
import { type Client, createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

const HEADER: Cell[] = ['序号', '纳税人识别号', '纳税人名称', '所属年度', '研发费用加计扣除额（万元）', '所在园区'];

function upload(c: Client, kind: string, year: number, file: string) {
  return c.post('/lists/imports').field('kind', kind).field('year', String(year)).attach('file', file);
}

function batchIdOf(res: { headers: Record<string, string>; status: number; text: string }): number {
  const location = res.headers.location ?? res.headers['hx-redirect'];
  const m = /\/lists\/imports\/(\d+)/.exec(location ?? '');
  if (!m) throw new Error(`no batch in response ${res.status}: ${res.text.slice(0, 400)}`);
  return Number(m[1]);
}

async function mappingFields(c: Client, id: number): Promise<Record<string, string>> {
  const doc = html((await c.get(`/lists/imports/${id}`).expect(200)).text);
  const fields: Record<string, string> = {};
  for (const sel of doc.querySelectorAll('form.mapping-form select')) {
    fields[sel.getAttribute('name')!] = sel.querySelector('option[selected]')?.getAttribute('value') ?? '';
  }
  // A unit written in the header is sent as it is, not offered as a choice.
  for (const input of doc.querySelectorAll('form.mapping-form input[type="hidden"][name^="unit_"]')) fields[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
  const version = doc.querySelector('form.mapping-form input[name="version"]')?.getAttribute('value');
  if (version) fields.version = version;
  return fields;
}

// Each test runs whole preview and commit jobs in a worker thread (seconds on a loaded machine).
describe('candidate lists: import', function () {
  this.timeout(30_000);
  let t: TestContext;
  let runner: ImportRunner;
  let known: { uscc: string; name: string; id: number };
  let knownB: { uscc: string; name: string; id: number };

  beforeEach(async () => {
    t = await createTestContext();
    runner = t.app.locals.importRunner as ImportRunner;
    known = await createFirm(t.db, { name: '余姚市舜宇光电科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    knownB = await createFirm(t.db, { name: '宁波江丰电子材料（余姚）股份有限公司', stage: 'candidate', parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
  });
  afterEach(() => t.destroy());

  /** Upload, accept the suggested mapping, wait for the preview. */
  async function preview(file: string, kind = 'rd_deduction', year = 2025, c: Client = t.admin): Promise<number> {
    const res = await upload(c, kind, year, file);
    const id = batchIdOf(res);
    const fields = await mappingFields(c, id);
    await c.post(`/lists/imports/${id}/mapping`).type('form').send(fields).expect(303);
    await runner.settled(id);
    return id;
  }

  async function commit(id: number, c: Client = t.admin, body: Record<string, string> = {}) {
    await c.post(`/lists/imports/${id}/commit`).type('form').send(body).expect(303);
    await runner.settled(id);
  }

  const batch = (id: number) => t.db('import_batches').where({ id }).first();

  function realisticRows(): Cell[][] {
    return [
      HEADER,
      [1, known.uscc, known.name, '2025', '125.5', '余姚经济开发区'],
      [2, validUscc(900001), '余姚市新增一号科技有限公司', '2025年', '80', '中意宁波生态园'],
      [3, '91330281677691616R', '校验位错误有限公司', '2025', '10', ''],
      [4, '330281000123456', '旧注册号有限公司', '2025', '10', ''],
      [5, '9133028167769161OQ', '含字母O有限公司', '2025', '10', ''],
      [6, known.uscc, known.name, '2025', '1', ''],
      [7, validUscc(900002), '余姚市格式错误科技有限公司', '2025', '一百万', ''],
      [8, validUscc(900003), '余姚市未知园区科技有限公司', '2025', '5', '火星园区'],
      [9, validUscc(900004), '余姚市年度不符科技有限公司', '2024', '5', ''],
      [10, '', '宁波江丰电子材料(余姚)股份有限公司', '2025', '3', ''],
      [null, null, null, null, null, null],
      [11, ` ${validUscc(900005).toLowerCase()} `, '余姚市空格小写科技有限公司', '2025', '7', ''],
    ];
  }

  it('reads a GBK CSV with Chinese headers: matched, new, rejected (each with its reason), name-matched rows flagged', async () => {
    const id = await preview(writeCsv(realisticRows(), { encoding: 'gbk' }));
    const b = await batch(id);
    expect(b.status).to.equal('previewed');
    expect({ total: b.rows_total, matched: b.rows_matched, name: b.rows_name_matched, new: b.rows_new, rejected: b.rows_rejected }).to.deep.equal({
      total: 11,
      matched: 1,
      name: 1,
      new: 2,
      rejected: 7,
    });
    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    const reasons = Object.fromEntries(page.querySelectorAll('table.rejects tbody tr').map((tr) => [tr.querySelector('td')!.text, tr.querySelector('.reason')!.text]));
    expect(reasons['4']).to.include('校验位');
    expect(reasons['5']).to.include('注册号');
    expect(reasons['6']).to.include('字母 O');
    expect(reasons['7']).to.include('与第 2 行重复');
    expect(reasons['8']).to.include('加计扣除额');
    expect(reasons['9']).to.include('火星园区');
    expect(reasons['10']).to.include('2024');
    const flagged = await t.db('import_rows').where({ batch_id: id, status: 'name_match' }).first();
    expect(flagged).to.include({ firm_id: knownB.id, line: 11 });
    // Nothing is imported until the commit.
    expect(await t.db('list_entries').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(0);
  });

  it('reads the same list as UTF-8 with BOM identically', async () => {
    const gbk = await preview(writeCsv(realisticRows(), { encoding: 'gbk' }));
    const utf8 = await preview(writeCsv(realisticRows(), { encoding: 'utf8-bom' }), 'rd_deduction', 2025);
    const rows = async (id: number) => (await t.db('import_rows').where({ batch_id: id }).orderBy('line').select('line', 'status', 'uscc', 'name', 'reason', 'data'));
    expect(await rows(utf8)).to.deep.equal(await rows(gbk));
  });

  it('reads an XLSX with a title row and a merged two-row header; an all-digit code stored as a number is flagged, not corrupted', async () => {
    const digits = '914403001922038216'; // 华为: all digits, a double cannot hold it
    const file = await writeXlsx(
      [
        ['序号', '企业信息', null, '研发费用', null],
        ['', '统一社会信用代码', '企业名称', '加计扣除额（万元）', '研发费用总额（万元）'],
        [1, known.uscc, known.name, 12.5, 100],
        [2, Number(digits), '华为技术有限公司', 1, 2],
        [3, digits, '华为技术有限公司', 1, 2],
      ],
      { title: '2025年度研发费用加计扣除企业名单' },
    );
    // Merge the group headers as agencies do.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0]!;
    ws.mergeCells(2, 2, 2, 3);
    ws.mergeCells(2, 4, 2, 5);
    await wb.xlsx.writeFile(file);

    const id = await preview(file);
    const rows = await t.db('import_rows').where({ batch_id: id }).orderBy('line').select('line', 'status', 'uscc', 'reason', 'data');
    expect(rows.map((r) => [r.line, r.status])).to.deep.equal([[4, 'match'], [5, 'rejected'], [6, 'new']]);
    expect(rows[1].reason).to.include('数字格式').and.include('丢失');
    expect(rows[2].uscc).to.equal(digits);
    expect(JSON.parse(rows[0].data)).to.deep.equal({ rd_deduction: 125000, rd_expense: 1000000 });
  });

  it('reads the list sheet of a workbook whose first sheet is instructions, and offers the other sheets', async () => {
    const file = await writeXlsx([['统一社会信用代码', '企业名称'], [known.uscc, known.name]], {
      sheetsBefore: [{ name: '填表说明', rows: [['填表说明'], ['1. 金额单位为万元'], ['2. 请勿修改表头']] }],
    });
    const id = batchIdOf(await upload(t.admin, 'patent', 2025, file));
    const doc = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    expect(doc.querySelectorAll('form.sheet-form option').map((o) => o.text)).to.deep.equal(['填表说明', '名单']);
    expect(doc.querySelector('form.sheet-form option[selected]')!.text).to.equal('名单');
    expect(await mappingFields(t.admin, id)).to.include({ field_0: 'uscc', field_1: 'name' });
  });

  it('switches to another worksheet: the mapping starts again from its header and an earlier check is discarded', async () => {
    const file = await writeXlsx([['统一社会信用代码', '企业名称'], [known.uscc, known.name]], {
      sheetsBefore: [{ name: '2024年', rows: [['信用代码', '单位名称', '备注'], [knownB.uscc, knownB.name, '上年'], [validUscc(900010), '余姚市上年一号有限公司', '']] }],
    });
    const id = await preview(file, 'patent');
    expect(await batch(id)).to.include({ status: 'previewed', rows_matched: 1, rows_new: 1 });

    const before = await snapshot(t.db);
    const refused = await t.admin.post(`/lists/imports/${id}/sheet`).type('form').send({ sheet: '不存在的表' }).expect(422);
    expect(html(refused.text).querySelector('#mapping .alert-error')!.text).to.include('请从列表中选择要导入的工作表');
    expect(await snapshot(t.db)).to.deep.equal(before);

    await t.admin.post(`/lists/imports/${id}/sheet`).type('form').send({ sheet: '名单' }).expect(303);
    const switched = await batch(id);
    expect(switched).to.include({ status: 'uploaded', rows_matched: null, rows_new: null });
    expect(JSON.parse(switched.source_info)).to.include({ sheet: '名单' });
    expect(await t.db('import_rows').where({ batch_id: id }).first()).to.equal(undefined);
    const fields = await mappingFields(t.admin, id);
    expect(fields).to.include({ field_0: 'uscc', field_1: 'name' });
    expect(fields).not.to.have.property('field_2');
    const audit = await t.db('audit_log').where({ action: 'import.sheet', object_id: String(id) }).first();
    expect(JSON.parse(audit.after)).to.deep.equal({ sheet: '名单' });

    await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send(fields).expect(303);
    await runner.settled(id);
    expect(await batch(id)).to.include({ status: 'previewed', rows_matched: 1, rows_new: 0 });
    await commit(id);
    const late = await t.admin.post(`/lists/imports/${id}/sheet`).type('form').send({ sheet: '2024年' });
    expect(late.status).to.equal(409);
    expect(JSON.parse((await batch(id)).source_info)).to.include({ sheet: '名单' });
  });

  it('refuses a mapping form drawn before a sheet switch (choices are by position), and changes nothing', async () => {
    const file = await writeXlsx([['统一社会信用代码', '企业名称'], [known.uscc, known.name]], {
      sheetsBefore: [{ name: '2024年', rows: [['企业名称', '统一社会信用代码'], [knownB.name, knownB.uscc]] }],
    });
    const id = batchIdOf(await upload(t.admin, 'patent', 2025, file));
    const stale = await mappingFields(t.admin, id);
    expect(stale).to.include({ field_0: 'name', field_1: 'uscc' });
    await t.admin.post(`/lists/imports/${id}/sheet`).type('form').send({ sheet: '名单' }).expect(303);

    const before = await snapshot(t.db);
    const refused = await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send(stale).expect(422);
    expect(html(refused.text).querySelector('#mapping .alert-error')!.text).to.include('列已经改变');
    expect(await snapshot(t.db)).to.deep.equal(before);
    expect(JSON.parse((await batch(id)).mapping)).to.deep.equal([{ field: 'uscc', unit: null }, { field: 'name', unit: null }]);

    await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send(await mappingFields(t.admin, id)).expect(303);
    await runner.settled(id);
    expect(await batch(id)).to.include({ status: 'previewed', rows_matched: 1 });
  });

  it('refuses a row naming a park that has been retired, like an unknown park', async () => {
    await t.db('parks').where({ id: t.basics.parks.b }).update({ is_active: false });
    const id = await preview(writeCsv([HEADER, [1, validUscc(900030), '余姚市旧园区新企业有限公司', '2025', '1', '中意宁波生态园']]));
    const row = await t.db('import_rows').where({ batch_id: id }).first();
    expect(row.status).to.equal('rejected');
    expect(row.reason).to.include('“中意宁波生态园”不在系统的园区');
  });

  it('refuses a file without a credit-code column until the mapping names one, and changes nothing', async () => {
    const file = writeCsv([['企业名称', '金额'], ['余姚市某某有限公司', '1']]);
    const res = await upload(t.admin, 'rd_deduction', 2025, file);
    const id = batchIdOf(res);
    const page = (await t.admin.get(`/lists/imports/${id}`).expect(200)).text;
    expect(page).to.include('缺少必需列：统一社会信用代码');
    const fields = await mappingFields(t.admin, id);
    const refused = await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send(fields).expect(422);
    expect(refused.text).to.include('缺少必需列');
    expect((await batch(id)).status).to.equal('uploaded');
    expect(await t.db('import_rows').where({ batch_id: id }).first()).to.equal(undefined);
  });

  it('remembers the confirmed mapping for the next file of the same list', async () => {
    const file = writeCsv([['代码', '单位', '金额（万元）'], [known.uscc, known.name, '1']]);
    const first = batchIdOf(await upload(t.admin, 'below_scale', 2025, file));
    await t.admin.post(`/lists/imports/${first}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name', field_2: 'revenue', unit_2: 'wan', version: 1 }).expect(303);
    await runner.settled(first);
    const second = batchIdOf(await upload(t.admin, 'below_scale', 2024, writeCsv([['代码', '单位', '金额（万元）'], [knownB.uscc, knownB.name, '2']])));
    const fields = await mappingFields(t.admin, second);
    expect(fields).to.include({ field_0: 'uscc', field_1: 'name', field_2: 'revenue', unit_2: 'wan' });
    // A header that happens to name an Object.prototype member is not "remembered".
    const third = batchIdOf(await upload(t.admin, 'below_scale', 2023, writeCsv([['代码', '单位', 'constructor', '__proto__'], [knownB.uscc, knownB.name, 'x', 'y']])));
    expect(JSON.parse((await batch(third)).mapping).slice(2)).to.deep.equal([null, null]);
  });

  it('refuses the same file uploaded again, politely, naming the earlier batch', async () => {
    const file = writeCsv(realisticRows());
    const first = batchIdOf(await upload(t.admin, 'rd_deduction', 2025, file));
    const again = await upload(t.admin, 'rd_deduction', 2025, file).expect(422);
    expect(again.text).to.include('已经上传过').and.include(`#${first}`);
    expect(await t.db('import_batches').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(1);
  });

  it('refuses files that are not lists, with a Chinese message, and stores nothing', async () => {
    const cfb = writeBytes(Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(2048)]), 'old.xls');
    const pdf = writeBytes(Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n'), 'list.xlsx');
    for (const file of [cfb, pdf]) {
      const res = await upload(t.admin, 'patent', 2025, file);
      expect(res.status).to.equal(422);
      expect(html(res.text).querySelector('.field-error')!.text.length).to.be.greaterThan(5);
    }
    expect(await t.db('import_batches').first()).to.equal(undefined);
  });

  it('commits all accepted rows at once: entries, new candidate firms with their history, an audit row; the board shows badges and filters by list', async () => {
    const id = await preview(writeCsv(realisticRows()));
    await commit(id);
    expect((await batch(id)).status).to.equal('committed');
    const entries = await t.db('list_entries').where({ batch_id: id }).orderBy('line');
    expect(entries.map((e) => e.line)).to.deep.equal([2, 3, 11, 13]);
    expect(entries.every((e) => Boolean(e.is_current))).to.equal(true);
    const created = await t.db('firms').where({ uscc: validUscc(900001) }).first();
    expect(created).to.include({ stage: 'candidate', name: '余姚市新增一号科技有限公司', park_id: t.basics.parks.b });
    const event = await t.db('stage_events').where({ firm_id: created.id }).first();
    expect(event).to.include({ source: 'import', to_stage: 'candidate' });
    expect(event.reason).to.include('研发费加计扣除').and.include('2025');
    const audit = await t.db('audit_log').where({ action: 'import.commit' }).first();
    expect(JSON.parse(audit.after)).to.include({ entries: 4, createdFirms: 2 });
    const board = html((await t.admin.get('/board?list=rd_deduction').expect(200)).text);
    expect(board.getElementById('board-total')!.text).to.equal('4');
    expect(board.querySelector(`#card-${known.uscc} .badge`)!.text).to.equal('加计2025');
    const firmPage = (await t.admin.get(`/firms/${known.uscc}`).expect(200)).text;
    expect(firmPage).to.include('研发费加计扣除').and.include('加计扣除额 125.50 万元');
  });

  it('supersedes the earlier list of the same kind and year (history kept), and reverting restores it', async () => {
    const first = await preview(writeCsv(realisticRows()));
    await commit(first);
    const newer = await preview(writeCsv([HEADER, [1, known.uscc, known.name, '2025', '200', ''], [2, validUscc(900010), '余姚市二号新增科技有限公司', '2025', '9', '']]));
    const page = (await t.admin.get(`/lists/imports/${newer}`).expect(200)).text;
    expect(page).to.include('替换').and.include('追加').and.include(`批次 #${first}`);
    await commit(newer, t.admin, { mode: 'replace' });
    expect((await batch(first)).status).to.equal('superseded');
    const current = await t.db('list_entries').where({ is_current: true }).select('batch_id');
    expect(new Set(current.map((r) => r.batch_id))).to.deep.equal(new Set([newer]));
    expect(await t.db('list_entries').where({ batch_id: first }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(4);

    await t.admin.post(`/lists/imports/${newer}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);
    expect((await batch(newer)).status).to.equal('reverted');
    expect((await batch(first)).status).to.equal('committed');
    const after = await t.db('list_entries').where({ is_current: true }).select('batch_id');
    expect(new Set(after.map((r) => r.batch_id))).to.deep.equal(new Set([first]));
    // The firm only the newer file brought in leaves the pool; the others stay.
    expect((await t.db('firms').where({ uscc: validUscc(900010) }).first()).stage).to.equal('exited');
    expect((await t.db('firms').where({ uscc: validUscc(900001) }).first()).stage).to.equal('candidate');
    expect(await t.db('audit_log').where({ action: 'import.revert' }).first()).to.not.equal(undefined);
  });

  it('reverting retires the untouched firms the batch created, with their history, and leaves a firm someone moved since', async () => {
    const id = await preview(writeCsv([HEADER, [1, validUscc(900040), '余姚市撤销一号科技有限公司', '2025', '1', ''], [2, validUscc(900041), '余姚市撤销二号科技有限公司', '2025', '1', ''], [3, validUscc(900042), '余姚市撤销三号科技有限公司', '2025', '1', '']]));
    await commit(id);
    const [one, two, three] = await Promise.all([900040, 900041, 900042].map((n) => t.db('firms').where({ uscc: validUscc(n) }).first()));
    await t.db('firms').where({ id: two.id }).update({ version: 2 }); // someone touched it after the commit
    await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);
    const stages = await t.db('firms').whereIn('id', [one.id, two.id, three.id]).orderBy('id').select('stage', 'version');
    expect(stages).to.deep.equal([{ stage: 'exited', version: 2 }, { stage: 'candidate', version: 2 }, { stage: 'exited', version: 2 }]);
    const events = await t.db('stage_events').where({ to_stage: 'exited' }).orderBy('firm_id').select('firm_id', 'from_stage', 'reason_code', 'reason', 'details', 'source');
    expect(events).to.deep.equal(
      [one.id, three.id].map((firmId) => ({ firm_id: firmId, from_stage: 'candidate', reason_code: 'other', reason: `导入批次 #${id} 已撤销`, details: JSON.stringify({ batchId: id }), source: 'import' })),
    );
    const audits = await t.db('audit_log').where({ action: 'firm.stage' }).orderBy('id').select('object_id', 'before', 'after');
    expect(audits.map((a) => a.object_id)).to.have.members([one.uscc, three.uscc]);
    expect(JSON.parse(audits[0].before)).to.deep.equal({ stage: 'candidate', version: 1 });
    expect(JSON.parse(audits[0].after)).to.include({ stage: 'exited', version: 2, kind: 'exit', reasonCode: 'other', source: 'import' });
    const revert = await t.db('audit_log').where({ action: 'import.revert' }).first();
    expect(JSON.parse(revert.after)).to.include({ exitedFirms: 2 });
  });

  it('downloads the rejected rows as CSV and XLSX with the reason, formula cells neutralised', async () => {
    const id = await preview(
      writeCsv([HEADER, [1, '=HYPERLINK("http://evil.example","点")', '@SUM(A1)', '2025', '1', ''], [2, 'bad', '+1+1', '2025', '-2+3', '']]),
    );
    const csv = await t.admin.get(`/lists/imports/${id}/rejects.csv`).buffer(true).expect(200);
    expect(csv.headers['content-type']).to.include('text/csv');
    expect(csv.headers['content-disposition']).to.include("filename*=UTF-8''");
    const text = csv.text;
    expect(text.charCodeAt(0)).to.equal(0xfeff);
    expect(text).to.include("'=HYPERLINK").and.include("'@SUM").and.include("'+1+1").and.include('未导入原因');
    expect(text).to.not.match(/(^|,)=HYPERLINK/m);
    const xlsx = await t.admin
      .get(`/lists/imports/${id}/rejects.xlsx`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const values = wb.worksheets[0]!.getSheetValues().flat().map(String);
    expect(values.some((v) => v.startsWith("'=HYPERLINK"))).to.equal(true);
    expect(values.some((v) => v.startsWith('=HYPERLINK'))).to.equal(false);
    expect(await t.db('audit_log').where({ action: 'import.rejects_download' }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(2);
  });

  it('keeps both of two columns with the same header in the rejects download', async () => {
    const id = await preview(writeCsv([['统一社会信用代码', '企业名称', '备注', '', '备注'], ['bad', '坏行有限公司', '第一条', '无表头', '第二条']]), 'patent');
    const csv = (await t.admin.get(`/lists/imports/${id}/rejects.csv`).buffer(true).expect(200)).text;
    const [head, line] = csv.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(head).to.equal('行号,统一社会信用代码,企业名称,备注,第4列,备注(2),未导入原因');
    expect(line).to.include('第一条,无表头,第二条');
  });

  it('aggregates a patent list with one row per patent into one entry per firm, refusing a repeated patent number', async () => {
    const id = await preview(
      writeCsv([
        ['专利号', '专利类型', '专利权人', '统一社会信用代码'],
        ['ZL202310000001.1', '发明', known.name, known.uscc],
        ['ZL202320000002.2', '实用新型', known.name, known.uscc],
        ['ZL202320000002.2', '实用新型', known.name, known.uscc],
      ]),
      'patent',
    );
    const b = await batch(id);
    expect([b.rows_matched, b.rows_rejected]).to.deep.equal([2, 1]);
    await commit(id);
    const entry = await t.db('list_entries').where({ batch_id: id }).first();
    expect(JSON.parse(entry.data)).to.deep.include({ patent_rows: 2, patent_types: { 发明: 1, 实用新型: 1 } });
  });

  it('lets a caseworker limited to park A import only firms of park A', async () => {
    const scoped = await t.as('scoped');
    const id = await preview(
      writeCsv([HEADER, [1, known.uscc, known.name, '2025', '1', ''], [2, knownB.uscc, knownB.name, '2025', '1', ''], [3, validUscc(900020), '余姚市园区外新企业有限公司', '2025', '1', '']]),
      'rd_deduction',
      2025,
      scoped,
    );
    const rows = await t.db('import_rows').where({ batch_id: id }).orderBy('line').select('status', 'reason');
    expect(rows[0].status).to.equal('match');
    expect(rows[1].reason).to.include('已登记，不在你的负责范围');
    expect(rows[2].reason).to.include('你负责的园区');
  });

  it('is closed to counsellors and leaders for writing, open to them for reading', async () => {
    for (const role of ['counsellor', 'leader'] as const) {
      const c = await t.as(role);
      await c.get('/lists').expect(200);
      const res = await upload(c, 'rd_deduction', 2025, writeCsv(realisticRows()));
      expect(res.status).to.equal(403);
    }
    expect(await t.db('import_batches').first()).to.equal(undefined);
  });
});

// Each test runs whole preview and commit jobs in a worker thread (seconds on a loaded machine).
describe('annual figures imported through the same pipeline', function () {
  this.timeout(30_000);
  let t: TestContext;
  let runner: ImportRunner;
  let a: { uscc: string; name: string; id: number };
  let b: { uscc: string; name: string; id: number };
  beforeEach(async () => {
    t = await createTestContext();
    runner = t.app.locals.importRunner as ImportRunner;
    a = await createFirm(t.db, { name: '余姚市指标甲科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2012-01-01', field: 'new_materials', actorId: t.basics.users.admin.id });
    b = await createFirm(t.db, { name: '余姚市指标乙科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
  });
  afterEach(() => t.destroy());

  async function importFigures(file: string) {
    const res = await upload(t.admin, 'annual_figures', 2025, file).expect(303);
    const id = batchIdOf(res);
    const fields = await mappingFields(t.admin, id);
    await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send(fields).expect(303);
    await runner.settled(id);
    return id;
  }

  it('recognises the figure columns, refuses unregistered firms, and writes the year into the firms\' figures (empty cells keep stored values)', async () => {
    await t.db('annual_figures').insert({ firm_id: a.id, year: 2025, sales_revenue: 1, total_assets: 777_0000, version: 1, updated_at: new Date().toISOString() });
    const id = await importFigures(
      writeCsv([
        ['统一社会信用代码', '企业名称', '年度', '销售收入（万元）', '研发费用总额（万元）', '其中：境内研发费用（万元）', '高新技术产品（服务）收入（万元）', '职工总数', '科技人员数', '资产总额（万元）', 'Ⅱ类知识产权'],
        [a.uscc, a.name, '2025', '5000', '300', '290', '4000', '88.5', '12', '', '6'],
        [b.uscc, b.name, '2025', '1200.5', '', '', '', '20', '3', '900', ''],
        [validUscc(990001), '余姚市未登记科技有限公司', '2025', '1', '', '', '', '', '', '', ''],
      ]),
    );
    const page = html((await t.admin.get(`/lists/imports/${id}`)).text);
    expect(page.querySelector('.rejects .reason')!.text).to.include('未登记的企业');
    const fields = await mappingFields(t.admin, id);
    expect(fields).to.include({ field_3: 'revenue', unit_3: 'wan', field_5: 'rd_domestic', field_6: 'hitech_income', field_7: 'staff', field_8: 'tech_staff', field_10: 'ip_class2' });
    await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({}).expect(303);
    await runner.settled(id);
    const rowA = await t.db('annual_figures').where({ firm_id: a.id, year: 2025 }).first();
    expect({ sales: Number(rowA.sales_revenue), rd: Number(rowA.rd_expense), domestic: Number(rowA.rd_domestic), staff: rowA.staff_total_x100, ip2: rowA.ip_class2, assets: Number(rowA.total_assets), version: rowA.version }).to.deep.equal({
      sales: 50_000_000,
      rd: 3_000_000,
      domestic: 2_900_000,
      staff: 8850,
      ip2: 6,
      assets: 7_770_000,
      version: 2,
    });
    expect(Number((await t.db('annual_figures').where({ firm_id: b.id, year: 2025 }).first()).sales_revenue)).to.equal(12_005_000);
    const audit = await t.db('audit_log').where({ action: 'figures.import', object_id: a.uscc }).first();
    expect(JSON.parse(audit.before)).to.include({ sales_revenue: 1, year: 2025 });
    expect(await t.db('list_entries').first()).to.equal(undefined);
    const eligibility = await t.db('eligibility_current').where({ firm_id: a.id, rule_set: 'hte-2016' }).first();
    expect(eligibility).to.not.equal(undefined);
    const batchPage = (await t.admin.get(`/lists/imports/${id}`).expect(200)).text;
    expect(batchPage).to.include('2025 年指标已写入各企业档案');
    expect(batchPage).to.not.include('撤销本批次');
    const revert = await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({});
    expect(revert.status).to.equal(409);
  });
});

// Each test runs whole preview and commit jobs in a worker thread (seconds on a loaded machine).
describe('candidate lists: a caseworker limited to some parks and other people\'s batches', function () {
  this.timeout(30_000);
  let t: TestContext;
  let runner: ImportRunner;
  beforeEach(async () => {
    t = await createTestContext();
    runner = t.app.locals.importRunner as ImportRunner;
  });
  afterEach(() => t.destroy());

  it('does not show, map, commit or export a batch someone else uploaded', async () => {
    const other = await createFirm(t.db, { name: '余姚市园区乙企业有限公司', stage: 'tech_sme', parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
    const res = await upload(t.admin, 'rd_deduction', 2025, writeCsv([['统一社会信用代码', '企业名称'], [other.uscc, other.name], ['bad', '坏行有限公司']]));
    const id = batchIdOf(res);
    await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name', version: 1 }).expect(303);
    await runner.settled(id);
    const scoped = await t.as('scoped');
    const before = await snapshot(t.db);
    await scoped.get(`/lists/imports/${id}`).expect(404);
    await scoped.get(`/lists/imports/${id}/rejects.csv`).expect(404);
    await scoped.post(`/lists/imports/${id}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name' }).expect(404);
    await scoped.post(`/lists/imports/${id}/commit`).type('form').send({}).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);
    expect((await scoped.get('/lists').expect(200)).text).to.not.include(`/lists/imports/${id}"`);
  });

  it('lists their own batches however many others were uploaded since', async () => {
    const scoped = await t.as('scoped');
    const known = await createFirm(t.db, { stage: 'candidate', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const own = batchIdOf(await upload(scoped, 'patent', 2025, writeCsv([['统一社会信用代码', '企业名称'], [known.uscc, known.name]])));
    const at = new Date().toISOString();
    await t.db('import_batches').insert(
      Array.from({ length: 30 }, (_, i) => ({ kind: 'patent', year: 2024, file_name: `x${i}.csv`, file_hash: `h${i}`, file_size: 1, file_type: 'csv', status: 'reverted', created_by: t.basics.users.admin.id, created_at: at, version: 1 })),
    );
    expect((await scoped.get('/lists').expect(200)).text).to.include(`href="/lists/imports/${own}"`);
  });

  it('cannot commit firms outside their parks even when someone else ran the check', async () => {
    const other = await createFirm(t.db, { name: '余姚市园区乙企业有限公司', stage: 'tech_sme', parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
    const scoped = await t.as('scoped');
    const id = batchIdOf(await upload(scoped, 'rd_deduction', 2025, writeCsv([['统一社会信用代码', '企业名称'], [other.uscc, other.name]])));
    // An administrator confirms the mapping: the check runs in the administrator's (county-wide) scope.
    await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name', version: 1 }).expect(303);
    await runner.settled(id);
    expect((await t.db('import_batches').where({ id }).first()).rows_matched).to.equal(1);
    await scoped.post(`/lists/imports/${id}/commit`).type('form').send({}).expect(303);
    await runner.settled(id);
    const batch = await t.db('import_batches').where({ id }).first();
    expect(batch.status).to.equal('interrupted');
    expect(batch.error).to.include('不在你负责范围');
    expect(await t.db('list_entries').first()).to.equal(undefined);
  });

  it('screening a firm outside their parks says it does not exist, without its name or stage', async () => {
    const other = await createFirm(t.db, { name: '余姚市保密企业有限公司', stage: 'tech_sme', parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
    const scoped = await t.as('scoped');
    const res = await scoped.post('/lists/screen').type('form').send({ year: 2025, firm: `${other.uscc}:1`, reason: '试探' }).expect(200);
    expect(res.text).to.include('找不到这家企业');
    expect(res.text).to.not.include('余姚市保密企业有限公司');
    expect(res.text).to.not.include('科技型中小企业');
  });

  it('keeps one committed list per kind and year: a second commit racing the first is refused and can be retried', async () => {
    const f = await createFirm(t.db, { stage: 'candidate', actorId: t.basics.users.admin.id });
    await t.db('import_batches').insert({ kind: 'patent', year: 2024, file_name: 'a', file_hash: 'a', file_size: 1, file_type: 'csv', status: 'committed', created_by: t.basics.users.admin.id, created_at: new Date().toISOString(), version: 1 });
    let error: unknown;
    try {
      await t.db('import_batches').insert({ kind: 'patent', year: 2024, file_name: 'b', file_hash: 'b', file_size: 1, file_type: 'csv', status: 'committed', created_by: t.basics.users.admin.id, created_at: new Date().toISOString(), version: 1 });
    } catch (err) {
      error = err;
    }
    expect(String((error as { code?: string })?.code)).to.match(/SQLITE_CONSTRAINT_UNIQUE|23505/);
    void f;
  });
});

describe('candidate lists: the job runner', () => {
  it('logs, rather than rejects, when recording a job failure fails too (callers do not wait for the job)', async () => {
    // No tables: the job fails, and so does writing that failure to the batch.
    const empty = createDb('sqlite::memory:');
    try {
      const runner = createImportRunner(empty);
      const actor = { id: 1, username: 'x', displayName: 'x', role: 'admin', parkIds: null } as never;
      await runner.start('commit', 1, { actor, ip: null, filePath: '' });
      expect(runner.state(1)).to.equal(null);
    } finally {
      await empty.destroy();
    }
  });
});
