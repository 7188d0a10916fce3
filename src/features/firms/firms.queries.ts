/** Every query over the firms table (and its lookups) lives here; rows become plain objects. */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { type ScaleClass, scaleClassOf } from '../../domain/scale.js';
import { revenueYears } from '../figures/figures.queries.js';
import type { StageKey } from '../../domain/stages.js';
import { applyFirmFilters, type FirmFilters } from './firm-filters.js';

/** The editable profile: what the firm form posts and the audit log compares. */
export interface FirmProfile {
  uscc: string;
  name: string;
  parkId: number | null;
  /** 属地: the town (街道/镇/乡) the firm belongs to. */
  townId: number | null;
  field: string | null;
  /** 国民经济行业门类 (GB/T 4754-2017, A–T): whether the 规上工业 threshold applies (src/domain/scale.ts). */
  sector: string | null;
  foundedOn: string | null;
  address: string | null;
  contactName: string | null;
  contactPhone: string | null;
  counsellorId: number | null;
  lifecycle: string | null;
  notes: string | null;
}

export interface Firm extends FirmProfile {
  id: number;
  parkName: string | null;
  townName: string | null;
  counsellorName: string | null;
  stage: StageKey;
  /** 规上/规下 as src/domain/scale.ts derives it, kept in step by the writers of sector and figures. */
  scaleClass: ScaleClass;
  /** The import batch whose revert took this candidate out (at 退库, not counted as an exit). */
  withdrawnBatchId: number | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface FirmRow {
  id: number;
  uscc: string;
  name: string;
  park_id: number | null;
  park_name: string | null;
  town_id: number | null;
  town_name: string | null;
  withdrawn_batch_id: number | null;
  field: string | null;
  sector: string | null;
  scale_class: ScaleClass;
  founded_on: string | null;
  address: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  counsellor_id: number | null;
  counsellor_name: string | null;
  lifecycle: string | null;
  stage: StageKey;
  notes: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

function toFirm(r: FirmRow): Firm {
  return {
    id: r.id,
    uscc: r.uscc,
    name: r.name,
    parkId: r.park_id,
    parkName: r.park_name,
    townId: r.town_id,
    townName: r.town_name,
    withdrawnBatchId: r.withdrawn_batch_id,
    field: r.field,
    sector: r.sector,
    scaleClass: r.scale_class,
    foundedOn: r.founded_on,
    address: r.address,
    contactName: r.contact_name,
    contactPhone: r.contact_phone,
    counsellorId: r.counsellor_id,
    counsellorName: r.counsellor_name,
    lifecycle: r.lifecycle,
    stage: r.stage,
    notes: r.notes,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function profileOf(f: Firm): FirmProfile {
  return {
    uscc: f.uscc,
    name: f.name,
    parkId: f.parkId,
    townId: f.townId,
    field: f.field,
    sector: f.sector,
    foundedOn: f.foundedOn,
    address: f.address,
    contactName: f.contactName,
    contactPhone: f.contactPhone,
    counsellorId: f.counsellorId,
    lifecycle: f.lifecycle,
    notes: f.notes,
  };
}

function profileColumns(p: FirmProfile, nameNorm: string): Record<string, unknown> {
  return {
    uscc: p.uscc,
    name: p.name,
    name_norm: nameNorm,
    park_id: p.parkId,
    town_id: p.townId,
    field: p.field,
    sector: p.sector,
    founded_on: p.foundedOn,
    address: p.address,
    contact_name: p.contactName,
    contact_phone: p.contactPhone,
    counsellor_id: p.counsellorId,
    lifecycle: p.lifecycle,
    notes: p.notes,
  };
}

function firmSelect(db: Db): Knex.QueryBuilder {
  return db('firms as f')
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .leftJoin('towns as t', 't.id', 'f.town_id')
    .leftJoin('users as u', 'u.id', 'f.counsellor_id')
    .select('f.*', 'p.name as park_name', 't.name as town_name', 'u.display_name as counsellor_name');
}

export async function findFirmByUscc(db: Db, uscc: string): Promise<Firm | null> {
  const row = (await firmSelect(db).where('f.uscc', uscc).first()) as FirmRow | undefined;
  return row ? toFirm(row) : null;
}

export async function insertFirm(
  db: Db,
  profile: FirmProfile,
  nameNorm: string,
  stage: StageKey,
  at: string,
): Promise<number> {
  const [row] = await db('firms')
    .insert({ ...profileColumns(profile, nameNorm), stage, version: 1, created_at: at, updated_at: at })
    .returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

/** Optimistic update: returns false when the version moved on (someone else saved first). */
export async function updateFirmProfile(
  db: Db,
  id: number,
  version: number,
  profile: FirmProfile,
  nameNorm: string,
  at: string,
): Promise<boolean> {
  const n = await db('firms')
    .where({ id, version })
    .update({ ...profileColumns(profile, nameNorm), version: version + 1, updated_at: at });
  return n === 1;
}

export async function updateFirmStage(db: Db, id: number, version: number, stage: StageKey, at: string): Promise<boolean> {
  const n = await db('firms').where({ id, version }).update({ stage, version: version + 1, updated_at: at });
  return n === 1;
}

export type FirmSort = 'updated' | 'name';

export interface FirmListItem {
  id: number;
  uscc: string;
  name: string;
  parkName: string | null;
  field: string | null;
  stage: StageKey;
  counsellorName: string | null;
  updatedAt: string;
}

/**
 * Where a page of the firm list starts: after the last row of the page before (下一页), or before
 * the first row of the page after (上一页) — keyset paging on the sort's index (firms_updated,
 * firms_name), so page 2,000 of 1,000,000 firms costs what page 1 does (an OFFSET would read
 * every row before it).
 */
export interface FirmCursor {
  /** The sort key of the row: updated_at, or the name. */
  key: string;
  id: number;
  dir: 'after' | 'before';
}

export async function listFirms(
  db: Db,
  filters: FirmFilters,
  actor: Pick<Actor, 'parkIds'>,
  page: { cursor?: FirmCursor | null; limit: number; sort: FirmSort },
): Promise<FirmListItem[]> {
  const qb = db('firms as f')
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .leftJoin('users as u', 'u.id', 'f.counsellor_id')
    .select('f.id', 'f.uscc', 'f.name', 'f.field', 'f.stage', 'f.updated_at', 'p.name as park_name', 'u.display_name as counsellor_name');
  applyFirmFilters(db, qb, filters, actor);
  // Newest first by default (descending), by name ascending; a "before" page reads backwards.
  const column = page.sort === 'name' ? 'f.name' : 'f.updated_at';
  const descending = page.sort !== 'name';
  const c = page.cursor;
  const backwards = c?.dir === 'before';
  if (c) qb.whereRaw(`(${column}, f.id) ${descending !== backwards ? '<' : '>'} (?, ?)`, [c.key, c.id]);
  const order = descending !== backwards ? 'desc' : 'asc';
  qb.orderBy([{ column, order }, { column: 'f.id', order }]);
  const rows = (await qb.limit(page.limit)) as (FirmRow & { park_name: string | null })[];
  if (backwards) rows.reverse();
  return rows.map((r) => ({
    id: r.id,
    uscc: r.uscc,
    name: r.name,
    parkName: r.park_name,
    field: r.field,
    stage: r.stage,
    counsellorName: r.counsellor_name,
    updatedAt: r.updated_at,
  }));
}

/** The cursor of a row for a sort (what the page links carry). */
export function cursorOf(item: FirmListItem, sort: FirmSort, dir: FirmCursor['dir']): FirmCursor {
  return { key: sort === 'name' ? item.name : item.updatedAt, id: item.id, dir };
}

/** Names of the firms with these codes (the audit log names firms, it stores their codes). */
export async function firmNamesByUscc(db: Db, usccs: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < usccs.length; i += 500) {
    const rows = (await db('firms').whereIn('uscc', usccs.slice(i, i + 500)).select('uscc', 'name')) as { uscc: string; name: string }[];
    for (const r of rows) out.set(r.uscc, r.name);
  }
  return out;
}

/** Codes of the firms whose name holds the text (search index), at most `limit`: the audit log's firm filter by name. */
export async function usccsByName(db: Db, text: string, limit: number): Promise<string[]> {
  const qb = db('firms as f').select('f.uscc').limit(limit);
  applyFirmFilters(db, qb, { q: text }, { parkIds: null });
  return ((await qb) as { uscc: string }[]).map((r) => r.uscc);
}

// ── Coaching (issue 9): the fields a counsellor or a caseworker sets from the coaching pages ──

/** The firms with these codes (any order; codes not registered are absent). */
export async function findFirmsByUscc(db: Db, usccs: string[]): Promise<Firm[]> {
  const out: Firm[] = [];
  for (let i = 0; i < usccs.length; i += 500) {
    out.push(...((await firmSelect(db).whereIn('f.uscc', usccs.slice(i, i + 500))) as FirmRow[]).map(toFirm));
  }
  return out;
}

export async function findFirmsById(db: Db, ids: number[]): Promise<Firm[]> {
  const out: Firm[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    out.push(...((await firmSelect(db).whereIn('f.id', ids.slice(i, i + 500))) as FirmRow[]).map(toFirm));
  }
  return out;
}

/** The lifecycle category (生命周期), optimistic on the firm's version. */
export async function updateFirmLifecycle(db: Db, id: number, version: number, lifecycle: string | null, at: string): Promise<boolean> {
  const n = await db('firms').where({ id, version }).update({ lifecycle, version: version + 1, updated_at: at });
  return n === 1;
}

/** Assign (or clear) the counsellor of one firm; with `version`, only when the firm is still at it. */
export async function updateFirmCounsellor(db: Db, id: number, version: number | null, counsellorId: number | null, at: string): Promise<boolean> {
  const qb = db('firms').where({ id });
  if (version !== null) qb.where({ version });
  const n = await qb.update({ counsellor_id: counsellorId, version: db.raw('version + 1'), updated_at: at });
  return n === 1;
}

/** Firms matching filters in the actor's jurisdiction, at most `limit` (bulk actions from a filtered list). */
export async function firmsMatching(db: Db, filters: FirmFilters, actor: Pick<Actor, 'parkIds' | 'townIds'>, limit: number): Promise<Firm[]> {
  const qb = firmSelect(db).whereNot('f.stage', 'exited').orderBy('f.id').limit(limit);
  applyFirmFilters(db, qb, filters, actor);
  return ((await qb) as FirmRow[]).map(toFirm);
}

/** One row of a firm-list export (the board's filtered list, /firms). */
export interface FirmExportRow {
  id: number;
  uscc: string;
  name: string;
  parkName: string | null;
  townName: string | null;
  field: string | null;
  stage: StageKey;
  counsellorName: string | null;
  lifecycle: string | null;
  foundedOn: string | null;
  updatedAt: string;
  withdrawn: boolean;
}

/**
 * The filtered firm list for an export, a chunk at a time by id (keyset: `afterId`), so a
 * 100,000-firm export reads one chunk at a time. `boardOnly` leaves out candidates a list revert
 * withdrew (the board does not show them).
 */
export async function firmsForExport(db: Db, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>, afterId: number | null, limit: number, boardOnly = false): Promise<FirmExportRow[]> {
  const qb = db('firms as f')
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .leftJoin('towns as t', 't.id', 'f.town_id')
    .leftJoin('users as u', 'u.id', 'f.counsellor_id')
    .select('f.id', 'f.uscc', 'f.name', 'f.field', 'f.stage', 'f.lifecycle', 'f.founded_on', 'f.updated_at', 'f.withdrawn_batch_id', 'p.name as park_name', 't.name as town_name', 'u.display_name as counsellor_name');
  applyFirmFilters(db, qb, filters, actor);
  if (boardOnly) qb.whereNull('f.withdrawn_batch_id');
  if (afterId !== null) qb.where('f.id', '>', afterId);
  const rows = (await qb.orderBy('f.id').limit(limit)) as (FirmRow & { park_name: string | null; town_name: string | null })[];
  return rows.map((r) => ({
    id: r.id,
    uscc: r.uscc,
    name: r.name,
    parkName: r.park_name,
    townName: r.town_name,
    field: r.field,
    stage: r.stage,
    counsellorName: r.counsellor_name,
    lifecycle: r.lifecycle,
    foundedOn: r.founded_on,
    updatedAt: r.updated_at,
    withdrawn: r.withdrawn_batch_id !== null,
  }));
}

/** The ids of the firms now in these stages, in a jurisdiction (the report's reserve). */
export async function firmIdsInStages(db: Db, stages: StageKey[], actor: Pick<Actor, 'parkIds' | 'townIds'>): Promise<number[]> {
  const qb = db('firms as f').select('f.id').whereIn('f.stage', stages).whereNull('f.withdrawn_batch_id');
  applyFirmFilters(db, qb, {}, actor);
  return ((await qb) as { id: number }[]).map((r) => r.id);
}

/**
 * Recompute the stored 规上/规下 class (firms.scale_class) of these firms from their sector and figures
 * (src/domain/scale.ts). Called by every writer of a sector or of figures inside its own transaction,
 * so the board can filter on the column. Neither the version nor updated_at moves: the class is
 * derived, not an edit of the firm (an open profile form stays current, a card keeps its place).
 */
export async function refreshScaleClasses(db: Db, firmIds: number[]): Promise<void> {
  for (let i = 0; i < firmIds.length; i += 500) {
    const ids = firmIds.slice(i, i + 500);
    const firms = (await db('firms').whereIn('id', ids).select('id', 'sector', 'scale_class')) as { id: number; sector: string | null; scale_class: string }[];
    const years = await revenueYears(db, ids);
    const changes = new Map<ScaleClass, number[]>();
    for (const f of firms) {
      const next = scaleClassOf(f.sector, years.get(f.id) ?? []).scaleClass;
      if (next !== f.scale_class) changes.set(next, [...(changes.get(next) ?? []), f.id]);
    }
    for (const [scaleClass, changed] of changes) await db('firms').whereIn('id', changed).update({ scale_class: scaleClass });
  }
}
