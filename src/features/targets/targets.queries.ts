/** All SQL over `targets`: one number per year × metric, county-wide (park_key 0) or per park. */
import type { Db } from '../../db/types.js';

export interface Target {
  year: number;
  metric: string;
  /** null: the whole county. */
  parkId: number | null;
  value: number;
  version: number;
  updatedAt: string;
}

interface Row { year: number; metric: string; park_key: number; value: number; version: number; updated_at: string }

const toTarget = (r: Row): Target => ({ year: Number(r.year), metric: r.metric, parkId: r.park_key === 0 ? null : r.park_key, value: Number(r.value), version: r.version, updatedAt: r.updated_at });

/** The targets of a year for the county (parkId null) or one park. */
export async function targetsOf(db: Db, year: number, parkId: number | null): Promise<Map<string, Target>> {
  const rows = (await db('targets').where({ year, park_key: parkId ?? 0 })) as Row[];
  return new Map(rows.map((r) => [r.metric, toTarget(r)]));
}

/** Years that have any target (for the year pickers). */
export async function targetYears(db: Db): Promise<number[]> {
  return ((await db('targets').distinct('year').orderBy('year')) as { year: number }[]).map((r) => Number(r.year));
}

export async function insertTarget(db: Db, t: { year: number; metric: string; parkId: number | null; value: number }, at: string, by: number): Promise<void> {
  await db('targets').insert({ year: t.year, metric: t.metric, park_key: t.parkId ?? 0, value: t.value, version: 1, updated_at: at, updated_by: by });
}

/** Optimistic: false when the version moved on. */
export async function updateTarget(db: Db, t: { year: number; metric: string; parkId: number | null; value: number }, version: number, at: string, by: number): Promise<boolean> {
  return (await db('targets').where({ year: t.year, metric: t.metric, park_key: t.parkId ?? 0, version }).update({ value: t.value, version: version + 1, updated_at: at, updated_by: by })) === 1;
}

export async function deleteTarget(db: Db, t: { year: number; metric: string; parkId: number | null }, version: number): Promise<boolean> {
  return (await db('targets').where({ year: t.year, metric: t.metric, park_key: t.parkId ?? 0, version }).delete()) === 1;
}
