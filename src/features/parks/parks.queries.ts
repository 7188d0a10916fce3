/**
 * Parks (园区/平台) and towns (街道/镇/乡): the two kinds of 属地. A firm belongs to a town and may
 * sit in a park; a caseworker is limited by either. Both are merged and retired, never deleted.
 */
import type { Db } from '../../db/types.js';

export interface Park {
  id: number;
  code: string;
  name: string;
  kind: string;
  town: string | null;
}

export interface Town {
  id: number;
  code: string;
  name: string;
  kind: string;
}

export type AreaType = 'park' | 'town';

export const PARK_KIND_LABELS: Record<string, string> = { park: '园区', platform: '平台', incubator: '孵化器' };
export const TOWN_KIND_LABELS: Record<string, string> = { subdistrict: '街道', town: '镇', township: '乡' };

export async function listParks(db: Db): Promise<Park[]> {
  return (await db('parks')
    .where('is_active', true)
    .orderBy([{ column: 'sort_order' }, { column: 'id' }])
    .select('id', 'code', 'name', 'kind', 'town')) as Park[];
}

export async function listTowns(db: Db): Promise<Town[]> {
  return (await db('towns')
    .where('is_active', true)
    .orderBy([{ column: 'sort_order' }, { column: 'id' }])
    .select('id', 'code', 'name', 'kind')) as Town[];
}

export async function parkExists(db: Db, id: number): Promise<boolean> {
  return !!(await db('parks').where({ id, is_active: true }).first('id'));
}

export async function townExists(db: Db, id: number): Promise<boolean> {
  return !!(await db('towns').where({ id, is_active: true }).first('id'));
}

/** Every name of every park and town, current or retired: for ids stored in old records (audit log). */
export async function areaNames(db: Db): Promise<{ parks: Map<number, string>; towns: Map<number, string> }> {
  const [parks, towns] = await Promise.all([
    db('parks').select('id', 'name') as Promise<{ id: number; name: string }[]>,
    db('towns').select('id', 'name') as Promise<{ id: number; name: string }[]>,
  ]);
  return { parks: new Map(parks.map((p) => [p.id, p.name])), towns: new Map(towns.map((t) => [t.id, t.name])) };
}

/** One row of the administration page: the area, its earlier names, and what still refers to it. */
export interface AreaAdminRow {
  id: number;
  code: string;
  name: string;
  kind: string;
  isActive: boolean;
  retiredAt: string | null;
  mergedInto: number | null;
  firms: number;
  users: number;
  formerNames: { name: string; until: string }[];
}

const TABLES = {
  park: { table: 'parks', firmColumn: 'park_id', userTable: 'user_parks', userColumn: 'park_id' },
  town: { table: 'towns', firmColumn: 'town_id', userTable: 'user_towns', userColumn: 'town_id' },
} as const;

export function areaTables(type: AreaType) {
  return TABLES[type];
}

export async function listAreasForAdmin(db: Db, type: AreaType): Promise<AreaAdminRow[]> {
  const t = TABLES[type];
  const [rows, firms, users, names] = await Promise.all([
    db(t.table).orderBy([{ column: 'is_active', order: 'desc' }, { column: 'sort_order' }, { column: 'id' }]).select('id', 'code', 'name', 'kind', 'is_active', 'retired_at', 'merged_into') as Promise<
      { id: number; code: string; name: string; kind: string; is_active: boolean | number; retired_at: string | null; merged_into: number | null }[]
    >,
    db('firms').whereNotNull(t.firmColumn).select(`${t.firmColumn} as id`).count({ n: '*' }).groupBy(t.firmColumn) as Promise<{ id: number; n: number | string }[]>,
    db(t.userTable).select(`${t.userColumn} as id`).count({ n: '*' }).groupBy(t.userColumn) as Promise<{ id: number; n: number | string }[]>,
    db('area_names').where('area_type', type).orderBy('until', 'desc').select('area_id', 'name', 'until') as Promise<{ area_id: number; name: string; until: string }[]>,
  ]);
  const firmCount = new Map(firms.map((r) => [Number(r.id), Number(r.n)]));
  const userCount = new Map(users.map((r) => [Number(r.id), Number(r.n)]));
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind,
    isActive: Boolean(r.is_active),
    retiredAt: r.retired_at,
    mergedInto: r.merged_into,
    firms: firmCount.get(r.id) ?? 0,
    users: userCount.get(r.id) ?? 0,
    formerNames: names.filter((n) => n.area_id === r.id).map((n) => ({ name: n.name, until: n.until })),
  }));
}

export async function findArea(db: Db, type: AreaType, id: number) {
  return (await db(TABLES[type].table).where({ id }).first('id', 'code', 'name', 'kind', 'is_active', 'sort_order')) as
    | { id: number; code: string; name: string; kind: string; is_active: boolean | number; sort_order: number }
    | undefined;
}

export async function areaNameTaken(db: Db, type: AreaType, name: string, exceptId: number | null): Promise<boolean> {
  const qb = db(TABLES[type].table).where('name', name);
  if (exceptId !== null) qb.whereNot('id', exceptId);
  return !!(await qb.first('id'));
}

export async function areaCodeTaken(db: Db, type: AreaType, code: string): Promise<boolean> {
  return !!(await db(TABLES[type].table).where('code', code).first('id'));
}

/**
 * Every name a list may use for an area, with the active area it means now: the current name and
 * code, earlier names (a rename keeps them in area_names), and a merged area's names, which lead
 * to the area it was merged into. A retired area that went nowhere is left out (a list naming it
 * is refused like an unknown name). Used by the list import, whose files are drawn up by agencies
 * that may still write a park's old name.
 */
export async function areaNamesForMatching(db: Db, type: AreaType): Promise<{ name: string; id: number }[]> {
  const t = TABLES[type];
  const [rows, former] = await Promise.all([
    db(t.table).select('id', 'code', 'name', 'is_active', 'merged_into') as Promise<{ id: number; code: string; name: string; is_active: boolean | number; merged_into: number | null }[]>,
    db('area_names').where('area_type', type).orderBy('until', 'desc').select('area_id', 'name') as Promise<{ area_id: number; name: string }[]>,
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  /** The active area an id now stands for, following merges (at most as many steps as areas). */
  const live = (id: number): number | null => {
    let r = byId.get(id);
    for (let i = 0; r && i <= rows.length; i++) {
      if (r.is_active) return r.id;
      r = r.merged_into === null ? undefined : byId.get(r.merged_into);
    }
    return null;
  };
  const out: { name: string; id: number }[] = [];
  // Current names first: a name now used by one area is never taken for another's former name.
  for (const r of rows) if (r.is_active) out.push({ name: r.name, id: r.id }, { name: r.code, id: r.id });
  for (const r of rows) {
    const target = r.is_active ? null : live(r.id);
    if (target !== null) out.push({ name: r.name, id: target });
  }
  for (const f of former) {
    const target = live(f.area_id);
    if (target !== null) out.push({ name: f.name, id: target });
  }
  return out;
}
