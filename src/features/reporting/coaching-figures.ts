/**
 * The coaching figures the reports count (T7, and the actuals of 技术需求征集 and 对接活动): visits and
 * firms reached (as /coaching/summary counts them), events and the firms attending, demands collected and by status — each from
 * its owner's query module, as recorded by the report's as-of instant. `null` while no coaching has
 * ever been recorded: the pages then say "辅导记录尚未启用" instead of a zero.
 */
import type { Db } from '../../db/types.js';
import { DEMAND_STATUSES } from '../../domain/demands.js';
import { nowIso } from '../../lib/dates.js';
import { anyInteraction } from '../coaching/interactions.queries.js';
import { contactFigures } from '../coaching-figures/coaching-figures.queries.js';
import { demandFiguresOfYear } from '../demands/demands.queries.js';
import { eventFiguresOfYear } from '../events/events.queries.js';
import type { AggScope } from './aggregates.queries.js';

export interface CoachingFigures {
  /** Counted as /coaching/summary counts them (coaching-figures.queries.ts), as of the report's instant. */
  visits: number;
  firmsContacted: number;
  events: number;
  attendance: number;
  demandsCollected: number;
  demandsByStatus: { status: string; label: string; n: number }[];
  demandsByMonth: number[];
  eventsByMonth: number[];
}

export async function coachingFigures(db: Db, year: number, scope: AggScope): Promise<CoachingFigures | null> {
  const asOf = scope.asOf ? (/^\d{4}-\d{2}-\d{2}$/.test(scope.asOf) ? `${scope.asOf}T15:59:59.999Z` : scope.asOf) : nowIso();
  // A park's figures (a target per park) count its firms; otherwise the reader's jurisdiction.
  const actor = scope.parkId ? { parkIds: [scope.parkId], townIds: [] } : { parkIds: scope.jurisdiction?.parkIds ?? null, townIds: scope.jurisdiction?.townIds ?? [] };
  const [{ visits, firmsContacted }, events, demands] = await Promise.all([contactFigures(db, year, actor, asOf), eventFiguresOfYear(db, year, asOf, actor), demandFiguresOfYear(db, year, asOf, actor)]);
  const demandsCollected = demands.byMonth.reduce((a, b) => a + b, 0);
  const eventCount = events.byMonth.reduce((a, b) => a + b, 0);
  if (firmsContacted === 0 && visits === 0 && eventCount === 0 && demandsCollected === 0 && !(await anyInteraction(db))) return null;
  return {
    visits,
    firmsContacted,
    events: eventCount,
    attendance: events.attended,
    demandsCollected,
    demandsByStatus: DEMAND_STATUSES.map((s) => ({ status: s.key, label: s.label, n: demands.byStatus.get(s.key) ?? 0 })),
    demandsByMonth: demands.byMonth,
    eventsByMonth: events.byMonth,
  };
}
