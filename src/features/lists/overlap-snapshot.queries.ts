/**
 * The lists' overlap as a snapshot (migration 20261202080100): firms per year, set of lists and
 * park/town keys, recomputed off the request path, so /lists and /lists/overlap read a few
 * thousand rows at any number of firms (issue 13). The pages say when it was computed.
 *
 * Freshness: a list commit or revert marks it stale (markListAggregatesStale, in the write's own
 * transaction); the next reader then starts a recompute in the background and is answered from
 * the snapshot it has. The snapshot is also recomputed once it is older than SNAPSHOT_MAX_AGE_MS
 * (it keys firms by park and town, which profile edits change). With few firms (tests, a small
 * county) the reader recomputes it at once instead, so what it shows is exact. Only one process
 * recomputes at a time (a lease row), whichever of several app processes saw it first.
 */
import type { Knex } from 'knex';
import { isSqlite } from '../../db/dialect.js';
import { selectOffThread } from '../../db/offload.js';
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { LIST_KINDS, type ListKindKey } from '../../domain/list-kinds.js';
import { shanghaiDateTime } from '../../lib/dates.js';
import { log } from '../../lib/log.js';
import { applyCounterFilters, type FirmFilters } from '../firms/firm-filters.js';
import { countByStage, totalOf } from '../firms/stage-counts.queries.js';

export const OVERLAP_SNAPSHOT = 'list_overlap';
/** A snapshot older than this is recomputed in the background on the next read. */
export const SNAPSHOT_MAX_AGE_MS = 5 * 60_000;
/** Below this many firms a stale snapshot is recomputed before answering (it takes milliseconds). */
export const SYNC_REFRESH_FIRMS = 20_000;

export const kindBit = (kind: ListKindKey) => 1 << LIST_KINDS.findIndex((k) => k.key === kind);

/** kindBit in SQL, of the entry aliased `l`: summed DISTINCT per firm and year, a firm's set of lists. */
export const ENTRY_BIT_SQL = `CASE l.kind ${LIST_KINDS.map((k, i) => `WHEN '${k.key}' THEN ${1 << i}`).join(' ')} ELSE 0 END`;

function computeSql(db: Knex): string {
  const current = isSqlite(db) ? 'l.is_current = 1' : 'l.is_current';
  return `SELECT m.year AS year, m.mask AS mask, coalesce(f.park_id, 0) AS park_key, coalesce(f.town_id, 0) AS town_key, count(*) AS n
    FROM (SELECT l.firm_id, l.year, sum(DISTINCT ${ENTRY_BIT_SQL}) AS mask FROM list_entries l WHERE ${current} GROUP BY l.firm_id, l.year) m
    JOIN firms f ON f.id = m.firm_id
    WHERE m.mask > 0
    GROUP BY m.year, m.mask, coalesce(f.park_id, 0), coalesce(f.town_id, 0)`;
}

interface CountRow {
  year: number;
  mask: number;
  park_key: number;
  town_key: number;
  n: number | string;
}

/** A write changed the lists: the snapshot no longer holds (inside the write's transaction). */
export async function markListAggregatesStale(db: Db): Promise<void> {
  await db('aggregate_snapshots').where({ name: OVERLAP_SNAPSHOT }).update({ stale: true });
}

/** The counts computed now from list_entries and firms, the way the snapshot stores them. */
export async function recountOverlap(db: Knex): Promise<CountRow[]> {
  return selectOffThread<CountRow>(db, computeSql(db));
}

/** Recompute and replace the snapshot (the demo builder calls it once after loading). */
export async function refreshOverlapSnapshot(db: Knex): Promise<void> {
  const startedAt = new Date().toISOString();
  // Cleared before computing: a write from here on marks the new snapshot stale again.
  await db('aggregate_snapshots').insert({ name: OVERLAP_SNAPSHOT, computed_at: startedAt, stale: false }).onConflict('name').merge(['stale']);
  const rows = await recountOverlap(db);
  await db.transaction(async (trx) => {
    await trx('list_overlap_counts').delete();
    for (let i = 0; i < rows.length; i += 400) {
      await trx('list_overlap_counts').insert(rows.slice(i, i + 400).map((r) => ({ year: Number(r.year), mask: Number(r.mask), park_key: Number(r.park_key), town_key: Number(r.town_key), n: Number(r.n) })));
    }
    await trx('aggregate_snapshots').where({ name: OVERLAP_SNAPSHOT }).update({ computed_at: startedAt, refreshing_until: null });
  });
}

const running = new WeakMap<object, Promise<void>>();

/** Start a recompute unless one runs already (here, or in another process holding the lease). */
function refreshInBackground(db: Knex): void {
  if (running.has(db)) return;
  const job = (async () => {
    const now = new Date();
    const until = new Date(now.getTime() + 10 * 60_000).toISOString();
    const won = await db('aggregate_snapshots')
      .where({ name: OVERLAP_SNAPSHOT })
      .andWhere((w) => w.whereNull('refreshing_until').orWhere('refreshing_until', '<', now.toISOString()))
      .update({ refreshing_until: until });
    if (won) await refreshOverlapSnapshot(db);
  })()
    .catch((err: unknown) => log.error('list overlap snapshot refresh failed', { err }))
    .finally(() => running.delete(db));
  running.set(db, job);
}

/** The county's firms, from the counter table's cached sums (summing tens of thousands of rows per view was a millisecond). */
async function firmCount(db: Db): Promise<number> {
  return totalOf(await countByStage(db, {}, { parkIds: null }));
}

/** The snapshot's time, recomputing first or in the background as the rules above say. */
async function ensureSnapshot(db: Knex): Promise<string> {
  const meta = (await db('aggregate_snapshots').where({ name: OVERLAP_SNAPSHOT }).first('computed_at', 'stale', 'refreshing_until')) as
    | { computed_at: string; stale: boolean | number; refreshing_until: unknown }
    | undefined;
  const old = meta && (Boolean(meta.stale) || Date.now() - Date.parse(meta.computed_at) > SNAPSHOT_MAX_AGE_MS);
  // Another process holding the lease is recomputing it already: asking again would be a write per view.
  const until = meta?.refreshing_until;
  const leased = until != null && new Date(until as string | Date).getTime() > Date.now();
  if (!meta || (old && (await firmCount(db)) < SYNC_REFRESH_FIRMS)) {
    // Single-flight: readers arriving meanwhile wait for the same recompute.
    let job = running.get(db);
    if (!job) {
      job = refreshOverlapSnapshot(db).finally(() => running.delete(db));
      running.set(db, job);
    }
    await job;
    return ((await db('aggregate_snapshots').where({ name: OVERLAP_SNAPSHOT }).first('computed_at')) as { computed_at: string }).computed_at;
  }
  if (old && !leased) refreshInBackground(db);
  return meta.computed_at;
}

/** Snapshot rows for the actor's jurisdiction and the park filter (the only filter these pages offer). */
async function snapshotRows(db: Knex, filters: FirmFilters, actor: Jurisdiction, year?: number): Promise<{ rows: CountRow[]; computedAt: string }> {
  const computedAt = await ensureSnapshot(db);
  const qb = db('list_overlap_counts').select('year', 'mask').sum({ n: 'n' }).groupBy('year', 'mask');
  if (year !== undefined) qb.where('year', year);
  applyCounterFilters(qb, { park: filters.park, town: filters.town }, actor);
  return { rows: (await qb) as CountRow[], computedAt };
}

const popcount = (m: number) => [...m.toString(2)].filter((c) => c === '1').length;

/** What the overlap pages ask for: firms on every one of `kinds`, on exactly `count` or at least `minCount` lists. */
export interface MaskQuery {
  kinds: readonly ListKindKey[];
  count?: number;
  minCount?: number;
}

/** The sets of lists (bit masks, kindBit) a firm may be on to match the query. */
export function matchingMasks(q: MaskQuery): number[] {
  const need = q.kinds.reduce((m, k) => m | kindBit(k), 0);
  const out: number[] = [];
  for (let mask = 1; mask < 1 << LIST_KINDS.length; mask++) {
    if ((mask & need) !== need) continue;
    if (q.count !== undefined && popcount(mask) !== q.count) continue;
    if (q.minCount !== undefined && popcount(mask) < q.minCount) continue;
    out.push(mask);
  }
  return out;
}

/** How many firms of a year match, from the snapshot (the jurisdiction and the park filter apply). */
export async function overlapTotal(db: Knex, year: number, q: MaskQuery, filters: FirmFilters, actor: Jurisdiction): Promise<{ total: number; computedAt: string }> {
  const { rows, computedAt } = await snapshotRows(db, filters, actor, year);
  const masks = new Set(matchingMasks(q));
  return { total: rows.reduce((sum, r) => sum + (masks.has(Number(r.mask)) ? Number(r.n) : 0), 0), computedAt };
}

export interface Overlap {
  byCount: Record<1 | 2 | 3 | 4, number>;
  matrix: Record<ListKindKey, Record<ListKindKey, number>>;
  /** When the snapshot was computed (ISO instant). */
  computedAt: string;
}

/** Firms by the number of lists they are on in a year, and the pairwise matrix (diagonal: each list). */
export async function overlapForYear(db: Knex, year: number, filters: FirmFilters, actor: Jurisdiction): Promise<Overlap> {
  const { rows, computedAt } = await snapshotRows(db, filters, actor, year);
  const byCount = { 1: 0, 2: 0, 3: 0, 4: 0 } as Overlap['byCount'];
  const matrix = Object.fromEntries(LIST_KINDS.map((a) => [a.key, Object.fromEntries(LIST_KINDS.map((b) => [b.key, 0]))])) as Overlap['matrix'];
  for (const r of rows) {
    const n = Number(r.n);
    const c = popcount(Number(r.mask)) as 1 | 2 | 3 | 4;
    if (c >= 1 && c <= 4) byCount[c] += n;
    for (const a of LIST_KINDS) for (const b of LIST_KINDS) if (Number(r.mask) & kindBit(a.key) && Number(r.mask) & kindBit(b.key)) matrix[a.key][b.key] += n;
  }
  return { byCount, matrix, computedAt };
}

/** Firms per list and year (current entries), newest year first, for the lists page. */
export async function listSizes(db: Knex, actor: Jurisdiction): Promise<{ sizes: { kind: ListKindKey; year: number; firms: number }[]; computedAt: string }> {
  const { rows, computedAt } = await snapshotRows(db, {}, actor);
  const sizes = new Map<string, { kind: ListKindKey; year: number; firms: number }>();
  for (const r of rows) {
    for (const k of LIST_KINDS) {
      if (!(Number(r.mask) & kindBit(k.key))) continue;
      const key = `${r.year}:${k.key}`;
      const s = sizes.get(key) ?? { kind: k.key, year: Number(r.year), firms: 0 };
      s.firms += Number(r.n);
      sizes.set(key, s);
    }
  }
  return { sizes: [...sizes.values()].sort((a, b) => b.year - a.year || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)), computedAt };
}

/** "HH:MM" for a snapshot of today (Shanghai), else "YYYY-MM-DD HH:MM": the pages say 截至 …. */
export function asOfLabel(computedAt: string, now = new Date()): string {
  const at = shanghaiDateTime(computedAt);
  return at.slice(0, 10) === shanghaiDateTime(now).slice(0, 10) ? at.slice(11) : at;
}
