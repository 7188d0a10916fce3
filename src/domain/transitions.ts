/**
 * The one transition function. Every path that moves a firm (board drag, card menu, firm page,
 * bulk screening, imports) asks `decideMove` and does what it says (design.md, "Moves").
 */
import {
  type ExitReasonKey,
  type StageKey,
  REENTRY_STAGES,
  exitReasonLabel,
  isExitReasonKey,
  stageDef,
  stageLabel,
} from './stages.js';
import { isCalendarDate } from '../lib/dates.js';

export interface MoveInput {
  to: StageKey;
  reason?: string | null;
  exitReason?: string | null;
  certificateNo?: string | null;
  certificateDate?: string | null;
  /** Enter hte_applying although the eligibility check has hard failures or missing data. */
  override?: boolean;
}

/** The eligibility verdict the gate into hte_applying relies on (computed by the caller). */
export interface GateCheck {
  status: 'pass' | 'fail' | 'review' | 'missing';
  ruleSet: string;
  inputYears: number[];
  blocking: { id: string; label: string; status: 'fail' | 'missing'; detail?: string }[];
}

export interface MoveContext {
  from: StageKey;
  /** Today's calendar date in Asia/Shanghai, YYYY-MM-DD. */
  today: string;
  /** Required when the target is hte_applying. */
  applyingCheck?: GateCheck | null;
  /** Whether the acting user may override a gate (caseworkers and admins). */
  mayOverride: boolean;
}

export type MoveKind = 'forward' | 'skip' | 'backward' | 'exit' | 'reentry';
/** What each kind of move is called where people read it (audit log, history). */
export const MOVE_KIND_LABELS: Record<string, string> = {
  forward: '前进一个阶段',
  skip: '跨阶段移动',
  backward: '退回',
  exit: '退库',
  reentry: '重新入库',
};

/** Where a move came from (stage_events.source), as people read it. */
export const MOVE_SOURCE_LABELS: Record<string, string> = {
  board: '看板拖动',
  menu: '看板菜单',
  firm_page: '企业档案',
  bulk: '批量筛选',
  import: '名单导入',
  create: '新增',
  seed: '演示数据',
  register: '资质登记',
};

export type MoveNeed = 'reason' | 'exit_reason' | 'certificate' | 'override';

export type MoveDecision =
  | {
      ok: true;
      kind: MoveKind;
      from: StageKey;
      to: StageKey;
      reasonCode: string | null;
      reason: string | null;
      details: Record<string, unknown> | null;
    }
  | {
      ok: false;
      code: 'SAME_STAGE' | 'NOT_ALLOWED' | 'INPUT_NEEDED';
      message: string;
      needs: MoveNeed[];
      fieldErrors: Record<string, string>;
      blocking?: GateCheck['blocking'];
    };

export const CERTIFICATE_NO = /^GR\d{12}$/;
export const REASON_MAX = 500;

const messages = {
  sameStage: (s: string) => `该企业已在“${s}”阶段。`,
  reentryOnly: '退库企业只能重新进入“候选”或“孵化培育”阶段。',
  reasonFor: {
    skip: '跨阶段移动需要填写原因。',
    backward: '退回前一阶段需要填写原因。',
    reentry: '重新入库需要填写原因。',
    override: '越过资格检查需要填写原因。',
  },
  exitReason: '请选择退库原因。',
  exitReasonOther: '选择“其他”时请写明退库原因。',
  certificateNo: '请填写高新技术企业证书编号（GR 加 12 位数字，如 GR202333102308）。',
  certificateDate: '请填写发证日期（YYYY-MM-DD）。',
  certificateDateFuture: '发证日期不能晚于今天。',
  reasonTooLong: `原因不超过 ${REASON_MAX} 字。`,
  inputNeeded: '移动前还需要补充以下信息。',
  gateBlocked: '高企认定条件检查未通过，进入“高企申报中”需要补齐数据，或由业务员填写原因后越过检查。',
  overrideNotAllowed: '高企认定条件检查未通过，你的角色不能越过此检查。',
} as const;

function clean(text: string | null | undefined): string | null {
  const t = (text ?? '').trim();
  return t === '' ? null : t;
}

export function classifyMove(from: StageKey, to: StageKey): MoveKind | null {
  if (from === to) return null;
  if (to === 'exited') return 'exit';
  if (from === 'exited') return 'reentry';
  const delta = stageDef(to).order! - stageDef(from).order!;
  if (delta === 1) return 'forward';
  return delta > 1 ? 'skip' : 'backward';
}

export function decideMove(input: MoveInput, ctx: MoveContext): MoveDecision {
  const { from } = ctx;
  const { to } = input;
  const kind = classifyMove(from, to);
  if (kind === null) {
    return { ok: false, code: 'SAME_STAGE', message: messages.sameStage(stageLabel(to)), needs: [], fieldErrors: {} };
  }
  if (kind === 'reentry' && !REENTRY_STAGES.includes(to)) {
    return { ok: false, code: 'NOT_ALLOWED', message: messages.reentryOnly, needs: [], fieldErrors: {} };
  }

  const needs: MoveNeed[] = [];
  const fieldErrors: Record<string, string> = {};
  let reason = clean(input.reason);
  if (reason && reason.length > REASON_MAX) {
    needs.push('reason');
    fieldErrors.reason = messages.reasonTooLong;
  }

  let reasonCode: string | null = null;
  const details: Record<string, unknown> = {};

  if (kind === 'exit') {
    const exitReason = clean(input.exitReason);
    if (!exitReason || !isExitReasonKey(exitReason)) {
      needs.push('exit_reason');
      fieldErrors.exitReason = messages.exitReason;
    } else {
      reasonCode = exitReason;
      if (exitReason === ('other' satisfies ExitReasonKey) && !reason) {
        needs.push('reason');
        fieldErrors.reason = messages.exitReasonOther;
      }
      if (exitReason !== 'other' && !reason) reason = exitReasonLabel(exitReason);
    }
  } else if (kind !== 'forward') {
    reasonCode = kind;
    if (!reason) {
      needs.push('reason');
      fieldErrors.reason = messages.reasonFor[kind];
    }
  }

  if (to === 'hte_certified') {
    const no = clean(input.certificateNo)?.toUpperCase() ?? null;
    const date = clean(input.certificateDate);
    if (!no || !CERTIFICATE_NO.test(no)) fieldErrors.certificateNo = messages.certificateNo;
    if (!date || !isCalendarDate(date)) fieldErrors.certificateDate = messages.certificateDate;
    else if (date > ctx.today) fieldErrors.certificateDate = messages.certificateDateFuture;
    if (fieldErrors.certificateNo || fieldErrors.certificateDate) needs.push('certificate');
    else Object.assign(details, { certificateNo: no, certificateDate: date });
  }

  let blocking: GateCheck['blocking'] | undefined;
  if (to === 'hte_applying') {
    const check = ctx.applyingCheck;
    const failed = !check || check.status === 'fail' || check.status === 'missing';
    if (check) details.eligibility = { ruleSet: check.ruleSet, inputYears: check.inputYears, status: check.status };
    if (failed) {
      blocking = check?.blocking ?? [];
      if (!ctx.mayOverride) {
        return { ok: false, code: 'NOT_ALLOWED', message: messages.overrideNotAllowed, needs: [], fieldErrors: {}, blocking };
      }
      if (!input.override) {
        needs.push('override');
        fieldErrors.override = messages.gateBlocked;
      } else {
        details.override = true;
        if (!reason) {
          needs.push('reason');
          fieldErrors.reason = messages.reasonFor.override;
        }
        reasonCode = reasonCode ?? 'override';
      }
    }
  }

  if (Object.keys(fieldErrors).length > 0) {
    const message = blocking && needs.includes('override') ? messages.gateBlocked : messages.inputNeeded;
    return { ok: false, code: 'INPUT_NEEDED', message, needs: [...new Set(needs)], fieldErrors, ...(blocking ? { blocking } : {}) };
  }
  return {
    ok: true,
    kind,
    from,
    to,
    reasonCode,
    reason,
    details: Object.keys(details).length > 0 ? details : null,
  };
}
