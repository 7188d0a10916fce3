/** Test helpers for the list-parsing tests: temp files, a minimal ZIP writer, credit codes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';

import type { RawRow } from '../../../src/features/lists/parsing/types.js';

export class TmpDir {
  readonly path = mkdtempSync(join(tmpdir(), 'miaopu-lists-'));
  file(name: string, content?: string | Buffer): string {
    const p = join(this.path, name);
    if (content !== undefined) writeFileSync(p, content);
    return p;
  }
  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Rows as arrays of cell texts (handy for deep equality). */
export function texts(rows: readonly RawRow[]): string[][] {
  return rows.map((r) => r.cells.map((c) => c.text));
}

/** Resolve with the error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

// GB 32100-2015 check character (shared/security.md §4.0)
const CS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export function usccCheck(s17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += CS.indexOf(s17[i] ?? '0') * (3 ** i % 31);
  return CS[(31 - (s % 31)) % 31] ?? '0';
}
export function uscc(n: number, region = '330281'): string {
  const s17 = `91${region}${String(n).padStart(9, '0')}`;
  return s17 + usccCheck(s17);
}

// ---------------------------------------------------------------------------------------------
// Minimal ZIP writer (enough for yauzl, unzipper and exceljs)

export interface ZipSpec {
  name: string;
  data: Buffer;
  /** 8 = deflate (default), 0 = stored. */
  method?: 0 | 8;
  /** Lie about the uncompressed size in both headers. */
  declaredSize?: number;
  /** Name written in the local header, when it should differ from the central one. */
  localName?: string;
}

export function buildZip(specs: readonly ZipSpec[], opts: { junkBetween?: Buffer } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  specs.forEach((s, i) => {
    const method = s.method ?? 8;
    const body = method === 8 ? deflateRawSync(s.data, { level: 9 }) : s.data;
    const crc = crc32(s.data) >>> 0;
    const size = s.declaredSize ?? s.data.length;
    const name = Buffer.from(s.name, 'utf8');
    const localName = Buffer.from(s.localName ?? s.name, 'utf8');
    if (i > 0 && opts.junkBetween) {
      parts.push(opts.junkBetween);
      offset += opts.junkBetween.length;
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    parts.push(local, localName, body);

    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += 30 + localName.length + body.length;
  });
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(specs.length, 8);
  eocd.writeUInt16LE(specs.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, eocd]);
}

/** All entries of a ZIP in a buffer, inflated. */
export async function unzipEntries(buf: Buffer): Promise<ZipSpec[]> {
  const zf = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  const out: ZipSpec[] = [];
  for await (const e of zf.eachEntry()) {
    const s = await zf.openReadStreamPromise(e);
    const chunks: Buffer[] = [];
    for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
    out.push({ name: e.fileName, data: Buffer.concat(chunks) });
  }
  return out;
}
