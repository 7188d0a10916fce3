/** R&D expense structure: the 80% rule and the 20% / 10% caps on 其他费用, exactly at the cap and just over. */
import { expect } from 'chai';
import { checkHighTech } from '../../../src/domain/eligibility/index.js';
import { compare, frac } from '../../../src/domain/eligibility/ratio.js';
import { computeRdStructure, type RdStructureInput } from '../../../src/domain/eligibility/rd-structure.js';
import { conditionOf, firmWith, WAN } from './factories.js';

const zero: RdStructureInput = { year: 2024, personnel: 0, direct: 0, depreciation: 0, amortization: 0, design: 0, equipment: 0, outsourcedDomestic: 0, outsourcedForeign: 0, other: 0 };
const eq = (a: { num: bigint; den: bigint }, n: bigint, d = 1n) => expect(compare(a, frac(n, d))).to.equal(0);

describe('R&D expense structure (指引 三（六）; 财税〔2015〕119号)', () => {
  it('counts outsourced R&D at 80% of the actual amount on the high-tech basis, and foreign outsourcing outside the domestic share', () => {
    const r = computeRdStructure({ ...zero, personnel: 1000, outsourcedDomestic: 500, outsourcedForeign: 1 });
    eq(r.hte.outsourcedCounted, 2004n, 5n); // (500 + 1) × 4/5 = 400.8
    eq(r.hte.total, 7004n, 5n);
    eq(r.hte.domestic, 1400n); // 1000 + 400
    expect(r.actualTotal).to.equal(1501n);
    eq(r.deduction.total, 1400n); // foreign not included on the deduction basis
  });

  it('其他费用 exactly at 20% of the high-tech total is kept; one 元 more is capped', () => {
    const at = computeRdStructure({ ...zero, personnel: 800, other: 200 }); // 200 / 1000 = 20%
    expect(at.hte.otherCapped).to.equal(false);
    eq(at.hte.total, 1000n);
    const over = computeRdStructure({ ...zero, personnel: 800, other: 201 });
    expect(over.hte.otherCapped).to.equal(true);
    eq(over.hte.otherCounted, 200n);
    eq(over.hte.total, 1000n);
  });

  it('其他相关费用 exactly at 10% of the deduction total is kept; one 元 more is capped to base ÷ 9', () => {
    const at = computeRdStructure({ ...zero, personnel: 900, other: 100 }); // 100 / 1000 = 10%
    expect(at.deduction.otherCapped).to.equal(false);
    eq(at.deduction.total, 1000n);
    const over = computeRdStructure({ ...zero, personnel: 900, other: 101 });
    expect(over.deduction.otherCapped).to.equal(true);
    eq(over.deduction.total, 1000n);
    expect(over.hte.otherCapped).to.equal(false); // 101 / 1001 < 20%
  });

  it('feeds the high-tech R&D ratio exactly: typing actual outsourcing as the total passes, the 80% basis fails', () => {
    // sales 4000万 a year (5% band); R&D 200万 a year: 100万 internal + 100万 outsourced actual → 180万 on the HTE basis = 4.5%.
    const structures = [2022, 2023, 2024].map((year) => ({ ...zero, year, personnel: 100 * WAN, outsourcedDomestic: 100 * WAN }));
    const typed = { rdExpense: 200 * WAN, rdDomestic: 200 * WAN };
    const byTyped = conditionOf(checkHighTech(firmWith({ 2022: typed, 2023: typed, 2024: typed }), { applyDate: '2025-06-01' }), 'hte.rd_ratio');
    expect(byTyped.status).to.equal('pass');
    expect(byTyped.value).to.include('录入的年度数');
    const byStructure = conditionOf(checkHighTech(firmWith({ 2022: typed, 2023: typed, 2024: typed }, { rdStructures: structures }), { applyDate: '2025-06-01' }), 'hte.rd_ratio');
    expect(byStructure.status).to.equal('fail');
    expect(byStructure.value).to.include('4.50%').and.include('按研发费用结构');
  });
});
