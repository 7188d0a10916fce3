/**
 * Opening the database at start-up without crash-looping: PostgreSQL that is not up yet is waited
 * for with backoff; a read-only SQLite file (a read-only mount, a folder the app may not write) is
 * opened read-only, and the server then runs read-only with a banner instead of exiting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { faultOf } from '../lib/errors.js';
import { log } from '../lib/log.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retries while the database is unreachable: 1 s, 2 s, 4 s … up to every 30 s, for as long as it takes. */
export async function waitForDatabase(db: Knex, opts: { maxDelayMs?: number } = {}): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.raw('SELECT 1 AS ok');
      if (attempt > 0) log.info('database reachable again: starting');
      return;
    } catch (err) {
      if (faultOf(err) !== 'unavailable') throw err;
      const delay = Math.min(opts.maxDelayMs ?? 30_000, 1000 * 2 ** attempt);
      log.warn('database unreachable at start-up, retrying', { attempt: attempt + 1, retryInMs: delay, err });
      await sleep(delay);
    }
  }
}

/** Why this SQLite file cannot be written (read-only mount, permissions), or null when it can. */
export function sqliteReadOnlyReason(file: string): string | null {
  const probe = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.W_OK);
      return null;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? null : `${p}: ${code}`;
    }
  };
  if (!fs.existsSync(file)) return null;
  return probe(file) ?? probe(path.dirname(file));
}

/**
 * A path SQLite can read the file at. A WAL database in a folder SQLite cannot write opens only if
 * its -shm file is already there; otherwise every read fails (SQLITE_CANTOPEN), so the server
 * reads a snapshot copied to the temporary folder. Nothing writes either (the handle is read-only).
 */
export function readableSqlitePath(file: string, canOpen: (file: string) => boolean): string {
  if (canOpen(file)) return file;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-readonly-'));
  const copy = path.join(dir, path.basename(file));
  for (const suffix of ['', '-wal']) if (fs.existsSync(file + suffix)) fs.copyFileSync(file + suffix, copy + suffix);
  log.warn('read-only database: serving a snapshot copy (the folder does not allow SQLite’s shared-memory file)', { copy });
  return copy;
}
