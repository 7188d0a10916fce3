/** Every query over technical demands, their partners and their change history. */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import type { DemandStatus, PartnerKind } from '../../domain/demands.js';

export interface DemandFields {
  title: string;
  field: string | null;
  description: string | null;
  targets: string | null;
  budgetBand: string | null;
  contactName: string | null;
  contactPhone: string | null;
  collectedOn: string;
}

export interface Demand extends DemandFields {
  id: number;
  firmId: number;
  firmUscc: string;
  firmName: string;
  firmStage: string;
  firmParkId: number | null;
  firmTownId: number | null;
  firmCounsellorId: number | null;
  counsellorName: string | null;
  parkName: string | null;
  interactionId: number | null;
  status: DemandStatus;
  resolution: string | null;
  contractValue: number | null;
  resolvedOn: string | null;
  statusReason: string | null;
  createdBy: number;
  createdByName: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface DemandPartner {
  id: number;
  demandId: number;
  kind: PartnerKind;
  name: string;
  contact: string | null;
  startedOn: string;
  endedOn: string | null;
  note: string | null;
  createdAt: string;
}

export interface DemandChange {
  id: number;
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
  actorName: string | null;
  at: string;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const dateStr = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

function toDemand(r: Record<string, unknown>): Demand {
  return {
    id: Number(r.id),
    firmId: Number(r.firm_id),
    firmUscc: String(r.firm_uscc),
    firmName: String(r.firm_name),
    firmStage: String(r.firm_stage),
    firmParkId: num(r.firm_park_id),
    firmTownId: num(r.firm_town_id),
    firmCounsellorId: num(r.firm_counsellor_id),
    counsellorName: (r.counsellor_name as string | null) ?? null,
    parkName: (r.park_name as string | null) ?? null,
    interactionId: num(r.interaction_id),
    title: String(r.title),
    field: (r.field as string | null) ?? null,
    description: (r.description as string | null) ?? null,
    targets: (r.targets as string | null) ?? null,
    budgetBand: (r.budget_band as string | null) ?? null,
    contactName: (r.contact_name as string | null) ?? null,
    contactPhone: (r.contact_phone as string | null) ?? null,
    collectedOn: dateStr(r.collected_on)!,
    status: r.status as DemandStatus,
    resolution: (r.resolution as string | null) ?? null,
    contractValue: num(r.contract_value),
    resolvedOn: dateStr(r.resolved_on),
    statusReason: (r.status_reason as string | null) ?? null,
    createdBy: Number(r.created_by),
    createdByName: (r.created_by_name as string | null) ?? null,
    version: Number(r.version),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

function baseQuery(db: Db): Knex.QueryBuilder {
  return db('demands as d')
    .join('firms as f', 'f.id', 'd.firm_id')
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .leftJoin('users as c', 'c.id', 'f.counsellor_id')
    .leftJoin('users as cb', 'cb.id', 'd.created_by')
    .select(
      'd.*',
      'f.uscc as firm_uscc',
      'f.name as firm_name',
      'f.stage as firm_stage',
      'f.park_id as firm_park_id',
      'f.town_id as firm_town_id',
      'f.counsellor_id as firm_counsellor_id',
      'c.display_name as counsellor_name',
      'p.name as park_name',
      'cb.display_name as created_by_name',
    );
}

/** Limits a query joined to firms `f` to the actor's parks and towns. */
export function scopeToJurisdiction(qb: Knex.QueryBuilder, actor: Jurisdiction, alias = 'f'): Knex.QueryBuilder {
  if (actor.parkIds === null) return qb;
  const parks = actor.parkIds;
  const towns = actor.townIds ?? [];
  return qb.where((w) => {
    w.whereIn(`${alias}.park_id`, parks.length ? parks : [-1]);
    if (towns.length) w.orWhereIn(`${alias}.town_id`, towns);
  });
}

export interface DemandFilters {
  status?: DemandStatus | null;
  field?: string | null;
  parkId?: number | null;
  counsellorId?: number | null;
  /** The year the demand was collected in. */
  year?: number | null;
  firmId?: number | null;
}

function applyFilters(qb: Knex.QueryBuilder, filters: DemandFilters, actor: Jurisdiction, withStatus = true): Knex.QueryBuilder {
  scopeToJurisdiction(qb, actor);
  if (withStatus && filters.status) qb.where('d.status', filters.status);
  if (filters.field) qb.where('d.field', filters.field);
  if (filters.parkId) qb.where('f.park_id', filters.parkId);
  if (filters.counsellorId) qb.where('f.counsellor_id', filters.counsellorId);
  if (filters.firmId) qb.where('d.firm_id', filters.firmId);
  if (filters.year) qb.whereBetween('d.collected_on', [`${filters.year}-01-01`, `${filters.year}-12-31`]);
  return qb;
}

export async function listDemands(db: Db, filters: DemandFilters, actor: Jurisdiction, limit = 200, offset = 0): Promise<Demand[]> {
  const rows = await applyFilters(baseQuery(db), filters, actor).orderBy([{ column: 'd.collected_on', order: 'desc' }, { column: 'd.id', order: 'desc' }]).limit(limit).offset(offset);
  return (rows as Record<string, unknown>[]).map(toDemand);
}

/** How many demands each status holds under the filters (the status filter itself left out). */
export async function countDemandsByStatus(db: Db, filters: DemandFilters, actor: Jurisdiction): Promise<Map<DemandStatus, number>> {
  const qb = db('demands as d').join('firms as f', 'f.id', 'd.firm_id').select('d.status').count({ n: '*' }).groupBy('d.status');
  const rows = (await applyFilters(qb, filters, actor, false)) as { status: DemandStatus; n: number | string }[];
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

export async function findDemand(db: Db, id: number): Promise<Demand | null> {
  const row = (await baseQuery(db).where('d.id', id).first()) as Record<string, unknown> | undefined;
  return row ? toDemand(row) : null;
}

export async function insertDemand(db: Db, row: { firmId: number; interactionId: number | null; status: DemandStatus; createdBy: number; at: string } & DemandFields): Promise<number> {
  const [r] = await db('demands')
    .insert({
      firm_id: row.firmId,
      interaction_id: row.interactionId,
      title: row.title,
      field: row.field,
      description: row.description,
      targets: row.targets,
      budget_band: row.budgetBand,
      contact_name: row.contactName,
      contact_phone: row.contactPhone,
      status: row.status,
      collected_on: row.collectedOn,
      created_by: row.createdBy,
      version: 1,
      created_at: row.at,
      updated_at: row.at,
    })
    .returning('id');
  return typeof r === 'object' ? Number((r as { id: number }).id) : Number(r);
}

/** Optimistic update: true when the row had this version (and now has the next). */
export async function updateDemand(db: Db, id: number, version: number, changes: Record<string, unknown>, at: string): Promise<boolean> {
  const n = await db('demands').where({ id, version }).update({ ...changes, version: version + 1, updated_at: at });
  return n === 1;
}

export async function insertDemandChange(db: Db, row: { demandId: number; kind: string; fromStatus?: string | null; toStatus?: string | null; reason?: string | null; details?: unknown; actorId: number; at: string }): Promise<void> {
  await db('demand_changes').insert({
    demand_id: row.demandId,
    kind: row.kind,
    from_status: row.fromStatus ?? null,
    to_status: row.toStatus ?? null,
    reason: row.reason ?? null,
    details: row.details === undefined || row.details === null ? null : JSON.stringify(row.details),
    actor_id: row.actorId,
    at: row.at,
  });
}

export async function demandChanges(db: Db, demandId: number): Promise<DemandChange[]> {
  const rows = (await db('demand_changes as c')
    .leftJoin('users as u', 'u.id', 'c.actor_id')
    .where('c.demand_id', demandId)
    .orderBy([{ column: 'c.at', order: 'desc' }, { column: 'c.id', order: 'desc' }])
    .select('c.*', 'u.display_name as actor_name')) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: Number(r.id),
    kind: String(r.kind),
    fromStatus: (r.from_status as string | null) ?? null,
    toStatus: (r.to_status as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    details: r.details ? (JSON.parse(String(r.details)) as Record<string, unknown>) : null,
    actorName: (r.actor_name as string | null) ?? null,
    at: String(r.at),
  }));
}

export async function insertPartner(db: Db, row: { demandId: number; kind: PartnerKind; name: string; contact: string | null; startedOn: string; note: string | null; createdBy: number; at: string }): Promise<number> {
  const [r] = await db('demand_partners')
    .insert({ demand_id: row.demandId, kind: row.kind, name: row.name, contact: row.contact, started_on: row.startedOn, note: row.note, created_by: row.createdBy, created_at: row.at })
    .returning('id');
  return typeof r === 'object' ? Number((r as { id: number }).id) : Number(r);
}

export async function demandPartners(db: Db, demandIds: number[]): Promise<DemandPartner[]> {
  if (!demandIds.length) return [];
  const rows = (await db('demand_partners').whereIn('demand_id', demandIds).orderBy(['demand_id', 'started_on', 'id'])) as Record<string, unknown>[];
  return rows.map(toPartner);
}

function toPartner(r: Record<string, unknown>): DemandPartner {
  return {
    id: Number(r.id),
    demandId: Number(r.demand_id),
    kind: r.kind as PartnerKind,
    name: String(r.name),
    contact: (r.contact as string | null) ?? null,
    startedOn: dateStr(r.started_on)!,
    endedOn: dateStr(r.ended_on),
    note: (r.note as string | null) ?? null,
    createdAt: String(r.created_at),
  };
}

/** One partner of one demand (null when the partner is not that demand's). */
export async function findPartner(db: Db, demandId: number, partnerId: number): Promise<DemandPartner | null> {
  const r = (await db('demand_partners').where({ id: partnerId, demand_id: demandId }).first()) as Record<string, unknown> | undefined;
  return r ? toPartner(r) : null;
}

/** The day a partner's matching ended. */
export async function updatePartnerEnd(db: Db, partnerId: number, endedOn: string): Promise<void> {
  await db('demand_partners').where({ id: partnerId }).update({ ended_on: endedOn });
}

export async function countPartners(db: Db, demandId: number): Promise<number> {
  const r = (await db('demand_partners').where('demand_id', demandId).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(r?.n ?? 0);
}

/** A firm's demands, newest first, for its page and its timeline. */
export async function demandsOfFirm(db: Db, firmId: number): Promise<Demand[]> {
  const rows = await baseQuery(db).where('d.firm_id', firmId).orderBy([{ column: 'd.collected_on', order: 'desc' }, { column: 'd.id', order: 'desc' }]);
  return (rows as Record<string, unknown>[]).map(toDemand);
}

/** Status moves of a firm's demands (for the firm's timeline). */
export async function demandMovesOfFirm(db: Db, firmId: number): Promise<(DemandChange & { demandId: number; title: string })[]> {
  const rows = (await db('demand_changes as c')
    .join('demands as d', 'd.id', 'c.demand_id')
    .leftJoin('users as u', 'u.id', 'c.actor_id')
    .where('d.firm_id', firmId)
    .whereIn('c.kind', ['create', 'move'])
    .orderBy([{ column: 'c.at', order: 'desc' }, { column: 'c.id', order: 'desc' }])
    .select('c.*', 'd.title', 'u.display_name as actor_name')) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: Number(r.id),
    demandId: Number(r.demand_id),
    title: String(r.title),
    kind: String(r.kind),
    fromStatus: (r.from_status as string | null) ?? null,
    toStatus: (r.to_status as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    details: r.details ? (JSON.parse(String(r.details)) as Record<string, unknown>) : null,
    actorName: (r.actor_name as string | null) ?? null,
    at: String(r.at),
  }));
}

/** Demands collected in a Shanghai calendar year, in the actor's jurisdiction (the figure against 100). */
export async function countCollectedInYear(db: Db, year: number, actor: Jurisdiction): Promise<number> {
  const qb = db('demands as d').join('firms as f', 'f.id', 'd.firm_id').whereBetween('d.collected_on', [`${year}-01-01`, `${year}-12-31`]).count({ n: '*' });
  scopeToJurisdiction(qb, actor);
  const r = (await qb.first()) as { n: number | string } | undefined;
  return Number(r?.n ?? 0);
}

/**
 * The annual report's demand figures (reports slice, T7): demands collected in `year` and recorded
 * by `asOf` (ISO instant), per month collected and per status as it stood at `asOf` (the latest
 * move recorded by then; the first status otherwise), in the actor's jurisdiction.
 */
export async function demandFiguresOfYear(db: Db, year: number, asOf: string, actor: Jurisdiction): Promise<{ byMonth: number[]; byStatus: Map<string, number> }> {
  const qb = db('demands as d')
    .join('firms as f', 'f.id', 'd.firm_id')
    .whereBetween('d.collected_on', [`${year}-01-01`, `${year}-12-31`])
    .andWhere('d.created_at', '<=', asOf)
    .select('d.id', 'd.collected_on', 'd.status');
  scopeToJurisdiction(qb, actor);
  const rows = (await qb) as { id: number; collected_on: string; status: string }[];
  const byMonth = Array(12).fill(0) as number[];
  const statusOf = new Map<number, string>();
  for (let i = 0; i < rows.length; i += 500) {
    const ids = rows.slice(i, i + 500).map((r) => r.id);
    const changes = (await db('demand_changes').whereIn('demand_id', ids).whereNotNull('to_status').andWhere('at', '<=', asOf).orderBy(['demand_id', 'at', 'id']).select('demand_id', 'to_status')) as { demand_id: number; to_status: string }[];
    for (const c of changes) statusOf.set(c.demand_id, c.to_status);
  }
  const byStatus = new Map<string, number>();
  for (const r of rows) {
    const on = typeof r.collected_on === 'string' ? r.collected_on : new Date(r.collected_on as unknown as string).toISOString().slice(0, 10);
    byMonth[Number(on.slice(5, 7)) - 1]!++;
    const s = statusOf.get(r.id) ?? 'collected';
    byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
  }
  return { byMonth, byStatus };
}
