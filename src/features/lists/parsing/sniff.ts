/**
 * File-type, encoding and delimiter detection from the content (never from the name or the MIME type).
 *
 * - ZIP `PK\x03\x04` with `xl/workbook.xml` → XLSX (the full safety check is `guardXlsx`).
 * - CFB `D0 CF 11 E0` (legacy .xls, password-protected .xlsx, .doc …), PDF, HTML / MHTML / SpreadsheetML
 *   2003 "fake .xls", images, archives, other binary → refused with a Chinese message.
 * - Text: UTF-8 if it has a UTF-8 BOM or the sample decodes as strict UTF-8, UTF-16/32 refused, else
 *   GB18030 (a superset of GBK/GB2312). Delimiter `,` `\t` or `;` by counting outside quotes in the
 *   first lines.
 */
import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';

import { ListParseError } from './errors.js';
import { probeZip } from './zip-guard.js';
import type { CsvDelimiter, TextEncoding } from './types.js';

export const messages = {
  empty: '文件为空，请检查后重新上传。',
  saveAs: '请用 Excel 或 WPS 打开后“另存为” .xlsx 或 CSV（UTF-8）再上传。',
  legacyXls: '这是旧版 Excel（.xls）文件，系统不支持。请用 Excel 或 WPS 打开后“另存为” .xlsx 或 CSV（UTF-8）再上传。',
  encrypted: '文件设有打开密码（加密的 Excel 文件），系统无法读取。请在 Excel 或 WPS 中取消密码后另存为 .xlsx 或 CSV 再上传。',
  cfbOther:
    '这是旧版 Office 格式或加密的文件（如 .xls、设有密码的 .xlsx、.doc），系统无法读取。请用 Excel 或 WPS 打开后另存为 .xlsx 或 CSV（UTF-8）再上传。',
  pdf: '这是 PDF 文件，不是表格。请上传 .xlsx 或 CSV 格式的名单。',
  html: '该文件实际是网页（HTML）格式，不是真正的 Excel 文件（一些系统导出的 .xls 就是这样）。请用 Excel 或 WPS 打开后另存为 .xlsx 或 CSV 再上传。',
  xml2003: '这是 Excel 2003 XML 表格格式，系统不支持。请用 Excel 或 WPS 打开后另存为 .xlsx 或 CSV 再上传。',
  xlsb: '这是 Excel 二进制工作簿（.xlsb），系统不支持。请另存为 .xlsx 或 CSV 再上传。',
  xlsm: '文件包含宏（VBA 代码），系统不接收含宏的文件。请另存为普通的 .xlsx（不含宏）或 CSV 再上传。',
  ods: '这是 OpenDocument 表格（.ods），系统不支持。请另存为 .xlsx 或 CSV 再上传。',
  otherZip: '该文件是压缩包或其他 Office 文档，不是 Excel 工作簿。请上传 .xlsx 或 CSV 格式的名单。',
  corruptZip: '文件已损坏或不完整，无法读取。请重新导出后上传。',
  binary: '无法识别的文件格式（不是 .xlsx 或 CSV 表格）。请上传 .xlsx 或 CSV 格式的名单。',
  utf16: '文件编码为 UTF-16（Unicode 文本），系统不支持。请另存为“CSV UTF-8（逗号分隔）”或 .xlsx 再上传。',
} as const;

/** Bytes read for sniffing; extended to `SNIFF_ASCII_BYTES` when the start is pure ASCII. */
export const SNIFF_BYTES = 64 * 1024;
export const SNIFF_ASCII_BYTES = 1024 * 1024;

export type Sniffed =
  | { kind: 'xlsx' }
  | { kind: 'csv'; encoding: TextEncoding; bom: boolean; delimiter: CsvDelimiter };

/** Intermediate result of `sniffBytes`: containers need a look at the file itself. */
export type SniffedBytes = Sniffed | { kind: 'zip' } | { kind: 'cfb' };

const startsWith = (b: Buffer, sig: readonly number[]): boolean => sig.every((x, i) => b[i] === x);

const BINARY_SIGNATURES: ReadonlyArray<readonly [readonly number[], string]> = [
  [[0x25, 0x50, 0x44, 0x46, 0x2d], messages.pdf], // %PDF-
  [[0x89, 0x50, 0x4e, 0x47], messages.binary], // PNG
  [[0xff, 0xd8, 0xff], messages.binary], // JPEG
  [[0x47, 0x49, 0x46, 0x38], messages.binary], // GIF8
  [[0x1f, 0x8b], messages.binary], // gzip
  [[0x52, 0x61, 0x72, 0x21], messages.binary], // Rar!
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], messages.binary], // 7z
  [[0x7f, 0x45, 0x4c, 0x46], messages.binary], // ELF
  [[0x50, 0x4b, 0x05, 0x06], messages.otherZip], // empty zip
  [[0x50, 0x4b, 0x07, 0x08], messages.otherZip], // spanned zip
  [[0x7b, 0x5c, 0x72, 0x74, 0x66], messages.binary], // {\rtf
];

function unsupported(message: string): ListParseError {
  return new ListParseError('UNSUPPORTED_TYPE', message);
}

/**
 * Encoding of a text sample. `complete` = the sample is the whole file (otherwise a multi-byte character
 * cut at the end of the sample is not an error).
 */
export function detectEncoding(sample: Buffer, complete: boolean): { encoding: TextEncoding; bom: boolean } {
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return { encoding: 'utf8', bom: true };
  if (startsWith(sample, [0x84, 0x31, 0x95, 0x33])) return { encoding: 'gb18030', bom: true };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !complete });
    return { encoding: 'utf8', bom: false };
  } catch {
    return { encoding: 'gb18030', bom: false };
  }
}

/**
 * Pick the delimiter among `,` `\t` `;` by counting occurrences outside double quotes in the first
 * `maxLines` lines (title rows exported from Excel are `标题,,,,` so they count too). Ties prefer `,`.
 */
export function detectDelimiter(text: string, maxLines = 20): CsvDelimiter {
  let comma = 0;
  let tab = 0;
  let semi = 0;
  let inQuotes = false;
  let lines = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      inQuotes = !inQuotes;
    } else if (inQuotes) {
      continue;
    } else if (ch === 0x0a) {
      if (++lines >= maxLines) break;
    } else if (ch === 0x2c) comma++;
    else if (ch === 0x09) tab++;
    else if (ch === 0x3b) semi++;
  }
  if (tab > comma && tab >= semi) return '\t';
  if (semi > comma && semi > tab) return ';';
  return ',';
}

function looksLikeUtf16WithoutBom(sample: Buffer): boolean {
  const n = Math.min(sample.length, 4096) & ~1;
  if (n < 4) return false;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  const pairs = n / 2;
  return evenZeros / pairs > 0.3 || oddZeros / pairs > 0.3;
}

/** Classify the first bytes of a file. Throws `ListParseError` for refused kinds. */
export function sniffBytes(sample: Buffer, complete: boolean): SniffedBytes {
  if (sample.length === 0) throw new ListParseError('EMPTY_FILE', messages.empty);
  if (startsWith(sample, [0x50, 0x4b, 0x03, 0x04])) return { kind: 'zip' };
  if (startsWith(sample, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return { kind: 'cfb' };
  for (const [sig, msg] of BINARY_SIGNATURES) if (startsWith(sample, sig)) throw unsupported(msg);
  if (startsWith(sample, [0xff, 0xfe, 0x00, 0x00]) || startsWith(sample, [0x00, 0x00, 0xfe, 0xff])) {
    throw new ListParseError('UNSUPPORTED_ENCODING', messages.utf16);
  }
  if (startsWith(sample, [0xff, 0xfe]) || startsWith(sample, [0xfe, 0xff])) {
    throw new ListParseError('UNSUPPORTED_ENCODING', messages.utf16);
  }
  if (sample.includes(0)) {
    if (looksLikeUtf16WithoutBom(sample)) throw new ListParseError('UNSUPPORTED_ENCODING', messages.utf16);
    throw unsupported(messages.binary);
  }

  const { encoding, bom } = detectEncoding(sample, complete);
  const text =
    encoding === 'utf8'
      ? sample.toString('utf8', bom ? 3 : 0)
      : iconv.decode(sample, 'gb18030'); // strips its BOM

  const head = text.slice(0, 2048).trimStart().toLowerCase();
  if (/^<(!doctype\s+html|html|head|body|table|meta|style|div)\b/.test(head) || head.startsWith('mime-version:')) {
    throw unsupported(messages.html);
  }
  if (head.startsWith('<?xml')) {
    if (head.includes('urn:schemas-microsoft-com:office:spreadsheet') || head.includes('<workbook')) {
      throw unsupported(messages.xml2003);
    }
    if (head.includes('<html')) throw unsupported(messages.html);
    throw unsupported(messages.binary);
  }

  // Control characters other than TAB/LF/CR/FF/VT: not a text table.
  let control = 0;
  const checked = Math.min(text.length, 65536);
  for (let i = 0; i < checked; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0b && c !== 0x0c) || c === 0x7f) control++;
  }
  if (control > Math.max(2, checked * 0.01)) throw unsupported(messages.binary);

  return { kind: 'csv', encoding, bom, delimiter: detectDelimiter(text) };
}

function utf16le(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}

/** Look at the first directory sector of a CFB container to tell .xls from encrypted OOXML. */
async function classifyCfb(path: string): Promise<'encrypted' | 'xls' | 'other'> {
  const fh = await open(path, 'r');
  try {
    const header = Buffer.alloc(512);
    await fh.read(header, 0, 512, 0);
    const shift = header.readUInt16LE(0x1e);
    const sectorSize = shift === 12 ? 4096 : 512;
    const dirSector = header.readUInt32LE(0x30);
    const dir = Buffer.alloc(8192);
    const { bytesRead } = await fh.read(dir, 0, dir.length, (dirSector + 1) * sectorSize);
    const region = dir.subarray(0, bytesRead);
    if (region.includes(utf16le('EncryptedPackage')) || region.includes(utf16le('EncryptionInfo'))) return 'encrypted';
    if (region.includes(utf16le('Workbook')) || region.includes(utf16le('Book\u0000'))) return 'xls';
    return 'other';
  } catch {
    return 'other';
  } finally {
    await fh.close();
  }
}

const isAscii = (b: Buffer): boolean => {
  for (let i = 0; i < b.length; i++) if ((b[i] ?? 0) >= 0x80) return false;
  return true;
};

async function readHead(path: string, bytes: number): Promise<{ sample: Buffer; size: number }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.min(bytes, size));
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { sample: buf.subarray(0, off), size };
  } finally {
    await fh.close();
  }
}

/**
 * Detect what a file is from its content. Resolves with `xlsx` or the CSV parameters; throws
 * `ListParseError` (EMPTY_FILE, UNSUPPORTED_TYPE, UNSUPPORTED_ENCODING) otherwise.
 * For XLSX only the central directory names are looked at here; call `guardXlsx` before parsing.
 */
export async function sniffFile(path: string): Promise<Sniffed> {
  let { sample, size } = await readHead(path, SNIFF_BYTES);
  let result = sniffBytes(sample, sample.length >= size);
  if (result.kind === 'csv' && result.encoding === 'utf8' && !result.bom && size > sample.length && isAscii(sample)) {
    // The first 64 KiB say nothing about the encoding: look further before defaulting to UTF-8.
    ({ sample, size } = await readHead(path, SNIFF_ASCII_BYTES));
    result = sniffBytes(sample, sample.length >= size);
  }
  if (result.kind === 'zip') {
    const kind = await probeZip(path);
    switch (kind) {
      case 'xlsx':
        return { kind: 'xlsx' };
      case 'xlsm':
        throw unsupported(messages.xlsm);
      case 'xlsb':
        throw unsupported(messages.xlsb);
      case 'ods':
        throw unsupported(messages.ods);
      case 'corrupt':
        throw unsupported(messages.corruptZip);
      default:
        throw unsupported(messages.otherZip);
    }
  }
  if (result.kind === 'cfb') {
    const kind = await classifyCfb(path);
    throw unsupported(kind === 'encrypted' ? messages.encrypted : kind === 'xls' ? messages.legacyXls : messages.cfbOther);
  }
  return result;
}
