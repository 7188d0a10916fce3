/**
 * Streaming XLSX reader on top of exceljs `stream.xlsx.WorkbookReader` (run only after `guardXlsx`).
 *
 * Two fixes to exceljs 4.4.0 internals are applied to the reader instance (exceljs is pinned exactly):
 * - exceljs decodes each inflated chunk with a fresh `TextDecoder.decode(chunk)` (lib/utils/parse-sax.js),
 *   so a Chinese character cut by a chunk boundary becomes U+FFFD (exceljs issues #2063, #2084, #2316;
 *   measured here: 184 corrupted cells in a 100k-row file). The parts are handed to exceljs as already
 *   decoded strings (`setEncoding('utf8')` on the ZIP entry, or a streaming TextDecoder on the worksheet
 *   iterator), which exceljs passes through unchanged.
 * - Only the sheet chosen by `guardXlsx` is parsed. exceljs is normally fed `guardXlsx`'s read plan (the
 *   verified bytes of workbook, rels, sharedStrings, styles and that one sheet, in that order), so it
 *   streams the sheet directly instead of writing it to a temp file first (which it does whenever a sheet
 *   precedes sharedStrings.xml, e.g. in files saved by Excel, and which an aborted read would leave
 *   behind). Without a plan, other sheets are skipped by the patched `_parseWorksheet`.
 *
 * Cell values become text faithfully: strings as is (Excel's `_xHHHH_` escapes decoded, line breaks as
 * `\n`), rich text joined, formulas → cached result, dates → `YYYY-MM-DD` (`YYYY-MM-DD HH:mm:ss` when there
 * is a time), numbers as plain digits without exponent or binary noise (15 significant digits, like
 * Excel). A number of 16+ digits is flagged `numberLossy`: Excel keeps 15 significant digits and a double
 * cannot hold an 18-digit credit code, so the digits shown are not the ones that were typed.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

import { ListParseError, grouped } from './errors.js';
import type { StreamSegment } from './zip-guard.js';
import type { CellValue, RawRow } from './types.js';

export const messages = {
  tooManyColumns: (line: number, max: number) => `第 ${line} 行的列数超过 ${grouped(max)} 列上限，请检查文件内容。`,
  tooManyLines: (max: number) => `工作表行数超过 ${grouped(max)} 行上限（含空行），已停止读取。请删除多余的空行或拆分后上传。`,
  internal: '读取 Excel 文件时出错，请用 Excel 或 WPS 打开后重新另存为 .xlsx 或 CSV 再上传。',
} as const;

export interface XlsxReadOptions {
  /** N of `xl/worksheets/sheetN.xml` (from `guardXlsx`). */
  sheetNo: string;
  /** `guardXlsx`'s read plan; null = give exceljs the whole file. */
  readPlan: readonly StreamSegment[] | null;
  maxColumns: number;
  maxScannedRows: number;
}

const EMPTY: CellValue = Object.freeze({ text: '' });

// ---------------------------------------------------------------------------------------------
// value → text

/** Same test as exceljs's `utils.isDateFmt`. */
export function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  const f = fmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
  return /[ymdhMsb]+/.test(f);
}

/** Expand `1.5e-7` / `1.2e+21` to plain decimal notation. */
function expandExponent(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(s);
  if (!m) return s;
  const sign = m[1] ?? '';
  const intPart = m[2] ?? '0';
  const frac = m[3] ?? '';
  const exp = Number(m[4]);
  const digits = intPart + frac;
  const point = intPart.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + out;
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/\.?0+$/, '');
}

/** Integers at or above this have 16+ digits: Excel has already dropped digits (15 significant). */
const LOSSY_FROM = 1e15;

export function formatExcelNumber(n: number): CellValue {
  if (!Number.isFinite(n)) return { text: '', error: true };
  if (Math.abs(n) >= LOSSY_FROM) {
    return { text: BigInt(Math.round(n)).toString(), numberLossy: true };
  }
  if (Number.isInteger(n)) return { text: n === 0 ? '0' : String(n) };
  let s = stripZeros(expandExponent(n.toPrecision(15)));
  if (s === '-0') s = '0';
  return { text: s };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatExcelDate(d: Date): CellValue {
  const t = d.getTime();
  if (!Number.isFinite(t)) return { text: '', error: true };
  const r = new Date(Math.round(t / 1000) * 1000);
  const date = `${pad(r.getUTCFullYear(), 4)}-${pad(r.getUTCMonth() + 1)}-${pad(r.getUTCDate())}`;
  if (r.getUTCHours() === 0 && r.getUTCMinutes() === 0 && r.getUTCSeconds() === 0) return { text: date };
  return { text: `${date} ${pad(r.getUTCHours())}:${pad(r.getUTCMinutes())}:${pad(r.getUTCSeconds())}` };
}

function serialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86400000));
}

/** Excel escapes control characters in XML as `_xHHHH_` (e.g. `_x000D_` for CR). */
export function cleanExcelString(s: string): string {
  let out = s;
  if (out.includes('_x')) out = out.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  if (out.includes('\r')) out = out.replace(/\r\n?/g, '\n');
  return out;
}

function textCell(s: string): CellValue {
  return s === '' ? EMPTY : { text: cleanExcelString(s) };
}

type AnyRecord = Record<string, unknown>;

export function cellToValue(value: unknown, numFmt: string | undefined, date1904: boolean): CellValue {
  if (value === null || value === undefined) return EMPTY;
  switch (typeof value) {
    case 'string':
      return textCell(value);
    case 'number':
      return formatExcelNumber(value);
    case 'boolean':
      return { text: value ? 'TRUE' : 'FALSE' };
    default:
      break;
  }
  if (value instanceof Date) return formatExcelDate(value);
  if (typeof value !== 'object') return textCell(String(value));
  const v = value as AnyRecord;
  if (Array.isArray(v.richText)) {
    return textCell((v.richText as AnyRecord[]).map((r) => (typeof r.text === 'string' ? r.text : '')).join(''));
  }
  if ('error' in v) return { text: typeof v.error === 'string' ? v.error : '', error: true };
  if ('formula' in v || 'sharedFormula' in v || 'result' in v) {
    const res = v.result;
    if (res === undefined || res === null) return { text: '', error: true };
    if (typeof res === 'number') {
      if (Number.isNaN(res)) return { text: '', error: true }; // cached error value (#N/A …)
      return isDateFormat(numFmt) ? formatExcelDate(serialToDate(res, date1904)) : formatExcelNumber(res);
    }
    if (typeof res === 'object' && res !== null && 'error' in res) {
      const code = (res as AnyRecord).error;
      return { text: typeof code === 'string' ? code : '', error: true };
    }
    return cellToValue(res, numFmt, date1904);
  }
  if (typeof v.text === 'string') return textCell(v.text); // hyperlink
  return EMPTY;
}

// ---------------------------------------------------------------------------------------------
// exceljs reader with the fixes

interface ReaderInternals {
  _parseSharedStrings?: (entry: { setEncoding(enc: string): unknown }, ...rest: unknown[]) => unknown;
  _parseWorkbook?: (entry: { setEncoding(enc: string): unknown }, ...rest: unknown[]) => unknown;
  _parseRels?: (entry: { setEncoding(enc: string): unknown }, ...rest: unknown[]) => unknown;
  _parseStyles?: (entry: { setEncoding(enc: string): unknown }, ...rest: unknown[]) => unknown;
  _parseWorksheet?: (iterator: unknown, sheetNo: unknown) => Iterable<unknown>;
  properties?: { model?: { date1904?: boolean } };
}

async function* decodeUtf8Chunks(source: AsyncIterable<unknown>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    const s = typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
    if (s) yield s;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

function patchReader(reader: unknown, sheetNo: string): ReaderInternals {
  const r = reader as ReaderInternals;
  for (const name of ['_parseSharedStrings', '_parseWorkbook', '_parseRels', '_parseStyles'] as const) {
    const orig = r[name];
    if (typeof orig !== 'function') throw new Error(`exceljs internals changed: ${name}`);
    r[name] = function (this: unknown, entry, ...rest) {
      entry.setEncoding('utf8');
      return orig.call(this, entry, ...rest);
    };
  }
  const origSheet = r._parseWorksheet;
  if (typeof origSheet !== 'function') throw new Error('exceljs internals changed: _parseWorksheet');
  r._parseWorksheet = function* (this: unknown, iterator: unknown, no: unknown) {
    if (String(no) !== sheetNo) {
      // Not the sheet we read: exceljs autodrains the ZIP entry; a temp-file stream is closed here.
      const destroy = (iterator as { destroy?: unknown }).destroy;
      if (typeof destroy === 'function') destroy.call(iterator);
      return;
    }
    yield* origSheet.call(this, decodeUtf8Chunks(iterator as AsyncIterable<unknown>), no);
  };
  return r;
}

async function* planBytes(path: string, plan: readonly StreamSegment[]): AsyncGenerator<Buffer> {
  for (const seg of plan) {
    if ('bytes' in seg) {
      yield seg.bytes;
    } else if (seg.end > seg.start) {
      for await (const chunk of createReadStream(path, { start: seg.start, end: seg.end - 1, highWaterMark: 1 << 20 })) {
        yield chunk as Buffer;
      }
    }
  }
}

export async function* readXlsxRows(path: string, opts: XlsxReadOptions): AsyncGenerator<RawRow> {
  const input = opts.readPlan ? Readable.from(planBytes(path, opts.readPlan), { objectMode: false }) : createReadStream(path, { highWaterMark: 1 << 20 });
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell dates from numbers
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const internals = patchReader(reader, opts.sheetNo);
  let scanned = 0;
  try {
    for await (const ws of reader) {
      const date1904 = internals.properties?.model?.date1904 === true;
      for await (const row of ws) {
        if (++scanned > opts.maxScannedRows) {
          throw new ListParseError('TOO_MANY_ROWS', messages.tooManyLines(opts.maxScannedRows), { line: row.number });
        }
        const cells: CellValue[] = [];
        let nonBlank = false;
        let mojibake = false;
        let tooWide = false;
        row.eachCell({ includeEmpty: false }, (cell, col) => {
          const v = cellToValue(cell.value, cell.numFmt, date1904);
          if (v.text === '' && !v.error) return;
          if (col > opts.maxColumns) {
            tooWide = true;
            return;
          }
          while (cells.length < col - 1) cells.push(EMPTY);
          cells[col - 1] = v;
          if (v.error || v.text.trim() !== '') nonBlank = true;
          if (v.text.includes('\ufffd')) mojibake = true;
        });
        if (tooWide) {
          throw new ListParseError('TOO_MANY_COLUMNS', messages.tooManyColumns(row.number, opts.maxColumns), { line: row.number });
        }
        if (!nonBlank) continue;
        yield mojibake ? { line: row.number, cells, mojibake: true } : { line: row.number, cells };
      }
    }
  } catch (e) {
    if (e instanceof ListParseError) throw e;
    // saxes / unzipper errors: malformed XML, undefined entity, truncated archive …
    throw new ListParseError('ZIP_INVALID', messages.internal, { cause: e });
  } finally {
    input.destroy();
  }
}
