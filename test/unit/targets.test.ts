import { expect } from 'chai';
import { DEFAULT_CALENDAR, calendarFromHistory, calendarShare, dayOfYear, linearShare, pace, parseTarget, yearOnYear } from '../../src/domain/targets.js';

describe('targets and pacing (src/domain/targets.ts)', () => {
  it('a target is a whole number ≥ 0; blank removes it; negative and fractional are refused in Chinese', () => {
    expect(parseTarget('166')).to.deep.equal({ ok: true, value: 166 });
    expect(parseTarget(' 1,250 ')).to.deep.equal({ ok: true, value: 1250 });
    expect(parseTarget('２５０')).to.deep.equal({ ok: true, value: 250 });
    expect(parseTarget('0')).to.deep.equal({ ok: true, value: 0 });
    expect(parseTarget('12.0')).to.deep.equal({ ok: true, value: 12 });
    expect(parseTarget('')).to.deep.equal({ ok: true, value: null });
    expect(parseTarget('-5')).to.deep.equal({ ok: false, message: '目标不能为负数。' });
    expect(parseTarget('－5')).to.deep.equal({ ok: false, message: '目标不能为负数。' });
    expect(parseTarget('12.5')).to.deep.equal({ ok: false, message: '目标必须是整数（家数、项数或场数）。' });
    expect(parseTarget('abc')).to.deep.equal({ ok: false, message: '请输入整数。' });
    expect(parseTarget('1e3')).to.deep.equal({ ok: false, message: '请输入整数。' });
    expect((parseTarget('2000000') as { ok: false }).ok).to.equal(false);
  });

  it('the straight line: day of year over the days of the year (leap years too)', () => {
    expect(dayOfYear('2024-12-31')).to.equal(366);
    expect(dayOfYear('2023-12-31')).to.equal(365);
    expect(linearShare(2024, '2024-07-01')).to.be.closeTo(183 / 366, 1e-12);
    expect(linearShare(2023, '2022-12-31')).to.equal(0);
    expect(linearShare(2023, '2024-01-01')).to.equal(1);
  });

  it('the batch calendar: most HTE certificates in Q4; interpolated within a month', () => {
    expect(calendarShare(DEFAULT_CALENDAR.hte_new, 2025, '2025-09-30')).to.equal(0);
    expect(calendarShare(DEFAULT_CALENDAR.hte_new, 2025, '2025-12-31')).to.equal(1);
    expect(calendarShare([0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 2025, '2025-02-14')).to.be.closeTo(0.5 + 0.5 * (14 / 28), 1e-12);
    expect(calendarFromHistory([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 15]])).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.25, 1]);
    expect(calendarFromHistory([[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]])).to.equal(null);
  });

  it('pacing: behind on the straight line in July is on track on the calendar for HTE', () => {
    const p = pace(10, 166, 2023, '2023-07-01', DEFAULT_CALENDAR.hte_new);
    expect(p.linear).to.equal(Math.floor(166 * (182 / 365)));
    expect(p.calendar).to.equal(0);
    expect(p.state).to.equal('ahead');
    expect(pace(90, 166, 2023, '2023-12-15', DEFAULT_CALENDAR.hte_new).state).to.equal('behind'); // calendar expects 110
    expect(pace(100, 166, 2023, '2023-12-15', DEFAULT_CALENDAR.hte_new).state).to.equal('on_track');
    expect(pace(170, 166, 2023, '2023-12-15', DEFAULT_CALENDAR.hte_new).state).to.equal('done');
    expect(pace(5, null, 2023, '2023-12-15', DEFAULT_CALENDAR.hte_new).state).to.equal('none');
    expect(yearOnYear(199, 166)).to.be.closeTo(33 / 166, 1e-12);
    expect(yearOnYear(5, 0)).to.equal(null);
  });
});
