import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { cellValue, chunksByKey, type ExportSheet, titleLine, writeCsv, writeXlsx } from '../../src/web/export.js';

async function collect(write: (out: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => out.on('end', r));
  await write(out);
  await done;
  return Buffer.concat(chunks);
}

interface Row { code: string; name: string; rd: number | null; n: number }
const sheet = (rows: Row[]): ExportSheet<Row> => ({
  name: '企业',
  title: '测试表',
  asOf: '2026-12-02 16:00',
  filters: [['园区/平台', '余姚经济开发区']],
  columns: [
    { header: '统一社会信用代码', kind: 'code', value: (r) => r.code },
    { header: '企业名称', value: (r) => r.name },
    { header: '研发费用（万元）', kind: 'wan', value: (r) => r.rd },
    { header: '件数', kind: 'int', value: (r) => r.n },
  ],
  rows,
});

const NASTY: Row[] = [
  { code: '913302810000000001', name: '=HYPERLINK("http://x","y")', rd: 1234567, n: 3 },
  { code: '000000000000000123', name: '+SUM(A1)', rd: null, n: 0 },
  { code: '330281000000000000', name: '-1+2', rd: 50000, n: 1 },
  { code: '91330281MA2ABCDE1X', name: '@cmd', rd: 0, n: 2 },
  { code: '91330281MA2ABCDE2X', name: ' =1+1', rd: 10, n: 2 },
  { code: '91330281MA2ABCDE3X', name: '＝全角', rd: 10, n: 2 },
];

describe('exports (src/web/export.ts)', () => {
  it('XLSX: a title row with what, as of when and the filters; codes as strings; 万元 as numbers with a format; no formulas', async () => {
    const buf = await collect((out) => writeXlsx(out, [sheet(NASTY)]));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as never);
    const ws = wb.getWorksheet('企业')!;
    expect(String(ws.getCell('A1').value)).to.equal('测试表　数据截至 2026-12-02 16:00　筛选：园区/平台 余姚经济开发区');
    expect(ws.getRow(2).values).to.deep.equal([undefined, '统一社会信用代码', '企业名称', '研发费用（万元）', '件数']);
    for (let r = 3; r < 3 + NASTY.length; r++) {
      for (let c = 1; c <= 4; c++) {
        const cell = ws.getCell(r, c);
        expect(cell.type, `row ${r} col ${c}`).to.not.equal(ExcelJS.ValueType.Formula);
        expect(cell.formula).to.equal(undefined);
      }
      expect(typeof ws.getCell(r, 1).value, 'code is a string').to.equal('string');
    }
    expect(ws.getCell('A4').value).to.equal('000000000000000123');
    expect(ws.getCell('B3').value).to.equal(`'=HYPERLINK("http://x","y")`);
    expect(ws.getCell('B4').value).to.equal(`'+SUM(A1)`);
    expect(ws.getCell('B5').value).to.equal(`'-1+2`);
    expect(ws.getCell('B6').value).to.equal(`'@cmd`);
    expect(ws.getCell('B7').value).to.equal(`' =1+1`);
    expect(ws.getCell('B8').value).to.equal(`'＝全角`);
    expect(ws.getCell('C3').value).to.equal(123.4567);
    expect(ws.getCell('C3').numFmt).to.equal('#,##0.00');
    expect(ws.getCell('C4').value).to.equal(null);
    expect(ws.getCell('D3').value).to.equal(3);
  });

  it('CSV: BOM, CRLF, title line first, every leading =, +, -, @ neutralised; plain numbers stay numbers', async () => {
    const text = (await collect((out) => writeCsv(out, sheet(NASTY)))).toString('utf8');
    expect(text.charCodeAt(0)).to.equal(0xfeff);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).to.equal('测试表　数据截至 2026-12-02 16:00　筛选：园区/平台 余姚经济开发区');
    expect(lines[1]).to.equal('统一社会信用代码,企业名称,研发费用（万元）,件数');
    expect(lines[2]).to.equal(`913302810000000001,"'=HYPERLINK(""http://x"",""y"")",123.4567,3`);
    expect(lines[3]).to.equal(`000000000000000123,'+SUM(A1),,0`);
    expect(lines[4]).to.equal(`330281000000000000,'-1+2,5,1`);
    expect(lines[5]).to.equal(`91330281MA2ABCDE1X,'@cmd,0,2`);
    for (const l of lines.slice(2, 8)) expect(l.split(',')[1]).to.match(/^"?'/);
  });

  it('cell values: negative numbers stay numbers, control characters are replaced, empty is empty', () => {
    expect(cellValue('int', -3)).to.equal(-3);
    expect(cellValue('text', '-12.5')).to.equal('-12.5');
    expect(cellValue('text', 'a\u0001b')).to.equal('a\ufffdb');
    expect(cellValue('wan', null)).to.equal(null);
    expect(cellValue('wan', '250000')).to.equal(25);
    expect(titleLine({ title: 'x', asOf: 'y' })).to.equal('x　数据截至 y　筛选：无（全部）');
  });

  it('reads a query a chunk at a time by key, and stops at the cap', async () => {
    const all = Array.from({ length: 25 }, (_, i) => ({ id: i + 1 }));
    const calls: (number | null)[] = [];
    const fetch = async (after: number | null, limit: number) => {
      calls.push(after);
      return all.filter((r) => after === null || r.id > after).slice(0, limit);
    };
    const got: number[] = [];
    for await (const r of chunksByKey(fetch, (r) => r.id, 10)) got.push(r.id);
    expect(got).to.deep.equal(all.map((r) => r.id));
    expect(calls).to.deep.equal([null, 10, 20]);
    const capped: number[] = [];
    for await (const r of chunksByKey(fetch, (r) => r.id, 10, 15)) capped.push(r.id);
    expect(capped).to.have.length(15);
  });

  it('XLSX waits for a slow download instead of reading the whole table into memory, and stops when the client goes away', async () => {
    const out = new PassThrough({ highWaterMark: 16 * 1024 });
    let read = 0;
    function* rows() {
      for (let i = 0; i < 200_000; i++) {
        read++;
        yield { code: `9133028100000${String(i).padStart(5, '0')}`, name: `余姚市慢速下载${i}科技有限公司`, rd: i, n: i };
      }
    }
    const writing = writeXlsx(out, [{ ...sheet([]), rows: rows() }]);
    // Nobody reads: the writer must stall after a bounded number of rows.
    await new Promise((r) => setTimeout(r, 300));
    const stalledAt = read;
    await new Promise((r) => setTimeout(r, 300));
    expect(read, 'no more rows are read while the client reads nothing').to.equal(stalledAt);
    expect(stalledAt).to.be.below(20_000);
    out.destroy();
    expect(await writing).to.be.below(20_000);
  });
});
