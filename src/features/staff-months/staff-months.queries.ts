/** Staff by month (staff_months): one row per firm and year, the 13 month-end counts and the part-time staff. */
import type { Db } from '../../db/types.js';
import type { PartTimeStaff, StaffMonthsInput } from '../../domain/eligibility/staff.js';

export interface StaffMonthsRow extends StaffMonthsInput {
  id: number;
  firmId: number;
  version: number;
  updatedAt: string;
}

interface Row {
  id: number;
  firm_id: number;
  year: number;
  total_counts: string;
  tech_counts: string;
  part_time: string;
  version: number;
  updated_at: string;
}

function toRow(r: Row): StaffMonthsRow {
  return {
    id: r.id,
    firmId: r.firm_id,
    year: r.year,
    total: JSON.parse(r.total_counts) as number[],
    tech: JSON.parse(r.tech_counts) as number[],
    partTime: JSON.parse(r.part_time) as PartTimeStaff[],
    version: r.version,
    updatedAt: r.updated_at,
  };
}

/** Every year of these firms, oldest first. */
export async function staffMonthsOfFirms(db: Db, firmIds: number[]): Promise<Map<number, StaffMonthsRow[]>> {
  const out = new Map<number, StaffMonthsRow[]>();
  if (firmIds.length === 0) return out;
  const rows = (await db('staff_months').whereIn('firm_id', firmIds).orderBy('year')) as Row[];
  for (const r of rows.map(toRow)) out.set(r.firmId, [...(out.get(r.firmId) ?? []), r]);
  return out;
}

export async function staffMonthsOfYear(db: Db, firmId: number, year: number): Promise<StaffMonthsRow | null> {
  const row = (await db('staff_months').where({ firm_id: firmId, year }).first()) as Row | undefined;
  return row ? toRow(row) : null;
}

function columns(v: StaffMonthsInput) {
  return { total_counts: JSON.stringify(v.total), tech_counts: JSON.stringify(v.tech), part_time: JSON.stringify(v.partTime) };
}

export async function insertStaffMonths(db: Db, firmId: number, v: StaffMonthsInput, at: string): Promise<void> {
  await db('staff_months').insert({ firm_id: firmId, year: v.year, ...columns(v), version: 1, updated_at: at });
}

export async function updateStaffMonths(db: Db, firmId: number, v: StaffMonthsInput, version: number, at: string): Promise<boolean> {
  const n = await db('staff_months').where({ firm_id: firmId, year: v.year, version }).update({ ...columns(v), version: version + 1, updated_at: at });
  return n === 1;
}

export async function deleteStaffMonths(db: Db, firmId: number, year: number, version: number): Promise<boolean> {
  return (await db('staff_months').where({ firm_id: firmId, year, version }).del()) === 1;
}
