/**
 * Amounts, counts, head counts and years as typed in Chinese spreadsheets.
 *
 * `parseAmount` returns an exact integer number of 元, computed with decimal-string arithmetic (never a
 * float multiplication): `12.3456` 万元 = 123456 元 exactly.
 * Accepted: `1,234.56`, full-width `１２３４`, surrounding spaces, `¥`/`￥`, `(123)` / `（123）` and `-123` /
 * `−123` as negatives, a unit in the value (`12.3万`, `5亿`, `800元`, which overrides the column unit).
 * Empty markers `''`, `-`, `--`, `—`, `——`, `–`, `/`, `\` → null.
 * Refused with a Chinese reason: anything else, percentages, scientific notation (`1.23457E+11` is what
 * Excel writes for a number it displayed with 6 digits: the rest are gone), malformed digit grouping
 * (`1,23`), values beyond Number.MAX_SAFE_INTEGER 元.
 * Rounding: digits below 1 元 (`1234.56` 元, or more than 4 decimals in 万元) are rounded half away from zero
 * (四舍五入) to whole 元, and the result says `rounded: true` so that a caller can warn. Amounts are
 * compared with thresholds in 万元, for which 分 do not matter; refusing `1234.56` 元 would reject most tax
 * exports.
 */
import type { AmountUnit } from './types.js';

export const messages = {
  unrecognised: (s: string) => `无法识别的数字：${excerpt(s)}`,
  scientific: (s: string) =>
    `数字为科学计数法，可能已丢失精度：${excerpt(s)}（请在 Excel 中把该列设为“数值”或“文本”格式后重新导出）`,
  percent: (s: string) => `应为金额，不能是百分数：${excerpt(s)}`,
  tooLarge: (s: string) => `数值过大：${excerpt(s)}`,
  notInteger: (s: string) => `应为整数：${excerpt(s)}`,
  negative: (s: string) => `不能为负数：${excerpt(s)}`,
  headcount: (s: string) => `不是有效的人数（最多两位小数）：${excerpt(s)}`,
  year: (s: string) => `无法识别的年度：${excerpt(s)}`,
  yearRange: (s: string) => `年度超出范围（1949–2100）：${excerpt(s)}`,
  yearSpan: (s: string) => `所属期跨越了不同年度：${excerpt(s)}`,
} as const;

function excerpt(s: string): string {
  const t = s.trim();
  return t.length > 30 ? `“${t.slice(0, 30)}…”` : `“${t}”`;
}

/** Power of ten from the unit to 元. */
export const UNIT_EXPONENT: Readonly<Record<AmountUnit, number>> = Object.freeze({ yuan: 0, qian: 3, wan: 4, yi: 8 });

export type NumberResult =
  | { readonly ok: true; readonly value: number | null; readonly rounded: boolean }
  | { readonly ok: false; readonly error: string };

const EMPTY_MARKERS = new Set(['', '-', '--', '---', '—', '——', '–', '―', '/', '\\', '－']);
const VALUE_UNITS: ReadonlyArray<readonly [string, AmountUnit]> = [
  ['万元', 'wan'],
  ['千元', 'qian'],
  ['亿元', 'yi'],
  ['万', 'wan'],
  ['亿', 'yi'],
  ['元', 'yuan'],
];

const fail = (error: string): NumberResult => ({ ok: false, error });

/** NFKC, minus signs and spaces (NBSP, ideographic space) handled. */
function prepare(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/[\u2212\u2012\u2013\ufe63]/g, '-')
    .trim();
}

/** Split a plain unsigned decimal ("1234", "1,234.50", ".5") into digits; null if malformed. */
function splitDecimal(s: string): { int: string; frac: string } | null {
  let t = s;
  if (t.includes(',')) {
    if (!/^\d{1,3}(?:,\d{3})+(?:\.\d*)?$/.test(t)) return null;
    t = t.replace(/,/g, '');
  }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m) return null;
  const int = m[1] ?? '';
  const frac = m[2] ?? '';
  if (int === '' && frac === '') return null;
  return { int: int || '0', frac };
}

interface Signed {
  negative: boolean;
  body: string;
}

function stripSign(s: string): Signed | null {
  let t = s;
  let negative = false;
  const paren = /^\((.*)\)$/.exec(t);
  if (paren) {
    negative = true;
    t = (paren[1] ?? '').trim();
  }
  if (t.startsWith('-') || t.startsWith('+')) {
    if (negative && t.startsWith('-')) return null; // "(-5)"
    negative = negative || t.startsWith('-');
    t = t.slice(1).trim();
  }
  return { negative, body: t };
}

/**
 * Parse an amount and convert it to whole 元.
 * @param unit unit of the column (from the header), null = 元. A unit written in the value wins.
 */
export function parseAmount(input: string | null | undefined, unit: AmountUnit | null = null): NumberResult {
  const raw = input ?? '';
  let s = prepare(raw);
  if (EMPTY_MARKERS.has(s)) return { ok: true, value: null, rounded: false };
  if (/%$/.test(s)) return fail(messages.percent(raw));
  if (/^[-+(]?\s*[\d.,]+\s*e[-+]?\d+\)?$/i.test(s.replace(/[万亿千元¥]/g, ''))) return fail(messages.scientific(raw));

  let effective: AmountUnit = unit ?? 'yuan';
  s = s.replace(/^人民币|人民币$/g, '').trim();
  for (const [word, u] of VALUE_UNITS) {
    if (s.endsWith(word)) {
      effective = u;
      s = s.slice(0, -word.length).trim();
      break;
    }
  }
  const signed = stripSign(s);
  if (!signed) return fail(messages.unrecognised(raw));
  let body = signed.body.replace(/^¥/, '').trim();
  // allow the unit inside parentheses: (12.5万)
  for (const [word, u] of VALUE_UNITS) {
    if (body.endsWith(word)) {
      effective = u;
      body = body.slice(0, -word.length).trim();
      break;
    }
  }
  const parts = splitDecimal(body);
  if (!parts) return fail(messages.unrecognised(raw));

  const shift = UNIT_EXPONENT[effective];
  const frac = parts.frac.padEnd(shift, '0');
  const wholeDigits = (parts.int + frac.slice(0, shift)).replace(/^0+(?=\d)/, '');
  const rest = frac.slice(shift);
  let whole = BigInt(wholeDigits);
  if (rest !== '' && (rest.charCodeAt(0) - 48) >= 5) whole += 1n;
  const rounded = /[1-9]/.test(rest);
  if (whole > BigInt(Number.MAX_SAFE_INTEGER)) return fail(messages.tooLarge(raw));
  const value = Number(whole);
  return { ok: true, value: signed.negative && value !== 0 ? -value : value, rounded };
}

const COUNT_SUFFIX_RE = /(个|件|项|人|名|家|条)$/;

/** Parse a non-negative integer count (`12`, `12件`, `1,234`, `12.0`). Empty markers → null. */
export function parseCount(input: string | null | undefined): NumberResult {
  const raw = input ?? '';
  let s = prepare(raw);
  if (EMPTY_MARKERS.has(s)) return { ok: true, value: null, rounded: false };
  s = s.replace(COUNT_SUFFIX_RE, '').trim();
  if (/e/i.test(s)) return fail(messages.scientific(raw));
  const signed = stripSign(s);
  if (!signed) return fail(messages.unrecognised(raw));
  const parts = splitDecimal(signed.body);
  if (!parts) return fail(messages.unrecognised(raw));
  if (/[1-9]/.test(parts.frac)) return fail(messages.notInteger(raw));
  const whole = BigInt(parts.int);
  if (signed.negative && whole !== 0n) return fail(messages.negative(raw));
  if (whole > BigInt(Number.MAX_SAFE_INTEGER)) return fail(messages.tooLarge(raw));
  return { ok: true, value: Number(whole), rounded: false };
}

const HEADCOUNT_SUFFIX_RE = /(人|名)$/;
/** Seven integer digits: no firm employs ten million people, so more is a misplaced column. */
const HEADCOUNT_MAX_DIGITS = 7;

/**
 * Parse a head count. Reported head counts are annual averages of monthly figures, so up to two
 * decimals are allowed (`88.5`, `12.25人`); otherwise the same forms as parseCount. Empty markers → null.
 */
export function parseHeadcount(input: string | null | undefined): NumberResult {
  const raw = input ?? '';
  let s = prepare(raw);
  if (EMPTY_MARKERS.has(s)) return { ok: true, value: null, rounded: false };
  s = s.replace(HEADCOUNT_SUFFIX_RE, '').trim();
  if (/e/i.test(s)) return fail(messages.scientific(raw));
  const signed = stripSign(s);
  if (!signed) return fail(messages.unrecognised(raw));
  const parts = splitDecimal(signed.body);
  if (!parts) return fail(messages.unrecognised(raw));
  if (/[1-9]/.test(parts.frac.slice(2))) return fail(messages.headcount(raw));
  const int = parts.int.replace(/^0+(?=\d)/, '');
  if (signed.negative && /[1-9]/.test(int + parts.frac)) return fail(messages.negative(raw));
  if (int.length > HEADCOUNT_MAX_DIGITS) return fail(messages.tooLarge(raw));
  return { ok: true, value: Number(`${int}.${parts.frac.slice(0, 2) || '0'}`), rounded: false };
}

export type YearResult = { readonly ok: true; readonly value: number | null } | { readonly ok: false; readonly error: string };

/**
 * Parse a year: `2024`, `2024年`, `2024年度`, `２０２４`, a date or month (`2024-12-31`, `2024年12月`),
 * or a period within one year (`2024-01-01至2024-12-31`). Empty markers → null.
 */
export function parseYear(input: string | null | undefined): YearResult {
  const raw = input ?? '';
  const s = prepare(raw).replace(/\s+/g, '');
  if (EMPTY_MARKERS.has(s)) return { ok: true, value: null };
  if (!/^[\d年月日度\-/._至到~～—]+$/.test(s)) return { ok: false, error: messages.year(raw) };
  // Digit runs: 4 = a year, 8 = YYYYMMDD, 1-2 = month or day; anything else is not a year.
  const years: number[] = [];
  for (const run of s.match(/\d+/g) ?? []) {
    if (run.length === 4 || run.length === 8) years.push(Number(run.slice(0, 4)));
    else if (run.length > 2) return { ok: false, error: messages.year(raw) };
  }
  const y = years[0];
  if (y === undefined) return { ok: false, error: messages.year(raw) };
  if (years.some((x) => x !== y)) return { ok: false, error: messages.yearSpan(raw) };
  if (y < 1949 || y > 2100) return { ok: false, error: messages.yearRange(raw) };
  return { ok: true, value: y };
}
