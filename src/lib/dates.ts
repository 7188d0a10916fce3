/**
 * Calendar dates are 'YYYY-MM-DD' in Asia/Shanghai; instants are ISO-8601 UTC strings
 * (design.md, rules of the data). Shanghai has no daylight saving, so a fixed +8h offset is exact.
 */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}

/** The Shanghai calendar date of an instant. */
export function shanghaiDate(instant: string | Date): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD HH:MM' in Shanghai, for showing an instant. */
export function shanghaiDateTime(instant: string | Date): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

export function todayInShanghai(now: Date = new Date()): string {
  return shanghaiDate(now);
}

export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The UTC instants bounding a Shanghai calendar year: [start, end). */
export function shanghaiYearBounds(year: number): { start: string; end: string } {
  const start = new Date(Date.UTC(year, 0, 1) - SHANGHAI_OFFSET_MS).toISOString();
  const end = new Date(Date.UTC(year + 1, 0, 1) - SHANGHAI_OFFSET_MS).toISOString();
  return { start, end };
}

/** The UTC instant at which a Shanghai calendar date begins. */
export function shanghaiStartOfDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS).toISOString();
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

/** A day written the ways lists write it — 2024-12-10, 2024/12/10, 2024.12.10, 2024年12月10日 — as YYYY-MM-DD; anything else (or no such day) null. */
export function dayOfText(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const m = /^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$/.exec(text);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? null : iso;
}
