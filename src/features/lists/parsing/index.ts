/** Public API of the list-parsing module. */
export * from './types.js';
export { ListParseError, isListParseError } from './errors.js';
export type { ListParseErrorCode, ListParseErrorStatus } from './errors.js';
export { openTable, readTable, readRawRows, READ_LIMITS } from './read-table.js';
export type { OpenedTable, ReadTableOptions, TableReader } from './read-table.js';
export { sniffFile, sniffBytes, detectEncoding, detectDelimiter } from './sniff.js';
export type { Sniffed } from './sniff.js';
export { guardXlsx, probeZip, ZIP_LIMITS } from './zip-guard.js';
export type { GuardOptions, StreamSegment, XlsxInspection, ZipKind, ZipLimits } from './zip-guard.js';
export { detectHeader, HEADER_SCAN_ROWS } from './header.js';
export type { DetectedHeader, HeaderDetection } from './header.js';
export {
  FIELDS,
  FIELD_LABELS,
  AMOUNT_FIELDS,
  REQUIRED_FIELDS,
  RECOMMENDED_FIELDS,
  normalizeHeader,
  matchColumn,
  suggestMapping,
  checkMapping,
  missingColumnsMessage,
} from './columns.js';
export type { FieldKey, ListKind, Mapping, MappingSuggestion, DuplicateMapping, MatchQuality } from './columns.js';
export { parseAmount, parseCount, parseHeadcount, parseYear, UNIT_EXPONENT } from './numbers.js';
export type { NumberResult, YearResult } from './numbers.js';
export { neutraliseFormula, safeCell, writeRejectsCsv, writeRejectsXlsx } from './export-safe.js';
export type { RejectRow, RejectsOptions } from './export-safe.js';
