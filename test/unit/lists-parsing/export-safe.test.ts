import { expect } from 'chai';
import { createWriteStream, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

import { neutraliseFormula, writeRejectsCsv, writeRejectsXlsx } from '../../../src/features/lists/parsing/export-safe.js';
import type { RejectRow } from '../../../src/features/lists/parsing/export-safe.js';
import { TmpDir } from './helpers.js';

const PAYLOADS = [
  '=1+1',
  '+1+1',
  '-1+1',
  '@SUM(A1)',
  '\t=1',
  '\r=1',
  '＝1+1',
  '＋1',
  '－1',
  '＠SUM(A1)',
  '  =HYPERLINK("http://x","y")',
  "=cmd|' /C calc'!A0",
];

const columns = ['企业名称', '=统一社会信用代码', '研发费用'];
const rows: RejectRow[] = [
  ...PAYLOADS.map((p, i) => ({ line: i + 2, cells: { 企业名称: p, '=统一社会信用代码': '913302810000000019', 研发费用: 12.5 }, reason: '=HYPERLINK("x")' })),
  { line: 99, cells: { 企业名称: '宁波甲公司', '=统一社会信用代码': '-12.5', 研发费用: -3 }, reason: '名称无法匹配' },
];

describe('lists-parsing / formula-safe rejects output', () => {
  let tmp: TmpDir;
  before(() => {
    tmp = new TmpDir();
  });
  after(() => tmp.cleanup());

  it('neutraliseFormula prefixes every trigger and leaves plain numbers alone', () => {
    for (const p of PAYLOADS) expect(neutraliseFormula(p), JSON.stringify(p)).to.equal(`'${p}`);
    for (const s of ['-12.5', '+3', '0', '123456789012', '宁波甲公司', '', 'a=b']) expect(neutraliseFormula(s)).to.equal(s);
  });

  it('CSV: BOM, neutralised cells (header names too), numbers left numeric', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeRejectsCsv(rows, out, columns);
    const buf = Buffer.concat(chunks);
    expect([...buf.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const records = parse(buf, { bom: true, relax_column_count: false }) as string[][];
    expect(records[0]).to.deep.equal(['行号', '企业名称', "'=统一社会信用代码", '研发费用', '未导入原因']);
    PAYLOADS.forEach((p, i) => {
      const rec = records[i + 1] ?? [];
      expect(rec[0]).to.equal(String(i + 2));
      expect(rec[1]).to.equal(`'${p}`);
      expect(rec[2]).to.equal('913302810000000019');
      expect(rec[3]).to.equal('12.5');
      expect(rec[4]).to.equal(`'=HYPERLINK("x")`);
    });
    expect(records[records.length - 1]).to.deep.equal(['99', '宁波甲公司', '-12.5', '-3', '名称无法匹配']);
    // no cell of the file starts with a trigger
    for (const rec of records) for (const cell of rec) expect(/^[=+@\t\r＝＋－＠]/.test(cell) || /^-(?!\d)/.test(cell), cell).to.equal(false);
  });

  it('XLSX: neutralised text cells, numbers as numbers, nothing written as a formula', async () => {
    const file = tmp.file('rejects.xlsx');
    async function* gen(): AsyncGenerator<RejectRow> {
      yield* rows;
      yield { line: 100, cells: { 企业名称: 'bad\u0001char' }, reason: '' };
    }
    await writeRejectsXlsx(gen(), createWriteStream(file), columns);
    expect(readFileSync(file).subarray(0, 2).toString('latin1')).to.equal('PK');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('no sheet');
    expect(ws.name).to.equal('未导入的行');
    expect(ws.getRow(1).values).to.deep.equal([undefined, '行号', '企业名称', "'=统一社会信用代码", '研发费用', '未导入原因']);
    PAYLOADS.forEach((p, i) => {
      const row = ws.getRow(i + 2);
      expect(row.getCell(1).value).to.equal(i + 2);
      // XML parsers turn a raw CR into LF: the cell is still prefixed
      expect(row.getCell(2).value).to.equal(`'${p.replace(/\r/g, '\n')}`);
      expect(String(row.getCell(2).text).startsWith("'")).to.equal(true);
      expect(row.getCell(2).type).to.equal(ExcelJS.ValueType.String);
      expect(row.getCell(3).value).to.equal('913302810000000019');
      expect(row.getCell(4).value).to.equal(12.5);
      expect(row.getCell(4).type).to.equal(ExcelJS.ValueType.Number);
    });
    const last = ws.getRow(PAYLOADS.length + 2);
    expect(last.getCell(3).value).to.equal('-12.5');
    expect(last.getCell(4).value).to.equal(-3);
    expect(ws.getRow(PAYLOADS.length + 3).getCell(2).value).to.equal('bad\ufffdchar');
    ws.eachRow((row) => row.eachCell((cell) => expect(cell.type).to.not.equal(ExcelJS.ValueType.Formula)));
  });
});
