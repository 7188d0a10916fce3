/**
 * ZIP pre-check for uploaded XLSX files, run before exceljs sees a single byte.
 *
 * exceljs has no decompression limits (a 336 KiB file that inflates to 150 MiB grows RSS by ~180 MiB,
 * see shared/security.md), so every archive goes through `guardXlsx` first:
 *
 * 1. Central directory only (nothing inflated): entry count, sum of declared uncompressed sizes,
 *    per-entry compression ratio, per-part caps (sharedStrings / styles / workbook are held in memory by
 *    exceljs), encryption, compression method, duplicate or ambiguous names, `xl/workbook.xml` present,
 *    no VBA project.
 * 2. Layout: the local entries must tile the file exactly (no gap that could hide an extra local entry,
 *    no overlapping entries, local name == central name). exceljs's unzipper reads *local* headers
 *    sequentially, yauzl reads the *central* directory; this makes both see the same entries.
 * 3. Verification pass: every entry is inflated through yauzl with `validateEntrySizes`, in a stream,
 *    and discarded. yauzl errors as soon as an entry produces more bytes than declared, so the declared
 *    sizes checked in step 1 become trustworthy, and the work is bounded by the caps. The same pass
 *    refuses XML parts with a DTD (`<!DOCTYPE` / `<!ENTITY`: billion laughs, XXE; Excel never writes
 *    one) and collects the merged ranges of the sheet to read (exceljs's streaming reader ignores
 *    `<mergeCell>`; header detection needs them).
 *
 * Cost measured on a 9.2 MiB / 100k-row workbook (52 MiB uncompressed): ~0.3 s, RSS ~60 MiB.
 */
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

import { ListParseError, grouped } from './errors.js';
import type { MergeRange, SheetInfo } from './types.js';

const MiB = 1024 * 1024;

export const messages = {
  limit: (detail: string) =>
    `文件解压后超过限制（${detail}），可能是异常或被篡改的文件，已拒绝读取。请删除多余的工作表、图片后重新保存，或另存为 CSV 再上传。`,
  invalid: '文件结构异常，无法安全读取。请用 Excel 或 WPS 打开后另存为 .xlsx 或 CSV 再上传。',
  notWorkbook: '该文件是压缩包，但不是 Excel 工作簿（缺少 xl/workbook.xml）。请上传 .xlsx 或 CSV 文件。',
  macro: '文件包含宏（VBA 代码），系统不接收含宏的文件。请另存为普通的 .xlsx（不含宏）或 CSV 再上传。',
  encrypted: '文件已加密（设有密码），无法读取。请在 Excel 或 WPS 中取消密码后另存为 .xlsx 或 CSV 再上传。',
  dtd: '文件中的 XML 含有不允许的 DTD 或实体声明，已拒绝读取。请用 Excel 或 WPS 打开后重新另存为 .xlsx 再上传。',
  noWorksheet: '工作簿中没有可读取的工作表。',
  sheetNotFound: (wanted: string, available: string) =>
    `找不到工作表“${wanted}”。文件中的工作表有：${available}。`,
  sheetNotReadable: (name: string) =>
    `工作表“${name}”不是普通的数据表（可能是图表页或宏表），无法读取。请选择其他工作表。`,
  sheetUnsupportedLayout: (name: string) =>
    `工作表“${name}”的存储结构不标准，无法读取。请用 Excel 或 WPS 打开后另存为 .xlsx 或 CSV 再上传。`,
  detailEntries: (n: number, max: number) => `包含 ${grouped(n)} 个内部文件，上限 ${grouped(max)} 个`,
  detailTotal: (n: number, max: number) => `解压后共 ${fmtMiB(n)}，上限 ${fmtMiB(max)}`,
  detailPart: (name: string, n: number, max: number) => `${name} 解压后 ${fmtMiB(n)}，上限 ${fmtMiB(max)}`,
  detailRatio: (name: string, ratio: number, max: number) => `${name} 的压缩比约 ${grouped(ratio)}:1，上限 ${grouped(max)}:1`,
  detailActualSize: (name: string) => `${name} 的实际解压大小超过文件中声明的大小`,
} as const;

function fmtMiB(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

export interface ZipLimits {
  /** Max number of entries in the archive. */
  maxEntries: number;
  /** Max sum of the uncompressed sizes of all entries, in bytes. */
  maxTotalUncompressed: number;
  /** Max uncompressed/compressed ratio of one entry (only for entries of at least `ratioMinBytes`). */
  maxEntryRatio: number;
  ratioMinBytes: number;
  /** exceljs caches every shared string in memory ('cache' mode). */
  maxSharedStrings: number;
  /** exceljs parses styles.xml into memory (needed to recognise dates). */
  maxStyles: number;
  /** workbook.xml and its rels are read into memory here. */
  maxWorkbookXml: number;
  /** Merged ranges are only kept for rows up to this number (the header region), at most `maxMerges`. */
  mergeRowLimit: number;
  maxMerges: number;
}

/**
 * Caps. Measured on normal workbooks: a 100k-row x 12-column sheet is 43 MiB uncompressed with ratios of
 * 4-6:1 (sheet) and 4:1 (sharedStrings); pathological-but-legitimate sheets (every cell styled, 200k empty
 * formatted rows, identical values in every row) stay at 8-13:1. A zip bomb is at 400-1000:1. 200k rows of
 * ~25 columns stay under 300 MiB.
 */
export const ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 1000,
  maxTotalUncompressed: 300 * MiB,
  maxEntryRatio: 100,
  ratioMinBytes: 1 * MiB,
  maxSharedStrings: 100 * MiB,
  maxStyles: 20 * MiB,
  maxWorkbookXml: 10 * MiB,
  mergeRowLimit: 1000,
  maxMerges: 5000,
});

/** A data descriptor is 12, 16, 20 or 24 bytes; any gap in which a local header (>= 30 bytes) could hide is refused. */
const MAX_DESCRIPTOR_GAP = 24;
/** exceljs recognises worksheets with this *unanchored* pattern (lib/stream/xlsx/workbook-reader.js). */
const EXCELJS_SHEET_RE = /xl\/worksheets\/sheet\d+[.]xml/;
const CANONICAL_SHEET_RE = /^xl\/worksheets\/sheet(\d+)\.xml$/;

export interface XlsxInspection {
  entryCount: number;
  totalUncompressed: number;
  sheets: SheetInfo[];
  /** The sheet to read (the `sheet` option, else the first visible worksheet). */
  target: SheetInfo;
  /** N of `xl/worksheets/sheetN.xml` for the target; this is how exceljs identifies it. */
  targetSheetNo: string;
  /** Merged ranges of the target sheet whose top row is <= `mergeRowLimit`. */
  merges: MergeRange[];
  /**
   * What to feed exceljs: the verified bytes of the parts it needs, in the order that lets it stream
   * (workbook, rels, sharedStrings, styles, then the one sheet), followed by the original central
   * directory. exceljs then never sees the other parts and never writes a sheet to a temp file (it does
   * when a sheet precedes sharedStrings.xml, as in files saved by Excel). Null: read the whole file.
   */
  readPlan: StreamSegment[] | null;
  /** Uncompressed size of xl/sharedStrings.xml: exceljs holds all shared strings in memory while reading. */
  sharedStringsBytes: number;
}

/** A byte range [start, end) of the file, or literal bytes. */
export type StreamSegment = { readonly start: number; readonly end: number } | { readonly bytes: Buffer };

export interface GuardOptions {
  limits?: Partial<ZipLimits>;
  /** Sheet name (exact, trimmed) or 1-based position in tab order. Default: first visible worksheet. */
  sheet?: string | number;
}

function zipInvalid(cause?: unknown): ListParseError {
  return new ListParseError('ZIP_INVALID', messages.invalid, { cause });
}

async function openZip(path: string): Promise<{ zf: ZipFile; cdOffset: number | null }> {
  let zf: ZipFile;
  try {
    zf = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      decodeStrings: true,
      strictFileNames: false,
    });
  } catch (e) {
    throw zipInvalid(e);
  }
  // yauzl keeps the central directory offset in `readEntryCursor` until the first entry is read
  // (not in its public API; if that ever changes the final-gap check is skipped, the others remain).
  const cursor = (zf as unknown as { readEntryCursor?: unknown }).readEntryCursor;
  return { zf, cdOffset: typeof cursor === 'number' ? cursor : null };
}

async function readAllEntries(zf: ZipFile, max: number): Promise<Entry[]> {
  if (zf.entryCount > max) {
    throw new ListParseError('ZIP_LIMIT', messages.limit(messages.detailEntries(zf.entryCount, max)));
  }
  const entries: Entry[] = [];
  try {
    for await (const e of zf.eachEntry()) entries.push(e);
  } catch (e) {
    throw zipInvalid(e);
  }
  return entries;
}

export type ZipKind = 'xlsx' | 'xlsm' | 'xlsb' | 'ods' | 'docx' | 'pptx' | 'other' | 'corrupt';

/**
 * Cheap classification from the central directory names only (used by sniff). Never inflates.
 */
export async function probeZip(path: string): Promise<ZipKind> {
  let opened: { zf: ZipFile; cdOffset: number | null };
  try {
    opened = await openZip(path);
  } catch {
    return 'corrupt';
  }
  const { zf } = opened;
  const names = new Set<string>();
  try {
    let n = 0;
    for await (const e of zf.eachEntry()) {
      names.add(e.fileName);
      if (++n >= 5000) break;
    }
  } catch {
    return 'corrupt';
  } finally {
    zf.close();
  }
  if (names.has('xl/workbook.xml')) return names.has('xl/vbaProject.bin') ? 'xlsm' : 'xlsx';
  if (names.has('xl/workbook.bin')) return 'xlsb';
  if (names.has('content.xml') && names.has('mimetype')) return 'ods';
  if (names.has('word/document.xml')) return 'docx';
  if (names.has('ppt/presentation.xml')) return 'pptx';
  return 'other';
}

function short(name: string): string {
  return name.length > 60 ? `${name.slice(0, 57)}...` : name;
}

function checkCentralDirectory(entries: Entry[], limits: ZipLimits): void {
  const seen = new Set<string>();
  let total = 0;
  let hasWorkbook = false;
  for (const e of entries) {
    const name = e.fileName;
    if (seen.has(name)) throw zipInvalid();
    seen.add(name);
    if (name === 'xl/workbook.xml') hasWorkbook = true;
    if (name === 'xl/vbaProject.bin' || (/\.bin$/i.test(name) && /vbaProject/i.test(name))) {
      throw new ListParseError('ZIP_INVALID', messages.macro);
    }
    if (e.isEncrypted()) throw new ListParseError('UNSUPPORTED_TYPE', messages.encrypted);
    if (e.compressionMethod !== 0 && e.compressionMethod !== 8) throw zipInvalid();
    // Stored entries with a data descriptor have no reliable length for a streaming reader.
    if (e.compressionMethod === 0 && (e.generalPurposeBitFlag & 0x8) !== 0) throw zipInvalid();
    if (EXCELJS_SHEET_RE.test(name) && !CANONICAL_SHEET_RE.test(name)) throw zipInvalid();

    const size = e.uncompressedSize;
    total += size;
    if (total > limits.maxTotalUncompressed) {
      const declared = entries.reduce((s, x) => s + x.uncompressedSize, 0);
      throw new ListParseError('ZIP_LIMIT', messages.limit(messages.detailTotal(declared, limits.maxTotalUncompressed)));
    }
    if (size >= limits.ratioMinBytes) {
      const ratio = e.compressedSize > 0 ? size / e.compressedSize : Infinity;
      if (ratio > limits.maxEntryRatio) {
        const shown = Number.isFinite(ratio) ? Math.round(ratio) : size;
        throw new ListParseError('ZIP_LIMIT', messages.limit(messages.detailRatio(short(name), shown, limits.maxEntryRatio)));
      }
    }
    const partCap =
      name === 'xl/sharedStrings.xml'
        ? limits.maxSharedStrings
        : name === 'xl/styles.xml'
          ? limits.maxStyles
          : name === 'xl/workbook.xml' || name === 'xl/_rels/workbook.xml.rels'
            ? limits.maxWorkbookXml
            : Infinity;
    if (size > partCap) {
      throw new ListParseError('ZIP_LIMIT', messages.limit(messages.detailPart(name, size, partCap)));
    }
  }
  if (!hasWorkbook) throw new ListParseError('UNSUPPORTED_TYPE', messages.notWorkbook);
}

/** Entries must tile [0, central directory) with at most a data descriptor between them. */
async function checkLayout(zf: ZipFile, entries: Entry[], cdOffset: number | null): Promise<Entry[]> {
  const sorted = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  let expected = 0;
  let first = true;
  for (const e of sorted) {
    const gap = e.relativeOffsetOfLocalHeader - expected;
    if (gap < 0 || gap > (first ? 0 : MAX_DESCRIPTOR_GAP)) throw zipInvalid();
    first = false;
    let header;
    try {
      header = await zf.readLocalFileHeaderPromise(e);
    } catch (err) {
      throw zipInvalid(err);
    }
    if (!Buffer.from(header.fileName).equals(e.fileNameRaw)) throw zipInvalid();
    // unzipper (inside exceljs) trusts the local header: it must agree with the central directory
    if (header.compressionMethod !== e.compressionMethod) throw zipInvalid();
    const deferred = (header.generalPurposeBitFlag & 0x8) !== 0 && header.compressedSize === 0 && header.uncompressedSize === 0;
    if (!deferred && (header.compressedSize !== e.compressedSize || header.uncompressedSize !== e.uncompressedSize)) {
      throw zipInvalid();
    }
    expected = header.fileDataStart + e.compressedSize;
  }
  if (cdOffset !== null) {
    const gap = cdOffset - expected;
    if (gap < 0 || gap > MAX_DESCRIPTOR_GAP) throw zipInvalid();
  }
  return sorted;
}

async function openEntry(zf: ZipFile, e: Entry): Promise<Readable> {
  try {
    return await zf.openReadStreamPromise(e);
  } catch (err) {
    throw zipInvalid(err);
  }
}

function mapStreamError(err: unknown, name: string): ListParseError {
  if (err instanceof ListParseError) return err;
  const msg = err instanceof Error ? err.message : '';
  if (/too many bytes|too few bytes/i.test(msg)) {
    return new ListParseError('ZIP_LIMIT', messages.limit(messages.detailActualSize(short(name))), { cause: err });
  }
  return zipInvalid(err);
}

async function readEntryText(zf: ZipFile, e: Entry): Promise<string> {
  const stream = await openEntry(zf, e);
  const chunks: Buffer[] = [];
  try {
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  } catch (err) {
    throw mapStreamError(err, e.fileName);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// workbook.xml / rels

export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g, (m, dec?: string, hex?: string, named?: string) => {
    if (dec !== undefined || hex !== undefined) {
      const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[named ?? ''] ?? m;
  });
}

function parseAttributes(s: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    attrs.set(m[1] ?? '', decodeXmlEntities(m[2] ?? m[3] ?? ''));
  }
  return attrs;
}

/** Resolve a relationship target of xl/workbook.xml to a ZIP path. */
function resolveTarget(target: string): string {
  const parts = target.startsWith('/') ? [] : ['xl'];
  for (const seg of target.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

export function parseWorkbookSheets(workbookXml: string, relsXml: string): SheetInfo[] {
  const rels = new Map<string, { type: string; target: string; external: boolean }>();
  for (const m of relsXml.matchAll(/<(?:[A-Za-z_][\w.-]*:)?Relationship\s([^>]*?)\/?>/g)) {
    const a = parseAttributes(m[1] ?? '');
    const id = a.get('Id');
    if (id) rels.set(id, { type: a.get('Type') ?? '', target: a.get('Target') ?? '', external: a.get('TargetMode') === 'External' });
  }
  const sheets: SheetInfo[] = [];
  for (const m of workbookXml.matchAll(/<(?:[A-Za-z_][\w.-]*:)?sheet\s([^>]*?)\/?>/g)) {
    const a = parseAttributes(m[1] ?? '');
    let rid: string | undefined;
    for (const [k, v] of a) if (/^[\w.-]+:id$/.test(k)) rid = v;
    const rel = rid === undefined ? undefined : rels.get(rid);
    const type = rel?.type ?? '';
    const kind: SheetInfo['kind'] = /\/worksheet$/.test(type) ? 'worksheet' : /\/chartsheet$/.test(type) ? 'chartsheet' : 'other';
    const stateAttr = a.get('state');
    sheets.push({
      position: sheets.length + 1,
      name: a.get('name') ?? `Sheet${sheets.length + 1}`,
      state: stateAttr === 'hidden' || stateAttr === 'veryHidden' ? stateAttr : 'visible',
      kind,
      path: rel && !rel.external ? resolveTarget(rel.target) : null,
    });
  }
  return sheets;
}

function selectSheet(sheets: SheetInfo[], wanted: string | number | undefined): SheetInfo {
  const list = sheets.map((s) => `“${s.name}”`).join('、') || '（无）';
  let found: SheetInfo | undefined;
  if (wanted === undefined) {
    found = sheets.find((s) => s.kind === 'worksheet' && s.state === 'visible') ?? sheets.find((s) => s.kind === 'worksheet');
    if (!found) throw new ListParseError('SHEET_NOT_FOUND', messages.noWorksheet);
  } else if (typeof wanted === 'number') {
    found = sheets[wanted - 1];
    if (!found) throw new ListParseError('SHEET_NOT_FOUND', messages.sheetNotFound(`第 ${wanted} 个`, list));
  } else {
    const w = wanted.trim();
    found = sheets.find((s) => s.name === w) ?? sheets.find((s) => s.name.trim() === w);
    if (!found) throw new ListParseError('SHEET_NOT_FOUND', messages.sheetNotFound(short(w), list));
  }
  if (found.kind !== 'worksheet') throw new ListParseError('SHEET_NOT_FOUND', messages.sheetNotReadable(found.name));
  return found;
}

// ---------------------------------------------------------------------------------------------
// streaming scanners used in the verification pass

const DTD_MARKERS = ['<!DOCTYPE', '<!doctype', '<!ENTITY', '<!entity'].map((s) => Buffer.from(s, 'latin1'));
const MARKER_OVERLAP = 16;

class DtdScanner {
  private tail: Buffer = Buffer.alloc(0);
  found = false;
  feed(chunk: Buffer): void {
    if (this.found) return;
    const head = chunk.subarray(0, MARKER_OVERLAP);
    const boundary = this.tail.length ? Buffer.concat([this.tail, head]) : head;
    for (const m of DTD_MARKERS) {
      if (chunk.indexOf(m) >= 0 || boundary.indexOf(m) >= 0) {
        this.found = true;
        return;
      }
    }
    this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - MARKER_OVERLAP)));
  }
}

export function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

const MERGE_WORD = Buffer.from('mergeCell', 'latin1');
const MERGE_RE = /<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?["'][^>]*>/g;

/** Collects `<mergeCell ref="A1:C2"/>` of one sheet part, without holding the part in memory. */
class MergeScanner {
  private collecting = false;
  private tail: Buffer = Buffer.alloc(0);
  private text = '';
  readonly merges: MergeRange[] = [];
  constructor(
    private readonly rowLimit: number,
    private readonly max: number,
  ) {}

  feed(chunk: Buffer): void {
    if (!this.collecting) {
      let at = chunk.indexOf(MERGE_WORD);
      let source: Buffer = chunk;
      if (at < 0 && this.tail.length) {
        const boundary = Buffer.concat([this.tail, chunk.subarray(0, MARKER_OVERLAP)]);
        const b = boundary.indexOf(MERGE_WORD);
        if (b >= 0) {
          // start from the tail so the opening '<' is kept
          source = Buffer.concat([this.tail, chunk]);
          at = b;
        }
      }
      if (at < 0) {
        this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - MARKER_OVERLAP)));
        return;
      }
      this.collecting = true;
      this.text = source.toString('latin1', Math.max(0, at - 40));
    } else {
      this.text += chunk.toString('latin1');
    }
    this.drain();
  }

  private drain(): void {
    let lastEnd = 0;
    MERGE_RE.lastIndex = 0;
    for (let m = MERGE_RE.exec(this.text); m; m = MERGE_RE.exec(this.text)) {
      lastEnd = MERGE_RE.lastIndex;
      if (this.merges.length >= this.max) continue;
      const c1 = columnNumber(m[1] ?? 'A');
      const r1 = Number(m[2]);
      const c2 = m[3] ? columnNumber(m[3]) : c1;
      const r2 = m[4] ? Number(m[4]) : r1;
      const top = Math.min(r1, r2);
      if (top > this.rowLimit) continue;
      this.merges.push({ top, left: Math.min(c1, c2), bottom: Math.max(r1, r2), right: Math.max(c1, c2) });
    }
    const lt = this.text.lastIndexOf('<');
    this.text = lt >= lastEnd ? this.text.slice(lt) : '';
    if (this.text.length > 4096) this.text = '';
  }
}

// ---------------------------------------------------------------------------------------------
// read plan

const EMPTY_SST = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
  'utf8',
);

/** A stored (uncompressed) local entry, for the empty sharedStrings.xml exceljs needs to stream a sheet. */
function storedLocalEntry(name: string, data: Buffer): Buffer {
  const nameBuf = Buffer.from(name, 'utf8');
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(0x0800, 6);
  h.writeUInt16LE(0, 8);
  h.writeUInt32LE(crc32(data) >>> 0, 14);
  h.writeUInt32LE(data.length, 18);
  h.writeUInt32LE(data.length, 22);
  h.writeUInt16LE(nameBuf.length, 26);
  return Buffer.concat([h, nameBuf, data]);
}

function buildReadPlan(ordered: Entry[], byName: Map<string, Entry>, targetPath: string, cdOffset: number | null, fileSize: number): StreamSegment[] | null {
  if (cdOffset === null) return null;
  const rangeOf = (e: Entry): StreamSegment => {
    const i = ordered.indexOf(e);
    return { start: e.relativeOffsetOfLocalHeader, end: ordered[i + 1]?.relativeOffsetOfLocalHeader ?? cdOffset };
  };
  const plan: StreamSegment[] = [];
  for (const name of ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml']) {
    const e = byName.get(name);
    if (e) plan.push(rangeOf(e));
    else if (name === 'xl/sharedStrings.xml') plan.push({ bytes: storedLocalEntry(name, EMPTY_SST) });
  }
  const sheet = byName.get(targetPath);
  if (!sheet) return null;
  plan.push(rangeOf(sheet), { start: cdOffset, end: fileSize });
  return plan;
}

// ---------------------------------------------------------------------------------------------

/**
 * Inspect an XLSX file before it is parsed. Throws `ListParseError` (ZIP_LIMIT, ZIP_INVALID,
 * UNSUPPORTED_TYPE, SHEET_NOT_FOUND) with a Chinese message; resolves with the sheet list, the sheet to
 * read and its merged ranges (header region).
 */
export async function guardXlsx(path: string, opts: GuardOptions = {}): Promise<XlsxInspection> {
  const limits: ZipLimits = { ...ZIP_LIMITS, ...opts.limits };
  const { zf, cdOffset } = await openZip(path);
  try {
    const entries = await readAllEntries(zf, limits.maxEntries);
    checkCentralDirectory(entries, limits);
    const ordered = await checkLayout(zf, entries, cdOffset);

    const byName = new Map(entries.map((e) => [e.fileName, e] as const));
    const wbEntry = byName.get('xl/workbook.xml');
    const relsEntry = byName.get('xl/_rels/workbook.xml.rels');
    if (!wbEntry) throw new ListParseError('UNSUPPORTED_TYPE', messages.notWorkbook);
    if (!relsEntry) throw zipInvalid();
    const wbXml = await readEntryText(zf, wbEntry);
    const relsXml = await readEntryText(zf, relsEntry);
    if (/<!DOCTYPE|<!ENTITY/i.test(wbXml) || /<!DOCTYPE|<!ENTITY/i.test(relsXml)) {
      throw new ListParseError('ZIP_INVALID', messages.dtd);
    }
    const sheets = parseWorkbookSheets(wbXml, relsXml);
    const target = selectSheet(sheets, opts.sheet);
    const sheetNo = target.path ? CANONICAL_SHEET_RE.exec(target.path)?.[1] : undefined;
    if (!target.path || sheetNo === undefined || !byName.has(target.path)) {
      throw new ListParseError('SHEET_NOT_FOUND', messages.sheetUnsupportedLayout(target.name));
    }

    // Verification pass: inflate everything (bounded by the declared sizes, which yauzl enforces).
    let total = 0;
    const mergeScanner = new MergeScanner(limits.mergeRowLimit, limits.maxMerges);
    for (const e of ordered) {
      const isXml = /\.(xml|rels|vml)$/i.test(e.fileName);
      const isTarget = e.fileName === target.path;
      const dtd = isXml ? new DtdScanner() : null;
      const stream = await openEntry(zf, e);
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > limits.maxTotalUncompressed) {
            throw new ListParseError('ZIP_LIMIT', messages.limit(messages.detailTotal(total, limits.maxTotalUncompressed)));
          }
          if (dtd) {
            dtd.feed(chunk);
            if (dtd.found) throw new ListParseError('ZIP_INVALID', messages.dtd);
          }
          if (isTarget) mergeScanner.feed(chunk);
        }
      } catch (err) {
        stream.destroy();
        throw mapStreamError(err, e.fileName);
      }
    }

    return {
      entryCount: entries.length,
      totalUncompressed: total,
      sheets,
      target,
      targetSheetNo: sheetNo,
      merges: mergeScanner.merges,
      readPlan: buildReadPlan(ordered, byName, target.path, cdOffset, zf.fileSize),
      sharedStringsBytes: byName.get('xl/sharedStrings.xml')?.uncompressedSize ?? 0,
    };
  } finally {
    zf.close();
  }
}
