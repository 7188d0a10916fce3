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

/** Of these normalised numbers, the ones already in the register (on any firm). */
export async function numberKeysTaken(db: Db, keys: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    for (const r of (await db('ip_items').whereIn('number_key', keys.slice(i, i + 500)).select('number_key')) as { number_key: string }[]) out.add(r.number_key);
  }
  return out;
}

/** Many new items at once (a list's rows), a chunk per statement. */
export async function insertIpItems(db: Db, items: readonly { firmId: number; item: IpItem; numberKey: string }[], source: string, at: string, importBatchId: number | null = null): Promise<void> {
  const rows = items.map((x) => ({ firm_id: x.firmId, ...columns(x.item, x.numberKey), source, version: 1, created_at: at, updated_at: at, import_batch_id: importBatchId }));
  for (let i = 0; i < rows.length; i += 200) await db('ip_items').insert(rows.slice(i, i + 200));
}

/**
 * Take out the items a list batch entered that nobody has edited since (version 1); an edited one
 * is a counsellor's record now and stays. Returns the firms that lost items, and how many stayed.
 */
export async function deleteUntouchedItemsOfBatch(db: Db, batchId: number): Promise<{ firmIds: number[]; kept: number }> {
  const rows = (await db('ip_items').where({ import_batch_id: batchId }).select('id', 'firm_id', 'version')) as { id: number; firm_id: number; version: number }[];
  const untouched = rows.filter((r) => r.version === 1);
  for (let i = 0; i < untouched.length; i += 500) await db('ip_items').whereIn('id', untouched.slice(i, i + 500).map((r) => r.id)).andWhere('version', 1).del();
  return { firmIds: [...new Set(untouched.map((r) => r.firm_id))], kept: rows.length - untouched.length };
}
