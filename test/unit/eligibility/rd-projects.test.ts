/** R&D projects (issue 12 item 2): the year's structure is the sum of its projects; the checks the form and the import share. */
import { expect } from 'chai';
import { formatFraction } from '../../../src/domain/eligibility/ratio.js';
import { checkRdAmounts, checkRdProject, computeRdStructure, type RdAmounts, sumRdProjects } from '../../../src/domain/eligibility/rd-structure.js';
import { readRdImportRow } from '../../../src/features/rd-structure/rd-import.js';

const zero: RdAmounts = { personnel: 0, direct: 0, depreciation: 0, amortization: 0, design: 0, equipment: 0, outsourcedDomestic: 0, outsourcedForeign: 0, other: 0 };
const yuan = (f: { num: bigint; den: bigint }) => formatFraction(f, 4);

describe('R&D projects: the sum of a year and its bases', () => {
  it('adds the projects category by category and computes both bases on the sum, not per project', () => {
    // Each project alone keeps 其他费用 under 20% (the cap of RD01 is 250, of RD02 25); the year's cap is 275.
    const rd01 = { ...zero, personnel: 1000, other: 200 };
    const rd02 = { ...zero, outsourcedDomestic: 100, outsourcedForeign: 25, other: 30 };
    const year = sumRdProjects(2024, [rd01, rd02]);
    expect(year).to.deep.equal({ year: 2024, ...zero, personnel: 1000, outsourcedDomestic: 100, outsourcedForeign: 25, other: 230 });
    const r = computeRdStructure(year);
    expect(r.actualTotal).to.equal(1355n);
    // High-tech: 1000 + 80%·125 = 1100; other ≤ 1100/4 = 275, 230 counted → 1330; 境内 = 1330 − 80%·25 = 1310.
    expect(yuan(r.hte.total)).to.equal('1330.0000');
    expect(r.hte.otherCapped).to.equal(false);
    expect(yuan(r.hte.domestic)).to.equal('1310.0000');
    // Super-deduction: cap 1000/9 = 111.1111…; 1000 + 111.1111 + 80%·100 = 1191.1111.
    expect(r.deduction.otherCapped).to.equal(true);
    expect(yuan(r.deduction.total)).to.equal('1191.1111');
  });

  it('a year without projects has no sum to take: an empty list gives zeros, never a stored year', () => {
    expect(sumRdProjects(2024, [])).to.deep.equal({ year: 2024, ...zero });
  });
});

describe('R&D checks shared by the forms and the import', () => {
  it('refuses negative and non-whole amounts per category, outsourcing above a book total, and categories not adding up', () => {
    expect(checkRdAmounts({ ...zero, personnel: -1, direct: 0.5 })).to.deep.equal({ personnel: '金额不能为负数。', direct: '金额须精确到元（以万元填写时最多保留4位小数）。' });
    expect(checkRdAmounts({ ...zero, outsourcedDomestic: 150_0000, outsourcedForeign: 60_0000 }, 200_0000).outsourcedDomestic).to.equal('委托外部研究开发费用合计 210 万元，超过了研发费用合计 200 万元。');
    expect(checkRdAmounts({ ...zero, personnel: 205_0000 }, 200_0000).typedTotal).to.include('相差 5 万元').and.include('各项多');
    expect(checkRdAmounts({ ...zero, personnel: 200_0000 }, 200_0000)).to.deep.equal({});
  });

  it('refuses a project code not of the RD + digits form or taken in the year, an end before the start, an impossible date', () => {
    const ok = { code: 'RD01', name: '新型传感器', startDate: '2024-01-01', endDate: '2024-12-31', budget: 100_0000 };
    expect(checkRdProject(ok, new Set(['RD02']))).to.deep.equal({});
    expect(checkRdProject({ ...ok, code: 'XM01' }, new Set()).code).to.equal('项目编号应为 RD 加数字，如 RD01。');
    expect(checkRdProject(ok, new Set(['RD01'])).code).to.include('同一年度内项目编号不能重复');
    expect(checkRdProject({ ...ok, endDate: '2023-12-31' }, new Set()).endDate).to.equal('结束日期早于开始日期。');
    expect(checkRdProject({ ...ok, startDate: '2024-02-30' }, new Set()).startDate).to.equal('日期格式应为 YYYY-MM-DD。');
    expect(checkRdProject({ ...ok, budget: -1 }, new Set()).budget).to.equal('金额不能为负数。');
  });

  it('an imported row is refused with the category named, by the same function', () => {
    const r = readRdImportRow({ rd_personnel: 100, rd_outsourced_domestic: 300, rd_expense: 200 });
    expect(r).to.deep.equal({ ok: false, reason: '委托外部研究开发费用——境内（实际发生额）：委托外部研究开发费用合计 0.03 万元，超过了研发费用合计 0.02 万元。' });
    expect(readRdImportRow({ rd_personnel: -5 })).to.deep.equal({ ok: false, reason: '人员人工费用：金额不能为负数。' });
    expect(readRdImportRow({ rd_project_code: 'rd 3', rd_project_name: '甲', rd_personnel: 5 })).to.deep.include({ ok: true });
    expect(readRdImportRow({ rd_project_name: '甲', rd_personnel: 5 })).to.deep.equal({ ok: false, reason: '填写了研发项目的内容，但缺少项目编号（RD01、RD02…）。' });
    expect(readRdImportRow({ rd_outsourced: 5 })).to.deep.equal({ ok: false, reason: '委托外部研究开发费用须分“境内”“境外”两列填写（高企口径只计境内，境外另有限额）。' });
  });
});
