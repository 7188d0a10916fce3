import { expect } from 'chai';

import { parseAmount, parseCount, parseHeadcount, parseYear } from '../../../src/features/lists/parsing/numbers.js';
import type { NumberResult } from '../../../src/features/lists/parsing/numbers.js';

function value(r: NumberResult): number | null {
  if (!r.ok) throw new Error(`unexpected error: ${r.error}`);
  return r.value;
}
function error(r: NumberResult | ReturnType<typeof parseYear>): string {
  if (r.ok) throw new Error(`expected an error, got ${String(r.value)}`);
  return r.error;
}

describe('lists-parsing / numbers', () => {
  describe('parseAmount', () => {
    it('reads amounts as typed in Chinese spreadsheets, in 元', () => {
      expect(value(parseAmount('1,234'))).to.equal(1234);
      expect(value(parseAmount('１２３４'))).to.equal(1234);
      expect(value(parseAmount(' 12 '))).to.equal(12);
      expect(value(parseAmount('\u00a012\u3000'))).to.equal(12);
      expect(value(parseAmount('¥1,000'))).to.equal(1000);
      expect(value(parseAmount('￥1,000'))).to.equal(1000);
      expect(value(parseAmount('1,234,567.00'))).to.equal(1234567);
      expect(value(parseAmount('0'))).to.equal(0);
      expect(value(parseAmount('.5', 'wan'))).to.equal(5000);
    });

    it('treats empty markers as null', () => {
      for (const s of ['', '  ', '-', '--', '—', '——', '–', '/', '－', null, undefined]) {
        expect(value(parseAmount(s)), String(s)).to.equal(null);
      }
    });

    it('converts 万元 / 千元 / 亿元 with exact decimal arithmetic', () => {
      expect(value(parseAmount('12.3456', 'wan'))).to.equal(123456);
      expect(value(parseAmount('0.0001', 'wan'))).to.equal(1);
      expect(value(parseAmount('1,234.5678', 'wan'))).to.equal(12345678);
      expect(value(parseAmount('0.29', 'wan'))).to.equal(2900); // 0.29 * 10000 = 2899.9999999999995 in floats
      expect(value(parseAmount('1.005', 'wan'))).to.equal(10050);
      expect(value(parseAmount('12.5', 'qian'))).to.equal(12500);
      expect(value(parseAmount('1.23456789', 'yi'))).to.equal(123456789);
      expect(value(parseAmount('90071992.54740991', 'wan'))).to.equal(900719925474);
    });

    it('takes a unit written in the value over the column unit', () => {
      expect(value(parseAmount('12.3万'))).to.equal(123000);
      expect(value(parseAmount('12.3万元', 'yuan'))).to.equal(123000);
      expect(value(parseAmount('800元', 'wan'))).to.equal(800);
      expect(value(parseAmount('1.5亿'))).to.equal(150000000);
      expect(value(parseAmount('(12.5万)'))).to.equal(-125000);
    });

    it('reads accounting and minus-sign negatives', () => {
      expect(value(parseAmount('(123)'))).to.equal(-123);
      expect(value(parseAmount('（123）'))).to.equal(-123);
      expect(value(parseAmount('-123'))).to.equal(-123);
      expect(value(parseAmount('−123'))).to.equal(-123);
      expect(value(parseAmount('－1.5', 'wan'))).to.equal(-15000);
      expect(value(parseAmount('+7'))).to.equal(7);
      expect(value(parseAmount('-0'))).to.equal(0);
      expect(Object.is(value(parseAmount('-0.0001', 'yuan')), -0)).to.equal(false);
    });

    it('rounds digits below 1 元 half away from zero and says so', () => {
      const r = parseAmount('1234.56');
      expect(r).to.deep.equal({ ok: true, value: 1235, rounded: true });
      expect(parseAmount('1234.50')).to.deep.equal({ ok: true, value: 1235, rounded: true });
      expect(parseAmount('1234.49')).to.deep.equal({ ok: true, value: 1234, rounded: true });
      expect(parseAmount('-1234.5')).to.deep.equal({ ok: true, value: -1235, rounded: true });
      expect(parseAmount('12.34565', 'wan')).to.deep.equal({ ok: true, value: 123457, rounded: true });
      expect(parseAmount('12.34564', 'wan')).to.deep.equal({ ok: true, value: 123456, rounded: true });
      expect(parseAmount('12.345600', 'wan')).to.deep.equal({ ok: true, value: 123456, rounded: false });
    });

    it('refuses what it cannot read, with a Chinese reason', () => {
      expect(error(parseAmount('abc'))).to.equal('无法识别的数字：“abc”');
      expect(error(parseAmount('1,23'))).to.match(/^无法识别的数字/);
      expect(error(parseAmount('1.2.3'))).to.match(/^无法识别的数字/);
      expect(error(parseAmount('12 34'))).to.match(/^无法识别的数字/);
      expect(error(parseAmount('无'))).to.match(/^无法识别的数字/);
      expect(error(parseAmount('(-5)'))).to.match(/^无法识别的数字/);
      expect(error(parseAmount('1.23457E+11'))).to.match(/^数字为科学计数法/);
      expect(error(parseAmount('12%'))).to.match(/百分数/);
      expect(error(parseAmount('9007199254740992'))).to.match(/^数值过大/);
      expect(value(parseAmount('9007199254740991'))).to.equal(Number.MAX_SAFE_INTEGER);
      expect(error(parseAmount('1000000000000', 'wan'))).to.match(/^数值过大/);
    });
  });

  describe('parseCount', () => {
    it('reads non-negative integers with common suffixes', () => {
      expect(value(parseCount('12'))).to.equal(12);
      expect(value(parseCount('12件'))).to.equal(12);
      expect(value(parseCount('３个'))).to.equal(3);
      expect(value(parseCount('1,200人'))).to.equal(1200);
      expect(value(parseCount('12.0'))).to.equal(12);
      expect(value(parseCount('-'))).to.equal(null);
      expect(error(parseCount('1.5'))).to.match(/^应为整数/);
      expect(error(parseCount('-3'))).to.match(/^不能为负数/);
      expect(error(parseCount('三'))).to.match(/^无法识别的数字/);
    });
  });

  describe('parseHeadcount', () => {
    it('reads annual-average head counts: up to two decimals, the same empty markers and grouping as counts', () => {
      expect(value(parseHeadcount('88.5'))).to.equal(88.5);
      expect(value(parseHeadcount('12.25人'))).to.equal(12.25);
      expect(value(parseHeadcount('1,200 人'))).to.equal(1200);
      expect(value(parseHeadcount('１２'))).to.equal(12);
      expect(value(parseHeadcount('12.500'))).to.equal(12.5);
      expect(value(parseHeadcount('9999999'))).to.equal(9999999);
      for (const s of ['', '-', '--', '—', '——', '/', '－']) expect(value(parseHeadcount(s)), s).to.equal(null);
    });
    it('refuses the rest', () => {
      expect(error(parseHeadcount('1,2,3'))).to.match(/^无法识别的数字/);
      expect(error(parseHeadcount('1,23'))).to.match(/^无法识别的数字/);
      expect(error(parseHeadcount('12.345'))).to.match(/^不是有效的人数/);
      expect(error(parseHeadcount('-3'))).to.match(/^不能为负数/);
      expect(error(parseHeadcount('1.2E+3'))).to.match(/^数字为科学计数法/);
      expect(error(parseHeadcount('10000000'))).to.match(/^数值过大/);
      expect(error(parseHeadcount('约20'))).to.match(/^无法识别的数字/);
    });
  });

  describe('parseYear', () => {
    it('reads the forms agencies use', () => {
      for (const s of ['2024', '2024年', '2024年度', ' 2024 ', '２０２４', '2024-12-31', '2024年12月', '2024.12', '20241231', '2024-01-01至2024-12-31', '2024.01-2024.12']) {
        const r = parseYear(s);
        expect(r, s).to.deep.equal({ ok: true, value: 2024 });
      }
      expect(parseYear('')).to.deep.equal({ ok: true, value: null });
    });
    it('refuses the rest', () => {
      expect(error(parseYear('24'))).to.match(/^无法识别的年度/);
      expect(error(parseYear('二〇二四年'))).to.match(/^无法识别的年度/);
      expect(error(parseYear('12345'))).to.match(/^无法识别的年度/);
      expect(error(parseYear('1899'))).to.match(/^年度超出范围/);
      expect(error(parseYear('2023-01-01至2024-12-31'))).to.match(/^所属期跨越/);
    });
  });
});
