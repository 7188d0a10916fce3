/** Every query over coaching events, their invitations (by firm) and named attendees. */
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import type { AttendanceStatus, EventKind } from '../../domain/events.js';
import { decodeTopics, encodeTopics, type TopicKey } from '../../domain/coaching/interactions.js';
import { scopeToJurisdiction } from '../demands/demands.queries.js';

export interface EventFields {
  kind: EventKind;
  title: string;
  startsOn: string;
  endsOn: string;
  place: string | null;
  organiser: string | null;
  topics: TopicKey[];
  notes: string | null;
}

export interface CoachingEvent extends EventFields {
  id: number;
  ownerId: number;
  ownerName: string | null;
  wrappedUpAt: string | null;
  wrappedUpBy: number | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface EventSummary extends CoachingEvent {
  invited: number;
  attended: number;
  absent: number;
}

export interface Attendee {
  id: number;
  invitationId: number;
  name: string;
  position: string | null;
  phone: string | null;
}

export interface Invitation {
  id: number;
  eventId: number;
  firmId: number;
  firmUscc: string;
  firmName: string;
  firmParkId: number | null;
  firmTownId: number | null;
  firmCounsellorId: number | null;
  counsellorName: string | null;
  parkName: string | null;
  status: AttendanceStatus;
  checkedInAt: string | null;
  interactionId: number | null;
  followUpId: number | null;
  version: number;
  attendees: Attendee[];
}

const dateStr = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toEvent(r: Record<string, unknown>): CoachingEvent {
  return {
    id: Number(r.id),
    kind: r.kind as EventKind,
    title: String(r.title),
    startsOn: dateStr(r.starts_on),
    endsOn: dateStr(r.ends_on),
    place: (r.place as string | null) ?? null,
    organiser: (r.organiser as string | null) ?? null,
    topics: decodeTopics(r.topics as string | null),
    notes: (r.notes as string | null) ?? null,
    ownerId: Number(r.owner_id),
    ownerName: (r.owner_name as string | null) ?? null,
    wrappedUpAt: (r.wrapped_up_at as string | null) ?? null,
    wrappedUpBy: numOrNull(r.wrapped_up_by),
    version: Number(r.version),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

function eventColumns(e: EventFields): Record<string, unknown> {
  return { kind: e.kind, title: e.title, starts_on: e.startsOn, ends_on: e.endsOn, place: e.place, organiser: e.organiser, topics: encodeTopics(e.topics) || null, notes: e.notes };
}

export async function insertEvent(db: Db, e: EventFields & { ownerId: number; at: string }): Promise<number> {
  const [r] = await db('coaching_events').insert({ ...eventColumns(e), owner_id: e.ownerId, version: 1, created_at: e.at, updated_at: e.at }).returning('id');
  return typeof r === 'object' ? Number((r as { id: number }).id) : Number(r);
}

/** Optimistic update (details, or only `extra` columns when `changes` is null): true when the version matched. */
export async function updateEvent(db: Db, id: number, version: number, changes: EventFields | null, at: string, extra: Record<string, unknown> = {}): Promise<boolean> {
  const n = await db('coaching_events').where({ id, version }).update({ ...(changes ? eventColumns(changes) : {}), ...extra, version: version + 1, updated_at: at });
  return n === 1;
}

export async function findEvent(db: Db, id: number): Promise<CoachingEvent | null> {
  const r = (await db('coaching_events as e').leftJoin('users as u', 'u.id', 'e.owner_id').where('e.id', id).first('e.*', 'u.display_name as owner_name')) as Record<string, unknown> | undefined;
  return r ? toEvent(r) : null;
}

/**
 * Events with their counts, newest first. Counts are of the invited firms the actor's
 * jurisdiction covers (a caseworker limited to a park sees that park's part of a county event).
 */
export async function listEvents(db: Db, actor: Jurisdiction, filters: { year?: number | null; kind?: EventKind | null }): Promise<EventSummary[]> {
  const qb = db('coaching_events as e').leftJoin('users as u', 'u.id', 'e.owner_id').select('e.*', 'u.display_name as owner_name');
  if (filters.year) qb.whereBetween('e.starts_on', [`${filters.year}-01-01`, `${filters.year}-12-31`]);
  if (filters.kind) qb.where('e.kind', filters.kind);
  const events = ((await qb.orderBy([{ column: 'e.starts_on', order: 'desc' }, { column: 'e.id', order: 'desc' }]).limit(500)) as Record<string, unknown>[]).map(toEvent);
  if (!events.length) return [];
  const counts = db('event_invitations as i').join('firms as f', 'f.id', 'i.firm_id').whereIn('i.event_id', events.map((e) => e.id)).groupBy('i.event_id', 'i.status').select('i.event_id', 'i.status').count({ n: '*' });
  scopeToJurisdiction(counts, actor);
  const byEvent = new Map<number, Record<string, number>>();
  for (const r of (await counts) as { event_id: number; status: string; n: number | string }[]) {
    const m = byEvent.get(Number(r.event_id)) ?? {};
    m[r.status] = Number(r.n);
    byEvent.set(Number(r.event_id), m);
  }
  return events.map((e) => {
    const m = byEvent.get(e.id) ?? {};
    return { ...e, invited: Object.entries(m).filter(([s]) => s !== 'cancelled').reduce((a, [, n]) => a + n, 0), attended: m.attended ?? 0, absent: m.absent ?? 0 };
  });
}

/** The invitations of an event the actor's jurisdiction covers, with their attendees, by firm name. */
export async function invitationsOfEvent(db: Db, eventId: number, actor: Jurisdiction): Promise<Invitation[]> {
  const qb = db('event_invitations as i')
    .join('firms as f', 'f.id', 'i.firm_id')
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .leftJoin('users as c', 'c.id', 'f.counsellor_id')
    .where('i.event_id', eventId)
    .select('i.*', 'f.uscc', 'f.name as firm_name', 'f.park_id', 'f.town_id', 'f.counsellor_id', 'c.display_name as counsellor_name', 'p.name as park_name')
    .orderBy(['f.name', 'i.id']);
  scopeToJurisdiction(qb, actor);
  const rows = (await qb) as Record<string, unknown>[];
  const ids = rows.map((r) => Number(r.id));
  const attendees = ids.length ? ((await db('event_attendees').whereIn('invitation_id', ids).orderBy('id')) as Record<string, unknown>[]) : [];
  const byInvitation = new Map<number, Attendee[]>();
  for (const a of attendees) {
    const list = byInvitation.get(Number(a.invitation_id)) ?? [];
    list.push({ id: Number(a.id), invitationId: Number(a.invitation_id), name: String(a.name), position: (a.position as string | null) ?? null, phone: (a.phone as string | null) ?? null });
    byInvitation.set(Number(a.invitation_id), list);
  }
  return rows.map((r) => ({
    id: Number(r.id),
    eventId: Number(r.event_id),
    firmId: Number(r.firm_id),
    firmUscc: String(r.uscc),
    firmName: String(r.firm_name),
    firmParkId: numOrNull(r.park_id),
    firmTownId: numOrNull(r.town_id),
    firmCounsellorId: numOrNull(r.counsellor_id),
    counsellorName: (r.counsellor_name as string | null) ?? null,
    parkName: (r.park_name as string | null) ?? null,
    status: r.status as AttendanceStatus,
    checkedInAt: (r.checked_in_at as string | null) ?? null,
    interactionId: numOrNull(r.interaction_id),
    followUpId: numOrNull(r.follow_up_id),
    version: Number(r.version),
    attendees: byInvitation.get(Number(r.id)) ?? [],
  }));
}

/** Every invitation of an event (whoever's jurisdiction), for the after-event action. */
export async function allInvitationsOfEvent(db: Db, eventId: number): Promise<{ id: number; firmId: number; status: AttendanceStatus; interactionId: number | null }[]> {
  const rows = (await db('event_invitations').where('event_id', eventId).orderBy('id').select('id', 'firm_id', 'status', 'interaction_id')) as { id: number; firm_id: number; status: AttendanceStatus; interaction_id: number | null }[];
  return rows.map((r) => ({ id: Number(r.id), firmId: Number(r.firm_id), status: r.status, interactionId: numOrNull(r.interaction_id) }));
}

/** Some invitations of an event, with what a check-in needs: status, attendance link, the firm's park and town. */
export async function invitationsForCheckIn(db: Db, eventId: number, ids: number[]): Promise<{ id: number; firmId: number; status: AttendanceStatus; interactionId: number | null; parkId: number | null; townId: number | null; uscc: string }[]> {
  const rows = (await db('event_invitations as i')
    .join('firms as f', 'f.id', 'i.firm_id')
    .where('i.event_id', eventId)
    .whereIn('i.id', ids)
    .orderBy('i.id')
    .select('i.id', 'i.firm_id', 'i.status', 'i.interaction_id', 'f.park_id', 'f.town_id', 'f.uscc')) as Record<string, unknown>[];
  return rows.map((r) => ({ id: Number(r.id), firmId: Number(r.firm_id), status: r.status as AttendanceStatus, interactionId: numOrNull(r.interaction_id), parkId: numOrNull(r.park_id), townId: numOrNull(r.town_id), uscc: String(r.uscc) }));
}

/** How many of an event's invitations are marked attended or absent (facts of a day that has come). */
export async function countCheckedIn(db: Db, eventId: number): Promise<number> {
  const r = (await db('event_invitations').where('event_id', eventId).whereIn('status', ['attended', 'absent']).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(r?.n ?? 0);
}

/**
 * Holds the event's row for the rest of the transaction, changing nothing. Taken first in a
 * check-in: on PostgreSQL two check-ins of one event then run one after the other, so its attendance
 * record is made once and the second reads what the first wrote (SQLite's BEGIN IMMEDIATE already
 * runs writers one at a time).
 */
export async function lockEvent(db: Db, id: number): Promise<void> {
  await db('coaching_events').where({ id }).update({ version: db.raw('version') });
}

/** Points invitations at the event's attendance record (or at none). */
export async function linkAttendance(db: Db, ids: number[], interactionId: number | null, at: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) await db('event_invitations').whereIn('id', ids.slice(i, i + 500)).update({ interaction_id: interactionId, updated_at: at });
}

export async function invitedFirmIds(db: Db, eventId: number): Promise<Set<number>> {
  const rows = (await db('event_invitations').where('event_id', eventId).select('firm_id')) as { firm_id: number }[];
  return new Set(rows.map((r) => Number(r.firm_id)));
}

export async function insertInvitations(db: Db, eventId: number, firmIds: number[], invitedBy: number, at: string): Promise<void> {
  for (let i = 0; i < firmIds.length; i += 200) {
    await db('event_invitations').insert(firmIds.slice(i, i + 200).map((firmId) => ({ event_id: eventId, firm_id: firmId, status: 'invited', invited_by: invitedBy, version: 1, created_at: at, updated_at: at })));
  }
}

export async function findInvitation(db: Db, eventId: number, firmId: number): Promise<{ id: number; status: AttendanceStatus } | null> {
  const r = (await db('event_invitations').where({ event_id: eventId, firm_id: firmId }).first('id', 'status')) as { id: number; status: AttendanceStatus } | undefined;
  return r ? { id: Number(r.id), status: r.status } : null;
}

export async function setInvitationStatus(db: Db, ids: number[], status: AttendanceStatus, at: string): Promise<void> {
  if (!ids.length) return;
  await db('event_invitations')
    .whereIn('id', ids)
    .update({ status, checked_in_at: status === 'attended' ? at : null, updated_at: at, version: db.raw('version + 1') });
}

export async function linkInvitation(db: Db, id: number, links: { interactionId?: number | null; followUpId?: number | null }, at: string): Promise<void> {
  await db('event_invitations').where({ id }).update({ ...(links.interactionId !== undefined ? { interaction_id: links.interactionId } : {}), ...(links.followUpId !== undefined ? { follow_up_id: links.followUpId } : {}), updated_at: at });
}

export async function insertAttendee(db: Db, a: { invitationId: number; name: string; position: string | null; phone: string | null; at: string }): Promise<void> {
  await db('event_attendees').insert({ invitation_id: a.invitationId, name: a.name, position: a.position, phone: a.phone, signed_in: false, created_at: a.at });
}

/** A firm's event invitations (for its timeline): the event, the status, who came. */
export async function eventsOfFirm(db: Db, firmId: number): Promise<{ eventId: number; title: string; kind: EventKind; startsOn: string; status: AttendanceStatus; interactionId: number | null; updatedAt: string; attendees: string[] }[]> {
  const rows = (await db('event_invitations as i')
    .join('coaching_events as e', 'e.id', 'i.event_id')
    .where('i.firm_id', firmId)
    .orderBy([{ column: 'e.starts_on', order: 'desc' }, { column: 'e.id', order: 'desc' }])
    .select('i.id', 'e.id as event_id', 'e.title', 'e.kind', 'e.starts_on', 'i.status', 'i.interaction_id', 'i.updated_at')) as Record<string, unknown>[];
  const ids = rows.map((r) => Number(r.id));
  const attendees = ids.length ? ((await db('event_attendees').whereIn('invitation_id', ids).orderBy('id').select('invitation_id', 'name')) as { invitation_id: number; name: string }[]) : [];
  return rows.map((r) => ({
    eventId: Number(r.event_id),
    title: String(r.title),
    kind: r.kind as EventKind,
    startsOn: dateStr(r.starts_on),
    status: r.status as AttendanceStatus,
    interactionId: numOrNull(r.interaction_id),
    updatedAt: String(r.updated_at),
    attendees: attendees.filter((a) => Number(a.invitation_id) === Number(r.id)).map((a) => a.name),
  }));
}

/**
 * The annual report's event figures (reports slice, T7): events starting in `year` recorded by
 * `asOf`, per month, and the firms that attended them. A limited actor counts the events one of
 * their firms was invited to, and only their firms' attendance.
 */
export async function eventFiguresOfYear(db: Db, year: number, asOf: string, actor: Jurisdiction): Promise<{ byMonth: number[]; attended: number }> {
  const ev = db('coaching_events as e').whereBetween('e.starts_on', [`${year}-01-01`, `${year}-12-31`]).andWhere('e.created_at', '<=', asOf).select('e.id', 'e.starts_on');
  if (actor.parkIds !== null) {
    ev.whereExists(function () {
      const sub = this.select(db.raw('1')).from('event_invitations as i').join('firms as f', 'f.id', 'i.firm_id').whereRaw('i.event_id = e.id');
      scopeToJurisdiction(sub, actor);
    });
  }
  const events = (await ev) as { id: number; starts_on: string }[];
  const byMonth = Array(12).fill(0) as number[];
  for (const e of events) {
    const on = typeof e.starts_on === 'string' ? e.starts_on : new Date(e.starts_on as unknown as string).toISOString().slice(0, 10);
    byMonth[Number(on.slice(5, 7)) - 1]!++;
  }
  let attended = 0;
  for (let i = 0; i < events.length; i += 500) {
    const qb = db('event_invitations as i').join('firms as f', 'f.id', 'i.firm_id').whereIn('i.event_id', events.slice(i, i + 500).map((e) => e.id)).andWhere('i.status', 'attended').count({ n: '*' });
    scopeToJurisdiction(qb, actor);
    attended += Number(((await qb.first()) as { n: number | string } | undefined)?.n ?? 0);
  }
  return { byMonth, attended };
}
