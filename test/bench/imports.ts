/**
 * The `imports` section of the benchmark: a 100,000-row R&D-deduction list, as a GBK CSV and as an
 * XLSX (import-gen.ts, cached under BENCH_DIR/imports/ next to the database it was drawn from), read,
 * previewed and committed the way the import worker does it (import-case.ts).
 *
 * Every stage runs in a child process of its own, so its peak RSS (maxRSS, plus VmRSS/RssAnon
 * sampled from /proc every 50 ms by this process) is that stage's alone; each file is imported into
 * a fresh copy of the database (checkpointed, copied, fsynced), the preview and then the commit on
 * the same copy, as in the app. Cases:
 *   parse only (openTable → rows) and parse + readRow, CSV and XLSX, no database;
 *   CSV and XLSX into the benchmark database (N firms: ~half the rows are its firms);
 *   CSV and XLSX into an empty database (migrated, demo parks and users, no firms: every code is new).
 * Each import runs twice, on two fresh copies: through ImportRunner (a worker thread with its own
 * connection, as the app runs it: these figures get the verdicts; the process also holds a main
 * thread with knex and the app's modules, as the web process does), and called directly in the
 * child's main thread with every statement timed (the breakdown printed after the tables).
 * Targets: the issue (preview and commit of 100k rows < 10 s each, peak RSS < 400 MB) and perf.md §6
 * "Import" (GBK CSV < 20 s into an empty DB and < 30 s into a 1M DB, XLSX < 25 s into an empty DB,
 * maxRSS < 512 MiB, parse alone CSV ≤ 2 s and XLSX ≤ 9 s).
 */
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { todayInShanghai, yearOf } from '../../src/lib/dates.js';
import { BENCH_DIR } from './dataset.js';
import type { GenMeta, GenSpec } from './import-gen.js';
import type { ImportCaseResult, ImportCaseSpec } from './import-case.js';
import type { ProfileSummary } from './profile.js';
import { type Report, type Target, atMost, int, mib, ms } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const IMPORT_DIR = path.join(BENCH_DIR, 'imports');
const KIND = 'rd_deduction' as const;
const MB = 1_000_000;

/** The issue's targets and perf.md §6 "Import" (times in ms, memory in bytes). */
export const IT = {
  stage: atMost(10_000, '< 10 s (issue)'),
  rss: atMost(400 * MB, '< 400 MB (issue; §6: < 512 MiB)'),
  parseCsv: atMost(2_000, '≤ 2 s (§6 imp. 2)'),
  parseXlsx: atMost(9_000, '≤ 9 s (§6 imp. 2)'),
  csvEmpty: atMost(20_000, '< 20 s (§6 imp. 1, empty DB)'),
  csvBig: atMost(30_000, '< 30 s (§6 imp. 1, 1M DB)'),
  xlsxEmpty: atMost(25_000, '< 25 s (§6 imp. 2, empty DB)'),
};

export interface ImportBenchOptions {
  firms: number;
  /** The benchmark database (its file is copied, never written). */
  dbFile: string;
  /** The open handle on it: used only to checkpoint the WAL before copying and to read the list years. */
  db: Knex;
  /** When the database was built: the cached files are redrawn from a rebuilt database. */
  dbBuiltAt: string;
  seed: number;
  rows: number;
  profile: boolean;
  report: Report;
  metrics: Record<string, number>;
  section: string;
}

interface Peak {
  rss: number;
  anon: number;
  hwm: number;
}

interface Ran {
  result: ImportCaseResult;
  peak: Peak;
  wallSeconds: number;
}

// ───────────────────────────────────────────────────────────── children

function readStatus(pid: number): Peak | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

let caseNo = 0;

/** Run one import-case.ts child; sample its memory from /proc while it runs. */
function runCase(spec: ImportCaseSpec, profile: boolean, timeoutMs = 600_000): Promise<Ran> {
  const n = ++caseNo;
  const specFile = path.join(IMPORT_DIR, `case-${process.pid}-${n}.json`);
  fs.writeFileSync(specFile, JSON.stringify({ ...spec, profile }));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // fork() would pass on process.execArgv (tsx's loader) by itself; given explicitly to add to it.
    const child = fork(path.join(HERE, 'import-case.ts'), [specFile], {
      // --expose-gc: the child collects the garbage of its untimed set-up before the stage starts.
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    });
    const peak: Peak = { rss: 0, anon: 0, hwm: 0 };
    const sample = () => {
      const s = child.pid ? readStatus(child.pid) : null;
      if (!s) return;
      peak.rss = Math.max(peak.rss, s.rss);
      peak.anon = Math.max(peak.anon, s.anon);
      peak.hwm = Math.max(peak.hwm, s.hwm);
    };
    const timer = setInterval(sample, 50);
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let result: ImportCaseResult | null = null;
    child.on('message', (msg: ImportCaseResult) => {
      sample();
      result = msg;
    });
    child.on('error', (err) => {
      clearInterval(timer);
      clearTimeout(killer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      clearTimeout(killer);
      fs.rmSync(specFile, { force: true });
      const wallSeconds = (performance.now() - started) / 1000;
      if (!result) reject(new Error(`import child (${spec.mode}) exited with ${signal ?? code} without a result`));
      else resolve({ result, peak, wallSeconds });
    });
  });
}

/** The child's high-water mark: its maxRSS, or what the sampler saw if that is higher. */
function peakOf(r: Ran): number {
  return Math.max(r.result.maxRss, r.peak.hwm, r.peak.rss);
}

// ───────────────────────────────────────────────────────────── files and databases

function fileDigest(file: string): string {
  return crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex').slice(0, 10);
}

interface ListFiles {
  csv: string;
  xlsx: string;
  meta: GenMeta;
  generated: boolean;
}

/** The list files drawn from the benchmark database; reused while the database and the generator are the same. */
async function ensureListFiles(o: ImportBenchOptions, year: number): Promise<ListFiles> {
  const stem = path.join(IMPORT_DIR, `list-${o.firms}-${o.rows}`);
  const csv = `${stem}.gbk.csv`;
  const xlsx = `${stem}.xlsx`;
  const metaFile = `${stem}.json`;
  const key = { dbBuiltAt: o.dbBuiltAt, seed: o.seed, year, generator: fileDigest(path.join(HERE, 'import-gen.ts')) };
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as GenMeta & { key?: typeof key };
    if (JSON.stringify(meta.key) === JSON.stringify(key) && fs.existsSync(csv) && fs.existsSync(xlsx)) return { csv, xlsx, meta, generated: false };
  } catch {
    /* generate */
  }
  console.log(`    generating the ${int(o.rows)}-row list (GBK CSV and XLSX) from ${path.basename(o.dbFile)} …`);
  const spec: GenSpec = { dbFile: o.dbFile, rows: o.rows, year, seed: o.seed, csvFile: csv, xlsxFile: xlsx, metaFile };
  const specFile = `${stem}.spec.json`;
  fs.writeFileSync(specFile, JSON.stringify(spec));
  await new Promise<void>((resolve, reject) => {
    const child = fork(path.join(HERE, 'import-gen.ts'), [specFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`import-gen.ts failed (exit ${code})`))));
  });
  fs.rmSync(specFile, { force: true });
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as GenMeta;
  fs.writeFileSync(metaFile, JSON.stringify({ ...meta, key }, null, 2));
  return { csv, xlsx, meta, generated: true };
}

/** The cached list files drawn from the database of `firms` firms (when that database is removed). */
export function removeImportFiles(firms: number): void {
  if (!fs.existsSync(IMPORT_DIR)) return;
  for (const f of fs.readdirSync(IMPORT_DIR)) if (f.startsWith(`list-${firms}-`)) fs.rmSync(path.join(IMPORT_DIR, f), { force: true });
}

function removeDb(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
}

/** A private copy of a checkpointed database, flushed to disk so that writeback does not run during the case. */
function copyDb(src: string, dst: string): number {
  const t0 = performance.now();
  removeDb(dst);
  fs.copyFileSync(src, dst);
  if (fs.existsSync(`${src}-wal`) && fs.statSync(`${src}-wal`).size > 0) fs.copyFileSync(`${src}-wal`, `${dst}-wal`);
  for (const f of [dst, `${dst}-wal`]) {
    if (!fs.existsSync(f)) continue;
    const fd = fs.openSync(f, 'r+');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  return (performance.now() - t0) / 1000;
}

/** A migrated database with the demo parks and users and no firms (the "empty DB" of perf.md §6). */
async function makeEmptyDb(file: string, seed: number): Promise<void> {
  removeDb(file);
  const { seedDemoData } = await import('../../src/demo/seed.js');
  const db = createDb(`sqlite:${file}`);
  try {
    await migrateLatest(db);
    // Nobody logs in to this database: skip the (deliberately slow) password hashing.
    await seedDemoData(db, { firms: 0, seed, passwordHash: 'bench-no-login' });
  } finally {
    await db.destroy(); // the only connection: SQLite checkpoints and removes the WAL
  }
}

/** The year after the newest committed list of this kind (a first upload, nothing superseded), at most this year. */
async function listYear(db: Knex): Promise<number> {
  const rows = (await db('import_batches').where({ kind: KIND, status: 'committed' }).max({ y: 'year' })) as { y: number | null }[];
  const thisYear = yearOf(todayInShanghai());
  return Math.min(thisYear, (rows[0]?.y ?? thisYear - 1) + 1);
}

// ───────────────────────────────────────────────────────────── the section

export interface ImportBenchOutput {
  /** Lines for the "where the time goes" block printed after the tables. */
  phases: string[];
}

export async function benchImports(o: ImportBenchOptions): Promise<ImportBenchOutput> {
  const { report, metrics, section: sec } = o;
  const phases: string[] = [];
  fs.mkdirSync(IMPORT_DIR, { recursive: true });
  const year = await listYear(o.db);
  const files = await ensureListFiles(o, year);
  const { meta } = files;
  const mix = meta.mix;
  report.add(sec, 'the list (generated from this DB)', `${int(meta.rows)} rows`,
    `${KIND} ${year} · ${int(mix.existing)} registered firms, ${int(mix.fresh)} new codes, ${int(mix.badCode)} bad codes (${int(mix.badCodeKnownName)} with a registered name), ${int(mix.duplicate)} repeats · GBK CSV ${mib(meta.csvBytes)}, XLSX ${mib(meta.xlsxBytes)} · ${files.generated ? `generated in ${meta.seconds.toFixed(1)} s` : 'reused'}`);
  if (o.profile) report.add(sec, 'NOTE: --import-profile', 'profiled', 'the parse stages and the direct calls run under the V8 CPU profiler: their times are inflated by it');

  const formats = [
    { key: 'csv', label: 'GBK CSV', file: files.csv, parseTarget: IT.parseCsv },
    { key: 'xlsx', label: 'XLSX', file: files.xlsx, parseTarget: IT.parseXlsx },
  ] as const;
  const parseSeconds: Record<string, number> = {};
  const validateSeconds: Record<string, number> = {};

  const memDetail = (r: Ran) => {
    const m = r.result.mem;
    return `RssAnon ≤ ${mib(r.peak.anon)} · RSS ${mib(r.result.rssStart)} when the stage started · V8 heap ≤ ${mib(m.heapUsed)} used / ${mib(m.heapTotal)} reserved · buffers ≤ ${mib(m.external)}`;
  };

  // ── parsing alone
  for (const f of formats) {
    for (const mode of ['parse', 'validate'] as const) {
      const what = mode === 'parse' ? `parse only, ${f.label} (openTable → rows)` : `  ″ + readRow (parse and validate, no DB)`;
      console.log(`    imports: ${mode} ${f.label} …`);
      try {
        const r = await runCase({ mode, file: f.file, kind: KIND, year }, o.profile);
        if (!r.result.ok) throw new Error(r.result.error ?? 'failed');
        const s = r.result.seconds;
        (mode === 'parse' ? parseSeconds : validateSeconds)[f.key] = s;
        const detail = `${int(r.result.rows / s)} rows/s · ${int(r.result.rows)} rows · maxRSS ${mib(peakOf(r))} · ${memDetail(r)}`;
        report.add(sec, what, ms(s * 1000), detail, mode === 'parse' ? f.parseTarget : undefined, s * 1000);
        metrics[`import.${f.key}.${mode}.s`] = s;
        if (r.result.profile) phases.push(`\n  ${f.label}, ${mode}: ${s.toFixed(2)} s`, ...profileLines(r.result.profile));
      } catch (err) {
        report.error(sec, what, (err as Error).message);
      }
    }
  }

  // ── into the databases
  await o.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  const emptyTemplate = path.join(IMPORT_DIR, 'empty.sqlite');
  const targets = [
    { key: 'db', label: `${int(o.firms)}-firm DB`, src: o.dbFile },
    { key: 'empty', label: 'empty DB', src: emptyTemplate },
  ] as const;

  /** A fresh copy with a batch ready for its preview, then preview and commit one way. */
  const importOnce = async (src: string, copy: string, file: string, via: 'worker' | 'direct') => {
    const copySeconds = copyDb(src, copy);
    const prep = await runCase({ mode: 'prepare', file, kind: KIND, year, dbFile: copy }, false);
    if (!prep.result.ok || !prep.result.batchId) throw new Error(`batch set-up: ${prep.result.error ?? 'no batch'}`);
    const profile = o.profile && via === 'direct'; // the profiler sees the calling thread, not the worker
    const p = await runCase({ mode: 'preview', via, file, kind: KIND, year, dbFile: copy, batchId: prep.result.batchId }, profile);
    if (!p.result.ok || !p.result.preview) throw new Error(`preview (${via}): ${p.result.error ?? 'no counts'}`);
    const c = await runCase({ mode: 'commit', via, file, kind: KIND, year, dbFile: copy, batchId: prep.result.batchId }, profile);
    if (!c.result.ok || !c.result.commit) throw new Error(`commit (${via}): ${c.result.error ?? 'no result'}`);
    return { p, c, copySeconds };
  };

  for (const t of targets) {
    if (t.key === 'empty') {
      try {
        await makeEmptyDb(emptyTemplate, o.seed);
      } catch (err) {
        report.error(sec, 'empty DB', (err as Error).message);
        continue;
      }
    }
    for (const f of formats) {
      const name = `${f.label} → ${t.label}`;
      const copy = path.join(IMPORT_DIR, `copy-${t.key}-${f.key}.sqlite`);
      try {
        // The app's path: the verdicts.
        console.log(`    imports: ${name}: preview and commit through ImportRunner (worker thread) …`);
        const app = await importOnce(t.src, copy, f.file, 'worker');
        // The same, called directly with every statement timed: where the time goes.
        console.log(`    imports: ${name}: preview and commit called directly (statements timed) …`);
        const direct = await importOnce(t.src, copy, f.file, 'direct');

        const { p, c } = app;
        const pc = p.result.preview!;
        const cc = c.result.commit!;
        const ps = p.result.seconds;
        const cs = c.result.seconds;
        const dp = direct.p.result;
        const dc = direct.c.result;
        report.add(sec, `${name}: preview`, ms(ps * 1000),
          `${int(pc.total / ps)} rows/s · ${int(pc.matched)} matched, ${int(pc.nameMatched)} by name, ${int(pc.created)} new, ${int(pc.rejected)} rejected · called directly: ${ms(dp.seconds * 1000)}`, IT.stage, ps * 1000);
        report.add(sec, '  ″ peak RSS', mib(peakOf(p)),
          `RssAnon ≤ ${mib(p.peak.anon)} · process at ${mib(p.result.rssStart)} before the worker started · called directly: ${mib(peakOf(direct.p))}`, IT.rss, peakOf(p));
        report.add(sec, `${name}: commit`, ms(cs * 1000),
          `${int(pc.total / cs)} rows/s (file rows) · ${int(cc.entries)} entries, ${int(cc.createdFirms)} firms created${cc.superseded.length ? `, superseded batch ${cc.superseded.join(', ')}` : ''} · called directly: ${ms(dc.seconds * 1000)}`, IT.stage, cs * 1000);
        report.add(sec, '  ″ peak RSS', mib(peakOf(c)),
          `RssAnon ≤ ${mib(c.peak.anon)} · process at ${mib(c.result.rssStart)} before the worker started · called directly: ${mib(peakOf(direct.c))}`, IT.rss, peakOf(c));
        const total = (ps + cs) * 1000;
        const totalTarget: Target | undefined =
          f.key === 'csv' ? (t.key === 'empty' ? IT.csvEmpty : IT.csvBig) : t.key === 'empty' ? IT.xlsxEmpty : undefined;
        report.add(sec, '  ″ preview + commit', ms(total), `${int(pc.total / (total / 1000))} rows/s end to end · DB copy ${app.copySeconds.toFixed(1)} s (untimed)`, totalTarget, total);

        const problems: string[] = [];
        for (const [via, r] of [['worker', app], ['direct', direct]] as const) {
          const rp = r.p.result.preview!;
          const rc = r.c.result.commit!;
          const accepted = rp.matched + rp.nameMatched + rp.created;
          if (rc.entriesInDb !== rc.entries) problems.push(`${via}: ${rc.entriesInDb} current entries in the DB for ${rc.entries} written`);
          if (rc.firmsNew !== rc.createdFirms) problems.push(`${via}: ${rc.firmsNew} new firm rows, ${rc.createdFirms} reported`);
          if (rc.stageCountsTotal !== rc.firmsAfter) problems.push(`${via}: stage_counts adds up to ${rc.stageCountsTotal} for ${rc.firmsAfter} firms`);
          if (rc.entries !== accepted) problems.push(`${via}: ${rc.entries} entries for ${accepted} accepted rows`);
        }
        if (JSON.stringify(dp.preview) !== JSON.stringify(pc)) problems.push(`the direct preview counted differently: ${JSON.stringify(dp.preview)}`);
        if (problems.length) report.error(sec, '  ″ check', problems.join('; '));

        const k = `import.${t.key}.${f.key}`;
        metrics[`${k}.preview.s`] = ps;
        metrics[`${k}.preview.rss`] = peakOf(p);
        metrics[`${k}.commit.s`] = cs;
        metrics[`${k}.commit.rss`] = peakOf(c);
        metrics[`${k}.total.s`] = total / 1000;

        phases.push(...phaseLines(`${name}, preview (called directly)`, direct.p, { parse: parseSeconds[f.key], validate: validateSeconds[f.key] }));
        phases.push(...phaseLines(`${name}, commit (called directly)`, direct.c, {}));
      } catch (err) {
        report.error(sec, name, (err as Error).message);
      } finally {
        removeDb(copy);
      }
    }
  }
  removeDb(emptyTemplate);
  return { phases };
}

function phaseLines(title: string, r: Ran, known: { parse?: number | undefined; validate?: number | undefined }): string[] {
  const s = r.result.seconds;
  const sql = r.result.sqlMs / 1000;
  const js = s - sql;
  const ref: string[] = [];
  if (known.parse !== undefined) ref.push(`parse alone ${known.parse.toFixed(2)} s`);
  if (known.validate !== undefined) ref.push(`parse + readRow ${known.validate.toFixed(2)} s`);
  const out = [`\n  ${title}: ${s.toFixed(2)} s = SQL ${sql.toFixed(2)} s + JavaScript/other ${js.toFixed(2)} s${ref.length ? ` (separate runs: ${ref.join(', ')})` : ''}`];
  for (const p of r.result.sql) {
    if (p.ms < Math.max(20, r.result.sqlMs * 0.01)) continue;
    const rate = p.rows && p.ms > 0 ? ` · ${int(p.rows / (p.ms / 1000))} rows/s` : '';
    out.push(`    ${ms(p.ms).padStart(9)}  ${p.label.padEnd(24)} ${int(p.statements).padStart(6)} statements, ${int(p.rows).padStart(8)} rows${rate}`);
  }
  const m = r.result.mem;
  out.push(`    memory: maxRSS ${mib(peakOf(r))} (RssAnon ≤ ${mib(r.peak.anon)}) = ${mib(r.result.rssStart)} when the stage started (node, tsx, modules) + ${mib(peakOf(r) - r.result.rssStart)}; V8 heap ≤ ${mib(m.heapUsed)} used / ${mib(m.heapTotal)} reserved, buffers ≤ ${mib(m.external)}`);
  if (r.result.profile) out.push(...profileLines(r.result.profile));
  return out;
}

function profileLines(p: ProfileSummary): string[] {
  const out = [`    CPU profile (self time, ${ms(p.totalMs)} sampled) by package / file:`];
  for (const b of p.buckets) if (b.ms >= p.totalMs * 0.01) out.push(`    ${ms(b.ms).padStart(9)}  ${b.name}`);
  out.push('    hottest functions:');
  for (const f of p.functions.slice(0, 10)) out.push(`    ${ms(f.ms).padStart(9)}  ${f.name}`);
  return out;
}
