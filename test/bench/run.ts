/**
 * `npm run bench -- [--firms 100000] [--only board,dashboard,search,firms,imports,exports] [--keep] [--rebuild|--reuse]
 *                   [--compare 10000,100000] [--duration 5] [--no-pin] [--json FILE]
 *                   [--import-rows 100000] [--import-profile] [--bare DIR --bare-db FILE]`
 *
 * What it measures (targets are perf.md §6, "Recommended targets"; perf.md §0 has the baseline):
 *
 *  Database   seedDemoData() at N firms into /tmp/miaopu-bench/firms-N.sqlite (built in a child
 *             process, reused by later runs while src/demo/ and the migration list are unchanged;
 *             --rebuild forces a new one, --reuse keeps a stale one and only migrates it). Build
 *             time, file size, bytes per firm, the biggest objects (dbstat).
 *  Board SQL  loadBoard() in-process, admin scope, warm, one connection: median and p95 over
 *             repeated runs, unfiltered and with a park, a field, a 3-char name, a 2-char name and
 *             a credit-code prefix filter; a column page behind a deep cursor.
 *  Dashboard  loadFunnel() with its cache cleared before every run (the recompute after a write).
 *  Search SQL what GET /firms?q=… runs (listFirms + countByStage).
 *  HTTP       createApp(db, production settings) with NODE_ENV=production (view cache on),
 *             listening on 127.0.0.1:0 in this process; the requests come from a child process
 *             (load-worker.ts) over keep-alive connections, 1 s warm-up + --duration s per case.
 *             By default the server is pinned to CPU 0 and the client to CPU 1 (perf.md §1.3).
 *             If /board redirects to /login, the client logs in as admin / miaopu-demo first
 *             (that writes a session row and a login audit entry into the cached database; the
 *             rest of the benchmark only reads). Also shown: the statements one request sends
 *             (and which of them write), and what one write commit costs on this disk with the
 *             app's settings (WAL, synchronous=FULL).
 *  Memory     RSS, RssAnon and heapUsed of this process after start and after the SQL runs; the
 *             peak RSS/RssAnon during the HTTP runs (sampled from /proc by the client every 50 ms)
 *             and the peak heapUsed (sampled in-process).
 *  Slow SQL   every statement captured during the SQL cases, re-timed raw on the app's connection;
 *             those adding up to ≥ 1 ms are listed with their EXPLAIN QUERY PLAN.
 *  Commit     (commit-lock.ts, --only commit) writes made every 20 ms while a --import-rows list commits
 *             (p95 wait < 200 ms), and a commit of half that many rows on SQLite and on PostgreSQL
 *             (BENCH_PG_URL or DATABASE_URL=postgres://…; PostgreSQL ≤ 2× SQLite), on fresh databases.
 *  Two proc.  (two-processes.ts, --only twoproc) /board served by two app processes on one
 *             PostgreSQL schema against one (≥ 1.6×), with --twoproc-firms demo firms (default 20,000).
 *  Imports    (imports.ts) a 100,000-row R&D-deduction list drawn from the benchmark database (about
 *             half its firms, half new codes, ~1% bad codes, ~1% repeats), written as a GBK CSV and as
 *             an XLSX (exceljs streaming writer; cached under /tmp/miaopu-bench/imports/). Each stage
 *             runs in a child process of its own (import-case.ts) so its maxRSS is its own: parse
 *             alone and parse + readRow for both files; then for both files, into a fresh copy of the
 *             benchmark DB and into a fresh empty DB, preview and commit through ImportRunner (the
 *             worker thread the app uses): time, rows/s, peak RSS of the process, entries, firms
 *             created; and once more on another copy with runPreview() / runCommit() called directly
 *             and every statement timed (the breakdown printed after the tables). Children run
 *             under tsx like the rest: compiled JS starts ~30 MiB lower. Targets: the issue (< 10 s
 *             per stage, peak RSS < 400 MB) and perf.md §6 Import. --import-rows N changes the size
 *             (quick checks); --import-profile profiles the parse stages and the direct calls with
 *             the V8 CPU profiler (in-process, the stage only) and adds self time per package / file
 *             (times are then inflated by the profiler). Without HTTP groups in --only, the HTTP
 *             server is not started.
 *  Exports    (exports.ts) 100,000 rows as XLSX and as CSV through src/web/export.ts, each in a child
 *             process of its own: synthetic rows (the writer alone, also at 10,000 rows to show the
 *             peak does not grow with the rows) and the firm list read from the benchmark database
 *             as /firms/export.xlsx reads it (keyset chunks). Targets: ≤ 10 s, peak RSS ≤ 256 MiB,
 *             100k − 10k peak ≤ 48 MiB.
 *  --compare  runs the whole thing once per size (a child process each) and prints the ratios
 *             large/small; then serves both sizes side by side in one process and measures /board
 *             throughput alternately (3 rounds at c=10 and c=50), because only interleaved runs
 *             survive the host's drift. perf.md §6 board 3 wants ≥ 0.85 (scale independence).
 *
 * How to read it: every row shows the figure, the details (p50/p95/p99, req/s, size), the target
 * and PASS/FAIL. Rows without a target are context. The 1M targets apply at every size; at 100k a
 * PASS is necessary, not sufficient. The box is noisy (perf.md §1.3: up to 2× between minutes), so
 * a single FAIL close to its limit wants a second run. The last line is the summary. The exit
 * code is 0 whenever the benchmark itself ran, whatever the verdicts; --json writes the rows.
 * --keep keeps a database this run built (for later runs); without it, a newly built one is
 * deleted at the end. A current database that was already there is left in place (a stale one is
 * replaced by the new build).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import BetterSqlite3 from 'better-sqlite3';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { createDb } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { type Cursor, encodeCursor } from '../../src/pages/board/board.queries.js';
import { loadBoard, loadColumnPage } from '../../src/pages/board/board.service.js';
import { clearDashboardCache, loadFunnel } from '../../src/features/dashboard/dashboard.service.js';
import type { FirmFilters } from '../../src/features/firms/firm-filters.js';
import { listFirms } from '../../src/features/firms/firms.queries.js';
import { countByStage } from '../../src/features/firms/stage-counts.queries.js';
import { todayInShanghai, yearOf } from '../../src/lib/dates.js';
import { BENCH_DIR, type Dataset, dbFileFor, ensureDataset, removeDataset } from './dataset.js';
import { LoadClient, type LoadResult, canPin, pin } from './load.js';
import { benchScale } from './scale.js';
import { benchImports, removeImportFiles } from './imports.js';
import { startLockBursts } from './lock-bursts.js';
import { benchCommits } from './commit-lock.js';
import { benchTwoProcesses } from './two-processes.js';
import { Session } from './session.js';
import { type Captured, captureQueries, explainPlan, mainTable, showSql, timeStatement, withConnection } from './sql-tools.js';
import { benchExports } from './exports.js';
import { Report, type Summary, type Target, atLeast, atMost, int, kb, mib, ms, repeat, summarize } from './stats.js';
import { setLogLevel } from '../../src/lib/log.js';

// ───────────────────────────────────────────────────────────── options

const GROUPS = ['board', 'dashboard', 'search', 'firms', 'lock', 'imports', 'exports', 'commit', 'scale', 'twoproc'] as const;
/** The groups measured over HTTP (the server is started only for these). */
const HTTP_GROUPS: readonly Group[] = ['board', 'dashboard', 'search', 'firms', 'lock', 'scale'];
type Group = (typeof GROUPS)[number];

interface Options {
  firms: number;
  only: Set<Group>;
  keep: boolean;
  rebuild: boolean;
  reuse: boolean;
  compare: number[] | null;
  durationMs: number;
  pin: boolean;
  seed: number;
  json: string | null;
  /** Rows of the generated list for the imports section (the issue: 100,000). */
  importRows: number;
  /** Profile the import parse stages and direct calls (V8 CPU profiler) and print where their time goes. */
  importProfile: boolean;
  /** The bare stack of ../shared/perf-baseline for the issue-13 ratio rows (scale.ts). */
  bare: { dir: string; db: string } | null;
  /** Demo firms in the PostgreSQL schema of the two-process case. */
  twoprocFirms: number;
}

class UsageError extends Error {}

function parseCount(text: string): number {
  const m = /^([\d_.,]+)\s*([km]?)$/i.exec(text.trim());
  const n = m ? Number(m[1]!.replace(/[_,]/g, '')) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1) : Number(text);
  if (!Number.isInteger(n) || n < 100 || n > 5_000_000) throw new UsageError(`a firm count must be a whole number from 100 to 5,000,000 (got "${text}")`);
  return n;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const a = argv[i]!;
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
  };
  const flag = (name: string) => argv.includes(`--${name}`);
  const known = new Set(['--firms', '--only', '--keep', '--rebuild', '--reuse', '--compare', '--duration', '--no-pin', '--seed', '--json', '--help', '--import-rows', '--import-profile', '--bare', '--bare-db', '--twoproc-firms']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (!known.has(name)) throw new UsageError(`unknown option ${a}`);
  }
  const onlyText = value('only');
  const only = new Set<Group>();
  for (const g of (onlyText ?? GROUPS.join(',')).split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(GROUPS as readonly string[]).includes(g)) throw new UsageError(`--only takes ${GROUPS.join(', ')} (got "${g}")`);
    only.add(g as Group);
  }
  const compareText = value('compare');
  const duration = Number(value('duration') ?? 5);
  if (!(duration > 0 && duration <= 60)) throw new UsageError('--duration is seconds per HTTP case, 0 < d ≤ 60');
  return {
    firms: parseCount(value('firms') ?? '100000'),
    only,
    keep: flag('keep'),
    rebuild: flag('rebuild'),
    reuse: flag('reuse'),
    compare: compareText ? compareText.split(',').map(parseCount).sort((a, b) => a - b) : null,
    durationMs: duration * 1000,
    pin: !flag('no-pin'),
    seed: Number(value('seed') ?? 20261127),
    json: value('json') ?? null,
    importRows: parseCount(value('import-rows') ?? '100000'),
    twoprocFirms: parseCount(value('twoproc-firms') ?? '20000'),
    importProfile: flag('import-profile'),
    bare: value('bare') && value('bare-db') ? { dir: value('bare')!, db: value('bare-db')! } : null,
  };
}

// ───────────────────────────────────────────────────────────── targets (perf.md §6)

/** DB file ≤ 1.3 × the baseline's ~775 bytes per firm (§6 resources 2). */
const T = {
  // Issue 8 item 5: the main thread never waits on the write lock for more than ~100 ms.
  lockReadP95: atMost(100, '≤ 100 ms (issue 8 §5)'),
  lockMoveP95: atMost(600, '≤ one burst + 200 ms (issue 8 §5)'),
  bytesPerFirm: atMost(1.3 * 775, '≤ 1,008 B/firm (§6 res. 2)'),
  boardSql: atMost(5, '≤ 5 ms (§6 board 4)'),
  boardSqlShort: atMost(100, '≤ 100 ms (§6 search 3)'),
  dashRecompute: atMost(1000, '≤ 1 s at 1M (§6 dash 2)'),
  boardC1p50: atMost(20, '≤ 20 ms (§6 board 2)'),
  boardC1p99: atMost(40, '≤ 40 ms (§6 board 2)'),
  boardC10p99: atMost(300, '≤ 300 ms (§6 board 2)'),
  boardC50rps: atLeast(60, '≥ 60 req/s (§6 board 1)'),
  boardSize: atMost(250 * 1024, '≤ 250 KB (§6 board 4)'),
  fragC1p99: atMost(10, '≤ 10 ms (§6 fragment 2)'),
  fragC10p99: atMost(50, '≤ 50 ms (§6 fragment 2)'),
  fragRps: atLeast(550, '≥ 550 req/s (§6 fragment 1)'),
  dashCachedP99: atMost(20, '≤ 20 ms (§6 dash 1)'),
  searchC10p99: atMost(30, '≤ 30 ms (§6 search 1)'),
  searchRps: atLeast(800, '≥ 800 req/s (§6 search 1)'),
  shortC1p50: atMost(100, '≤ 100 ms (§6 search 3)'),
  usccC10p99: atMost(10, '≤ 10 ms (§6 search 2)'),
  rssIdle: atMost(150 * 1048576, '≤ 150 MiB (§6 res. 1)'),
  anonLoad: atMost(250 * 1048576, '≤ 250 MiB (§6 res. 1)'),
  scale: atLeast(0.85, '≥ 0.85 (§6 board 3)'),
};

// ───────────────────────────────────────────────────────────── app settings

/** Production settings as the server would have them without any environment (HTTP, no proxy). */
function appOptions(): Parameters<typeof createApp>[1] {
  const c = testConfig({ production: true });
  // One signed-in client drives the load: the per-user search limit would measure itself, not the app.
  return { ...c, sessionSecret: c.sessionSecret ?? 'miaopu-bench-session-secret-0123456789', searchRateLimit: null };
}

/**
 * What one write commit costs on this disk with the app's settings (WAL, synchronous=FULL): the
 * floor for any request that writes, e.g. a session touch. Measured on a scratch file.
 */
function commitProbe(dir: string): Summary {
  const file = path.join(dir, 'commit-probe.sqlite');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const conn = new BetterSqlite3(file);
  try {
    conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = FULL');
    conn.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
    conn.prepare("INSERT INTO t VALUES ('s', '')").run();
    const upd = conn.prepare("UPDATE t SET v = ? WHERE k = 's'");
    const times: number[] = [];
    const end = performance.now() + 1000;
    while (performance.now() < end && times.length < 500) {
      const t0 = performance.now();
      upd.run(String(t0));
      times.push(performance.now() - t0);
    }
    return summarize(times);
  } finally {
    conn.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
}

// ───────────────────────────────────────────────────────────── memory

interface Mem {
  rss: number;
  anon: number;
  heapUsed: number;
}

function memNow(): Mem {
  let anon = NaN;
  try {
    const m = /^RssAnon:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) anon = Number(m[1]) * 1024;
  } catch {
    /* not Linux */
  }
  const u = process.memoryUsage();
  return { rss: u.rss, anon, heapUsed: u.heapUsed };
}

function memText(m: Mem): string {
  return `RssAnon ${Number.isFinite(m.anon) ? mib(m.anon) : '—'} · heapUsed ${mib(m.heapUsed)}`;
}

// ───────────────────────────────────────────────────────────── inputs taken from the data

interface Inputs {
  park: { id: number; name: string; firms: number };
  field: { key: string; firms: number };
  sample: { id: number; name: string; uscc: string };
  name3: string;
  name2: string;
  usccPrefix: string;
  hits: { name3: number; name2: number; usccPrefix: number };
  deepCursor: Cursor | null;
  candidateCount: number;
}

async function pickInputs(db: Knex, firms: number): Promise<Inputs> {
  const park = (await db.raw(
    `SELECT s.park_key AS id, p.name AS name, sum(s.n) AS firms FROM stage_counts s JOIN parks p ON p.id = s.park_key
     GROUP BY s.park_key ORDER BY firms DESC LIMIT 1`,
  )) as { id: number; name: string; firms: number }[];
  const field = (await db.raw(
    `SELECT field_key AS key, sum(n) AS firms FROM stage_counts WHERE field_key <> '' GROUP BY field_key ORDER BY firms DESC LIMIT 1`,
  )) as { key: string; firms: number }[];
  const sample = (await db('firms').where('id', '>=', Math.floor(firms / 2) + 1).orderBy('id').first('id', 'name', 'uscc')) as Inputs['sample'];
  // Names are <place><2–3-char trade stem><industry><suffix>: search for the stem, as a user would.
  const rest = [...sample.name.replace(/^(余姚市|宁波市|宁波|浙江省|浙江)/, '')];
  const name3 = rest.slice(0, 3).join('');
  const name2 = rest.slice(0, 2).join('');
  const usccPrefix = sample.uscc.slice(0, 12);
  const one = async (sql: string, b: (string | number)[]) => Number(((await db.raw(sql, b)) as { n: number }[])[0]?.n ?? 0);
  const hits = {
    name3: await one('SELECT count(*) AS n FROM firms_fts WHERE firms_fts MATCH ?', [`"${name3}"`]),
    name2: await one("SELECT count(*) AS n FROM firms WHERE name LIKE ?", [`%${name2}%`]),
    usccPrefix: await one('SELECT count(*) AS n FROM firms WHERE uscc GLOB ?', [`${usccPrefix}*`]),
  };
  const candidateCount = await one("SELECT sum(n) AS n FROM stage_counts WHERE stage = 'candidate'", []);
  const deep = (await db.raw(
    `SELECT updated_at AS updatedAt, id FROM firms WHERE stage = 'candidate' ORDER BY updated_at DESC, id DESC LIMIT 1 OFFSET ?`,
    [Math.floor(candidateCount / 2)],
  )) as Cursor[];
  return {
    park: park[0]!,
    field: field[0]!,
    sample,
    name3,
    name2,
    usccPrefix,
    hits,
    deepCursor: deep[0] ?? null,
    candidateCount,
  };
}

// ───────────────────────────────────────────────────────────── one size

interface SizeResult {
  firms: number;
  metrics: Record<string, number>;
  rows: Report['rows'];
}

const ADMIN = { parkIds: null };

function summaryText(s: Summary): string {
  return `p50 ${ms(s.p50)} · p95 ${ms(s.p95)} · max ${ms(s.max)} · ${s.n} runs`;
}

async function benchSize(opts: Options): Promise<SizeResult> {
  const report = new Report();
  const metrics: Record<string, number> = {};
  const N = opts.firms;
  const sDb = 'Database';
  const sSql = 'SQL, in-process (warm, one connection, admin scope)';
  const sHttp = 'HTTP (createApp, production view cache; client in a child process)';
  const sMem = 'Memory (this process = the server)';
  const sScale = 'Issue 13 targets (scale group; ratios against the bare stack of ../shared/perf-baseline)';
  const sImp = `Imports: ${int(opts.importRows)}-row candidate list; preview and commit through ImportRunner (worker thread), as the app runs them; each stage a child process of its own, each import on a fresh copy of the DB`;
  const httpWanted = HTTP_GROUPS.some((g) => opts.only.has(g));

  console.log(`\n═══ Miaopu benchmark: ${int(N)} firms, groups: ${[...opts.only].join(', ')} ═══`);
  const started = performance.now();
  const load0 = os.loadavg()[0]!;
  console.log(`    node ${process.version}, ${os.availableParallelism()} CPUs, load average ${load0.toFixed(2)}, NODE_ENV=${process.env.NODE_ENV}, ${new Date().toISOString()}`);

  // ── database
  const dataset: Dataset = await ensureDataset(N, { seed: opts.seed, rebuild: opts.rebuild, reuse: opts.reuse });
  const { meta } = dataset;
  const perFirm = meta.fileBytes / N;
  report.add(sDb, dataset.built ? 'build (seedDemoData)' : 'build (reused from cache)', `${meta.buildSeconds.toFixed(1)} s`,
    `${int(N / meta.buildSeconds)} firms/s${dataset.built ? '' : `, built ${meta.builtAt.slice(0, 16)}Z`} · ${dataset.file}`);
  report.add(sDb, 'file size', mib(meta.fileBytes), `${int(meta.fileBytes)} B · baseline 74.6 MiB @100k, 738.5 MiB @1M`);
  report.add(sDb, 'bytes per firm', `${int(perFirm)} B`,
    `per firm: ${[['stage_events', 'stage events'], ['annual_figures', 'figure rows'], ['list_entries', 'list rows']].filter(([t]) => meta.rows[t!] !== undefined).map(([t, label]) => `${(meta.rows[t!]! / N).toFixed(2)} ${label}`).join(', ')} (baseline: 3 history + 1.46 list rows)`,
    T.bytesPerFirm, perFirm);
  metrics['db.bytesPerFirm'] = perFirm;

  const db = createDb(`sqlite:${dataset.file}`);
  await migrateLatest(db);
  const app = createApp(db, appOptions());
  const memStart = memNow();
  report.add(sMem, 'after start (DB open, app created)', `RSS ${mib(memStart.rss)}`, memText(memStart), T.rssIdle, memStart.rss);

  const inputs = await pickInputs(db, N);
  const today = todayInShanghai();
  const year = yearOf(today);
  console.log(`  inputs: park ${inputs.park.id} ${inputs.park.name} (${int(inputs.park.firms)} firms), field ${inputs.field.key} (${int(inputs.field.firms)}),`);
  console.log(`          name "${inputs.name3}" (${int(inputs.hits.name3)} hits), "${inputs.name2}" (${int(inputs.hits.name2)} hits), code prefix ${inputs.usccPrefix} (${int(inputs.hits.usccPrefix)} hits), sample ${inputs.sample.uscc}`);

  // ── SQL
  const captured: { label: string; q: Captured }[] = [];
  const sqlCase = async (label: string, fn: () => Promise<unknown>, target?: Target, budgetMs = 1500): Promise<Summary | null> => {
    try {
      const { queries } = await captureQueries(db, fn);
      for (const q of queries) captured.push({ label, q });
      const s = await repeat(fn, { budgetMs, hardMs: budgetMs * 4 });
      report.add(sSql, label, `p50 ${ms(s.p50)}`, `${summaryText(s)} · ${queries.length} statements`, target, s.p50);
      return s;
    } catch (err) {
      report.error(sSql, label, (err as Error).message);
      return null;
    }
  };

  if (opts.only.has('board')) {
    console.log('  board SQL …');
    const board = async (f: FirmFilters) => loadBoard(db, f, ADMIN, today);
    const s = await sqlCase('loadBoard, no filter', () => board({}), T.boardSql, 2500);
    if (s) metrics['sql.board.p50'] = s.p50;
    await sqlCase('  countByStage only (stage_counts)', () => countByStage(db, {}, ADMIN));
    await sqlCase(`loadBoard, park = ${inputs.park.id} (${inputs.park.name})`, () => board({ park: inputs.park.id }), T.boardSql);
    await sqlCase(`loadBoard, field = ${inputs.field.key}`, () => board({ field: inputs.field.key as FirmFilters['field'] }), T.boardSql);
    await sqlCase(`loadBoard, q = "${inputs.name3}" (3 chars, FTS; ${int(inputs.hits.name3)} hits)`, () => board({ q: inputs.name3 }), T.boardSql);
    await sqlCase(`loadBoard, q = "${inputs.name2}" (2 chars, LIKE; ${int(inputs.hits.name2)} hits)`, () => board({ q: inputs.name2 }), T.boardSqlShort, 3000);
    await sqlCase(`loadBoard, q = ${inputs.usccPrefix} (code prefix; ${int(inputs.hits.usccPrefix)} hits)`, () => board({ q: inputs.usccPrefix }), T.boardSql);
    await sqlCase(`loadBoard, q = ${inputs.sample.uscc} (whole code; 1 hit)`, () => board({ q: inputs.sample.uscc }), T.boardSql);
    if (inputs.deepCursor) {
      const c = inputs.deepCursor;
      await sqlCase(`column page, candidate, cursor at ${int(inputs.candidateCount / 2)} (${encodeCursor(c)})`, () => loadColumnPage(db, 'candidate', {}, ADMIN, c, today));
    }
  }

  if (opts.only.has('dashboard')) {
    console.log('  dashboard SQL …');
    const funnel = (f: FirmFilters) => async () => {
      clearDashboardCache();
      return loadFunnel(db, year, f, ADMIN, year);
    };
    const s = await sqlCase(`loadFunnel ${year}, cache cleared (recompute)`, funnel({}), T.dashRecompute, 3000);
    if (s) metrics['sql.dashboard.p50'] = s.p50;
    await sqlCase(`loadFunnel ${year}, park = ${inputs.park.id}, cache cleared`, funnel({ park: inputs.park.id }), T.dashRecompute, 3000);
    clearDashboardCache();
  }

  if (opts.only.has('search')) {
    console.log('  search SQL …');
    const list = (f: FirmFilters) => async () =>
      Promise.all([listFirms(db, f, ADMIN, { limit: 50, sort: 'updated' }), countByStage(db, f, ADMIN)]);
    await sqlCase(`/firms?q=${inputs.name3} (listFirms + countByStage)`, list({ q: inputs.name3 }), atMost(1, '≤ 1 ms (§6 search 1)'));
    await sqlCase(`/firms?q=${inputs.name2} (2 chars)`, list({ q: inputs.name2 }), T.shortC1p50, 3000);
    await sqlCase('/firms?q=<18-char code> (exact; target is on HTTP)', list({ q: inputs.sample.uscc }));
  }

  if (opts.only.has('firms')) {
    console.log('  firm list SQL …');
    await sqlCase('/firms page 1, no filter (listFirms + counts)', async () =>
      Promise.all([listFirms(db, {}, ADMIN, { limit: 50, sort: 'updated' }), countByStage(db, {}, ADMIN)]), undefined, 3000);
    await sqlCase('/firms page 1, sort=name', async () => listFirms(db, {}, ADMIN, { limit: 50, sort: 'name' }), undefined, 3000);
  }

  // ── slow statements
  if (captured.length) console.log('  timing the captured statements …');
  // Grouped by statement text: the eight column queries of one case differ only in the stage.
  const slow: { label: string; q: Captured; s: Summary; plan: string[]; variants: number; total: number }[] = [];
  await withConnection(db, async (conn) => {
    const seen = new Set<string>();
    const groups = new Map<string, (typeof slow)[number]>();
    for (const { label, q } of captured) {
      const key = `${q.sql}\u0000${JSON.stringify(q.bindings)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let s: Summary;
      try {
        s = await timeStatement(conn, q.sql, q.bindings, 200);
      } catch (err) {
        console.log(`    (could not re-run a statement of ${label.trim()}: ${(err as Error).message})`);
        continue;
      }
      const gkey = `${label}\u0000${q.sql}`;
      const g = groups.get(gkey);
      if (!g) groups.set(gkey, { label, q, s, plan: [], variants: 1, total: s.p50 });
      else {
        g.variants++;
        g.total += s.p50;
        if (s.p50 > g.s.p50) Object.assign(g, { q, s });
      }
    }
    for (const g of groups.values()) {
      if (g.total < 1) continue;
      g.plan = explainPlan(conn, g.q.sql, g.q.bindings);
      slow.push(g);
    }
  });
  slow.sort((a, b) => b.total - a.total);

  const memSql = memNow();
  report.add(sMem, 'after the SQL runs (warm caches)', `RSS ${mib(memSql.rss)}`, memText(memSql));

  // ── HTTP
  if (httpWanted) {
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.keepAliveTimeout = 60_000;
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new LoadClient();
    let pinned = 'not pinned';
    if (opts.pin && canPin() && client.pid) {
      pinned = pin(process.pid, 0) && pin(client.pid, 1) ? 'server on CPU 0, client on CPU 1' : 'pinning failed';
    }
    let heapPeak = process.memoryUsage().heapUsed;
    const heapTimer = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 20);
    let rssPeak = 0;
    let anonPeak = 0;

    try {
      const session = new Session(base);
      const boardPage = await session.page('/board');
      if (boardPage.status !== 200) throw new Error(`GET /board answered ${boardPage.status}`);
      console.log(`  HTTP on ${base} (${session.mode}; ${pinned}); ${opts.durationMs / 1000} s per case after 1 s warm-up`);
      const headers = session.headers();

      const load = async (p: string, concurrency: number, extra: { headers?: Record<string, string>; maxRequests?: number; warmupMs?: number; durationMs?: number } = {}): Promise<LoadResult> => {
        const r = await client.run({
          url: p.startsWith('http') ? p : base + p,
          concurrency,
          durationMs: extra.durationMs ?? opts.durationMs,
          warmupMs: extra.warmupMs ?? 1000,
          headers: { ...headers, ...extra.headers },
          samplePid: process.pid,
          ...(extra.maxRequests !== undefined ? { maxRequests: extra.maxRequests } : {}),
        });
        rssPeak = Math.max(rssPeak, r.peakRssBytes);
        anonPeak = Math.max(anonPeak, r.peakAnonBytes);
        return r;
      };
      const detail = (r: LoadResult) =>
        `${int(r.rps)} req/s · p50 ${ms(r.latency.p50)} · p99 ${ms(r.latency.p99)} · max ${ms(r.latency.max)} · ${kb(r.bytes)} · ${int(r.requests)} req`;
      /** One row per target; the first carries the details. Errors make an ERROR row. */
      const httpRows = (what: string, r: LoadResult, checks: { label: string; value: number; target?: Target; show?: string }[]) => {
        if (r.errors > 0 || r.requests === 0) {
          report.error(sHttp, what, `${r.errors}/${r.requests} failed: ${r.firstError ?? 'no request completed'} ${JSON.stringify(r.statuses)}`);
          return;
        }
        checks.forEach((c, i) => {
          const fig = c.show ?? (c.label === 'req/s' ? `${int(c.value)} req/s` : c.label === 'size' ? kb(c.value) : `${c.label} ${ms(c.value)}`);
          report.add(sHttp, i === 0 ? what : `  ″ ${c.label}`, fig, i === 0 ? detail(r) : '', c.target, c.value);
        });
      };
      const run = async (what: string, p: string, c: number, checks: (r: LoadResult) => { label: string; value: number; target?: Target }[], extra?: Parameters<typeof load>[2]) => {
        console.log(`    ${what} …`);
        try {
          const r = await load(p, c, extra);
          httpRows(what, r, checks(r));
          return r;
        } catch (err) {
          report.error(sHttp, what, (err as Error).message);
          return null;
        }
      };

      // Context: what a request sends to the database, and what one write commit costs here.
      const perRequest = async (label: string, p: string, extra: Record<string, string> = {}) => {
        const { queries } = await captureQueries(db, () => session.get(p, extra));
        const writes = queries.filter((q) => /^\s*(insert|update|delete|replace)\b/i.test(q.sql));
        const counted = new Map<string, number>();
        for (const q of queries) counted.set(mainTable(q.sql), (counted.get(mainTable(q.sql)) ?? 0) + 1);
        report.add(sHttp, `statements per request: ${label}`, `${queries.length} (${writes.length} write${writes.length === 1 ? '' : 's'})`,
          [...counted].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', '));
      };
      await perRequest('/healthz', '/healthz');
      await perRequest('/board', '/board');
      const firstMore = /hx-get="(\/board\/columns\/[a-z_]+\?after=[^"]+)"/.exec(boardPage.body)?.[1]?.replace(/&amp;/g, '&');
      if (firstMore) await perRequest('fragment', firstMore, { 'HX-Request': 'true' });
      await perRequest('/firms?q=…', `/firms?q=${encodeURIComponent(inputs.name3)}`);
      const probe = commitProbe(BENCH_DIR);
      report.add(sHttp, 'one write commit on this disk (WAL, synchronous=FULL)', `p50 ${ms(probe.p50)}`, `p99 ${ms(probe.p99)} · max ${ms(probe.max)} · ${probe.n} commits, scratch file`);

      const health = await run('/healthz c=10', '/healthz', 10, (r) => [{ label: 'req/s', value: r.rps }], { durationMs: Math.min(3000, opts.durationMs) });
      if (health) metrics['http.healthz.rps'] = health.rps;

      if (opts.only.has('board')) {
        const b1 = await run('/board c=1', '/board', 1, (r) => [
          { label: 'p50', value: r.latency.p50, target: T.boardC1p50 },
          { label: 'p99', value: r.latency.p99, target: T.boardC1p99 },
          { label: 'size', value: r.bytes, target: T.boardSize },
        ]);
        const b10 = await run('/board c=10', '/board', 10, (r) => [{ label: 'p99', value: r.latency.p99, target: T.boardC10p99 }]);
        const b50 = await run('/board c=50 (throughput)', '/board', 50, (r) => [{ label: 'req/s', value: r.rps, target: T.boardC50rps }]);
        if (b1) metrics['http.board.c1.rps'] = b1.rps;
        if (b1) metrics['http.board.c1.p50'] = b1.latency.p50;
        if (b10) metrics['http.board.c10.rps'] = b10.rps;
        if (b50) metrics['http.board.c50.rps'] = b50.rps;

        // "Load more" of the biggest column, with the cursor the page itself offers.
        const more = [...boardPage.body.matchAll(/hx-get="(\/board\/columns\/([a-z_]+)\?after=[^"]+)"/g)].map((m) => ({ url: m[1]!.replace(/&amp;/g, '&'), stage: m[2]! }));
        const frag = more.find((m) => m.stage === 'candidate') ?? more[0];
        if (!frag) report.error(sHttp, '/board/columns/<stage>?after=…', 'no load-more button on /board');
        else {
          const hx = { headers: { 'HX-Request': 'true' } };
          const label = `${frag.url.slice(0, frag.url.indexOf('?'))}?after=… (page 2)`;
          const f1 = await run(`${label} c=1`, frag.url, 1, (r) => [{ label: 'p99', value: r.latency.p99, target: T.fragC1p99 }], hx);
          const f10 = await run(`${label} c=10`, frag.url, 10, (r) => [
            { label: 'p99', value: r.latency.p99, target: T.fragC10p99 },
            { label: 'req/s', value: r.rps, target: T.fragRps },
          ], hx);
          if (f1) metrics['http.fragment.c1.p99'] = f1.latency.p99;
          if (f10) metrics['http.fragment.c10.rps'] = f10.rps;
        }
      }

      if (opts.only.has('dashboard')) {
        console.log('    /dashboard uncached …');
        // Compile the template first (another year: its own cache entry), then time three recomputes.
        await session.page(`/dashboard?year=${year - 1}`);
        const firsts: LoadResult[] = [];
        for (let i = 0; i < 3; i++) {
          clearDashboardCache();
          const r = await load('/dashboard', 1, { maxRequests: 1, warmupMs: 0, durationMs: 60_000 });
          firsts.push(r);
          if (r.latency.p50 > 5000) break;
        }
        const bad = firsts.find((r) => r.errors > 0 || r.requests === 0);
        if (bad) report.error(sHttp, '/dashboard first request (cache cleared)', bad.firstError ?? 'failed');
        else {
          const times = firsts.map((r) => r.latency.p50).sort((a, b) => a - b);
          const median = times[Math.floor(times.length / 2)]!;
          report.add(sHttp, '/dashboard first request (cache cleared)', ms(median), `median of ${times.map(ms).join(', ')} · ${kb(firsts[0]!.bytes)}`, T.dashRecompute, median);
          metrics['http.dashboard.uncached'] = median;
        }
        const dc = await run('/dashboard cached c=10', '/dashboard', 10, (r) => [
          { label: 'p99', value: r.latency.p99, target: T.dashCachedP99 },
          ...(health ? [{ label: 'req/s', value: r.rps, target: atLeast(health.rps / 2, `≥ ${int(health.rps / 2)} = ½ /healthz (§6 dash 1)`) }] : []),
        ]);
        if (dc) metrics['http.dashboard.cached.rps'] = dc.rps;
      }

      if (opts.only.has('search')) {
        const q3 = `/firms?q=${encodeURIComponent(inputs.name3)}`;
        await run(`/firms?q=${inputs.name3} c=1`, q3, 1, (r) => [{ label: 'p50', value: r.latency.p50 }]);
        const s10 = await run(`/firms?q=${inputs.name3} c=10`, q3, 10, (r) => [
          { label: 'p99', value: r.latency.p99, target: T.searchC10p99 },
          { label: 'req/s', value: r.rps, target: T.searchRps },
        ]);
        if (s10) metrics['http.search.c10.rps'] = s10.rps;
        await run(`/firms?q=${inputs.name2} (2 chars) c=1`, `/firms?q=${encodeURIComponent(inputs.name2)}`, 1, (r) => [{ label: 'p50', value: r.latency.p50, target: T.shortC1p50 }]);
        await run(`/firms?q=<18-char code> c=10`, `/firms?q=${inputs.sample.uscc}`, 10, (r) => [{ label: 'p99', value: r.latency.p99, target: T.usccC10p99 }]);
      }

      if (opts.only.has('firms')) {
        await run('/firms (list page 1, no filter) c=1', '/firms', 1, (r) => [{ label: 'p50', value: r.latency.p50 }]);
        await run(`/firms/${inputs.sample.uscc} (firm page) c=10`, `/firms/${inputs.sample.uscc}`, 10, (r) => [{ label: 'p99', value: r.latency.p99 }]);
      }
      if (opts.only.has('scale')) {
        await benchScale({
          load: (p, c, extra) => load(p, c, extra),
          get: (p) => session.get(p),
          add: (what, figure, detail, target, value) => void report.add(sScale, what, figure, detail, target, value),
          error: (what, message) => report.error(sScale, what, message),
          pinServer: (pid) => void (opts.pin && canPin() && pin(pid, 0)),
          inputs: { name3: inputs.name3, name2: inputs.name2, usccPrefix: inputs.usccPrefix, sampleUscc: inputs.sample.uscc },
          year,
          bare: opts.bare,
        });
      }
      if (opts.only.has('lock')) {
        // Another process holds the write lock in bursts (400 ms of every 500): reads go on, moves wait only for the lock.
        const burstMs = Math.max(4000, opts.durationMs) * 3 + 3000;
        const bursts = startLockBursts(dataset.file, burstMs);
        await new Promise((r) => setTimeout(r, 200));
        await run('/board c=1, write lock held by another process in bursts', '/board', 1, (r) => [{ label: 'p95', value: r.latency.p95, target: T.lockReadP95 }]);
        await run('/healthz c=1, the same bursts', '/healthz', 1, (r) => [{ label: 'p95', value: r.latency.p95, target: T.lockReadP95 }], { durationMs: Math.min(3000, opts.durationMs) });
        const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(boardPage.body)?.[1] ?? '';
        const movable = (await db('firms').where({ stage: 'candidate' }).orderBy('id', 'desc').limit(20).select('uscc', 'version')) as { uscc: string; version: number }[];
        const waits: number[] = [];
        let failed = 0;
        for (const f of movable) {
          const t0 = performance.now();
          const r = await session.postForm(`/firms/${f.uscc}/stage`, { _csrf: csrf, version: String(f.version), source: 'board', to: 'incubating' }, { 'HX-Request': 'true' });
          waits.push(performance.now() - t0);
          if (r.status !== 200) failed++;
        }
        const w = summarize(waits);
        bursts.child.kill();
        await bursts.done;
        report.add(sHttp, 'stage move during the bursts (20 moves, one at a time)', `p95 ${ms(w.p95)}`, `p50 ${ms(w.p50)} · max ${ms(w.max)} · ${failed} not 200`, T.lockMoveP95, w.p95);
      }
    } catch (err) {
      report.error(sHttp, 'HTTP setup', (err as Error).message);
    } finally {
      clearInterval(heapTimer);
      client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }

    report.add(sMem, 'peak during the HTTP runs', `RSS ${mib(rssPeak)}`, `RssAnon ${mib(anonPeak)} · heapUsed ${mib(heapPeak)}`, T.anonLoad, anonPeak);
    metrics['mem.peakAnon'] = anonPeak;
  }

  // ── imports (child processes on copies of the database: the cached file is not written)
  let importPhases: string[] = [];
  if (opts.only.has('imports')) {
    console.log('  imports …');
    try {
      const out = await benchImports({
        firms: N,
        dbFile: dataset.file,
        db,
        dbBuiltAt: meta.builtAt,
        seed: opts.seed,
        rows: opts.importRows,
        profile: opts.importProfile,
        report,
        metrics,
        section: sImp,
      });
      importPhases = out.phases;
    } catch (err) {
      report.error(sImp, 'imports', (err as Error).message);
    }
  }

  // ── exports (issue 10 item 6: 100,000 rows, each format in a child process of its own)
  const sExp = 'Exports: 100,000 rows as XLSX and CSV through src/web/export.ts (streaming), each a child process of its own';
  if (opts.only.has('exports')) {
    console.log('  exports …');
    await benchExports({ dbFile: dataset.file, firms: N, report, section: sExp });
  }

  // Issue 8 item 5 and issue 13 item 5: writes during a large commit, and the commit on PostgreSQL (own databases).
  const sCommit = 'List commit: other writes while a large commit runs (SQLite), and the same commit on SQLite and PostgreSQL (fresh databases of their own)';
  if (opts.only.has('commit')) {
    console.log('  commit …');
    const pgUrl = process.env.BENCH_PG_URL ?? (process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : null);
    try {
      await benchCommits({ report, section: sCommit, rows: opts.importRows, pgRows: Math.max(1, Math.round(opts.importRows / 2)), pgUrl, runs: Number(process.env.BENCH_COMMIT_RUNS ?? 1), metrics });
    } catch (err) {
      report.error(sCommit, 'commit', (err as Error).message);
    }
  }

  const sTwo = 'Two app processes on one PostgreSQL database (issue 13 item 4)';
  if (opts.only.has('twoproc')) {
    console.log('  two processes …');
    const pgUrl = process.env.BENCH_PG_URL ?? (process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : null);
    await benchTwoProcesses({ report, section: sTwo, pgUrl, firms: opts.twoprocFirms, durationMs: opts.durationMs });
  }

  // Last, because it reads every page (and would fill the page cache before the memory figures).
  try {
    const objects = await withConnection(db, async (conn) => {
      try {
        return conn.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8').all() as { name: string; bytes: number }[];
      } catch {
        return [];
      }
    });
    for (let i = 0; i < objects.length; i += 4) {
      report.add(sDb, i === 0 ? 'biggest objects (dbstat)' : '', '', objects.slice(i, i + 4).map((o) => `${o.name} ${mib(o.bytes)}`).join(', '));
    }
  } catch {
    /* dbstat is optional */
  }

  await db.destroy();
  if (dataset.built && !opts.keep) {
    removeDataset(N);
    removeImportFiles(N);
  }

  // ── print
  report.print([sDb, sSql, sHttp, sScale, sMem, sImp, sExp, sCommit, sTwo]);
  if (importPhases.length) {
    console.log('\nImports: where the time goes — the same imports called directly in a child\'s main thread (SQL = time inside better-sqlite3 per statement kind, prepare included; JavaScript/other = the rest of the stage)');
    for (const line of importPhases) console.log(line);
  }
  if (slow.length) {
    console.log('\nStatements ≥ 1 ms (re-timed raw on the app connection, p50; variants of one statement text added up; with EXPLAIN QUERY PLAN)');
    for (const { label, q, s, plan, variants, total } of slow.slice(0, 12)) {
      const more = variants > 1 ? ` — ${variants} variants of this statement (shown: the slowest, ${ms(s.p50)})` : '';
      console.log(`\n  ${ms(total).padStart(9)}  from: ${label.trim()}${more}`);
      console.log(`             ${showSql(q)}`);
      for (const line of plan) console.log(`             │ ${line}`);
    }
  }
  const c = report.counts();
  const failed: string[] = [];
  let lastName = '';
  for (const r of report.rows) {
    const cont = r.what.trim().startsWith('″');
    if (!cont) lastName = r.what.trim();
    if (r.verdict === 'FAIL' || r.verdict === 'ERROR') failed.push(cont ? `${lastName} ${r.what.trim().slice(1).trim()}` : lastName);
  }
  const load1 = os.loadavg()[0]!;
  console.log(`\nran ${((performance.now() - started) / 1000).toFixed(0)} s; 1-min load average ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end${load1 > 1.5 ? ' (the box was busy: other processes compete for the 2 cores, expect noise)' : ''}`);
  console.log(`SUMMARY ${int(N)} firms: ${c.PASS} PASS, ${c.FAIL} FAIL, ${c.ERROR} ERROR${failed.length ? ` — not met: ${failed.join('; ')}` : ''}`);
  return { firms: N, metrics, rows: report.rows };
}

// ───────────────────────────────────────────────────────────── compare mode

/**
 * /board throughput of every size, alternating between them (A B A B …) on servers that run side
 * by side in this process, so that a slow minute of the host hits both sizes alike (perf.md §1.3:
 * compare interleaved, take medians).
 */
async function interleavedBoard(sizes: number[], durationMs: number, pinIt: boolean): Promise<Map<string, number[]>> {
  const servers: { n: number; db: Knex; server: ReturnType<ReturnType<typeof createApp>['listen']>; base: string; headers: Record<string, string> }[] = [];
  const client = new LoadClient();
  const out = new Map<string, number[]>();
  try {
    if (pinIt && canPin() && client.pid) {
      pin(process.pid, 0);
      pin(client.pid, 1);
    }
    for (const n of sizes) {
      const db = createDb(`sqlite:${dbFileFor(n)}`);
      await migrateLatest(db);
      const server = createApp(db, appOptions()).listen(0, '127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const session = new Session(base);
      const page = await session.page('/board');
      if (page.status !== 200) throw new Error(`GET /board on ${int(n)} firms answered ${page.status}`);
      servers.push({ n, db, server, base, headers: session.headers() });
    }
    for (const c of [10, 50]) {
      for (let round = 1; round <= 3; round++) {
        for (const s of round % 2 ? servers : [...servers].reverse()) {
          console.log(`    round ${round}: /board c=${c} on ${int(s.n)} firms …`);
          const r = await client.run({ url: `${s.base}/board`, concurrency: c, durationMs, warmupMs: 1000, headers: s.headers, samplePid: process.pid });
          const key = `${s.n}:c${c}`;
          out.set(key, [...(out.get(key) ?? []), r.errors ? NaN : r.rps]);
        }
      }
    }
  } finally {
    client.close();
    for (const s of servers) {
      await new Promise<void>((resolve) => s.server.close(() => resolve()));
      s.server.closeAllConnections();
      await s.db.destroy();
    }
  }
  return out;
}

async function compare(opts: Options, argv: string[]): Promise<void> {
  const sizes = opts.compare!;
  if (sizes.length < 2) throw new UsageError('--compare takes two or more sizes, e.g. --compare 10000,100000');
  const self = fileURLToPath(import.meta.url);
  const passOn: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--compare' || a === '--firms' || a === '--json') {
      i++;
      continue;
    }
    if (a.startsWith('--compare=') || a.startsWith('--firms=') || a.startsWith('--json=') || a === '--keep' || a === '--rebuild') continue;
    passOn.push(a);
  }
  // Build (or check) every database first; the per-size runs then reuse them.
  const built: number[] = [];
  for (const n of sizes) {
    console.log(`\n═══ database for ${int(n)} firms ═══`);
    const ds = await ensureDataset(n, { seed: opts.seed, rebuild: opts.rebuild, reuse: opts.reuse });
    console.log(`  ${ds.built ? 'built' : 'reusing'} ${ds.file} (${mib(ds.meta.fileBytes)})`);
    if (ds.built) built.push(n);
  }
  const results: SizeResult[] = [];
  try {
    for (const n of sizes) {
      const out = path.join(BENCH_DIR, `result-${n}.json`);
      fs.rmSync(out, { force: true });
      await new Promise<void>((resolve) => {
        const child = fork(self, [...passOn, '--reuse', '--keep', '--firms', String(n), '--json', out], { stdio: 'inherit' });
        child.on('exit', () => resolve());
      });
      if (fs.existsSync(out)) results.push(JSON.parse(fs.readFileSync(out, 'utf8')) as SizeResult);
    }
    const report = new Report();
    if (results.length >= 2) {
      const small = results[0]!;
      const large = results[results.length - 1]!;
      const sec = `Scale, from the separate runs above: ${int(large.firms)} vs ${int(small.firms)} firms (ratio = large / small)`;
      const ratioRow = (what: string, key: string, target?: Target, lowerIsBetter = false) => {
        const a = small.metrics[key];
        const b = large.metrics[key];
        if (a === undefined || b === undefined) return;
        const ratio = lowerIsBetter ? a / b : b / a;
        const fmt = (v: number) => (key.endsWith('rps') ? `${int(v)} req/s` : ms(v));
        report.add(sec, what, ratio.toFixed(2), `${fmt(a)} → ${fmt(b)}`, target, ratio);
      };
      ratioRow('board SQL p50 (speed ratio, small/large time)', 'sql.board.p50', T.scale, true);
      ratioRow('/board c=1 throughput', 'http.board.c1.rps');
      ratioRow('/board c=10 throughput', 'http.board.c10.rps');
      ratioRow('/board c=50 throughput', 'http.board.c50.rps');
      ratioRow('fragment c=10 throughput', 'http.fragment.c10.rps');
      ratioRow('dashboard recompute (speed ratio)', 'http.dashboard.uncached', undefined, true);
    }
    if (opts.only.has('board')) {
      console.log(`\n═══ interleaved /board throughput: ${sizes.map(int).join(' / ')} firms, 3 rounds each at c=10 and c=50 ═══`);
      const rps = await interleavedBoard([sizes[0]!, sizes[sizes.length - 1]!], Math.min(opts.durationMs, 3000), opts.pin);
      const small = sizes[0]!;
      const large = sizes[sizes.length - 1]!;
      const sec = `Scale independence, interleaved (median of 3 alternating runs): ${int(large)} vs ${int(small)} firms`;
      for (const c of [10, 50]) {
        const a = rps.get(`${small}:c${c}`) ?? [];
        const b = rps.get(`${large}:c${c}`) ?? [];
        const med = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)] ?? NaN;
        const ratio = med(b) / med(a);
        report.add(sec, `/board c=${c} throughput, large / small`, ratio.toFixed(2),
          `${int(med(a))} → ${int(med(b))} req/s (runs: ${a.map(int).join(', ')} | ${b.map(int).join(', ')})`, T.scale, ratio);
      }
    }
    report.print();
    const c = report.counts();
    console.log(`\nSUMMARY compare ${sizes.map(int).join(' vs ')}: ${c.PASS} PASS, ${c.FAIL} FAIL${c.FAIL ? ' — something does not hold up with size (see above)' : ''}`);
  } finally {
    if (!opts.keep) {
      for (const n of built) {
        removeDataset(n);
        removeImportFiles(n);
      }
    }
  }
}

// ───────────────────────────────────────────────────────────── main

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    const text = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8');
    console.log(text.slice(0, text.indexOf('*/') + 2));
    return;
  }
  const opts = parseArgs(argv);
  // The logger was configured when the app's modules were imported, before this line: a request
  // line per benchmark request would cost the server CPU and bury the report.
  process.env.LOG_LEVEL ??= 'warn';
  setLogLevel(process.env.LOG_LEVEL as 'debug' | 'info' | 'warn' | 'error');
  process.env.NODE_ENV = 'production';
  if (opts.compare) {
    await compare(opts, argv);
    return;
  }
  const result = await benchSize(opts);
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(result, null, 2));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\nusage: npm run bench -- [--firms N] [--only ${GROUPS.join(',')}] [--keep] [--rebuild|--reuse] [--compare A,B] [--duration S] [--no-pin] [--json FILE] [--import-rows N] [--import-profile]   (--help for more)`);
      process.exit(2);
    }
    console.error('benchmark failed:', err);
    process.exit(1);
  },
);
