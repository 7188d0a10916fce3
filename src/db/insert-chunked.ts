import { isPostgres } from './dialect.js';
import type { Db } from './types.js';

/** SQLite caps a compound INSERT at 500 rows (perf.md §7.11); stay well under it. */
const CHUNK = 400;

/**
 * Inserts many rows as multi-row INSERTs of CHUNK rows. With `toRow`, rows are built one chunk at a
 * time, so a 200,000-row import never holds all its row objects at once.
 */
export async function insertChunked<T>(db: Db, table: string, items: readonly T[], toRow?: (item: T) => Record<string, unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    await db(table).insert(toRow ? chunk.map(toRow) : (chunk as Record<string, unknown>[]));
  }
}

/**
 * Rows per statement on PostgreSQL (insertMany): a few hundred KiB to a MiB of JSON, each statement
 * well under the 4 s statement timeout even on a busy machine.
 */
export const PG_BULK_ROWS = 5000;

/**
 * Inserts many rows the fastest way each database takes them: on SQLite as insertChunked does; on
 * PostgreSQL as one JSON parameter per PG_BULK_ROWS rows, unpacked by json_populate_recordset into
 * the table's own column types (issue 13 item 5). A multi-row VALUES list of 2,000 rows is 18,000
 * bind parameters, each parsed, typed and planned: 25,000 firms took 1.3–1.9 s that way against
 * 0.9–1.2 s as JSON, about what the same INSERT … SELECT generated in the server takes. The values
 * are converted by the columns' input functions as bound parameters are (an over-long text is
 * refused with the same error).
 *
 * `returning` (PostgreSQL only): the listed columns of the rows inserted, in insertion order (on
 * SQLite the result is empty: callers read what they need back).
 */
export async function insertMany<T>(db: Db, table: string, items: readonly T[], toRow: (item: T) => Record<string, unknown>, opts: { returning?: readonly string[] } = {}): Promise<Record<string, unknown>[]> {
  if (!isPostgres(db)) {
    await insertChunked(db, table, items, toRow);
    return [];
  }
  const out: Record<string, unknown>[] = [];
  const returning = opts.returning?.length ? ` RETURNING ${opts.returning.map(() => '??').join(', ')}` : '';
  for (let i = 0; i < items.length; i += PG_BULK_ROWS) {
    const rows = items.slice(i, i + PG_BULK_ROWS).map(toRow);
    const columns = jsonColumns(rows);
    if (!columns) {
      // Rows of different shapes, or values JSON would not carry as they are: knex's own INSERT,
      // in statements under PostgreSQL's 65,535 bind parameters.
      const size = Math.max(1, Math.floor(60_000 / Math.max(1, ...rows.map((r) => Object.keys(r).length))));
      for (let j = 0; j < rows.length; j += size) {
        const q = db(table).insert(rows.slice(j, j + size));
        if (opts.returning?.length) out.push(...((await q.returning([...opts.returning])) as Record<string, unknown>[]));
        else await q;
      }
      continue;
    }
    const list = columns.map(() => '??').join(', ');
    const res = (await db.raw(`INSERT INTO ?? (${list}) SELECT ${list} FROM json_populate_recordset(NULL::??, ?)${returning}`, [
      table,
      ...columns,
      ...columns,
      table,
      JSON.stringify(rows),
      ...(opts.returning ?? []),
    ])) as { rows: Record<string, unknown>[] };
    if (returning) out.push(...res.rows);
  }
  return out;
}

const UNSAFE_TEXT = /\u0000|\p{Cs}/u;

/**
 * The column list when every row has the same keys in the same order and only values JSON carries
 * unchanged (text, finite numbers, booleans, null); otherwise null. knex writes DEFAULT for a key a
 * row lacks or leaves undefined, where json_populate_recordset would write NULL; and a text with a
 * NUL or a lone surrogate is refused (or mended) differently as JSON than as a bound parameter.
 */
function jsonColumns(rows: readonly Record<string, unknown>[]): string[] | null {
  const columns = Object.keys(rows[0]!);
  for (const row of rows) {
    const keys = Object.keys(row);
    if (keys.length !== columns.length) return null;
    for (let k = 0; k < keys.length; k++) {
      if (keys[k] !== columns[k]) return null;
      const v = row[keys[k]!];
      if (v === null || typeof v === 'boolean') continue;
      if (typeof v === 'string' && !UNSAFE_TEXT.test(v)) continue;
      if (typeof v === 'number' && Number.isFinite(v)) continue;
      return null;
    }
  }
  return columns;
}
