/**
 * The normalised form of a firm's name, used to match list rows that lack a valid credit code:
 * full-width and half-width forms, （）and (), and spacing all vary between agencies' files.
 */
export function normalizeFirmName(name: string): string {
  return name
    .normalize('NFKC') // full-width → half-width, （ → (
    .replace(/\p{Cf}/gu, '')
    .replace(/[\s\u3000]/gu, '')
    .replace(/[【\[［]/g, '(')
    .replace(/[】\]］]/g, ')')
    .toUpperCase();
}

/** A name a person typed: trimmed, inner runs of spaces collapsed. */
export function cleanFirmName(name: string): string {
  return name.normalize('NFC').replace(/\p{Cf}/gu, '').replace(/\s+/gu, ' ').trim();
}
