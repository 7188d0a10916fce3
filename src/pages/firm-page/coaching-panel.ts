/**
 * The firm page's coaching panel (企业档案 · 辅导): the plan, the open follow-ups and a timeline of
 * everything coaching-related, newest first. A composition above the features.
 *
 * The timeline is built from a list of sources (TIMELINE_SOURCES): each reads one feature and
 * returns entries; buildTimeline() merges and orders them. To show another kind of record (event
 * attendance, technical demands), add one source to the list — nothing else changes.
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { mayWriteCoaching } from '../../domain/coaching/access.js';
import { followUpState, FOLLOW_UP_STATE_LABELS } from '../../domain/coaching/follow-ups.js';
import { channelLabel, topicLabel } from '../../domain/coaching/interactions.js';
import { targetCertificationLabel } from '../../domain/coaching/plans.js';
import { lifecycleLabel } from '../../domain/fields.js';
import { can } from '../../domain/permissions.js';
import { stageLabel } from '../../domain/stages.js';
import { shanghaiDate } from '../../lib/dates.js';
import { followUpsForFirm, openFollowUpsForFirm } from '../../features/coaching/follow-ups.queries.js';
import { interactionsForFirm } from '../../features/coaching/interactions.queries.js';
import { findPlan } from '../../features/coaching/plans.queries.js';
import { listTemplates } from '../../features/coaching/templates.queries.js';
import type { Firm } from '../../features/firms/firms.queries.js';
import { stageEventsForFirm } from '../../features/stages/stage-events.queries.js';
import { listCounsellors } from '../../features/users/users.queries.js';
import { demandStatusLabel } from '../../domain/demands.js';
import { attendanceLabel, eventKindLabel } from '../../domain/events.js';
import { demandMovesOfFirm, demandsOfFirm } from '../../features/demands/demands.queries.js';
import { eventsOfFirm } from '../../features/events/events.queries.js';

export interface TimelineEntry {
  /** Calendar date shown (YYYY-MM-DD, Asia/Shanghai). */
  date: string;
  /** Tie-break within a day: the instant it was recorded (ISO UTC), newest first. */
  at: string;
  /** Stable key of the source ('interaction', 'follow_up', 'stage', 'event', 'demand', …). */
  kind: string;
  kindLabel: string;
  title: string;
  /** Further lines, plain text. */
  lines: string[];
  href?: string;
  tone?: 'ok' | 'warn' | 'muted';
  /** What the user may do from the entry (e.g. collect a technical demand in this interaction). */
  actions?: { href: string; label: string }[];
}

export interface TimelineContext {
  firm: Firm;
  today: string;
  /** Whether the user writes coaching records for this firm (the entries' actions). */
  canWrite?: boolean;
}

export type TimelineSource = (db: Db, ctx: TimelineContext) => Promise<TimelineEntry[]>;

const interactionSource: TimelineSource = async (db, { firm, canWrite }) =>
  (await interactionsForFirm(db, firm.id)).map((i) => ({
    date: i.occurredOn,
    at: i.createdAt,
    kind: 'interaction',
    kindLabel: channelLabel(i.channel),
    title: `${channelLabel(i.channel)}${i.reached ? '' : '（未联系上）'}${i.counsellorName ? ` · ${i.counsellorName}` : ''}${i.firmCount > 1 ? ` · 同次共 ${i.firmCount} 家企业` : ''}`,
    lines: [
      i.peopleMet ? `接待：${i.peopleMet}` : '',
      i.topics.length ? `议题：${i.topics.map(topicLabel).join('、')}` : '',
      i.notes ?? '',
      i.outcome ? `成效：${i.outcome}` : '',
      i.noFollowUp ? '下一步：无需跟进' : '',
    ].filter(Boolean),
    ...(i.eventId !== null ? { href: `/coaching/events/${i.eventId}` } : {}),
    tone: i.reached ? undefined : 'muted',
    // A demand raised in this visit, call or event is collected with it ("in an interaction or on its own").
    actions: canWrite ? [{ href: `/firms/${firm.uscc}/demands/new?interaction=${i.id}`, label: '登记技术需求' }] : [],
  }));

const followUpSource: TimelineSource = async (db, { firm }) =>
  (await followUpsForFirm(db, firm.id))
    .filter((f) => f.status !== 'open')
    .map((f) => ({
      date: f.status === 'done' ? (f.doneOn ?? shanghaiDate(f.closedAt ?? f.updatedAt)) : shanghaiDate(f.closedAt ?? f.updatedAt),
      at: f.closedAt ?? f.updatedAt,
      kind: 'follow_up',
      kindLabel: f.status === 'done' ? '跟进完成' : '跟进取消',
      title: `${f.title}（原定 ${f.dueOn}）${f.closedByName ? ` · ${f.closedByName}` : ''}`,
      lines: [f.status === 'done' ? `结果：${f.result ?? ''}` : `取消原因：${f.cancelReason ?? ''}`],
      tone: f.status === 'done' ? 'ok' : 'muted',
    }));

const stageSource: TimelineSource = async (db, { firm }) =>
  (await stageEventsForFirm(db, firm.id)).map((e) => ({
    date: shanghaiDate(e.at),
    at: e.at,
    kind: 'stage',
    kindLabel: '阶段',
    title: `${e.fromStage ? `${stageLabel(e.fromStage)} → ` : ''}${stageLabel(e.toStage)}${e.actorName ? ` · ${e.actorName}` : ''}`,
    lines: e.reason ? [e.reason] : [],
  }));

/**
 * Event invitations (events slice). Attendance is in the event's attendance record from its
 * check-in and shows as that interaction (channel 活动); the rest (invited, registered, absent,
 * cancelled) shows here, so nothing appears twice.
 */
const eventSource: TimelineSource = async (db, { firm }) =>
  (await eventsOfFirm(db, firm.id))
    .filter((e) => e.interactionId === null)
    .map((e) => ({
      date: e.startsOn,
      at: e.updatedAt,
      kind: 'event',
      kindLabel: eventKindLabel(e.kind),
      title: `${e.title} · ${attendanceLabel(e.status)}`,
      lines: e.attendees.length ? [`参会：${e.attendees.join('、')}`] : [],
      href: `/coaching/events/${e.eventId}`,
      tone: e.status === 'absent' || e.status === 'cancelled' ? 'muted' : undefined,
    }));

/** Technical demands (events slice): each one collected and each move of its status. */
const demandSource: TimelineSource = async (db, { firm }) =>
  (await demandMovesOfFirm(db, firm.id)).map((c) => ({
    date: shanghaiDate(c.at),
    at: c.at,
    kind: 'demand',
    kindLabel: '技术需求',
    title: `${c.title}：${c.kind === 'create' ? '登记（征集）' : `${demandStatusLabel(c.fromStatus)} → ${demandStatusLabel(c.toStatus)}`}${c.actorName ? ` · ${c.actorName}` : ''}`,
    lines: c.reason ? [`原因：${c.reason}`] : [],
    href: `/coaching/demands/${c.demandId}`,
    tone: c.toStatus === 'resolved' ? 'ok' : undefined,
  }));

/** The sources of the timeline, in no particular order (buildTimeline sorts). Add one to show another kind. */
export const TIMELINE_SOURCES: TimelineSource[] = [interactionSource, followUpSource, stageSource, eventSource, demandSource];

/** Newest first: by date, then by when it was recorded. */
export function buildTimeline(entries: TimelineEntry[]): TimelineEntry[] {
  return [...entries].sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

export async function loadTimeline(db: Db, ctx: TimelineContext, sources: TimelineSource[] = TIMELINE_SOURCES): Promise<TimelineEntry[]> {
  return buildTimeline((await Promise.all(sources.map((s) => s(db, ctx)))).flat());
}

export async function loadCoachingPanel(db: Db, firm: Firm, actor: Actor, today: string) {
  const canWrite = mayWriteCoaching(actor, firm);
  const canAssign = can(actor, 'coaching.assign');
  const [plan, open, timeline, templates, counsellors, demands] = await Promise.all([
    findPlan(db, firm.id),
    openFollowUpsForFirm(db, firm.id),
    loadTimeline(db, { firm, today, canWrite }),
    canWrite ? listTemplates(db, { activeOnly: true }) : Promise.resolve([]),
    canAssign ? listCounsellors(db) : Promise.resolve([]),
    demandsOfFirm(db, firm.id),
  ]);
  return {
    plan: plan ? { ...plan, targetLabel: targetCertificationLabel(plan.targetCertification) } : null,
    lifecycleLabel: lifecycleLabel(firm.lifecycle),
    openFollowUps: open.map((f) => {
      const state = followUpState(f.dueOn, today, f.status);
      return { ...f, state, stateLabel: FOLLOW_UP_STATE_LABELS[state], firmUscc: firm.uscc, canWrite };
    }),
    timeline,
    canWrite,
    readOnlyReason: canWrite || !can(actor, 'coaching.write') ? null : '这家企业不是分配给你的辅导对象，辅导记录只能查看。',
    canAssign,
    counsellors,
    templates: templates.map((t) => ({ ...t, suggested: t.lifecycle === firm.lifecycle })),
    demands: demands.map((d) => ({ id: d.id, title: d.title, status: d.status, statusLabel: demandStatusLabel(d.status), collectedOn: d.collectedOn })),
    today,
  };
}
