/**
 * Money is integer 元 everywhere inside the app; caseworkers read and type 万元.
 * Conversions are done on decimal strings so no binary float ever touches an amount.
 */

/** 元 → '1,234.57' 万元 (rounded half away from zero to 0.01 万元 = 100 元). */
export function formatWan(yuan: number | null | undefined): string {
  if (yuan === null || yuan === undefined) return '';
  const negative = yuan < 0;
  const hundreds = Math.floor((Math.abs(yuan) + 50) / 100); // 0.01 万元 units
  const whole = Math.floor(hundreds / 100);
  const cents = String(hundreds % 100).padStart(2, '0');
  return `${negative && hundreds > 0 ? '-' : ''}${whole.toLocaleString('en-US')}.${cents}`;
}

/**
 * 元 → 万元 with every digit kept ('12.3456', '12', '-0.5'): for form fields, so that saving a form
 * unchanged writes back exactly what was stored (formatWan rounds to 100 元).
 */
export function formatWanExact(yuan: number): string {
  const abs = Math.abs(yuan);
  const fraction = String(abs % 10000).padStart(4, '0').replace(/0+$/, '');
  return `${yuan < 0 ? '-' : ''}${Math.floor(abs / 10000)}${fraction ? `.${fraction}` : ''}`;
}

export type MoneyParse = { ok: true; yuan: number | null } | { ok: false; message: string };

/**
 * '12.3456' (万元) → 123456 元. Accepts grouping commas and full-width digits; blank → null.
 * At most four decimals: 0.0001 万元 is one 元, the unit we store.
 */
export function parseWan(input: string | null | undefined): MoneyParse {
  const text = (input ?? '').normalize('NFKC').replace(/[\s,]/g, '');
  if (text === '') return { ok: true, yuan: null };
  const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(text);
  if (!m) {
    return /^-?\d+\.\d{5,}$/.test(text)
      ? { ok: false, message: '金额以万元为单位，最多保留4位小数（即精确到元）。' }
      : { ok: false, message: `“${input}”不是有效的金额，请填写数字（单位：万元）。` };
  }
  const yuan = Number(m[2]) * 10000 + Number((m[3] ?? '').padEnd(4, '0'));
  if (!Number.isSafeInteger(yuan)) return { ok: false, message: '金额过大。' };
  return { ok: true, yuan: m[1] === '-' && yuan !== 0 ? -yuan : yuan };
}

/** Head counts are stored ×100 (annual monthly averages may have decimals). */
export function formatHeadcount(x100: number | null | undefined): string {
  if (x100 === null || x100 === undefined) return '';
  return x100 % 100 === 0 ? String(x100 / 100) : (x100 / 100).toFixed(2).replace(/0$/, '');
}
