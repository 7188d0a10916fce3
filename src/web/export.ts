/**
 * The one export module: every "导出 Excel / CSV" of the app streams through here (the board's
 * filtered firm list, /firms, /readiness, the dashboard tables, the annual report, and whatever
 * other features add — /certifications and the calendar call `sendExport` the same way).
 *
 * - XLSX: exceljs's streaming `WorkbookWriter` (rows are committed as they are written, so 100,000
 *   rows cost flat memory — `npm run bench` measures it). A title row says what the table is, as of
 *   when and with which filters; the header row is frozen below it. Credit codes and every other
 *   text are string cells (never formulas, never numbers: a code like `91330281…` would otherwise
 *   lose digits); 万元 columns are numbers with the format `#,##0.00`; whole numbers `#,##0`,
 *   shares `0.0%`.
 * - CSV: UTF-8 with BOM and CRLF (what Excel and WPS open), the same title lines first, every string
 *   cell formula-escaped (a leading `=` `+` `-` `@`, TAB, CR, LF or their full-width forms gets a
 *   `'`: OWASP CSV injection), numbers left as numbers.
 *
 * Both writers take rows as an (async) iterable, so a query can be read a chunk at a time
 * (`chunksByKey`) and the whole table is never in memory.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { Request, Response } from 'express';
import type { Db } from '../db/types.js';
import { appendAudit } from '../features/audit/audit.queries.js';
import { neutraliseFormula } from '../features/lists/parsing/export-safe.js';
import { writeContext } from './auth.js';
import { shanghaiDateTime, todayInShanghai } from '../lib/dates.js';

export type ExportFormat = 'xlsx' | 'csv';

/**
 * How a column is written: `text` and `code` as strings (a code column is also kept at its width),
 * `wan` a money amount given in integer 元 and written in 万元, `int` a count, `number` any number,
 * `percent` a share (0.25 = 25%), `date` a `YYYY-MM-DD` string.
 */
export type ColumnKind = 'text' | 'code' | 'wan' | 'int' | 'number' | 'percent' | 'date';

export interface ExportColumn<R> {
  header: string;
  kind?: ColumnKind;
  width?: number;
  value: (row: R) => string | number | bigint | null | undefined;
}

export interface ExportSheet<R> {
  /** Worksheet name (≤ 31 characters; cut if longer). */
  name: string;
  /** What the table is, e.g. "企业名录". */
  title: string;
  /** "as of" in words, e.g. "2026-12-02 16:40" or "截至 2025-12-31"; default: the time of writing. */
  asOf?: string;
  /** The filters applied, as label/value pairs (shown after the title). */
  filters?: [string, string][];
  /** Extra lines under the title (notes such as "定稿于…"). */
  notes?: string[];
  columns: ExportColumn<R>[];
  rows: Iterable<R> | AsyncIterable<R>;
}

const XML_INVALID_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const EXCEL_MAX_CELL = 32767;
const NUM_FORMATS: Partial<Record<ColumnKind, string>> = { wan: '#,##0.00', int: '#,##0', percent: '0.0%', number: '#,##0.##' };

/** A string that is safe in a spreadsheet: no formula trigger first, no XML-forbidden characters, within Excel's cell limit. */
export function safeText(v: string): string {
  const s = neutraliseFormula(v.replace(XML_INVALID_RE, '\ufffd'));
  return s.length > EXCEL_MAX_CELL ? s.slice(0, EXCEL_MAX_CELL) : s;
}

/** One cell's value for its column kind: numbers for number kinds, safe text otherwise, null when empty. */
export function cellValue(kind: ColumnKind, raw: string | number | bigint | null | undefined): string | number | null {
  if (raw === null || raw === undefined || raw === '') return null;
  if (kind === 'wan') {
    // Integer 元 → 万元. Exact to the 元 for any amount a firm reports (< 2^53 元).
    const yuan = typeof raw === 'bigint' ? Number(raw) : Number(raw);
    return Number.isFinite(yuan) ? yuan / 10000 : null;
  }
  if (kind === 'int' || kind === 'number' || kind === 'percent') {
    const n = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'number' ? raw : Number(raw);
    return Number.isFinite(n) ? n : safeText(String(raw));
  }
  return safeText(String(raw));
}

/** The title line: what, as of when, which filters. */
export function titleLine(sheet: Pick<ExportSheet<unknown>, 'title' | 'asOf' | 'filters'>): string {
  const parts = [sheet.title, `数据截至 ${sheet.asOf ?? shanghaiDateTime(new Date().toISOString())}`];
  const f = (sheet.filters ?? []).filter(([, v]) => v !== '');
  parts.push(f.length ? `筛选：${f.map(([k, v]) => `${k} ${v}`).join('，')}` : '筛选：无（全部）');
  return parts.join('　');
}

function sheetName(name: string, used: Set<string>): string {
  let n = name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Sheet';
  for (let i = 2; used.has(n); i++) n = `${name.slice(0, 28)}(${i})`;
  used.add(n);
  return n;
}

/** Resolves when `out` has room again, or has closed. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** Write one or more sheets as one XLSX workbook to `out` (ended when done). */
export async function writeXlsx(out: Writable, sheets: ExportSheet<any>[]): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const used = new Set<string>();
  let total = 0;
  for (const sheet of sheets) {
    const headerRow = 2 + (sheet.notes?.length ?? 0);
    const ws = wb.addWorksheet(sheetName(sheet.name, used), { views: [{ state: 'frozen', ySplit: headerRow }], pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
    ws.columns = sheet.columns.map((c) => ({
      width: c.width ?? (c.kind === 'code' ? 22 : c.kind === 'text' || c.kind === undefined ? 18 : 12),
      ...(NUM_FORMATS[c.kind ?? 'text'] ? { style: { numFmt: NUM_FORMATS[c.kind ?? 'text'] } } : {}),
    }));
    const title = ws.addRow([safeText(titleLine(sheet))]);
    title.font = { bold: true, size: 12 };
    title.commit();
    for (const note of sheet.notes ?? []) ws.addRow([safeText(note)]).commit();
    const header = ws.addRow(sheet.columns.map((c) => safeText(c.header)));
    header.font = { bold: true };
    header.commit();
    // One style object per column, shared by its cells: exceljs caches a style's id by the object
    // (a WeakMap), while the one it makes for each new cell is rendered to XML to be looked up —
    // most of the writer's time on a 100,000-row export.
    const styles = sheet.columns.map((c) => (NUM_FORMATS[c.kind ?? 'text'] ? { numFmt: NUM_FORMATS[c.kind ?? 'text'] } : {}));
    for await (const r of sheet.rows) {
      const row = ws.addRow(sheet.columns.map((c) => cellValue(c.kind ?? 'text', c.value(r))));
      for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i]!;
      row.commit();
      // exceljs does not wait for the download: without this, a slow or stalled client would have
      // the whole table read and buffered in memory while its bytes wait to be sent. A turn of the
      // event loop lets the zip stream take what was written; then wait while the client is behind.
      if (++total % 200 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (out.writableNeedDrain) await drained(out);
      }
      if (out.destroyed) return total; // the client went away: stop reading, nothing to finish
    }
    ws.commit();
  }
  await wb.commit();
  return total;
}

async function* csvRecords(sheet: ExportSheet<any>): AsyncGenerator<(string | number | null)[]> {
  yield [safeText(titleLine(sheet))];
  for (const note of sheet.notes ?? []) yield [safeText(note)];
  yield sheet.columns.map((c) => safeText(c.header));
  for await (const r of sheet.rows) yield sheet.columns.map((c) => cellValue(c.kind ?? 'text', c.value(r)));
}

/** Write one sheet as CSV (UTF-8 with BOM, CRLF) to `out` (ended when done). */
export async function writeCsv(out: Writable, sheet: ExportSheet<any>): Promise<void> {
  const stringifier = stringify({ bom: true, record_delimiter: 'windows', quoted_empty: false });
  await pipeline(Readable.from(csvRecords(sheet)), stringifier, out);
}

/** The format a request asks for: `.../export.xlsx`, `.../export.csv` or `?format=csv`; xlsx otherwise. */
export function exportFormatOf(req: Request): ExportFormat {
  const f = String(req.params.format ?? req.query.format ?? '').toLowerCase();
  return f === 'csv' ? 'csv' : 'xlsx';
}

/**
 * Send sheets as a download. CSV carries one sheet (the first); XLSX all of them. `fileBase` is
 * the Chinese name of the file without extension (the date is added).
 */
export async function sendExport(res: Response, format: ExportFormat, fileBase: string, sheets: ExportSheet<any>[]): Promise<void> {
  const date = todayInShanghai();
  const ascii = `miaopu-export-${date}.${format}`;
  res.set({
    'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(`${fileBase}-${date}.${format}`)}`,
    'Cache-Control': 'no-store',
  });
  if (format === 'csv') await writeCsv(res, sheets[0]!);
  else await writeXlsx(res, sheets);
}

/**
 * Read a query a chunk at a time by an increasing key (keyset paging: each chunk starts after the
 * last key of the previous one), so an export of 100,000 rows never holds more than one chunk.
 */
export async function* chunksByKey<R, K>(fetch: (after: K | null, limit: number) => Promise<R[]>, keyOf: (r: R) => K, chunk = 2000, max = Infinity): AsyncGenerator<R> {
  let after: K | null = null;
  let n = 0;
  while (n < max) {
    const rows = await fetch(after, Math.min(chunk, max - n));
    for (const r of rows) yield r;
    n += rows.length;
    if (rows.length < Math.min(chunk, max - n + rows.length)) return;
    after = keyOf(rows.at(-1)!);
  }
}

/** The row cap of an interactive export (a larger table is cut, with a line saying so). */
export const EXPORT_ROW_LIMIT = 200_000;

/**
 * Record a download in the audit log (导出表格): what was exported, the format and the filters in
 * words — exports carry confidential firm data out of the app.
 */
export async function recordExport(db: Db, req: Request, res: Response, what: string, format: ExportFormat, filters: [string, string][] = []): Promise<void> {
  await appendAudit(db, writeContext(req, res), { action: 'export.download', after: { what, format, filters: Object.fromEntries(filters) } });
}
