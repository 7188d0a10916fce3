/**
 * Small parsers for form and query values, which always arrive as strings, or as lists of strings
 * when a name is repeated. Where one value is read, a list is refused (400): no form of ours sends
 * one there, and taking either of two values would act on something the user did not choose.
 */
import { todayInShanghai, yearOf } from '../lib/dates.js';
import { BadRequestError } from '../lib/errors.js';

export const REPEATED_FIELD_MESSAGE = '提交的表单中同一项出现了多次，无法确定要用哪一个。请在页面上重新填写后提交。';

/** The one value of a field: a string, or nothing; never a list. */
export function single(value: unknown): string | undefined {
  if (Array.isArray(value)) throw new BadRequestError('REPEATED_FIELD', REPEATED_FIELD_MESSAGE);
  return typeof value === 'string' ? value : undefined;
}

/** A field's value, trimmed ('' when absent). */
export function str(value: unknown): string {
  return single(value)?.trim() ?? '';
}

/** A field whose value is kept exactly as typed (a password), '' when absent. */
export function raw(value: unknown): string {
  return single(value) ?? '';
}

export function positiveInt(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  const s = str(value);
  if (!/^\d{1,9}$/.test(s)) return null;
  const n = Number(s);
  return n > 0 ? n : null;
}

export function checkbox(value: unknown): boolean {
  const s = str(value);
  return s === 'on' || s === '1' || s === 'true';
}

/** A year of a firm's eligibility inputs in a URL: 2000 to this year. */
export function inputYear(raw: unknown): number {
  const year = positiveInt(raw);
  const current = yearOf(todayInShanghai());
  if (!year || year < 2000 || year > current) throw new BadRequestError('BAD_YEAR', `年度须在 2000 至 ${current} 之间。`);
  return year;
}

/** The optimistic version a form carries (every edit form of a versioned record). */
export function versionOf(body: Record<string, unknown>): number {
  const v = body.version;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
  return Number(v);
}

/**
 * `<id>~<sort key>`, the value of a keyset page's `after=` or `before=`: the row the page starts
 * from (its id and its sort key, e.g. the name); null for anything else (then: the first page).
 */
export function keysetCursor(raw: unknown): { id: number; key: string } | null {
  const m = typeof raw === 'string' ? /^(\d{1,12})~(.{1,200})$/su.exec(raw) : null;
  return m ? { id: Number(m[1]), key: m[2]! } : null;
}
