/**
 * The live annual report off the request path (issue 13). One computation reads the whole register
 * (at 1M firms, minutes), so the report page answers from the last computation kept in live_reports
 * and says when it was made; a computation older than the last write this process knows of (its own,
 * or another process's through the change feed), or older than MAX_AGE, is redone in the background
 * and the page says it is being redone. The computation runs in a child process with its own
 * connection at the lowest CPU priority, so the pages people are using keep the processor and the
 * server's memory does not grow by the register the report reads. Only one process recomputes a
 * report at a time (the row's lease).
 *
 * With few firms (tests, a small county) the report is computed at once instead: exact, in milliseconds.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { locateDb } from '../../db/knex.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { lastDataWriteAt, ReadModelCache } from '../../lib/cache.js';
import { nowIso } from '../../lib/dates.js';
import { log } from '../../lib/log.js';
import { siblingModule } from '../../lib/worker-thread.js';
import { countByStage, totalOf } from '../firms/stage-counts.queries.js';
import { type LiveReportKey, failLiveReport, liveReportRow, storeLiveReport, takeLiveReportLease } from './live-reports.queries.js';
import { type ReportData, computeReport, reportAsOf } from './report.service.js';

export const liveReportSettings = {
  /** Below this many firms the report is computed for each request (tests may lower it). */
  syncBelowFirms: 20_000,
  /** A kept computation older than this is redone on the next read, writes or not (documented in the README). */
  maxAgeMs: 5 * 60_000,
  /** A computation not finished by then belongs to a process that has gone: another may take over. */
  leaseMs: 20 * 60_000,
};

/** The firms the report page lists (the XLSX has them all). */
export const FIRMS_SHOWN = 200;

/** A computed report as kept: the page's part (with the head of the firm list) and the whole list apart. */
export interface KeptReport {
  data: string;
  firms: string;
}

export function splitReport(report: ReportData): KeptReport {
  return { data: JSON.stringify({ ...report, firms: report.firms.slice(0, FIRMS_SHOWN), firmsTotal: report.firms.length }), firms: JSON.stringify(report.firms) };
}

export interface ReportRequest {
  year: number;
  /** A past date: the report as of that day's end; null: live. */
  asOfDate: string | null;
  jurisdiction: Jurisdiction;
  scopeLabel: string;
}

export type LiveReport =
  | { state: 'ready'; data: ReportData; computedAt: string; refreshing: boolean }
  | { state: 'pending'; error: string | null };

/** What the child process is given (report-job.ts). */
export interface ReportJob extends ReportRequest {
  location: NonNullable<ReturnType<typeof locateDb>>;
  asOf: string;
}

export function scopeKeyOf(j: Jurisdiction): string {
  if (j.parkIds === null) return 'all';
  return `p${[...j.parkIds].sort((a, b) => a - b).join(',')};t${[...(j.townIds ?? [])].sort((a, b) => a - b).join(',')}`;
}

const keyOf = (r: ReportRequest): LiveReportKey => ({ year: r.year, scopeKey: scopeKeyOf(r.jurisdiction), asOfDate: r.asOfDate ?? '' });

function compute(db: Knex, r: ReportRequest, asOf: string): Promise<ReportData> {
  return computeReport(db, r.year, asOf, r.jurisdiction, r.scopeLabel, { live: !r.asOfDate });
}

const JOB_MODULE = siblingModule(import.meta.url, 'report-job');

/** The report computed by a child process (report-job.ts), niced so that interactive requests come first. */
function computeInChild(job: ReportJob): Promise<KeptReport> {
  return new Promise((resolve, reject) => {
    const fromSources = JOB_MODULE.pathname.endsWith('.ts');
    const child = fork(fileURLToPath(JOB_MODULE), [], { execArgv: fromSources ? ['--import', 'tsx'] : [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    try {
      if (child.pid) os.setPriority(child.pid, 19);
    } catch {
      // Not permitted here: it runs at normal priority.
    }
    let settled = false;
    child.once('message', (m: { kept?: KeptReport; error?: string }) => {
      settled = true;
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.kept!);
    });
    child.once('error', reject);
    child.once('exit', (code) => !settled && reject(new Error(`report job exited with ${code}`)));
    child.send(job);
  });
}

const running = new WeakMap<object, Map<string, Promise<void>>>();

/** Recompute one report unless this process or another (the lease) is already at it; resolves when done. */
export function refreshLiveReport(db: Knex, r: ReportRequest): Promise<void> {
  const key = keyOf(r);
  const id = JSON.stringify(key);
  let mine = running.get(db);
  if (!mine) running.set(db, (mine = new Map()));
  const already = mine.get(id);
  if (already) return already;
  const job = (async () => {
    const now = new Date();
    if (!(await takeLiveReportLease(db, key, now, new Date(now.getTime() + liveReportSettings.leaseMs)))) return;
    // The start instant: a write from here on makes this computation stale again.
    const startedAt = now.toISOString();
    const asOf = r.asOfDate ? reportAsOf(r.asOfDate) : startedAt;
    try {
      const location = locateDb(db);
      const kept = location ? await computeInChild({ ...r, location, asOf }) : splitReport(await compute(db, r, asOf));
      await storeLiveReport(db, key, kept.data, kept.firms, startedAt);
    } catch (err) {
      log.error('annual report computation failed', { err, year: r.year, scope: key.scopeKey, asOfDate: key.asOfDate });
      await failLiveReport(db, key, String((err as Error).message ?? err));
    }
  })()
    // Readers do not wait (`void refreshLiveReport(…)`): a rejection here would be unhandled and end the process.
    .catch((err: unknown) => log.error('annual report computation could not start or record its end', { err, year: r.year }))
    .finally(() => mine.delete(id));
  mine.set(id, job);
  return job;
}

// Which path a county takes changes only as it grows: read once a minute (and after each write).
const firmCountCache = new ReadModelCache<number>(60_000);

function firmCount(db: Knex): Promise<number> {
  return firmCountCache.get(db, 'firms', async () => totalOf(await countByStage(db, {}, { parkIds: null })));
}

/**
 * The report to show: computed now (few firms), or the kept one, recomputing it in the background
 * when stale. A kept one has only the head of its firm list unless `withFirms` (the export).
 */
export async function liveReport(db: Knex, r: ReportRequest, opts: { withFirms?: boolean } = {}): Promise<LiveReport> {
  if ((await firmCount(db)) < liveReportSettings.syncBelowFirms) {
    const computedAt = nowIso();
    return { state: 'ready', data: await compute(db, r, r.asOfDate ? reportAsOf(r.asOfDate) : computedAt), computedAt, refreshing: false };
  }
  const key = keyOf(r);
  // The state first (a small row read); the kept figures only when this process has not parsed them yet.
  const row = await liveReportRow(db, key, {});
  const computed = row?.computedAt ? Date.parse(row.computedAt) : null;
  const fresh = computed !== null && computed > lastDataWriteAt() && Date.now() - computed < liveReportSettings.maxAgeMs;
  // Another process holding the lease is at it already: asking again would be two writes per view.
  const leased = !!row?.refreshingUntil && Date.parse(row.refreshingUntil) > Date.now();
  if (!fresh && !leased) void refreshLiveReport(db, r);
  if (!row?.computedAt) return { state: 'pending', error: row?.lastError ?? null };
  const parsed = parsedReports.get(db) ?? new Map<string, ReportData>();
  parsedReports.set(db, parsed);
  const memo = `${JSON.stringify(key)} ${row.computedAt}`;
  const known = opts.withFirms ? undefined : parsed.get(memo);
  if (known) return { state: 'ready', data: known, computedAt: row.computedAt, refreshing: !fresh };
  const full = await liveReportRow(db, key, { data: true, firms: !!opts.withFirms });
  if (!full?.data || !full.computedAt) return { state: 'pending', error: full?.lastError ?? null };
  const data = JSON.parse(full.data) as ReportData;
  if (opts.withFirms && full.firms) data.firms = JSON.parse(full.firms) as ReportData['firms'];
  else {
    parsed.set(`${JSON.stringify(key)} ${full.computedAt}`, data);
    if (parsed.size > PARSED_REPORTS_KEPT) parsed.delete(parsed.keys().next().value as string);
  }
  return { state: 'ready', data, computedAt: full.computedAt, refreshing: !fresh };
}

/**
 * Kept reports as parsed, by key and computation instant (what is kept for an instant never changes):
 * the JSON is tens of kilobytes and the dashboard's charts read it on every view. Read only.
 */
const parsedReports = new WeakMap<object, Map<string, ReportData>>();
const PARSED_REPORTS_KEPT = 20;

/**
 * With many firms, the certification charts of a year as the kept live report has them (the same
 * figures: aggregates.queries certificationCharts), so the dashboard does not aggregate the register
 * per request; null with few firms (the dashboard computes them itself, exactly).
 */
export async function keptReportCharts(db: Knex, r: ReportRequest): Promise<{ charts: ReportData['charts']; computedAt: string; refreshing: boolean } | { pending: true } | null> {
  if ((await firmCount(db)) < liveReportSettings.syncBelowFirms) return null;
  const live = await liveReport(db, r);
  return live.state === 'ready' ? { charts: live.data.charts, computedAt: live.computedAt, refreshing: live.refreshing } : { pending: true };
}

/** What a report says it covers: the county, or a limited caseworker's parks and towns. */
export function scopeLabelOf(actor: Jurisdiction): string {
  if (actor.parkIds === null) return '全市';
  return `本人负责的 ${actor.parkIds.length} 个园区${actor.townIds?.length ? `、${actor.townIds.length} 个镇街` : ''}`;
}

/** When the kept report was last computed (null: none yet) — what the page's status poll asks. */
export async function liveReportComputedAt(db: Knex, r: ReportRequest): Promise<{ computedAt: string | null; error: string | null; refreshing: boolean }> {
  const row = await liveReportRow(db, keyOf(r), {});
  const refreshing = !!row?.refreshingUntil && Date.parse(row.refreshingUntil) > Date.now();
  return { computedAt: row?.computedAt ?? null, error: row?.lastError ?? null, refreshing };
}
