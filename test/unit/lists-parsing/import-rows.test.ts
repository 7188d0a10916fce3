import { expect } from 'chai';

import { type ColumnMapping, columnLabels, rawByHeader, readRow } from '../../../src/features/lists/import-rows.js';
import type { RawRow } from '../../../src/features/lists/parsing/types.js';

const USCC = '91330281MA2AFXXX7K';
const row = (...cells: string[]): RawRow => ({ line: 2, cells: cells.map((text) => ({ text })) });
const mapping: ColumnMapping = [
  { field: 'uscc', unit: null },
  { field: 'name', unit: null },
  { field: 'year', unit: null },
  { field: 'staff', unit: null },
  { field: 'patent_count', unit: null },
  { field: 'revenue', unit: 'wan' },
];

describe('lists import / one row through the mapping', () => {
  it('treats "-" and "—" as empty in every number column, the year and head counts included', () => {
    for (const mark of ['-', '—', '——', '/']) {
      const read = readRow(row(USCC, '余姚市某某科技有限公司', mark, mark, mark, mark), mapping, 2025);
      expect(read, mark).to.deep.include({ ok: true, values: {} });
    }
  });

  it('reads head counts with up to two decimals and refuses malformed grouping', () => {
    const ok = readRow(row(USCC, '余姚市某某科技有限公司', '2025', '1,234.5人'), mapping, 2025);
    expect(ok).to.deep.include({ ok: true, values: { year: 2025, staff: 1234.5 } });
    const bad = readRow(row(USCC, '余姚市某某科技有限公司', '2025', '1,2,3'), mapping, 2025);
    expect(bad.ok).to.equal(false);
    expect(!bad.ok && bad.reason).to.match(/^从业人员：无法识别的数字/);
  });

  it('still refuses a year that is given but wrong', () => {
    const read = readRow(row(USCC, '余姚市某某科技有限公司', '2024'), mapping, 2025);
    expect(read).to.deep.equal({ ok: false, reason: '年度为 2024，与本批次年度 2025 不符。' });
  });
});

describe('lists import / column labels for the rejects download', () => {
  it('names empty headers by position and numbers repeated ones, so no column is lost', () => {
    expect(columnLabels(['代码', '', '备注', '备注', '备注(2)', '备注'])).to.deep.equal(['代码', '第2列', '备注', '备注(2)', '备注(2)(2)', '备注(3)']);
    const labels = columnLabels(['名称', '备注', '备注']);
    expect(rawByHeader(row('甲公司', '一', '二'), labels)).to.deep.equal({ 名称: '甲公司', 备注: '一', '备注(2)': '二' });
  });
});
