/**
 * Dated compliance events and list entries, as the two checks read them.
 *
 * High-tech (《高新技术企业认定管理办法》第十一条（八）): "企业申请认定前一年内未发生重大安全、重大质量事故或
 * 严重环境违法行为"; 指引 三（一）: "'申请认定前一年内'是指申请前的365天之内（含申报年）". 以内 includes 本数
 * (《民法典》第一千二百五十九条): an event 365 days before the application is inside, 366 days outside.
 *
 * Tech-SME (《科技型中小企业评价办法》第六条（四）): "在填报上一年及当年内未发生重大安全、重大质量事故和严重
 * 环境违法、科研严重失信行为，且企业未列入经营异常名录和严重违法失信企业名单" — calendar years Y−1 and Y.
 *
 * A penalty whose kind is not classified gives 'review' (a person reads the decision), never 'missing'.
 * The register counts as complete only up to the date the counsellor checked the public records
 * (`checkedOn`); without that date, "nothing recorded" proves nothing and the yearly flags are used.
 */
import { daysBetween, tryParseDate } from './dates.js';

export type ComplianceEventKind = 'major_safety' | 'major_quality' | 'serious_environmental' | 'research_dishonesty' | 'serious_fraud' | 'other_penalty';

export const COMPLIANCE_EVENT_KINDS: Readonly<Record<ComplianceEventKind, string>> = {
  major_safety: '重大安全事故',
  major_quality: '重大质量事故',
  serious_environmental: '严重环境违法行为',
  research_dishonesty: '科研严重失信行为',
  serious_fraud: '严重弄虚作假行为',
  other_penalty: '其他行政处罚（未分类）',
};

/** The kinds 第十一条（八） and 第六条（四） name as incidents. */
export const INCIDENT_KINDS: readonly ComplianceEventKind[] = ['major_safety', 'major_quality', 'serious_environmental'];
/** The kinds 第六条（四） (and the 2022 指引's restatement) name as dishonesty. */
export const DISHONESTY_KINDS: readonly ComplianceEventKind[] = ['research_dishonesty', 'serious_fraud'];

export type ComplianceListKind = 'abnormal' | 'dishonest';

export const COMPLIANCE_LISTS: Readonly<Record<ComplianceListKind, string>> = {
  abnormal: '经营异常名录',
  dishonest: '严重违法失信企业名单',
};

export interface ComplianceEvent {
  kind: ComplianceEventKind;
  date: string; // 'YYYY-MM-DD'
  authority: string; // 处罚/认定机关
  docNumber: string; // 文书编号
}

export interface ComplianceListing {
  list: ComplianceListKind;
  listedOn: string;
  removedOn: string | null; // null = still listed
}

export interface ComplianceRecord {
  events: ComplianceEvent[];
  listings: ComplianceListing[];
  /** The date the counsellor last checked the public records; the register is complete up to it. */
  checkedOn: string | null;
}

/** The HTE window: 0–365 days before the application (inclusive both ends). */
export const HTE_INCIDENT_WINDOW_DAYS = 365;

export function withinHteWindow(eventDate: string, applyDate: string): boolean {
  const days = daysBetween(eventDate, applyDate); // 指引 三（一）"申请前的365天之内"
  return days >= 0 && days <= HTE_INCIDENT_WINDOW_DAYS;
}

export function describeEvent(e: ComplianceEvent): string {
  return `${e.date} ${COMPLIANCE_EVENT_KINDS[e.kind]}（${e.authority}${e.docNumber ? ` ${e.docNumber}` : ''}）`;
}

/** Whether a list entry overlaps [from, to] (dates inclusive). */
export function listedDuring(l: ComplianceListing, from: string, to: string): boolean {
  return l.listedOn <= to && (l.removedOn === null || l.removedOn >= from);
}

export function validDate(text: string): boolean {
  return tryParseDate(text) !== null;
}
