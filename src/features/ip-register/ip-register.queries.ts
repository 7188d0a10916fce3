/** The IP register (ip_items): one row per item of a firm; a number belongs to one firm only. */
import type { Db } from '../../db/types.js';
import type { IpAcquisition, IpItem, IpKind, IpStatus } from '../../domain/eligibility/ip-register.js';

export interface StoredIpItem extends IpItem {
  id: number;
  firmId: number;
  source: string;
  version: number;
}

interface Row {
  id: number; firm_id: number; kind: IpKind; number: string; title: string; applied_on: string | null; granted_on: string | null;
  acquisition: IpAcquisition; co_holders: string; co_holder_use: number | boolean; status: IpStatus; used_in_application: string | null;
  supports_main_products: number | boolean; source: string; version: number;
}

function toItem(r: Row): StoredIpItem {
  return {
    id: r.id, firmId: r.firm_id, kind: r.kind, number: r.number, title: r.title, appliedOn: r.applied_on, grantedOn: r.granted_on,
    acquisition: r.acquisition, coHolders: r.co_holders, coHolderUse: Boolean(r.co_holder_use), status: r.status,
    usedInApplication: r.used_in_application, supportsMainProducts: Boolean(r.supports_main_products), source: r.source, version: r.version,
  };
}

export async function ipItemsOfFirms(db: Db, firmIds: number[]): Promise<Map<number, StoredIpItem[]>> {
  const out = new Map<number, StoredIpItem[]>();
  if (firmIds.length === 0) return out;
  const rows = (await db('ip_items').whereIn('firm_id', firmIds).orderBy(['granted_on', 'id'])) as Row[];
  for (const r of rows.map(toItem)) out.set(r.firmId, [...(out.get(r.firmId) ?? []), r]);
  return out;
}

/** Which firm already holds this normalised number (any firm), if any. */
export async function holderOfNumber(db: Db, numberKey: string): Promise<{ firmId: number; firmName: string } | null> {
  const r = (await db('ip_items as i').join('firms as f', 'f.id', 'i.firm_id').where('i.number_key', numberKey).first('i.firm_id', 'f.name')) as { firm_id: number; name: string } | undefined;
  return r ? { firmId: r.firm_id, firmName: r.name } : null;
}

function columns(v: IpItem, numberKey: string) {
  return {
    kind: v.kind, number: v.number, number_key: numberKey, title: v.title, applied_on: v.appliedOn, granted_on: v.grantedOn,
    acquisition: v.acquisition, co_holders: v.coHolders, co_holder_use: v.coHolderUse, status: v.status,
    used_in_application: v.usedInApplication, supports_main_products: v.supportsMainProducts,
  };
}

export async function insertIpItem(db: Db, firmId: number, v: IpItem, numberKey: string, source: string, at: string): Promise<number> {
  const [row] = await db('ip_items').insert({ firm_id: firmId, ...columns(v, numberKey), source, version: 1, created_at: at, updated_at: at }).returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

export async function ipItemOf(db: Db, firmId: number, id: number): Promise<StoredIpItem | null> {
  const r = (await db('ip_items').where({ firm_id: firmId, id }).first()) as Row | undefined;
  return r ? toItem(r) : null;
}

export async function updateIpItem(db: Db, firmId: number, id: number, version: number, v: IpItem, numberKey: string, at: string): Promise<boolean> {
  return (await db('ip_items').where({ firm_id: firmId, id, version }).update({ ...columns(v, numberKey), version: version + 1, updated_at: at })) === 1;
}

export async function deleteIpItem(db: Db, firmId: number, id: number, version: number): Promise<boolean> {
  return (await db('ip_items').where({ firm_id: firmId, id, version }).del()) === 1;
}
