/** Downloads read back: a binary body, an XLSX workbook through exceljs, a sheet's rows as values. */
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type request from 'supertest';
import type { Client } from './test-app.js';

export function binary(req: request.Test): request.Test {
  return req.buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
}

export async function readXlsx(client: Client, url: string): Promise<ExcelJS.Workbook> {
  const res = await binary(client.get(url)).expect(200);
  expect(res.headers['content-type']).to.include('spreadsheetml');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as never);
  return wb;
}

export function sheetRows(ws: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

