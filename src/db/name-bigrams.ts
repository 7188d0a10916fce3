/**
 * Two-character name searches on SQLite (issue 13: p99 < 100 ms at 1M firms). FTS5's trigram index
 * answers nothing shorter than three characters, so a search for 星远 scanned every name. firms_bigrams
 * (migration 20261205000300) is a contentless FTS5 table of each normalised name's overlapping
 * character pairs, space-separated ("余姚 姚市 市星 …"), tokenised by unicode61: a two-character word
 * is then one token, looked up in its posting list. Kept by triggers on firms; built once after a bulk load.
 */

/** Pairs are taken from the first BIGRAM_SPAN characters of a name (firm names are far shorter). */
export const BIGRAM_SPAN = 80;

/** SQL for the space-separated character pairs of a text column (SQLite; a trigger may not loop). */
export function bigramsSql(column: string): string {
  return Array.from({ length: BIGRAM_SPAN - 1 }, (_, i) => `substr(${column}, ${i + 1}, 2)`).join(" || ' ' || ");
}

/** A normalised word the pair index answers exactly: two letters or digits (punctuation splits tokens). */
export function isBigramWord(word: string): boolean {
  return /^[\p{L}\p{N}]{2}$/u.test(word);
}

/** The FTS5 query for such words: every one of them (ANDed), each a quoted token. */
export function bigramMatch(words: readonly string[]): string {
  return words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' AND ');
}
