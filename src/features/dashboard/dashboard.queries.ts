/**
 * Conversion from stage events ("ever reached"): of the firms that entered a stage during the
 * chosen year, how many have since reached a later stage on the main line. Read from
 * conversion_counts, which triggers on stage_events keep current (migration 7), so the dashboard
 * costs the same at 1M firms as at 1k. An entry counts in the park and field the firm had when it
 * entered the stage.
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import type { StageKey } from '../../domain/stages.js';
import { applyCounterFilters, type FirmFilters } from '../firms/firm-filters.js';

export interface StageConversionRow {
  stage: StageKey;
  entered: number;
  advanced: number;
}

export async function conversionsForYear(
  db: Db,
  year: number,
  filters: Pick<FirmFilters, 'park' | 'town' | 'field'>,
  actor: Pick<Actor, 'parkIds'>,
): Promise<StageConversionRow[]> {
  const qb = db('conversion_counts').where('year', year).select('stage').sum({ entered: 'entered', advanced: 'advanced' }).groupBy('stage');
  applyCounterFilters(qb, filters, actor);
  const rows = (await qb) as { stage: StageKey; entered: number | string; advanced: number | string }[];
  return rows.map((r) => ({ stage: r.stage, entered: Number(r.entered), advanced: Number(r.advanced) }));
}

/** The years that have any stage event, for the year picker. */
export async function eventYears(db: Db): Promise<{ min: number | null; max: number | null }> {
  const row = (await db('conversion_counts').min({ min: 'year' }).max({ max: 'year' }).first()) as { min: number | null; max: number | null } | undefined;
  return { min: row?.min ?? null, max: row?.max ?? null };
}
