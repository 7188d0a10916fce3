/** One database factory for both dialects; everything dialect-specific about connecting lives here. */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { log } from '../lib/log.js';
import { watchFaults } from './health.js';
import { BUSY_TIMEOUT_MS, MiaopuSqliteClient } from './sqlite-client.js';
import { describeStatement } from './statements.js';

export interface DbOptions {
  /** PostgreSQL schema to use (tests isolate themselves in a schema of their own). */
  searchPath?: string[];
  /** PostgreSQL pool size; SQLite: connections to a file (default 2: one may wait for the lock while the other reads). */
  poolMax?: number;
  /** SQLite page cache per connection, in KiB (default 64 MiB). */
  cacheKiB?: number;
  /** How long a write may wait for SQLite's lock, asynchronously (default 5 s; the import worker waits longer). */
  lockWaitMs?: number;
  /** Open the SQLite file read-only (the server does when the file or its folder cannot be written). */
  readOnly?: boolean;
  /** PostgreSQL application_name: the server says `miaopu`, so a restore can see it is running. */
  applicationName?: string;
  /**
   * PostgreSQL: commit without waiting for the WAL flush (`synchronous_commit=off`). Only the tests use it:
   * their schemas are thrown away, and every commit's fsync was most of their run time on a busy machine.
   */
  asyncCommit?: boolean;
}

interface SqliteConnection {
  pragma(source: string): unknown;
}

/**
 * PostgreSQL must answer within 5 s or the request gets 503 (issue 8): a server that is down, or a
 * network that drops packets, would otherwise hang a request for the TCP timeout (minutes).
 */
export const PG_TIMEOUTS = {
  /** TCP connect and the start-up handshake. */
  connectMs: 3000,
  /** Server side: a statement running longer is cancelled (57014). */
  statementMs: 4000,
  /** Client side: no answer at all (packets dropped after the connection was made). */
  queryMs: 4500,
  /** Waiting for a free connection of the pool. */
  acquireMs: 4500,
} as const;

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
  // Error lines name the statement (kind and table), never its text: values typed by users would be in it.
  db.on('query-error', (err: unknown, query: { sql?: string }) => {
    if (err && typeof err === 'object' && typeof query?.sql === 'string') {
      const e = err as { message?: string; statement?: string };
      e.statement ??= describeStatement(query.sql);
      if (typeof e.message === 'string' && e.message.startsWith(`${query.sql} - `)) e.message = e.message.slice(query.sql.length + 3);
    }
  });
  watchFaults(db);
  return db;
}

/** knex's own warnings (pool errors, deprecations) go to our JSON log, not to the console. */
const knexLog = {
  warn: (message: unknown) => log.warn('knex', { detail: String(message) }),
  error: (message: unknown) => log.error('knex', { detail: String(message) }),
  deprecate: (method: unknown, alternative: unknown) => log.warn('knex deprecation', { method: String(method), alternative: String(alternative) }),
  debug: (message: unknown) => log.debug('knex', { detail: String(message) }),
};

function openDb(databaseUrl: string, options: DbOptions): Knex {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    const filename = file === ':memory:' ? ':memory:' : path.resolve(file);
    const memory = filename === ':memory:';
    if (!memory && !options.readOnly) fs.mkdirSync(path.dirname(filename), { recursive: true });
    // An in-memory database exists only on its one connection.
    const connections = memory ? 1 : (options.poolMax ?? 2);
    return knexFactory({
      client: MiaopuSqliteClient as unknown as typeof knexFactory.Client,
      connection: { filename, options: { readonly: options.readOnly === true } },
      useNullAsDefault: true,
      // SQL with `?` placeholders in error messages, never the values bound to them.
      compileSqlOnError: false,
      log: knexLog,
      lockWaitMs: options.lockWaitMs,
      pool: {
        min: connections,
        max: connections,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          try {
            if (!memory && !options.readOnly) conn.pragma('journal_mode = WAL');
            // A committed stage move or import must survive a power cut, not only a process crash.
            conn.pragma('synchronous = FULL');
            conn.pragma('foreign_keys = ON');
            // Short: the wait for the lock is asynchronous (sqlite-client.ts).
            conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
            conn.pragma(`cache_size = -${Math.round(options.cacheKiB ?? 65536)}`);
            conn.pragma('temp_store = MEMORY');
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
    } as Knex.Config);
  }
  configurePgTypes();
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: databaseUrl,
      connectionTimeoutMillis: PG_TIMEOUTS.connectMs,
      statement_timeout: PG_TIMEOUTS.statementMs,
      query_timeout: PG_TIMEOUTS.queryMs,
      keepAlive: true,
      application_name: options.applicationName ?? 'miaopu-tool',
      ...(options.asyncCommit ? { options: '-c synchronous_commit=off' } : {}),
    },
    compileSqlOnError: false,
    log: knexLog,
    acquireConnectionTimeout: PG_TIMEOUTS.acquireMs,
    ...(options.searchPath ? { searchPath: options.searchPath } : {}),
    pool: { min: 0, max: options.poolMax ?? 10 },
  } as Knex.Config);
}

/** True when the database answers a trivial query. */
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

/** The SQLite file behind a handle, or null (PostgreSQL, or in memory). */
export function sqliteFileOf(db: Knex): string | null {
  const url = locateDb(db)?.url;
  return url?.startsWith('sqlite:') ? url.slice('sqlite:'.length) : null;
}
