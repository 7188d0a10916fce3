/**
 * ── API for the events/demands slice ──────────────────────────────────────────────────────────
 * This module is the stable interface other features use to record coaching contact:
 *   insertInteraction(trx, input)  one interaction for one or many firms (a park visit is recorded
 *                                  once for all); channel 'event' with `eventId` for an event's
 *                                  attendance. Plain SQL: the caller checks permissions, writes the
 *                                  audit row and creates follow-ups (follow-ups.queries.ts).
 *   interactionsForFirm(db, firmId)  a firm's interactions, newest first (timeline)
 *   lastContacts(db, firmIds)        latest contact and latest *reached* contact per firm
 *   interactionsOfEvent(db, eventId) the interactions an event's attendance created
 *   attendanceInteractionOf(db, eventId)      an event's attendance record (its one interaction)
 *   addInteractionFirms / removeInteractionFirms(trx, id, firmIds)  firms joining or leaving it
 *   updateEventInteraction(trx, eventId, fields)                    it following the event's details
 * Keep these signatures stable; add, do not change.
 * ─────────────────────────────────────────────────────────────────────────────────────────────
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import { type ChannelKey, type TopicKey, decodeTopics, encodeTopics } from '../../domain/coaching/interactions.js';
import { idOf } from './ids.js';

export interface NewInteraction {
  firmIds: number[];
  occurredOn: string;
  channel: ChannelKey;
  /** Channel 'event': the event attended. */
  eventId?: number | null;
  counsellorId: number | null;
  peopleMet?: string | null;
  /** Reached (true) or only attempted (false: nobody answered, nobody met). */
  reached: boolean;
  topics?: readonly TopicKey[];
  notes?: string | null;
  outcome?: string | null;
  /** The explicit "no follow-up" of the next-step rule. */
  noFollowUp?: boolean;
  createdBy: number;
  at: string;
}

export interface Interaction {
  id: number;
  occurredOn: string;
  channel: ChannelKey;
  eventId: number | null;
  counsellorId: number | null;
  counsellorName: string | null;
  peopleMet: string | null;
  reached: boolean;
  topics: TopicKey[];
  notes: string | null;
  outcome: string | null;
  noFollowUp: boolean;
  createdBy: number;
  createdAt: string;
  /** How many firms the interaction covers (a park visit: several). */
  firmCount: number;
}

interface InteractionRow {
  id: number;
  occurred_on: string;
  channel: ChannelKey;
  event_id: number | null;
  counsellor_id: number | null;
  counsellor_name: string | null;
  people_met: string | null;
  reached: boolean | number;
  topics: string | null;
  notes: string | null;
  outcome: string | null;
  no_follow_up: boolean | number;
  created_by: number;
  created_at: string;
  firm_count: number | string;
}

function toInteraction(r: InteractionRow): Interaction {
  return {
    id: r.id,
    occurredOn: r.occurred_on,
    channel: r.channel,
    eventId: r.event_id,
    counsellorId: r.counsellor_id,
    counsellorName: r.counsellor_name,
    peopleMet: r.people_met,
    reached: !!r.reached,
    topics: decodeTopics(r.topics),
    notes: r.notes,
    outcome: r.outcome,
    noFollowUp: !!r.no_follow_up,
    createdBy: r.created_by,
    createdAt: r.created_at,
    firmCount: Number(r.firm_count),
  };
}

/** Inserts one interaction and its firms; returns its id. */
export async function insertInteraction(trx: Db, input: NewInteraction): Promise<number> {
  const firmIds = [...new Set(input.firmIds)];
  if (!firmIds.length) throw new Error('an interaction needs at least one firm');
  const [row] = await trx('interactions')
    .insert({
      occurred_on: input.occurredOn,
      channel: input.channel,
      event_id: input.eventId ?? null,
      counsellor_id: input.counsellorId,
      people_met: input.peopleMet ?? null,
      reached: input.reached,
      topics: encodeTopics(input.topics ?? []) || null,
      notes: input.notes ?? null,
      outcome: input.outcome ?? null,
      no_follow_up: input.noFollowUp ?? false,
      created_by: input.createdBy,
      created_at: input.at,
    })
    .returning('id');
  const id = idOf(row);
  for (let i = 0; i < firmIds.length; i += 200) {
    await trx('interaction_firms').insert(firmIds.slice(i, i + 200).map((firmId) => ({ interaction_id: id, firm_id: firmId })));
  }
  return id;
}

function interactionSelect(db: Db): Knex.QueryBuilder {
  return db('interactions as i')
    .leftJoin('users as u', 'u.id', 'i.counsellor_id')
    .select('i.*', 'u.display_name as counsellor_name')
    .select(db.raw('(select count(*) from interaction_firms c where c.interaction_id = i.id) as firm_count'));
}

/** A firm's interactions, newest first. */
export async function interactionsForFirm(db: Db, firmId: number, limit = 500): Promise<Interaction[]> {
  const rows = (await interactionSelect(db)
    .whereIn('i.id', db('interaction_firms').select('interaction_id').where('firm_id', firmId))
    .orderBy([{ column: 'i.occurred_on', order: 'desc' }, { column: 'i.id', order: 'desc' }])
    .limit(limit)) as InteractionRow[];
  return rows.map(toInteraction);
}

export async function findInteraction(db: Db, id: number): Promise<Interaction | null> {
  const row = (await interactionSelect(db).where('i.id', id).first()) as InteractionRow | undefined;
  return row ? toInteraction(row) : null;
}

/** The firms an interaction covers. */
export async function firmIdsOfInteraction(db: Db, id: number): Promise<number[]> {
  return ((await db('interaction_firms').where('interaction_id', id).select('firm_id')) as { firm_id: number }[]).map((r) => r.firm_id);
}

/** The interactions an event's attendance created (channel 'event'). */
export async function interactionsOfEvent(db: Db, eventId: number): Promise<Interaction[]> {
  const rows = (await interactionSelect(db).where('i.event_id', eventId).orderBy('i.id')) as InteractionRow[];
  return rows.map(toInteraction);
}

/**
 * An event's attendance record: the one interaction (channel 'event') its check-ins put attending
 * firms in, or null before the first (migration 20261206000100 keeps it to one per event).
 */
export async function attendanceInteractionOf(db: Db, eventId: number): Promise<number | null> {
  const row = (await db('interactions').where({ event_id: eventId }).orderBy('id').first('id')) as { id: number } | undefined;
  return row ? Number(row.id) : null;
}

/** Puts firms in an interaction; a firm already in it stays as it is. */
export async function addInteractionFirms(trx: Db, interactionId: number, firmIds: number[]): Promise<void> {
  const unique = [...new Set(firmIds)];
  for (let i = 0; i < unique.length; i += 200) {
    await trx('interaction_firms').insert(unique.slice(i, i + 200).map((firmId) => ({ interaction_id: interactionId, firm_id: firmId }))).onConflict(['interaction_id', 'firm_id']).ignore();
  }
}

/** Takes firms out of an interaction (their contact no longer counts); the interaction itself stays. */
export async function removeInteractionFirms(trx: Db, interactionId: number, firmIds: number[]): Promise<void> {
  for (let i = 0; i < firmIds.length; i += 500) await trx('interaction_firms').where('interaction_id', interactionId).whereIn('firm_id', firmIds.slice(i, i + 500)).del();
}

/** An event's attendance record follows the event: its date, topics and the notes made from its details. */
export async function updateEventInteraction(trx: Db, eventId: number, fields: { occurredOn: string; topics: readonly TopicKey[]; notes: string }): Promise<void> {
  await trx('interactions').where({ event_id: eventId, channel: 'event' }).update({ occurred_on: fields.occurredOn, topics: encodeTopics(fields.topics) || null, notes: fields.notes });
}

export interface LastContact {
  /** Latest interaction of any kind (attempts included). */
  lastOn: string | null;
  /** Latest interaction in which the firm was reached: the "no successful contact" rule reads this. */
  lastReachedOn: string | null;
}

/** Latest contact per firm (firms without any are absent from the map). */
export async function lastContacts(db: Db, firmIds: number[]): Promise<Map<number, LastContact>> {
  const out = new Map<number, LastContact>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('interaction_firms as x')
      .join('interactions as i', 'i.id', 'x.interaction_id')
      .whereIn('x.firm_id', firmIds.slice(i, i + 500))
      .groupBy('x.firm_id')
      .select('x.firm_id')
      .max({ last_on: 'i.occurred_on' })
      .select(db.raw('max(case when i.reached then i.occurred_on end) as last_reached_on'))) as { firm_id: number; last_on: string | null; last_reached_on: string | null }[];
    for (const r of rows) out.set(r.firm_id, { lastOn: r.last_on, lastReachedOn: r.last_reached_on });
  }
  return out;
}

/** A subquery: the latest reached contact date of firm `f` (for filters in SQL over firms aliased f). */
/** The date of firm `f`'s last reached contact, as SQL to place in a query over `firms as f` (no bindings). */
export const LAST_REACHED_SQL = '(select max(i.occurred_on) from interaction_firms x join interactions i on i.id = x.interaction_id where x.firm_id = f.id and i.reached)';

/** Whether any coaching contact was ever recorded (the reports say "辅导记录尚未启用" otherwise). */
export async function anyInteraction(db: Db): Promise<boolean> {
  return !!(await db('interactions').first('id'));
}
