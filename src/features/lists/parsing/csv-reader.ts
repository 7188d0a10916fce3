/**
 * Streaming CSV reader: fs stream → line-ending normaliser → (GB18030 decoder) → csv-parse.
 *
 * Line numbers: csv-parse's `info.lines` counts a CRLF *inside* a quoted field as two lines (verified with
 * csv-parse 7.0.3), so every CRLF and lone CR is turned into LF first (a byte-level change that is safe for
 * UTF-8 and GB18030, whose multi-byte sequences never contain 0x0D/0x0A). Line breaks inside cells
 * therefore come out as `\n`. The start line of a record is then its end line minus the line breaks it
 * contains. The conversion runs inside csv-parse (`on_record`, whose context carries the same `lines`
 * counter as `info: true`) so that the last good record is known when an error aborts the stream.
 *
 * Quotes: csv-parse stays strict (no `relax_quotes`), so an unbalanced quote is an error naming the line
 * where the broken record starts, not a silent merge of the following rows. The case csv-parse cannot see
 * (a stray quote that happens to be closed by another stray quote many lines later, followed by a
 * delimiter) is caught by a heuristic: a cell whose inner lines look like whole records.
 */
import { createReadStream } from 'node:fs';
import { Transform, pipeline } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse';
import type { InfoRecord, Options } from 'csv-parse';

import { ListParseError, grouped } from './errors.js';
import type { CellValue, CsvDelimiter, RawRow, TextEncoding } from './types.js';

export const messages = {
  quoteNotClosed: (start: number) =>
    `第 ${start} 行：引号未闭合。该行某个单元格以英文双引号 " 开头，但直到文件末尾都没有配对的引号，后面的行无法读取。请检查第 ${start} 行。`,
  badClosingQuote: (start: number, at: number) =>
    start === at
      ? `第 ${start} 行：引号不匹配，带引号的单元格结束后紧跟了其他字符。请检查第 ${start} 行中的英文双引号。`
      : `第 ${start} 行：引号不匹配，从第 ${start} 行开始的带引号单元格一直延续到第 ${at} 行。请检查第 ${start} 行中的英文双引号。`,
  badOpeningQuote: (line: number) =>
    `第 ${line} 行：单元格中间出现了英文双引号 "，格式不规范。请用 Excel 或 WPS 打开后重新另存为 CSV 或 .xlsx。`,
  recordTooLong: (start: number, max: number) =>
    `第 ${start} 行：一条记录超过 ${Math.round(max / 1024)} KB，通常是引号未闭合导致后面多行被合并。请检查第 ${start} 行中的英文双引号。`,
  mergedRows: (start: number, end: number) =>
    `第 ${start} 行：引号不匹配，第 ${start}–${end} 行被合并成了一条记录。请检查第 ${start} 行中的英文双引号。`,
  tooManyColumns: (line: number, max: number) => `第 ${line} 行的列数超过 ${grouped(max)} 列上限，请检查分隔符或文件内容。`,
  tooManyLines: (max: number) => `文件行数超过 ${grouped(max)} 行上限（含空行），已停止读取。请删除多余的空行或拆分后上传。`,
  syntax: (line: number) => `第 ${line} 行：CSV 格式错误，无法读取。请用 Excel 或 WPS 打开后重新另存为 CSV 或 .xlsx。`,
} as const;

/** Max bytes of one record (csv-parse `max_record_size`): Excel cells hold at most 32,767 characters. */
export const MAX_RECORD_BYTES = 256 * 1024;

export interface CsvReadOptions {
  encoding: TextEncoding;
  delimiter: CsvDelimiter;
  maxColumns: number;
  /** Records seen (blank ones included) before giving up. */
  maxScannedRows: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** CRLF → LF and lone CR → LF, across chunk boundaries. */
export class NewlineNormaliser extends Transform {
  private pendingCR = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let pos = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (chunk[0] === LF) pos = 1;
    }
    let cr = chunk.indexOf(CR, pos);
    if (cr < 0) {
      cb(null, pos === 0 ? chunk : chunk.subarray(pos));
      return;
    }
    const out = Buffer.allocUnsafe(chunk.length - pos);
    let o = 0;
    for (;;) {
      o += chunk.copy(out, o, pos, cr < 0 ? chunk.length : cr);
      if (cr < 0) break;
      out[o++] = LF;
      if (cr + 1 >= chunk.length) {
        this.pendingCR = true;
        break;
      }
      pos = chunk[cr + 1] === LF ? cr + 2 : cr + 1;
      cr = chunk.indexOf(CR, pos);
    }
    cb(null, out.subarray(0, o));
  }
}

const EMPTY: CellValue = Object.freeze({ text: '' });
/** What Excel writes into a CSV for a long number it displayed in scientific notation: digits are gone. */
const SCIENTIFIC_RE = /^\s*[+-]?\d+(?:\.\d+)?[eE][+-]\d+\s*$/;

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function countChar(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * Record → RawRow, run by csv-parse itself (`on_record`) so that the position of the last good record is
 * known even when an error discards records that were parsed but not yet consumed.
 */
class RecordConverter {
  lastEnd = 0; // end line of the last record parsed
  lastEmpty = 0; // csv-parse's empty_lines counter at that record
  private scanned = 0;
  private typicalCols = 0; // widest of the first single-line records, for the merged-rows heuristic
  private singleLineSeen = 0;

  constructor(private readonly opts: CsvReadOptions) {}

  convert(record: string[], info: { lines: number; empty_lines: number }): RawRow | null {
    const { opts } = this;
    let newlines = 0;
    for (const f of record) if (f.includes('\n')) newlines += countNewlines(f);
    const end = info.lines;
    const start = end - newlines;
    this.lastEnd = end;
    this.lastEmpty = info.empty_lines;
    if (++this.scanned > opts.maxScannedRows) {
      throw new ListParseError('TOO_MANY_ROWS', messages.tooManyLines(opts.maxScannedRows), { line: start });
    }

    let last = record.length - 1;
    while (last >= 0 && (record[last] ?? '').trim() === '') last--;
    if (last < 0) return null; // blank record such as ",,,,"
    if (last + 1 > opts.maxColumns) {
      throw new ListParseError('TOO_MANY_COLUMNS', messages.tooManyColumns(start, opts.maxColumns), { line: start });
    }

    if (newlines === 0) {
      if (this.singleLineSeen < 20) {
        this.singleLineSeen++;
        if (last + 1 > this.typicalCols) this.typicalCols = last + 1;
      }
    } else if (this.typicalCols >= 3) {
      // A cell whose inner lines carry (almost) a full record's worth of delimiters: rows were merged by
      // an unbalanced quote that csv-parse could not detect.
      for (const f of record) {
        if (!f.includes('\n')) continue;
        for (const inner of f.split('\n')) {
          if (countChar(inner, opts.delimiter) >= this.typicalCols - 1) {
            throw new ListParseError('CSV_SYNTAX', messages.mergedRows(start, end), { line: start });
          }
        }
      }
    }

    const cells: CellValue[] = new Array<CellValue>(last + 1);
    let mojibake = false;
    for (let i = 0; i <= last; i++) {
      const text = record[i] ?? '';
      if (text === '') {
        cells[i] = EMPTY;
        continue;
      }
      if (text.includes('\ufffd')) mojibake = true;
      cells[i] = SCIENTIFIC_RE.test(text) ? { text, numberLossy: true } : { text };
    }
    return mojibake ? { line: start, cells, mojibake: true } : { line: start, cells };
  }
}

export async function* readCsvRows(path: string, opts: CsvReadOptions): AsyncGenerator<RawRow> {
  const converter = new RecordConverter(opts);
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  const parser = parse({
    bom: true,
    delimiter: opts.delimiter,
    quote: '"',
    record_delimiter: '\n',
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
    // csv-parse's typings want on_record to return a record of the input type; it returns RawRow here.
    on_record: ((record: string[], info: InfoRecord) => converter.convert(record, info)) as unknown as Options['on_record'],
  });
  const stages: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream | NodeJS.WritableStream> = [source, new NewlineNormaliser()];
  if (opts.encoding === 'gb18030') stages.push(iconv.decodeStream('gb18030'));
  stages.push(parser);
  // Errors of any stage reach the parser, hence the loop below.
  pipeline(stages, () => {});
  try {
    for await (const row of parser as AsyncIterable<RawRow>) yield row;
  } catch (e) {
    throw mapCsvError(e, converter.lastEnd, converter.lastEmpty);
  } finally {
    source.destroy();
  }
}

function mapCsvError(e: unknown, lastEnd: number, lastEmpty: number): unknown {
  if (e instanceof ListParseError) return e;
  const err = e as { code?: unknown; lines?: unknown; empty_lines?: unknown };
  if (typeof err.code !== 'string' || typeof err.lines !== 'number') return e; // I/O error etc.
  const at = err.lines;
  const emptyDelta = typeof err.empty_lines === 'number' ? Math.max(0, err.empty_lines - lastEmpty) : 0;
  const start = Math.min(at, lastEnd + 1 + emptyDelta);
  let message: string;
  let line = start;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      message = messages.quoteNotClosed(start);
      break;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      message = messages.badClosingQuote(start, at);
      break;
    case 'INVALID_OPENING_QUOTE':
      message = messages.badOpeningQuote(at);
      line = at;
      break;
    case 'CSV_MAX_RECORD_SIZE':
      message = messages.recordTooLong(start, MAX_RECORD_BYTES);
      break;
    default:
      message = messages.syntax(start);
  }
  return new ListParseError('CSV_SYNTAX', message, { line, cause: e });
}
