/**
 * The coaching figures the reports count (T7, and the actuals of 技术需求征集 and 对接活动): visits,
 * events and attendance, demands by status. Read from the coaching slice's query module once its
 * tables exist; until then `null`, and the pages say "辅导记录尚未启用" instead of a zero.
 */
import type { Db } from '../../db/types.js';
import type { AggScope } from './aggregates.queries.js';

export interface CoachingFigures {
  visits: number;
  events: number;
  attendance: number;
  demandsCollected: number;
  demandsByStatus: { status: string; label: string; n: number }[];
  demandsByMonth: number[];
  eventsByMonth: number[];
}

export async function coachingFigures(_db: Db, _year: number, _scope: AggScope): Promise<CoachingFigures | null> {
  return null;
}
