/** R&D expense structure (rd_structures): one row per firm and year, actual amounts in 元. */
import type { Db } from '../../db/types.js';
import type { RdStructureInput } from '../../domain/eligibility/rd-structure.js';

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
}

type Row = Record<string, number | string | null> & { firm_id: number; year: number; typed_total: number | string | null; version: number };

function toStructure(r: Row): StoredRdStructure {
  const out = { firmId: r.firm_id, year: r.year, typedTotal: r.typed_total === null ? null : Number(r.typed_total), version: r.version } as StoredRdStructure;
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

export async function updateRdStructure(db: Db, firmId: number, v: RdStructureInput, typedTotal: number | null, version: number, at: string): Promise<boolean> {
  return (await db('rd_structures').where({ firm_id: firmId, year: v.year, version }).update({ ...columns(v, typedTotal), version: version + 1, updated_at: at })) === 1;
}

export async function deleteRdStructure(db: Db, firmId: number, year: number, version: number): Promise<boolean> {
  return (await db('rd_structures').where({ firm_id: firmId, year, version }).del()) === 1;
}
