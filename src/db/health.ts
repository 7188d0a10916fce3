/**
 * Whether the database can take writes, for /healthz and the read-only banner. A full disk shows
 * only when a write fails (SQLite writes pages at COMMIT), so the last fault of each kind is
 * remembered until a write succeeds again or it is old; on SQLite the free space of the
 * database's folder is also checked, so /healthz warns before the next write fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { type FaultKind, faultOf } from '../lib/errors.js';

/** Below this much free space next to the SQLite file, /healthz reports a full disk. */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;
/** A fault counts for /healthz this long after it happened, unless a write has succeeded since. */
const FAULT_MEMORY_MS = 30_000;

interface FaultState {
  last: Partial<Record<FaultKind, number>>;
  readOnly: boolean;
}

const states = new WeakMap<Knex, FaultState>();

function stateOf(db: Knex): FaultState {
  let s = states.get(db);
  if (!s) {
    s = { last: {}, readOnly: false };
    states.set(db, s);
  }
  return s;
}

const WRITE_SQL = /^\s*(insert|update|delete|replace|commit)\b/i;

/** Remember faults as they happen, and forget them once a write goes through. */
export function watchFaults(db: Knex): void {
  const state = stateOf(db);
  db.on('query-error', (err: unknown) => {
    const kind = faultOf(err);
    if (kind) state.last[kind] = Date.now();
  });
  db.on('query-response', (_response: unknown, query: { sql?: string }) => {
    if (typeof query?.sql === 'string' && WRITE_SQL.test(query.sql)) {
      delete state.last.disk_full;
      delete state.last.read_only;
    }
  });
}

/** The server opened the database read-only (see server.ts): every page says so. */
export function markReadOnly(db: Knex): void {
  stateOf(db).readOnly = true;
}

export function isReadOnly(db: Knex): boolean {
  return stateOf(db).readOnly;
}

export function noteFault(db: Knex, kind: FaultKind): void {
  stateOf(db).last[kind] = Date.now();
}

export interface Health {
  ok: boolean;
  /** For operators (plain text on /healthz). */
  reason: string;
}

function recent(state: FaultState, kind: FaultKind): boolean {
  const at = state.last[kind];
  return at !== undefined && Date.now() - at < FAULT_MEMORY_MS;
}

async function sqliteFolderProblem(file: string): Promise<string | null> {
  const dir = path.dirname(file);
  try {
    const s = await fs.promises.statfs(dir);
    const free = s.bavail * s.bsize;
    if (free < MIN_FREE_BYTES) return `disk full: ${(free / 1024 / 1024).toFixed(1)} MiB free next to the database`;
  } catch {
    // statfs is not everywhere; the write faults still tell.
  }
  try {
    await fs.promises.access(file, fs.constants.W_OK);
    await fs.promises.access(dir, fs.constants.W_OK);
  } catch (err) {
    return `database not writable (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  return null;
}

export async function checkHealth(db: Knex, sqliteFile: string | null): Promise<Health> {
  const state = stateOf(db);
  try {
    await db.raw('SELECT 1 AS ok');
  } catch (err) {
    return { ok: false, reason: `database unreachable (${(err as { code?: string }).code ?? faultOf(err) ?? 'error'})` };
  }
  if (state.readOnly) return { ok: false, reason: 'database read-only: the server started in read-only mode' };
  if (sqliteFile) {
    const problem = await sqliteFolderProblem(sqliteFile);
    if (problem) return { ok: false, reason: problem };
  } else {
    const row = (await db.raw("SELECT current_setting('transaction_read_only') AS ro").catch(() => null)) as { rows?: { ro: string }[] } | null;
    if (row?.rows?.[0]?.ro === 'on') return { ok: false, reason: 'database read-only (transaction_read_only is on)' };
  }
  if (recent(state, 'disk_full')) return { ok: false, reason: 'disk full: the last write failed for lack of space' };
  if (recent(state, 'read_only')) return { ok: false, reason: 'database read-only: the last write was refused' };
  return { ok: true, reason: 'ok' };
}
