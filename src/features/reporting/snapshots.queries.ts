/** All SQL over report_snapshots (定稿): written once, never updated or deleted. */
import type { Db } from '../../db/types.js';

export interface SnapshotMeta { id: number; year: number; asOf: string; note: string | null; frozenAt: string; frozenBy: number; frozenByName: string | null }

export async function insertSnapshot(db: Db, s: { year: number; asOf: string; data: string; note: string | null; frozenAt: string; frozenBy: number }): Promise<number> {
  const [raw] = (await db('report_snapshots').insert({ year: s.year, as_of: s.asOf, data: s.data, note: s.note, frozen_at: s.frozenAt, frozen_by: s.frozenBy }).returning('id')) as ({ id: number } | number)[];
  return typeof raw === 'object' ? raw!.id : raw!;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

/** The snapshots of a year, newest first. */
export async function snapshotsOf(db: Db, year: number): Promise<SnapshotMeta[]> {
  const rows = (await db('report_snapshots as s').leftJoin('users as u', 'u.id', 's.frozen_by').where('s.year', year).select('s.id', 's.year', 's.as_of', 's.note', 's.frozen_at', 's.frozen_by', 'u.display_name').orderBy('s.id', 'desc')) as { id: number; year: number; as_of: unknown; note: string | null; frozen_at: unknown; frozen_by: number; display_name: string | null }[];
  return rows.map((r) => ({ id: r.id, year: Number(r.year), asOf: iso(r.as_of), note: r.note, frozenAt: iso(r.frozen_at), frozenBy: r.frozen_by, frozenByName: r.display_name }));
}

export async function snapshotData(db: Db, id: number): Promise<string | null> {
  const r = (await db('report_snapshots').where({ id }).first('data')) as { data: string } | undefined;
  return r?.data ?? null;
}

/** Years with any snapshot (the report index). */
export async function snapshotYears(db: Db): Promise<Map<number, number>> {
  const rows = (await db('report_snapshots').select('year').count({ n: '*' }).groupBy('year')) as { year: number; n: number | string }[];
  return new Map(rows.map((r) => [Number(r.year), Number(r.n)]));
}
