/**
 * Staff by month (《高新技术企业认定管理工作指引》三（五）):
 * "企业当年职工总数、科技人员数均按照全年月平均数计算。月平均数＝（月初数＋月末数）÷2；
 *  全年月平均数＝全年各月平均数之和÷12";
 * "兼职、临时聘用人员全年须在企业累计工作183天以上" (职工总数 and 科技人员 alike).
 *
 * The counsellor types the head count at the start of the year (= 31 Dec of the year before) and at
 * each month end for 在职 staff, and lists part-time/temporary staff one by one with their days of
 * work and the months they were with the firm. The averages are exact fractions: nothing is rounded
 * before a threshold is compared (10.125 / 101.2917… is 9.9959%, not 10.00%).
 */
import { add, frac, type Fraction } from './ratio.js';

/** 183 days: "累计工作183天以上" — 以上 includes 本数 (《民法典》第一千二百五十九条). */
export const PART_TIME_MIN_DAYS = 183;

export interface PartTimeStaff {
  label: string; // 姓名或编号
  days: number; // days of work in the year
  fromMonth: number; // 1–12, first month with the firm
  toMonth: number; // 1–12, last month with the firm
  tech: boolean; // 科技人员
}

export interface StaffMonthsInput {
  year: number;
  /** 13 counts of 在职 staff: [0] = 年初 (31 Dec of the year before), [1..12] = month ends. */
  total: number[];
  /** 13 counts of 在职 科技人员, same positions. */
  tech: number[];
  partTime: PartTimeStaff[];
}

export interface PartTimeVerdict extends PartTimeStaff {
  counted: boolean;
  months: number;
  reason: string;
}

export interface StaffAverage {
  year: number;
  total: Fraction; // 职工总数, annual monthly average, exact
  tech: Fraction; // 科技人员数, annual monthly average, exact
  partTime: PartTimeVerdict[];
  source: string;
}

/** Σ over the 12 months of (月初 + 月末) ÷ 2, ÷ 12 = (s0 + 2·(s1…s11) + s12) ÷ 24, for whole counts. */
export function monthlyAverage(counts: readonly number[]): Fraction {
  if (counts.length !== 13) throw new RangeError('monthlyAverage needs 13 counts (start of year and 12 month ends)');
  let twice = 0n;
  for (let m = 1; m <= 12; m += 1) twice += BigInt(counts[m - 1]!) + BigInt(counts[m]!); // 月初数 + 月末数
  return frac(twice, 24n); // (Σ (月初+月末)/2) / 12
}

/**
 * A part-time or temporary person counts only with 183 days or more (指引 三（五）); then as present at
 * the start and end of each month from `fromMonth` to `toMonth`, i.e. months/12 of a person.
 */
export function partTimeVerdict(p: PartTimeStaff): PartTimeVerdict {
  const months = p.toMonth - p.fromMonth + 1;
  if (p.days >= PART_TIME_MIN_DAYS) {
    return { ...p, counted: true, months, reason: `累计工作 ${p.days} 天，满183天，按在企 ${months} 个月计入` };
  }
  return { ...p, counted: false, months, reason: `累计工作 ${p.days} 天，不满183天，不计入（指引 三（五））` };
}

export function staffAverage(input: StaffMonthsInput): StaffAverage {
  const partTime = input.partTime.map(partTimeVerdict);
  let total = monthlyAverage(input.total);
  let tech = monthlyAverage(input.tech);
  for (const p of partTime) {
    if (!p.counted) continue;
    total = add(total, frac(BigInt(p.months), 12n));
    if (p.tech) tech = add(tech, frac(BigInt(p.months), 12n));
  }
  const counted = partTime.filter((p) => p.counted).length;
  const source = `按${input.year}年月度人数精确计算（年初及12个月末在职人数${partTime.length ? `，兼职/临时 ${partTime.length} 人中 ${counted} 人满183天计入` : ''}）`;
  return { year: input.year, total, tech, partTime, source };
}

/** Days in the months from..to of a year (to check a part-timer's days are possible). */
export function daysInMonths(year: number, fromMonth: number, toMonth: number): number {
  let days = 0;
  for (let m = fromMonth; m <= toMonth; m += 1) days += new Date(Date.UTC(year, m, 0)).getUTCDate();
  return days;
}
