/** One database factory for both dialects; everything dialect-specific about connecting lives here. */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

export interface DbOptions {
  /** PostgreSQL schema to use (tests isolate themselves in a schema of their own). */
  searchPath?: string[];
  poolMax?: number;
  /** SQLite page cache per connection, in KiB (default 64 MiB). */
  cacheKiB?: number;
}

interface SqliteConnection {
  pragma(source: string): unknown;
}

let pgTypesConfigured = false;
function configurePgTypes(): void {
  if (pgTypesConfigured) return;
  pgTypesConfigured = true;
  // Keep calendar dates as 'YYYY-MM-DD' strings, like SQLite returns them.
  pg.types.setTypeParser(1082, (v: string) => v);
  // bigint (counts, money in 元) as numbers: our values stay far below 2^53.
  pg.types.setTypeParser(20, (v: string) => Number(v));
  // Instants as ISO-8601 UTC strings, the same shape the app writes into SQLite.
  pg.types.setTypeParser(1184, (v: string) => new Date(v).toISOString());
  pg.types.setTypeParser(1114, (v: string) => new Date(`${v}Z`).toISOString());
}

const locations = new WeakMap<Knex, DbLocation | null>();

/** `sqlite:<path>` (relative to the working directory, or absolute), `sqlite::memory:`, or `postgres://…`. */
export function createDb(databaseUrl: string, options: DbOptions = {}): Knex {
  const db = openDb(databaseUrl, options);
  const memory = databaseUrl === 'sqlite::memory:';
  locations.set(db, memory ? null : { url: databaseUrl.startsWith('sqlite:') ? `sqlite:${path.resolve(databaseUrl.slice(7))}` : databaseUrl, options });
  return db;
}

function openDb(databaseUrl: string, options: DbOptions): Knex {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    const filename = file === ':memory:' ? ':memory:' : path.resolve(file);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      // better-sqlite3 is synchronous and SQLite has one writer: one connection per process.
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          try {
            if (filename !== ':memory:') conn.pragma('journal_mode = WAL');
            // A committed stage move or import must survive a power cut, not only a process crash.
            conn.pragma('synchronous = FULL');
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 5000');
            conn.pragma(`cache_size = -${Math.round(options.cacheKiB ?? 65536)}`);
            conn.pragma('temp_store = MEMORY');
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
    });
  }
  configurePgTypes();
  return knexFactory({
    client: 'pg',
    connection: databaseUrl,
    ...(options.searchPath ? { searchPath: options.searchPath } : {}),
    pool: { min: 0, max: options.poolMax ?? 10 },
  });
}

/** True when the database answers a trivial query (used by /healthz). */
export async function isDbReadable(db: Knex): Promise<boolean> {
  try {
    await db.raw('SELECT 1 AS ok');
    return true;
  } catch {
    return false;
  }
}

/** Enough to open another connection to the same database (a worker thread needs its own). */
export interface DbLocation {
  url: string;
  options: DbOptions;
}

/** null for an in-memory SQLite database, which no other connection can reach. */
export function locateDb(db: Knex): DbLocation | null {
  return locations.get(db) ?? null;
}
