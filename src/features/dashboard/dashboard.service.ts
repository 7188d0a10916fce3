/**
 * The funnel: firms per stage now (the same numbers as the board, from the same counts), and the
 * conversion from each stage to the next over a chosen year, computed from stage events.
 */
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { MAIN_LINE, TIERS, type StageKey, nextStage, stageDef, stageLabel, tierLabel } from '../../domain/stages.js';
import { ReadModelCache } from '../../lib/cache.js';
import type { FirmFilters } from '../firms/firm-filters.js';
import { countByParkAndStage, countByStage, totalOf } from '../firms/stage-counts.queries.js';
import { listParks, type Park } from '../parks/parks.queries.js';
import { conversionsForYear, eventYears } from './dashboard.queries.js';

export interface FunnelRow {
  stage: StageKey;
  label: string;
  tier: string;
  current: number;
  entered: number;
  advanced: number;
  /** advanced / entered, or null when nobody entered. */
  rate: number | null;
  nextLabel: string | null;
}

export interface FunnelView {
  year: number;
  years: number[];
  rows: FunnelRow[];
  exited: { current: number; entered: number };
  total: number;
  /** Firms on the main line (everything but exited). */
  inPipeline: number;
  chart: { labels: string[]; counts: number[] };
  /** Firms in the pipeline per park, stacked by tier: labels are park names. */
  parkChart: { labels: string[]; series: { label: string; counts: number[] }[] };
}

const cache = new ReadModelCache<FunnelView>(60_000);

export function clearDashboardCache(): void {
  cache.clear();
}

/** Parks with firms in them, largest first; each tier a series (candidates and exits left out). */
function parkChart(byPark: { parkId: number | null; stage: StageKey; n: number }[], parks: Park[]): FunnelView['parkChart'] {
  const name = new Map(parks.map((p) => [p.id, p.name]));
  const totals = new Map<number | null, Map<string, number>>();
  for (const r of byPark) {
    const tier = stageDef(r.stage).tier;
    if (!tier || r.n === 0) continue;
    const perTier = totals.get(r.parkId) ?? new Map<string, number>();
    perTier.set(tier, (perTier.get(tier) ?? 0) + r.n);
    totals.set(r.parkId, perTier);
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const ordered = [...totals.entries()].sort((a, b) => sum(b[1]) - sum(a[1]));
  return {
    labels: ordered.map(([id]) => (id === null ? '未落园区' : (name.get(id) ?? String(id)))),
    series: TIERS.map((t) => ({ label: t.label, counts: ordered.map(([, m]) => m.get(t.key) ?? 0) })),
  };
}

export async function loadFunnel(
  db: Db,
  year: number,
  filters: FirmFilters,
  actor: Jurisdiction,
  currentYear: number,
): Promise<FunnelView> {
  const key = JSON.stringify({ year, filters, parkIds: actor.parkIds, townIds: actor.townIds ?? [] });
  return cache.get(db, key, async () => {
    const [counts, conversions, span, byPark, parks] = await Promise.all([
      countByStage(db, filters, actor),
      conversionsForYear(db, year, filters, actor),
      eventYears(db),
      countByParkAndStage(db, filters, actor),
      listParks(db),
    ]);
    const byStage = new Map(conversions.map((c) => [c.stage, c]));
    const main = MAIN_LINE.map(stageDef);
    const rows: FunnelRow[] = main.map((s) => {
      const c = byStage.get(s.key);
      const next = nextStage(s.key);
      const entered = c?.entered ?? 0;
      const advanced = next ? (c?.advanced ?? 0) : 0;
      return {
        stage: s.key,
        label: s.label,
        tier: tierLabel(s.tier) || '—',
        current: counts[s.key],
        entered,
        advanced,
        rate: next && entered > 0 ? advanced / entered : null,
        nextLabel: next ? stageLabel(next) : null,
      };
    });
    const first = Math.min(span.min ?? currentYear, currentYear);
    const years: number[] = [];
    for (let y = currentYear; y >= first; y--) years.push(y);
    return {
      year,
      years,
      rows,
      exited: { current: counts.exited, entered: byStage.get('exited')?.entered ?? 0 },
      total: totalOf(counts),
      inPipeline: totalOf(counts) - counts.exited,
      chart: { labels: rows.map((r) => r.label), counts: rows.map((r) => r.current) },
      parkChart: parkChart(byPark, parks),
    };
  });
}
