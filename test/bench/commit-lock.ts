/**
 * The `commit` case of the benchmark (issue 8 item 5, issue 13 item 5): a list commit as the app
 * runs it (ImportRunner: a worker thread with its own connection), on a fresh database of its own
 * (half the rows registered firms, half new codes):
 *   - on SQLite, while a 100,000-row commit runs, this process makes a write every 20 ms (a stage
 *     move's shape: a firm updated and a stage event inserted, in one short transaction) and times
 *     how long each waited: target p95 < 200 ms;
 *   - a 50,000-row commit on SQLite and on PostgreSQL (when BENCH_PG_URL or DATABASE_URL names one),
 *     median of BENCH_COMMIT_RUNS runs of each (default 1), interleaved: target PostgreSQL ≤ 2× SQLite.
 * Standalone: `npx tsx test/bench/commit-lock.ts [--rows 100000] [--pg-rows 50000]`; also
 * `npm run bench -- --only commit`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Knex } from 'knex';
import { runPreview } from '../../src/features/lists/import-job.js';
import { createImportRunner, importSteps } from '../../src/jobs/import-steps.js';
import { findBatch, insertBatch, transitionBatch } from '../../src/features/lists/imports.queries.js';
import { insertChunked } from '../../src/db/insert-chunked.js';
import { normalizeFirmName } from '../../src/domain/firm-name.js';
import { seedBasics, validUscc } from '../helpers/factories.js';
import { type TestDb, createPgSchemaDb, createSqliteFileDb } from '../helpers/test-db.js';
import { writeCsv, type Cell } from '../helpers/list-files.js';
import { type Report, atMost, int, ms, summarize } from './stats.js';

export const CT = {
  writeWait: atMost(200, '< 200 ms p95 (issue 8 §5)'),
  pgRatio: atMost(2, '≤ 2× SQLite (issue 13 §5)'),
};

type Fixture = TestDb;

async function fixture(pgUrl: string | null): Promise<Fixture> {
  // Real commits on PostgreSQL (no asyncCommit): the figure is the commit's own time.
  return pgUrl ? createPgSchemaDb(pgUrl, { prefix: 'bench_' }) : createSqliteFileDb();
}

/** A previewed batch of `rows` rows: half registered firms (inserted here), half new codes. */
async function previewedBatch(db: Knex, rows: number): Promise<{ batchId: number; firmIds: number[]; actor: Awaited<ReturnType<typeof seedBasics>>['users']['admin'] }> {
  const basics = await seedBasics(db);
  const at = new Date().toISOString();
  const known = Math.floor(rows / 2);
  const firms = Array.from({ length: known }, (_, i) => ({ uscc: validUscc(3_000_000 + i), name: `余姚市基准${i}科技有限公司` }));
  await db.transaction((trx) =>
    insertChunked(trx, 'firms', firms, (f) => ({ uscc: f.uscc, name: f.name, name_norm: normalizeFirmName(f.name), park_id: basics.parks.a, stage: 'candidate', version: 1, created_at: at, updated_at: at })),
  );
  const data: Cell[][] = [['统一社会信用代码', '企业名称', '所在园区', '加计扣除额（万元）']];
  for (let i = 0; i < rows; i++) {
    const n = i < known ? 3_000_000 + i : 4_000_000 + i;
    data.push([validUscc(n), `余姚市基准${i < known ? i : `新${i}`}科技有限公司`, '余姚经济开发区', String(10 + (i % 500))]);
  }
  const file = writeCsv(data, { encoding: 'gbk' });
  const year = new Date().getFullYear() - 1;
  const batchId = await insertBatch(db, { kind: 'rd_deduction', year, fileName: 'bench.csv', fileHash: crypto.randomBytes(16).toString('hex'), fileSize: fs.statSync(file).size, fileType: 'csv', createdBy: basics.users.admin.id, at });
  const mapping = [{ field: 'uscc', unit: null }, { field: 'name', unit: null }, { field: 'park', unit: null }, { field: 'rd_deduction', unit: 'wan' }];
  await db('import_batches').where({ id: batchId }).update({ mapping: JSON.stringify(mapping), source_info: JSON.stringify({ columns: data[0] }), status: 'previewing' });
  await runPreview(db, batchId, { actor: basics.users.admin, ip: null, filePath: file }, importSteps());
  fs.rmSync(file, { force: true });
  const ids = ((await db('firms').select('id').limit(2000)) as { id: number }[]).map((r) => r.id);
  return { batchId, firmIds: ids, actor: basics.users.admin };
}

/** Commit through the runner (worker thread), optionally making a stage-move-shaped write every 20 ms meanwhile; returns seconds and write waits. */
async function commitOnce(db: Knex, rows: number, withWrites: boolean): Promise<{ seconds: number; waits: number[]; failed: number; firstError: string; entries: number }> {
  const { batchId, firmIds, actor } = await previewedBatch(db, rows);
  if (!(await transitionBatch(db, batchId, ['previewed'], 'committing'))) throw new Error('batch not previewed');
  const runner = createImportRunner(db);
  const waits: number[] = [];
  let failed = 0;
  let firstError = '';
  let running = true;
  const t0 = performance.now();
  const job = runner.start('commit', batchId, { actor, ip: null, filePath: '' }).finally(() => (running = false));
  const writer = (async () => {
    if (!withWrites) return;
    let i = 0;
    while (running) {
      const firmId = firmIds[i++ % firmIds.length]!;
      const w0 = performance.now();
      try {
        await db.transaction(async (trx) => {
          const at = new Date().toISOString();
          // A move: the stage changes (the counters' triggers run), the version is bumped.
          await trx('firms').where({ id: firmId }).update({ stage: trx.raw("CASE WHEN stage = 'candidate' THEN 'incubating' ELSE 'candidate' END"), version: trx.raw('version + 1'), updated_at: at });
          await trx('audit_log').insert({ at, actor_id: actor.id, action: 'bench.write', object_type: 'firm', object_id: String(firmId) });
        });
        if (running) waits.push(performance.now() - w0);
      } catch (err) {
        failed++;
        firstError ||= `${(err as { code?: string }).code ?? ''} ${(err as Error).message}`.slice(0, 80);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await job;
  const seconds = (performance.now() - t0) / 1000;
  await writer;
  const b = await findBatch(db, batchId);
  if (b?.status !== 'committed') throw new Error(`the commit ended ${b?.status}: ${b?.error}`);
  const entries = Number(((await db('list_entries').where({ batch_id: batchId }).count({ n: '*' }).first()) as { n: number | string }).n);
  return { seconds, waits, failed, firstError, entries };
}

/** Where a commit's time goes (called directly, phases timed by its progress calls): for investigation. */
export async function benchPhases(rows: number): Promise<void> {
  const f = await fixture(null);
  try {
    const { batchId, actor } = await previewedBatch(f.db, rows);
    await transitionBatch(f.db, batchId, ['previewed'], 'committing');
    const { runCommit } = await import('../../src/features/lists/import-job.js');
    const t0 = performance.now();
    const marks: Record<string, number> = {};
    await runCommit(f.db, batchId, { actor, ip: null, filePath: '' }, importSteps(), (phase) => {
      marks[phase] = performance.now() - t0;
    });
    console.log({ ...marks, done: performance.now() - t0 });
  } finally {
    await f.destroy();
  }
}

export async function benchCommits(o: { report: Report; section: string; rows: number; pgRows: number; pgUrl: string | null; runs: number; metrics?: Record<string, number> }): Promise<void> {
  const { report, section: sec } = o;
  // 1. Write waits during a large commit (SQLite: one writer at a time).
  {
    console.log(`    commit: ${int(o.rows)} rows on SQLite with writes alongside …`);
    const f = await fixture(null);
    try {
      const r = await commitOnce(f.db, o.rows, true);
      const s = summarize(r.waits);
      report.add(sec, `a write (stage-move shape) while a ${int(o.rows)}-row commit runs, SQLite`, `p95 ${ms(s.p95)}`, `p50 ${ms(s.p50)} · max ${ms(s.max)} · ${int(r.waits.length)} writes, ${r.failed} failed${r.firstError ? ` (${r.firstError})` : ''} · the commit took ${r.seconds.toFixed(1)} s (${int(r.entries)} entries)`, CT.writeWait, s.p95);
      if (o.metrics) Object.assign(o.metrics, { 'commit.writeWait.p95': s.p95, 'commit.writeWait.max': s.max, 'commit.sqlite.bigSeconds': r.seconds });
    } catch (err) {
      report.error(sec, 'write waits during a commit', (err as Error).message);
    } finally {
      await f.destroy();
    }
  }
  // 2. The same commit on SQLite and PostgreSQL, the runs interleaved (SQLite, PostgreSQL, SQLite, …):
  // on a shared machine the load drifts, and all of one then all of the other put that drift into
  // the ratio.
  const trial = async (pgUrl: string | null) => {
    const f = await fixture(pgUrl);
    try {
      return (await commitOnce(f.db, o.pgRows, false)).seconds;
    } finally {
      await f.destroy();
    }
  };
  const median = (times: number[]) => summarize(times.map((s) => s * 1000)).p50 / 1000;
  const sqliteTimes: number[] = [];
  const pgTimes: number[] = [];
  let sqliteError: Error | null = null;
  let pgError: Error | null = null;
  for (let i = 0; i < o.runs; i++) {
    if (!sqliteError) {
      console.log(`    commit: ${int(o.pgRows)} rows on SQLite${o.runs > 1 ? ` (${i + 1} of ${o.runs})` : ''} …`);
      try {
        sqliteTimes.push(await trial(null));
      } catch (err) {
        sqliteError = err as Error;
      }
    }
    if (o.pgUrl && !pgError) {
      console.log(`    commit: ${int(o.pgRows)} rows on PostgreSQL${o.runs > 1 ? ` (${i + 1} of ${o.runs})` : ''} …`);
      try {
        pgTimes.push(await trial(o.pgUrl));
      } catch (err) {
        pgError = err as Error;
      }
    }
  }
  const sqlite = sqliteError ? null : median(sqliteTimes);
  if (sqliteError) report.error(sec, `a ${int(o.pgRows)}-row commit, SQLite`, sqliteError.message);
  else report.add(sec, `a ${int(o.pgRows)}-row commit, SQLite`, ms(sqlite! * 1000), `median of ${o.runs}`);
  if (!o.pgUrl) {
    report.add(sec, `a ${int(o.pgRows)}-row commit, PostgreSQL`, 'skipped', 'set BENCH_PG_URL (or DATABASE_URL=postgres://…) to measure it');
    return;
  }
  if (pgError) {
    report.error(sec, `a ${int(o.pgRows)}-row commit, PostgreSQL`, pgError.message);
    return;
  }
  const pg = median(pgTimes);
  const ratio = sqlite ? pg / sqlite : NaN;
  report.add(sec, `a ${int(o.pgRows)}-row commit, PostgreSQL`, ms(pg * 1000), `median of ${o.runs}${o.runs > 1 ? ', interleaved with SQLite’s' : ''} · ${ratio.toFixed(2)}× SQLite`, CT.pgRatio, ratio);
  if (o.metrics) Object.assign(o.metrics, { 'commit.pg.seconds': pg, 'commit.sqlite.seconds': sqlite ?? NaN });
}

// Standalone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { Report } = await import('./stats.js');
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const report = new Report();
  const pgUrl = process.env.BENCH_PG_URL ?? (process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : null);
  await benchCommits({ report, section: 'List commit: write lock and PostgreSQL', rows: Number(arg('rows') ?? 100_000), pgRows: Number(arg('pg-rows') ?? 50_000), pgUrl, runs: Number(process.env.BENCH_COMMIT_RUNS ?? 1) });
  report.print();
}
