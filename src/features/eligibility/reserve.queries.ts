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

/** Where a page of the ranked reserve starts: after this row, in the index's order. */
export interface ReserveCursor {
  gap: number;
  fails: number;
  rdGap: number;
  firmId: number;
}

export function encodeReserveCursor(c: ReserveCursor): string {
  return `${c.gap}.${c.fails}.${c.rdGap}.${c.firmId}`;
}

export function decodeReserveCursor(text: string | undefined): ReserveCursor | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,15})\.(\d{1,10})$/.exec(text ?? '');
  return m ? { gap: Number(m[1]), fails: Number(m[2]), rdGap: Number(m[3]), firmId: Number(m[4]) } : null;
}

/** Counted up to here; beyond, the page says "超过 1,000 家" (counting them all costs O(firms)). */
export const RESERVE_COUNT_CAP = 1000;

function reserveBase(db: Db, q: ReserveQuery, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>) {
  const base = db('eligibility_current as e')
    .join('firms as f', 'f.id', 'e.firm_id')
    .where('e.rule_set', q.ruleSet)
    .whereIn('f.stage', q.stages);
  applyFirmFilters(db, base, filters, actor);
  if (q.focus === 'near') base.whereRaw('e.fails + e.missing = 1');
  if (q.focus === 'missing') base.where('e.missing', '>', 0);
  if (q.focus === 'ready') base.whereRaw('e.fails + e.missing = 0');
  return base;
}

/** The exact number of firms in the reserve under a query (the annual report; pages use the capped count). */
export async function countReserve(db: Db, q: ReserveQuery, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>): Promise<number> {
  const row = (await reserveBase(db, q, filters, actor).count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n);
}

/**
 * A page of the reserve in rank order, by keyset on the eligibility_current_order index (bounded
 * work per page at any size), with the number of firms counted up to RESERVE_COUNT_CAP + 1.
 */
export async function rankedReserve(
  db: Db,
  q: ReserveQuery,
  filters: FirmFilters,
  actor: Pick<Actor, 'parkIds'>,
  limit: number,
  after: ReserveCursor | null,
): Promise<{ total: number; capped: boolean; rows: ReserveRow[]; next: ReserveCursor | null }> {
  const base = reserveBase(db, q, filters, actor);
  const counted = (await db.from(base.clone().select('e.firm_id').limit(RESERVE_COUNT_CAP + 1).as('c')).count({ n: '*' }).first()) as { n: number | string };
  const page = base.clone();
  if (after) page.whereRaw('(e.fails + e.missing, e.fails, coalesce(e.rd_gap, 0), e.firm_id) > (?, ?, ?, ?)', [after.gap, after.fails, after.rdGap, after.firmId]);
  const rows = (await page
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .select('e.firm_id', 'f.uscc', 'f.name', 'f.stage', 'p.name as park_name', 'e.status', 'e.fails', 'e.missing', 'e.reviews', 'e.rd_gap', 'e.summary', 'e.as_of')
    .orderByRaw('e.fails + e.missing, e.fails, coalesce(e.rd_gap, 0), e.firm_id')
    .limit(limit + 1)) as (SummaryColumns & { firm_id: number; uscc: string; name: string; stage: StageKey; park_name: string | null })[];
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  const total = Number(counted.n);
  return {
    total: Math.min(total, RESERVE_COUNT_CAP),
    capped: total > RESERVE_COUNT_CAP,
    rows: shown.map((r) => ({ uscc: r.uscc, name: r.name, stage: r.stage, parkName: r.park_name, ...summaryOfRow(r) })),
    next: more && last ? { gap: last.fails + last.missing, fails: last.fails, rdGap: Number(last.rd_gap ?? 0), firmId: last.firm_id } : null,
  };
}
