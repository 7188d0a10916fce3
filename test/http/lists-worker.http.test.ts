/**
 * Import jobs on a file database run in a worker thread with their own connection; a commit killed
 * halfway (process killed) leaves the database exactly as before and the batch visibly unfinished.
 */
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { locateDb } from '../../src/db/knex.js';
import { type ImportRunner, LEASE_EXPIRES_MS, recoverInterruptedImports } from '../../src/features/lists/import-runner.js';
import { transitionBatch } from '../../src/features/lists/imports.queries.js';
import { createFirm, validUscc } from '../helpers/factories.js';
import { writeCsv } from '../helpers/list-files.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';

describe('candidate lists: jobs in a worker, and a commit killed halfway', function () {
  this.timeout(60_000);
  let t: TestContext;
  let runner: ImportRunner;
  before(async function () {
    t = await createTestContext({ file: true });
    runner = t.app.locals.importRunner as ImportRunner;
  });
  after(() => t.destroy());

  async function previewed(rows: number): Promise<number> {
    const known = await createFirm(t.db, { stage: 'candidate', actorId: t.basics.users.admin.id });
    const data: (string | number)[][] = [['统一社会信用代码', '企业名称', '营业收入（万元）']];
    data.push([known.uscc, known.name, 100]);
    for (let i = 0; i < rows; i++) data.push([validUscc(700000 + i + rows * 10), `余姚市批量测试${i}科技有限公司`, 10 + i]);
    const res = await t.admin.post('/lists/imports').field('kind', 'below_scale').field('year', '2025').attach('file', writeCsv(data));
    const id = Number(/(\d+)$/.exec(res.headers.location!)![1]);
    const page = html((await t.admin.get(`/lists/imports/${id}`)).text);
    const fields = Object.fromEntries(page.querySelectorAll('form.mapping-form select').map((s) => [s.getAttribute('name')!, s.querySelector('option[selected]')?.getAttribute('value') ?? '']));
    fields.version = page.querySelector('form.mapping-form input[name=version]')!.getAttribute('value')!;
    await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send(fields).expect(303);
    await runner.settled(id);
    expect((await t.db('import_batches').where({ id }).first()).status).to.equal('previewed');
    return id;
  }

  it('runs the preview and the commit on a separate connection and shows progress while they run', async () => {
    expect(locateDb(t.db), 'this test needs a database other connections can reach').to.not.equal(null);
    const id = await previewed(3000);
    await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({}).expect(303);
    const progress = await t.admin.get(`/lists/imports/${id}/progress`).set('HX-Request', 'true').expect(200);
    expect(progress.text).to.satisfy((s: string) => s.includes('job-progress') || progress.headers['hx-refresh'] === 'true');
    await runner.settled(id);
    expect((await t.db('import_batches').where({ id }).first()).status).to.equal('committed');
    expect(await t.db('list_entries').where({ batch_id: id }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(3001);
    const done = await t.admin.get(`/lists/imports/${id}/progress`).set('HX-Request', 'true').expect(200);
    expect(done.headers['hx-refresh']).to.equal('true');
  });

  it('marks a job interrupted only when no live process holds it (PostgreSQL: its lease has stopped beating)', async () => {
    const id = await previewed(10);
    expect(await transitionBatch(t.db, id, ['previewed'], 'committing')).to.equal(true);
    const status = async () => ((await t.db('import_batches').where({ id }).first()) as { status: string }).status;
    if (t.dialect === 'postgres') {
      // Another process is committing it and beat its lease just now: not this process's to mark.
      await t.db('import_job_leases').insert({ batch_id: id, holder: 'other-host:4242:abcd', beat_at: new Date().toISOString() });
      expect(await recoverInterruptedImports(t.db)).to.equal(0);
      expect(await status()).to.equal('committing');
      // That process died: its lease stops beating and, once expired, the batch is marked.
      expect(await recoverInterruptedImports(t.db, Date.now() + LEASE_EXPIRES_MS + 1000)).to.equal(1);
      expect(await t.db('import_job_leases').where({ batch_id: id }).first()).to.equal(undefined);
    } else {
      // SQLite: one process per file, so at start-up no job of it runs anywhere.
      expect(await recoverInterruptedImports(t.db)).to.equal(1);
    }
    expect(await status()).to.equal('interrupted');
  });

  it('a running job holds a lease while it runs (PostgreSQL) and none after', async () => {
    const id = await previewed(3000);
    await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ mode: 'append' }).expect(303);
    const lease = await t.db('import_job_leases').where({ batch_id: id }).first();
    if (t.dialect === 'postgres') expect(lease, 'the lease is taken before the job starts').to.not.equal(undefined);
    else expect(lease).to.equal(undefined);
    await runner.settled(id);
    expect(await t.db('import_job_leases').where({ batch_id: id }).first()).to.equal(undefined);
  });

  // Killed inside the publishing transaction (the write lock held), or between two staging transactions.
  for (const phase of ['publish', 'stage'] as const) {
    it(`leaves no partial list when the committing process is killed ${phase === 'publish' ? 'inside the publishing transaction' : 'while staging entries'}, marks the batch interrupted, and commits cleanly afterwards`, async () => {
      const id = await previewed(2500);
      const count = async (table: string, where: Record<string, unknown> = {}) => t.db(table).where(where).count({ n: '*' }).first().then((r) => Number(r?.n));
      const before = { firms: await count('firms'), entries: await count('list_entries'), current: await count('list_entries', { is_current: true }), events: await count('stage_events') };
      expect(await transitionBatch(t.db, id, ['previewed'], 'committing')).to.equal(true);
      const location = JSON.stringify(locateDb(t.db));
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/commit-child.ts', location, String(id), JSON.stringify(t.basics.users.admin), phase], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('PAUSED') && resolve());
        child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
      if (phase === 'stage') expect(await count('list_entries', { batch_id: id, is_current: false }), 'entries were being staged').to.be.greaterThan(0);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));

      // Nothing counts: no firm, event or current entry more; staged entries are not current.
      expect({ firms: await count('firms'), current: await count('list_entries', { is_current: true }), events: await count('stage_events') }).to.deep.equal({
        firms: before.firms,
        current: before.current,
        events: before.events,
      });
      expect((await t.db('import_batches').where({ id }).first()).status).to.equal('committing');
      if (t.dialect === 'sqlite') expect((await t.db.raw('PRAGMA integrity_check'))[0].integrity_check).to.equal('ok');
      // The firm page's list history does not show what was being staged.
      const firm = (await t.db('import_rows').where({ batch_id: id, status: 'match' }).first('firm_id')) as { firm_id: number };
      const uscc = ((await t.db('firms').where({ id: firm.firm_id }).first('uscc')) as { uscc: string }).uscc;
      expect((await t.admin.get(`/firms/${uscc}`).expect(200)).text).to.not.include(`/lists/imports/${id}"`);

      await recoverInterruptedImports(t.db);
      expect(await count('list_entries'), 'the staged entries are gone').to.equal(before.entries);
      const page = (await t.admin.get(`/lists/imports/${id}`).expect(200)).text;
      expect(page).to.include('提交中断').and.include('没有任何改动').and.include('重新提交');

      // The earlier test's list of the same kind and year is committed: this commit replaces it.
      await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({ mode: 'replace' }).expect(303);
      await runner.settled(id);
      expect((await t.db('import_batches').where({ id }).first()).status).to.equal('committed');
      expect(await count('list_entries', { batch_id: id })).to.equal(2501);
      expect(await count('list_entries', { batch_id: id, is_current: true })).to.equal(2501);
    });
  }

  it('stops a preview that outgrows its memory limit with a clear message, and stages nothing', async () => {
    const known = await createFirm(t.db, { stage: 'candidate', actorId: t.basics.users.admin.id });
    const res = await t.admin.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', writeCsv([['统一社会信用代码', '企业名称'], [known.uscc, known.name]]));
    const id = Number(/(\d+)$/.exec(res.headers.location!)![1]);
    expect(await transitionBatch(t.db, id, ['uploaded'], 'previewing')).to.equal(true);
    // A limit far too small for any job: the worker runs out of heap loading its modules. Not
    // smaller: under 4 MiB Node 22 cannot even start the worker's isolate and aborts the whole
    // process ("GC during deserialization") instead of stopping the worker.
    await runner.start('preview', id, { actor: t.basics.users.admin, ip: null, filePath: '/nonexistent' }, { heapLimitMiB: 8 });
    const batch = await t.db('import_batches').where({ id }).first();
    expect(batch).to.include({ status: 'failed' });
    expect(batch.error).to.include('超出了内存上限').and.include('拆成几份');
    expect(await t.db('import_rows').where({ batch_id: id }).first()).to.equal(undefined);
    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    expect(page.text).to.include('超出了内存上限');
  });
});
