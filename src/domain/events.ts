/**
 * Coaching events (辅导活动): 讲诊会 clinics, 培训 training, 对接活动 matchmaking with universities and
 * 政策宣讲 policy briefings — the bureau's 讲诊会等培训30余场 and 对接活动10次以上 (Yuyao reply to CPPCC
 * proposal No. 113, 二.1; ../shared/seed/). Invitations are by firm with named attendees (coaching.md
 * §2 item 7: attendance must be tied to the organisation); statuses after SuiteCRM's delegate statuses
 * and CiviCRM's participant statuses (coaching.md §1): invited / registered / attended / absent /
 * cancelled. Attendance counts as contact from the moment it is recorded (attendanceRecordChanges);
 * after the event one action creates the follow-ups (coaching.md §6 item 7).
 */
import { isCalendarDate } from '../lib/dates.js';

export const EVENT_KINDS = [
  { key: 'clinic', label: '讲诊会' },
  { key: 'training', label: '培训' },
  { key: 'matchmaking', label: '对接活动' },
  { key: 'policy', label: '政策宣讲' },
] as const;
export type EventKind = (typeof EVENT_KINDS)[number]['key'];
export const isEventKind = (v: unknown): v is EventKind => typeof v === 'string' && EVENT_KINDS.some((k) => k.key === v);
export const eventKindLabel = (k: string | null | undefined) => EVENT_KINDS.find((x) => x.key === k)?.label ?? '';

export const ATTENDANCE_STATUSES = [
  { key: 'invited', label: '已邀请' },
  { key: 'registered', label: '已报名' },
  { key: 'attended', label: '已出席' },
  { key: 'absent', label: '缺席' },
  { key: 'cancelled', label: '已取消' },
] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number]['key'];
export const isAttendanceStatus = (v: unknown): v is AttendanceStatus => typeof v === 'string' && ATTENDANCE_STATUSES.some((s) => s.key === v);
export const attendanceLabel = (k: string | null | undefined) => ATTENDANCE_STATUSES.find((s) => s.key === k)?.label ?? '';

export const EVENT_LIMITS = { title: 100, place: 100, organiser: 100, notes: 2000, attendeeName: 60, attendeePosition: 60, attendeePhone: 40, invitationsPerRequest: 500 } as const;

/** When the follow-ups of the after-event action fall due, in days after the event's last day. */
export const WRAP_UP_DUE_DAYS = { attended: 14, absent: 7 } as const;

export const EVENT_MESSAGES = {
  future: (startsOn: string) => `活动在 ${startsOn} 举行，尚未开始：不能登记出席或缺席。`,
  wrappedUp: '活动已结束并生成了跟进事项，出席情况不能再修改。',
  notInvited: '这家企业没有受邀参加本次活动：请先邀请它，再登记参会人员。',
  cancelledInvitation: '这家企业的邀请已取消：请先把它改回“已邀请”或“已报名”，再登记参会人员。',
  wrapUpFuture: (startsOn: string) => `活动在 ${startsOn} 举行，尚未开始：活动结束后才能生成跟进事项。`,
  wrapUpTwice: '这次活动的跟进事项已经生成过，不会再生成一次。',
  wrapUpNobody: '还没有邀请任何企业，无法生成跟进事项。',
  movedToFuture: '已有企业登记了出席或缺席：活动日期不能改到今天以后。如确需改期，请先把这些企业改回“已邀请”或“已报名”。',
  invitationTaken: '有企业刚刚已被他人邀请参加这次活动，本次没有保存任何邀请。请确认下面的名单后再邀请其余企业。',
  attendanceTaken: '这次活动的出席刚被他人同时登记，本次没有保存。请确认下面的出席情况后再登记。',
} as const;

export interface EventDates {
  startsOn: string;
  endsOn: string;
}

/** The dates of an event as typed: start required, end on or after it (blank: one day). */
export function checkEventDates(startsOn: string, endsOn: string): { ok: true; dates: EventDates } | { ok: false; errors: Record<string, string> } {
  if (!isCalendarDate(startsOn)) return { ok: false, errors: { startsOn: '请填写活动日期（YYYY-MM-DD）。' } };
  const end = endsOn || startsOn;
  if (!isCalendarDate(end)) return { ok: false, errors: { endsOn: '结束日期须为 YYYY-MM-DD 格式的日期。' } };
  if (end < startsOn) return { ok: false, errors: { endsOn: '结束日期不能早于开始日期。' } };
  return { ok: true, dates: { startsOn, endsOn: end } };
}

/**
 * Whether an invitation may be set to `to`. Attended and absent are facts of a day that has come:
 * refused before the event starts (Asia/Shanghai calendar date). Nothing changes once the
 * after-event action has run, since the interactions and follow-ups were made from it.
 */
export function decideAttendance(to: AttendanceStatus, event: EventDates & { wrappedUp: boolean }, today: string): { ok: true } | { ok: false; message: string } {
  if (event.wrappedUp) return { ok: false, message: EVENT_MESSAGES.wrappedUp };
  if ((to === 'attended' || to === 'absent') && today < event.startsOn) return { ok: false, message: EVENT_MESSAGES.future(event.startsOn) };
  return { ok: true };
}

/**
 * Moving an event's dates: attended and absent are facts of a day that has come (decideAttendance),
 * so an event at which some firm was marked either may not move to a day after today — its firms'
 * attendance would become contact in the future.
 */
export function decideReschedule(startsOn: string, checkedIn: number, today: string): { ok: true } | { ok: false; message: string } {
  if (checkedIn > 0 && startsOn > today) return { ok: false, message: EVENT_MESSAGES.movedToFuture };
  return { ok: true };
}

/** What an event's attendance record (its interaction, channel 活动) says in the firms' timelines. */
export function attendanceNotes(event: EventDates & { title: string; place: string | null }): string {
  return `参加${event.title}（${event.startsOn}${event.endsOn !== event.startsOn ? ` 至 ${event.endsOn}` : ''}${event.place ? `，${event.place}` : ''}）`;
}

/** An invitation as the attendance record sees it: its status and whether the firm is in the record. */
export interface AttendanceLink {
  id: number;
  firmId: number;
  status: AttendanceStatus;
  /** The event's attendance record (interaction) the firm is in; null while it is not. */
  interactionId: number | null;
}

/**
 * Attendance is contact from the moment it is recorded ("Attendance counts toward each firm's
 * timeline as an interaction"): an event has one attendance record — an interaction, channel 活动,
 * made at the first check-in — and a firm is in it exactly while its status is 已出席. So last
 * contact, "no contact in N days" and the coaching figures follow the check-in, not the after-event
 * action. Setting `to` on these invitations: the ones that become attended and are not yet in the
 * record join it; the ones that stop being attended leave it. The record itself is never deleted
 * (a demand collected at the event keeps the interaction it came from, and a firm checked in again
 * rejoins the same record), and nothing a user typed (attendees, notes) is touched.
 */
export function attendanceRecordChanges<T extends AttendanceLink>(invitations: T[], to: AttendanceStatus): { join: T[]; leave: T[] } {
  return {
    join: to === 'attended' ? invitations.filter((i) => i.interactionId === null) : [],
    leave: to === 'attended' ? [] : invitations.filter((i) => i.interactionId !== null),
  };
}

export interface WrapUpInvitation {
  id: number;
  firmId: number;
  status: AttendanceStatus;
}

export interface WrapUpPlan {
  /** Invitations still invited or registered: marked absent by the action. */
  markAbsent: number[];
  /** Firms that attended (in the event's attendance record since their check-in): each gets an action item. */
  attendedFirmIds: number[];
  followUps: { invitationId: number; firmId: number; kind: 'action' | 'catch_up'; title: string; dueOn: string }[];
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The after-event action: an action item for every firm that attended (due 14 days after the last
 * day), a catch-up call for every firm that did not (due after 7 days); invitations nobody marked
 * count as absent; cancelled invitations get nothing. Refused before the event or a second time.
 * The attendance itself was recorded at check-in (attendanceRecordChanges): this only plans follow-ups.
 */
export function planWrapUp(event: EventDates & { title: string; wrappedUp: boolean }, invitations: WrapUpInvitation[], today: string): { ok: true; plan: WrapUpPlan } | { ok: false; message: string } {
  if (event.wrappedUp) return { ok: false, message: EVENT_MESSAGES.wrapUpTwice };
  if (today < event.startsOn) return { ok: false, message: EVENT_MESSAGES.wrapUpFuture(event.startsOn) };
  const live = invitations.filter((i) => i.status !== 'cancelled');
  if (!live.length) return { ok: false, message: EVENT_MESSAGES.wrapUpNobody };
  const plan: WrapUpPlan = { markAbsent: [], attendedFirmIds: [], followUps: [] };
  for (const inv of live) {
    if (inv.status === 'attended') {
      plan.attendedFirmIds.push(inv.firmId);
      plan.followUps.push({ invitationId: inv.id, firmId: inv.firmId, kind: 'action', title: `落实“${event.title}”的行动事项`, dueOn: addDays(event.endsOn, WRAP_UP_DUE_DAYS.attended) });
    } else {
      if (inv.status !== 'absent') plan.markAbsent.push(inv.id);
      plan.followUps.push({ invitationId: inv.id, firmId: inv.firmId, kind: 'catch_up', title: `电话回访：未出席“${event.title}”`, dueOn: addDays(event.endsOn, WRAP_UP_DUE_DAYS.absent) });
    }
  }
  return { ok: true, plan };
}

/**
 * Who runs an event (edits it, invites, checks in, wraps it up): an administrator or a caseworker,
 * or the counsellor who organises it (its owner). Leaders read. Whom one may invite is decided per
 * firm by the coaching write rule (domain/coaching/access.ts): a counsellor invites their own firms.
 */
export function mayManageEvent(actor: { id: number; role: string }, event: { ownerId: number }): boolean {
  if (actor.role === 'admin' || actor.role === 'caseworker') return true;
  return actor.role === 'counsellor' && event.ownerId === actor.id;
}

export const NOT_YOUR_EVENT = '这次活动由其他辅导员组织：你可以查看，但不能修改。';
