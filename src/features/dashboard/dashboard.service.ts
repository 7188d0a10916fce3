/**
 * The funnel: firms per stage now (the same numbers as the board, from the same counts), and the
 * conversion from each stage to the next over a chosen year, computed from stage events.
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { STAGES, type StageKey, nextStage, stageLabel, tierLabel } from '../../domain/stages.js';
import { ReadModelCache } from '../../lib/cache.js';
import type { FirmFilters } from '../firms/firm-filters.js';
import { countByStage, totalOf } from '../firms/stage-counts.queries.js';
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
}

const cache = new ReadModelCache<FunnelView>(60_000);

export function clearDashboardCache(): void {
  cache.clear();
}

export async function loadFunnel(
  db: Db,
  year: number,
  filters: FirmFilters,
  actor: Pick<Actor, 'parkIds'>,
  currentYear: number,
): Promise<FunnelView> {
  const key = JSON.stringify({ year, filters, parkIds: actor.parkIds });
  return cache.get(key, async () => {
    const [counts, conversions, span] = await Promise.all([
      countByStage(db, filters, actor),
      conversionsForYear(db, year, filters, actor),
      eventYears(db),
    ]);
    const byStage = new Map(conversions.map((c) => [c.stage, c]));
    const main = STAGES.filter((s) => s.order !== null);
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
    };
  });
}
