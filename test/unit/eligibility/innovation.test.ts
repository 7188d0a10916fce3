import { expect } from 'chai';
import { assessGrowth, checkHighTech, DEFAULT_HTE_OPTIONS, growthBand, hteInnovationStatus } from '../../../src/domain/eligibility/index.js';
import type { HteOptions, ScoreEstimate, ScoreItem, YearFigures } from '../../../src/domain/eligibility/index.js';
import { pct } from '../../../src/domain/eligibility/ratio.js';
import { conditionOf, firmWith } from './factories.js';

const APPLY = { applyDate: '2025-06-01' };

function estimate(years: Record<number, Partial<YearFigures>>, options?: HteOptions, registeredOn = '2015-03-01'): ScoreEstimate {
  const v = checkHighTech(firmWith(years, { registeredOn }), { ...APPLY, ...(options ? { options } : {}) });
  if (!v.score) throw new Error('no score');
  return v.score;
}

function item(score: ScoreEstimate, id: string): ScoreItem {
  const found = score.indicators.flatMap((i) => i.items).find((i) => i.id === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
}

function indicatorPoints(score: ScoreEstimate, id: string): [number, number] {
  const found = score.indicators.find((i) => i.id === id);
  if (!found) throw new Error(`no indicator ${id}`);
  return found.points;
}

const three = (key: keyof YearFigures, a: number | null, b: number | null, c: number | null): Record<number, Partial<YearFigures>> => ({
  2022: { [key]: a }, 2023: { [key]: b }, 2024: { [key]: c },
});
const big = (values: number[]) => values.map((v) => BigInt(v));
const opts = (o: HteOptions = {}) => ({ ...DEFAULT_HTE_OPTIONS, ...o });

describe('HTE innovation estimate (指引 三（七）)', () => {
  describe('pass line > 70 (不含70分)', () => {
    it('When the total is exactly 70, then it does not pass', () => {
      expect(hteInnovationStatus([70, 70])).to.equal('fail');
      expect(hteInnovationStatus([40, 70])).to.equal('fail');
    });

    it('When even the minimum is 71, then it passes; when the range straddles 70, then it needs review', () => {
      expect(hteInnovationStatus([71, 71])).to.equal('pass');
      expect(hteInnovationStatus([70, 71])).to.equal('review');
    });

    it('When a firm can at best reach exactly 70 points, then condition （七） fails and so does the verdict', () => {
      // IP max 8+8+2(D: 2 Class II)+6+0 = 24; conversions avg 1 → E max 6; R&D mgmt 20; growth 35% → A 10 + A 10 → 70
      const years: Record<number, Partial<YearFigures>> = {
        ...three('conversions', 1, 1, 1),
        2024: { ipClass1: 0, ipClass2: 2, ipClass2Used: 0, conversions: 1 },
      };
      for (const y of [2022, 2023, 2024] as const) {
        const v = [10_000_000, 13_500_000, 18_225_000][y - 2022] as number;
        years[y] = { ...years[y], netAssets: v, salesRevenue: v };
      }
      const v = checkHighTech(firmWith(years), APPLY);
      expect(v.score?.total[1]).to.equal(70);
      expect(conditionOf(v, 'hte.innovation').status).to.equal('fail');
      expect(conditionOf(v, 'hte.innovation').gapAmount).to.equal(1);
      expect(v.status).to.equal('fail');

      // with a led standard the bonus (1–2) lifts the maximum to 72: no longer a certain fail
      const withStandard = checkHighTech(firmWith({ ...years, 2024: { ...years[2024], standardsLed: 1 } }), APPLY);
      expect(withStandard.score?.total[1]).to.equal(72);
      expect(conditionOf(withStandard, 'hte.innovation').status).to.equal('review');
    });

    it('When expert-only items are present, then they are shown as their full range', () => {
      const s = estimate({});
      expect(item(s, 'hte.score.ip.advancement')).to.include({ basis: 'expert', status: 'expert' });
      expect(item(s, 'hte.score.ip.advancement').points).to.deep.equal([0, 8]);
      expect(item(s, 'hte.score.ip.core_support').points).to.deep.equal([0, 8]);
      expect(indicatorPoints(s, 'hte.score.rd_management')).to.deep.equal([0, 20]);
      expect(s.scheme).to.equal('hte-innovation-2016');
    });
  });

  describe('知识产权 (≤30)', () => {
    const quantity = (c1: number, c2: number, used: number) => item(estimate({ 2024: { ipClass1: c1, ipClass2: c2, ipClass2Used: used } }), 'hte.score.ip.quantity');

    it('When the firm holds any Class I right, then the quantity band is A (7–8)', () => {
      expect(quantity(1, 0, 0)).to.deep.include({ band: 'A', points: [7, 8] });
    });

    it('When counting Class II rights, then only unused ones count: ≥5 B, 3–4 C, 1–2 D, 0 E', () => {
      expect(quantity(0, 5, 0)).to.deep.include({ band: 'B', points: [5, 6] });
      expect(quantity(0, 6, 2)).to.deep.include({ band: 'C', points: [3, 4] });
      expect(quantity(0, 3, 0)).to.deep.include({ band: 'C', points: [3, 4] });
      expect(quantity(0, 2, 0)).to.deep.include({ band: 'D', points: [1, 2] });
      expect(quantity(0, 5, 4)).to.deep.include({ band: 'D', points: [1, 2] });
      expect(quantity(0, 2, 2)).to.deep.include({ band: 'E', points: [0, 0] });
    });

    it('When the standards bonus would push the indicator above 30, then it is capped at 30', () => {
      const s = estimate({ 2024: { standardsLed: 1 } });
      expect(item(s, 'hte.score.ip.standards')).to.deep.include({ band: 'A', points: [1, 2], status: 'review' });
      expect(indicatorPoints(s, 'hte.score.ip')).to.deep.equal([9, 30]); // 0+0+7+1+1 .. min(8+8+8+6+2, 30)
    });

    it('When IP counts are missing, then the quantity item is missing with its full range', () => {
      expect(item(estimate({ 2024: { ipClass1: null } }), 'hte.score.ip.quantity')).to.deep.include({ status: 'missing', points: [0, 8] });
    });
  });

  describe('科技成果转化能力 (≤30), by the 3-year yearly average', () => {
    const conversion = (a: number | null, b: number | null, c: number | null, o?: HteOptions) =>
      item(estimate(three('conversions', a, b, c), o), 'hte.score.conversion');

    it('When the average is exactly 5, 4, 3, 2 or 1, then the band is A, B, C, D or E', () => {
      expect(conversion(5, 5, 5)).to.deep.include({ band: 'A', points: [25, 30] });
      expect(conversion(4, 4, 4)).to.deep.include({ band: 'B', points: [19, 24] });
      expect(conversion(3, 3, 3)).to.deep.include({ band: 'C', points: [13, 18] });
      expect(conversion(2, 2, 2)).to.deep.include({ band: 'D', points: [7, 12] });
      expect(conversion(1, 1, 1)).to.deep.include({ band: 'E', points: [1, 6] });
      expect(conversion(0, 0, 0)).to.deep.include({ band: 'F', points: [0, 0] });
    });

    it('When the average is just below a band line (14 in 3 years = 4.67), then the lower band applies', () => {
      expect(conversion(5, 5, 4)).to.deep.include({ band: 'B' });
    });

    it('When the average is strictly between 0 and 1 (2 in 3 years), then it needs review with range 0–6', () => {
      const c = conversion(1, 0, 1);
      expect(c).to.deep.include({ status: 'review', band: null, points: [0, 6], interpretation: true });
      expect(c.note).to.contain('介于0与1之间');
    });

    it('When the option maps 0 < average < 1 to F or E, then that band is used and labelled', () => {
      expect(conversion(1, 0, 1, { conversionsBelowOne: 'F' })).to.deep.include({ band: 'F', points: [0, 0], interpretation: true });
      expect(conversion(1, 0, 1, { conversionsBelowOne: 'E' })).to.deep.include({ band: 'E', points: [1, 6], interpretation: true });
    });

    it('When a year is not entered, then the item is missing and the estimate status is missing', () => {
      const s = estimate(three('conversions', 5, null, 5));
      expect(item(s, 'hte.score.conversion')).to.deep.include({ status: 'missing', points: [0, 30] });
      expect(s.status).to.equal('missing');
    });

    it('When the firm operated only two years, then the average divides by 2 (configurable) and is labelled', () => {
      const s = estimate({ 2023: { conversions: 1 }, 2024: { conversions: 1 } }, undefined, '2023-01-10');
      expect(item(s, 'hte.score.conversion')).to.deep.include({ band: 'E', interpretation: true });
      const byThree = estimate({ 2023: { conversions: 1 }, 2024: { conversions: 1 } }, { conversionsDivisor: 'three' }, '2023-01-10');
      expect(item(byThree, 'hte.score.conversion').status).to.equal('review');
    });
  });

  describe('企业成长性 (≤20): rate = 1/2 × (y2/y1 + y3/y2) − 1', () => {
    it('When the rate is exactly 35%, then band A; just below, band B', () => {
      expect(assessGrowth(big([10000, 13500, 18225]), opts())).to.deep.include({ band: 'A', points: [9, 10], value: '35.00%' });
      expect(assessGrowth(big([10000, 13500, 18224]), opts())).to.deep.include({ band: 'B', points: [7, 8], value: '34.99%' });
    });

    it('When rates sit on the 25% and 15% lines, then the lower bound is inclusive', () => {
      expect(growthBand(pct(25), 'mainTable').band).to.equal('B');
      expect(growthBand(pct('24.99'), 'mainTable').band).to.equal('C');
      expect(growthBand(pct(15), 'mainTable').band).to.equal('C');
      expect(growthBand(pct('14.99'), 'mainTable').band).to.equal('D');
      expect(growthBand(pct('0.01'), 'mainTable')).to.deep.equal({ band: 'E', points: [1, 2] });
      expect(growthBand(pct(0), 'mainTable')).to.deep.equal({ band: 'F', points: [0, 0] });
    });

    it('When the rate is exactly 5%, then the main table gives D with a warning and the Annex 4 option gives E', () => {
      const main = assessGrowth(big([10000, 10500, 11025]), opts());
      expect(main).to.deep.include({ band: 'D', points: [3, 4], interpretation: true });
      expect(main.note).to.contain('附件4');
      const annex = assessGrowth(big([10000, 10500, 11025]), opts({ growthFivePercent: 'annex4' }));
      expect(annex).to.deep.include({ band: 'E', points: [1, 2] });
    });

    it('When the rate is within ±0.5 points of 5% but not on it, then a warning is shown without changing the band', () => {
      const near = assessGrowth(big([10000, 10500, 11000]), opts()); // (1.05 + 1.047619…)/2 − 1 = 4.88%
      expect(near.band).to.equal('E');
      expect(near.note).to.contain('接近5%');
      expect(assessGrowth(big([10000, 11000, 12100]), opts()).note).to.equal(undefined); // 10%
    });

    it('When the rate is negative, then 0 points', () => {
      const g = assessGrowth(big([100, 90, 80]), opts());
      expect(g).to.deep.include({ band: 'F', points: [0, 0] });
      expect(g.value).to.match(/^-/);
      expect(g.note).to.contain('为负');
    });

    it('When the first year is 0, then it is computed from the last two years (y3/y2 − 1), labelled as interpretation', () => {
      const g = assessGrowth(big([0, 100, 150]), opts());
      expect(g).to.deep.include({ band: 'A', value: '50.00%', interpretation: true });
      expect(assessGrowth(big([0, 100, 150]), opts({ growthFirstYearZero: 'review' }))).to.deep.include({ status: 'review', points: [0, 10] });
    });

    it('When the second year is 0, then 0 points', () => {
      expect(assessGrowth(big([100, 0, 150]), opts())).to.deep.include({ band: 'F', points: [0, 0], status: 'computed' });
    });

    it('When net assets are negative in year 1 or 2, then the formula is meaningless and it goes to review', () => {
      expect(assessGrowth(big([-100, 50, 200]), opts())).to.deep.include({ status: 'review', band: null, points: [0, 10] });
      expect(assessGrowth(big([100, -50, 200]), opts())).to.deep.include({ status: 'review' });
      expect(assessGrowth(big([-100, 50, 200]), opts({ growthNegativeBase: 'compute' }))).to.deep.include({ band: 'A', interpretation: true });
    });

    it('When only net assets in year 3 are negative, then the rate is computed (negative → 0 points)', () => {
      expect(assessGrowth(big([100, 100, -50]), opts())).to.deep.include({ band: 'F', points: [0, 0] });
    });

    it('When the firm has two operated years, then y2/y1 − 1 is used (configurable); one year needs review', () => {
      expect(assessGrowth(big([100, 130]), opts())).to.deep.include({ band: 'B', interpretation: true });
      expect(assessGrowth(big([100, 130]), opts({ growthShortHistory: 'review' }))).to.deep.include({ status: 'review' });
      expect(assessGrowth(big([100]), opts())).to.deep.include({ status: 'review', points: [0, 10] });
    });

    it('When the growth figures are read from the firm, then net assets and sales are banded separately', () => {
      const s = estimate({ ...three('netAssets', 10000, 13500, 18225), ...{} });
      expect(item(s, 'hte.score.growth.net_assets')).to.deep.include({ band: 'A', inputYears: [2022, 2023, 2024] });
      expect(item(s, 'hte.score.growth.sales')).to.deep.include({ band: 'F' }); // flat sales: rate 0
      const missing = estimate(three('netAssets', 100, null, 200));
      expect(item(missing, 'hte.score.growth.net_assets')).to.deep.include({ status: 'missing', points: [0, 10] });
    });
  });
});
