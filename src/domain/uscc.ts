/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015.
 *
 * The normaliser policy follows domain.md §7.5: strip what is obviously noise (spaces, zero-width
 * characters), convert full-width forms, upper-case; reject everything that could be a different
 * code in disguise (punctuation, the letters I O Z S V, wrong length, Excel's scientific notation).
 * We never auto-correct: those letters are excluded from the code set precisely because they look
 * like digits, so guessing would turn a typo into a wrong firm.
 */

/** The 31-character code set, in value order (GB 32100-2015; "不使用I、O、Z、S、V"). */
export const USCC_CODESET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** W_i = 3^(i-1) mod 31 for positions 1–17 (domain.md §7.3). */
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
/** GB 11714 organisation-code weights over the 8 body characters (domain.md §7.4). */
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;
const FORBIDDEN_LETTERS = /[IOZSV]/;
const LOOKALIKE_HINT: Record<string, string> = { I: '1', O: '0', Z: '2', S: '5', V: 'U' };

export type UsccProblem =
  | 'empty'
  | 'scientific_notation'
  | 'registration_number'
  | 'organization_code'
  | 'punctuation'
  | 'forbidden_letter'
  | 'bad_character'
  | 'wrong_length'
  | 'region_not_digits'
  | 'check_character';

export type UsccWarning = 'organization_code_check';

export type UsccResult =
  | { ok: true; code: string; warnings: UsccWarning[] }
  | { ok: false; problem: UsccProblem; message: string; normalized: string };

const messages = {
  empty: '请填写统一社会信用代码。',
  scientificNotation:
    '信用代码被表格软件显示成了科学计数法（如 9.14403E+17），原值已经丢失。请把该列设为“文本”格式后重新填写或导出。',
  registrationNumber: '这看起来是15位的旧工商注册号，请填写18位的统一社会信用代码（可在营业执照上找到）。',
  organizationCode: '这看起来是9位的组织机构代码，请填写18位的统一社会信用代码（可在营业执照上找到）。',
  punctuation: '信用代码中不应有“-”“/”等符号，请只填写18位字母和数字。',
  forbiddenLetter: (letter: string) =>
    `信用代码中不会出现字母 ${letter}（国家标准不使用 I、O、Z、S、V）。是否把数字 ${LOOKALIKE_HINT[letter] ?? ''} 看成了字母 ${letter}？`,
  badCharacter: (ch: string) => `信用代码中含有不允许的字符“${ch}”，只能由数字和大写字母组成。`,
  wrongLength: (n: number) => `统一社会信用代码应为18位，当前为${n}位，请核对是否漏填或多填。`,
  regionNotDigits: '信用代码第3至8位应为6位数字（登记机关行政区划码），请核对。',
  checkCharacter: '信用代码的最后一位（校验位）与前17位不符，可能有字符填错，请对照营业执照逐位核对。',
} as const;

const WHITESPACE = /[\s\u00A0\u3000]/gu;
const FORMAT_CHARS = /\p{Cf}/gu;

/** Trim, strip all spaces and format characters, full-width → half-width (NFKC), upper-case. */
export function normalizeUscc(input: string): string {
  return input.normalize('NFKC').replace(FORMAT_CHARS, '').replace(WHITESPACE, '').toUpperCase();
}

function charValue(ch: string): number {
  return USCC_CODESET.indexOf(ch);
}

/** The check character (position 18) for the first 17 characters; assumes they are in the code set. */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += charValue(first17[i]!) * WEIGHTS[i]!;
  // 31 − (S mod 31), where 31 becomes 0 (domain.md §7.3).
  return USCC_CODESET[(31 - (sum % 31)) % 31]!;
}

/** GB 11714 check over positions 9–17 (the embedded organisation code); a warning-level signal only. */
export function organizationCodeCheckPasses(body9: string): boolean {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = body9[i]!;
    const v = /[0-9]/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55; // A=10 … Z=35
    sum += v * ORG_WEIGHTS[i]!;
  }
  const c = 11 - (sum % 11);
  const expected = c === 10 ? 'X' : c === 11 ? '0' : String(c);
  return body9[8] === expected;
}

/** Normalise and validate a credit code typed by a person or read from a list. */
export function parseUscc(input: string | null | undefined): UsccResult {
  const raw = input ?? '';
  const code = normalizeUscc(raw);
  const fail = (problem: UsccProblem, message: string): UsccResult => ({ ok: false, problem, message, normalized: code });

  if (code === '') return fail('empty', messages.empty);
  if (/^\d(\.\d+)?E\+?\d+$/.test(code)) return fail('scientific_notation', messages.scientificNotation);
  if (/^[0-9A-Z]{8}-[0-9A-Z]$/.test(code)) return fail('organization_code', messages.organizationCode);
  const bad = code.match(/[^0-9A-Z]/);
  if (bad) {
    return /[\p{L}\p{N}]/u.test(bad[0])
      ? fail('bad_character', messages.badCharacter(bad[0]))
      : fail('punctuation', messages.punctuation);
  }
  const forbidden = code.match(FORBIDDEN_LETTERS);
  if (forbidden) return fail('forbidden_letter', messages.forbiddenLetter(forbidden[0]));
  if (code.length !== 18) {
    if (/^\d{15}$/.test(code)) return fail('registration_number', messages.registrationNumber);
    if (code.length === 9) return fail('organization_code', messages.organizationCode);
    return fail('wrong_length', messages.wrongLength(code.length));
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) return fail('region_not_digits', messages.regionNotDigits);
  if (usccCheckCharacter(code.slice(0, 17)) !== code[17]) return fail('check_character', messages.checkCharacter);

  const warnings: UsccWarning[] = organizationCodeCheckPasses(code.slice(8, 17)) ? [] : ['organization_code_check'];
  return { ok: true, code, warnings };
}
