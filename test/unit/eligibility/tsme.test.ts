import { expect } from 'chai';
import { checkTechSme, RULE_SETS } from '../../../src/domain/eligibility/index.js';
import type { FirmFacts, ScoreItem, Verdict, YearFigures } from '../../../src/domain/eligibility/index.js';
import { bandOf, RD_COST_BANDS, RD_SALES_BANDS, STAFF_BANDS, tsmeIpBand } from '../../../src/domain/eligibility/tsme-score.js';
import { conditionOf, firmWith, WAN } from './factories.js';

const EVAL = { evaluationYear: 2025 };

function check(y2024: Partial<YearFigures> = {}, overrides: Partial<FirmFacts> = {}, input: Partial<Parameters<typeof checkTechSme>[1]> = {}): Verdict {
  return checkTechSme(firmWith({ 2024: y2024 }, overrides), { ...EVAL, ...input });
}

function scoreItem(v: Verdict, id: string): ScoreItem {
  const found = v.score?.indicators.flatMap((i) => i.items).find((i) => i.id === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
}

function route(v: Verdict, id: string) {
  return v.score?.directRoutes?.find((r) => r.id === id);
}

// Score of 58: 科技人员 30% → 20; 研发投入 3% of sales → 20 (cost option 3.43% → 0); 科技成果 3 Class II → 18.
const SCORE_58: Partial<YearFigures> = { techStaff: 30, rdDeductible: 120 * WAN, ipClass1: 0, ipClass2: 3 };
// Score of 60: 科技人员 20% → 12; 研发投入 4% → 30; 科技成果 3 Class II → 18.
const SCORE_60: Partial<YearFigures> = { techStaff: 20, rdDeductible: 160 * WAN, ipClass1: 0, ipClass2: 3 };

describe('checkTechSme (tsme-2017)', () => {
  it('When any firm is checked, then the verdict names the rule set and the conditions of 第六条', () => {
    const v = check();
    expect(v.ruleSet).to.equal('tsme-2017');
    expect(RULE_SETS['tsme-2017'].documents[0]).to.contain('国科发政〔2017〕115号');
    expect(v.conditions.map((c) => c.id)).to.deep.equal([
      'tsme.resident', 'tsme.size.staff', 'tsme.size.sales', 'tsme.size.assets', 'tsme.industry',
      'tsme.integrity.incident', 'tsme.integrity.dishonesty', 'tsme.integrity.abnormal_list', 'tsme.score',
    ]);
  });

  it('When every computable condition passes, then the verdict is review because (一) and (三) need a registry check', () => {
    const v = check();
    expect(v.status).to.equal('review');
    expect(conditionOf(v, 'tsme.resident').status).to.equal('review');
    expect(conditionOf(v, 'tsme.industry').status).to.equal('review');
    expect(conditionOf(v, 'tsme.score').status).to.equal('pass');
    expect(v.score?.total).to.deep.equal([100, 100]);
  });

  it('When no evaluation date is given, then 31 December of the evaluation year is used and the data year is Y−1', () => {
    const v = check();
    expect(v.asOf).to.equal('2025-12-31');
    expect(conditionOf(v, 'tsme.size.staff').inputYears).to.deep.equal([2024]);
    expect(conditionOf(v, 'tsme.size.staff')).to.include({ interpretation: true });
  });

  it('When the data-year option is −2, then the 2023 figures are used', () => {
    const v = checkTechSme(firmWith({ 2023: { staffTotal: 600 } }), { ...EVAL, options: { dataYearOffset: -2 } });
    expect(conditionOf(v, 'tsme.size.staff')).to.include({ status: 'fail' });
    expect(conditionOf(v, 'tsme.size.staff').inputYears).to.deep.equal([2023]);
  });

  describe('第六条（二）size limits (不超过 = inclusive)', () => {
    it('When staff are exactly 500, then it passes; 500.01 or 501, then it fails', () => {
      expect(conditionOf(check({ staffTotal: 500 }), 'tsme.size.staff').status).to.equal('pass');
      expect(conditionOf(check({ staffTotal: 500.01 }), 'tsme.size.staff').status).to.equal('fail');
      const over = conditionOf(check({ staffTotal: 501 }), 'tsme.size.staff');
      expect(over.status).to.equal('fail');
      expect(over.gapAmount).to.equal(1);
    });

    it('When sales are exactly 2亿, then it passes; 2亿+1元, then it fails', () => {
      expect(conditionOf(check({ salesRevenue: 20000 * WAN }), 'tsme.size.sales').status).to.equal('pass');
      const over = conditionOf(check({ salesRevenue: 20000 * WAN + 1 }), 'tsme.size.sales');
      expect(over.status).to.equal('fail');
      expect(over.gapAmount).to.equal(1);
    });

    it('When total assets are exactly 2亿, then it passes; 2亿+1元, then it fails', () => {
      expect(conditionOf(check({ totalAssets: 20000 * WAN }), 'tsme.size.assets').status).to.equal('pass');
      expect(conditionOf(check({ totalAssets: 20000 * WAN + 1 }), 'tsme.size.assets').status).to.equal('fail');
    });

    it('When a size figure is not entered, then it is missing', () => {
      expect(conditionOf(check({ staffTotal: null }), 'tsme.size.staff').status).to.equal('missing');
      expect(conditionOf(check({ totalAssets: null }), 'tsme.size.assets').status).to.equal('missing');
    });
  });

  describe('第六条（四）integrity', () => {
    it('When the firm is on the abnormal list or has serious dishonesty, then it fails; when not entered, missing', () => {
      expect(conditionOf(check({}, { listedAbnormal: true }), 'tsme.integrity.abnormal_list').status).to.equal('fail');
      expect(conditionOf(check({}, { listedAbnormal: undefined }), 'tsme.integrity.abnormal_list').status).to.equal('missing');
      expect(conditionOf(check({}, { seriousDishonesty: true }), 'tsme.integrity.dishonesty').status).to.equal('fail');
      expect(conditionOf(check({}, { seriousDishonesty: null }), 'tsme.integrity.dishonesty').status).to.equal('missing');
    });

    it('When a major incident happened in the previous year or the current year, then it fails; two years back, it passes', () => {
      expect(conditionOf(check({ majorIncident: true }), 'tsme.integrity.incident').status).to.equal('fail');
      expect(conditionOf(checkTechSme(firmWith({ 2025: { majorIncident: true } }), EVAL), 'tsme.integrity.incident').status).to.equal('fail');
      expect(conditionOf(checkTechSme(firmWith({ 2023: { majorIncident: true } }), EVAL), 'tsme.integrity.incident').status).to.equal('pass');
      expect(conditionOf(check({ majorIncident: null }), 'tsme.integrity.incident').status).to.equal('missing');
    });
  });

  describe('第六条（五）/第七条 score', () => {
    it('When the score is 58, then condition (五) fails', () => {
      const v = check(SCORE_58);
      expect(v.score?.total).to.deep.equal([58, 58]);
      const c = conditionOf(v, 'tsme.score');
      expect(c.status).to.equal('fail');
      expect(c.gapAmount).to.equal(2);
      expect(v.status).to.equal('fail');
    });

    it('When the score is exactly 60, then condition (五) passes by the score route', () => {
      const v = check(SCORE_60);
      expect(v.score?.total).to.deep.equal([60, 60]);
      expect(conditionOf(v, 'tsme.score').status).to.equal('pass');
      expect(v.score?.route).to.equal('score');
    });

    it('When the tech-staff score is 0, then (五) fails even with a total of 80', () => {
      const v = check({ techStaff: 9.99 });
      expect(v.score?.total).to.deep.equal([80, 80]);
      const c = conditionOf(v, 'tsme.score');
      expect(c.status).to.equal('fail');
      expect(c.note).to.contain('科技人员指标得分为0分');
    });

    it('When the staff ratio sits on a band line, then the lower bound is inclusive', () => {
      expect(scoreItem(check({ techStaff: 30 }), 'tsme.score.staff').points).to.deep.equal([20, 20]);
      expect(scoreItem(check({ techStaff: 29.99 }), 'tsme.score.staff').points).to.deep.equal([16, 16]);
      expect(scoreItem(check({ techStaff: 10 }), 'tsme.score.staff').points).to.deep.equal([4, 4]);
      expect(scoreItem(check({ techStaff: 9.99 }), 'tsme.score.staff').points).to.deep.equal([0, 0]);
    });

    it('When the band tables are applied at every line, then each lower bound is inclusive and just below drops a band', () => {
      const lines: [bigint, number, number][] = [[30n, 20, 16], [25n, 16, 12], [20n, 12, 8], [15n, 8, 4], [10n, 4, 0]];
      for (const [p, at, below] of lines) {
        expect(bandOf(p * 100n, 10_000n, STAFF_BANDS).points).to.equal(at);
        expect(bandOf(p * 100n - 1n, 10_000n, STAFF_BANDS).points).to.equal(below);
      }
      const rdSales: [bigint, number, number][] = [[6n, 50, 40], [5n, 40, 30], [4n, 30, 20], [3n, 20, 10], [2n, 10, 0]];
      for (const [p, at, below] of rdSales) {
        expect(bandOf(p * 100n, 10_000n, RD_SALES_BANDS).points).to.equal(at);
        expect(bandOf(p * 100n - 1n, 10_000n, RD_SALES_BANDS).points).to.equal(below);
      }
      const rdCost: [bigint, number, number][] = [[30n, 50, 40], [25n, 40, 30], [20n, 30, 20], [15n, 20, 10], [10n, 10, 0]];
      for (const [p, at, below] of rdCost) {
        expect(bandOf(p * 100n, 10_000n, RD_COST_BANDS).points).to.equal(at);
        expect(bandOf(p * 100n - 1n, 10_000n, RD_COST_BANDS).points).to.equal(below);
      }
    });

    it('When IP is counted, then ≥1 Class I → 30 and Class II 4+/3/2/1/0 → 24/18/12/6/0', () => {
      expect(tsmeIpBand(1n, 0n).points).to.equal(30);
      expect([4n, 3n, 2n, 1n, 0n].map((n) => tsmeIpBand(0n, n).points)).to.deep.equal([24, 18, 12, 6, 0]);
      expect(scoreItem(check({ ipClass1: 0, ipClass2: 7, ipClass2Used: 7 }), 'tsme.score.ip').points).to.deep.equal([24, 24]);
    });

    it('When option (2) scores higher than option (1), then both are reported and (2) is selected', () => {
      // (1) 160万/4000万 = 4% → 30; (2) 160万/500万 = 32% → 50
      const v = check({ rdDeductible: 160 * WAN, totalCost: 500 * WAN });
      expect(scoreItem(v, 'tsme.score.rd.sales')).to.deep.include({ points: [30, 30], selected: false });
      expect(scoreItem(v, 'tsme.score.rd.cost')).to.deep.include({ points: [50, 50], selected: true });
      expect(v.score?.indicators.find((i) => i.id === 'tsme.score.rd')?.points).to.deep.equal([50, 50]);
    });

    it('When option (1) scores higher than option (2), then (1) is selected', () => {
      const v = check({ rdDeductible: 240 * WAN, totalCost: 10000 * WAN }); // 6% → 50; 2.4% → 0
      expect(scoreItem(v, 'tsme.score.rd.sales')).to.deep.include({ points: [50, 50], selected: true });
      expect(scoreItem(v, 'tsme.score.rd.cost')).to.deep.include({ points: [0, 0], selected: false });
    });

    it('When R&D uses the 加计扣除 basis, then rdExpense (HTE basis) is ignored', () => {
      const v = check({ rdExpense: 0, rdDeductible: 240 * WAN });
      expect(scoreItem(v, 'tsme.score.rd.sales').points).to.deep.equal([50, 50]);
    });

    it('When the score figures are missing and no direct route applies, then (五) is missing, not fail', () => {
      const v = check({ techStaff: null });
      expect(conditionOf(v, 'tsme.score').status).to.equal('missing');
    });
  });

  describe('第八条 direct confirmation (replaces only (五))', () => {
    const HTE_CERT = { hteCertificate: { issuedOn: '2023-12-08' } };

    it('When an HTE certificate holder has a low score, then (五) passes by the direct route', () => {
      const v = check({ techStaff: 5, ipClass1: 0, ipClass2: 0 }, HTE_CERT);
      const c = conditionOf(v, 'tsme.score');
      expect(c.status).to.equal('pass');
      expect(c.value).to.contain('直接确认');
      expect(v.score?.route).to.equal('direct');
      expect(route(v, 'hte_certificate')?.status).to.equal('pass');
    });

    it('When an HTE certificate holder has 501 staff, then the size limit still fails the verdict', () => {
      const v = check({ staffTotal: 501 }, HTE_CERT);
      expect(conditionOf(v, 'tsme.score').status).to.equal('pass');
      expect(conditionOf(v, 'tsme.size.staff').status).to.equal('fail');
      expect(v.status).to.equal('fail');
    });

    it('When a direct-route holder is on the abnormal list, then the verdict fails', () => {
      expect(check({}, { ...HTE_CERT, listedAbnormal: true }).status).to.equal('fail');
    });

    it('When the certificate expired before the evaluation date, then that route is not met', () => {
      const v = check(SCORE_58, { hteCertificate: { issuedOn: '2021-12-01' } }); // valid until 2024-12-01
      expect(route(v, 'hte_certificate')?.status).to.equal('fail');
      expect(conditionOf(v, 'tsme.score').status).to.equal('fail');
    });

    it('When the evaluation date is given, then certificate validity is judged on that date', () => {
      const cert = { hteCertificate: { issuedOn: '2022-11-15' } }; // valid until 2025-11-15
      expect(route(check(SCORE_58, cert, { evaluationDate: '2025-07-01' }), 'hte_certificate')?.status).to.equal('pass');
      expect(route(check(SCORE_58, cert), 'hte_certificate')?.status).to.equal('fail');
    });

    it('When the certificate carries its own validUntil, then that date is used', () => {
      const v = check(SCORE_58, { hteCertificate: { issuedOn: '2021-12-01', validUntil: '2026-01-01' } });
      expect(route(v, 'hte_certificate')?.status).to.equal('pass');
    });

    it('When a standard was led within the last five years (2021–2025), then the route is met; 2020 is too old', () => {
      expect(route(checkTechSme(firmWith({ 2024: SCORE_58, 2021: { standardsLed: 1 } }), EVAL), 'standard_led')?.status).to.equal('pass');
      const old = checkTechSme(firmWith({ 2024: SCORE_58, 2020: { standardsLed: 1 } }), EVAL);
      expect(route(old, 'standard_led')?.status).to.equal('fail');
      expect(conditionOf(old, 'tsme.score').status).to.equal('fail');
    });

    it('When a national award (top three) was won in 2023, then the route is met', () => {
      const v = checkTechSme(firmWith({ 2024: SCORE_58, 2023: { nationalAwardTop3: true } }), EVAL);
      expect(route(v, 'national_award')?.status).to.equal('pass');
      expect(conditionOf(v, 'tsme.score').status).to.equal('pass');
    });

    it('When the firm holds a provincial R&D institution, then the route is met', () => {
      const v = checkTechSme(firmWith({ 2024: SCORE_58, 2025: { hasRdInstitution: true } }), EVAL);
      expect(route(v, 'rd_institution')?.status).to.equal('pass');
    });

    it('When the score fails but a direct-route flag is not entered, then (五) is missing, not fail', () => {
      const v = checkTechSme(firmWith({ 2024: SCORE_58, 2022: { nationalAwardTop3: null } }), EVAL);
      expect(route(v, 'national_award')?.status).to.equal('missing');
      const c = conditionOf(v, 'tsme.score');
      expect(c.status).to.equal('missing');
      expect(c.note).to.contain('直接确认条件缺少数据');
    });
  });
});
