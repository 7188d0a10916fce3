/**
 * Loading millions of rows into an empty schema (the demo data at 1M firms, issue 13 item 3):
 * the secondary indexes and triggers of the tables being loaded are taken off first and put back
 * after the load, so each index is built once, sorted, instead of row by row, and no trigger fires
 * per row; the caller recomputes what the triggers would have kept (src/db/counters.ts) between the
 * two (`afterIndexes`), when the indexes are back but the triggers not yet.
 * SQLite: multi-row prepared INSERTs on the connection itself, in large transactions.
 * PostgreSQL: one `INSERT … SELECT FROM unnest($1::type[], …)` per few thousand rows, on a
 * connection of its own without the app's 4-second statement timeout (an index over 1M rows takes
 * longer to build).
 */
import pg from 'pg';
import type { Knex } from 'knex';
import { isSqlite } from './dialect.js';

export interface BulkLoader {
  /** Rows as arrays in the order of `columns`. */
  insert(table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void>;
  /** Commit what is loaded so far and start a new transaction (bounds the WAL / the undo). */
  checkpoint(): Promise<void>;
  /** A statement on the loading connection (SQLite: no result; PostgreSQL: rows). */
  exec(sql: string): Promise<void>;
  /**
   * Rows read on the loading connection, `?` placeholders: the load may read what it wrote (and
   * an in-memory SQLite database has only this one connection).
   */
  select<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface BulkPhases {
  onPhase?: (phase: string) => void;
}

interface BetterSqlite {
  prepare(sql: string): { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  exec(sql: string): void;
  pragma(sql: string, options?: { simple: boolean }): unknown;
  inTransaction: boolean;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function withBulkLoad(
  db: Knex,
  tables: readonly string[],
  load: (loader: BulkLoader) => Promise<void>,
  afterIndexes: (exec: (sql: string) => Promise<void>) => Promise<void>,
  phases: BulkPhases = {},
): Promise<void> {
  if (isSqlite(db)) return sqliteBulk(db, tables, load, afterIndexes, phases);
  return postgresBulk(db, tables, load, afterIndexes, phases);
}

async function sqliteBulk(db: Knex, tables: readonly string[], load: (l: BulkLoader) => Promise<void>, afterIndexes: (exec: (sql: string) => Promise<void>) => Promise<void>, phases: BulkPhases): Promise<void> {
  const client = db.client as { acquireConnection(): Promise<BetterSqlite>; releaseConnection(c: BetterSqlite): Promise<void> };
  const conn = await client.acquireConnection();
  const marks = tables.map(() => '?').join(', ');
  const saved = conn
    .prepare(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (${marks}) ORDER BY type, name`)
    .all(...tables) as { type: 'index' | 'trigger'; name: string; sql: string }[];
  const statements = new Map<string, { run(...params: unknown[]): unknown }>();
  const before = { cache: conn.pragma('cache_size', { simple: true }), temp: conn.pragma('temp_store', { simple: true }) };
  try {
    for (const s of saved) conn.exec(`DROP ${s.type.toUpperCase()} ${quote(s.name)}`);
    // A rebuild from nothing: a crash mid-load leaves a database to delete, not one to keep.
    conn.pragma('synchronous = OFF');
    // Building an index over 1M rows is an external sort that spills past the app's 64 MB page
    // cache; a 256 MB cache, temporary data in memory and a helper thread for the sorter shorten
    // the index phase. Put back below.
    conn.pragma('cache_size = -262144');
    conn.pragma('temp_store = MEMORY');
    conn.pragma('threads = 2');
    conn.exec('BEGIN');
    const loader: BulkLoader = {
      async insert(table, columns, rows) {
        // At most 32,766 bound values per statement (perf.md §1.1), 250 rows per statement.
        const per = Math.max(1, Math.min(250, Math.floor(32000 / columns.length)));
        let i = 0;
        for (; i + per <= rows.length; i += per) stmt(table, columns, per).run(...rows.slice(i, i + per).flat());
        if (i < rows.length) stmt(table, columns, rows.length - i).run(...rows.slice(i).flat());
      },
      async checkpoint() {
        conn.exec('COMMIT');
        conn.exec('BEGIN');
      },
      async exec(sql) {
        conn.exec(sql);
      },
      async select<T>(sql: string, params: readonly unknown[] = []) {
        return conn.prepare(sql).all(...params) as T[];
      },
    };
    const stmt = (table: string, columns: readonly string[], n: number) => {
      const key = `${table}|${columns.join(',')}|${n}`;
      let s = statements.get(key);
      if (!s) {
        const one = `(${columns.map(() => '?').join(', ')})`;
        s = conn.prepare(`INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${Array(n).fill(one).join(', ')}`);
        statements.set(key, s);
      }
      return s;
    };
    await load(loader);
    conn.exec('COMMIT');
    phases.onPhase?.('indexes');
    conn.exec('BEGIN');
    for (const s of saved.filter((x) => x.type === 'index')) conn.exec(s.sql);
    conn.exec('COMMIT');
    phases.onPhase?.('aggregates');
    conn.exec('BEGIN');
    await afterIndexes(async (sql) => conn.exec(sql));
    for (const s of saved.filter((x) => x.type === 'trigger')) conn.exec(s.sql);
    conn.exec('COMMIT');
  } catch (err) {
    if (conn.inTransaction) conn.exec('ROLLBACK');
    throw err;
  } finally {
    conn.pragma('synchronous = FULL');
    conn.pragma(`cache_size = ${Number(before.cache)}`);
    conn.pragma(`temp_store = ${Number(before.temp)}`);
    conn.pragma('threads = 0');
    await client.releaseConnection(conn);
  }
}

interface PgColumn {
  column_name: string;
  udt_name: string;
}

async function postgresBulk(db: Knex, tables: readonly string[], load: (l: BulkLoader) => Promise<void>, afterIndexes: (exec: (sql: string) => Promise<void>) => Promise<void>, phases: BulkPhases): Promise<void> {
  const config = (db.client as { config: { connection: { connectionString: string }; searchPath?: string | string[] } }).config;
  const conn = new pg.Client({ connectionString: config.connection.connectionString, application_name: 'miaopu-seed' });
  await conn.connect();
  try {
    if (config.searchPath) {
      const paths = Array.isArray(config.searchPath) ? config.searchPath : [config.searchPath];
      await conn.query(`SET search_path TO ${paths.map(quote).join(', ')}`);
    }
    const schema = ((await conn.query('SELECT current_schema() AS s')).rows[0] as { s: string }).s;
    // Indexes that back no constraint (primary keys and UNIQUE constraints stay: they are the checks).
    const indexes = (
      await conn.query(
        `SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i
         WHERE i.schemaname = $1 AND i.tablename = ANY($2)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = $1::regnamespace)`,
        [schema, tables],
      )
    ).rows as { name: string; sql: string }[];
    const columnTypes = new Map<string, Map<string, string>>();
    for (const r of (await conn.query('SELECT table_name, column_name, udt_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = ANY($2)', [schema, tables])).rows as (PgColumn & { table_name: string })[]) {
      if (!columnTypes.has(r.table_name)) columnTypes.set(r.table_name, new Map());
      columnTypes.get(r.table_name)!.set(r.column_name, r.udt_name);
    }
    await conn.query('BEGIN');
    await conn.query("SET LOCAL synchronous_commit = 'off'");
    for (const t of tables) await conn.query(`ALTER TABLE ${quote(t)} DISABLE TRIGGER USER`);
    for (const i of indexes) await conn.query(`DROP INDEX ${quote(i.name)}`);
    const loader: BulkLoader = {
      async insert(table, columns, rows) {
        const types = columnTypes.get(table);
        if (!types) throw new Error(`bulk load: no table ${table}`);
        const casts = columns.map((c, k) => `$${k + 1}::${types.get(c)!.replace(/^_/, '')}[]`);
        const sql = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`;
        for (let i = 0; i < rows.length; i += 20000) {
          const chunk = rows.slice(i, i + 20000);
          await conn.query(sql, columns.map((_, k) => chunk.map((r) => r[k] ?? null)));
        }
      },
      async checkpoint() {
        // One transaction throughout: the triggers are off only inside it.
      },
      async exec(sql) {
        await conn.query(sql);
      },
      async select<T>(sql: string, params: readonly unknown[] = []) {
        let n = 0;
        return (await conn.query(sql.replace(/\?/g, () => `$${++n}`), [...params])).rows as T[];
      },
    };
    await load(loader);
    phases.onPhase?.('indexes');
    for (const i of indexes) await conn.query(i.sql);
    phases.onPhase?.('aggregates');
    await afterIndexes(async (sql) => void (await conn.query(sql)));
    for (const t of tables) await conn.query(`ALTER TABLE ${quote(t)} ENABLE TRIGGER USER`);
    await conn.query('COMMIT');
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await conn.end();
  }
}
