/**
 * Targets (目标) and pacing (issue 10 item 4). Plain functions: the metrics a target can be set for,
 * the validation of a target, and where a figure "should" be by a date — on a straight line
 * through the year and on the usual batch calendar.
 *
 * Source of the 2023 figures: the bureau's reply to CPPCC proposal 113 (shared/seed/): "力争新认定国家
 * 高新技术企业166家，新认定省级科技型中小企业250家".
 */

export const TARGET_METRICS = [
  { key: 'hte_new', label: '新认定高企', unit: '家', source: 'register' },
  { key: 'hte_renewed', label: '重新认定高企', unit: '家', source: 'register' },
  { key: 'hte_valid', label: '有效高企总数', unit: '家', source: 'register' },
  { key: 'tsme', label: '科技型中小企业入库', unit: '家', source: 'register' },
  { key: 'tsme_prov', label: '省级科技型中小企业', unit: '家', source: 'register' },
  { key: 'benchmark', label: '科技领军/小巨人', unit: '家', source: 'register' },
  { key: 'demands', label: '技术需求征集', unit: '项', source: 'coaching' },
  { key: 'events', label: '对接活动', unit: '场', source: 'coaching' },
] as const;

export type TargetMetric = (typeof TARGET_METRICS)[number]['key'];

export function isTargetMetric(v: unknown): v is TargetMetric {
  return typeof v === 'string' && TARGET_METRICS.some((m) => m.key === v);
}

export function targetMetricLabel(key: string): string {
  return TARGET_METRICS.find((m) => m.key === key)?.label ?? key;
}

export const TARGET_MAX = 1_000_000;

/**
 * A target as typed: blank = no target (remove it); otherwise a whole number from 0 to 1,000,000.
 * Full-width digits and thousands separators are accepted (what a bureau types).
 */
export function parseTarget(raw: string | null | undefined): { ok: true; value: number | null } | { ok: false; message: string } {
  const s = (raw ?? '').replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/[,，\s]/g, '').replace(/^＋|^\+/, '');
  if (s === '') return { ok: true, value: null };
  if (/^[-－]/.test(s)) return { ok: false, message: '目标不能为负数。' };
  if (!/^\d+(\.0+)?$/.test(s)) return { ok: false, message: /^\d*\.\d+$/.test(s) ? '目标必须是整数（家数、项数或场数）。' : '请输入整数。' };
  const n = Number(s);
  if (n > TARGET_MAX) return { ok: false, message: `目标不能超过 ${TARGET_MAX.toLocaleString('en-US')}。` };
  return { ok: true, value: n };
}

/** Days of a year (leap years 366). */
export function daysInYear(year: number): number {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365;
}

/** Day of the year of a date (1 January = 1). */
export function dayOfYear(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(y, 0, 1)) / 86_400_000) + 1;
}

/**
 * The share of the year's figure a straight line expects by `date` (inclusive): 0 before the year,
 * 1 after it.
 */
export function linearShare(year: number, date: string): number {
  const y = Number(date.slice(0, 4));
  if (y < year) return 0;
  if (y > year) return 1;
  return dayOfYear(date) / daysInYear(year);
}

/**
 * The usual batch calendar, as the cumulative share of a year's figure reached by the end of each
 * month (12 numbers, the last 1). Zhejiang's HTE batches are publicized in October–November and
 * most certificates are dated in November–December (domain.md §1.2; the bureau's 2023 reply counts
 * them by year), tech-SME registrations come in monthly batches from spring to autumn, provincial
 * tech SMEs and benchmarks are named in the second half. These defaults are replaced by the
 * county's own history when it has enough (`calendarFromHistory`).
 */
export const DEFAULT_CALENDAR: Record<TargetMetric, number[]> = {
  hte_new: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.05, 0.35, 1],
  hte_renewed: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.05, 0.35, 1],
  hte_valid: [0.92, 0.92, 0.92, 0.92, 0.92, 0.92, 0.92, 0.92, 0.92, 0.93, 0.96, 1],
  tsme: [0, 0, 0.05, 0.15, 0.3, 0.45, 0.6, 0.72, 0.82, 0.9, 0.96, 1],
  tsme_prov: [0, 0, 0, 0, 0, 0.1, 0.25, 0.4, 0.6, 0.8, 0.95, 1],
  benchmark: [0, 0, 0, 0, 0, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 1],
  demands: [0.05, 0.12, 0.22, 0.31, 0.4, 0.5, 0.58, 0.66, 0.75, 0.84, 0.93, 1],
  events: [0.03, 0.1, 0.2, 0.3, 0.4, 0.5, 0.58, 0.66, 0.76, 0.86, 0.95, 1],
};

/**
 * The calendar from past years' monthly counts (each an array of 12 counts per month): the share
 * reached by each month end, over all those years; null when they hold fewer than `min` events.
 */
export function calendarFromHistory(years: number[][], min = 20): number[] | null {
  const perMonth = Array.from({ length: 12 }, (_, m) => years.reduce((a, y) => a + (y[m] ?? 0), 0));
  const total = perMonth.reduce((a, b) => a + b, 0);
  if (total < min) return null;
  let run = 0;
  return perMonth.map((n) => (run += n) / total);
}

/** The calendar's expected share by `date` (inclusive), interpolated within the month. */
export function calendarShare(calendar: number[], year: number, date: string): number {
  const y = Number(date.slice(0, 4));
  if (y < year) return 0;
  if (y > year) return 1;
  const m = Number(date.slice(5, 7)) - 1;
  const d = Number(date.slice(8, 10));
  const monthDays = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
  const before = m === 0 ? 0 : calendar[m - 1]!;
  return before + (calendar[m]! - before) * (d / monthDays);
}

export type PaceState = 'done' | 'ahead' | 'on_track' | 'behind' | 'none';

export const PACE_LABELS: Record<PaceState, string> = {
  done: '已完成',
  ahead: '快于进度',
  on_track: '符合进度',
  behind: '落后于进度',
  none: '未设目标',
};

/**
 * Pacing of one figure against its target on a date: the linear and calendar expectations (in
 * units, rounded down), and a state read against the calendar (the one that knows that most
 * certificates come in Q4): behind when under 90% of what the calendar expects.
 */
export function pace(actual: number, target: number | null, year: number, date: string, calendar: number[]) {
  if (target === null) return { state: 'none' as PaceState, linear: null, calendar: null, pct: null };
  const linear = Math.floor(target * linearShare(year, date));
  const cal = Math.floor(target * calendarShare(calendar, year, date));
  const pct = target > 0 ? actual / target : null;
  let state: PaceState;
  if (actual >= target) state = 'done';
  else if (actual >= cal * 1.1 && actual > cal) state = 'ahead';
  else if (actual >= cal * 0.9) state = 'on_track';
  else state = 'behind';
  return { state, linear, calendar: cal, pct };
}

/** Year-on-year change: (this − last) / last, null when last year had none. */
export function yearOnYear(current: number, previous: number | null): number | null {
  if (previous === null || previous === 0) return null;
  return (current - previous) / previous;
}
