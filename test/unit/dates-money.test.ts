import { expect } from 'chai';
import { isCalendarDate, shanghaiDate, shanghaiDateTime, shanghaiYearBounds } from '../../src/lib/dates.js';
import { daysBetween } from '../../src/domain/eligibility/dates.js';
import { formatHeadcount, formatWan, parseWan } from '../../src/lib/money.js';
import { cleanFirmName, normalizeFirmName } from '../../src/domain/firm-name.js';

describe('calendar dates (Asia/Shanghai)', () => {
  it('converts instants to Shanghai dates across midnight', () => {
    expect(shanghaiDate('2025-12-31T15:59:59.000Z')).to.equal('2025-12-31');
    expect(shanghaiDate('2025-12-31T16:00:00.000Z')).to.equal('2026-01-01');
  });
  it('shows an instant as Shanghai date and time to the minute', () => {
    expect(shanghaiDateTime('2025-12-31T16:05:59.000Z')).to.equal('2026-01-01 00:05');
    expect(shanghaiDateTime(new Date('2026-03-01T01:30:00Z'))).to.equal('2026-03-01 09:30');
  });
  it('bounds a Shanghai year in UTC', () => {
    expect(shanghaiYearBounds(2026)).to.deep.equal({ start: '2025-12-31T16:00:00.000Z', end: '2026-12-31T16:00:00.000Z' });
  });
  it('rejects impossible dates', () => {
    expect(isCalendarDate('2024-02-29')).to.equal(true);
    expect(isCalendarDate('2023-02-29')).to.equal(false);
    expect(isCalendarDate('2023-2-1')).to.equal(false);
  });
  it('counts whole days', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).to.equal(2);
  });
});

describe('money in 万元 (stored as integer 元)', () => {
  it('formats 元 as 万元 with two decimals, rounding half up', () => {
    expect(formatWan(123456789)).to.equal('12,345.68');
    expect(formatWan(50)).to.equal('0.01');
    expect(formatWan(49)).to.equal('0.00');
    expect(formatWan(-1500000)).to.equal('-150.00');
    expect(formatWan(null)).to.equal('');
  });
  it('parses typed 万元 exactly, without binary floats', () => {
    expect(parseWan('12.3456')).to.deep.equal({ ok: true, yuan: 123456 });
    expect(parseWan('0.1')).to.deep.equal({ ok: true, yuan: 1000 });
    expect(parseWan('１,２３４.５')).to.deep.equal({ ok: true, yuan: 12345000 });
    expect(parseWan('-3')).to.deep.equal({ ok: true, yuan: -30000 });
    expect(parseWan('')).to.deep.equal({ ok: true, yuan: null });
  });
  it('refuses what is not an amount, with a reason', () => {
    expect(parseWan('12.34567').ok).to.equal(false);
    expect(parseWan('abc').ok).to.equal(false);
    expect(parseWan('1e5').ok).to.equal(false);
  });
  it('formats head counts kept as hundredths', () => {
    expect(formatHeadcount(4550)).to.equal('45.5');
    expect(formatHeadcount(4500)).to.equal('45');
  });
});

describe('firm names', () => {
  it('normalises width, brackets and spaces for matching', () => {
    expect(normalizeFirmName('宁波恒拓（余姚） 物联网有限公司')).to.equal(normalizeFirmName('宁波恒拓(余姚)物联网有限公司'));
    expect(normalizeFirmName('ＡＢＣ科技')).to.equal('ABC科技');
  });
  it('cleans a typed name without changing its characters', () => {
    expect(cleanFirmName('  宁波  恒拓 ')).to.equal('宁波 恒拓');
  });
});
