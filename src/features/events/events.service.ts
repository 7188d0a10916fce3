/**
 * Coaching events: create and edit (version checked), invite firms, name attendees, check in, and
 * the after-event action that turns attendance into the firms' timeline (one interaction, channel
 * 'event', for every firm that attended — coaching-core's insertInteraction) and follow-ups (an
 * action item for attendees, a catch-up call for absentees — insertFollowUps). Every write is one
 * transaction with its audit row.
 */
import type { Knex } from 'knex';
import type { WriteContext } from '../../domain/actor.js';
import { coachingRefusal, mayWriteCoaching } from '../../domain/coaching/access.js';
import { type AttendanceStatus, EVENT_MESSAGES, NOT_YOUR_EVENT, attendanceLabel, decideAttendance, mayManageEvent, planWrapUp } from '../../domain/events.js';
import { can, coversFirm } from '../../domain/permissions.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso, todayInShanghai } from '../../lib/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { claimFormKey } from '../../web/form-keys.js';
import { appendAudit } from '../audit/audit.queries.js';
import { insertFollowUps } from '../coaching/follow-ups.queries.js';
import { insertInteraction } from '../coaching/interactions.queries.js';
import { findFirmByUscc, findFirmsByUscc } from '../firms/firms.queries.js';
import {
  type CoachingEvent,
  type EventFields,
  allInvitationsOfEvent,
  findEvent,
  findInvitation,
  insertAttendee,
  insertEvent,
  insertInvitations,
  invitedFirmIds,
  linkInvitation,
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

    async update(db: Knex, id: number, version: number, fields: EventFields, ctx: WriteContext): Promise<void> {
      const event = await loadEvent(db, id);
      requireManager(ctx, event);
      const at = nowIso();
      await db.transaction(async (trx) => {
        const current = (await findEvent(trx, id))!;
        if (current.version !== version || !(await updateEvent(trx, id, version, fields, at))) throw new StaleEventError(current);
        const keys = ['kind', 'title', 'startsOn', 'endsOn', 'place', 'organiser', 'notes'] as const;
        const changed = keys.filter((k) => current[k] !== fields[k]);
        if (current.topics.join(',') !== fields.topics.join(',')) (changed as string[]).push('topics');
        await appendAudit(trx, ctx, {
          action: 'event.update',
          objectType: 'event',
          objectId: String(id),
          before: Object.fromEntries(changed.map((k) => [k, current[k as keyof CoachingEvent]])),
          after: Object.fromEntries(changed.map((k) => [k, fields[k as keyof EventFields]])),
        }, at);
      });
      bumpDataGeneration();
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
        const already = await invitedFirmIds(trx, id);
        const fresh = [...new Set(firmIds)].filter((f) => !already.has(f));
        result = { invited: fresh.length, already: firmIds.length - fresh.length };
        if (!fresh.length) return;
        await insertInvitations(trx, id, fresh, ctx.actor.id, at);
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
     * whoever does it twice, so two people checking in at once do not conflict.
     */
    async setAttendance(db: Knex, id: number, invitationIds: number[], status: AttendanceStatus, ctx: WriteContext): Promise<number> {
      const event = await loadEvent(db, id);
      requireManager(ctx, event);
      const decision = decideAttendance(status, { startsOn: event.startsOn, endsOn: event.endsOn, wrappedUp: !!event.wrappedUpAt }, todayInShanghai());
      if (!decision.ok) throw new ValidationError({ attendance: decision.message }, decision.message);
      if (!invitationIds.length) throw new ValidationError({ attendance: '请先勾选企业。' });
      const at = nowIso();
      let changed = 0;
      await db.transaction(async (trx) => {
        const rows = (await trx('event_invitations as i').join('firms as f', 'f.id', 'i.firm_id').where('i.event_id', id).whereIn('i.id', invitationIds).select('i.id', 'i.status', 'f.park_id', 'f.town_id', 'f.uscc')) as { id: number; status: string; park_id: number | null; town_id: number | null; uscc: string }[];
        const mine = rows.filter((r) => coversFirm(ctx.actor, { parkId: r.park_id, townId: r.town_id }));
        if (mine.length !== new Set(invitationIds).size) throw new ValidationError({ attendance: EVENT_MESSAGES.notInvited });
        const toChange = mine.filter((r) => r.status !== status);
        changed = toChange.length;
        if (!changed) return;
        await setInvitationStatus(trx, toChange.map((r) => r.id), status, at);
        await updateEvent(trx, id, (await findEvent(trx, id))!.version, null, at);
        await appendAudit(trx, ctx, { action: 'event.attendance', objectType: 'event', objectId: String(id), after: { title: event.title, status: attendanceLabel(status), firms: toChange.map((r) => r.uscc) } }, at);
      });
      if (changed) bumpDataGeneration();
      return changed;
    },

    /**
     * After the event: invitations still open become absent; the firms that attended get one
     * interaction (channel 'event') in their timeline and an action item each; the others a
     * catch-up call. Once per event (the version and the wrapped-up mark guard a double click).
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
        const decision = planWrapUp({ ...current, wrappedUp: !!current.wrappedUpAt }, await allInvitationsOfEvent(trx, id), today);
        if (!decision.ok) throw new ValidationError({ wrapUp: decision.message }, decision.message);
        if (current.version !== version) throw new StaleEventError(current);
        const { plan } = decision;
        if (!(await updateEvent(trx, id, version, null, at, { wrapped_up_at: at, wrapped_up_by: ctx.actor.id }))) throw new StaleEventError(current);
        await setInvitationStatus(trx, plan.markAbsent, 'absent', at);
        let interactionId: number | null = null;
        if (plan.attendedFirmIds.length) {
          interactionId = await insertInteraction(trx, {
            firmIds: plan.attendedFirmIds,
            occurredOn: current.startsOn,
            channel: 'event',
            eventId: id,
            counsellorId: ctx.actor.role === 'counsellor' ? ctx.actor.id : current.ownerId,
            reached: true,
            topics: current.topics,
            notes: `参加${current.title}（${current.startsOn}${current.endsOn !== current.startsOn ? ` 至 ${current.endsOn}` : ''}${current.place ? `，${current.place}` : ''}）`,
            createdBy: ctx.actor.id,
            at,
          });
        }
        const ids = await insertFollowUps(trx, plan.followUps.map((f) => ({
          firmId: f.firmId,
          title: f.title,
          dueOn: f.dueOn,
          sourceEventId: id,
          sourceInteractionId: f.kind === 'action' ? interactionId : null,
          createdBy: ctx.actor.id,
          at,
        })));
        for (const [i, f] of plan.followUps.entries()) {
          await linkInvitation(trx, f.invitationId, { followUpId: ids[i]!, ...(f.kind === 'action' ? { interactionId } : {}) }, at);
        }
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
