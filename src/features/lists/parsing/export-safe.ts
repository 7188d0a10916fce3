/**
 * Formula-safe output of the rows that were not imported ("rejects" download), as CSV or XLSX.
 *
 * Every string cell (the header names from the user's file included) that starts with `=` `+` `-` `@`,
 * TAB, CR or LF, or with a full-width `＝` `＋` `－` `＠`, also after leading spaces, is prefixed with `'`
 * (OWASP CSV injection; ASVS 5.0 1.2.10). JS numbers are written as numbers and plain decimal strings such
 * as `-12.5` are left as they are, so numbers stay numbers. This is csv-stringify's `escape_formulas` rule
 * plus the leading-space case, minus its prefixing of numeric strings; it is applied here, identically,
 * for both formats (csv-stringify's own option is therefore not enabled).
 *
 * CSV: UTF-8 with BOM and CRLF (what Excel and WPS open correctly), RFC 4180 quoting by csv-stringify.
 * XLSX: exceljs streaming `WorkbookWriter`, strings written as strings (never as formulas), characters
 * that XML 1.0 forbids replaced by U+FFFD, cells cut at Excel's 32,767-character limit.
 * Both writers end `out` when done.
 */
import { Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';

export const messages = {
  lineHeader: '行号',
  reasonHeader: '未导入原因',
  sheetName: '未导入的行',
} as const;

export interface RejectRow {
  /** Line (CSV) or row (XLSX) in the uploaded file. */
  readonly line: number;
  /** Cell values by column name (the names passed as `columns`). */
  readonly cells: Readonly<Record<string, string | number | null | undefined>>;
  /** Why the row was not imported (Chinese). */
  readonly reason: string;
}

export interface RejectsOptions {
  lineHeader?: string;
  reasonHeader?: string;
  /** XLSX only. */
  sheetName?: string;
}

type Rows = Iterable<RejectRow> | AsyncIterable<RejectRow>;

const TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\n', '\uff1d', '\uff0b', '\uff0d', '\uff20']);
const PLAIN_NUMBER_RE = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;

/** Prefix `'` to a string that a spreadsheet could take as a formula. */
export function neutraliseFormula(value: string): string {
  if (value === '' || PLAIN_NUMBER_RE.test(value)) return value;
  const first = value.charAt(0);
  const firstVisible = value.replace(/^[ \u00a0\u3000]+/, '').charAt(0);
  return TRIGGERS.has(first) || TRIGGERS.has(firstVisible) ? `'${value}` : value;
}

/** A cell for output: finite numbers as numbers, everything else as a neutralised string. */
export function safeCell(value: string | number | null | undefined): string | number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  if (value === null || value === undefined) return '';
  return neutraliseFormula(String(value));
}

async function* records(rows: Rows, columns: readonly string[], opts: RejectsOptions): AsyncGenerator<Array<string | number>> {
  yield [opts.lineHeader ?? messages.lineHeader, ...columns, opts.reasonHeader ?? messages.reasonHeader].map((h) => safeCell(h));
  for await (const r of rows) {
    yield [r.line, ...columns.map((c) => safeCell(r.cells[c])), safeCell(r.reason)];
  }
}

/** Stream the rejects as CSV (UTF-8 with BOM). */
export async function writeRejectsCsv(rows: Rows, out: Writable, columns: readonly string[], opts: RejectsOptions = {}): Promise<void> {
  const stringifier = stringify({ bom: true, record_delimiter: 'windows', quoted_empty: false });
  await pipeline(Readable.from(records(rows, columns, opts)), stringifier, out);
}

const XML_INVALID_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const EXCEL_MAX_CELL = 32767;

function xlsxCell(v: string | number): string | number {
  if (typeof v === 'number') return v;
  const s = v.replace(XML_INVALID_RE, '\ufffd');
  return s.length > EXCEL_MAX_CELL ? s.slice(0, EXCEL_MAX_CELL) : s;
}

/** Stream the rejects as an XLSX workbook with one sheet. */
export async function writeRejectsXlsx(rows: Rows, out: Writable, columns: readonly string[], opts: RejectsOptions = {}): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet(opts.sheetName ?? messages.sheetName);
  for await (const rec of records(rows, columns, opts)) {
    ws.addRow(rec.map(xlsxCell)).commit();
  }
  ws.commit();
  await wb.commit();
}
