/**
 * Calendar-date helpers on 'YYYY-MM-DD' strings (no time zones, no clock).
 *
 * Period arithmetic follows 《民法典》第二百零一条/第二百零二条: the start day is not
 * counted, the period ends on the corresponding day of the final month, or on the last
 * day of that month when there is no corresponding day (e.g. 02-29 → 02-28).
 */

export interface CalendarDate {
  y: number;
  m: number; // 1–12
  d: number; // 1–31
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
}

/** Parses a real calendar date, or returns null ('2023-02-29' is not one). */
export function tryParseDate(text: string): CalendarDate | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return { y, m: mo, d };
}

/** Parses a date the caller vouches for; throws RangeError on malformed input. */
export function parseDate(text: string): CalendarDate {
  const parsed = tryParseDate(text);
  if (!parsed) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${text}`);
  return parsed;
}

export function formatDate({ y, m, d }: CalendarDate): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function dayNumber({ y, m, d }: CalendarDate): number {
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

/** Calendar days from `from` to `to` (to − from); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(parseDate(to)) - dayNumber(parseDate(from));
}

export function addDays(date: string, days: number): string {
  const t = new Date(Date.UTC(0, 0, 1));
  const { y, m, d } = parseDate(date);
  t.setUTCFullYear(y, m - 1, d + days);
  return formatDate({ y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() });
}

/** date + n months; the corresponding day, or the month's last day if there is none (民法典 第二百零二条). */
export function addMonthsClamped(date: string, months: number): string {
  const { y, m, d } = parseDate(date);
  const index = y * 12 + (m - 1) + months;
  const ny = Math.floor(index / 12);
  const nm = index - ny * 12 + 1;
  return formatDate({ y: ny, m: nm, d: Math.min(d, daysInMonth(ny, nm)) });
}

export function addYearsClamped(date: string, years: number): string {
  return addMonthsClamped(date, years * 12);
}

/** ISO dates compare correctly as strings; this just names the intent. */
export function compareDates(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
