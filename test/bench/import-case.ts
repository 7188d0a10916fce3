/**
 * Child process of the import benchmark: `import-case.ts <spec.json>` runs ONE stage of a list
 * import, so that its peak memory (maxRSS) belongs to that stage alone, and answers an ImportCaseResult
 * over IPC (or prints it as JSON when started without IPC).
 *
 *  parse     openTable(file) and iterate its rows: the streaming readers alone, no database.
 *  validate  the same plus readRow() through the suggested mapping (what the preview does per row
 *            before it asks the database anything).
 *  prepare   (untimed) the batch row in `dbFile` as the upload and the mapping confirmation leave
 *            it: mapping = the app's suggestion for the headers, source_info from openTable, status
 *            'previewing'. A child of its own, so that the preview child never opens the file before
 *            its stage (the web process does that in the app, not the import worker).
 *  preview   runPreview() on `dbFile`: `via: 'worker'` through ImportRunner, i.e. in a worker thread
 *            with its own connection exactly as the app runs it (the process then holds a main
 *            thread with knex and the app's modules, like the web process, plus the worker);
 *            `via: 'direct'` called in this thread with every statement timed (the breakdown).
 *  commit    runCommit() (the same two ways) for a batch that a preview child left 'previewed' (set
 *            to 'committing' first, untimed, as ImportService.commit does), then consistency checks
 *            (untimed).
 *
 * Direct stages: every statement that knex sends to better-sqlite3 is timed (prepare + run/all),
 * grouped by verb and table; wall time minus that is JavaScript (parsing, validation, JSON, knex's
 * query building) plus waiting for the file.
 */
import fs from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { Actor } from '../../src/domain/actor.js';
import { createDb } from '../../src/db/knex.js';
import { nowIso } from '../../src/lib/dates.js';
import { runCommit, runPreview, type CommitResult, type JobContext, type PreviewCounts } from '../../src/features/lists/import-job.js';
import { type ColumnMapping, rawByHeader, readRow } from '../../src/features/lists/import-rows.js';
import { previewHeapLimitMiB } from '../../src/features/lists/import-runner.js';
import { createImportRunner, importSteps } from '../../src/jobs/import-steps.js';
import { describeSource } from '../../src/features/lists/imports.service.js';
import { findBatch, insertBatch, transitionBatch } from '../../src/features/lists/imports.queries.js';
import { checkMapping, openTable, suggestMapping } from '../../src/features/lists/parsing/index.js';
import { type ProfileSummary, startProfile } from './profile.js';
import { mainTable, withConnection } from './sql-tools.js';

export type CaseMode = 'parse' | 'validate' | 'prepare' | 'preview' | 'commit';

export interface ImportCaseSpec {
  mode: CaseMode;
  file: string;
  kind: 'rd_deduction';
  year: number;
  /** preview / commit */
  dbFile?: string;
  /** preview / commit: the batch the prepare child made */
  batchId?: number;
  /**
   * preview / commit: `direct` calls runPreview / runCommit in this thread, with every statement
   * timed; `worker` runs them as the app does, through ImportRunner (a worker thread with its own
   * connection, tsx registered in it when running from sources), timed only as a whole.
   */
  via?: 'direct' | 'worker';
  /** Profile the stage (this thread only) with the V8 CPU profiler. */
  profile?: boolean;
}

export interface SqlPart {
  label: string;
  ms: number;
  statements: number;
  /** Rows written (run) or read (all/get). */
  rows: number;
}

export interface ImportCaseResult {
  ok: boolean;
  error?: string;
  mode: CaseMode;
  seconds: number;
  /** Data rows read (parse / validate / preview) or staged rows committed (commit). */
  rows: number;
  rssStart: number;
  /** process.resourceUsage().maxRSS at the end, in bytes (the child's high-water mark). */
  maxRss: number;
  /** Peaks of process.memoryUsage() sampled every 25 ms, at every progress call and after every statement. */
  mem: { rss: number; heapUsed: number; heapTotal: number; external: number };
  sql: SqlPart[];
  sqlMs: number;
  batchId?: number;
  preview?: PreviewCounts;
  commit?: CommitResult & { firmsNew: number; firmsAfter: number; entriesInDb: number; stageCountsTotal: number };
  invalidRows?: number;
  profile?: ProfileSummary;
}

const spec = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as ImportCaseSpec;

// ───────────────────────────── SQL timing at the better-sqlite3 connection

const parts = new Map<string, SqlPart>();
function add(label: string, ms: number, rows: number, statement: boolean): void {
  let p = parts.get(label);
  if (!p) parts.set(label, (p = { label, ms: 0, statements: 0, rows: 0 }));
  p.ms += ms;
  p.rows += rows;
  if (statement) p.statements++;
}

function labelOf(sql: string): string {
  // Only the head: a 400-row INSERT is tens of KB, and copying it per statement would itself
  // inflate the heap that this child measures.
  const t = mainTable(sql.slice(0, 400)).replace(/;$/, '');
  return /^(INSERT|UPDATE|DELETE|REPLACE|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i.test(t) ? t : `SELECT ${t}`;
}

/**
 * Times prepare on the connection and run/all/get on the Statement prototype (patched once). Not
 * per statement: wrapping every Statement object in closures was measured to change the very
 * thing measured here (maxRSS of a 100k-row commit 285 → 405 MiB: the statements, and the native
 * memory SQLite holds for each until V8 finalises it, lived longer).
 */
function instrument(conn: BetterSqlite3.Database): void {
  const prepare = conn.prepare.bind(conn);
  let patched = false;
  (conn as { prepare: unknown }).prepare = (sql: string) => {
    const t0 = performance.now();
    const stmt = prepare(sql);
    add(labelOf(sql), performance.now() - t0, 0, false);
    if (!patched) {
      patched = true;
      const proto = Object.getPrototypeOf(stmt) as Record<'run' | 'all' | 'get', (this: BetterSqlite3.Statement, ...a: unknown[]) => unknown>;
      for (const m of ['run', 'all', 'get'] as const) {
        const orig = proto[m]!;
        // Named: its self time in a CPU profile is SQLite's work (profile.ts labels it so).
        proto[m] = function sqliteExecute(this: BetterSqlite3.Statement, ...args: unknown[]) {
          const t1 = performance.now();
          const out = orig.apply(this, args);
          const rows = m === 'run' ? Number((out as { changes?: number }).changes ?? 0) : m === 'all' ? (out as unknown[]).length : out ? 1 : 0;
          add(labelOf(this.source), performance.now() - t1, rows, true);
          sampleMem();
          return out;
        };
      }
    }
    return stmt;
  };
}

// ───────────────────────────── helpers

const memPeak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 };
function sampleMem(): void {
  const m = process.memoryUsage();
  memPeak.rss = Math.max(memPeak.rss, m.rss);
  memPeak.heapUsed = Math.max(memPeak.heapUsed, m.heapUsed);
  memPeak.heapTotal = Math.max(memPeak.heapTotal, m.heapTotal);
  memPeak.external = Math.max(memPeak.external, m.external + m.arrayBuffers);
}
const memTimer = setInterval(sampleMem, 25);

/** Start a stage from a collected heap (the app's worker starts fresh; the untimed set-up left garbage). */
function startStage(): number {
  (globalThis as { gc?: () => void }).gc?.();
  for (const k of Object.keys(memPeak) as (keyof typeof memPeak)[]) memPeak[k] = 0;
  sampleMem();
  return process.memoryUsage().rss;
}

async function suggested(file: string, kind: ImportCaseSpec['kind']) {
  const table = await openTable(file);
  await table.close();
  const header = table.header;
  const suggestion = suggestMapping(header.columns, kind, { defaultUnit: header.tableUnit });
  const mapping: ColumnMapping = suggestion.byColumn.map((m) => (m ? { field: m.field, unit: m.unit } : null));
  const check = checkMapping(mapping.map((m) => m?.field ?? null), kind, header.columns);
  if (!check.ok) throw new Error(`the suggested mapping is not accepted: ${check.messages.join(' ')}`);
  return { table, mapping };
}

async function adminActor(db: Knex): Promise<Actor> {
  const u = (await db('users').where({ role: 'admin', is_active: true }).orderBy('id').first('id', 'username', 'display_name')) as { id: number; username: string; display_name: string } | undefined;
  if (!u) throw new Error('no active admin user in the database');
  return { id: u.id, username: u.username, displayName: u.display_name, role: 'admin', parkIds: null };
}

function throttled(): (phase: string, n: number) => void {
  // What the worker does with progress: post at most every 250 ms. The timer above cannot sample
  // memory while a stage runs synchronous code, so it is sampled here too (once per chunk).
  let last = 0;
  return () => {
    sampleMem();
    if (Date.now() - last > 250) last = Date.now();
  };
}

async function count(db: Knex, sql: string, bindings: unknown[] = []): Promise<number> {
  const rows = (await db.raw(sql, bindings as Knex.RawBinding[])) as { n: number | null }[];
  return Number(rows[0]?.n ?? 0);
}

// ───────────────────────────── the stages

async function run(): Promise<ImportCaseResult> {
  const base = { ok: true, mode: spec.mode, sql: [] as SqlPart[], sqlMs: 0 };
  if (spec.mode === 'parse' || spec.mode === 'validate') {
    const mapping = spec.mode === 'validate' ? (await suggested(spec.file, spec.kind)).mapping : null;
    const rssStart = startStage();
    const stopProfile = spec.profile ? await startProfile() : null;
    const t0 = performance.now();
    const table = await openTable(spec.file);
    const headers = table.header.columns;
    let rows = 0;
    let invalid = 0;
    for await (const row of table.rows) {
      rows++;
      if (mapping) {
        rawByHeader(row, headers);
        if (!readRow(row, mapping, spec.year).ok) invalid++;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const profile = stopProfile ? await stopProfile() : undefined;
    return { ...base, seconds, rows, rssStart, maxRss: 0, mem: { ...memPeak }, ...(mapping ? { invalidRows: invalid } : {}), ...(profile ? { profile } : {}) };
  }

  const db = createDb(`sqlite:${spec.dbFile}`);
  try {
    // The worker opens a connection of its own: there is nothing to time on this one.
    if (spec.via !== 'worker') await withConnection(db, async (conn) => instrument(conn));
    const actor = await adminActor(db);
    const ctx: JobContext = { actor, ip: '127.0.0.1', filePath: spec.file };

    if (spec.mode === 'prepare') {
      const { table, mapping } = await suggested(spec.file, spec.kind);
      const source = table.source;
      const stat = fs.statSync(spec.file);
      const batchId = await insertBatch(db, {
        kind: spec.kind,
        year: spec.year,
        fileName: spec.file.split('/').pop()!,
        fileHash: `bench-${process.pid}-${Date.now()}`,
        fileSize: stat.size,
        fileType: source.kind,
        createdBy: actor.id,
        at: nowIso(),
      });
      const sourceInfo = { ...describeSource(table), rememberedMapping: false };
      await db('import_batches').where({ id: batchId }).update({ mapping: JSON.stringify(mapping), source_info: JSON.stringify(sourceInfo) });
      if (!(await transitionBatch(db, batchId, ['uploaded'], 'previewing', { error: null }))) throw new Error('could not start the preview');
      return { ...base, seconds: 0, rows: 0, rssStart: 0, maxRss: 0, mem: { ...memPeak }, batchId };
    }

    if (spec.mode === 'preview') {
      const batchId = spec.batchId!;
      const batch = await findBatch(db, batchId);
      if (!batch || batch.status !== 'previewing') throw new Error(`batch ${batchId} is ${batch?.status ?? 'missing'}, not previewing`);
      parts.clear();
      const rssStart = startStage();
      const stopProfile = spec.profile ? await startProfile() : null;
      const t0 = performance.now();
      let counts: PreviewCounts;
      if (spec.via === 'worker') {
        // With the heap limit the app gives this file (ImportService.confirmMapping).
        await createImportRunner(db).start('preview', batchId, ctx, { heapLimitMiB: previewHeapLimitMiB(batch.fileType, batch.sourceInfo) });
        const b = await findBatch(db, batchId);
        if (b?.status !== 'previewed') throw new Error(`the preview ended ${b?.status}: ${b?.error}`);
        counts = { total: b.rowsTotal ?? 0, matched: b.rowsMatched ?? 0, nameMatched: b.rowsNameMatched ?? 0, created: b.rowsNew ?? 0, rejected: b.rowsRejected ?? 0, flagged: b.rowsFlagged ?? 0 };
      } else {
        counts = await runPreview(db, batchId, ctx, importSteps(), throttled());
      }
      const seconds = (performance.now() - t0) / 1000;
      const profile = stopProfile ? await stopProfile() : undefined;
      const sql = [...parts.values()].sort((a, b) => b.ms - a.ms);
      return { ...base, seconds, rows: counts.total, rssStart, maxRss: 0, mem: { ...memPeak }, sql, sqlMs: sql.reduce((a, p) => a + p.ms, 0), batchId, preview: counts, ...(profile ? { profile } : {}) };
    }

    // commit
    const batchId = spec.batchId!;
    const batch = await findBatch(db, batchId);
    if (!batch || batch.status !== 'previewed') throw new Error(`batch ${batchId} is ${batch?.status ?? 'missing'}, not previewed`);
    // max(id), not count(*): a full scan here would warm SQLite's cache for the stage.
    const maxIdBefore = await count(db, 'SELECT max(id) AS n FROM firms');
    if (!(await transitionBatch(db, batchId, ['previewed'], 'committing', { error: null }))) throw new Error('could not start the commit');
    parts.clear();
    const rssStart = startStage();
    const stopProfile = spec.profile ? await startProfile() : null;
    const t0 = performance.now();
    let result: CommitResult | null = null;
    if (spec.via === 'worker') {
      await createImportRunner(db).start('commit', batchId, ctx);
    } else {
      result = await runCommit(db, batchId, ctx, importSteps(), throttled());
    }
    const seconds = (performance.now() - t0) / 1000;
    const mem = { ...memPeak };
    const profile = stopProfile ? await stopProfile() : undefined;
    const sql = [...parts.values()].sort((a, b) => b.ms - a.ms);
    const staged = (batch.rowsMatched ?? 0) + (batch.rowsNameMatched ?? 0) + (batch.rowsNew ?? 0);
    const firmsAfter = await count(db, 'SELECT count(*) AS n FROM firms');
    const firmsNew = await count(db, 'SELECT count(*) AS n FROM firms WHERE id > ?', [maxIdBefore]);
    const entriesInDb = await count(db, 'SELECT count(*) AS n FROM list_entries WHERE batch_id = ? AND is_current = 1', [batchId]);
    if (!result) {
      // The worker's result is not handed back (the app reads the batch): the same figures from the database.
      const b = await findBatch(db, batchId);
      if (b?.status !== 'committed') throw new Error(`the commit ended ${b?.status}: ${b?.error}`);
      const superseded = (await db('import_batches').where({ superseded_by: batchId }).pluck('id')) as number[];
      result = { entries: entriesInDb, createdFirms: firmsNew, superseded };
    }
    const stageCountsTotal = await count(db, 'SELECT sum(n) AS n FROM stage_counts');
    return {
      ...base,
      seconds,
      rows: staged,
      rssStart,
      maxRss: 0,
      mem,
      sql,
      sqlMs: sql.reduce((a, p) => a + p.ms, 0),
      batchId,
      commit: { ...result, firmsNew, firmsAfter, entriesInDb, stageCountsTotal },
      ...(profile ? { profile } : {}),
    };
  } finally {
    await db.destroy();
  }
}

let result: ImportCaseResult;
try {
  result = await run();
} catch (err) {
  result = { ok: false, error: (err as Error).stack ?? String(err), mode: spec.mode, seconds: NaN, rows: 0, rssStart: 0, maxRss: 0, mem: memPeak, sql: [], sqlMs: 0 };
}
clearInterval(memTimer);
result.maxRss = process.resourceUsage().maxRSS * 1024;
if (process.send) process.send(result, () => process.exit(0));
else {
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
