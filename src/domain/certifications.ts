/**
 * Rules of the certification register (资质): what a row may hold, its status on a date, and the
 * reasons it can end. Plain functions; the articles are cited beside each rule (domain.md §1.2,
 * §1.3, §3.5, §3.6, §4.3).
 */
import { addYearsClamped, compareDates, tryParseDate } from './eligibility/dates.js';
import { hteStatusOn } from './eligibility/calendar.js';

export const CERT_KINDS = ['tsme', 'tsme_prov', 'hte', 'leading', 'little_giant'] as const;
export type CertKind = (typeof CERT_KINDS)[number];
export const CERT_KIND_LABELS: Record<CertKind, string> = {
  tsme: '科技型中小企业',
  tsme_prov: '省级科技型中小企业',
  hte: '高新技术企业',
  leading: '科技领军企业',
  little_giant: '科技小巨人',
};
export const isCertKind = (v: unknown): v is CertKind => typeof v === 'string' && (CERT_KINDS as readonly string[]).includes(v);

/** The first national tech-SME evaluation year: 《科技型中小企业评价办法》 (国科发政〔2017〕115号) in force 2017-05-03. */
export const FIRST_TSME_YEAR = 2017;

/** 省级科技型中小企业 issuing agencies (domain.md §3.6 [S]: configurable per year, issue 10 item 1). */
export const PROVINCIAL_AGENCIES = ['浙江省科学技术厅', '浙江省经济和信息化厅'] as const;
export const DEFAULT_PROVINCIAL_AGENCY = PROVINCIAL_AGENCIES[0];

/** 科技领军企业 / 科技小巨人 levels. domain.md §4.3: the Zhejiang criteria were not found; levels only. */
export const BENCHMARK_LEVELS = ['国家级', '省级', '宁波市级', '余姚市级'] as const;

/** HTE application modes. 2016 办法 has no 复审: a re-certification is a new application under 第十一条 (domain.md §1.3). */
export const HTE_MODES = { first: '首次认定', renewal: '重新认定' } as const;
export type HteMode = keyof typeof HTE_MODES;

/** The steps of 第十二条 and 指引 二(五)–(六), in order. */
export const HTE_STEPS = [
  { key: 'appliedOn', label: '申报' },
  { key: 'publicizedOn', label: '公示（拟认定）' },
  { key: 'filedOn', label: '备案' },
  { key: 'issuedOn', label: '证书' },
] as const;

/**
 * 办法 第十九条 (and 第十六条, 第十七条) reasons an HTE qualification is cancelled. The clawback runs
 * from the year of the act (第十九条 last paragraph).
 */
export const HTE_CANCEL_REASONS = [
  { key: 'fraud', label: '申请认定过程中存在严重弄虚作假行为', article: '第十九条（一）' },
  { key: 'incident', label: '发生重大安全、重大质量事故或有严重环境违法行为', article: '第十九条（二）' },
  { key: 'unreported_change', label: '未按期报告与认定条件有关重大变化情况', article: '第十九条（三）' },
  { key: 'missed_reports', label: '累计两年未填报年度发展情况报表', article: '第十九条（三）；指引 五（二）' },
  { key: 'review_failed', label: '复核后确认不符合认定条件', article: '第十六条' },
  { key: 'change_failed', label: '更名或条件变化后不符合认定条件', article: '第十七条' },
] as const;

/** 2017 办法 第十四条: the reasons the year's 入库登记编号 is revoked. */
export const TSME_REVOKE_REASONS = [
  { key: 'no_longer_eligible', label: '不再符合科技型中小企业条件', article: '第十四条' },
  { key: 'fraud', label: '存在严重弄虚作假行为', article: '第十四条' },
  { key: 'misconduct', label: '发生科研严重失信行为', article: '第十四条' },
  { key: 'incident', label: '发生重大安全、重大质量事故或有严重环境违法行为', article: '第十四条' },
  { key: 'blacklisted', label: '被列入经营异常名录或严重违法失信企业名单', article: '第十四条' },
  { key: 'info_not_updated', label: '未按期更新《科技型中小企业信息表》信息', article: '第十四条；第十二条' },
] as const;

export function cancelReasonsOf(kind: CertKind): readonly { key: string; label: string; article: string }[] {
  if (kind === 'hte') return HTE_CANCEL_REASONS;
  if (kind === 'tsme') return TSME_REVOKE_REASONS;
  return [{ key: 'other', label: '其他', article: '' }];
}

export function cancelReasonLabel(kind: CertKind, key: string | null): string {
  if (!key) return '';
  const r = cancelReasonsOf(kind).find((x) => x.key === key);
  return r ? `${r.label}${r.article ? `（${r.article}）` : ''}` : key;
}

/** domain.md §1.2 [S]: `GR` + 4-digit year + 2-digit province + 6 digits; validate `^GR\d{12}$`, read only the year. */
export const HTE_NUMBER = /^GR\d{12}$/;

export function hteNumberYear(no: string): number | null {
  return HTE_NUMBER.test(no) ? Number(no.slice(2, 6)) : null;
}

/** The two province digits (33 = 浙江, Ningbo included); shown, never enforced (domain.md §1.2). */
export function hteNumberProvince(no: string): string | null {
  return HTE_NUMBER.test(no) ? no.slice(6, 8) : null;
}

/** Last valid day: 第九条 "自颁发证书之日起有效期为三年" + 民法典 第二百零二条 [U] (2024-02-29 → 2027-02-28). */
export function hteValidUntil(issuedOn: string): string {
  return addYearsClamped(issuedOn, 3);
}

const messages = {
  number: '证书编号应为 GR 加 12 位数字（如 GR202333102308）。',
  numberYear: (y: number, ny: number) => `证书编号中的年份（${ny}）与发证年度（${y}）不符。`,
  date: '请填写日期（YYYY-MM-DD）。',
  future: '日期不能晚于今天。',
  beforeFounding: (f: string) => `日期不能早于企业成立日期（${f}）。`,
  stepOrder: (a: string, b: string) => `“${b}”日期不能早于“${a}”日期。`,
  year: '请填写四位年度。',
  yearRange: (min: number, max: number) => `年度应在 ${min}–${max} 之间。`,
  tsmeYearFounded: (f: string) => `企业成立于 ${f}，该年度尚未成立，不可能参加评价。`,
  tsmeDateYear: (y: number) => `入库登记日期应在 ${y} 年度内（评价年度的入库登记，2017 办法 第十一条）。`,
  tsmeNumberYear: (y: number, ny: number) => `该入库登记编号属于 ${ny} 年度，不是 ${y} 年度的评价（2017 办法 第十一条：编号随评价年度）。`,
  tsmeNumber: '入库登记编号为 8–30 位字母或数字。',
  tsmeNumberRequired: '请填写入库登记编号。',
  level: '请选择级别。',
  validUntil: '有效期截止日不能早于发证日期。',
  mode: '请选择首次认定或重新认定。',
} as const;

export interface HteInput {
  year: number | null;
  mode: string | null;
  number: string | null;
  appliedOn: string | null;
  publicizedOn: string | null;
  filedOn: string | null;
  issuedOn: string | null;
  validUntil: string | null;
}

export interface FirmFacts {
  foundedOn: string | null;
}

function checkDate(errors: Record<string, string>, field: string, value: string | null, firm: FirmFacts, today: string): void {
  if (value === null) return;
  if (!tryParseDate(value)) errors[field] = messages.date;
  else if (compareDates(value, today) > 0) errors[field] = messages.future;
  else if (firm.foundedOn && compareDates(value, firm.foundedOn) < 0) errors[field] = messages.beforeFounding(firm.foundedOn);
}

function checkYear(errors: Record<string, string>, year: number | null, min: number, max: number): void {
  if (year === null || !Number.isInteger(year)) errors.year = messages.year;
  else if (year < min || year > max) errors.year = messages.yearRange(min, max);
}

/**
 * An HTE row as typed. Field errors in Chinese; empty when it may be saved. A certificate (number +
 * issue date) must come together; the number's year is the issue year or the batch year (§1.2).
 */
export function checkHte(input: HteInput, firm: FirmFacts, today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const thisYear = Number(today.slice(0, 4));
  checkYear(errors, input.year, 2008, thisYear);
  if (input.mode !== 'first' && input.mode !== 'renewal') errors.mode = messages.mode;
  for (const f of ['appliedOn', 'publicizedOn', 'filedOn', 'issuedOn'] as const) checkDate(errors, f, input[f], firm, today);
  // 第十二条: 申报 → 公示 → 备案 → 证书, each on or after the one before.
  const steps = HTE_STEPS.filter((s) => input[s.key] !== null && !errors[s.key]);
  for (let i = 1; i < steps.length; i++) {
    if (compareDates(input[steps[i]!.key]!, input[steps[i - 1]!.key]!) < 0) errors[steps[i]!.key] = messages.stepOrder(steps[i - 1]!.label, steps[i]!.label);
  }
  if (input.number !== null || input.issuedOn !== null) {
    if (input.number === null || !HTE_NUMBER.test(input.number)) errors.number = messages.number;
    else if (input.issuedOn !== null && !errors.issuedOn) {
      const ny = hteNumberYear(input.number)!;
      const iy = Number(input.issuedOn.slice(0, 4));
      if (ny !== iy && ny !== input.year) errors.number = messages.numberYear(iy, ny);
    }
    if (input.issuedOn === null) errors.issuedOn = messages.date;
  }
  if (input.validUntil !== null) {
    if (!tryParseDate(input.validUntil)) errors.validUntil = messages.date;
    else if (input.issuedOn && !errors.issuedOn && compareDates(input.validUntil, input.issuedOn) < 0) errors.validUntil = messages.validUntil;
  }
  return errors;
}

export interface TsmeInput {
  year: number | null;
  number: string | null;
  issuedOn: string | null;
}

const TSME_NUMBER = /^[0-9A-Z]{8,30}$/;

/**
 * A national tech-SME registration (2017 办法 第十一条: the province assigns a 入库登记编号 per evaluation
 * year; status is annual, domain.md §3.5). Refused: a year before 2017 or after this one, a year the
 * firm did not exist, a registration date outside the evaluation year, a number whose leading year
 * is another evaluation year.
 */
export function checkTsme(input: TsmeInput, firm: FirmFacts, today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const thisYear = Number(today.slice(0, 4));
  checkYear(errors, input.year, FIRST_TSME_YEAR, thisYear);
  if (!errors.year && firm.foundedOn && input.year! < Number(firm.foundedOn.slice(0, 4))) errors.year = messages.tsmeYearFounded(firm.foundedOn);
  if (input.number === null) errors.number = messages.tsmeNumberRequired;
  else if (!TSME_NUMBER.test(input.number)) errors.number = messages.tsmeNumber;
  else if (!errors.year && /^20\d{2}/.test(input.number)) {
    const ny = Number(input.number.slice(0, 4));
    if (ny !== input.year) errors.number = messages.tsmeNumberYear(input.year!, ny);
  }
  checkDate(errors, 'issuedOn', input.issuedOn, firm, today);
  if (input.issuedOn && !errors.issuedOn && !errors.year && Number(input.issuedOn.slice(0, 4)) !== input.year) errors.issuedOn = messages.tsmeDateYear(input.year!);
  return errors;
}

/** 省级科技型中小企业 (§3.6 [S]): year, number if any, date if any. */
export function checkProvincial(input: TsmeInput, firm: FirmFacts, today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  checkYear(errors, input.year, 2002, Number(today.slice(0, 4))); // 浙科发高〔2002〕201号
  if (input.number !== null && !/^[0-9A-Za-z\-－]{4,40}$/.test(input.number)) errors.number = '编号为 4–40 位字母、数字或连字符。';
  checkDate(errors, 'issuedOn', input.issuedOn, firm, today);
  return errors;
}

/** 科技领军企业 / 科技小巨人 (§4.3): year and level. */
export function checkBenchmark(input: { year: number | null; level: string | null; issuedOn: string | null }, firm: FirmFacts, today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  checkYear(errors, input.year, 2000, Number(today.slice(0, 4)));
  if (!input.level || !(BENCHMARK_LEVELS as readonly string[]).includes(input.level)) errors.level = messages.level;
  checkDate(errors, 'issuedOn', input.issuedOn, firm, today);
  return errors;
}

export type DisplayStatus = 'pending' | 'failed' | 'registered' | 'valid' | 'expiry_year' | 'expired' | 'cancelled' | 'revoked' | 'lapsed';

export const DISPLAY_STATUS_LABELS: Record<DisplayStatus, string> = {
  pending: '申报中',
  failed: '未通过',
  registered: '已入库',
  valid: '有效',
  expiry_year: '期满当年 – 需重新认定',
  expired: '已过期',
  cancelled: '已取消',
  revoked: '已撤销',
  lapsed: '已过评价年度',
};

export interface StatusFacts {
  kind: CertKind;
  year: number;
  status: 'pending' | 'active' | 'failed' | 'revoked';
  issuedOn: string | null;
  validUntil: string | null;
  statusOn: string | null;
}

/**
 * A row's status on a date. HTE: valid → 期满当年 from 1 January of the year of the last valid day
 * (指引 四、3) → expired from 1 January after it; cancelled from status_on (第十九条). Tech-SME: valid
 * for its evaluation year only (§3.5), revoked under 第十四条.
 */
export function displayStatus(c: StatusFacts, on: string): DisplayStatus {
  if (c.status === 'pending') return 'pending';
  if (c.status === 'failed') return 'failed';
  if (c.kind === 'hte') {
    if (c.status === 'revoked' && (!c.statusOn || compareDates(c.statusOn, on) <= 0)) return 'cancelled';
    if (!c.issuedOn || !c.validUntil) return 'pending';
    const s = hteStatusOn({ validFrom: c.issuedOn, validUntil: c.validUntil, expiryYear: Number(c.validUntil.slice(0, 4)) }, on);
    if (s === 'not_yet') return 'pending';
    return s;
  }
  if (c.status === 'revoked' && (!c.statusOn || compareDates(c.statusOn, on) <= 0)) return 'revoked';
  if (c.kind === 'tsme') return Number(on.slice(0, 4)) > c.year ? 'lapsed' : 'registered';
  return 'registered';
}

/** HTE pending: the last step reached, in words. */
export function hteStepLabel(c: { appliedOn: string | null; publicizedOn: string | null; filedOn: string | null; issuedOn: string | null }): string {
  const reached = HTE_STEPS.filter((s) => c[s.key] !== null);
  return reached.length ? reached[reached.length - 1]!.label : '未申报';
}
