/**
 * Header-row detection, title rows and two-row (merged) headers.
 *
 * - Title rows (`2024年度研发费用加计扣除企业名单`, `填报单位：… 单位：万元`) above the header are skipped:
 *   among the first `HEADER_SCAN_ROWS` non-empty rows, the header is the row where the most cells are
 *   recognised column names (ties → the earliest).
 * - Two-row headers (row 2: `研发费用` merged over two columns, row 3: `金额（万元）`, `其中：境内`) are
 *   combined as `研发费用/金额（万元）`, `研发费用/其中：境内`. Evidence of a two-row header:
 *   - XLSX: the sheet's merged ranges (collected by `guardXlsx` from the sheet XML, since exceljs's
 *     streaming reader drops `<mergeCell>`): a horizontal merge in the upper row with labels under it, or
 *     a vertical merge joining the two rows (`序号` over A2:A3).
 *   - CSV (no merge information) or XLSX without merges: inferred. The upper row has a label followed by
 *     blank cells, the lower row has labels under that span, including under at least one of the blank
 *     cells; every label of the lower row sits under such a span; and the lower row holds no data-looking
 *     value (number, date, credit code). Only then is a blank upper cell filled from its left neighbour.
 * - A `单位：万元` note in a title or header row is reported as `tableUnit`.
 */
import { ListParseError } from './errors.js';
import { scoreHeaderCell } from './columns.js';
import type { AmountUnit, MergeRange, RawRow } from './types.js';

export const messages = {
  noRows: '文件中没有数据（所有行都是空的）。',
} as const;

/** Non-empty rows examined for the header. */
export const HEADER_SCAN_ROWS = 10;

export interface DetectedHeader {
  /** Line of the (last) header row; data rows start after it. */
  readonly headerLine: number;
  /** One or two lines (two for a merged two-row header). */
  readonly headerLines: readonly number[];
  /** Column names, left to right ('' for a column without a name). Two-row headers as `父/子`. */
  readonly columns: readonly string[];
  /** Lines skipped above the header (titles, notes). */
  readonly titleLines: readonly number[];
  /** Unit stated for the whole table (`单位：万元`), else null. */
  readonly tableUnit: AmountUnit | null;
  /** How a two-row header was recognised, null for a one-row header. */
  readonly twoRow: 'merges' | 'inferred' | null;
}

export interface HeaderDetection {
  readonly header: DetectedHeader;
  /** Index in the given rows of the first data row (rows.length if none among them). */
  readonly dataStart: number;
}

const UNIT_NOTE_RE = /单位[:：]\s*(?:人民币)?\s*(万元|千元|亿元|元)/;
const UNIT_OF: Readonly<Record<string, AmountUnit>> = { 元: 'yuan', 千元: 'qian', 万元: 'wan', 亿元: 'yi' };

const cleanLabel = (s: string): string => s.replace(/\s*\n\s*/g, '').trim();

function texts(row: RawRow | undefined): string[] {
  return row ? row.cells.map((c) => cleanLabel(c.text)) : [];
}

const nonBlank = (t: readonly string[]): number => t.reduce((n, s) => n + (s ? 1 : 0), 0);

/** A value that belongs in a data row rather than a header. */
function looksLikeData(s: string): boolean {
  const t = s.normalize('NFKC').trim();
  if (!t) return false;
  if (/^[-+]?[\d,]*\.?\d+%?$/.test(t)) return true;
  if (/^\d{4}[-/.年]\d{1,2}([-/.月]\d{1,2}日?)?$/.test(t)) return true;
  if (/^[0-9A-Z]{15,20}$/.test(t)) return true;
  return false;
}

function within(m: MergeRange, row: number, col: number): boolean {
  return row >= m.top && row <= m.bottom && col >= m.left && col <= m.right;
}

/** Column j (0-based) of `upper` is a label followed by blanks, i.e. the start or inside of a span. */
function spanParent(upper: readonly string[], j: number, lower: readonly string[]): { k: number; text: string } | null {
  if (upper[j]) return (upper[j + 1] ?? '') === '' && j + 1 < Math.max(upper.length, lower.length) ? { k: j, text: upper[j] ?? '' } : null;
  for (let k = j - 1; k >= 0; k--) {
    if (upper[k]) return { k, text: upper[k] ?? '' };
  }
  return null;
}

/** Words typical of sub-header labels (金额（万元）, 其中：境内, 发明, 本年 …). */
const SUBHEADER_RE = /其中|合计|小计|金额|数量|总额|总数|境内|境外|本年|上年|当年|年度|发明|实用新型|外观设计|人数|万元|千元|[(（]/;

function inferredTwoRow(upper: readonly string[], lower: readonly string[], labelsBelow: boolean): boolean {
  if (nonBlank(upper) < 2 || nonBlank(lower) < 1) return false;
  if (lower.some(looksLikeData)) return false;
  if (labelsBelow) {
    // The recognised row is the upper one: the lower row only labels the spans, so it has fewer labels,
    // and at least one of them reads like a sub-header (a data row of plain names must not be taken).
    if (nonBlank(lower) >= nonBlank(upper)) return false;
    if (!lower.some((s) => s && (SUBHEADER_RE.test(s) || scoreHeaderCell(s) > 0))) return false;
  }
  let spanChildUnderBlank = false;
  for (let j = 0; j < lower.length; j++) {
    if (!lower[j]) continue;
    const p = spanParent(upper, j, lower);
    if (!p) return false; // a lower label not under a span: this is not a sub-header row
    if (!upper[j]) {
      if (!lower[p.k]) return false; // the span must have a child at its start too
      spanChildUnderBlank = true;
    }
  }
  return spanChildUnderBlank;
}

function mergesTwoRow(upper: RawRow, lower: RawRow, upperT: readonly string[], lowerT: readonly string[], merges: readonly MergeRange[]): boolean {
  if (nonBlank(upperT) < 2 || lower.line !== upper.line + 1) return false;
  if (lowerT.some(looksLikeData)) return false;
  for (const m of merges) {
    if (m.top !== upper.line) continue;
    if (m.bottom >= lower.line) return true; // a label spanning both rows (序号 over A2:A3)
    if (m.right > m.left) {
      for (let c = m.left; c <= m.right; c++) if (lowerT[c - 1]) return true;
    }
  }
  return false;
}

/** Titles and notes do not group columns. */
function canBeGroupRow(t: readonly string[]): boolean {
  return nonBlank(t) >= 2 && t.every((s) => !s || (s.length <= 20 && !/[:：]/.test(s)));
}

function combine(upper: RawRow, lower: RawRow, upperT: readonly string[], lowerT: readonly string[], merges: readonly MergeRange[], viaMerges: boolean): string[] {
  let width = Math.max(upperT.length, lowerT.length);
  if (viaMerges) for (const m of merges) if (m.top === upper.line && m.right > width) width = m.right;
  const out: string[] = [];
  for (let j = 0; j < width; j++) {
    let parent = upperT[j] ?? '';
    let child = lowerT[j] ?? '';
    if (viaMerges) {
      if (!parent) {
        const m = merges.find((r) => r.top === upper.line && within(r, upper.line, j + 1));
        if (m) parent = upperT[m.left - 1] ?? '';
      }
      // a vertical merge from the upper row leaves nothing of its own in the lower row
      if (merges.some((r) => r.top === upper.line && r.bottom >= lower.line && within(r, lower.line, j + 1))) child = '';
    } else if (!parent && child) {
      parent = spanParent(upperT, j, lowerT)?.text ?? '';
    }
    out.push(parent && child ? `${parent}/${child}` : parent || child);
  }
  return out;
}

function findUnit(rows: readonly RawRow[]): AmountUnit | null {
  for (const r of rows) {
    for (const c of r.cells) {
      const m = UNIT_NOTE_RE.exec(c.text.normalize('NFKC'));
      if (m) return UNIT_OF[m[1] ?? ''] ?? null;
    }
  }
  return null;
}

/**
 * Detect the header among the first non-empty rows.
 * @param rows the first rows of the file (at least `HEADER_SCAN_ROWS` when the file has that many).
 * @param opts.merges merged ranges of the sheet (XLSX), if known.
 */
export function detectHeader(rows: readonly RawRow[], opts: { merges?: readonly MergeRange[] } = {}): HeaderDetection {
  const scan = rows.slice(0, HEADER_SCAN_ROWS);
  if (scan.length === 0) throw new ListParseError('EMPTY_FILE', messages.noRows);
  const merges = opts.merges ?? [];
  const t = scan.map(texts);

  let h = 0;
  let best = -1;
  t.forEach((cells, i) => {
    const score = cells.reduce((s, c) => s + scoreHeaderCell(c), 0);
    if (score > best) {
      best = score;
      h = i;
    }
  });
  if (best <= 0) {
    // Nothing recognised: take the first row that has at least two cells (skips one-cell titles).
    h = Math.max(0, t.findIndex((cells) => nonBlank(cells) >= 2));
  }

  let upper = -1;
  let lower = -1;
  let how: DetectedHeader['twoRow'] = null;
  const tryPair = (u: number, l: number, groupAbove: boolean): boolean => {
    const ur = scan[u];
    const lr = scan[l];
    const ut = t[u];
    const lt = t[l];
    if (!ur || !lr || !ut || !lt) return false;
    if (groupAbove && !canBeGroupRow(ut)) return false;
    if (merges.length && mergesTwoRow(ur, lr, ut, lt, merges)) how = 'merges';
    else if (inferredTwoRow(ut, lt, !groupAbove)) how = 'inferred';
    else return false;
    upper = u;
    lower = l;
    return true;
  };
  // The recognised row is the upper one (labels with sub-labels below) or the lower one (group labels above).
  if (!tryPair(h, h + 1, false)) tryPair(h - 1, h, true);

  let columns: string[];
  let headerLines: number[];
  let last: number;
  if (how !== null && upper >= 0 && lower >= 0) {
    const ur = scan[upper] as RawRow;
    const lr = scan[lower] as RawRow;
    columns = combine(ur, lr, t[upper] ?? [], t[lower] ?? [], merges, how === 'merges');
    headerLines = [ur.line, lr.line];
    last = lower;
  } else {
    columns = [...(t[h] ?? [])];
    headerLines = [(scan[h] as RawRow).line];
    last = h;
  }
  const first = how !== null ? upper : h;
  const above = scan.slice(0, first);
  return {
    header: {
      headerLine: headerLines[headerLines.length - 1] ?? 0,
      headerLines,
      columns,
      titleLines: above.map((r) => r.line),
      tableUnit: findUnit([...above, ...scan.slice(first, last + 1)]),
      twoRow: how,
    },
    dataStart: last + 1,
  };
}
