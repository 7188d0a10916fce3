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
