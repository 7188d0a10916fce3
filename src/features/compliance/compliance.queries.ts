/** Compliance events, list entries and the last check of the public records, per firm. */
import type { Db } from '../../db/types.js';
import type { ComplianceEvent, ComplianceEventKind, ComplianceListing, ComplianceListKind, ComplianceRecord } from '../../domain/eligibility/compliance.js';

export interface StoredEvent extends ComplianceEvent { id: number; firmId: number; note: string | null; createdAt: string }
export interface StoredListing extends ComplianceListing { id: number; firmId: number; authority: string | null }
export interface StoredCheck { firmId: number; checkedOn: string; source: string; version: number }

export interface ComplianceOfFirm {
  events: StoredEvent[];
  listings: StoredListing[];
  check: StoredCheck | null;
}

export async function complianceOfFirms(db: Db, firmIds: number[]): Promise<Map<number, ComplianceOfFirm>> {
  const out = new Map<number, ComplianceOfFirm>();
  if (firmIds.length === 0) return out;
  // One after another: inside a transaction they share one connection.
  const events = await (db('compliance_events').whereIn('firm_id', firmIds).orderBy(['occurred_on', 'id']) as Promise<{ id: number; firm_id: number; kind: ComplianceEventKind; occurred_on: string; authority: string; doc_number: string; note: string | null; created_at: string }[]>);
  const listings = await (db('compliance_listings').whereIn('firm_id', firmIds).orderBy(['listed_on', 'id']) as Promise<{ id: number; firm_id: number; list: ComplianceListKind; listed_on: string; removed_on: string | null; authority: string | null }[]>);
  const checks = await (db('compliance_checks').whereIn('firm_id', firmIds) as Promise<{ firm_id: number; checked_on: string; source: string; version: number }[]>);
  const of = (id: number) => {
    let v = out.get(id);
    if (!v) out.set(id, (v = { events: [], listings: [], check: null }));
    return v;
  };
  for (const e of events) of(e.firm_id).events.push({ id: e.id, firmId: e.firm_id, kind: e.kind, date: e.occurred_on, authority: e.authority, docNumber: e.doc_number, note: e.note, createdAt: e.created_at });
  for (const l of listings) of(l.firm_id).listings.push({ id: l.id, firmId: l.firm_id, list: l.list, listedOn: l.listed_on, removedOn: l.removed_on, authority: l.authority });
  for (const c of checks) of(c.firm_id).check = { firmId: c.firm_id, checkedOn: c.checked_on, source: c.source, version: c.version };
  return out;
}

/** What the rules read: null when the firm has no register at all. */
export function complianceRecordOf(c: ComplianceOfFirm | undefined): ComplianceRecord | null {
  if (!c || (c.events.length === 0 && c.listings.length === 0 && !c.check)) return null;
  return {
    events: c.events.map(({ kind, date, authority, docNumber }) => ({ kind, date, authority, docNumber })),
    listings: c.listings.map(({ list, listedOn, removedOn }) => ({ list, listedOn, removedOn })),
    checkedOn: c.check?.checkedOn ?? null,
  };
}

export async function insertEvent(db: Db, firmId: number, e: ComplianceEvent & { note: string | null }, actorId: number, at: string): Promise<number> {
  const [row] = await db('compliance_events')
    .insert({ firm_id: firmId, kind: e.kind, occurred_on: e.date, authority: e.authority, doc_number: e.docNumber, note: e.note, created_by: actorId, created_at: at })
    .returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

export async function eventOf(db: Db, firmId: number, id: number): Promise<StoredEvent | null> {
  const all = await complianceOfFirms(db, [firmId]);
  return all.get(firmId)?.events.find((e) => e.id === id) ?? null;
}

export async function deleteEvent(db: Db, firmId: number, id: number): Promise<boolean> {
  return (await db('compliance_events').where({ firm_id: firmId, id }).del()) === 1;
}

export async function insertListing(db: Db, firmId: number, l: ComplianceListing & { authority: string | null }, actorId: number, at: string): Promise<number> {
  const [row] = await db('compliance_listings')
    .insert({ firm_id: firmId, list: l.list, listed_on: l.listedOn, removed_on: l.removedOn, authority: l.authority, created_by: actorId, created_at: at })
    .returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

export async function deleteListing(db: Db, firmId: number, id: number): Promise<boolean> {
  return (await db('compliance_listings').where({ firm_id: firmId, id }).del()) === 1;
}

export async function checkOf(db: Db, firmId: number): Promise<StoredCheck | null> {
  const r = (await db('compliance_checks').where({ firm_id: firmId }).first()) as { firm_id: number; checked_on: string; source: string; version: number } | undefined;
  return r ? { firmId: r.firm_id, checkedOn: r.checked_on, source: r.source, version: r.version } : null;
}

export async function saveCheck(db: Db, firmId: number, version: number, checkedOn: string, source: string, at: string): Promise<boolean> {
  if (version === 0) {
    await db('compliance_checks').insert({ firm_id: firmId, checked_on: checkedOn, source, version: 1, updated_at: at });
    return true;
  }
  return (await db('compliance_checks').where({ firm_id: firmId, version }).update({ checked_on: checkedOn, source, version: version + 1, updated_at: at })) === 1;
}
