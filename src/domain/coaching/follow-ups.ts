/**
 * A follow-up's state on Asia/Shanghai calendar dates: the one definition of "overdue", "due today"
 * and "this week" that every page, count and export uses (coaching.md §2 complaint 1: done items
 * shown as overdue on raw-SQL dashboards; §6 item 4). Queries that count in SQL take their bounds
 * from followUpBounds(), so a count and a list can never disagree with this function.
 *
 * `today` is the Shanghai calendar date (lib/dates.ts todayInShanghai()); a follow-up due on a date
 * becomes overdue at the Shanghai midnight that ends that date.
 */
import { addDays } from '../eligibility/dates.js';

export const FOLLOW_UP_STATUSES = ['open', 'done', 'cancelled'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

export type FollowUpState = 'overdue' | 'today' | 'week' | 'later' | 'done' | 'cancelled';

/** "This week": due within the next seven days after today (a rolling week, never empty on a Sunday). */
export const WEEK_DAYS = 7;

export const FOLLOW_UP_STATE_LABELS: Record<FollowUpState, string> = {
  overdue: '已逾期',
  today: '今天到期',
  week: '7 天内到期',
  later: '待办',
  done: '已完成',
  cancelled: '已取消',
};

export const FOLLOW_UP_STATUS_LABELS: Record<FollowUpStatus, string> = {
  open: '待办',
  done: '已完成',
  cancelled: '已取消',
};

export function isFollowUpStatus(value: unknown): value is FollowUpStatus {
  return typeof value === 'string' && (FOLLOW_UP_STATUSES as readonly string[]).includes(value);
}

/** The dates that bound the queue's groups, for SQL: overdue < today; today = today; week in (today, weekEnd]. */
export function followUpBounds(today: string): { today: string; weekEnd: string } {
  return { today, weekEnd: addDays(today, WEEK_DAYS) };
}

/** The state of a follow-up due on `dueOn` (YYYY-MM-DD), seen on Shanghai date `today`. */
export function followUpState(dueOn: string, today: string, status: FollowUpStatus = 'open'): FollowUpState {
  if (status === 'done') return 'done';
  if (status === 'cancelled') return 'cancelled';
  const { weekEnd } = followUpBounds(today);
  if (dueOn < today) return 'overdue';
  if (dueOn === today) return 'today';
  if (dueOn <= weekEnd) return 'week';
  return 'later';
}

/** Limits of the texts a follow-up carries (the form says them; the service refuses more). */
export const FOLLOW_UP_LIMITS = { title: 200, result: 1000, reason: 500 } as const;
