/**
 * The reserve ranked by how close each firm is to certification, from the stored summaries
 * (eligibility_current): fewest failing conditions first, then fewest missing data, then the
 * smallest R&D gap. Scope and filters as everywhere else.
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import type { Status } from '../../domain/eligibility/index.js';
import type { StageKey } from '../../domain/stages.js';
import { applyFirmFilters, type FirmFilters } from '../firms/firm-filters.js';
import { type SummaryColumns, summaryOfRow } from './eligibility.queries.js';

export type ReserveFocus = 'all' | 'near' | 'missing' | 'ready';

export interface ReserveQuery {
  ruleSet: 'hte-2016' | 'tsme-2017';
  stages: StageKey[];
  focus: ReserveFocus;
}

export interface ReserveRow {
  uscc: string;
  name: string;
  stage: StageKey;
  parkName: string | null;
  status: Status;
  fails: number;
  missing: number;
  reviews: number;
  rdGap: number | null;
  summary: string | null;
  asOf: string;
}

export async function rankedReserve(db: Db, q: ReserveQuery, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>, limit: number, offset: number, withTotal = true): Promise<{ total: number; rows: ReserveRow[] }> {
  const base = db('eligibility_current as e')
    .join('firms as f', 'f.id', 'e.firm_id')
    .where('e.rule_set', q.ruleSet)
    .whereIn('f.stage', q.stages);
  applyFirmFilters(db, base, filters, actor);
  if (q.focus === 'near') base.whereRaw('e.fails + e.missing = 1');
  if (q.focus === 'missing') base.where('e.missing', '>', 0);
  if (q.focus === 'ready') base.where({ 'e.fails': 0, 'e.missing': 0 });
  const total = withTotal ? Number(((await base.clone().count({ n: '*' }).first()) as { n: number | string }).n) : -1;
  const rows = (await base
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .select('f.uscc', 'f.name', 'f.stage', 'p.name as park_name', 'e.status', 'e.fails', 'e.missing', 'e.reviews', 'e.rd_gap', 'e.summary', 'e.as_of')
    .orderByRaw('e.fails + e.missing, e.fails, coalesce(e.rd_gap, 0), f.name, f.id')
    .limit(limit)
    .offset(offset)) as (SummaryColumns & { uscc: string; name: string; stage: StageKey; park_name: string | null })[];
  return {
    total,
    rows: rows.map((r) => ({ uscc: r.uscc, name: r.name, stage: r.stage, parkName: r.park_name, ...summaryOfRow(r) })),
  };
}
