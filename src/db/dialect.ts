/**
 * The few places where SQLite and PostgreSQL differ, kept together (design.md: "No SQL that only
 * one of them understands outside a small, tested dialect module").
 */
import type { Knex } from 'knex';
import { bigramMatch, isBigramWord } from './name-bigrams.js';
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

/** The words of a name search (`余姚 海东`: both must be in the name), at most five. */
export function searchWords(text: string): string[] {
  return text.split(/[\s\u3000]+/).filter(Boolean).slice(0, 5);
}

/** Trigram indexes serve words of three characters or more; shorter ones match nothing in FTS5. */
export const indexableWord = (w: string) => [...w].length >= 3;

/**
 * A subquery of firm ids whose name contains every word of `text`.
 * SQLite: the FTS5 trigram index answers the words of three or more characters (one MATCH with
 * AND), and the shorter words filter the rows it found; when every word is short there is nothing
 * for the index to answer and the names are scanned (firmIdsByShortName; FTS5 trigram silently
 * returns nothing for them, perf.md §7.5).
 * PostgreSQL: one ILIKE per word, the long ones served by the pg_trgm GIN index when the extension
 * is installed (the planner ANDs their bitmaps), the short ones checked on the rows found.
 */
export function firmIdsByName(db: Db, text: string): Knex.QueryBuilder {
  const words = searchWords(text);
  const long = words.filter(indexableWord);
  const short = words.filter((w) => !indexableWord(w));
  if (!long.length) return firmIdsByShortName(db, text);
  if (isSqlite(db)) {
    const match = long.map((w) => `"${w.replace(/"/g, '""')}"`).join(' AND ');
    const qb = db.select('x.rowid as id').from('firms_fts as x').whereRaw('firms_fts MATCH ?', [match]);
    if (short.length) {
      qb.join('firms as n', 'n.id', 'x.rowid');
      for (const w of short) qb.whereRaw("n.name_norm LIKE ? ESCAPE '\\'", [`%${escapeLike(normalizeFirmName(w))}%`]);
    }
    return qb;
  }
  const qb = db.select('id').from('firms');
  for (const w of long) qb.whereRaw("name ILIKE ? ESCAPE '\\'", [`%${escapeLike(w)}%`]);
  for (const w of short) qb.whereRaw("name_norm LIKE ? ESCAPE '\\'", [`%${escapeLike(normalizeFirmName(w))}%`]);
  return qb;
}

/**
 * Only words of one or two characters: no index can serve them, so scan the normalised names,
 * through their index (narrower than the table: 2–3× faster than scanning firms), every word in
 * one pass. Callers cap the result (firm-filters SHORT_SEARCH_CAP).
 */
export function firmIdsByShortName(db: Db, text: string): Knex.QueryBuilder {
  const words = searchWords(text).map(normalizeFirmName);
  const pairs = words.filter(isBigramWord);
  const like = (qb: Knex.QueryBuilder, column: string, list: string[]) => {
    for (const w of list) qb.whereRaw(`${column} LIKE ? ESCAPE '\\'`, [`%${escapeLike(w)}%`]);
    return qb;
  };
  // SQLite: two-character words from the pair index (firms_bigrams), a one-character word then
  // checked on the firms it found; only one-character words scan the names.
  if (isSqlite(db) && pairs.length) {
    const qb = db.select('b.rowid as id').from('firms_bigrams as b').whereRaw('firms_bigrams MATCH ?', [bigramMatch(pairs)]);
    const rest = words.filter((w) => !isBigramWord(w));
    return rest.length ? like(qb.join('firms as n', 'n.id', 'b.rowid'), 'n.name_norm', rest) : qb;
  }
  return like(db.select('id').from('firms'), 'name_norm', words);
}

/** After inserting explicit ids (demo data), move PostgreSQL's sequence past them. */
export async function resetIdSequence(db: Db, table: string): Promise<void> {
  if (!isPostgres(db)) return;
  await db.raw(`SELECT setval(pg_get_serial_sequence(?, 'id'), coalesce((SELECT max(id) FROM ??), 0) + 1, false)`, [table, table]);
}

/**
 * Refresh the planner's statistics after a bulk load. On PostgreSQL only this schema's tables: a
 * bare ANALYZE walks every schema of the database (other deployments', tests') and can outlast the
 * statement timeout.
 */
export async function analyze(db: Db): Promise<void> {
  if (isSqlite(db)) {
    await db.raw('PRAGMA optimize');
    return;
  }
  const tables = ((await db.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")) as { rows: { tablename: string }[] }).rows;
  if (tables.length) await db.raw(`ANALYZE ${tables.map(() => '??').join(', ')}`, tables.map((t) => t.tablename));
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

/** The space the database takes: SQLite's pages in use, PostgreSQL's database (or schema) size. */
export async function databaseBytes(db: Db): Promise<number> {
  if (isSqlite(db)) {
    const rows = (await db.raw('SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()) AS pages, (SELECT page_size FROM pragma_page_size()) AS size')) as { pages: number; size: number }[];
    return rows[0]!.pages * rows[0]!.size;
  }
  const { rows } = (await db.raw(`SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS n FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'm')`)) as { rows: { n: number | string }[] };
  return Number(rows[0]!.n);
}
