/**
 * The lists' entries read live: the firms behind an overlap number, the lists a firm is on (badges),
 * the latest year of a list. Only current entries count (a superseded or reverted list does not).
 * Scope and park filters go through the same firm filter as everywhere else. The overlap counts
 * themselves are a snapshot (overlap-snapshot.queries.ts).
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { LIST_KINDS, type ListKindKey } from '../../domain/list-kinds.js';
import type { StageKey } from '../../domain/stages.js';
import { applyFirmFilters, type FirmFilters } from '../firms/firm-filters.js';
import { ENTRY_BIT_SQL, matchingMasks } from './overlap-snapshot.queries.js';

export interface OverlapQuery {
  year: number;
  /** Firms on every one of these lists. */
  kinds: ListKindKey[];
  /** Firms on exactly this many lists (1–4), or at least `minCount`. */
  count?: number;
  minCount?: number;
}

export interface OverlapFirm {
  id: number;
  uscc: string;
  name: string;
  version: number;
  stage: StageKey;
  parkName: string | null;
  kinds: ListKindKey[];
}

/** Where a page of firms starts in name order: after the last row of the page before, or before the first of the page after. */
export interface OverlapCursor {
  name: string;
  id: number;
  dir: 'after' | 'before';
}

/**
 * The firms behind a number on the overlap page, in name order, with the lists each is on: a walk
 * of the (name, id) index that checks each firm's entries of the year (a handful of index rows)
 * and stops at the page, keyset-paged — not a grouping of the year's entries (1.4M rows at 1M
 * firms) per request. How many there are comes from the snapshot (overlapTotal). `limit + 1`
 * rows are read so the caller knows whether another page follows in the direction of reading.
 */
export async function overlapFirms(
  db: Db,
  q: OverlapQuery,
  filters: FirmFilters,
  actor: Pick<Actor, 'parkIds'>,
  page: { limit: number; cursor?: OverlapCursor | null },
): Promise<{ firms: OverlapFirm[]; more: boolean }> {
  const masks = matchingMasks(q);
  if (!masks.length) return { firms: [], more: false };
  const qb = db('firms as f')
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .select('f.id', 'f.uscc', 'f.name', 'f.version', 'f.stage', 'p.name as park_name')
    .whereRaw(`(SELECT sum(DISTINCT ${ENTRY_BIT_SQL}) FROM list_entries l WHERE l.firm_id = f.id AND l.year = ? AND l.is_current = ?) IN (${masks.map(() => '?').join(', ')})`, [q.year, true, ...masks]);
  applyFirmFilters(db, qb, filters, actor);
  const c = page.cursor;
  const backwards = c?.dir === 'before';
  if (c) qb.whereRaw(`(f.name, f.id) ${backwards ? '<' : '>'} (?, ?)`, [c.name, c.id]);
  const order = backwards ? 'desc' : 'asc';
  const rows = (await qb.orderBy([{ column: 'f.name', order }, { column: 'f.id', order }]).limit(page.limit + 1)) as { id: number; uscc: string; name: string; version: number; stage: StageKey; park_name: string | null }[];
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  if (backwards) shown.reverse();
  const kinds = await currentKindsOf(db, shown.map((r) => r.id), q.year);
  return {
    firms: shown.map((r) => ({ id: r.id, uscc: r.uscc, name: r.name, version: r.version, stage: r.stage, parkName: r.park_name, kinds: (kinds.get(r.id) ?? []).map((k) => k.kind) })),
    more,
  };
}

export interface ListBadge {
  kind: ListKindKey;
  year: number;
}

/** The current lists of some firms (optionally one year), for badges. */
export async function currentKindsOf(db: Db, firmIds: number[], year?: number): Promise<Map<number, ListBadge[]>> {
  const map = new Map<number, ListBadge[]>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const qb = db('list_entries')
      .whereIn('firm_id', firmIds.slice(i, i + 500))
      .andWhere('is_current', true)
      .select('firm_id', 'kind')
      .max({ year: 'year' })
      .groupBy('firm_id', 'kind');
    if (year !== undefined) qb.andWhere('year', year);
    for (const r of (await qb) as { firm_id: number; kind: ListKindKey; year: number }[]) {
      map.set(r.firm_id, [...(map.get(r.firm_id) ?? []), { kind: r.kind, year: Number(r.year) }]);
    }
  }
  const order = LIST_KINDS.map((k) => k.key);
  for (const list of map.values()) list.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  return map;
}

/**
 * The latest year of a list with current entries (the "current" 规下样本 list is this year's), from the
 * (kind, year, is_current, firm_id) index; null when the list was never imported.
 */
export async function latestListYear(db: Db, kind: ListKindKey): Promise<number | null> {
  const row = (await db('list_entries').where({ kind, is_current: true }).max({ y: 'year' }).first()) as { y: number | string | null } | undefined;
  return row?.y == null ? null : Number(row.y);
}

/** Which of these firms are on the latest current list of a kind (its year alongside). */
export async function onLatestList(db: Db, kind: ListKindKey, firmIds: number[]): Promise<{ year: number | null; firmIds: Set<number> }> {
  const year = await latestListYear(db, kind);
  const out = new Set<number>();
  if (year === null) return { year, firmIds: out };
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('list_entries').where({ kind, year, is_current: true }).whereIn('firm_id', firmIds.slice(i, i + 500)).distinct('firm_id')) as { firm_id: number }[];
    for (const r of rows) out.add(Number(r.firm_id));
  }
  return { year, firmIds: out };
}

/**
 * Firms of one 规上/规下 class (firms.scale_class) on a list's entries of `year`, after `afterId` in id
 * order, at most `limit`, narrowed by the caller (`f`: filters and jurisdiction): consistency hints
 * (a 规上 firm on the 规下样本 list), from the (kind, year, is_current, firm_id) index.
 */
export async function firmIdsOnListOfClass(db: Db, kind: ListKindKey, year: number, scaleClass: string, narrow: (qb: Knex.QueryBuilder) => void, afterId: number | null, limit: number): Promise<number[]> {
  const qb = db('list_entries as le').join('firms as f', 'f.id', 'le.firm_id')
    .where({ 'le.kind': kind, 'le.year': year, 'le.is_current': true, 'f.scale_class': scaleClass })
    .whereNot('f.stage', 'exited')
    .distinct('f.id').orderBy('f.id').limit(limit);
  if (afterId !== null) qb.where('f.id', '>', afterId);
  narrow(qb);
  return ((await qb) as { id: number }[]).map((r) => Number(r.id));
}

/** A firm's list history (current and superseded), for its page. */
export async function entriesOfFirm(db: Db, firmId: number) {
  const rows = (await db('list_entries as l')
    .join('import_batches as b', 'b.id', 'l.batch_id')
    .where('l.firm_id', firmId)
    // Not the entries a commit is staging (or left behind when killed): only batches that took effect.
    .whereIn('b.status', ['committed', 'superseded', 'reverted'])
    .select('l.kind', 'l.year', 'l.is_current', 'l.name_matched', 'l.data', 'l.line', 'b.id as batch_id', 'b.file_name', 'b.status')
    .orderBy([{ column: 'l.year', order: 'desc' }, { column: 'l.kind' }, { column: 'b.id', order: 'desc' }])) as {
    kind: ListKindKey;
    year: number;
    is_current: number | boolean;
    name_matched: number | boolean;
    data: string | null;
    line: number;
    batch_id: number;
    file_name: string;
    status: string;
  }[];
  return rows.map((r) => ({
    kind: r.kind,
    year: r.year,
    isCurrent: Boolean(r.is_current),
    nameMatched: Boolean(r.name_matched),
    data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : {},
    line: r.line,
    batchId: r.batch_id,
    fileName: r.file_name,
    batchStatus: r.status,
  }));
}
