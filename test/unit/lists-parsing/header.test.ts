import { expect } from 'chai';

import { detectHeader } from '../../../src/features/lists/parsing/header.js';
import type { MergeRange, RawRow } from '../../../src/features/lists/parsing/types.js';

/** Build rows from arrays of texts; line numbers 1.. unless given. */
function rows(data: Array<Array<string>>, lines?: number[]): RawRow[] {
  return data.map((cells, i) => ({ line: lines?.[i] ?? i + 1, cells: cells.map((text) => ({ text })) }));
}

describe('lists-parsing / header detection', () => {
  it('skips title rows and picks the row with the most recognised names', () => {
    const r = rows([
      ['2024年度研发费用加计扣除企业名单'],
      ['填报单位：余姚市税务局', '', '', '单位：万元'],
      ['序号', '纳税人识别号', '纳税人名称', '加计扣除额'],
      ['1', '913302810000000019', '宁波甲公司', '12.5'],
    ]);
    const { header, dataStart } = detectHeader(r);
    expect(header.headerLine).to.equal(3);
    expect(header.titleLines).to.deep.equal([1, 2]);
    expect(header.columns).to.deep.equal(['序号', '纳税人识别号', '纳税人名称', '加计扣除额']);
    expect(header.tableUnit).to.equal('wan');
    expect(header.twoRow).to.equal(null);
    expect(dataStart).to.equal(3);
  });

  it('ties go to the earliest row', () => {
    const r = rows([
      ['企业名称', '园区'],
      ['企业名称', '园区'],
    ]);
    expect(detectHeader(r).header.headerLine).to.equal(1);
  });

  it('falls back to the first row with two cells when nothing is recognised', () => {
    const r = rows([['某某名单'], ['A', 'B', 'C'], ['1', '2', '3']]);
    const { header, dataStart } = detectHeader(r);
    expect(header.headerLine).to.equal(2);
    expect(dataStart).to.equal(2);
  });

  it('combines a two-row header from merged ranges (XLSX)', () => {
    // row 1: title merged A1:F1; row 2: header, 研发费用 merged E2:F2, 序号…园区 merged vertically over rows 2-3
    const r = rows(
      [
        ['2024年度研发费用加计扣除企业名单'],
        ['序号', '统一社会信用代码', '企业名称', '所在园区', '研发费用'],
        ['', '', '', '', '金额（万元）', '其中：境内'],
        ['1', '913302810000000019', '宁波甲公司', '园区A', '12.5', '10'],
      ],
      [1, 2, 3, 4],
    );
    const merges: MergeRange[] = [
      { top: 1, left: 1, bottom: 1, right: 6 },
      { top: 2, left: 1, bottom: 3, right: 1 },
      { top: 2, left: 2, bottom: 3, right: 2 },
      { top: 2, left: 3, bottom: 3, right: 3 },
      { top: 2, left: 4, bottom: 3, right: 4 },
      { top: 2, left: 5, bottom: 2, right: 6 },
    ];
    const { header, dataStart } = detectHeader(r, { merges });
    expect(header.twoRow).to.equal('merges');
    expect(header.headerLines).to.deep.equal([2, 3]);
    expect(header.headerLine).to.equal(3);
    expect(header.columns).to.deep.equal(['序号', '统一社会信用代码', '企业名称', '所在园区', '研发费用/金额（万元）', '研发费用/其中：境内']);
    expect(dataStart).to.equal(3);
  });

  it('infers a two-row header without merge information (CSV)', () => {
    const r = rows([
      ['序号', '统一社会信用代码', '企业名称', '研发费用', '', '备注'],
      ['', '', '', '金额（万元）', '其中：境内', ''],
      ['1', '913302810000000019', '宁波甲公司', '12.5', '10', ''],
    ]);
    const { header, dataStart } = detectHeader(r);
    expect(header.twoRow).to.equal('inferred');
    expect(header.columns).to.deep.equal(['序号', '统一社会信用代码', '企业名称', '研发费用/金额（万元）', '研发费用/其中：境内', '备注']);
    expect(dataStart).to.equal(2);
  });

  it('combines a group row above the recognised row', () => {
    const r = rows([
      ['基本信息', '', '', '财务数据', ''],
      ['统一社会信用代码', '企业名称', '园区', '营业收入', '研发费用'],
      ['913302810000000019', '宁波甲公司', '园区A', '100', '5'],
    ]);
    const { header } = detectHeader(r);
    expect(header.headerLines).to.deep.equal([1, 2]);
    expect(header.columns).to.deep.equal(['基本信息/统一社会信用代码', '基本信息/企业名称', '基本信息/园区', '财务数据/营业收入', '财务数据/研发费用']);
  });

  it('does not take the first data row for a sub-header', () => {
    // a header with an unnamed column, followed by a data row of plain names
    const r = rows([
      ['企业名称', '', '园区', '联系人'],
      ['宁波甲公司', '张三', '', ''],
      ['宁波乙公司', '李四', '园区B', '王五'],
    ]);
    const { header, dataStart } = detectHeader(r);
    expect(header.twoRow).to.equal(null);
    expect(header.columns).to.deep.equal(['企业名称', '', '园区', '联系人']);
    expect(dataStart).to.equal(1);

    const withCode = rows([
      ['企业名称', '', '统一社会信用代码'],
      ['宁波甲公司', '备注', '913302810000000019'],
    ]);
    expect(detectHeader(withCode).header.twoRow).to.equal(null);
  });

  it('a title banner merged over the header is not a group row', () => {
    const r = rows([
      ['2024年度名单'],
      ['统一社会信用代码', '企业名称'],
      ['913302810000000019', '宁波甲公司'],
    ]);
    const { header } = detectHeader(r, { merges: [{ top: 1, left: 1, bottom: 1, right: 2 }] });
    expect(header.twoRow).to.equal(null);
    expect(header.columns).to.deep.equal(['统一社会信用代码', '企业名称']);
  });

  it('throws on no rows', () => {
    expect(() => detectHeader([])).to.throw('文件中没有数据');
  });
});
