/**
 * The few places where SQLite and PostgreSQL differ, kept together (design.md: "No SQL that only
 * one of them understands outside a small, tested dialect module").
 */
import type { Knex } from 'knex';
import type { Db } from './types.js';
import { normalizeFirmName } from '../domain/firm-name.js';

export function isSqlite(db: Db): boolean {
  return (db.client as { dialect?: string }).dialect === 'sqlite3';
}

export function isPostgres(db: Db): boolean {
  return (db.client as { dialect?: string }).dialect === 'postgresql';
}

/** Escape LIKE wildcards so user text matches literally (used with ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A subquery of firm ids whose name contains `text`.
 * SQLite: the FTS5 trigram index answers terms of three or more characters; shorter terms fall
 * back to a scan of the names (FTS5 trigram silently returns nothing for them, perf.md §7.5).
 * PostgreSQL: ILIKE, served by the pg_trgm GIN index when the extension is installed.
 */
export function firmIdsByName(db: Db, text: string): Knex.QueryBuilder {
  const pattern = `%${escapeLike(text)}%`;
  if (isSqlite(db)) {
    if ([...text].length >= 3) {
      return db.select('rowid as id').from('firms_fts').whereRaw('firms_fts MATCH ?', [`"${text.replace(/"/g, '""')}"`]);
    }
    return firmIdsByShortName(db, text);
  }
  return db.select('id').from('firms').whereRaw("name ILIKE ? ESCAPE '\\'", [pattern]);
}

/**
 * One or two characters: no index can serve them, so scan the normalised names, through their
 * index (narrower than the table: 2–3× faster than scanning firms).
 */
export function firmIdsByShortName(db: Db, text: string): Knex.QueryBuilder {
  const pattern = `%${escapeLike(normalizeFirmName(text))}%`;
  return db.select('id').from('firms').whereRaw("name_norm LIKE ? ESCAPE '\\'", [pattern]);
}

/** After inserting explicit ids (demo data), move PostgreSQL's sequence past them. */
export async function resetIdSequence(db: Db, table: string): Promise<void> {
  if (!isPostgres(db)) return;
  await db.raw(`SELECT setval(pg_get_serial_sequence(?, 'id'), coalesce((SELECT max(id) FROM ??), 0) + 1, false)`, [table, table]);
}

/** Refresh the planner's statistics after a bulk load. */
export async function analyze(db: Db): Promise<void> {
  if (isSqlite(db)) await db.raw('PRAGMA optimize');
  else await db.raw('ANALYZE');
}

/**
 * Firms whose credit code starts with `prefix` (already normalised: digits and capitals only).
 * SQLite's LIKE ignores the index (it is case-insensitive, the index is binary), GLOB uses it.
 */
export function whereUsccPrefix(db: Db, qb: Knex.QueryBuilder, column: string, prefix: string): Knex.QueryBuilder {
  if (!/^[0-9A-Z]+$/.test(prefix)) throw new Error('credit-code prefix must be normalised');
  return isSqlite(db) ? qb.whereRaw('?? GLOB ?', [column, `${prefix}*`]) : qb.whereRaw('?? LIKE ?', [column, `${prefix}%`]);
}

/**
 * Whether a write failed on a UNIQUE or PRIMARY KEY constraint. A check-then-insert leaves a
 * window in which a concurrent request inserts the same key; callers turn this into the same
 * message the check would have given.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
