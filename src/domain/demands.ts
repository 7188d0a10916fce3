/**
 * Technical demands (技术需求): the lifecycle and its one transition function.
 *
 * The bureau's promise is 技术需求征集100项以上 with 技术难题对接解决数字化全程跟踪 (Yuyao reply to CPPCC
 * proposal No. 113, 二.1; ../shared/seed/). The stages follow the practice recorded in coaching.md §3
 * (Mianyang notice: collect with quantified targets → classify/diagnose → match experts; Zhejiang 2020:
 * collected → published → taken on; Jiangsu: matched / re-diagnosed / long-term tracking) and the
 * register of coaching.md §6.8: collected → diagnosed → published → matching (several partners) →
 * resolved / long-term / unsolvable with a reason.
 *
 * No official text fixes the transitions, so these are the app's rules (README, "Technical demands"):
 * - forward one step along 征集 → 诊断 → 发布 → 对接中; 对接中 needs at least one partner;
 * - 已解决 from 对接中 or 长期跟踪, with how it was solved (the contract value is optional);
 * - 长期跟踪 from 诊断, 发布 or 对接中 (Jiangsu's "moved to long-term tracking");
 * - 无法解决 from any open status, with a reason;
 * - backwards (re-diagnose, reopen) always with a reason: to any earlier step of the main line, from
 *   长期跟踪 to 诊断/发布/对接中, from 已解决 only back to 对接中, from 无法解决 to 征集 or 诊断.
 */
import { isCalendarDate } from '../lib/dates.js';

export const DEMAND_STATUSES = [
  { key: 'collected', label: '征集', rank: 0 },
  { key: 'diagnosed', label: '诊断', rank: 1 },
  { key: 'published', label: '发布', rank: 2 },
  { key: 'matching', label: '对接中', rank: 3 },
  { key: 'long_term', label: '长期跟踪', rank: 4 },
  { key: 'resolved', label: '已解决', rank: 5 },
  { key: 'closed', label: '无法解决', rank: 5 },
] as const;
export type DemandStatus = (typeof DEMAND_STATUSES)[number]['key'];

export const DEMAND_STATUS_KEYS = DEMAND_STATUSES.map((s) => s.key) as DemandStatus[];

export function isDemandStatus(value: unknown): value is DemandStatus {
  return typeof value === 'string' && (DEMAND_STATUS_KEYS as string[]).includes(value);
}

export function demandStatusLabel(key: string | null | undefined): string {
  return DEMAND_STATUSES.find((s) => s.key === key)?.label ?? '';
}

/** The main line, in order; the three ends are off it. */
const MAIN_LINE: DemandStatus[] = ['collected', 'diagnosed', 'published', 'matching'];
/** Statuses in which the demand is still being worked on (counts as open). */
export const OPEN_DEMAND_STATUSES: DemandStatus[] = ['collected', 'diagnosed', 'published', 'matching', 'long_term'];

/** 预算区间 (budget band) the firm states when the demand is collected. */
export const BUDGET_BANDS = [
  { key: 'under_10', label: '10 万元以下' },
  { key: '10_50', label: '10–50 万元' },
  { key: '50_100', label: '50–100 万元' },
  { key: '100_500', label: '100–500 万元' },
  { key: 'over_500', label: '500 万元以上' },
  { key: 'undecided', label: '待定' },
] as const;
export type BudgetBand = (typeof BUDGET_BANDS)[number]['key'];
export const isBudgetBand = (v: unknown): v is BudgetBand => typeof v === 'string' && BUDGET_BANDS.some((b) => b.key === v);
export const budgetBandLabel = (k: string | null | undefined) => BUDGET_BANDS.find((b) => b.key === k)?.label ?? '';

/** Who takes a demand on (对接方): a university, a research institute or another firm. */
export const PARTNER_KINDS = [
  { key: 'university', label: '高校' },
  { key: 'institute', label: '科研院所' },
  { key: 'firm', label: '企业' },
] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number]['key'];
export const isPartnerKind = (v: unknown): v is PartnerKind => typeof v === 'string' && PARTNER_KINDS.some((p) => p.key === v);
export const partnerKindLabel = (k: string | null | undefined) => PARTNER_KINDS.find((p) => p.key === k)?.label ?? '';

/** Limits of the demand's texts (what the form and the database both hold). */
export const DEMAND_LIMITS = {
  title: 100,
  description: 2000,
  targets: 1000,
  contactName: 60,
  contactPhone: 40,
  reason: 500,
  resolution: 1000,
  partnerName: 100,
  partnerContact: 100,
  partnerNote: 500,
} as const;

/**
 * The day a partner's matching ended (对接结束): a calendar date, on or after the day it started, and
 * not after today — the end is recorded when it has happened.
 */
export function checkPartnerEnd(endedOn: string, startedOn: string, today: string): { ok: true } | { ok: false; message: string } {
  if (!isCalendarDate(endedOn)) return { ok: false, message: '请填写对接结束日期（YYYY-MM-DD）。' };
  if (endedOn < startedOn) return { ok: false, message: `对接结束日期不能早于开始日期（${startedOn}）。` };
  if (endedOn > today) return { ok: false, message: '对接结束日期不能晚于今天。' };
  return { ok: true };
}

/** The annual target: 技术需求征集100项以上 (Yuyao reply to proposal No. 113, 二.1). */
export const DEMANDS_COLLECTED_TARGET = 100;

export interface DemandMoveInput {
  to: DemandStatus;
  reason?: string | null;
  /** How it was solved (已解决). */
  resolution?: string | null;
  /** Contract value in 元 (已解决, optional). */
  contractValueYuan?: number | null;
}

export interface DemandMoveContext {
  from: DemandStatus;
  /** Partners the demand has (including one added with this move). */
  partnerCount: number;
}

export type DemandMoveKind = 'forward' | 'backward' | 'resolve' | 'long_term' | 'close';

export const DEMAND_MOVE_KIND_LABELS: Record<DemandMoveKind, string> = {
  forward: '推进',
  backward: '退回',
  resolve: '解决',
  long_term: '转长期跟踪',
  close: '无法解决',
};

export type DemandMoveDecision =
  | { ok: true; kind: DemandMoveKind; reason: string | null; resolution: string | null; contractValueYuan: number | null }
  | { ok: false; code: string; field: 'to' | 'reason' | 'resolution' | 'contractValue' | 'partner'; message: string };

const refuse = (code: string, field: 'to' | 'reason' | 'resolution' | 'contractValue' | 'partner', message: string): DemandMoveDecision => ({ ok: false, code, field, message });

/** Which statuses can be reached from `from` at all (before the inputs are checked). */
export function demandTargets(from: DemandStatus): { to: DemandStatus; kind: DemandMoveKind }[] {
  const out: { to: DemandStatus; kind: DemandMoveKind }[] = [];
  const mainIndex = MAIN_LINE.indexOf(from);
  if (mainIndex >= 0) {
    if (mainIndex < MAIN_LINE.length - 1) out.push({ to: MAIN_LINE[mainIndex + 1]!, kind: 'forward' });
    if (from === 'matching') out.push({ to: 'resolved', kind: 'resolve' });
    if (from !== 'collected') out.push({ to: 'long_term', kind: 'long_term' });
    out.push({ to: 'closed', kind: 'close' });
    for (const earlier of MAIN_LINE.slice(0, mainIndex)) out.push({ to: earlier, kind: 'backward' });
  } else if (from === 'long_term') {
    out.push({ to: 'resolved', kind: 'resolve' }, { to: 'closed', kind: 'close' });
    for (const s of ['diagnosed', 'published', 'matching'] as DemandStatus[]) out.push({ to: s, kind: 'backward' });
  } else if (from === 'resolved') {
    out.push({ to: 'matching', kind: 'backward' });
  } else if (from === 'closed') {
    out.push({ to: 'collected', kind: 'backward' }, { to: 'diagnosed', kind: 'backward' });
  }
  return out;
}

/** The one transition function for demands: every change of status asks it and does what it says. */
export function decideDemandMove(input: DemandMoveInput, ctx: DemandMoveContext): DemandMoveDecision {
  const { from } = ctx;
  const to = input.to;
  if (!isDemandStatus(to)) return refuse('BAD_STATUS', 'to', '请选择要移到的状态。');
  if (to === from) return refuse('SAME_STATUS', 'to', `需求已经是“${demandStatusLabel(from)}”状态。`);
  const target = demandTargets(from).find((t) => t.to === to);
  if (!target) {
    if (from === 'resolved') return refuse('RESOLVED_REOPEN_ONLY', 'to', '已解决的需求只能退回“对接中”（并说明原因）。');
    if (from === 'closed') return refuse('CLOSED_REOPEN_ONLY', 'to', '无法解决的需求只能退回“征集”或“诊断”重新处理（并说明原因）。');
    if (to === 'resolved') return refuse('RESOLVE_NEEDS_MATCHING', 'to', '只有“对接中”或“长期跟踪”的需求可以标记为已解决。');
    if (to === 'long_term') return refuse('LONG_TERM_NEEDS_DIAGNOSIS', 'to', '需求须先经过诊断，才能转入长期跟踪。');
    return refuse('SKIP_REFUSED', 'to', `需求须逐步推进：从“${demandStatusLabel(from)}”只能前进到下一步。`);
  }
  const reason = input.reason?.trim() || null;
  const resolution = input.resolution?.trim() || null;
  if (reason && reason.length > DEMAND_LIMITS.reason) return refuse('REASON_TOO_LONG', 'reason', `原因不能超过 ${DEMAND_LIMITS.reason} 字。`);
  if (target.kind === 'backward' && !reason) return refuse('BACKWARD_NEEDS_REASON', 'reason', `退回到“${demandStatusLabel(to)}”须说明原因。`);
  if (target.kind === 'close' && !reason) return refuse('CLOSE_NEEDS_REASON', 'reason', '标记为无法解决须说明原因。');
  if (to === 'matching' && ctx.partnerCount < 1) return refuse('MATCHING_NEEDS_PARTNER', 'partner', '进入“对接中”须至少登记一个对接方（高校、科研院所或企业）。');
  if (target.kind === 'resolve') {
    if (!resolution) return refuse('RESOLVE_NEEDS_HOW', 'resolution', '请写明需求是如何解决的。');
    if (resolution.length > DEMAND_LIMITS.resolution) return refuse('RESOLUTION_TOO_LONG', 'resolution', `解决方式不能超过 ${DEMAND_LIMITS.resolution} 字。`);
    const v = input.contractValueYuan;
    if (v !== null && v !== undefined && (!Number.isSafeInteger(v) || v < 0)) return refuse('BAD_CONTRACT_VALUE', 'contractValue', '合同金额须为不小于 0 的数额（万元）。');
  }
  return {
    ok: true,
    kind: target.kind,
    reason,
    resolution: target.kind === 'resolve' ? resolution : null,
    contractValueYuan: target.kind === 'resolve' ? (input.contractValueYuan ?? null) : null,
  };
}
