/**
 * Interactions (辅导记录): one record type for a visit, a call, an online contact and a firm's part
 * in an event (coaching.md §6 item 2), with the checklist of topics that follows the high-tech
 * certification conditions (《高新技术企业认定管理办法》国科发火〔2016〕32号 第十一条: 知识产权,
 * 科技人员, 研发费用, 高新收入, 成果转化 and 组织管理 are the heads of the scoring, 工作指引 §4).
 *
 * The next-step rule (coaching.md §6 item 3; CASA's follow-up loop): an interaction is saved only
 * with a next step that has a due date on or after the interaction's date, or with an explicit
 * "no follow-up".
 */
import { isCalendarDate } from '../../lib/dates.js';

export const CHANNELS = [
  { key: 'visit', label: '走访' },
  { key: 'phone', label: '电话' },
  { key: 'online', label: '线上' },
  { key: 'event', label: '活动' },
] as const;
export type ChannelKey = (typeof CHANNELS)[number]['key'];

/** Channels a counsellor records by hand; 'event' comes from an event's attendance (events slice). */
export const MANUAL_CHANNELS: readonly ChannelKey[] = ['visit', 'phone', 'online'];

export function isChannelKey(value: unknown): value is ChannelKey {
  return typeof value === 'string' && CHANNELS.some((c) => c.key === value);
}

export function channelLabel(key: string | null | undefined): string {
  return CHANNELS.find((c) => c.key === key)?.label ?? '';
}

export const TOPICS = [
  { key: 'ip', label: '知识产权' },
  { key: 'rd_expense', label: '研发费用归集' },
  { key: 'tech_staff', label: '科技人员' },
  { key: 'hitech_income', label: '高新收入' },
  { key: 'conversion', label: '成果转化' },
  { key: 'organisation', label: '组织管理' },
  { key: 'finance', label: '财务' },
  { key: 'policy', label: '政策申报' },
  { key: 'other', label: '其他' },
] as const;
export type TopicKey = (typeof TOPICS)[number]['key'];

export function isTopicKey(value: unknown): value is TopicKey {
  return typeof value === 'string' && TOPICS.some((t) => t.key === value);
}

export function topicLabel(key: string): string {
  return TOPICS.find((t) => t.key === key)?.label ?? key;
}

/** An interaction in one line — where a demand was collected, for instance: date, channel, who. */
export function interactionHeadline(i: { occurredOn: string; channel: string; reached: boolean; counsellorName: string | null }): string {
  return `${i.occurredOn} ${channelLabel(i.channel)}${i.reached ? '' : '（未联系上）'}${i.counsellorName ? ` · ${i.counsellorName}` : ''}`;
}

/** Topics as stored (comma-separated keys in checklist order) and back. */
export function encodeTopics(topics: readonly TopicKey[]): string {
  return TOPICS.filter((t) => topics.includes(t.key)).map((t) => t.key).join(',');
}

export function decodeTopics(text: string | null | undefined): TopicKey[] {
  return (text ?? '').split(',').filter(isTopicKey);
}

export const INTERACTION_LIMITS = { peopleMet: 200, notes: 4000, outcome: 2000, nextStep: 200, firms: 200 } as const;

export type NextStep =
  | { kind: 'follow_up'; title: string; dueOn: string }
  | { kind: 'none' };

export const NEXT_STEP_MESSAGES = {
  missing: '请填写下一步及其到期日，或勾选“无需跟进”。',
  titleMissing: '请填写下一步要做什么。',
  dueMissing: '请填写下一步的到期日（YYYY-MM-DD）。',
  dueBefore: '下一步的到期日不能早于本次辅导的日期。',
  both: '已勾选“无需跟进”，就不要再填写下一步；请二选一。',
  titleTooLong: `下一步不能超过 ${INTERACTION_LIMITS.nextStep} 个字。`,
} as const;

/**
 * The next-step rule. `title`/`dueOn` as typed ('' when empty), `noFollowUp` the explicit box.
 * Returns the next step, or the field errors (keys: nextStep, nextDue).
 */
export function decideNextStep(
  input: { title: string; dueOn: string; noFollowUp: boolean },
  occurredOn: string,
): { ok: true; next: NextStep } | { ok: false; errors: Record<string, string> } {
  const title = input.title.trim();
  const due = input.dueOn.trim();
  if (input.noFollowUp) {
    if (title || due) return { ok: false, errors: { nextStep: NEXT_STEP_MESSAGES.both } };
    return { ok: true, next: { kind: 'none' } };
  }
  if (!title && !due) return { ok: false, errors: { nextStep: NEXT_STEP_MESSAGES.missing } };
  const errors: Record<string, string> = {};
  if (!title) errors.nextStep = NEXT_STEP_MESSAGES.titleMissing;
  else if ([...title].length > INTERACTION_LIMITS.nextStep) errors.nextStep = NEXT_STEP_MESSAGES.titleTooLong;
  if (!due || !isCalendarDate(due)) errors.nextDue = NEXT_STEP_MESSAGES.dueMissing;
  else if (isCalendarDate(occurredOn) && due < occurredOn) errors.nextDue = NEXT_STEP_MESSAGES.dueBefore;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, next: { kind: 'follow_up', title, dueOn: due } };
}
