/**
 * R&D expense structure (rd_structures): one row per firm and year, actual amounts in 元; and the optional R&D
 * projects of a year (rd_projects), whose sum the year's row then holds (from_projects).
 */
import type { Db } from '../../db/types.js';
import { type RdProjectInput, type RdStructureInput, sumRdProjects } from '../../domain/eligibility/rd-structure.js';

export const RD_CATEGORIES = [
  { key: 'personnel', column: 'personnel', label: '（1）人员人工费用' },
  { key: 'direct', column: 'direct', label: '（2）直接投入费用' },
  { key: 'depreciation', column: 'depreciation', label: '（3）折旧费用与长期待摊费用' },
  { key: 'amortization', column: 'amortization', label: '（4）无形资产摊销费用' },
  { key: 'design', column: 'design', label: '（5）设计费用' },
  { key: 'equipment', column: 'equipment', label: '（6）装备调试费用与试验费用' },
  { key: 'outsourcedDomestic', column: 'outsourced_domestic', label: '（7）委托外部研究开发费用——境内（实际发生额）' },
  { key: 'outsourcedForeign', column: 'outsourced_foreign', label: '（7）委托外部研究开发费用——境外（实际发生额）' },
  { key: 'other', column: 'other', label: '（8）其他费用' },
] as const;

export type RdCategoryKey = (typeof RD_CATEGORIES)[number]['key'];

export interface StoredRdStructure extends RdStructureInput {
  firmId: number;
  typedTotal: number | null;
  version: number;
  /** The sum of the year's projects: edited through them, not as a whole. */
  fromProjects: boolean;
}

type Row = Record<string, number | string | boolean | null> & { firm_id: number; year: number; typed_total: number | string | null; version: number; from_projects: boolean | number };

function toStructure(r: Row): StoredRdStructure {
  const out = { firmId: r.firm_id, year: r.year, typedTotal: r.typed_total === null ? null : Number(r.typed_total), version: r.version, fromProjects: Boolean(r.from_projects) } as StoredRdStructure;
  for (const c of RD_CATEGORIES) (out as unknown as Record<string, number>)[c.key] = Number(r[c.column]);
  return out;
}

export async function rdStructuresOfFirms(db: Db, firmIds: number[]): Promise<Map<number, StoredRdStructure[]>> {
  const out = new Map<number, StoredRdStructure[]>();
  if (firmIds.length === 0) return out;
  const rows = (await db('rd_structures').whereIn('firm_id', firmIds).orderBy('year')) as Row[];
  for (const s of rows.map(toStructure)) out.set(s.firmId, [...(out.get(s.firmId) ?? []), s]);
  return out;
}

export async function rdStructureOfYear(db: Db, firmId: number, year: number): Promise<StoredRdStructure | null> {
  const r = (await db('rd_structures').where({ firm_id: firmId, year }).first()) as Row | undefined;
  return r ? toStructure(r) : null;
}

function columns(v: RdStructureInput, typedTotal: number | null) {
  return { ...Object.fromEntries(RD_CATEGORIES.map((c) => [c.column, v[c.key]])), typed_total: typedTotal };
}

export async function insertRdStructure(db: Db, firmId: number, v: RdStructureInput, typedTotal: number | null, at: string): Promise<void> {
  await db('rd_structures').insert({ firm_id: firmId, year: v.year, ...columns(v, typedTotal), version: 1, updated_at: at });
}

/** A year-level structure written by an import: replaces the year's projects and structure, whatever their version. */
export async function replaceRdYear(db: Db, firmId: number, v: RdStructureInput, typedTotal: number | null, at: string): Promise<void> {
  await db('rd_projects').where({ firm_id: firmId, year: v.year }).del();
  const n = await db('rd_structures').where({ firm_id: firmId, year: v.year }).update({ ...columns(v, typedTotal), from_projects: false, version: db.raw('version + 1'), updated_at: at });
  if (n === 0) await insertRdStructure(db, firmId, v, typedTotal, at);
}

export async function updateRdStructure(db: Db, firmId: number, v: RdStructureInput, typedTotal: number | null, version: number, at: string): Promise<boolean> {
  return (await db('rd_structures').where({ firm_id: firmId, year: v.year, version }).update({ ...columns(v, typedTotal), version: version + 1, updated_at: at })) === 1;
}

export async function deleteRdStructure(db: Db, firmId: number, year: number, version: number): Promise<boolean> {
  return (await db('rd_structures').where({ firm_id: firmId, year, version }).del()) === 1;
}

export interface StoredRdProject extends RdProjectInput {
  id: number;
  firmId: number;
  year: number;
  version: number;
}

type ProjectRow = Record<string, number | string | null> & { id: number; firm_id: number; year: number; code: string; name: string; start_date: string | null; end_date: string | null; budget: number | string | null; tech_field: string | null; version: number };

function toProject(r: ProjectRow): StoredRdProject {
  const out = {
    id: r.id, firmId: r.firm_id, year: r.year, code: r.code, name: r.name, startDate: r.start_date, endDate: r.end_date,
    budget: r.budget === null ? null : Number(r.budget), techField: r.tech_field, version: r.version,
  } as StoredRdProject;
  for (const c of RD_CATEGORIES) (out as unknown as Record<string, number>)[c.key] = Number(r[c.column]);
  return out;
}

/** Projects by firm, ordered by year and code. */
export async function rdProjectsOfFirms(db: Db, firmIds: number[]): Promise<Map<number, StoredRdProject[]>> {
  const out = new Map<number, StoredRdProject[]>();
  if (firmIds.length === 0) return out;
  const rows = (await db('rd_projects').whereIn('firm_id', firmIds).orderBy(['year', 'code'])) as ProjectRow[];
  for (const p of rows.map(toProject)) out.set(p.firmId, [...(out.get(p.firmId) ?? []), p]);
  return out;
}

export async function rdProjectsOfYear(db: Db, firmId: number, year: number): Promise<StoredRdProject[]> {
  return ((await db('rd_projects').where({ firm_id: firmId, year }).orderBy('code')) as ProjectRow[]).map(toProject);
}

function projectColumns(p: RdProjectInput) {
  return {
    code: p.code, name: p.name, start_date: p.startDate, end_date: p.endDate, budget: p.budget, tech_field: p.techField,
    ...Object.fromEntries(RD_CATEGORIES.map((c) => [c.column, p[c.key]])),
  };
}

export async function insertRdProject(db: Db, firmId: number, year: number, p: RdProjectInput, at: string): Promise<void> {
  await db('rd_projects').insert({ firm_id: firmId, year, ...projectColumns(p), version: 1, updated_at: at });
}

export async function updateRdProject(db: Db, id: number, p: RdProjectInput, version: number, at: string): Promise<boolean> {
  return (await db('rd_projects').where({ id, version }).update({ ...projectColumns(p), version: version + 1, updated_at: at })) === 1;
}

export async function deleteRdProject(db: Db, id: number, version: number): Promise<boolean> {
  return (await db('rd_projects').where({ id, version }).del()) === 1;
}

/** Projects written by an import: the year's projects become exactly these. */
export async function replaceRdProjects(db: Db, firmId: number, year: number, projects: readonly RdProjectInput[], at: string): Promise<void> {
  await db('rd_projects').where({ firm_id: firmId, year }).del();
  if (projects.length) await db('rd_projects').insert(projects.map((p) => ({ firm_id: firmId, year, ...projectColumns(p), version: 1, updated_at: at })));
}

/**
 * After a change to a year's projects: the year's structure becomes their sum (no book total: it was typed for
 * the categories as a whole), or goes when the last project went. Returns the structure now stored, if any.
 */
export async function syncRdYearFromProjects(db: Db, firmId: number, year: number, at: string): Promise<RdStructureInput | null> {
  const projects = await rdProjectsOfYear(db, firmId, year);
  if (projects.length === 0) {
    await db('rd_structures').where({ firm_id: firmId, year, from_projects: true }).del();
    return null;
  }
  const sum = sumRdProjects(year, projects);
  const n = await db('rd_structures').where({ firm_id: firmId, year }).update({ ...columns(sum, null), from_projects: true, version: db.raw('version + 1'), updated_at: at });
  if (n === 0) await db('rd_structures').insert({ firm_id: firmId, year, ...columns(sum, null), from_projects: true, version: 1, updated_at: at });
  return sum;
}
