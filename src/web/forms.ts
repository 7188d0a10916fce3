/** Small parsers for form and query values, which always arrive as strings (or arrays of them). */
export function str(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v.trim() : '';
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
