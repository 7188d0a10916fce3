import type { Db } from '../../db/types.js';
import type { StageKey } from '../../domain/stages.js';

export interface StageEvent {
  id: number;
  firmId: number;
  fromStage: StageKey | null;
  toStage: StageKey;
  reasonCode: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
  source: string;
  actorId: number;
  actorName: string | null;
  at: string;
}

export type NewStageEvent = Omit<StageEvent, 'id' | 'actorName'>;

export const STAGE_EVENT_SOURCES = ['board', 'menu', 'firm_page', 'bulk', 'import', 'create', 'seed', 'register'] as const;
export type StageEventSource = (typeof STAGE_EVENT_SOURCES)[number];

/** The stage_events row for an event; for callers that insert many at once (insertChunked). */
export function stageEventRow(e: NewStageEvent): Record<string, unknown> {
  return {
    firm_id: e.firmId,
    from_stage: e.fromStage,
    to_stage: e.toStage,
    reason_code: e.reasonCode,
    reason: e.reason,
    details: e.details ? JSON.stringify(e.details) : null,
    source: e.source,
    actor_id: e.actorId,
    at: e.at,
  };
}

export async function insertStageEvent(db: Db, e: NewStageEvent): Promise<void> {
  await db('stage_events').insert(stageEventRow(e));
}

interface StageEventRow {
  id: number;
  firm_id: number;
  from_stage: StageKey | null;
  to_stage: StageKey;
  reason_code: string | null;
  reason: string | null;
  details: string | null;
  source: string;
  actor_id: number;
  actor_name: string | null;
  at: string;
}

/** A firm's whole history, oldest first. */
export async function stageEventsForFirm(db: Db, firmId: number): Promise<StageEvent[]> {
  const rows = (await db('stage_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .select('e.*', 'u.display_name as actor_name')
    .where('e.firm_id', firmId)
    .orderBy([{ column: 'e.at' }, { column: 'e.id' }])) as StageEventRow[];
  return rows.map((r) => ({
    id: r.id,
    firmId: r.firm_id,
    fromStage: r.from_stage,
    toStage: r.to_stage,
    reasonCode: r.reason_code,
    reason: r.reason,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    source: r.source,
    actorId: r.actor_id,
    actorName: r.actor_name,
    at: r.at,
  }));
}

/** The latest high-tech certificate (number and date) recorded on each firm's move into hte_certified. */
export async function latestCertificates(db: Db, firmIds: number[]): Promise<Map<number, { certificateNo: string; certificateDate: string }>> {
  const out = new Map<number, { certificateNo: string; certificateDate: string }>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('stage_events')
      .whereIn('firm_id', firmIds.slice(i, i + 500))
      .andWhere('to_stage', 'hte_certified')
      .whereNotNull('details')
      .orderBy([{ column: 'firm_id' }, { column: 'at' }])
      .select('firm_id', 'details')) as { firm_id: number; details: string }[];
    for (const r of rows) {
      const d = JSON.parse(r.details) as { certificateNo?: string; certificateDate?: string };
      if (d.certificateDate) out.set(r.firm_id, { certificateNo: d.certificateNo ?? '', certificateDate: d.certificateDate });
    }
  }
  return out;
}

/**
 * Firms that were in one of `stages` at some time in [from, to) (instants), by their stage events
 * recorded up to `asOf`: an event into one of them in the period, or the last event before the
 * period went into one of them. The annual report's "培育库" (T4). Scope: a limited user's parks and
 * towns (the firm's current ones).
 */
export async function firmsInStagesDuring(db: Db, stages: string[], from: string, to: string, asOf: string | null, scope: { parkIds?: number[] | null; townIds?: number[] }): Promise<number[]> {
  const until = asOf && asOf < to ? asOf : to;
  const entered = db('stage_events').distinct('firm_id').whereIn('to_stage', stages).andWhere('at', '>=', from).andWhere('at', '<', until);
  const lastBefore = db('stage_events as e')
    .select('e.firm_id')
    .whereIn('e.to_stage', stages)
    .andWhere('e.at', '<', from)
    .whereNotExists(function () {
      this.select(db.raw('1')).from('stage_events as e2').whereRaw('e2.firm_id = e.firm_id').andWhere('e2.at', '<', from).andWhere((w) => w.where('e2.at', '>', db.ref('e.at')).orWhere((x) => x.where('e2.at', db.ref('e.at')).andWhere('e2.id', '>', db.ref('e.id'))));
    });
  const qb = db('firms as f').select('f.id').whereIn('f.id', entered.union(lastBefore));
  if (scope.parkIds) {
    const parks = scope.parkIds;
    const towns = scope.townIds ?? [];
    qb.andWhere((w) => {
      w.whereIn('f.park_id', parks.length ? parks : [-1]);
      if (towns.length) w.orWhereIn('f.town_id', towns);
    });
  }
  return ((await qb) as { id: number }[]).map((r) => r.id);
}

/** Each firm's latest stage event (by id): whether a move is still the last thing that happened to it. */
export async function latestStageEvents(db: Db, firmIds: readonly number[]): Promise<Map<number, Pick<StageEvent, 'id' | 'firmId' | 'fromStage' | 'toStage' | 'source' | 'at'>>> {
  const out = new Map<number, Pick<StageEvent, 'id' | 'firmId' | 'fromStage' | 'toStage' | 'source' | 'at'>>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const latest = db('stage_events').whereIn('firm_id', firmIds.slice(i, i + 500)).groupBy('firm_id').max('id');
    const rows = (await db('stage_events').whereIn('id', latest).select('id', 'firm_id', 'from_stage', 'to_stage', 'source', 'at')) as Pick<StageEventRow, 'id' | 'firm_id' | 'from_stage' | 'to_stage' | 'source' | 'at'>[];
    for (const r of rows) out.set(r.firm_id, { id: Number(r.id), firmId: r.firm_id, fromStage: r.from_stage, toStage: r.to_stage, source: r.source, at: r.at });
  }
  return out;
}

/** The moves recorded at one instant by one source (a batch's commit moves all its firms at its own instant). */
export async function stageEventsAt(db: Db, firmIds: readonly number[], at: string, source: StageEventSource): Promise<Pick<StageEvent, 'id' | 'firmId' | 'fromStage' | 'toStage'>[]> {
  const out: Pick<StageEvent, 'id' | 'firmId' | 'fromStage' | 'toStage'>[] = [];
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('stage_events').whereIn('firm_id', firmIds.slice(i, i + 500)).andWhere({ at, source }).select('id', 'firm_id', 'from_stage', 'to_stage')) as Pick<StageEventRow, 'id' | 'firm_id' | 'from_stage' | 'to_stage'>[];
    for (const r of rows) out.push({ id: Number(r.id), firmId: r.firm_id, fromStage: r.from_stage, toStage: r.to_stage });
  }
  return out;
}
