/**
 * Server faults on SQLite (issue 8 item 4): a full disk (a small tmpfs filled to the last byte), the
 * write lock held by another process, a read-only database. Each answers 503 with a Chinese message
 * where the user is, keeps serving reads, and recovers by itself once the cause is gone.
 * SQLite only: these are faults of the database file. (PostgreSQL's: faults-postgres.http.test.ts.)
 */
import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import { sqliteFileOf } from '../../src/db/knex.js';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { createFirm, type SeededFirm, validUscc } from '../helpers/factories.js';
import { writeCsv } from '../helpers/list-files.js';
import { holdWriteLock, mountTmpfs, type Tmpfs, tmpfsUnavailable } from '../helpers/faults.js';
import { expectLogLine, logLines } from '../helpers/log-capture.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';

const sqlite = process.env.TEST_DIALECT !== 'postgres';

const move = (t: TestContext, firm: SeededFirm, to: string, htmx = true) => {
  const req = t.admin.post(`/firms/${firm.uscc}/stage`).type('form');
  if (htmx) req.set('HX-Request', 'true');
  return req.send({ version: firm.version, source: 'board', to });
};

if (sqlite) {
  describe('Faults on SQLite: a full disk', function () {
    let fs: Tmpfs | null = null;
    let t: TestContext;
    let firm: SeededFirm;

    before(function () {
      const why = tmpfsUnavailable();
      if (why) {
        console.log(`    (full-disk tests not run: ${why})`);
        this.skip();
      }
    });
    beforeEach(async () => {
      fs = mountTmpfs(24);
      t = await createTestContext({ dir: fs.dir });
      firm = await createFirm(t.db, { stage: 'candidate', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
      await t.admin.get('/board').expect(200);
      // Every page of a later write must be new space: empty the WAL before filling the disk.
      await t.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
      fs.fill();
    });
    afterEach(async () => {
      fs?.free();
      await t?.destroy();
      fs?.unmount();
      fs = null;
    });

    it('When the disk is full, then a stage move answers 503 "磁盘已满" in the page’s message area, the board is still served, and /healthz says why', async () => {
      const res = await move(t, firm, 'incubating').expect(503);
      expect(res.headers['hx-retarget']).to.equal('#flash');
      expect(html(res.text).querySelector('.alert-error')!.text).to.contain('磁盘已满，数据未保存，请联系管理员');
      expect((await t.db('firms').where({ id: firm.id }).first()).stage).to.equal('candidate');
      expectLogLine({ msg: 'request failed', level: 'error' });

      const board = await t.admin.get('/board').expect(200);
      expect(board.text).to.contain(firm.name);
      const health = await t.anonymous().get('/healthz').expect(503);
      expect(health.text).to.match(/disk full/);
    });

    it('When the disk is full, then a plain form post gets the 503 page with the message, and GET /login answers without a 500', async () => {
      const res = await move(t, firm, 'incubating', false).expect(503);
      expect(html(res.text).querySelector('.error-message')!.text).to.contain('磁盘已满');
      // The sign-in form would be refused (its session cannot be stored): the page says why instead.
      const login = await t.anonymous().get('/login').expect(503);
      expect(html(login.text).querySelector('.error-message')!.text).to.contain('磁盘已满');
    });

    it('When space comes back, then the same move succeeds without a restart and /healthz is ok again', async () => {
      await move(t, firm, 'incubating').expect(503);
      fs!.free();
      await move(t, firm, 'incubating').expect(200);
      expect((await t.db('firms').where({ id: firm.id }).first()).stage).to.equal('incubating');
      await t.anonymous().get('/healthz').expect(200);
    });
  });

  describe('Faults on SQLite: uploads and import jobs', function () {
    this.timeout(30_000);
    let fs: Tmpfs | null = null;
    let t: TestContext | null = null;
    before(function () {
      const why = tmpfsUnavailable();
      if (why) {
        console.log(`    (upload and import fault tests not run: ${why})`);
        this.skip();
      }
    });
    afterEach(async () => {
      fs?.free();
      await t?.destroy();
      fs?.unmount();
      fs = null;
      t = null;
    });

    const listFile = (rows: number) => {
      const data: (string | number)[][] = [['统一社会信用代码', '企业名称', '营业收入（万元）']];
      for (let i = 0; i < rows; i++) data.push([validUscc(810000 + i), `余姚市故障测试${i}科技有限公司`, 10 + i]);
      return writeCsv(data);
    };

    it('When the upload folder is read-only, then an upload answers 503 saying it is the server, not the file, and the log records the server fault', async () => {
      fs = mountTmpfs(8);
      mkdirSync(`${fs.dir}/incoming`);
      fs.remount('ro');
      t = await createTestContext({ config: { uploadDir: fs.dir } });
      const res = await t.admin.post('/lists/imports').field('kind', 'below_scale').field('year', '2025').attach('file', listFile(3)).expect(503);
      expect(html(res.text).querySelector('.error-message')!.text).to.contain('这不是文件的问题');
      expect(await t.db('import_batches').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(0);
      expectLogLine({ msg: /upload folder cannot be written/, level: 'error' });
      const line = expectLogLine({ msg: 'request failed', level: 'error' });
      expect(line.code).to.equal('FAULT_STORAGE');
      expect((line.err as { cause: { code: string } }).cause.code).to.equal('EROFS');
    });

    it('When the disk fills during a preview, then the batch ends as failed with the cause (not stuck in 预览中), the log has the real error, and a new preview works once space is back', async () => {
      fs = mountTmpfs(24);
      t = await createTestContext({ dir: fs.dir });
      const runner = t.app.locals.importRunner as ImportRunner;
      const res = await t.admin.post('/lists/imports').field('kind', 'below_scale').field('year', '2025').attach('file', listFile(4000)).expect(303);
      const id = Number(/(\d+)$/.exec(res.headers.location!)![1]);
      const page = html((await t.admin.get(`/lists/imports/${id}`)).text);
      const fields = Object.fromEntries(page.querySelectorAll('form.mapping-form select').map((s) => [s.getAttribute('name')!, s.querySelector('option[selected]')?.getAttribute('value') ?? '']));
      fields.version = page.querySelector('form.mapping-form input[name=version]')!.getAttribute('value')!;
      await t.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
      // Room for the mapping to be saved, not for the preview's 4,000 staged rows.
      fs.fill(256 * 1024);
      await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send(fields).expect(303);
      await runner.settled(id);
      const failedLine = expectLogLine({ msg: 'import job failed', level: 'error' });
      expect(failedLine.fault).to.equal('disk_full');
      expect(JSON.stringify(failedLine.err)).to.contain('SQLITE_FULL').and.not.contain('cannot rollback');
      // The disk is still full: the outcome is written as soon as space is back.
      fs.free();
      let batch = await t.db('import_batches').where({ id }).first();
      for (let i = 0; i < 50 && batch.status === 'previewing'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        batch = await t.db('import_batches').where({ id }).first();
      }
      expect(batch.status).to.equal('failed');
      expect(batch.error).to.contain('磁盘空间不足').and.contain('这不是文件的问题');
      const shown = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
      expect(shown.text).to.contain('磁盘空间不足');
      expect(logLines().some((l) => /cannot rollback/.test(JSON.stringify(l)))).to.equal(false);
    });
  });

  describe('Faults on SQLite: another process holds the write lock', () => {
    let t: TestContext;
    let firm: SeededFirm;
    beforeEach(async () => {
      t = await createTestContext({ file: true, dbOptions: { lockWaitMs: 1500 } });
      firm = await createFirm(t.db, { stage: 'candidate', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
      await t.admin.get('/board').expect(200);
    });
    afterEach(() => t.destroy());

    it('When the lock stays taken past the wait, then a move answers 503 "系统繁忙" with Retry-After, and the board and /healthz answer while the move waits', async () => {
      const lock = await holdWriteLock(sqliteFileOf(t.db)!);
      try {
        let moveDone = false;
        const pending = move(t, firm, 'incubating').then((r) => {
          moveDone = true;
          return r;
        });
        await new Promise((r) => setTimeout(r, 100));
        const board = await t.admin.get('/board').expect(200);
        expect(board.text).to.contain(firm.name);
        await t.anonymous().get('/healthz').expect(200);
        expect(moveDone, 'the board and /healthz were answered while the move still waited for the lock').to.equal(false);
        const res = await pending;
        expect(res.status).to.equal(503);
        expect(res.headers['retry-after']).to.equal('5');
        expect(html(res.text).querySelector('.alert-error')!.text).to.contain('系统繁忙');
      } finally {
        await lock.release();
      }
      await move(t, firm, 'incubating').expect(200);
    });

    it('When the lock is released while a move waits, then the move succeeds', async () => {
      const lock = await holdWriteLock(sqliteFileOf(t.db)!);
      const pending = move(t, firm, 'incubating');
      setTimeout(() => void lock.release(), 300);
      const res = await pending;
      expect(res.status).to.equal(200);
      expect((await t.db('firms').where({ id: firm.id }).first()).stage).to.equal('incubating');
    });
  });
}
