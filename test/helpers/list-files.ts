/** Candidate-list files as agencies send them: CSV in UTF-8 (with BOM) or GBK, XLSX with title rows. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export type Cell = string | number | null;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-lists-'));
let n = 0;

function csvCell(v: Cell): string {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvText(rows: Cell[][], delimiter = ','): string {
  return rows.map((r) => r.map(csvCell).join(delimiter)).join('\r\n') + '\r\n';
}

export function writeCsv(rows: Cell[][], opts: { encoding?: 'utf8-bom' | 'gbk' | 'utf8'; delimiter?: string; name?: string } = {}): string {
  const file = path.join(dir, opts.name ?? `list-${++n}.csv`);
  const text = csvText(rows, opts.delimiter);
  const encoding = opts.encoding ?? 'utf8-bom';
  const bytes = encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from((encoding === 'utf8-bom' ? '\uFEFF' : '') + text, 'utf8');
  fs.writeFileSync(file, bytes);
  return file;
}

/** An XLSX with an optional merged title row above the header, and optional sheets before it; numbers stay numbers. */
export async function writeXlsx(
  rows: Cell[][],
  opts: { title?: string; name?: string; mergeTitleAcross?: number; sheetsBefore?: { name: string; rows: Cell[][] }[] } = {},
): Promise<string> {
  const file = path.join(dir, opts.name ?? `list-${++n}.xlsx`);
  const wb = new ExcelJS.Workbook();
  // Agencies often put a cover or instructions sheet before the list.
  for (const s of opts.sheetsBefore ?? []) wb.addWorksheet(s.name).addRows(s.rows.map((r) => r.map((v) => (v === null ? undefined : v))));
  const ws = wb.addWorksheet('名单');
  if (opts.title) {
    ws.addRow([opts.title]);
    ws.mergeCells(1, 1, 1, opts.mergeTitleAcross ?? rows[0]?.length ?? 1);
  }
  for (const r of rows) ws.addRow(r.map((v) => (v === null ? undefined : v)));
  await wb.xlsx.writeFile(file);
  return file;
}

export function writeBytes(bytes: Buffer, name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}
