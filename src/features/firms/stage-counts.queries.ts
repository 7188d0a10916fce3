/**
 * Firms per stage under the board's filters. Park, town and field filters read the trigger-kept
 * stage_counts table (constant time at any size); other filters count live with the same WHERE
 * clause as the cards, so a column's count always agrees with what the column can show.
 * Candidates a list revert took out (firms.withdrawn_batch_id) are not counted: they never
 * entered cultivation (the counter table leaves them out by trigger, the live count here).
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { STAGE_KEYS, type StageKey } from '../../domain/stages.js';
import { ReadModelCache } from '../../lib/cache.js';
import { applyCounterFilters, applyFirmFilters, hasOnlyCountableFilters, type FirmFilters } from './firm-filters.js';

export type StageCounts = Record<StageKey, number>;

function emptyCounts(): StageCounts {
  return Object.fromEntries(STAGE_KEYS.map((s) => [s, 0])) as StageCounts;
}

/**
 * The counter table's sums, cached until the next write (lib/cache.ts: this process's writes, and
 * another's through the change feed; the TTL bounds the rest): at 1M firms the table has tens of
 * thousands of (park, town, field, stage) rows and summing them was a third of the board's SQL.
 */
const counterSums = new ReadModelCache<{ stage: StageKey; n: number | string }[]>(30_000);

export async function countByStage(db: Db, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>): Promise<StageCounts> {
  const counts = emptyCounts();
  let rows: { stage: StageKey; n: number | string }[];
  if (hasOnlyCountableFilters(filters)) {
    const key = JSON.stringify({ filters, parkIds: actor.parkIds, townIds: (actor as Partial<Pick<Actor, 'townIds'>>).townIds ?? null });
    rows = await counterSums.get(db, key, async () => {
      const qb = db('stage_counts').select('stage').sum({ n: 'n' }).groupBy('stage');
      applyCounterFilters(qb, filters, actor);
      if (filters.stage !== undefined) qb.where('stage', filters.stage);
      return (await qb) as typeof rows;
    });
  } else {
    const qb = db('firms as f').select('f.stage as stage').count({ n: '*' }).whereNull('f.withdrawn_batch_id').groupBy('f.stage');
    applyFirmFilters(db, qb, filters, actor);
    rows = (await qb) as typeof rows;
  }
  for (const r of rows) if (r.stage in counts) counts[r.stage] = Number(r.n);
  return counts;
}

/** Withdrawn candidates under the same filters: the firm list still finds them (few; an index on the column). */
export async function countWithdrawn(db: Db, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>): Promise<number> {
  if (filters.stage !== undefined && filters.stage !== 'exited') return 0;
  const qb = db('firms as f').whereNotNull('f.withdrawn_batch_id').count({ n: '*' });
  applyFirmFilters(db, qb, filters, actor);
  const row = (await qb.first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/**
 * How many firms the firm list finds under the filters: the counted stages and the withdrawn
 * candidates. A search alone, by an actor who sees every firm, is its resolved ids (each one a
 * firm): counting them again over the table would read up to 1,000 rows twice per page.
 */
export async function countListed(db: Db, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>): Promise<number> {
  const onlySearch = Object.keys(filters).every((k) => k === 'q' || k === 'matchIds' || k === 'matchCapped');
  if (filters.matchIds !== undefined && onlySearch && actor.parkIds === null) return filters.matchIds.length;
  const [counts, withdrawn] = await Promise.all([countByStage(db, filters, actor), countWithdrawn(db, filters, actor)]);
  return totalOf(counts) + withdrawn;
}

export function totalOf(counts: StageCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Firms per park and stage (from the counter table), for the dashboard's park chart. */
export async function countByParkAndStage(db: Db, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>): Promise<{ parkId: number | null; stage: StageKey; n: number }[]> {
  const qb = db('stage_counts').select('park_key', 'stage').sum({ n: 'n' }).groupBy('park_key', 'stage');
  applyCounterFilters(qb, filters, actor);
  const rows = (await qb) as { park_key: number; stage: StageKey; n: number | string }[];
  return rows.map((r) => ({ parkId: r.park_key === 0 ? null : r.park_key, stage: r.stage, n: Number(r.n) }));
}
