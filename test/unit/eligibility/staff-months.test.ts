/** Staff by month (指引 三（五）): exact annual monthly averages, part-time staff at 183 days, no rounding before the 10% test. */
import { expect } from 'chai';
import { checkHighTech, checkTechSme } from '../../../src/domain/eligibility/index.js';
import { compare } from '../../../src/domain/eligibility/ratio.js';
import { monthlyAverage, staffAverage, type StaffMonthsInput } from '../../../src/domain/eligibility/staff.js';
import { conditionOf, firmWith } from './factories.js';

const months = (start: number, middle: number, end: number) => [start, ...Array(11).fill(middle), end] as number[];

describe('staff by month (指引 三（五）)', () => {
  it('averages (月初 + 月末) ÷ 2 over twelve months exactly', () => {
    // 10 at the start and every month end but December (13): (10 + 2·110 + 13) / 24 = 243/24 = 10.125
    expect(monthlyAverage(months(10, 10, 13))).to.deep.equal({ num: 243n, den: 24n });
    expect(monthlyAverage(months(4, 4, 4))).to.deep.equal({ num: 96n, den: 24n });
    expect(() => monthlyAverage([1, 2, 3])).to.throw(RangeError);
  });

  it('counts a part-time or temporary person only at 183 days or more, for the months present', () => {
    const base: StaffMonthsInput = { year: 2024, total: months(0, 0, 0), tech: months(0, 0, 0), partTime: [] };
    const at183 = staffAverage({ ...base, partTime: [{ label: '甲', days: 183, fromMonth: 1, toMonth: 6, tech: true }] });
    const half = { num: 1n, den: 2n };
    expect(compare(at183.total, half)).to.equal(0); // 6 of 12 months
    expect(compare(at183.tech, half)).to.equal(0);
    expect(at183.partTime[0]!.counted).to.equal(true);
    const at182 = staffAverage({ ...base, partTime: [{ label: '乙', days: 182, fromMonth: 1, toMonth: 12, tech: true }] });
    expect(at182.total.num).to.equal(0n);
    expect(at182.partTime[0]!.counted).to.equal(false);
    expect(at182.partTime[0]!.reason).to.include('不满183天');
    const nonTech = staffAverage({ ...base, partTime: [{ label: '丙', days: 200, fromMonth: 3, toMonth: 12, tech: false }] });
    expect(compare(nonTech.total, { num: 10n, den: 12n })).to.equal(0);
    expect(nonTech.tech.num).to.equal(0n);
  });

  it('10.125 / 101.2917 fails the 10% test (9.9959%), though the same numbers rounded to 10.13 / 101.29 pass', () => {
    const staffMonths: StaffMonthsInput[] = [{ year: 2024, total: months(101, 101, 108), tech: months(10, 10, 13), partTime: [] }];
    const exact = conditionOf(checkHighTech(firmWith({}, { staffMonths }), { applyDate: '2025-06-01' }), 'hte.tech_staff');
    expect(exact.status).to.equal('fail');
    expect(exact.value).to.include('9.9958%').and.include('10.125').and.include('101.2916…').and.include('月度人数');
    const typed = conditionOf(checkHighTech(firmWith({ 2024: { techStaff: 10.13, staffTotal: 101.29 } }), { applyDate: '2025-06-01' }), 'hte.tech_staff');
    expect(typed.status).to.equal('pass');
    expect(typed.value).to.include('录入的年度数');
  });

  it('exactly 10% from monthly counts passes', () => {
    const staffMonths: StaffMonthsInput[] = [{ year: 2024, total: months(100, 100, 100), tech: months(10, 10, 10), partTime: [] }];
    expect(conditionOf(checkHighTech(firmWith({}, { staffMonths }), { applyDate: '2025-06-01' }), 'hte.tech_staff').status).to.equal('pass');
  });

  it('a part-timer at 183 days tips the ratio over 10%; at 182 days it does not', () => {
    const run2 = (days: number) => {
      const staffMonths: StaffMonthsInput[] = [{ year: 2024, total: months(91, 91, 91), tech: months(9, 9, 9), partTime: [{ label: '兼职乙', days, fromMonth: 1, toMonth: 12, tech: true }] }];
      return conditionOf(checkHighTech(firmWith({}, { staffMonths }), { applyDate: '2025-06-01' }), 'hte.tech_staff').status;
    };
    expect(run2(183)).to.equal('pass'); // 10 / 92
    expect(run2(182)).to.equal('fail'); // 9 / 91 = 9.89%
  });

  it('the tech-SME staff score and the 500-person limit use the exact monthly average', () => {
    // 500 + 1/24: over the limit by a fraction of a person
    const staffMonths: StaffMonthsInput[] = [{ year: 2024, total: months(500, 500, 501), tech: months(150, 150, 150), partTime: [] }];
    const v = checkTechSme(firmWith({}, { staffMonths }), { evaluationYear: 2025 });
    expect(conditionOf(v, 'tsme.size.staff').status).to.equal('fail');
    const staffScore = v.score!.indicators.find((i) => i.id === 'tsme.score.staff')!;
    expect(staffScore.points).to.deep.equal([16, 16]); // 150 / 500.04 < 30%
    const atLimit: StaffMonthsInput[] = [{ year: 2024, total: months(500, 500, 500), tech: months(150, 150, 150), partTime: [] }];
    const w = checkTechSme(firmWith({}, { staffMonths: atLimit }), { evaluationYear: 2025 });
    expect(conditionOf(w, 'tsme.size.staff').status).to.equal('pass');
    expect(w.score!.indicators.find((i) => i.id === 'tsme.score.staff')!.points).to.deep.equal([20, 20]);
  });
});
