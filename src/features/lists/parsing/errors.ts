/**
 * The one error type thrown by the list-parsing module. Its `message` is Chinese and safe to show to the
 * user as is (it never contains a stack, a path on the server or raw file content beyond a short excerpt).
 * The messages themselves live in the `messages` const of the module that raises them.
 */

export type ListParseErrorCode =
  | 'EMPTY_FILE' // 0 bytes, or no non-empty row
  | 'FILE_TOO_LARGE' // over maxBytes (checked with stat, before parsing)
  | 'TOO_MANY_ROWS' // over maxRows (counted while streaming)
  | 'TOO_MANY_COLUMNS'
  | 'UNSUPPORTED_TYPE' // PDF, HTML, images, .xls, encrypted workbook, .xlsb, .ods, other binary
  | 'UNSUPPORTED_ENCODING' // UTF-16 / UTF-32 text
  | 'ZIP_LIMIT' // decompressed size / entry count / compression ratio over the caps
  | 'ZIP_INVALID' // malformed or ambiguous ZIP structure, DTD in an XML part, macros
  | 'SHEET_NOT_FOUND'
  | 'HEADER_NOT_FOUND' // a header line chosen by the user that is not among the first rows
  | 'CSV_SYNTAX'; // unbalanced quotes, record too long, merged rows

/** HTTP status the caller will usually want: 413 too large, 415 wrong type, 422 everything else. */
export type ListParseErrorStatus = 413 | 415 | 422;

const statusOf: Record<ListParseErrorCode, ListParseErrorStatus> = {
  EMPTY_FILE: 422,
  FILE_TOO_LARGE: 413,
  TOO_MANY_ROWS: 413,
  TOO_MANY_COLUMNS: 422,
  UNSUPPORTED_TYPE: 415,
  UNSUPPORTED_ENCODING: 415,
  ZIP_LIMIT: 422,
  ZIP_INVALID: 422,
  SHEET_NOT_FOUND: 422,
  HEADER_NOT_FOUND: 422,
  CSV_SYNTAX: 422,
};

export class ListParseError extends Error {
  override readonly name = 'ListParseError';
  readonly code: ListParseErrorCode;
  readonly status: ListParseErrorStatus;
  /** The line (CSV) or row (XLSX) the error is about, when there is one. */
  readonly line: number | undefined;

  constructor(code: ListParseErrorCode, message: string, opts: { line?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.status = statusOf[code];
    this.line = opts.line;
  }
}

/** A count or limit as messages show it: 200,000 rather than 200000 (rows numbers stay as Excel shows them). */
export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

export function isListParseError(e: unknown): e is ListParseError {
  return e instanceof ListParseError;
}
