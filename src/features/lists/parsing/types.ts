/**
 * Shared types of the list-parsing module (CSV / XLSX candidate lists sent by other agencies).
 * Kept in one small file so that the other parsing files can import them without cycles.
 */

/**
 * One cell as read from the file, converted to text faithfully.
 * - `text`: the cell text. Never `undefined`; an empty cell is `''`.
 * - `numberLossy`: the cell was a number that cannot be trusted digit for digit: an XLSX number with
 *   16 or more digits (Excel keeps 15 significant digits; an 18-digit credit code stored as a number has
 *   already lost its last digits), or a CSV text in scientific notation such as `9.13303E+17`
 *   (what Excel writes when a long number was displayed that way). `text` then holds the best
 *   known value; it must not be used as if it were exact.
 * - `error`: the XLSX cell held an error value (`#N/A`, `#DIV/0!` …) or a formula whose cached
 *   result is an error or missing. `text` is the error code when known, else `''`.
 */
export interface CellValue {
  readonly text: string;
  readonly numberLossy?: true;
  readonly error?: true;
}

/**
 * One non-empty row of the file.
 * - `line`: 1-based. XLSX: the row number as Excel shows it. CSV: the physical line on which the record
 *   starts (a quoted field with line breaks makes a record span several lines).
 * - `cells`: left to right, trailing empty cells removed.
 * - `mojibake`: some cell contains U+FFFD after decoding (invalid bytes for the detected encoding):
 *   the row must not be accepted silently.
 */
export interface RawRow {
  readonly line: number;
  readonly cells: readonly CellValue[];
  readonly mojibake?: true;
}

/** A merged range of an XLSX sheet, 1-based and inclusive (rows are sheet row numbers). */
export interface MergeRange {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
}

/** Amount units found in headers: 元, 千元, 万元, 亿元. */
export type AmountUnit = 'yuan' | 'qian' | 'wan' | 'yi';

export type CsvDelimiter = ',' | '\t' | ';';
export type TextEncoding = 'utf8' | 'gb18030';

/** What was read, and how. */
export type TableSource =
  | {
      readonly kind: 'csv';
      readonly encoding: TextEncoding;
      readonly bom: boolean;
      readonly delimiter: CsvDelimiter;
    }
  | {
      readonly kind: 'xlsx';
      /** The sheet that is read. */
      readonly sheet: SheetInfo;
      /** All sheets of the workbook, in tab order (for a sheet picker). */
      readonly sheets: readonly SheetInfo[];
      /** Uncompressed size of the shared strings, which are held in memory while the sheet is read. */
      readonly sharedStringsBytes: number;
    };

export interface SheetInfo {
  /** 1-based position in the workbook's tab order (hidden sheets included). */
  readonly position: number;
  readonly name: string;
  readonly state: 'visible' | 'hidden' | 'veryHidden';
  readonly kind: 'worksheet' | 'chartsheet' | 'other';
  /** Path of the part inside the ZIP, e.g. `xl/worksheets/sheet1.xml`; null if unresolvable. */
  readonly path: string | null;
}
