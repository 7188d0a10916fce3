/**
 * /targets: each metric of a year with its target, the actual from the register (or the coaching
 * records), the pacing against a straight line and against the usual batch calendar, year on year,
 * and — for new HTEs — the reserve that could still convert this year.
 */
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { PACE_LABELS, TARGET_METRICS, type TargetMetric, pace, yearOnYear } from '../../domain/targets.js';
import { todayInShanghai } from '../../lib/dates.js';
import { type AggScope, batchCalendar, coachingFigures, convertibleReserve, figureDate, metricActual } from '../reporting/aggregates.queries.js';
import { targetsOf } from './targets.queries.js';

export interface TargetLine {
  metric: TargetMetric;
  label: string;
  unit: string;
  target: number | null;
  version: number;
  actual: number | null;
  previous: number | null;
  pct: number | null;
  linear: number | null;
  calendar: number | null;
  calendarFromHistory: boolean;
  pace: string;
  paceState: string;
  yoy: number | null;
  /** Why there is no actual (coaching not recorded yet). */
  note: string | null;
}

export const COACHING_OFF = '辅导记录尚未启用';

export async function targetLines(db: Db, year: number, parkId: number | null, jurisdiction: Jurisdiction, asOf: string | null = null): Promise<{ lines: TargetLine[]; date: string; reserve: { applying: number; reserve: number } | null }> {
  const scope: AggScope = { asOf, parkId, jurisdiction };
  const date = figureDate(year, asOf);
  const [targets, coaching, coachingPrev] = await Promise.all([targetsOf(db, year, parkId), coachingFigures(db, year, scope), coachingFigures(db, year - 1, scope)]);
  const lines: TargetLine[] = [];
  for (const m of TARGET_METRICS) {
    const t = targets.get(m.key) ?? null;
    const [actual, previous, cal] = await Promise.all([
      metricActual(db, m.key, year, scope, coaching),
      metricActual(db, m.key, year - 1, { ...scope, asOf: asOf ?? null }, coachingPrev),
      batchCalendar(db, m.key, year),
    ]);
    const p = actual === null ? null : pace(actual, t?.value ?? null, year, date, cal.calendar);
    lines.push({
      metric: m.key,
      label: m.label,
      unit: m.unit,
      target: t?.value ?? null,
      version: t?.version ?? 0,
      actual,
      previous,
      pct: p?.pct ?? null,
      linear: p?.linear ?? null,
      calendar: p?.calendar ?? null,
      calendarFromHistory: cal.fromHistory,
      paceState: p?.state ?? 'none',
      pace: p ? PACE_LABELS[p.state] : '—',
      yoy: actual === null ? null : yearOnYear(actual, previous),
      note: actual === null ? COACHING_OFF : null,
    });
  }
  // The reserve can still convert only while the year runs.
  const reserve = date < `${year}-12-31` && date >= `${year}-01-01` && date === todayInShanghai() ? await convertibleReserve(db, scope) : null;
  return { lines, date, reserve };
}
