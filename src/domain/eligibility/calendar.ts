/**
 * HTE certificate calendar (domain.md §1.3, §1.4).
 *
 * - Validity, 《高新技术企业认定管理办法》第九条: "其资格自颁发证书之日起有效期为三年". [U] computed per
 *   《民法典》第二百零一条/第二百零二条: the last valid day is the same calendar day three years later, or
 *   the month's last day when there is none (2024-02-29 → 2027-02-28). A caseworker override wins.
 * - Tax benefit, 第十条: "自高新技术企业证书颁发之日所在年度起享受税收优惠".
 * - Annual report, 第十三条: "应每年5月底前…填报上一年度…年度发展情况报表". [U] Which deadlines belong to
 *   a certificate: every 31 May falling AFTER the issue date and ON OR BEFORE the last valid day; each
 *   reports the previous calendar year. A certificate issued in December therefore has three reports
 *   (for the issue year and the next two years).
 * - Missed reports, 指引 五（二）: "在同一高新技术企业资格有效期内，企业累计两年未按规定时限报送…取消".
 * - Change report, 第十七条 / 指引 五（四）: "应在发生之日起三个月内".
 * - Expiry year, 指引 四、3: "资格期满当年内，在通过重新认定前…暂按15%的税率预缴".
 */
import { addMonthsClamped, addYearsClamped, compareDates, formatDate, parseDate } from './dates.js';

export interface AnnualReportDeadline {
  year: number; // the data year reported
  dueOn: string; // 'YYYY-05-31'
}

export interface HteCertificateCalendar {
  issuedOn: string;
  validFrom: string;
  validUntil: string; // last valid day, inclusive
  validUntilSource: 'computed' | 'override';
  expiryYear: number;
  taxBenefitFromYear: number;
  annualReports: AnnualReportDeadline[];
  interpretation: boolean;
  note: string;
}

export function hteCertificateCalendar(issuedOn: string, opts: { validUntilOverride?: string | null } = {}): HteCertificateCalendar {
  parseDate(issuedOn);
  const override = opts.validUntilOverride ?? null;
  if (override !== null) {
    parseDate(override);
    if (compareDates(override, issuedOn) < 0) throw new RangeError(`validUntil ${override} is before issuedOn ${issuedOn}`);
  }
  // 第九条 "自颁发证书之日起有效期为三年" + 民法典 第二百零一条/第二百零二条 [U]
  const validUntil = override ?? addYearsClamped(issuedOn, 3);
  const annualReports: AnnualReportDeadline[] = [];
  for (let y = parseDate(issuedOn).y; y <= parseDate(validUntil).y; y += 1) {
    const dueOn = formatDate({ y, m: 5, d: 31 });
    // 第十三条: deadlines after the issue date, up to and including the last valid day [U]
    if (compareDates(dueOn, issuedOn) > 0 && compareDates(dueOn, validUntil) <= 0) annualReports.push({ year: y - 1, dueOn });
  }
  const notes = [
    override !== null
      ? `有效期截止日采用人工录入值 ${override}`
      : `有效期截止日按《民法典》第二百零一条、第二百零二条推算（解释）：${issuedOn} 起三年，至 ${validUntil}；如认定机构另有规定请人工覆盖`,
    '年度发展情况报表：有效期内（颁发日之后、截止日及之前）的每个5月31日填报上一年度数据（解释）',
  ];
  return {
    issuedOn,
    validFrom: issuedOn,
    validUntil,
    validUntilSource: override !== null ? 'override' : 'computed',
    expiryYear: parseDate(validUntil).y,
    taxBenefitFromYear: parseDate(issuedOn).y, // 第十条
    annualReports,
    interpretation: true,
    note: notes.join('；'),
  };
}

/** 第十七条 / 指引 五（四）: report within three months of the event (month-end rule of 民法典 第二百零二条). */
export function changeReportDueOn(eventDate: string): string {
  return addMonthsClamped(eventDate, 3);
}

export type HteCertificateStatus = 'not_yet' | 'valid' | 'expiry_year' | 'expired';

/**
 * Status on a date. 'expiry_year' ("期满当年 – 重新认定中", 指引 四、3) covers the whole calendar year of
 * validUntil from 1 January — including the days after validUntil in that year, during which the firm
 * still prepays at 15% pending re-recognition. 'expired' starts on 1 January of the next year.
 */
export function hteStatusOn(calendar: Pick<HteCertificateCalendar, 'validFrom' | 'validUntil' | 'expiryYear'>, date: string): HteCertificateStatus {
  const { y } = parseDate(date);
  if (compareDates(date, calendar.validFrom) < 0) return 'not_yet';
  if (y > calendar.expiryYear) return 'expired';
  if (y === calendar.expiryYear) return 'expiry_year';
  return 'valid';
}

export interface ReportSubmission {
  year: number; // data year
  submittedOn?: string | null; // when known; a submission after the deadline counts as missed
}

export interface AnnualReportCheck {
  asOf: string;
  deadlines: (AnnualReportDeadline & { state: 'on_time' | 'late' | 'missed' | 'upcoming' })[];
  missed: AnnualReportDeadline[]; // passed deadlines not met on time (missed or late)
  missedCount: number;
  cancellationRisk: boolean; // ≥ 2 missed within one validity period (指引 五（二）)
  note: string;
}

/**
 * Missed annual reports of one certificate as of a date. `reported` lists data years reported (numbers,
 * taken as on time) or submissions with a date. A deadline counts once its day has passed (dueOn < asOf).
 */
export function missedAnnualReports(
  calendar: Pick<HteCertificateCalendar, 'annualReports'>,
  reported: Iterable<number | ReportSubmission>,
  asOf: string,
): AnnualReportCheck {
  parseDate(asOf);
  const byYear = new Map<number, string | null>();
  for (const r of reported) {
    const s = typeof r === 'number' ? { year: r, submittedOn: null } : { year: r.year, submittedOn: r.submittedOn ?? null };
    const prior = byYear.get(s.year);
    // keep the earliest known submission date; an undated report wins (taken as on time)
    if (prior === undefined || s.submittedOn === null || (prior !== null && compareDates(s.submittedOn, prior) < 0)) byYear.set(s.year, s.submittedOn);
  }
  const deadlines = calendar.annualReports.map((d) => {
    const submitted = byYear.get(d.year);
    let state: 'on_time' | 'late' | 'missed' | 'upcoming';
    if (submitted === undefined) state = compareDates(d.dueOn, asOf) < 0 ? 'missed' : 'upcoming';
    else if (submitted === null || compareDates(submitted, d.dueOn) <= 0) state = 'on_time';
    else state = 'late';
    return { ...d, state };
  });
  const missed = deadlines.filter((d) => d.state === 'missed' || d.state === 'late').map(({ year, dueOn }) => ({ year, dueOn }));
  const cancellationRisk = missed.length >= 2;
  return {
    asOf,
    deadlines,
    missed,
    missedCount: missed.length,
    cancellationRisk,
    note: cancellationRisk
      ? `有效期内已累计 ${missed.length} 年未按时填报年度发展情况报表，存在被取消资格风险（指引 五（二）；办法 第十九条（三））`
      : missed.length === 1
        ? '有效期内已有 1 年未按时填报，再有 1 年即可能被取消资格（指引 五（二））'
        : '有效期内未发现漏报',
  };
}
