/**
 * How the four lists overlap in a year: firms by the number of lists they are on, and the 4×4
 * pairwise matrix. Only current entries count (a superseded or reverted list does not). Scope and
 * park filters go through the same firm filter as everywhere else.
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { LIST_KINDS, type ListKindKey } from '../../domain/list-kinds.js';
import type { StageKey } from '../../domain/stages.js';
import { applyFirmFilters, type FirmFilters } from '../firms/firm-filters.js';

function scopedEntries(db: Db, alias: string, year: number, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>): Knex.QueryBuilder {
  const qb = db(`list_entries as ${alias}`).join('firms as f', 'f.id', `${alias}.firm_id`).where(`${alias}.year`, year).andWhere(`${alias}.is_current`, true);
  applyFirmFilters(db, qb, filters, actor);
  return qb;
}

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

/** The firms behind a number on the overlap page, with the lists each is on. */
export async function overlapFirms(db: Db, q: OverlapQuery, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>, limit: number, offset = 0): Promise<{ total: number; firms: OverlapFirm[] }> {
  const base = scopedEntries(db, 'l', q.year, filters, actor).select('l.firm_id').groupBy('l.firm_id');
  for (const k of q.kinds) base.havingRaw('sum(CASE WHEN l.kind = ? THEN 1 ELSE 0 END) > 0', [k]);
  if (q.count !== undefined) base.havingRaw('count(DISTINCT l.kind) = ?', [q.count]);
  if (q.minCount !== undefined) base.havingRaw('count(DISTINCT l.kind) >= ?', [q.minCount]);
  const totalRow = (await db.from(base.clone().as('m')).count({ n: '*' }).first()) as { n: number | string } | undefined;
  const rows = (await db('firms as f')
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .whereIn('f.id', base)
    .select('f.id', 'f.uscc', 'f.name', 'f.version', 'f.stage', 'p.name as park_name')
    .orderBy([{ column: 'f.name' }, { column: 'f.id' }])
    .limit(limit)
    .offset(offset)) as { id: number; uscc: string; name: string; version: number; stage: StageKey; park_name: string | null }[];
  const kinds = await currentKindsOf(db, rows.map((r) => r.id), q.year);
  return {
    total: Number(totalRow?.n ?? 0),
    firms: rows.map((r) => ({ id: r.id, uscc: r.uscc, name: r.name, version: r.version, stage: r.stage, parkName: r.park_name, kinds: (kinds.get(r.id) ?? []).map((k) => k.kind) })),
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
