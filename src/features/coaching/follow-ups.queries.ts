/**
 * ── API for the events/demands slice ──────────────────────────────────────────────────────────
 * This module is the stable interface other features use to create and read follow-ups:
 *   insertFollowUps(trx, rows)        open follow-ups: firm, title, due date, optional source
 *                                     interaction / event / template. Plain SQL: the caller checks
 *                                     permissions and writes the audit row.
 *   openFollowUpsForFirm(db, firmId)  a firm's open follow-ups, soonest first
 *   followUpsForFirm(db, firmId)      all of a firm's follow-ups (done and cancelled stay: timeline)
 *   followUpsOfEvent(db, eventId)     the follow-ups an event created
 *   followUpQueue(db, …)              the open follow-ups of a counsellor's firms (or all in scope),
 *                                     each with its state from domain/coaching followUpState()
 *   nextFollowUps(db, firmIds)        each firm's next open follow-up (board card)
 * Follow-ups are never deleted: open → done (date, result) or cancelled (reason), closeFollowUp().
 * Keep these signatures stable; add, do not change.
 * ─────────────────────────────────────────────────────────────────────────────────────────────
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { type FollowUpState, type FollowUpStatus, followUpBounds, followUpState } from '../../domain/coaching/follow-ups.js';
import { applyFirmFilters } from '../firms/firm-filters.js';
import { idOf } from './ids.js';

export interface NewFollowUp {
  firmId: number;
  title: string;
  dueOn: string;
  sourceInteractionId?: number | null;
  sourceEventId?: number | null;
  sourceTemplateId?: number | null;
  createdBy: number;
  at: string;
}

export interface FollowUp {
  id: number;
  firmId: number;
  title: string;
  dueOn: string;
  status: FollowUpStatus;
  sourceInteractionId: number | null;
  sourceEventId: number | null;
  sourceTemplateId: number | null;
  doneOn: string | null;
  result: string | null;
  cancelReason: string | null;
  closedBy: number | null;
  closedByName: string | null;
  closedAt: string | null;
  createdBy: number;
  createdByName: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A queue row: the follow-up with its firm and its state. */
export interface QueueItem extends FollowUp {
  state: FollowUpState;
  firmUscc: string;
  firmName: string;
  counsellorId: number | null;
  counsellorName: string | null;
  parkId: number | null;
  townId: number | null;
}

interface FollowUpRow {
  id: number;
  firm_id: number;
  title: string;
  due_on: string;
  status: FollowUpStatus;
  source_interaction_id: number | null;
  source_event_id: number | null;
  source_template_id: number | null;
  done_on: string | null;
  result: string | null;
  cancel_reason: string | null;
  closed_by: number | null;
  closed_by_name: string | null;
  closed_at: string | null;
  created_by: number;
  created_by_name: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

function toFollowUp(r: FollowUpRow): FollowUp {
  return {
    id: r.id,
    firmId: r.firm_id,
    title: r.title,
    dueOn: r.due_on,
    status: r.status,
    sourceInteractionId: r.source_interaction_id,
    sourceEventId: r.source_event_id,
    sourceTemplateId: r.source_template_id,
    doneOn: r.done_on,
    result: r.result,
    cancelReason: r.cancel_reason,
    closedBy: r.closed_by,
    closedByName: r.closed_by_name,
    closedAt: r.closed_at,
    createdBy: r.created_by,
    createdByName: r.created_by_name,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function followUpRow(f: NewFollowUp): Record<string, unknown> {
  return {
    firm_id: f.firmId,
    title: f.title,
    due_on: f.dueOn,
    status: 'open',
    source_interaction_id: f.sourceInteractionId ?? null,
    source_event_id: f.sourceEventId ?? null,
    source_template_id: f.sourceTemplateId ?? null,
    created_by: f.createdBy,
    version: 1,
    created_at: f.at,
    updated_at: f.at,
  };
}

/** Inserts open follow-ups; returns their ids in order. */
export async function insertFollowUps(trx: Db, rows: NewFollowUp[]): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const inserted = await trx('follow_ups').insert(rows.slice(i, i + 200).map(followUpRow)).returning('id');
    ids.push(...inserted.map(idOf));
  }
  return ids;
}

function followUpSelect(db: Db): Knex.QueryBuilder {
  return db('follow_ups as fu')
    .leftJoin('users as cb', 'cb.id', 'fu.closed_by')
    .leftJoin('users as mb', 'mb.id', 'fu.created_by')
    .select('fu.*', 'cb.display_name as closed_by_name', 'mb.display_name as created_by_name');
}

export async function findFollowUp(db: Db, id: number): Promise<FollowUp | null> {
  const row = (await followUpSelect(db).where('fu.id', id).first()) as FollowUpRow | undefined;
  return row ? toFollowUp(row) : null;
}

export async function openFollowUpsForFirm(db: Db, firmId: number): Promise<FollowUp[]> {
  const rows = (await followUpSelect(db)
    .where({ 'fu.firm_id': firmId, 'fu.status': 'open' })
    .orderBy([{ column: 'fu.due_on' }, { column: 'fu.id' }])) as FollowUpRow[];
  return rows.map(toFollowUp);
}

export async function followUpsForFirm(db: Db, firmId: number, limit = 500): Promise<FollowUp[]> {
  const rows = (await followUpSelect(db)
    .where('fu.firm_id', firmId)
    .orderBy([{ column: 'fu.due_on', order: 'desc' }, { column: 'fu.id', order: 'desc' }])
    .limit(limit)) as FollowUpRow[];
  return rows.map(toFollowUp);
}

export async function followUpsOfEvent(db: Db, eventId: number): Promise<FollowUp[]> {
  const rows = (await followUpSelect(db).where('fu.source_event_id', eventId).orderBy('fu.id')) as FollowUpRow[];
  return rows.map(toFollowUp);
}

export async function followUpsOfInteraction(db: Db, interactionId: number): Promise<FollowUp[]> {
  const rows = (await followUpSelect(db).where('fu.source_interaction_id', interactionId).orderBy('fu.id')) as FollowUpRow[];
  return rows.map(toFollowUp);
}

export interface QueueQuery {
  /** Firms of this counsellor; 'unassigned' for firms without one; null for every firm in scope. */
  counsellor: number | 'unassigned' | null;
  actor: Jurisdiction;
  today: string;
  /** Only follow-ups due on or before this date (default: the end of the week window). */
  until?: string;
  /** Only follow-ups due on or after this date. */
  from?: string;
  limit?: number;
}

function whereCounsellor(qb: Knex.QueryBuilder, counsellor: QueueQuery['counsellor']): void {
  if (counsellor === 'unassigned') qb.whereNull('f.counsellor_id');
  else if (counsellor !== null) qb.where('f.counsellor_id', counsellor);
}

/** The queue: open follow-ups due up to the end of the week window (overdue first), with their state. */
export async function followUpQueue(db: Db, q: QueueQuery): Promise<QueueItem[]> {
  const { weekEnd } = followUpBounds(q.today);
  const qb = followUpSelect(db)
    .join('firms as f', 'f.id', 'fu.firm_id')
    .leftJoin('users as cu', 'cu.id', 'f.counsellor_id')
    .select('f.uscc as firm_uscc', 'f.name as firm_name', 'f.counsellor_id', 'f.park_id', 'f.town_id', 'cu.display_name as counsellor_name')
    .where('fu.status', 'open')
    .where('fu.due_on', '<=', q.until ?? weekEnd)
    .orderBy([{ column: 'fu.due_on' }, { column: 'fu.id' }])
    .limit(q.limit ?? 500);
  if (q.from) qb.where('fu.due_on', '>=', q.from);
  applyFirmFilters(db, qb, {}, q.actor);
  whereCounsellor(qb, q.counsellor);
  const rows = (await qb) as (FollowUpRow & { firm_uscc: string; firm_name: string; counsellor_id: number | null; counsellor_name: string | null; park_id: number | null; town_id: number | null })[];
  return rows.map((r) => ({
    ...toFollowUp(r),
    state: followUpState(r.due_on, q.today, r.status),
    firmUscc: r.firm_uscc,
    firmName: r.firm_name,
    counsellorId: r.counsellor_id,
    counsellorName: r.counsellor_name,
    parkId: r.park_id,
    townId: r.town_id,
  }));
}

/** How many open follow-ups are overdue, due today and due in the week window (same bounds as followUpState). */
export async function followUpCounts(db: Db, q: Omit<QueueQuery, 'until' | 'limit'>): Promise<{ overdue: number; today: number; week: number }> {
  const { today, weekEnd } = followUpBounds(q.today);
  const qb = db('follow_ups as fu')
    .where('fu.status', 'open')
    .where('fu.due_on', '<=', weekEnd)
    .select(
      db.raw('sum(case when fu.due_on < ? then 1 else 0 end) as overdue', [today]),
      db.raw('sum(case when fu.due_on = ? then 1 else 0 end) as due_today', [today]),
      db.raw('sum(case when fu.due_on > ? then 1 else 0 end) as week', [today]),
    );
  // The firm is needed only to narrow by jurisdiction or counsellor: unnarrowed, the counts are one range of the (status, due_on) index.
  if (q.actor.parkIds !== null || q.counsellor !== null) {
    qb.join('firms as f', 'f.id', 'fu.firm_id');
    applyFirmFilters(db, qb, {}, q.actor);
    whereCounsellor(qb, q.counsellor);
  }
  const row = (await qb.first()) as { overdue: unknown; due_today: unknown; week: unknown } | undefined;
  return { overdue: Number(row?.overdue ?? 0), today: Number(row?.due_today ?? 0), week: Number(row?.week ?? 0) };
}

/** Each firm's next open follow-up (earliest due; firms without one are absent). */
export async function nextFollowUps(db: Db, firmIds: number[]): Promise<Map<number, { dueOn: string; title: string }>> {
  const out = new Map<number, { dueOn: string; title: string }>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('follow_ups')
      .whereIn('firm_id', firmIds.slice(i, i + 500))
      .where('status', 'open')
      .select('firm_id', 'due_on', 'title', 'id')
      .orderBy([{ column: 'due_on' }, { column: 'id' }])) as { firm_id: number; due_on: string; title: string }[];
    for (const r of rows) if (!out.has(r.firm_id)) out.set(r.firm_id, { dueOn: r.due_on, title: r.title });
  }
  return out;
}

export type FollowUpClosing =
  | { status: 'done'; doneOn: string; result: string }
  | { status: 'cancelled'; reason: string };

/** open → done | cancelled, when still open at this version; false when someone else changed it first. */
export async function closeFollowUp(trx: Db, id: number, version: number, closing: FollowUpClosing, by: number, at: string): Promise<boolean> {
  const n = await trx('follow_ups')
    .where({ id, version, status: 'open' })
    .update({
      status: closing.status,
      done_on: closing.status === 'done' ? closing.doneOn : null,
      result: closing.status === 'done' ? closing.result : null,
      cancel_reason: closing.status === 'cancelled' ? closing.reason : null,
      closed_by: by,
      closed_at: at,
      version: version + 1,
      updated_at: at,
    });
  return n === 1;
}

/** Reschedule an open follow-up (a new due date), optimistic like closeFollowUp. */
export async function rescheduleFollowUp(trx: Db, id: number, version: number, dueOn: string, at: string): Promise<boolean> {
  const n = await trx('follow_ups').where({ id, version, status: 'open' }).update({ due_on: dueOn, version: version + 1, updated_at: at });
  return n === 1;
}
