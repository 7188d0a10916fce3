/**
 * A fresh, migrated database per test file: SQLite in memory, or — when the runner sets
 * TEST_DIALECT=postgres — a schema of its own on TEST_DATABASE_URL, dropped afterwards.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDb, type DbOptions } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';

export interface TestDb {
  db: Knex;
  dialect: 'sqlite' | 'postgres';
  destroy(): Promise<void>;
}

export interface TestDbOptions {
  /** A temporary SQLite file instead of memory, so other connections (import workers, other processes) reach it. */
  file?: boolean;
  /** Put that file in this folder (a small tmpfs in the fault tests); implies `file`. */
  dir?: string;
  dbOptions?: DbOptions;
}

export async function createTestDb(opts: TestDbOptions = {}): Promise<TestDb> {
  if (process.env.TEST_DIALECT === 'postgres') {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DIALECT=postgres needs TEST_DATABASE_URL');
    // Commits need not wait for the WAL flush: the schema is thrown away (fsyncs were most of a busy run).
    return createPgSchemaDb(url, { prefix: 't_', dbOptions: { asyncCommit: true, ...opts.dbOptions } });
  }
  if (opts.file || opts.dir) return createSqliteFileDb({ dir: opts.dir, dbOptions: opts.dbOptions });
  const db = createDb('sqlite::memory:');
  await migrateLatest(db);
  return { db, dialect: 'sqlite', destroy: () => db.destroy() };
}

/** A migrated schema of its own on a PostgreSQL database, dropped by destroy() (tests, benchmarks). */
export async function createPgSchemaDb(url: string, opts: { prefix?: string; dbOptions?: DbOptions } = {}): Promise<TestDb> {
  const schema = `${opts.prefix ?? 't_'}${crypto.randomBytes(6).toString('hex')}`;
  const admin = createDb(url, { poolMax: 1 });
  await admin.raw('CREATE SCHEMA ??', [schema]);
  await admin.destroy();
  const db = createDb(url, { searchPath: [schema, 'public'], poolMax: 4, ...opts.dbOptions });
  await migrateLatest(db);
  return {
    db,
    dialect: 'postgres',
    async destroy() {
      await db.destroy();
      const cleanup = createDb(url, { poolMax: 1 });
      await cleanup.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await cleanup.destroy();
    },
  };
}

/** A migrated SQLite file in a temporary folder (inside `dir` if given), removed by destroy(). */
export async function createSqliteFileDb(opts: { dir?: string; dbOptions?: DbOptions } = {}): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(opts.dir ?? os.tmpdir(), 'miaopu-test-'));
  const db = createDb(`sqlite:${path.join(dir, 'test.sqlite')}`, opts.dbOptions);
  await migrateLatest(db);
  return {
    db,
    dialect: 'sqlite',
    async destroy() {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
