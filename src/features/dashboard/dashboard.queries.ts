/**
 * Conversion from stage events ("ever reached"): of the firms that entered a stage during the
 * chosen year, how many have since reached a later stage on the main line.
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { STAGES, type StageKey } from '../../domain/stages.js';
import { shanghaiYearBounds } from '../../lib/dates.js';
import { applyFirmFilters, type FirmFilters } from '../firms/firm-filters.js';

export interface StageConversionRow {
  stage: StageKey;
  entered: number;
  advanced: number;
}

/** `CASE col WHEN 'candidate' THEN 0 … END`: a stage's position on the main line, NULL for exited. */
function stageOrderSql(db: Db, column: string): Knex.Raw {
  const main = STAGES.filter((s) => s.order !== null);
  const whens = main.map(() => 'WHEN ? THEN ?').join(' ');
  return db.raw(`CASE ?? ${whens} END`, [column, ...main.flatMap((s) => [s.key, s.order!])]);
}

export async function conversionsForYear(
  db: Db,
  year: number,
  filters: FirmFilters,
  actor: Pick<Actor, 'parkIds'>,
): Promise<StageConversionRow[]> {
  const { start, end } = shanghaiYearBounds(year);
  const later = db('stage_events as n')
    .select(db.raw('1'))
    .whereRaw('n.firm_id = e.firm_id')
    .whereRaw('n.at >= e.at')
    .whereRaw('? > ?', [stageOrderSql(db, 'n.to_stage'), stageOrderSql(db, 'e.to_stage')]);
  const qb = db('stage_events as e')
    .join('firms as f', 'f.id', 'e.firm_id')
    .select('e.to_stage as stage')
    .countDistinct({ entered: 'e.firm_id' })
    .select(db.raw('count(DISTINCT CASE WHEN EXISTS ? THEN e.firm_id END) AS advanced', [later]))
    .where('e.at', '>=', start)
    .andWhere('e.at', '<', end)
    .groupBy('e.to_stage');
  applyFirmFilters(db, qb, { ...filters, stage: undefined }, actor);
  const rows = (await qb) as { stage: StageKey; entered: number | string; advanced: number | string }[];
  return rows.map((r) => ({ stage: r.stage, entered: Number(r.entered), advanced: Number(r.advanced) }));
}

/** The years that have any stage event, for the year picker. */
export async function eventYears(db: Db): Promise<{ min: number | null; max: number | null }> {
  const row = (await db('stage_events').min({ min: 'at' }).max({ max: 'at' }).first()) as { min: string | null; max: string | null } | undefined;
  const year = (iso: string | null) => (iso ? Number(new Date(Date.parse(iso) + 8 * 3600 * 1000).toISOString().slice(0, 4)) : null);
  return { min: year(row?.min ?? null), max: year(row?.max ?? null) };
}
