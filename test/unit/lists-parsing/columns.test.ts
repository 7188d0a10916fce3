import { expect } from 'chai';

import {
  FIELDS,
  checkMapping,
  matchColumn,
  normalizeHeader,
  suggestMapping,
} from '../../../src/features/lists/parsing/columns.js';
import type { FieldKey } from '../../../src/features/lists/parsing/columns.js';

const fieldOf = (h: string): FieldKey | null => matchColumn(h)?.field ?? null;

describe('lists-parsing / columns', () => {
  it('recognises the headers agencies use', () => {
    const cases: Array<[string, FieldKey]> = [
      ['统一社会信用代码', 'uscc'],
      ['纳税人识别号', 'uscc'],
      ['信用代码', 'uscc'],
      ['纳税人识别号/统一社会信用代码', 'uscc'],
      ['纳税人识别号／统一社会信用代码', 'uscc'],
      ['统一代码', 'uscc'],
      ['*统一社会信用代码', 'uscc'],
      ['统一社会信用代码（18位）', 'uscc'],
      ['企业名称', 'name'],
      ['纳税人名称', 'name'],
      ['单位详细名称', 'name'],
      ['企业（单位）名称', 'name'],
      ['企业(单位)名称', 'name'],
      ['企 业 名 称', 'name'],
      ['企业名称\n（全称）', 'name'],
      ['园区', 'park'],
      ['所在园区', 'park'],
      ['所在孵化器', 'park'],
      ['年度', 'year'],
      ['税款所属期', 'year'],
      ['研发费用', 'rd_expense'],
      ['研究开发费用', 'rd_expense'],
      ['加计扣除额', 'rd_deduction'],
      ['研发费用加计扣除额', 'rd_deduction'],
      ['研发费用加计扣除额（万元）', 'rd_deduction'],
      ['专利号', 'patent_no'],
      ['专利申请号', 'patent_no'],
      ['授权专利数', 'patent_count'],
      ['有效专利数', 'patent_count'],
      ['发明专利数', 'invention_count'],
      ['营业收入', 'revenue'],
      ['主营业务收入（千元）', 'main_revenue'],
      ['其中：主营业务收入', 'main_revenue'],
      ['从业人员期末人数', 'staff'],
      ['乡镇（街道）', 'town'],
      ['乡镇【街道】', 'town'],
      ['所在乡镇', 'town'],
      ['联系人', 'contact'],
      ['联系电话', 'phone'],
      ['手机', 'phone'],
      ['入孵时间', 'entry_date'],
      ['专利类型', 'patent_type'],
      ['专利名称', 'patent_name'],
      ['ＵＳＣＣ统一社会信用代码', 'uscc'],
      ['所在工业园区', 'park'],
      ['第一申请人', 'name'],
      // Annual figures (年度指标) imports.
      ['其中：境内研发费用', 'rd_domestic'],
      ['高新技术产品（服务）收入', 'hitech_income'],
      ['Ⅱ类知识产权', 'ip_class2'],
      ['所有者权益合计', 'net_assets'],
    ];
    for (const [h, f] of cases) expect(fieldOf(h), h).to.equal(f);
  });

  it('does not map look-alikes', () => {
    for (const h of ['序号', '备注', '所属单位', '主管单位', '企业类型', '研发费用占营业收入比例', '营业收入增长率', '2024年度研发费用加计扣除企业名单', '']) {
      expect(fieldOf(h), h).to.equal(null);
    }
  });

  it('reports units of amount columns, full-width or half-width', () => {
    expect(matchColumn('研发费用（万元）')?.unit).to.equal('wan');
    expect(matchColumn('研发费用(万元)')?.unit).to.equal('wan');
    expect(matchColumn('研发费用 （ 万元 ）')?.unit).to.equal('wan');
    expect(matchColumn('营业收入（元）')?.unit).to.equal('yuan');
    expect(matchColumn('营业收入(单位：元)')?.unit).to.equal('yuan');
    expect(matchColumn('营业收入/万元')?.unit).to.equal('wan');
    expect(matchColumn('营业收入万元')?.unit).to.equal('wan');
    expect(matchColumn('营业收入（千元）')?.unit).to.equal('qian');
    expect(matchColumn('营业收入')?.unit).to.equal(null);
    expect(matchColumn('从业人员（人）')?.unit).to.equal(null); // not an amount
    expect(matchColumn('研发费用/金额（万元）')).to.include({ field: 'rd_expense', unit: 'wan', quality: 'segment' });
  });

  it('normalises headers', () => {
    expect(normalizeHeader('２０２３年营业收入（万元）')).to.deep.equal({ key: '营业收入', unit: 'wan', year: 2023 });
    expect(normalizeHeader('  企业\u3000名称 ')).to.deep.equal({ key: '企业名称', unit: null, year: null });
    expect(matchColumn('2023年度营业收入')?.yearHint).to.equal(2023);
  });

  it('has no synonym used by two fields', () => {
    const seen = new Map<string, string>();
    for (const f of FIELDS) {
      for (const s of f.synonyms) {
        const k = normalizeHeader(s).key;
        expect(seen.get(k) ?? f.key, s).to.equal(f.key);
        seen.set(k, f.key);
      }
    }
  });

  describe('suggestMapping', () => {
    it('maps columns and reports missing required ones (CSV-01)', () => {
      const s = suggestMapping(['序号', '企业名称', '所在园区', '研发费用（万元）'], 'rd_deduction');
      expect(s.byColumn.map((m) => m?.field ?? null)).to.deep.equal([null, 'name', 'park', 'rd_expense']);
      expect(s.missingRequired).to.deep.equal(['uscc']);
      expect(s.message).to.equal('缺少必需列：统一社会信用代码。请检查表头，或在列对应中手动指定。');
      expect(s.missingRecommended).to.deep.equal(['year', 'rd_deduction']);
    });

    it('a semicolon file read as one column yields no mapping and both required fields missing', () => {
      const s = suggestMapping(['统一社会信用代码;企业名称;年度'], 'patent');
      expect(s.missingRequired).to.deep.equal(['uscc', 'name']);
      expect(s.message).to.contain('统一社会信用代码、企业名称');
    });

    it('reports two columns mapped to the same field and keeps the best match', () => {
      const s = suggestMapping(['纳税人识别号', '统一社会信用代码', '企业名称', '研发费用/金额（万元）', '研发费用/其中：境内']);
      expect(s.byColumn.map((m) => m?.field ?? null)).to.deep.equal(['uscc', null, 'name', 'rd_expense', null]);
      expect(s.duplicates.map((d) => ({ field: d.field, columns: d.columns, kept: d.kept }))).to.deep.equal([
        { field: 'uscc', columns: [0, 1], kept: 0 },
        { field: 'rd_expense', columns: [3, 4], kept: 3 },
      ]);
      expect(s.duplicates[0]?.message).to.equal('多列对应到了同一字段“统一社会信用代码”：第 1 列“纳税人识别号”、第 2 列“统一社会信用代码”。请只保留一列。');
      expect(s.missingRequired).to.deep.equal([]);
    });

    it('prefers an exact match over a partial one', () => {
      const s = suggestMapping(['本年度研发费用总计', '研发费用']);
      expect(s.byColumn.map((m) => m?.quality ?? null)).to.deep.equal([null, 'exact']);
    });

    it('applies a table-level unit to amount columns without one', () => {
      const s = suggestMapping(['统一社会信用代码', '企业名称', '营业收入', '研发费用（元）', '从业人员'], ['uscc', 'name'], { defaultUnit: 'wan' });
      expect(s.byColumn.map((m) => (m ? [m.unit, m.unitSource] : null))).to.deep.equal([
        [null, null],
        [null, null],
        ['wan', 'table'],
        ['yuan', 'header'],
        [null, null],
      ]);
    });
  });

  it('checkMapping reports what the user confirmed wrongly', () => {
    const r = checkMapping(['name', 'name', null], 'incubator', ['企业名称', '单位名称', '代码']);
    expect(r.ok).to.equal(false);
    expect(r.missingRequired).to.deep.equal(['uscc']);
    expect(r.duplicates.map((d) => d.columns)).to.deep.equal([[0, 1]]);
    expect(r.messages).to.have.length(2);
    expect(checkMapping(['uscc', 'name']).ok).to.equal(true);
  });
});
