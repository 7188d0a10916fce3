/**
 * "No successful contact in N days" (coaching.md §2 complaint 2: the inactive rule differed between
 * pages, 30 days on one and 14 on another; CASA #186). One definition: a firm has gone without
 * contact when its latest *reached* interaction (not a call nobody answered) is N or more Shanghai
 * calendar days before today, or it has none; N is set per stage by an administrator.
 */
import { addDays, daysBetween } from '../eligibility/dates.js';
import type { StageKey } from '../stages.js';

/** The thresholds a fresh installation starts with; an administrator changes them (/coaching/settings). */
export const DEFAULT_CONTACT_DAYS: Partial<Record<StageKey, number>> = {
  incubating: 180,
  tech_sme: 120,
  hte_reserve: 60,
  hte_applying: 30,
  hte_certified: 180,
  benchmark: 180,
};

/** Stages that carry a threshold: candidates are not yet coached, exited firms no longer are. */
export const CONTACT_RULE_STAGES: readonly StageKey[] = ['incubating', 'tech_sme', 'hte_reserve', 'hte_applying', 'hte_certified', 'benchmark'];

export const CONTACT_DAYS_LIMITS = { min: 1, max: 730 } as const;

/** A firm with its last reached contact before this date (or none) counts as without contact. */
export function contactCutoff(today: string, days: number): string {
  return addDays(today, -days + 1);
}

/** Whether a firm whose last reached contact was `lastReachedOn` (null: never) is without contact. */
export function isWithoutContact(lastReachedOn: string | null, today: string, days: number): boolean {
  return lastReachedOn === null || lastReachedOn < contactCutoff(today, days);
}

/** Days since the last reached contact, or null for never. */
export function daysSinceContact(lastReachedOn: string | null, today: string): number | null {
  return lastReachedOn === null ? null : daysBetween(lastReachedOn, today);
}
