/**
 * A long read (an aggregate over every firm) run where it does not stop the server: better-sqlite3
 * is synchronous, so on an SQLite file the statement runs on a worker thread with a read-only
 * connection of its own (WAL lets it read while the server writes); PostgreSQL answers
 * asynchronously anyway; an in-memory database (tests) has only its one connection.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import { isSqlite } from './dialect.js';
import { sqliteFileOf } from './knex.js';

const driver = createRequire(import.meta.url).resolve('better-sqlite3');
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
try { parentPort.postMessage({ rows: db.prepare(workerData.sql).all(...workerData.params) }); }
catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
finally { db.close(); }
`;

export async function selectOffThread<T>(db: Knex, sql: string, params: readonly (string | number)[] = []): Promise<T[]> {
  const file = isSqlite(db) ? sqliteFileOf(db) : null;
  if (!isSqlite(db)) return ((await db.raw(sql, params as (string | number)[])) as { rows: T[] }).rows;
  if (!file) return (await db.raw(sql, params as (string | number)[])) as T[];
  return new Promise<T[]>((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { driver, file, sql, params } });
    w.once('message', (m: { rows?: T[]; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.rows!)));
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`offloaded query worker exited with ${code}`)));
  });
}
