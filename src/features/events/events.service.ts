/**
 * Coaching events: create and edit (version checked), invite firms, name attendees, check in, and
 * the after-event action. A check-in of 已出席 puts the firm in the event's attendance record at once
 * (one interaction, channel 'event', for every firm that attended — coaching-core's
 * insertInteraction; domain/events.ts attendanceRecordChanges), so attendance is contact from the
 * moment it is recorded; the after-event action then creates the follow-ups (an action item for
 * attendees, a catch-up call for absentees — insertFollowUps). Every write is one transaction with
 * its audit row, and every form carries a form key (a double submit saves once).
 */
import type { Knex } from 'knex';
import type { WriteContext } from '../../domain/actor.js';
import { coachingRefusal, mayWriteCoaching } from '../../domain/coaching/access.js';
import { isUniqueViolation } from '../../db/dialect.js';
import {
  type AttendanceLink,
  type AttendanceStatus,
  EVENT_MESSAGES,
  NOT_YOUR_EVENT,
  attendanceLabel,
  attendanceNotes,
  attendanceRecordChanges,
  decideAttendance,
  decideReschedule,
  mayManageEvent,
  planWrapUp,
} from '../../domain/events.js';
import { can, coversFirm } from '../../domain/permissions.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso, todayInShanghai } from '../../lib/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { claimFormKey } from '../../web/form-keys.js';
import { appendAudit } from '../audit/audit.queries.js';
import { insertFollowUps } from '../coaching/follow-ups.queries.js';
import { addInteractionFirms, attendanceInteractionOf, insertInteraction, removeInteractionFirms, updateEventInteraction } from '../coaching/interactions.queries.js';
import { findFirmByUscc, findFirmsByUscc } from '../firms/firms.queries.js';
import {
  type CoachingEvent,
  type EventFields,
  allInvitationsOfEvent,
  countCheckedIn,
  findEvent,
  findInvitation,
  insertAttendee,
  insertEvent,
  insertInvitations,
  invitationsForCheckIn,
  invitedFirmIds,
  linkAttendance,
  linkInvitation,
  lockEvent,
  setInvitationStatus,
  updateEvent,
} from './events.queries.js';

export const eventMessages = {
  notFound: '找不到这次活动。',
  forbidden: '你的角色不能修改辅导活动。',
  stale: '这次活动刚被他人修改过，下面是它现在的内容。你填写的内容保留在表单中，请确认后再保存。',
} as const;

export class StaleEventError extends ConflictError {
  constructor(readonly current: CoachingEvent) {
    super('EVENT_STALE', eventMessages.stale);
  }
}

export const eventUrl = (id: number) => `/coaching/events/${id}`;

function requireWriteRole(ctx: WriteContext): void {
  if (!can(ctx.actor, 'coaching.write')) throw new ForbiddenError('FORBIDDEN', eventMessages.forbidden);
}

export async function loadEvent(db: Knex, id: number): Promise<CoachingEvent> {
  const e = await findEvent(db, id);
  if (!e) throw new NotFoundError('EVENT_NOT_FOUND', eventMessages.notFound);
  return e;
}

function requireManager(ctx: WriteContext, event: CoachingEvent): void {
  requireWriteRole(ctx);
  if (!mayManageEvent(ctx.actor, event)) throw new ForbiddenError('NOT_YOUR_EVENT', NOT_YOUR_EVENT);
}

/**
 * Puts attending firms in the event's attendance record, making the record at the first check-in,
 * and points their invitations at it; returns the record's id (null: none yet, nobody joining). The
 * caller holds the event's row (lockEvent or a version-checked update), so the record is made once.
 */
async function joinAttendanceRecord(trx: Knex.Transaction, event: CoachingEvent, joining: AttendanceLink[], ctx: WriteContext, at: string): Promise<number | null> {
  let id = await attendanceInteractionOf(trx, event.id);
  if (!joining.length) return id;
  const firmIds = joining.map((i) => i.firmId);
  if (id === null) {
    try {
      id = await insertInteraction(trx, {
        firmIds,
        occurredOn: event.startsOn,
        channel: 'event',
        eventId: event.id,
        // A counsellor checking in records as themselves; otherwise the record is the organiser's.
        counsellorId: ctx.actor.role === 'counsellor' ? ctx.actor.id : event.ownerId,
        reached: true,
        topics: event.topics,
        notes: attendanceNotes(event),
        createdBy: ctx.actor.id,
        at,
      });
    } catch (err) {
      // One record per event (unique index): another check-in made it first — the event's row lock
      // should have kept this from happening; if it did happen, nothing of this one is saved.
      if (isUniqueViolation(err)) throw new ConflictError('ATTENDANCE_TAKEN', EVENT_MESSAGES.attendanceTaken);
      throw err;
    }
  } else {
    await addInteractionFirms(trx, id, firmIds);
  }
  await linkAttendance(trx, joining.map((i) => i.id), id, at);
  return id;
}

/** Takes firms whose attendance was corrected out of the record (which stays: see attendanceRecordChanges). */
async function leaveAttendanceRecord(trx: Knex.Transaction, leaving: AttendanceLink[], at: string): Promise<void> {
  const byRecord = new Map<number, number[]>();
  for (const i of leaving) byRecord.set(i.interactionId!, [...(byRecord.get(i.interactionId!) ?? []), i.firmId]);
  for (const [id, firmIds] of byRecord) await removeInteractionFirms(trx, id, firmIds);
  await linkAttendance(trx, leaving.map((i) => i.id), null, at);
}

export interface InviteResult {
  invited: number;
  already: number;
}

export function createEventService() {
  return {
    async create(db: Knex, fields: EventFields, ctx: WriteContext): Promise<number> {
      requireWriteRole(ctx);
      const at = nowIso();
      const id = await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const newId = await insertEvent(trx, { ...fields, ownerId: ctx.actor.id, at });
        await appendAudit(trx, ctx, { action: 'event.create', objectType: 'event', objectId: String(newId), after: { title: fields.title, kind: fields.kind, startsOn: fields.startsOn, endsOn: fields.endsOn, place: fields.place } }, at);
        await recordResult(eventUrl(newId));
        return newId;
      });
      bumpDataGeneration();
      return id;
    },

    /** Saved unchanged: nothing written, no version, no audit row; returns whether anything changed. */
    async update(db: Knex, id: number, version: number, fields: EventFields, ctx: WriteContext): Promise<{ changed: boolean }> {
      const event = await loadEvent(db, id);
      requireManager(ctx, event);
      const at = nowIso();
      const changedAny = await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const current = (await findEvent(trx, id))!;
        if (current.version !== version) throw new StaleEventError(current);
        const keys = ['kind', 'title', 'startsOn', 'endsOn', 'place', 'organiser', 'notes'] as const;
        const changed: (typeof keys[number] | 'topics')[] = keys.filter((k) => current[k] !== fields[k]);
        if (current.topics.join(',') !== fields.topics.join(',')) changed.push('topics');
        await recordResult(eventUrl(id));
        if (changed.length === 0) return false;
        const reschedule = decideReschedule(fields.startsOn, await countCheckedIn(trx, id), todayInShanghai());
        if (!reschedule.ok) throw new ValidationError({ startsOn: reschedule.message }, reschedule.message);
        if (!(await updateEvent(trx, id, version, fields, at))) throw new StaleEventError(current);
        // The attendance record says when, where and what the event was: it follows the event.
        await updateEventInteraction(trx, id, { occurredOn: fields.startsOn, topics: fields.topics, notes: attendanceNotes(fields) });
        await appendAudit(trx, ctx, {
          action: 'event.update',
          objectType: 'event',
          objectId: String(id),
          before: Object.fromEntries(changed.map((k) => [k, current[k]])),
          after: Object.fromEntries(changed.map((k) => [k, fields[k]])),
        }, at);
        return true;
      });
      if (changedAny) bumpDataGeneration();
      return { changed: changedAny };
    },

    /**
     * Invite firms by credit code. Every code must name a firm the actor may invite (in their
     * jurisdiction; a counsellor: their own firms), or nothing is saved and each bad code is named.
     * Firms already invited are left as they are.
     */
    async invite(db: Knex, id: number, codes: string[], ctx: WriteContext): Promise<InviteResult> {
      const event = await loadEvent(db, id);
      requireManager(ctx, event);
      if (event.wrappedUpAt) throw new ValidationError({ codes: EVENT_MESSAGES.wrappedUp });
      const problems: string[] = [];
      const firmIds: number[] = [];
      // One lookup for all the codes, not one per code (an invitation list may hold a park's firms).
      const byCode = new Map((await findFirmsByUscc(db, codes.map(normalizeUscc))).map((f) => [f.uscc, f]));
      for (const raw of codes) {
        const firm = byCode.get(normalizeUscc(raw));
        if (!firm || !coversFirm(ctx.actor, firm)) problems.push(`${raw}：找不到这家企业（信用代码不存在，或不在你负责的范围）`);
        else if (!mayWriteCoaching(ctx.actor, firm)) problems.push(`${raw}（${firm.name}）：${coachingRefusal(ctx.actor, firm)}`);
        else firmIds.push(firm.id);
      }
      if (problems.length) throw new ValidationError({ codes: problems.join('\n') }, '有企业不能邀请，本次没有保存任何邀请。');
      const at = nowIso();
      let result: InviteResult = { invited: 0, already: 0 };
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const already = await invitedFirmIds(trx, id);
        const fresh = [...new Set(firmIds)].filter((f) => !already.has(f));
        result = { invited: fresh.length, already: firmIds.length - fresh.length };
        await recordResult(eventUrl(id));
        if (!fresh.length) return;
        try {
          await insertInvitations(trx, id, fresh, ctx.actor.id, at);
        } catch (err) {
          // Someone else's invitation of the same firm landed between the check above and this
          // insert (one invitation per event and firm): nothing of this one is saved.
          if (isUniqueViolation(err)) throw new ConflictError('INVITATION_TAKEN', EVENT_MESSAGES.invitationTaken);
          throw err;
        }
        await appendAudit(trx, ctx, { action: 'event.invite', objectType: 'event', objectId: String(id), after: { title: event.title, firms: fresh.length } }, at);
      });
      if (result.invited) bumpDataGeneration();
      return result;
    },

    /** Name a person who comes for an invited firm. A firm not invited (or cancelled) is refused. */
    async addAttendee(db: Knex, id: number, uscc: string, person: { name: string; position: string | null; phone: string | null }, ctx: WriteContext): Promise<void> {
      const event = await loadEvent(db, id);
      requireManager(ctx, event);
      if (event.wrappedUpAt) throw new ValidationError({ attendeeFirm: EVENT_MESSAGES.wrappedUp });
      const firm = await findFirmByUscc(db, normalizeUscc(uscc));
      const invitation = firm && coversFirm(ctx.actor, firm) ? await findInvitation(db, id, firm.id) : null;
      if (!firm || !invitation) throw new ValidationError({ attendeeFirm: EVENT_MESSAGES.notInvited });
      if (invitation.status === 'cancelled') throw new ValidationError({ attendeeFirm: EVENT_MESSAGES.cancelledInvitation });
      const at = nowIso();
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        await insertAttendee(trx, { invitationId: invitation.id, ...person, at });
        await appendAudit(trx, ctx, { action: 'event.attendee', objectType: 'firm', objectId: firm.uscc, after: { eventId: id, title: event.title, name: person.name } }, at);
        await recordResult(eventUrl(id));
      });
    },

    /**
     * Set the status of some invitations (bulk check-in on the day). Setting a status is the same
     * whoever does it twice, so two people checking in at once do not conflict. 已出席 puts the firm
     * in the event's attendance record at once, any other status takes it out (attendanceRecordChanges).
     */
    async setAttendance(db: Knex, id: number, invitationIds: number[], status: AttendanceStatus, ctx: WriteContext): Promise<number> {
      const event = await loadEvent(db, id);
      requireManager(ctx, event);
      const today = todayInShanghai();
      const early = decideAttendance(status, { startsOn: event.startsOn, endsOn: event.endsOn, wrappedUp: !!event.wrappedUpAt }, today);
      if (!early.ok) throw new ValidationError({ attendance: early.message }, early.message);
      if (!invitationIds.length) throw new ValidationError({ attendance: '请先勾选企业。' });
      const at = nowIso();
      let changed = 0;
      let wrote = false;
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        await lockEvent(trx, id);
        // Read again under the event's row: it may have been wrapped up or moved meanwhile.
        const current = (await findEvent(trx, id))!;
        const decision = decideAttendance(status, { startsOn: current.startsOn, endsOn: current.endsOn, wrappedUp: !!current.wrappedUpAt }, today);
        if (!decision.ok) throw new ValidationError({ attendance: decision.message }, decision.message);
        const rows = await invitationsForCheckIn(trx, id, invitationIds);
        const mine = rows.filter((r) => coversFirm(ctx.actor, r));
        if (mine.length !== new Set(invitationIds).size) throw new ValidationError({ attendance: EVENT_MESSAGES.notInvited });
        const toChange = mine.filter((r) => r.status !== status);
        const { join, leave } = attendanceRecordChanges(mine, status);
        changed = toChange.length;
        await recordResult(eventUrl(id));
        if (!toChange.length && !join.length && !leave.length) return;
        wrote = true;
        await setInvitationStatus(trx, toChange.map((r) => r.id), status, at);
        const recordId = await joinAttendanceRecord(trx, current, join, ctx, at);
        await leaveAttendanceRecord(trx, leave, at);
        await updateEvent(trx, id, current.version, null, at);
        await appendAudit(trx, ctx, {
          action: 'event.attendance',
          objectType: 'event',
          objectId: String(id),
          after: {
            title: current.title,
            status: attendanceLabel(status),
            firms: toChange.map((r) => r.uscc),
            ...(join.length ? { 记入辅导记录: join.map((r) => r.uscc), interactionId: recordId } : {}),
            ...(leave.length ? { 移出辅导记录: leave.map((r) => r.uscc) } : {}),
          },
        }, at);
      });
      if (wrote) bumpDataGeneration();
      return changed;
    },

    /**
     * After the event: invitations still open become absent; the firms that attended (in the
     * event's attendance record since their check-in) get an action item each, tied to that record;
     * the others a catch-up call. Once per event (the version and the wrapped-up mark guard a double click).
     */
    async wrapUp(db: Knex, id: number, version: number, ctx: WriteContext): Promise<{ actions: number; catchUps: number }> {
      const event = await loadEvent(db, id);
      requireManager(ctx, event);
      const at = nowIso();
      const today = todayInShanghai();
      let counts = { actions: 0, catchUps: 0 };
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const current = (await findEvent(trx, id))!;
        // Refusals that do not depend on what the user saw (too early, already done) come first.
        const invitations = await allInvitationsOfEvent(trx, id);
        const decision = planWrapUp({ ...current, wrappedUp: !!current.wrappedUpAt }, invitations, today);
        if (!decision.ok) throw new ValidationError({ wrapUp: decision.message }, decision.message);
        if (current.version !== version) throw new StaleEventError(current);
        const { plan } = decision;
        if (!(await updateEvent(trx, id, version, null, at, { wrapped_up_at: at, wrapped_up_by: ctx.actor.id }))) throw new StaleEventError(current);
        await setInvitationStatus(trx, plan.markAbsent, 'absent', at);
        // Attendance went into the record at check-in; one marked attended some other way (before
        // check-ins did this, or written directly) joins it now, so every action item has its record.
        const unrecorded = invitations.filter((i) => i.status === 'attended' && i.interactionId === null);
        const interactionId = plan.attendedFirmIds.length ? await joinAttendanceRecord(trx, current, unrecorded, ctx, at) : null;
        const ids = await insertFollowUps(trx, plan.followUps.map((f) => ({
          firmId: f.firmId,
          title: f.title,
          dueOn: f.dueOn,
          sourceEventId: id,
          sourceInteractionId: f.kind === 'action' ? interactionId : null,
          createdBy: ctx.actor.id,
          at,
        })));
        for (const [i, f] of plan.followUps.entries()) await linkInvitation(trx, f.invitationId, { followUpId: ids[i]! }, at);
        counts = { actions: plan.followUps.filter((f) => f.kind === 'action').length, catchUps: plan.followUps.filter((f) => f.kind === 'catch_up').length };
        await recordResult(eventUrl(id));
        await appendAudit(trx, ctx, { action: 'event.wrap_up', objectType: 'event', objectId: String(id), after: { title: current.title, attended: counts.actions, absent: counts.catchUps, markedAbsent: plan.markAbsent.length } }, at);
      });
      bumpDataGeneration();
      return counts;
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;
