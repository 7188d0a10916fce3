/**
 * Backup and restore (issue 8 item 14). SQLite: SQLite's online backup API, consistent while the
 * app writes (a plain copy of the file misses what is still in the -wal file, or tears a page);
 * PostgreSQL: pg_dump's custom format, restored with pg_restore in one transaction. A restore
 * refuses to run under a live app, checks what it restored, and ends every session: the restored
 * sessions table would otherwise bring logged-out cookies back to life.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { createDb } from './knex.js';

const run = promisify(execFile);

export interface Target {
  /** `sqlite:<path>` or `postgres://…` */
  url: string;
  /** PostgreSQL: one schema only (the tests keep theirs apart); default: the whole database. */
  schema?: string;
}

function sqliteFile(url: string): string | null {
  return url.startsWith('sqlite:') ? path.resolve(url.slice('sqlite:'.length)) : null;
}

/** 2026-12-02 14:05:09 (Asia/Shanghai) → 20261202-140509: the file's name sorts by date. */
function stamp(now = new Date()): string {
  const s = new Date(now.getTime() + 8 * 3600_000).toISOString();
  return `${s.slice(0, 10).replace(/-/g, '')}-${s.slice(11, 19).replace(/:/g, '')}`;
}

export async function backup(target: Target, dir: string, now = new Date()): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = sqliteFile(target.url);
  if (file) {
    const out = path.join(dir, `miaopu-${stamp(now)}.sqlite`);
    const source = new Database(file, { readonly: true, fileMustExist: true });
    try {
      await source.backup(out);
    } finally {
      source.close();
    }
    const check = sqliteIntegrity(out);
    if (check !== 'ok') throw new Error(`the backup failed its integrity check: ${check}`);
    return out;
  }
  const out = path.join(dir, `miaopu-${stamp(now)}.dump`);
  await run('pg_dump', ['-Fc', '--no-owner', ...(target.schema ? ['-n', target.schema] : []), '-f', out, '-d', target.url]);
  return out;
}

function sqliteIntegrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** The process ids of running app servers on this database (server.ts registers itself). */
export async function liveInstances(target: Target): Promise<number[]> {
  const file = sqliteFile(target.url);
  if (file) {
    const pidFile = `${file}.pid`;
    if (!fs.existsSync(pidFile)) return [];
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    try {
      if (pid > 0) process.kill(pid, 0);
      return pid > 0 ? [pid] : [];
    } catch {
      return []; // a server that died without removing its file
    }
  }
  const db = createDb(target.url, { poolMax: 1 });
  try {
    const res = (await db.raw("SELECT pid FROM pg_stat_activity WHERE application_name = 'miaopu' AND datname = current_database() AND pid <> pg_backend_pid()")) as { rows: { pid: number }[] };
    return res.rows.map((r) => r.pid);
  } finally {
    await db.destroy();
  }
}

/** The server says it is running on a SQLite file (removed at shutdown); PostgreSQL sees its application_name. */
export function registerInstance(url: string): () => void {
  const file = sqliteFile(url);
  if (!file) return () => undefined;
  const pidFile = `${file}.pid`;
  try {
    fs.writeFileSync(pidFile, String(process.pid));
  } catch {
    return () => undefined; // read-only folder: nothing can be restored over it either
  }
  return () => fs.rmSync(pidFile, { force: true });
}

export class RestoreRefused extends Error {}

export interface RestoreResult {
  integrity: string;
  firms: number;
  sessionsEnded: number;
}

export async function restore(target: Target, backupFile: string): Promise<RestoreResult> {
  if (!fs.existsSync(backupFile)) throw new RestoreRefused(`no such backup file: ${backupFile}`);
  const live = await liveInstances(target);
  if (live.length) throw new RestoreRefused(`the app is running on this database (process ${live.join(', ')}): stop it first`);
  const file = sqliteFile(target.url);
  let integrity = 'ok';
  if (file) {
    integrity = sqliteIntegrity(backupFile);
    if (integrity !== 'ok') throw new RestoreRefused(`the backup failed its integrity check: ${integrity}`);
    const incoming = `${file}.restoring`;
    fs.copyFileSync(backupFile, incoming);
    // The old -wal and -shm belong to the old file: left in place, SQLite would replay them onto the restored one.
    for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    fs.renameSync(incoming, file);
    integrity = sqliteIntegrity(file);
  } else {
    await run('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', '-d', target.url, backupFile]);
  }
  const db = createDb(target.url, target.schema ? { searchPath: [target.schema], poolMax: 1 } : { poolMax: 1 });
  try {
    const sessionsEnded = await endEverySession(db);
    const firms = Number(((await db('firms').count({ n: '*' }).first()) as { n: number | string }).n);
    return { integrity, firms, sessionsEnded };
  } finally {
    await db.destroy();
  }
}

/** Every session ends, and the stored cookie-signing secret changes, so no cookie from before the restore works. */
async function endEverySession(db: Knex): Promise<number> {
  return db.transaction(async (trx) => {
    const ended = Number(await trx('sessions').del());
    const secret = crypto.randomBytes(32).toString('hex');
    await trx('app_settings').insert({ key: 'session_secret', value: secret }).onConflict('key').merge();
    return ended;
  });
}
