/**
 * Time in stage is derived from the stage events, never stored (design.md): each event opens a
 * period in its target stage that the next event closes; the last period is still running.
 */
import { shanghaiDate } from '../lib/dates.js';
import { daysBetween } from './eligibility/dates.js';
import type { StageKey } from './stages.js';

export interface StageEventLike {
  toStage: StageKey;
  /** ISO instant. */
  at: string;
}

export interface StagePeriod {
  stage: StageKey;
  from: string;
  /** null while the firm is still in this stage. */
  until: string | null;
  /** Calendar days (Asia/Shanghai) spent; for the open period, up to `today`. */
  days: number;
}

/** Events in any order; `today` is a Shanghai calendar date. */
export function stagePeriods(events: readonly StageEventLike[], today: string): StagePeriod[] {
  const sorted = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return sorted.map((e, i) => {
    const next = sorted[i + 1];
    const until = next ? next.at : null;
    const endDate = until ? shanghaiDate(until) : today;
    return { stage: e.toStage, from: e.at, until, days: Math.max(0, daysBetween(shanghaiDate(e.at), endDate)) };
  });
}

/** Days since the firm entered its current stage (the latest event), as shown on board cards. */
export function daysInCurrentStage(enteredAt: string | null, today: string): number | null {
  return enteredAt ? Math.max(0, daysBetween(shanghaiDate(enteredAt), today)) : null;
}

/** Total days per stage over the whole history (a firm may pass through a stage twice). */
export function totalDaysByStage(periods: readonly StagePeriod[]): Map<StageKey, number> {
  const totals = new Map<StageKey, number>();
  for (const p of periods) totals.set(p.stage, (totals.get(p.stage) ?? 0) + p.days);
  return totals;
}
