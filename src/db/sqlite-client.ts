/**
 * knex's better-sqlite3 client, adapted to a web process that must never sit on SQLite's write lock.
 *
 * better-sqlite3 waits for a lock synchronously: with a busy timeout of 5 s, one request waiting on
 * another process's lock (an import, a backup, the sqlite3 shell) freezes every other request of the
 * process for up to 5 s. So this client:
 *
 * - gives each connection a short busy timeout (BUSY_TIMEOUT_MS) and waits for the lock
 *   *asynchronously*, retrying with backoff until a deadline (`lockWaitMs`), so the event loop keeps
 *   serving while a write waits;
 * - keeps two connections for a database file, and lets only one of them write at a time inside this
 *   process (the write gate, waited on without holding a connection), so reads always find a free
 *   connection and never queue behind a write that waits for the lock (WAL: readers never block);
 * - starts every transaction with BEGIN IMMEDIATE, so a transaction that reads and then writes holds
 *   the write lock from its first statement and another process cannot make it fail half-way
 *   (SQLITE_BUSY_SNAPSHOT, which ignores the busy timeout);
 * - keeps the real cause when SQLite has already rolled a transaction back itself (SQLITE_FULL,
 *   SQLITE_IOERR): knex would otherwise replace it with "cannot rollback - no transaction is active";
 * - lets a background write give up at once instead of waiting (`queryContext({ onBusy: 'skip' })`,
 *   used by the session touch).
 */
import { createRequire } from 'node:module';
import { isBusyError } from '../lib/errors.js';
import { WriteGate } from './write-gate.js';

const require = createRequire(import.meta.url);
// knex's internals are untyped JavaScript; these classes only override a few of their methods.
type Untyped = new (...args: any[]) => any;
const ClientBetterSqlite3 = require('knex/lib/dialects/better-sqlite3/index.js') as Untyped;
const TransactionSqlite = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as Untyped;
const Runner = require('knex/lib/execution/runner.js') as Untyped;

/** The longest the main thread may block on the lock in one attempt (then it waits asynchronously). */
export const BUSY_TIMEOUT_MS = 10;
/** Default deadline for a write to get the lock; then SQLITE_BUSY reaches the error handler (503). */
export const DEFAULT_LOCK_WAIT_MS = 5000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** 10, 20, 40, 80, then every 100 ms: short enough to get the lock soon after it is released. */
const backoff = (attempt: number) => Math.min(100, 10 * 2 ** attempt);

interface RawConnection {
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
}

/** Statements that only read; anything else goes through the write gate. */
const READ_METHODS = new Set(['select', 'first', 'pluck', 'columnInfo']);
const READ_SQL = /^\s*(select|with|explain|values)\b|^\s*pragma\s+[\w.]+\s*(\([^=]*\))?\s*;?\s*$/i;

function isWrite(builder: { sql?: unknown; _method?: string }): boolean {
  if (typeof builder.sql === 'string') return !READ_SQL.test(builder.sql);
  return !READ_METHODS.has(builder._method ?? 'select');
}

function busyNow(): Error {
  return Object.assign(new Error('database is locked (another write of this process is running)'), { code: 'SQLITE_BUSY' });
}

interface PreparedStatement {
  readonly reader: boolean;
  all(bindings: unknown[]): unknown[];
  run(bindings: unknown[]): { lastInsertRowid: number | bigint; changes: number };
}

interface PreparingConnection {
  prepare(sql: string): PreparedStatement;
}

/** Statements kept per connection; the least recently used leave beyond this many. */
const STATEMENT_CACHE_SIZE = 300;
const statementCaches = new WeakMap<PreparingConnection, Map<string, PreparedStatement>>();

function preparedStatement(connection: PreparingConnection, sql: string): PreparedStatement {
  let cache = statementCaches.get(connection);
  if (!cache) statementCaches.set(connection, (cache = new Map()));
  const kept = cache.get(sql);
  if (kept) {
    // Map order is the LRU order: a hit moves to the end.
    cache.delete(sql);
    cache.set(sql, kept);
    return kept;
  }
  const statement = connection.prepare(sql);
  cache.set(sql, statement);
  if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return statement;
}

class MiaopuRunner extends Runner {
  async run(): Promise<unknown> {
    const client = this.client as MiaopuSqliteClient;
    // Inside a transaction the lock is already held (BEGIN IMMEDIATE); an explicit connection is knex's own business.
    if (client.transacting || this.builder._connection) return super.run();
    const write = isWrite(this.builder);
    const skip = this.builder._queryContext?.onBusy === 'skip';
    const deadline = Date.now() + client.lockWaitMs;
    for (let attempt = 0; ; attempt++) {
      if (write) {
        if (!skip) await client.writeGate.acquire();
        else if (!client.writeGate.tryAcquire()) throw busyNow();
      }
      try {
        return await super.run();
      } catch (err) {
        if (!isBusyError(err) || skip || Date.now() + backoff(attempt) >= deadline) throw err;
      } finally {
        if (write) client.writeGate.release();
        this.connection = undefined;
      }
      await sleep(backoff(attempt));
    }
  }
}

class MiaopuTransaction extends TransactionSqlite {
  /** A top-level transaction waits for the write gate before it takes a connection (see the file comment). */
  async acquireConnection(config: { connection?: unknown } | undefined, cb: (conn: unknown) => Promise<unknown>): Promise<unknown> {
    const client = this.client as MiaopuSqliteClient;
    if (client.transacting || config?.connection) return super.acquireConnection(config, cb);
    await client.writeGate.acquire();
    try {
      return await super.acquireConnection(config, cb);
    } finally {
      client.writeGate.release();
    }
  }

  async begin(conn: RawConnection): Promise<void> {
    const deadline = Date.now() + (this.client as MiaopuSqliteClient).lockWaitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        conn.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if (!isBusyError(err) || Date.now() + backoff(attempt) >= deadline) {
          // Rejecting here (rather than through knex's query()) keeps knex from running the body at all.
          this._completed = true;
          throw err;
        }
      }
      await sleep(backoff(attempt));
    }
  }

  /** ROLLBACK only what is still open, and always reject with the error that made the transaction fail. */
  async rollback(conn: RawConnection, error: unknown): Promise<void> {
    let rollbackError: unknown = null;
    if (conn.inTransaction) {
      const q = this.trxClient.query(conn, 'ROLLBACK');
      this._completed = true;
      try {
        await q;
      } catch (err) {
        rollbackError = err;
      }
    }
    this._completed = true;
    if (rollbackError && error instanceof Error) Object.assign(error, { rollbackError: (rollbackError as Error).message });
    if (error === undefined && this.doNotRejectOnRollback) this._resolver();
    else this._rejecter(error ?? rollbackError ?? new Error('Transaction rejected with non-error: undefined'));
  }
}

export class MiaopuSqliteClient extends ClientBetterSqlite3 {
  readonly writeGate = new WriteGate();
  lockWaitMs: number;

  constructor(config: { lockWaitMs?: number }) {
    super(config);
    this.lockWaitMs = config.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
  }

  runner(builder: unknown): unknown {
    return new MiaopuRunner(this, builder);
  }

  /**
   * knex prepares every statement on every call; for a board page that is 13 prepares, a quarter of
   * a millisecond each. Prepared statements are kept per connection (a page sends the same SQL each
   * time: values are bound). SQLite re-prepares a kept statement itself after a schema change.
   */
  async _query(connection: PreparingConnection, obj: { sql?: string; bindings?: unknown[]; options?: { safeIntegers?: boolean }; response?: unknown; context?: unknown }): Promise<unknown> {
    // A per-query integer mode would stick to a shared statement: such queries keep knex's own path.
    if (!obj.sql || !connection || typeof obj.options?.safeIntegers === 'boolean') return super._query(connection, obj);
    const statement = preparedStatement(connection, obj.sql);
    const bindings = this._formatBindings(obj.bindings) as unknown[];
    if (statement.reader) {
      obj.response = statement.all(bindings);
      return obj;
    }
    const response = statement.run(bindings);
    obj.response = response;
    obj.context = { lastID: response.lastInsertRowid, changes: response.changes };
    return obj;
  }

  transaction(container: unknown, config: unknown, outerTx: unknown): unknown {
    return new MiaopuTransaction(this, container, config, outerTx);
  }
}
