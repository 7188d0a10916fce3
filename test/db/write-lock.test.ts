/**
 * SQLite's write lock and the web process (issue 8 items 4 and 5): transactions start as writers
 * (BEGIN IMMEDIATE), a write waiting for another process's lock waits asynchronously — reads and
 * timers go on meanwhile — and a background write gives up at once instead of waiting.
 */
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { sqliteFileOf } from '../../src/db/knex.js';
import { holdWriteLock } from '../helpers/faults.js';
import { seedBasics } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

if (process.env.TEST_DIALECT !== 'postgres') {
  describe('SQLite write lock', () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await createTestDb({ file: true, dbOptions: { lockWaitMs: 1500 } });
      await seedBasics(t.db);
    });
    afterEach(() => t.destroy());

    it('A transaction that reads first holds the write lock from its first statement, so another connection cannot commit in between and make it fail', async () => {
      const other = new Database(sqliteFileOf(t.db)!, { timeout: 0 });
      try {
        let otherWrite: unknown = null;
        await t.db.transaction(async (trx) => {
          await trx('parks').first();
          try {
            other.prepare("UPDATE parks SET name = name || '·' WHERE code = 'park-b'").run();
          } catch (err) {
            otherWrite = err;
          }
          await trx('parks').where({ code: 'park-a' }).update({ name: '余姚经济开发区（改）' });
        });
        expect((otherWrite as { code?: string } | null)?.code).to.equal('SQLITE_BUSY');
        expect((await t.db('parks').where({ code: 'park-a' }).first()).name).to.equal('余姚经济开发区（改）');
      } finally {
        other.close();
      }
    });

    it('While another process holds the lock, a waiting write leaves the process free: reads and timers run, and the write goes through once the lock is released', async () => {
      const lock = await holdWriteLock(sqliteFileOf(t.db)!);
      const events: string[] = [];
      const write = t.db('parks')
        .where({ code: 'park-a' })
        .update({ sort_order: 9 })
        .then(() => events.push('write'));
      await new Promise((r) => setTimeout(r, 50));
      events.push('timer');
      const parks = await t.db('parks').select('code');
      events.push('read');
      expect(parks).to.have.length(2);
      await lock.release();
      await write;
      expect(events).to.deep.equal(['timer', 'read', 'write']);
      expect((await t.db('parks').where({ code: 'park-a' }).first()).sort_order).to.equal(9);
    });

    it('When the lock stays taken past the wait, the write fails with SQLITE_BUSY (503 for the user) and changes nothing', async () => {
      const lock = await holdWriteLock(sqliteFileOf(t.db)!);
      try {
        const err = await t.db('parks').where({ code: 'park-a' }).update({ sort_order: 9 }).then(
          () => null,
          (e: unknown) => e,
        );
        expect((err as { code?: string }).code).to.equal('SQLITE_BUSY');
      } finally {
        await lock.release();
      }
      expect((await t.db('parks').where({ code: 'park-a' }).first()).sort_order).to.equal(1);
    });

    it('A background write (onBusy: skip) gives up at once while the lock is taken, before a waiting write would', async () => {
      const lock = await holdWriteLock(sqliteFileOf(t.db)!);
      try {
        const events: string[] = [];
        const waiting = t.db('parks').where({ code: 'park-b' }).update({ sort_order: 7 }).catch(() => events.push('waiting write failed'));
        const skipped = await t.db('parks')
          .where({ code: 'park-a' })
          .update({ sort_order: 9 })
          .queryContext({ onBusy: 'skip' })
          .then(
            () => 'written',
            (e: { code?: string }) => e.code,
          );
        events.push(`background: ${skipped}`);
        await waiting;
        expect(events).to.deep.equal(['background: SQLITE_BUSY', 'waiting write failed']);
      } finally {
        await lock.release();
      }
    });
  });
}
