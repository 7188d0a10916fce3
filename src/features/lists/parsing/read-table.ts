/**
 * One streaming API for CSV and XLSX candidate lists.
 *
 *   const table = await openTable(path, { maxRows: 200_000 });
 *   table.source;   // { kind: 'csv', encoding, delimiter } | { kind: 'xlsx', sheet, sheets }
 *   table.header;   // { headerLine, columns, … } (header.ts)
 *   for await (const row of table.rows) { … }   // data rows only, one pass, never collected
 *
 * or lazily: `const t = readTable(path); await t.header(); for await (const row of t) …`.
 *
 * Order of checks: size (stat, before anything is parsed) → type by content (sniff.ts) → for XLSX the ZIP
 * guard (zip-guard.ts, before exceljs) → streaming parse, counting rows as they come.
 */
import { stat } from 'node:fs/promises';

import { ListParseError, grouped } from './errors.js';
import { HEADER_SCAN_ROWS, detectHeader } from './header.js';
import type { DetectedHeader } from './header.js';
import { readCsvRows } from './csv-reader.js';
import { readXlsxRows } from './xlsx-reader.js';
import { sniffFile } from './sniff.js';
import { guardXlsx } from './zip-guard.js';
import type { ZipLimits } from './zip-guard.js';
import type { MergeRange, RawRow, TableSource } from './types.js';

const MiB = 1024 * 1024;

export const READ_LIMITS = Object.freeze({
  /** Data rows (after the header). */
  maxRows: 200_000,
  /** File size, checked with stat before parsing. */
  maxBytes: 50 * MiB,
  /** Non-empty cells beyond this column are refused. */
  maxColumns: 512,
});

export const messages = {
  tooLarge: (size: number, max: number) =>
    `文件大小为 ${mb(size)}，超过 ${mb(max)} 的上限，未读取。请拆分后分批上传。`,
  empty: '文件为空，请检查后重新上传。',
  noRows: '文件中没有数据（所有行都是空的）。',
  tooManyRows: (max: number) => `数据超过 ${grouped(max)} 行的上限，已停止读取。请拆分成多个文件分批上传。`,
  headerLineNotFound: (line: number) => `第 ${line} 行不在文件开头的 ${HEADER_SCAN_ROWS} 个非空行内，无法作为表头。`,
} as const;

function mb(n: number): string {
  return `${(n / MiB).toFixed(n >= 10 * MiB ? 0 : 1)} MB`;
}

export interface ReadTableOptions {
  /** XLSX: sheet name or 1-based position in tab order. Default: the first visible worksheet. */
  sheet?: string | number;
  /** Max data rows (default 200,000). More → `TOO_MANY_ROWS`, thrown while streaming. */
  maxRows?: number;
  /** Max file size in bytes (default 50 MiB). Larger → `FILE_TOO_LARGE`, before parsing. */
  maxBytes?: number;
  maxColumns?: number;
  zipLimits?: Partial<ZipLimits>;
  /** Use this line as the (one-row) header instead of detecting it (the user picked it). */
  headerLine?: number;
}

interface Prepared {
  source: TableSource;
  merges: MergeRange[];
  open(maxScannedRows: number): AsyncGenerator<RawRow>;
}

async function prepare(path: string, opts: ReadTableOptions): Promise<Prepared> {
  const maxBytes = opts.maxBytes ?? READ_LIMITS.maxBytes;
  const maxColumns = opts.maxColumns ?? READ_LIMITS.maxColumns;
  const { size } = await stat(path);
  if (size > maxBytes) throw new ListParseError('FILE_TOO_LARGE', messages.tooLarge(size, maxBytes));
  if (size === 0) throw new ListParseError('EMPTY_FILE', messages.empty);

  const sniffed = await sniffFile(path);
  if (sniffed.kind === 'csv') {
    const { encoding, bom, delimiter } = sniffed;
    return {
      source: { kind: 'csv', encoding, bom, delimiter },
      merges: [],
      open: (maxScannedRows) => readCsvRows(path, { encoding, delimiter, maxColumns, maxScannedRows }),
    };
  }
  const inspection = await guardXlsx(path, {
    ...(opts.zipLimits ? { limits: opts.zipLimits } : {}),
    ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}),
  });
  return {
    source: { kind: 'xlsx', sheet: inspection.target, sheets: inspection.sheets, sharedStringsBytes: inspection.sharedStringsBytes },
    merges: inspection.merges,
    open: (maxScannedRows) =>
      readXlsxRows(path, { sheetNo: inspection.targetSheetNo, readPlan: inspection.readPlan, maxColumns, maxScannedRows }),
  };
}

/** Blank rows (",,,," or empty styled rows) are skipped cheaply but still bounded. */
const scannedLimit = (maxRows: number): number => maxRows * 5 + 1000;

/**
 * Every non-empty row of the file, title and header rows included (e.g. for a "pick the header row"
 * preview). At most `maxRows + HEADER_SCAN_ROWS` rows.
 */
export async function* readRawRows(path: string, opts: ReadTableOptions = {}): AsyncGenerator<RawRow> {
  const maxRows = (opts.maxRows ?? READ_LIMITS.maxRows) + HEADER_SCAN_ROWS;
  const prepared = await prepare(path, opts);
  let count = 0;
  for await (const row of prepared.open(scannedLimit(maxRows))) {
    if (++count > maxRows) throw new ListParseError('TOO_MANY_ROWS', messages.tooManyRows(maxRows), { line: row.line });
    yield row;
  }
}

export interface OpenedTable {
  readonly source: TableSource;
  readonly header: DetectedHeader;
  /** The first non-empty rows (up to HEADER_SCAN_ROWS), title and header rows included, for a preview. */
  readonly preview: readonly RawRow[];
  /** Data rows after the header. Single pass. Throws `ListParseError` on a file error mid-way. */
  readonly rows: AsyncGenerator<RawRow, void, undefined>;
  /** Stop reading and release the file (needed only when `rows` is not iterated to the end). */
  close(): Promise<void>;
}

/** Open a table: checks, type detection, header detection. Resolves before any data row is consumed. */
export async function openTable(path: string, opts: ReadTableOptions = {}): Promise<OpenedTable> {
  const maxRows = opts.maxRows ?? READ_LIMITS.maxRows;
  const prepared = await prepare(path, opts);
  const it = prepared.open(scannedLimit(maxRows + HEADER_SCAN_ROWS));
  const preview: RawRow[] = [];
  let detection: ReturnType<typeof detectHeader>;
  try {
    while (preview.length < HEADER_SCAN_ROWS) {
      const n = await it.next();
      if (n.done) break;
      preview.push(n.value);
    }
    if (preview.length === 0) throw new ListParseError('EMPTY_FILE', messages.noRows);
    if (opts.headerLine !== undefined) {
      const i = preview.findIndex((r) => r.line === opts.headerLine);
      if (i < 0) throw new ListParseError('HEADER_NOT_FOUND', messages.headerLineNotFound(opts.headerLine), { line: opts.headerLine });
      const manual = detectHeader([preview[i] as RawRow]);
      detection = {
        header: { ...manual.header, titleLines: preview.slice(0, i).map((r) => r.line) },
        dataStart: i + 1,
      };
    } else {
      detection = detectHeader(preview, { merges: prepared.merges });
    }
  } catch (e) {
    await it.return(undefined);
    throw e;
  }

  const { dataStart } = detection;
  async function* dataRows(): AsyncGenerator<RawRow, void, undefined> {
    let count = 0;
    try {
      for (let i = dataStart; i < preview.length; i++) {
        const row = preview[i] as RawRow;
        if (++count > maxRows) throw new ListParseError('TOO_MANY_ROWS', messages.tooManyRows(maxRows), { line: row.line });
        yield row;
      }
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        if (++count > maxRows) throw new ListParseError('TOO_MANY_ROWS', messages.tooManyRows(maxRows), { line: n.value.line });
        yield n.value;
      }
    } finally {
      await it.return(undefined);
    }
  }
  const rows = dataRows();
  return {
    source: prepared.source,
    header: detection.header,
    preview,
    rows,
    async close() {
      await rows.return(undefined);
      await it.return(undefined);
    },
  };
}

/** Lazy form: iterating yields the data rows; `header()` / `source()` open the file if needed. */
export interface TableReader extends AsyncIterable<RawRow> {
  header(): Promise<DetectedHeader>;
  source(): Promise<TableSource>;
  close(): Promise<void>;
}

export function readTable(path: string, opts: ReadTableOptions = {}): TableReader {
  let opened: Promise<OpenedTable> | null = null;
  const open = (): Promise<OpenedTable> => (opened ??= openTable(path, opts));
  return {
    header: async () => (await open()).header,
    source: async () => (await open()).source,
    async *[Symbol.asyncIterator]() {
      const t = await open();
      yield* t.rows;
    },
    async close() {
      if (!opened) return;
      const t = await opened.catch(() => null);
      await t?.close();
    },
  };
}
