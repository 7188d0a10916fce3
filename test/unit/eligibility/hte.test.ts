import { expect } from 'chai';
import { checkHighTech, hteRdThreshold, RULE_SETS } from '../../../src/domain/eligibility/index.js';
import type { YearFigures } from '../../../src/domain/eligibility/index.js';
import { conditionOf, firmWith, WAN } from './factories.js';

const APPLY = { applyDate: '2025-06-01' };

/** Figures for 2022, 2023, 2024 (oldest first) for one field. */
function threeYears(key: keyof YearFigures, values: [number | null, number | null, number | null]): Record<number, Partial<YearFigures>> {
  return { 2022: { [key]: values[0] }, 2023: { [key]: values[1] }, 2024: { [key]: values[2] } };
}

function merge(...parts: Record<number, Partial<YearFigures>>[]): Record<number, Partial<YearFigures>> {
  const out: Record<number, Partial<YearFigures>> = {};
  for (const p of parts) for (const [y, v] of Object.entries(p)) out[Number(y)] = { ...out[Number(y)], ...v };
  return out;
}

function rdCase(sales: [number, number, number], rd: [number, number, number]) {
  return checkHighTech(firmWith(merge(threeYears('salesRevenue', sales), threeYears('rdExpense', rd))), APPLY);
}

describe('checkHighTech (hte-2016)', () => {
  it('When any firm is checked, then the verdict names the rule set, the apply date and the years used', () => {
    const v = checkHighTech(firmWith(), APPLY);
    expect(v.ruleSet).to.equal('hte-2016');
    expect(RULE_SETS['hte-2016'].documents[0]).to.contain('国科发火〔2016〕32号');
    expect(v.asOf).to.equal('2025-06-01');
    // 2020–2021 are read only for the standards bonus (指引 sets no period); 2025 for （八）
    expect(v.inputYears).to.deep.equal([2020, 2021, 2022, 2023, 2024, 2025]);
    const threeYearBonus = checkHighTech(firmWith(), { ...APPLY, options: { standardsBonusYears: 'threeYears' } });
    expect(threeYearBonus.inputYears).to.deep.equal([2022, 2023, 2024, 2025]);
    expect(threeYearBonus.options).to.deep.include({ standardsBonusYears: 'threeYears', growthFivePercent: 'mainTable' });
    expect(v.conditions.map((c) => c.id)).to.deep.equal([
      'hte.registered_1y', 'hte.ip', 'hte.field', 'hte.tech_staff', 'hte.rd_ratio', 'hte.rd_domestic',
      'hte.hitech_income', 'hte.innovation', 'hte.no_major_incident',
    ]);
    for (const c of v.conditions) expect(c.article).to.match(/第十一条/);
  });

  describe('overall status', () => {
    it('When every computable condition passes, then the verdict is review, never pass (IP core, field and score need experts)', () => {
      const v = checkHighTech(firmWith(), APPLY);
      expect(v.status).to.equal('review');
      expect(v.conditions.filter((c) => c.status === 'pass').map((c) => c.id)).to.include.members([
        'hte.registered_1y', 'hte.tech_staff', 'hte.rd_ratio', 'hte.rd_domestic', 'hte.hitech_income', 'hte.no_major_incident',
      ]);
    });

    it('When data is missing and nothing fails, then the verdict is missing, not fail', () => {
      const v = checkHighTech(firmWith({ 2023: { rdExpense: null } }), APPLY);
      expect(conditionOf(v, 'hte.rd_ratio').status).to.equal('missing');
      expect(conditionOf(v, 'hte.rd_ratio').note).to.contain('缺少2023年研发费用总额');
      expect(v.status).to.equal('missing');
    });

    it('When one condition fails and another is missing, then the verdict is fail', () => {
      const v = checkHighTech(firmWith({ 2023: { rdExpense: null }, 2024: { techStaff: 1 } }), APPLY);
      expect(v.status).to.equal('fail');
    });
  });

  describe('（一）registered 365 days', () => {
    it('When exactly 365 calendar days have passed since registration, then the condition passes', () => {
      const v = checkHighTech(firmWith({}, { registeredOn: '2024-06-01' }), APPLY);
      expect(conditionOf(v, 'hte.registered_1y').status).to.equal('pass');
    });

    it('When only 364 days have passed, then it fails and tells the earliest application date', () => {
      const c = conditionOf(checkHighTech(firmWith({}, { registeredOn: '2024-06-02' }), APPLY), 'hte.registered_1y');
      expect(c.status).to.equal('fail');
      expect(c.gapAmount).to.equal(1);
      expect(c.gap).to.contain('2025-06-02');
    });

    it('When the year includes 29 February, then 365 days is still the rule (not the calendar anniversary)', () => {
      const v = checkHighTech(firmWith({}, { registeredOn: '2023-06-01' }), { applyDate: '2024-05-31' });
      expect(conditionOf(v, 'hte.registered_1y').status).to.equal('pass');
    });

    it('When the registration date is not entered, then the condition is missing', () => {
      const v = checkHighTech(firmWith({}, { registeredOn: null }), APPLY);
      expect(conditionOf(v, 'hte.registered_1y').status).to.equal('missing');
    });
  });

  describe('（二）intellectual property', () => {
    it('When the firm holds a Class I right, then the condition goes to expert review (core support)', () => {
      const c = conditionOf(checkHighTech(firmWith({ 2024: { ipClass1: 2 } }), APPLY), 'hte.ip');
      expect(c.status).to.equal('review');
      expect(c.note).to.contain('核心支持作用');
      expect(c.interpretation).to.equal(true);
    });

    it('When the firm holds only unused Class II rights, then the condition goes to review', () => {
      const c = conditionOf(checkHighTech(firmWith({ 2024: { ipClass1: 0, ipClass2: 3, ipClass2Used: 2 } }), APPLY), 'hte.ip');
      expect(c.status).to.equal('review');
    });

    it('When every Class II right was already used in an earlier application, then it fails', () => {
      const c = conditionOf(checkHighTech(firmWith({ 2024: { ipClass1: 0, ipClass2: 3, ipClass2Used: 3 } }), APPLY), 'hte.ip');
      expect(c.status).to.equal('fail');
      expect(c.note).to.contain('仅限使用一次');
    });

    it('When the firm holds no IP at all, then it fails', () => {
      const c = conditionOf(checkHighTech(firmWith({ 2024: { ipClass1: 0, ipClass2: 0, ipClass2Used: 0 } }), APPLY), 'hte.ip');
      expect(c.status).to.equal('fail');
      expect(c.gapAmount).to.equal(1);
    });

    it('When IP counts are not entered, then it is missing, not fail', () => {
      expect(conditionOf(checkHighTech(firmWith({ 2024: { ipClass1: null, ipClass2: null } }), APPLY), 'hte.ip').status).to.equal('missing');
      expect(conditionOf(checkHighTech(firmWith({ 2024: { ipClass1: 0, ipClass2: 2, ipClass2Used: null } }), APPLY), 'hte.ip').status).to.equal('missing');
    });

    it('When Class I is unknown but an unused Class II right is known, then the firm is shown to hold IP (review)', () => {
      const c = conditionOf(checkHighTech(firmWith({ 2024: { ipClass1: null, ipClass2: 2, ipClass2Used: 0 } }), APPLY), 'hte.ip');
      expect(c.status).to.equal('review');
    });

    it('When the option says so and the application-year row has counts, then that year is used', () => {
      const facts = firmWith({ 2024: { ipClass1: 0, ipClass2: 0 }, 2025: { ipClass1: 1 } });
      expect(conditionOf(checkHighTech(facts, APPLY), 'hte.ip').status).to.equal('fail');
      const c = conditionOf(checkHighTech(facts, { ...APPLY, options: { ipCountYear: 'applicationYearIfPresent' } }), 'hte.ip');
      expect(c.status).to.equal('review');
      expect(c.inputYears).to.deep.equal([2025]);
    });
  });

  describe('（三）technology field', () => {
    it('When no field is chosen, then it is missing; when one is, then experts must judge the fit', () => {
      expect(conditionOf(checkHighTech(firmWith({}, { field: null }), APPLY), 'hte.field').status).to.equal('missing');
      expect(conditionOf(checkHighTech(firmWith(), APPLY), 'hte.field').status).to.equal('review');
    });
  });

  describe('（四）tech staff ≥ 10% of staff in Y−1', () => {
    const staff = (techStaff: number | null, staffTotal: number | null) =>
      conditionOf(checkHighTech(firmWith({ 2024: { techStaff, staffTotal } }), APPLY), 'hte.tech_staff');

    it('When tech staff are exactly 10% (45.5 of 455), then the condition passes', () => {
      expect(staff(45.5, 455).status).to.equal('pass');
    });

    it('When tech staff are just below 10% (45.49 of 455), then it fails with a 1-person gap', () => {
      const c = staff(45.49, 455);
      expect(c.status).to.equal('fail');
      expect(c.value).to.match(/^9\.99%/);
      expect(c.gapAmount).to.equal(1);
    });

    it('When tech staff are just above 10% (45.51 of 455), then it passes', () => {
      expect(staff(45.51, 455).status).to.equal('pass');
    });

    it('When the ratio is 9.996%, then it fails and is shown as 9.99%, not rounded up to 10%', () => {
      const c = staff(24.99, 250);
      expect(c.status).to.equal('fail');
      expect(c.value).to.match(/^9\.99%/);
    });

    it('When a firm has no tech staff among 100, then it needs 12 new tech staff (12/112 ≥ 10%, 11/111 < 10%)', () => {
      const c = staff(0, 100);
      expect(c.gapAmount).to.equal(12);
      expect(c.gap).to.contain('12 人');
    });

    it('When the year Y−1 staff numbers are not entered, then it is missing', () => {
      expect(staff(null, 100).status).to.equal('missing');
      expect(staff(10, null).status).to.equal('missing');
    });

    it('When only the 2023 figures would pass, then the 2024 ("当年" = Y−1) figures still decide', () => {
      const v = checkHighTech(firmWith({ 2023: { techStaff: 50 }, 2024: { techStaff: 5 } }), APPLY);
      expect(conditionOf(v, 'hte.tech_staff').status).to.equal('fail');
      expect(conditionOf(v, 'hte.tech_staff').inputYears).to.deep.equal([2024]);
    });
  });

  describe('（五）R&D ratio over three years, band by latest-year sales', () => {
    it('When the latest year sales are exactly 5000万 and the 3-year ratio is exactly 5% (675万/13500万), then it passes', () => {
      const c = conditionOf(rdCase([4000 * WAN, 4500 * WAN, 5000 * WAN], [200 * WAN, 225 * WAN, 250 * WAN]), 'hte.rd_ratio');
      expect(c.status).to.equal('pass');
      expect(c.threshold).to.contain('≥ 5%');
      expect(c.value).to.match(/^5\.00%/);
      expect(c.inputYears).to.deep.equal([2022, 2023, 2024]);
    });

    it('When the latest year sales are 5000万 and R&D is 1元 short of 5%, then it fails with a 0.01万元 gap', () => {
      const c = conditionOf(rdCase([4000 * WAN, 4500 * WAN, 5000 * WAN], [200 * WAN, 225 * WAN, 250 * WAN - 1]), 'hte.rd_ratio');
      expect(c.status).to.equal('fail');
      expect(c.value).to.match(/^4\.99%/);
      expect(c.gap).to.equal('还需增加研发费用约 0.01 万元');
      expect(c.gapAmount).to.equal(1);
    });

    it('When the latest year sales are 5000万 and R&D is 1元 above 5%, then it passes', () => {
      expect(conditionOf(rdCase([4000 * WAN, 4500 * WAN, 5000 * WAN], [200 * WAN, 225 * WAN, 250 * WAN + 1]), 'hte.rd_ratio').status).to.equal('pass');
    });

    it('When the latest year sales are 5000万+1元, then the 4% band applies and exactly 4% passes', () => {
      const c = conditionOf(rdCase([4000 * WAN, 4500 * WAN - 1, 5000 * WAN + 1], [180 * WAN, 180 * WAN, 180 * WAN]), 'hte.rd_ratio');
      expect(c.status).to.equal('pass');
      expect(c.threshold).to.contain('≥ 4%');
    });

    it('When the latest year sales are 5000万+1元 and R&D is 1元 short of 4%, then it fails', () => {
      const c = conditionOf(rdCase([4000 * WAN, 4500 * WAN - 1, 5000 * WAN + 1], [180 * WAN, 180 * WAN, 180 * WAN - 1]), 'hte.rd_ratio');
      expect(c.status).to.equal('fail');
      expect(c.gapAmount).to.equal(1);
    });

    it('When the latest year sales are exactly 2亿, then the 4% band applies (2亿含) and exactly 4% passes', () => {
      const c = conditionOf(rdCase([20000 * WAN, 20000 * WAN, 20000 * WAN], [800 * WAN, 800 * WAN, 800 * WAN]), 'hte.rd_ratio');
      expect(c.status).to.equal('pass');
      expect(c.threshold).to.contain('≥ 4%');
      expect(conditionOf(rdCase([20000 * WAN, 20000 * WAN, 20000 * WAN], [800 * WAN, 800 * WAN, 800 * WAN - 1]), 'hte.rd_ratio').status).to.equal('fail');
    });

    it('When the latest year sales are 2亿+1元, then the 3% band applies: 18,000,001元 passes, 18,000,000元 fails', () => {
      const sales: [number, number, number] = [20000 * WAN, 20000 * WAN, 20000 * WAN + 1];
      const pass = conditionOf(rdCase(sales, [600 * WAN, 600 * WAN, 600 * WAN + 1]), 'hte.rd_ratio');
      expect(pass.status).to.equal('pass');
      expect(pass.threshold).to.contain('≥ 3%');
      const fail = conditionOf(rdCase(sales, [600 * WAN, 600 * WAN, 600 * WAN]), 'hte.rd_ratio');
      expect(fail.status).to.equal('fail');
      expect(fail.gapAmount).to.equal(1);
    });

    it('When the band thresholds are looked up directly, then 5000万 and 2亿 are inclusive upper bounds', () => {
      expect(hteRdThreshold(50_000_000n).rate).to.deep.equal({ num: 5n, den: 100n });
      expect(hteRdThreshold(50_000_001n).rate).to.deep.equal({ num: 4n, den: 100n });
      expect(hteRdThreshold(200_000_000n).rate).to.deep.equal({ num: 4n, den: 100n });
      expect(hteRdThreshold(200_000_001n).rate).to.deep.equal({ num: 3n, den: 100n });
    });

    it('When the yearly ratios average above 5% but the 3-year sums are below 5%, then it fails (sums decide)', () => {
      // yearly: 10%, 10%, 2% → average 7.33%; sums: 280万 / 6000万 = 4.66%
      const c = conditionOf(rdCase([1000 * WAN, 1000 * WAN, 4000 * WAN], [100 * WAN, 100 * WAN, 80 * WAN]), 'hte.rd_ratio');
      expect(c.status).to.equal('fail');
      expect(c.value).to.match(/^4\.66%/);
      expect(c.gap).to.equal('还需增加研发费用约 20.00 万元');
      expect(c.gapAmount).to.equal(200_000);
    });

    it('When the yearly ratios average below 5% but the 3-year sums are above 5%, then it passes (sums decide)', () => {
      // yearly: 6%, 6%, 1% → average 4.33%; sums: 490万 / 9000万 = 5.44%
      const c = conditionOf(rdCase([4000 * WAN, 4000 * WAN, 1000 * WAN], [240 * WAN, 240 * WAN, 10 * WAN]), 'hte.rd_ratio');
      expect(c.status).to.equal('pass');
    });

    it('When the R&D gap is not a whole 0.01万元, then it is rounded up', () => {
      // need 5% × 12000万 = 600万; have 599.9901万 → short 99元 → 0.01万元 (rounded up)
      const c = conditionOf(rdCase([4000 * WAN, 4000 * WAN, 4000 * WAN], [200 * WAN, 200 * WAN, 200 * WAN - 99]), 'hte.rd_ratio');
      expect(c.gap).to.equal('还需增加研发费用约 0.01 万元');
    });

    it('When the latest year sales are missing, then the band cannot be set and the condition is missing', () => {
      expect(conditionOf(rdCase([4000 * WAN, 4000 * WAN, null as unknown as number], [200 * WAN, 200 * WAN, 200 * WAN]), 'hte.rd_ratio').status).to.equal('missing');
    });

    it('When the firm has operated under three years, then only the operated years are summed', () => {
      const facts = firmWith({ 2022: { rdExpense: null, salesRevenue: null } }, { registeredOn: '2023-03-01' });
      const c = conditionOf(checkHighTech(facts, APPLY), 'hte.rd_ratio');
      expect(c.status).to.equal('pass');
      expect(c.inputYears).to.deep.equal([2023, 2024]);
      expect(c.note).to.contain('实际经营期不满三年');
    });
  });

  describe('（五）domestic R&D ≥ 60% of R&D', () => {
    const domestic = (d2024: number) =>
      conditionOf(checkHighTech(firmWith(merge(threeYears('rdDomestic', [144 * WAN, 144 * WAN, d2024]))), APPLY), 'hte.rd_domestic');

    it('When domestic R&D is exactly 60% of the 3-year R&D (432万/720万), then it passes', () => {
      expect(domestic(144 * WAN).status).to.equal('pass');
    });

    it('When domestic R&D is 1元 short of 60%, then it fails with the amount short', () => {
      const c = domestic(144 * WAN - 1);
      expect(c.status).to.equal('fail');
      expect(c.gapAmount).to.equal(1);
      expect(c.gap).to.contain('境内研发费用还差约 0.01 万元');
    });

    it('When domestic R&D is 1元 above 60%, then it passes', () => {
      expect(domestic(144 * WAN + 1).status).to.equal('pass');
    });

    it('When a year of domestic R&D is not entered, then it is missing', () => {
      const v = checkHighTech(firmWith({ 2022: { rdDomestic: null } }), APPLY);
      expect(conditionOf(v, 'hte.rd_domestic').status).to.equal('missing');
    });
  });

  describe('（六）high-tech income ≥ 60% of total income (收入总额 − 不征税收入) in Y−1', () => {
    const income = (hitechIncome: number, nonTaxableIncome: number | null = 100 * WAN) =>
      conditionOf(checkHighTech(firmWith({ 2024: { hitechIncome, totalIncome: 4100 * WAN, nonTaxableIncome } }), APPLY), 'hte.hitech_income');

    it('When HT income is exactly 60% of (4100万 − 100万), then it passes', () => {
      expect(income(2400 * WAN).status).to.equal('pass');
    });

    it('When HT income is 1元 short, then it fails with the shortfall', () => {
      const c = income(2400 * WAN - 1);
      expect(c.status).to.equal('fail');
      expect(c.value).to.match(/^59\.99%/);
      expect(c.gapAmount).to.equal(1);
      expect(c.gap).to.contain('还差约 0.01 万元');
    });

    it('When HT income is 1元 above, then it passes', () => {
      expect(income(2400 * WAN + 1).status).to.equal('pass');
    });

    it('When 不征税收入 is not entered, then it is missing', () => {
      expect(income(2400 * WAN, null).status).to.equal('missing');
    });

    it('When HT income is well short, then both coaching numbers are given', () => {
      // total 4000万, HT 2000万: short 400万 at current total; as new income: (2400−2000)/0.4 = 1000万
      const c = income(2000 * WAN);
      expect(c.gap).to.equal('高新技术产品（服务）收入还差约 400.00 万元（按当前总收入计；若以新增高新收入补足，约需 1000.00 万元）');
    });
  });

  describe('（八）no major incident within the year before application (incl. application year)', () => {
    const incident = (flags: Record<number, boolean | null>) =>
      conditionOf(
        checkHighTech(firmWith(Object.fromEntries(Object.entries(flags).map(([y, f]) => [y, { majorIncident: f }]))), APPLY),
        'hte.no_major_incident',
      );

    it('When an incident is flagged in the application year or the year before, then it fails', () => {
      expect(incident({ 2025: true }).status).to.equal('fail');
      expect(incident({ 2024: true }).status).to.equal('fail');
    });

    it('When the only incident is two years back, then it passes', () => {
      expect(incident({ 2023: true }).status).to.equal('pass');
    });

    it('When a flag is not entered, then it is missing', () => {
      expect(incident({ 2025: null }).status).to.equal('missing');
      const noRow = firmWith();
      noRow.figures = noRow.figures.filter((f) => f.year !== 2025);
      expect(conditionOf(checkHighTech(noRow, APPLY), 'hte.no_major_incident').status).to.equal('missing');
    });
  });
});
