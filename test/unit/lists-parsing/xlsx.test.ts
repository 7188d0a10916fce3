import { expect } from 'chai';
import ExcelJS from 'exceljs';

import { openTable, readRawRows, readTable } from '../../../src/features/lists/parsing/read-table.js';
import { formatExcelNumber, readXlsxRows } from '../../../src/features/lists/parsing/xlsx-reader.js';
import { guardXlsx } from '../../../src/features/lists/parsing/zip-guard.js';
import { suggestMapping } from '../../../src/features/lists/parsing/columns.js';
import type { RawRow } from '../../../src/features/lists/parsing/types.js';
import { TmpDir, collect, rejection, texts, uscc } from './helpers.js';

describe('lists-parsing / XLSX', () => {
  let tmp: TmpDir;
  before(() => {
    tmp = new TmpDir();
  });
  after(() => tmp.cleanup());

  /** The typical agency sheet: a title row, a merged two-row header, then data of every kind. */
  async function agencySheet(): Promise<string> {
    const wb = new ExcelJS.Workbook();
    const hidden = wb.addWorksheet('说明');
    hidden.state = 'hidden';
    hidden.getCell('A1').value = '请勿修改';
    const ws = wb.addWorksheet('2024名单');
    ws.getCell('A1').value = '2024年度研发费用加计扣除企业名单';
    ws.mergeCells('A1:I1');
    const header = ['序号', '统一社会信用代码', '企业名称', '所在园区', '研发费用', '', '认定日期', '专利数', '备注'];
    header.forEach((h, i) => {
      if (h) ws.getCell(2, i + 1).value = h;
    });
    ws.getCell('E3').value = '金额（万元）';
    ws.getCell('F3').value = '其中：境内';
    for (const col of ['A', 'B', 'C', 'D', 'G', 'H', 'I']) ws.mergeCells(`${col}2:${col}3`);
    ws.mergeCells('E2:F2');

    // row 4: the code as text, row 5: the same code stored as a number
    ws.addRow([1, uscc(1), '宁波甲科技有限公司', '余姚经济开发区', 12.3456, 10, new Date(Date.UTC(2024, 2, 15)), 3, '']);
    ws.addRow([2, 913302810000000001, { richText: [{ text: '宁波' }, { text: '乙', font: { bold: true } }, { text: '公司' }] }, '中意宁波生态园', 0.1 + 0.2, 1234.5, new Date(Date.UTC(2023, 11, 31, 8, 30, 0)), { formula: 'H4*2', result: 6 }, { formula: 'C4&"（分公司）"', result: '宁波甲科技有限公司（分公司）' }]);
    // row 6 empty, row 7 only whitespace: skipped, line numbers still right
    ws.getCell('C7').value = '   ';
    ws.addRow([]);
    ws.getRow(8).values = [3, uscc(3), '宁波丙公司', '园区C', 123456789012, 1e-7, { formula: 'G4+1', result: new Date(Date.UTC(2024, 2, 16)) }, { formula: 'NA()', result: { error: '#N/A' } }, { error: '#DIV/0!' }];
    ws.getRow(9).values = [4, '913302810000000019', '宁波丁公司', '', -0.5, 1234567890123456, { formula: 'TODAY()' }, 0, true];
    ws.getColumn(7).numFmt = 'yyyy-mm-dd';
    for (const r of [4, 5, 8, 9]) ws.getCell(r, 7).numFmt = 'yyyy-mm-dd';
    const path = tmp.file('agency.xlsx');
    await wb.xlsx.writeFile(path);
    return path;
  }

  it('reads a title row and a merged two-row header, then the data rows with the right lines', async () => {
    const path = await agencySheet();
    const t = await openTable(path);
    expect(t.source.kind).to.equal('xlsx');
    if (t.source.kind !== 'xlsx') return;
    expect(t.source.sheet.name).to.equal('2024名单'); // the hidden first sheet is not the default
    expect(t.source.sheets.map((s) => [s.name, s.state])).to.deep.equal([
      ['说明', 'hidden'],
      ['2024名单', 'visible'],
    ]);
    expect(t.header.titleLines).to.deep.equal([1]);
    expect(t.header.headerLines).to.deep.equal([2, 3]);
    expect(t.header.twoRow).to.equal('merges');
    expect(t.header.columns).to.deep.equal([
      '序号', '统一社会信用代码', '企业名称', '所在园区', '研发费用/金额（万元）', '研发费用/其中：境内', '认定日期', '专利数', '备注',
    ]);
    const mapping = suggestMapping(t.header.columns, 'rd_deduction');
    expect(mapping.byColumn.map((m) => m?.field ?? null)).to.deep.equal([null, 'uscc', 'name', 'park', 'rd_expense', null, null, 'patent_count', null]);
    expect(mapping.byColumn[4]?.unit).to.equal('wan');
    expect(mapping.duplicates.map((d) => d.field)).to.deep.equal(['rd_expense']);

    const rows = await collect(t.rows);
    expect(rows.map((r) => r.line)).to.deep.equal([4, 5, 8, 9]);
  });

  it('converts cell values to text faithfully', async () => {
    const rows = await collect(readTable(await agencySheet()));
    const byLine = new Map<number, RawRow>(rows.map((r) => [r.line, r]));
    const r4 = byLine.get(4);
    const r5 = byLine.get(5);
    const r8 = byLine.get(8);
    const r9 = byLine.get(9);
    if (!r4 || !r5 || !r8 || !r9) throw new Error('missing rows');

    expect(texts([r4])[0]).to.deep.equal(['1', uscc(1), '宁波甲科技有限公司', '余姚经济开发区', '12.3456', '10', '2024-03-15', '3']);
    // 18-digit code stored as text: exact; stored as a number: flagged, never passed on as exact
    expect(r4.cells[1]).to.deep.equal({ text: uscc(1) });
    expect(r5.cells[1]).to.deep.equal({ text: '913302810000000000', numberLossy: true });
    expect(r5.cells[2]?.text).to.equal('宁波乙公司'); // rich text joined
    expect(r5.cells[4]?.text).to.equal('0.3'); // no binary noise
    expect(r5.cells[5]?.text).to.equal('1234.5');
    expect(r5.cells[6]?.text).to.equal('2023-12-31 08:30:00');
    expect(r5.cells[7]).to.deep.equal({ text: '6' }); // formula → cached result
    expect(r5.cells[8]?.text).to.equal('宁波甲科技有限公司（分公司）');

    expect(r8.cells[4]?.text).to.equal('123456789012'); // 12 digits, no exponent
    expect(r8.cells[5]?.text).to.equal('0.0000001');
    expect(r8.cells[6]?.text).to.equal('2024-03-16'); // formula with a date result
    // a formula whose cached result is an error: exceljs's streaming reader keeps NaN, not the code
    expect(r8.cells[7]).to.deep.equal({ text: '', error: true });
    expect(r8.cells[8]).to.deep.equal({ text: '#DIV/0!', error: true });

    expect(r9.cells[1]).to.deep.equal({ text: '913302810000000019' });
    expect(r9.cells[4]?.text).to.equal('-0.5');
    expect(r9.cells[5]).to.deep.equal({ text: '1234567890123456', numberLossy: true }); // 16 digits: Excel keeps 15
    expect(r9.cells[6]).to.deep.equal({ text: '', error: true }); // formula without a cached value
    expect(r9.cells[7]?.text).to.equal('0');
    expect(r9.cells[8]?.text).to.equal('TRUE');
    expect(rows.some((r) => r.mojibake)).to.equal(false);
  });

  it('formats numbers like Excel shows them', () => {
    expect(formatExcelNumber(123456789012)).to.deep.equal({ text: '123456789012' });
    expect(formatExcelNumber(999999999999999)).to.deep.equal({ text: '999999999999999' });
    expect(formatExcelNumber(1e15)).to.deep.equal({ text: '1000000000000000', numberLossy: true });
    expect(formatExcelNumber(2 ** 53 + 2)).to.deep.equal({ text: '9007199254740994', numberLossy: true });
    expect(formatExcelNumber(9.13302810000000e17)).to.deep.equal({ text: '913302810000000000', numberLossy: true });
    expect(formatExcelNumber(-0)).to.deep.equal({ text: '0' });
    expect(formatExcelNumber(1.1 * 3)).to.deep.equal({ text: '3.3' });
    expect(formatExcelNumber(123.456e-10)).to.deep.equal({ text: '0.0000000123456' });
    expect(formatExcelNumber(Number.NaN)).to.deep.equal({ text: '', error: true });
  });

  it('reads a chosen sheet by name or position', async () => {
    const path = await agencySheet();
    const byName = await openTable(path, { sheet: '说明' });
    expect(byName.source.kind === 'xlsx' && byName.source.sheet.name).to.equal('说明');
    expect(byName.preview.map((r) => r.cells[0]?.text)).to.deep.equal(['请勿修改']);
    await byName.close();
    const byPos = await openTable(path, { sheet: 2 });
    expect(byPos.header.headerLine).to.equal(3);
    await byPos.close();
    const err = await rejection(openTable(path, { sheet: '不存在' }));
    expect(err.code).to.equal('SHEET_NOT_FOUND');
    expect(err.message).to.equal('找不到工作表“不存在”。文件中的工作表有：“说明”、“2024名单”。');
  });

  it('without a read plan (whole file to exceljs) still reads only the chosen sheet', async () => {
    const path = await agencySheet();
    const insp = await guardXlsx(path, { sheet: '2024名单' });
    expect(insp.readPlan).to.not.equal(null);
    const planned = await collect(readXlsxRows(path, { sheetNo: insp.targetSheetNo, readPlan: insp.readPlan, maxColumns: 512, maxScannedRows: 1000 }));
    const whole = await collect(readXlsxRows(path, { sheetNo: insp.targetSheetNo, readPlan: null, maxColumns: 512, maxScannedRows: 1000 }));
    expect(whole).to.deep.equal(planned);
    expect(planned.map((r) => r.line)).to.deep.equal([1, 2, 3, 4, 5, 8, 9]);
  });

  it('keeps Chinese text intact across chunk boundaries (exceljs streaming bug #2063)', async () => {
    const names = Array.from({ length: 4000 }, (_, i) => `宁波市余姚${'甬港科技智能装备新材料'.slice(0, 1 + (i % 11))}有限公司第${i}号`);
    for (const useSharedStrings of [true, false]) {
      const path = tmp.file(`chunks-${String(useSharedStrings)}.xlsx`);
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings, useStyles: false });
      const ws = wb.addWorksheet('名单');
      ws.addRow(['统一社会信用代码', '企业名称']).commit();
      names.forEach((n, i) => ws.addRow([uscc(i), n]).commit());
      ws.commit();
      await wb.commit();
      const rows = await collect(readTable(path));
      expect(rows.filter((r) => r.mojibake)).to.have.length(0);
      expect(rows.map((r) => r.cells[1]?.text)).to.deep.equal(names);
    }
  });

  it('stops past maxRows and refuses a file over maxBytes before opening it', async () => {
    const path = tmp.file('rows.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('s');
    ws.addRow(['统一社会信用代码', '企业名称']);
    for (let i = 0; i < 30; i++) ws.addRow([uscc(i), `公司${i}`]);
    await wb.xlsx.writeFile(path);
    expect(await collect(readTable(path, { maxRows: 30 }))).to.have.length(30);
    const err = await rejection(collect(readTable(path, { maxRows: 25 })));
    expect(err.code).to.equal('TOO_MANY_ROWS');
    expect(err.line).to.equal(27);
    expect((await rejection(openTable(path, { maxBytes: 1000 }))).code).to.equal('FILE_TOO_LARGE');
    expect((await collect(readRawRows(path))).length).to.equal(31);
  });
});
