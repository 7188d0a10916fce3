/** All SQL over live_reports: the last computation of each live (or as-of) report, and its lease. */
import type { Db } from '../../db/types.js';

export interface LiveReportKey {
  year: number;
  scopeKey: string;
  /** '' for the live report. */
  asOfDate: string;
}

export interface LiveReportRow {
  /** The report without its firm list (JSON). */
  data: string | null;
  /** The firm list (JSON), when asked for. */
  firms: string | null;
  /** When the computation that produced `data` started (ISO instant), or null: none finished yet. */
  computedAt: string | null;
  refreshingUntil: string | null;
  lastError: string | null;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));
const where = (k: LiveReportKey) => ({ year: k.year, scope_key: k.scopeKey, as_of_date: k.asOfDate });

export async function liveReportRow(db: Db, k: LiveReportKey, read: { data?: boolean; firms?: boolean } = { data: true }): Promise<LiveReportRow | null> {
  const cols = ['computed_at', 'refreshing_until', 'last_error', ...(read.data ? ['data'] : []), ...(read.firms ? ['firms'] : [])];
  const r = (await db('live_reports').where(where(k)).first(cols)) as { data?: string | null; firms?: string | null; computed_at: unknown; refreshing_until: unknown; last_error: string | null } | undefined;
  if (!r) return null;
  return { data: r.data ?? null, firms: r.firms ?? null, computedAt: iso(r.computed_at), refreshingUntil: iso(r.refreshing_until), lastError: r.last_error };
}

/** Take the lease to recompute a row (creating it) unless another holds it: true when taken. */
export async function takeLiveReportLease(db: Db, k: LiveReportKey, now: Date, until: Date): Promise<boolean> {
  await db('live_reports').insert({ ...where(k), data: null, firms: null, computed_at: null, refreshing_until: null, last_error: null }).onConflict(['year', 'scope_key', 'as_of_date']).ignore();
  const taken = await db('live_reports')
    .where(where(k))
    .andWhere((w) => w.whereNull('refreshing_until').orWhere('refreshing_until', '<', now.toISOString()))
    .update({ refreshing_until: until.toISOString() });
  return Number(taken) > 0;
}

export async function storeLiveReport(db: Db, k: LiveReportKey, data: string, firms: string, computedAt: string): Promise<void> {
  await db('live_reports').where(where(k)).update({ data, firms, computed_at: computedAt, refreshing_until: null, last_error: null });
}

export async function failLiveReport(db: Db, k: LiveReportKey, error: string): Promise<void> {
  await db('live_reports').where(where(k)).update({ refreshing_until: null, last_error: error.slice(0, 500) });
}
