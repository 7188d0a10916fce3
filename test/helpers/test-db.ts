/**
 * A fresh, migrated database per test file: SQLite in memory, or — when the runner sets
 * TEST_DIALECT=postgres — a schema of its own on TEST_DATABASE_URL, dropped afterwards.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';

export interface TestDb {
  db: Knex;
  dialect: 'sqlite' | 'postgres';
  destroy(): Promise<void>;
}

/** `file: true` uses a temporary SQLite file instead of memory, so other connections (import workers) reach it. */
export async function createTestDb(opts: { file?: boolean } = {}): Promise<TestDb> {
  if (process.env.TEST_DIALECT === 'postgres') {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DIALECT=postgres needs TEST_DATABASE_URL');
    const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
    const admin = createDb(url, { poolMax: 1 });
    await admin.raw('CREATE SCHEMA ??', [schema]);
    await admin.destroy();
    const db = createDb(url, { searchPath: [schema, 'public'], poolMax: 4 });
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
  if (opts.file) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-test-'));
    const db = createDb(`sqlite:${path.join(dir, 'test.sqlite')}`);
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
  const db = createDb('sqlite::memory:');
  await migrateLatest(db);
  return { db, dialect: 'sqlite', destroy: () => db.destroy() };
}
