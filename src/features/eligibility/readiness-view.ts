/**
 * The readiness panel of a firm page: the check its stage points to, each condition with its status,
 * numbers, gap and article; the score estimate; for certified firms the certificate calendar.
 */
import {
  type ConditionResult,
  type FirmFacts,
  hteCertificateCalendar,
  hteStatusOn,
  RULE_SETS,
  type ScoreEstimate,
  type Status,
  type Verdict,
} from '../../domain/eligibility/index.js';
import { CHECK_KINDS, checkKindFor, holdsHteCertificate } from '../../domain/readiness.js';
import type { StageKey } from '../../domain/stages.js';
import { evaluate } from './eligibility.service.js';

export const STATUS_LABELS: Record<Status, string> = {
  pass: '符合',
  fail: '不符合',
  review: '待评审/核实',
  missing: '缺数据',
};

const OVERALL: Record<Status, string> = {
  pass: '全部条件符合',
  fail: '有条件不符合',
  missing: '数据不全，无法判断',
  review: '可计算的条件均符合，其余须专家评审或人工核实',
};

function conditionView(c: ConditionResult) {
  return { ...c, statusLabel: STATUS_LABELS[c.status] };
}

function scoreView(s: ScoreEstimate | undefined) {
  if (!s) return null;
  return {
    ...s,
    statusLabel: STATUS_LABELS[s.status],
    totalText: s.total[0] === s.total[1] ? `${s.total[0]}` : `${s.total[0]}–${s.total[1]}`,
    indicators: s.indicators.map((i) => ({
      ...i,
      pointsText: i.points[0] === i.points[1] ? `${i.points[0]}` : `${i.points[0]}–${i.points[1]}`,
      items: i.items.map((it) => ({ ...it, pointsText: it.points[0] === it.points[1] ? `${it.points[0]}` : `${it.points[0]}–${it.points[1]}` })),
    })),
  };
}

export function verdictView(v: Verdict) {
  return {
    ruleSet: v.ruleSet,
    ruleSetTitle: RULE_SETS[v.ruleSet]?.title ?? v.ruleSet,
    asOf: v.asOf,
    inputYears: v.inputYears,
    status: v.status,
    statusText: OVERALL[v.status],
    conditions: v.conditions.map(conditionView),
    score: scoreView(v.score),
    interpretations: v.conditions.some((c) => c.interpretation),
  };
}

export function readinessFor(stage: StageKey, facts: FirmFacts, today: string) {
  const kind = checkKindFor(stage);
  if (!kind) return null;
  const verdict = evaluate(kind, facts, today);
  const certificate = facts.hteCertificate ? hteCertificateCalendar(facts.hteCertificate.issuedOn) : null;
  const certificateStatus = certificate ? hteStatusOn(certificate, today) : null;
  return {
    kind,
    title: holdsHteCertificate(stage) ? `重新认定（${CHECK_KINDS.hte.label}）` : CHECK_KINDS[kind].label,
    verdict: verdictView(verdict),
    certificate: certificate
      ? {
          ...certificate,
          status: certificateStatus,
          statusLabel: { not_yet: '尚未生效', valid: '有效期内', expiry_year: '期满当年 – 重新认定中', expired: '已过期' }[certificateStatus!],
        }
      : null,
  };
}
