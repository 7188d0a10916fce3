/**
 * One board column: the newest cards of a stage under the filters, keyset-paged on
 * (updated_at, id) so "load more" costs the same on page 1 and page 100 and never needs a window
 * function over the whole table (perf.md §7.2).
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import type { StageKey } from '../../domain/stages.js';
import { applyFirmFilters, type FirmFilters } from '../../features/firms/firm-filters.js';

export interface BoardCard {
  id: number;
  uscc: string;
  name: string;
  stage: StageKey;
  version: number;
  parkName: string | null;
  counsellorName: string | null;
  updatedAt: string;
  /** When the firm entered its current stage: the latest stage event. */
  stageSince: string | null;
}

export interface Cursor {
  updatedAt: string;
  id: number;
}

interface CardRow {
  id: number;
  uscc: string;
  name: string;
  stage: StageKey;
  version: number;
  park_name: string | null;
  counsellor_name: string | null;
  updated_at: string;
  stage_since: string | null;
}

function cardSelect(db: Db) {
  return db('firms as f')
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .leftJoin('users as u', 'u.id', 'f.counsellor_id')
    .select(
      'f.id',
      'f.uscc',
      'f.name',
      'f.stage',
      'f.version',
      'f.updated_at',
      'p.name as park_name',
      'u.display_name as counsellor_name',
      db.raw('(SELECT max(e.at) FROM stage_events e WHERE e.firm_id = f.id) AS stage_since'),
    );
}

function toCard(r: CardRow): BoardCard {
  return {
    id: r.id,
    uscc: r.uscc,
    name: r.name,
    stage: r.stage,
    version: r.version,
    parkName: r.park_name,
    counsellorName: r.counsellor_name,
    updatedAt: r.updated_at,
    stageSince: r.stage_since,
  };
}

/** One firm as a card (after a move, or to refresh a stale one). */
export async function cardOfFirm(db: Db, firmId: number): Promise<BoardCard | null> {
  const row = (await cardSelect(db).where('f.id', firmId).first()) as CardRow | undefined;
  return row ? toCard(row) : null;
}

export async function columnCards(
  db: Db,
  stage: StageKey,
  filters: FirmFilters,
  actor: Pick<Actor, 'parkIds'>,
  limit: number,
  after: Cursor | null,
): Promise<BoardCard[]> {
  const qb = cardSelect(db)
    .where('f.stage', stage);
  // Candidates a list revert took out are at 退库 but were never in cultivation: not on the board.
  if (stage === 'exited') qb.whereNull('f.withdrawn_batch_id');
  applyFirmFilters(db, qb, filters, actor);
  // A row-value comparison is an index range on (stage, updated_at, id): page 100 costs what page 1 does.
  if (after) qb.whereRaw('(f.updated_at, f.id) < (?, ?)', [after.updatedAt, after.id]);
  const rows = (await qb.orderBy([{ column: 'f.updated_at', order: 'desc' }, { column: 'f.id', order: 'desc' }]).limit(limit)) as CardRow[];
  return rows.map(toCard);

}

export function encodeCursor(card: Pick<BoardCard, 'updatedAt' | 'id'>): string {
  return `${card.updatedAt}_${card.id}`;
}

export function decodeCursor(value: unknown): Cursor | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)_(\d{1,12})$/.exec(value);
  return m ? { updatedAt: m[1]!, id: Number(m[2]) } : null;
}
