import { expect } from 'chai';
import {
  changeReportDueOn, hteCertificateCalendar, hteStatusOn, missedAnnualReports,
} from '../../../src/domain/eligibility/index.js';
import { addDays, daysBetween, tryParseDate } from '../../../src/domain/eligibility/dates.js';

describe('HTE certificate calendar', () => {
  describe('hteCertificateCalendar', () => {
    it('When a certificate is issued on 2023-12-08, then it is valid through 2026-12-08 with three annual reports', () => {
      const cal = hteCertificateCalendar('2023-12-08');
      expect(cal).to.deep.include({
        validFrom: '2023-12-08',
        validUntil: '2026-12-08',
        validUntilSource: 'computed',
        expiryYear: 2026,
        taxBenefitFromYear: 2023,
        interpretation: true,
      });
      expect(cal.annualReports).to.deep.equal([
        { year: 2023, dueOn: '2024-05-31' },
        { year: 2024, dueOn: '2025-05-31' },
        { year: 2025, dueOn: '2026-05-31' },
      ]);
      expect(cal.note).to.contain('民法典');
    });

    it('When a certificate is issued on 29 February, then the last valid day is 28 February three years later', () => {
      const cal = hteCertificateCalendar('2024-02-29');
      expect(cal.validUntil).to.equal('2027-02-28');
      expect(cal.annualReports.map((r) => r.year)).to.deep.equal([2023, 2024, 2025]);
    });

    it('When the validity end is overridden, then the override wins and drives the report deadlines', () => {
      const cal = hteCertificateCalendar('2023-12-08', { validUntilOverride: '2026-06-30' });
      expect(cal).to.deep.include({ validUntil: '2026-06-30', validUntilSource: 'override', expiryYear: 2026 });
      expect(cal.annualReports.at(-1)).to.deep.equal({ year: 2025, dueOn: '2026-05-31' });
    });

    it('When a certificate is issued before 31 May, then that year’s deadline is inside validity and the last year’s is not', () => {
      const cal = hteCertificateCalendar('2023-03-15');
      expect(cal.validUntil).to.equal('2026-03-15');
      expect(cal.annualReports.map((r) => r.dueOn)).to.deep.equal(['2023-05-31', '2024-05-31', '2025-05-31']);
    });

    it('When a date is malformed or the override precedes the issue date, then it throws', () => {
      expect(() => hteCertificateCalendar('2023-02-29')).to.throw(RangeError);
      expect(() => hteCertificateCalendar('2023-12-08', { validUntilOverride: '2023-01-01' })).to.throw(RangeError);
    });
  });

  describe('hteStatusOn', () => {
    const cal = hteCertificateCalendar('2023-12-08');

    it('When the date is before the issue date, then not_yet; from the issue date, valid', () => {
      expect(hteStatusOn(cal, '2023-12-07')).to.equal('not_yet');
      expect(hteStatusOn(cal, '2023-12-08')).to.equal('valid');
      expect(hteStatusOn(cal, '2025-12-31')).to.equal('valid');
    });

    it('When the date falls in the calendar year of expiry, then expiry_year (期满当年 – 重新认定中), also after the last valid day', () => {
      expect(hteStatusOn(cal, '2026-01-01')).to.equal('expiry_year');
      expect(hteStatusOn(cal, '2026-12-08')).to.equal('expiry_year');
      expect(hteStatusOn(cal, '2026-12-20')).to.equal('expiry_year');
    });

    it('When the expiry year is over, then expired', () => {
      expect(hteStatusOn(cal, '2027-01-01')).to.equal('expired');
    });
  });

  describe('changeReportDueOn (三个月内)', () => {
    it('When the event is on the 15th, then the report is due on the 15th three months later', () => {
      expect(changeReportDueOn('2024-01-15')).to.equal('2024-04-15');
    });

    it('When the month three months later has no corresponding day, then the month end is the due date', () => {
      expect(changeReportDueOn('2024-11-30')).to.equal('2025-02-28');
      expect(changeReportDueOn('2023-11-30')).to.equal('2024-02-29');
      expect(changeReportDueOn('2024-03-31')).to.equal('2024-06-30');
    });

    it('When the event is late in the year, then the due date moves into the next year', () => {
      expect(changeReportDueOn('2024-12-31')).to.equal('2025-03-31');
    });
  });

  describe('missedAnnualReports (指引 五（二）)', () => {
    const cal = hteCertificateCalendar('2023-12-08');

    it('When two deadlines passed without a report, then cancellation risk is flagged', () => {
      const r = missedAnnualReports(cal, [2023], '2026-06-01');
      expect(r.missed).to.deep.equal([{ year: 2024, dueOn: '2025-05-31' }, { year: 2025, dueOn: '2026-05-31' }]);
      expect(r.missedCount).to.equal(2);
      expect(r.cancellationRisk).to.equal(true);
    });

    it('When one deadline was missed and the next is not yet due, then there is no cancellation risk yet', () => {
      const r = missedAnnualReports(cal, [], '2025-05-31');
      expect(r.missedCount).to.equal(1);
      expect(r.cancellationRisk).to.equal(false);
      expect(r.deadlines.map((d) => d.state)).to.deep.equal(['missed', 'upcoming', 'upcoming']);
    });

    it('When a report was submitted after 31 May, then it counts as not on time', () => {
      const r = missedAnnualReports(cal, [{ year: 2023, submittedOn: '2024-06-03' }, { year: 2024, submittedOn: '2025-05-31' }], '2025-07-01');
      expect(r.deadlines.map((d) => d.state)).to.deep.equal(['late', 'on_time', 'upcoming']);
      expect(r.missedCount).to.equal(1);
    });

    it('When every report was filed, then nothing is missed', () => {
      expect(missedAnnualReports(cal, [2023, 2024, 2025], '2027-01-01').missedCount).to.equal(0);
    });
  });

  describe('date helpers', () => {
    it('When counting days, then the start day is not counted', () => {
      expect(daysBetween('2024-06-01', '2025-06-01')).to.equal(365);
      expect(daysBetween('2023-06-01', '2024-06-01')).to.equal(366);
      expect(addDays('2024-06-01', 365)).to.equal('2025-06-01');
      expect(addDays('2024-02-28', 1)).to.equal('2024-02-29');
    });

    it('When a date does not exist, then it is rejected', () => {
      expect(tryParseDate('2023-02-29')).to.equal(null);
      expect(tryParseDate('2024-13-01')).to.equal(null);
      expect(tryParseDate('2024-2-1')).to.equal(null);
      expect(tryParseDate('2024-02-29')).to.deep.equal({ y: 2024, m: 2, d: 29 });
    });
  });
});
