/** SQL for coaching plans (one per firm): goals, target certification and year. */
import type { Db } from '../../db/types.js';

export interface CoachingPlan {
  id: number;
  firmId: number;
  goals: string | null;
  targetCertification: string | null;
  targetYear: number | null;
  version: number;
  updatedBy: number | null;
  updatedByName: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PlanFields {
  goals: string | null;
  targetCertification: string | null;
  targetYear: number | null;
}

interface PlanRow {
  id: number;
  firm_id: number;
  goals: string | null;
  target_certification: string | null;
  target_year: number | null;
  version: number;
  updated_by: number | null;
  updated_by_name: string | null;
  created_at: string;
  updated_at: string;
}

const toPlan = (r: PlanRow): CoachingPlan => ({
  id: r.id,
  firmId: r.firm_id,
  goals: r.goals,
  targetCertification: r.target_certification,
  targetYear: r.target_year,
  version: r.version,
  updatedBy: r.updated_by,
  updatedByName: r.updated_by_name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function findPlan(db: Db, firmId: number): Promise<CoachingPlan | null> {
  const row = (await db('coaching_plans as p').leftJoin('users as u', 'u.id', 'p.updated_by').select('p.*', 'u.display_name as updated_by_name').where('p.firm_id', firmId).first()) as PlanRow | undefined;
  return row ? toPlan(row) : null;
}

export async function plansOfFirms(db: Db, firmIds: number[]): Promise<Map<number, CoachingPlan>> {
  const out = new Map<number, CoachingPlan>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('coaching_plans as p').leftJoin('users as u', 'u.id', 'p.updated_by').select('p.*', 'u.display_name as updated_by_name').whereIn('p.firm_id', firmIds.slice(i, i + 500))) as PlanRow[];
    for (const r of rows) out.set(r.firm_id, toPlan(r));
  }
  return out;
}

const columns = (f: PlanFields) => ({ goals: f.goals, target_certification: f.targetCertification, target_year: f.targetYear });

export async function insertPlan(db: Db, firmId: number, fields: PlanFields, by: number, at: string): Promise<void> {
  await db('coaching_plans').insert({ firm_id: firmId, ...columns(fields), version: 1, updated_by: by, created_at: at, updated_at: at });
}

/** Optimistic update; false when the plan moved on. */
export async function updatePlan(db: Db, firmId: number, version: number, fields: PlanFields, by: number, at: string): Promise<boolean> {
  const n = await db('coaching_plans').where({ firm_id: firmId, version }).update({ ...columns(fields), version: version + 1, updated_by: by, updated_at: at });
  return n === 1;
}
