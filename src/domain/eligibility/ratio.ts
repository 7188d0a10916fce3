/**
 * Exact ratio arithmetic (BigInt fractions) and Chinese number formatting.
 *
 * The policies compare ratios with thresholds such as "不低于5%". A value exactly on the
 * threshold must pass, so nothing here goes through floating point: thresholds are parsed
 * from decimal text, comparisons cross-multiply integers, and display truncates (floors)
 * so that a failing 9.996% is shown as 9.99%, never 10.00%.
 */

/** A rational number num/den with den > 0. */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

export function frac(num: bigint, den: bigint): Fraction {
  if (den === 0n) throw new RangeError('Fraction with a zero denominator');
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

const PLAIN_DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** An exact decimal written as text or as a short JS number: decimal('4.5') = 45/10. */
export function decimal(value: string | number): Fraction {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = PLAIN_DECIMAL.exec(text);
  if (!m) throw new RangeError(`Not a plain decimal: ${text}`);
  const intPart = m[2] ?? '0';
  const fracPart = m[3] ?? '';
  const magnitude = BigInt(intPart + fracPart);
  return frac(m[1] ? -magnitude : magnitude, 10n ** BigInt(fracPart.length));
}

/** p percent: pct(5) = 5/100, pct('0.5') = 5/1000. */
export function pct(p: string | number): Fraction {
  const d = decimal(p);
  return frac(d.num, d.den * 100n);
}

export function compare(a: Fraction, b: Fraction): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** a ≥ b */
export function atLeast(a: Fraction, b: Fraction): boolean {
  return compare(a, b) >= 0;
}

/** a > b */
export function greaterThan(a: Fraction, b: Fraction): boolean {
  return compare(a, b) > 0;
}

/** num/den ≥ threshold, by cross-multiplication (den must be > 0). */
export function ratioAtLeast(num: bigint, den: bigint, threshold: Fraction): boolean {
  if (den <= 0n) throw new RangeError('ratioAtLeast needs a positive denominator');
  return num * threshold.den >= threshold.num * den;
}

export function add(a: Fraction, b: Fraction): Fraction {
  return frac(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function sub(a: Fraction, b: Fraction): Fraction {
  return frac(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function abs(a: Fraction): Fraction {
  return a.num < 0n ? frac(-a.num, a.den) : a;
}

/** Integer division rounding toward −∞ (b > 0). */
export function floorDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('floorDiv needs a positive divisor');
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Integer division rounding toward +∞ (b > 0). */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}

export type Rounding = 'floor' | 'ceil' | 'half-up';

function divide(a: bigint, b: bigint, rounding: Rounding): bigint {
  if (rounding === 'floor') return floorDiv(a, b);
  if (rounding === 'ceil') return ceilDiv(a, b);
  return floorDiv(2n * a + b, 2n * b); // half-up (toward +∞ on ties)
}

/** Writes an integer holding `decimals` implied decimal places: (12345, 2) → '123.45'. */
export function formatScaled(scaled: bigint, decimals: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const intPart = digits.slice(0, digits.length - decimals);
  const fracPart = digits.slice(digits.length - decimals);
  return (negative ? '-' : '') + intPart + (decimals > 0 ? `.${fracPart}` : '');
}

/**
 * A fraction as a percentage with `decimals` places, always rounded DOWN (toward −∞):
 * 0.09996 → '9.99%'. For thresholds on the 0.01% grid, the shown number is ≥ the
 * threshold exactly when the real number is.
 */
export function formatPercent(f: Fraction, decimals = 2): string {
  const scale = 10n ** BigInt(decimals);
  return `${formatScaled(floorDiv(f.num * 100n * scale, f.den), decimals)}%`;
}

/** A fraction as a plain number with `decimals` places, rounded down: 2/3 → '0.66'. */
export function formatFraction(f: Fraction, decimals = 2): string {
  const scale = 10n ** BigInt(decimals);
  return formatScaled(floorDiv(f.num * scale, f.den), decimals);
}

/** 元 → 万元 with 2 decimals, as a bare number: 1_860_001 → '186.00' (half-up), '186.01' (ceil). */
export function yuanToWan(yuan: bigint, rounding: Rounding = 'half-up'): string {
  return formatScaled(divide(yuan, 100n, rounding), 2);
}

/** 元 → '186.00万元'. */
export function formatWan(yuan: bigint, rounding: Rounding = 'half-up'): string {
  return `${yuanToWan(yuan, rounding)}万元`;
}

/** Money field (integer 元) as BigInt, or null when it is not a safe integer. */
export function toYuan(value: number): bigint | null {
  return Number.isSafeInteger(value) ? BigInt(value) : null;
}

/**
 * A headcount with at most 2 decimals (annual monthly average, e.g. 45.5) as an integer
 * number of hundredths (4550n), or null when it is negative, not finite or has more than
 * 2 decimals (beyond a float-noise tolerance).
 */
export function toHundredths(value: number): bigint | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const scaled = Math.round(value * 100);
  if (Math.abs(value * 100 - scaled) > 1e-6 || !Number.isSafeInteger(scaled)) return null;
  return BigInt(scaled);
}

/** Hundredths of a person as text: 4550n → '45.5', 4500n → '45', 4525n → '45.25'. */
export function formatHundredths(h: bigint): string {
  return formatScaled(h, 2).replace(/\.?0+$/, '');
}
