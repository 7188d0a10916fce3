import { expect } from 'chai';
import {
  atLeast, ceilDiv, compare, decimal, floorDiv, formatFraction, formatHundredths, formatPercent, formatWan, frac, pct,
  ratioAtLeast, toHundredths, toYuan, yuanToWan,
} from '../../../src/domain/eligibility/ratio.js';

describe('eligibility/ratio', () => {
  describe('exact fractions', () => {
    it('When a threshold is written as a decimal, then it is parsed exactly (no float)', () => {
      expect(decimal('4.5')).to.deep.equal({ num: 45n, den: 10n });
      expect(pct('0.5')).to.deep.equal({ num: 5n, den: 1000n });
      expect(pct(5)).to.deep.equal({ num: 5n, den: 100n });
      expect(decimal(-1.25)).to.deep.equal({ num: -125n, den: 100n });
    });

    it('When the text is not a plain decimal, then it throws', () => {
      expect(() => decimal('1e-7')).to.throw(RangeError);
      expect(() => decimal('abc')).to.throw(RangeError);
    });

    it('When the denominator is negative, then the sign moves to the numerator', () => {
      expect(frac(3n, -4n)).to.deep.equal({ num: -3n, den: 4n });
      expect(() => frac(1n, 0n)).to.throw(RangeError);
    });

    it('When 675万 is compared with 5% of 13500万, then it is exactly equal and passes ≥', () => {
      expect(ratioAtLeast(6_750_000n, 135_000_000n, pct(5))).to.equal(true);
      expect(ratioAtLeast(6_749_999n, 135_000_000n, pct(5))).to.equal(false);
      expect(compare(frac(6_750_000n, 135_000_000n), pct(5))).to.equal(0);
    });

    it('When 0.1 + 0.2 style values are compared, then there is no float error', () => {
      expect(atLeast(frac(3n, 10n), frac(1n, 10n))).to.equal(true);
      expect(compare(decimal('0.3'), frac(3n, 10n))).to.equal(0);
    });

    it('When dividing negative numbers, then floorDiv rounds toward −∞ and ceilDiv toward +∞', () => {
      expect(floorDiv(-7n, 2n)).to.equal(-4n);
      expect(ceilDiv(-7n, 2n)).to.equal(-3n);
      expect(floorDiv(7n, 2n)).to.equal(3n);
      expect(ceilDiv(7n, 2n)).to.equal(4n);
      expect(ceilDiv(6n, 2n)).to.equal(3n);
    });
  });

  describe('formatting', () => {
    it('When a ratio is 9.996%, then it is shown as 9.99%, never 10.00%', () => {
      expect(formatPercent(frac(9996n, 100000n))).to.equal('9.99%');
    });

    it('When a ratio is exactly 5%, then it is shown as 5.00%', () => {
      expect(formatPercent(frac(6_750_000n, 135_000_000n))).to.equal('5.00%');
    });

    it('When a rate is negative, then the display rounds toward −∞', () => {
      expect(formatPercent(frac(-1n, 100000n))).to.equal('-0.01%');
      expect(formatPercent(frac(-5n, 100n))).to.equal('-5.00%');
    });

    it('When an amount in 元 is shown in 万元, then it has 2 decimals with the requested rounding', () => {
      expect(yuanToWan(1_860_000n)).to.equal('186.00');
      expect(yuanToWan(1n, 'ceil')).to.equal('0.01');
      expect(yuanToWan(149n)).to.equal('0.01');
      expect(yuanToWan(150n)).to.equal('0.02');
      expect(yuanToWan(199n, 'floor')).to.equal('0.01');
      expect(formatWan(-1_000_000n)).to.equal('-100.00万元');
    });

    it('When a fraction is shown as a plain number, then it is rounded down', () => {
      expect(formatFraction(frac(2n, 3n))).to.equal('0.66');
    });
  });

  describe('input conversion', () => {
    it('When money is not a safe integer, then it is rejected', () => {
      expect(toYuan(12.5)).to.equal(null);
      expect(toYuan(-3)).to.equal(-3n);
    });

    it('When a headcount has at most 2 decimals, then it becomes exact hundredths', () => {
      expect(toHundredths(45.5)).to.equal(4550n);
      expect(toHundredths(0.29)).to.equal(29n); // 0.29 * 100 = 28.999999999999996 in floats
      expect(toHundredths(45.555)).to.equal(null);
      expect(toHundredths(-1)).to.equal(null);
      expect(formatHundredths(4550n)).to.equal('45.5');
      expect(formatHundredths(4500n)).to.equal('45');
      expect(formatHundredths(4525n)).to.equal('45.25');
      expect(formatHundredths(0n)).to.equal('0');
    });
  });
});
