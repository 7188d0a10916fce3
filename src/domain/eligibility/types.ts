/**
 * Shapes shared by the eligibility rules (高新技术企业认定 / 科技型中小企业评价).
 * Inputs are filled by the database layer; outputs are rendered by the UI.
 *
 * Units: money is integer 元 (may be negative for net assets); staff counts are
 * annual monthly averages with at most 2 decimals; null = not entered.
 */

import type { ComplianceRecord } from './compliance.js';
import type { IpItem } from './ip-register.js';
import type { RdStructureInput } from './rd-structure.js';
import type { StaffMonthsInput } from './staff.js';

export interface YearFigures {
  year: number;
  salesRevenue: number | null; // 销售收入 = 主营业务收入 + 其他业务收入 (元)
  totalIncome: number | null; // 收入总额 (元)
  nonTaxableIncome: number | null; // 不征税收入 (元)
  hitechIncome: number | null; // 高新技术产品（服务）收入 (元)
  totalCost: number | null; // 成本费用支出总额 (元) — tech-SME R&D option (2)
  rdExpense: number | null; // 研发费用总额, HTE basis (指引 三(六), outsourced already at 80%) (元)
  rdDomestic: number | null; // 其中 境内研发费用 (元)
  rdOutsourced: number | null; // 其中 委托外部研发费用 actual amount (元), informational
  rdDeductible: number | null; // 研发费用, 加计扣除 (财税〔2015〕119号) basis, used by tech-SME (元)
  staffTotal: number | null; // 职工总数 (annual monthly average)
  techStaff: number | null; // 科技人员数 (annual monthly average)
  totalAssets: number | null; // 资产总额 at year end (元)
  netAssets: number | null; // 净资产 at year end (元), may be negative
  ipClass1: number | null; // valid Class I IP count at year end
  ipClass2: number | null; // valid Class II IP count (实用新型、外观设计、软件著作权)
  ipClass2Used: number | null; // of ipClass2, already used in an earlier HTE application
  conversions: number | null; // 科技成果转化 count in this year
  majorIncident: boolean | null; // 重大安全、重大质量事故或严重环境违法 in this year
  standardsLed: number | null; // standards the firm led/drafted (top-5 drafter) in this year
  hasRdInstitution: boolean | null; // holds a 省部级以上研发机构
  nationalAwardTop3: boolean | null; // national S&T award, top-3 unit, this year
}

export interface FirmFacts {
  registeredOn: string | null; // 'YYYY-MM-DD' 注册成立日期
  field: string | null; // tech field key or null (fit is expert judgement)
  figures: YearFigures[]; // any years, any order; looked up by year
  /** Currently held HTE certificate. null/undefined = the firm holds none. */
  hteCertificate?: { issuedOn: string; validUntil?: string | null } | null;
  listedAbnormal?: boolean | null; // 经营异常名录 / 严重违法失信名单
  seriousDishonesty?: boolean | null; // 科研严重失信 / 严重弄虚作假
  /** Staff by month per year (指引 三（五）); where present it replaces the typed annual averages. */
  staffMonths?: StaffMonthsInput[];
  /** Dated penalties, incidents and list entries; where present they replace the yearly flags. */
  compliance?: ComplianceRecord | null;
  /**
   * Tech-SME 研发投入: the option the firm chose (《科技型中小企业评价办法》第七条2 "企业从(1)、(2)两项指标中选择一个指标
   * 进行评分"): 'sales' = (1) 研发费用/销售收入, 'cost' = (2) 研发费用/成本费用支出; null = not chosen (the higher is pre-selected).
   */
  tsmeRdOption?: TsmeRdOption | null;
  /** The IP register, one row per item; where it has items the yearly IP counts are only a fallback. */
  ipItems?: IpItem[];
  /** R&D expense structure per year (actual amounts of the eight categories); where present it replaces the typed totals. */
  rdStructures?: RdStructureInput[];
}

export type TsmeRdOption = 'sales' | 'cost';

export type Status = 'pass' | 'fail' | 'review' | 'missing';

export interface ConditionResult {
  id: string; // stable, e.g. 'hte.rd_ratio'
  label: string; // Chinese, short
  article: string; // citation of the rule
  status: Status;
  value?: string; // the firm's number, human Chinese text
  threshold?: string;
  gap?: string; // coaching text; absent when pass
  gapAmount?: number; // 元 for money, persons for staff, days for waiting time
  note?: string;
  interpretation?: boolean; // true when the result depends on a [U] interpretation
  inputYears?: number[];
}

export type RuleSetId = 'hte-2016' | 'tsme-2017';

export type Band = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

/** Integer points, inclusive: [min, max]. */
export type PointRange = [number, number];

/**
 * How a score item was obtained:
 * - 'computed': band derived from the figures (points inside the band are still the experts' call);
 * - 'expert': expert-only judgement, shown as the full possible range;
 * - 'review': derived from the figures but a person must decide (text silent, data odd);
 * - 'missing': figures not entered, shown as the full possible range.
 */
export type ScoreItemStatus = 'computed' | 'expert' | 'review' | 'missing';

export interface ScoreItem {
  id: string;
  label: string;
  article: string;
  max: number;
  basis: 'computed' | 'expert';
  status: ScoreItemStatus;
  band: Band | null;
  points: PointRange;
  value?: string;
  note?: string;
  interpretation?: boolean;
  /** Tech-SME 研发投入: the option used for the total (the higher one). */
  selected?: boolean;
  inputYears?: number[];
}

export interface ScoreIndicator {
  id: string;
  label: string;
  max: number;
  points: PointRange;
  items: ScoreItem[];
  note?: string;
}

export type DirectRouteId = 'hte_certificate' | 'national_award' | 'rd_institution' | 'standard_led';

/** Tech-SME 第八条 direct confirmation routes. status: 'pass' met, 'fail' not met, 'missing' unknown. */
export interface DirectRoute {
  id: DirectRouteId;
  label: string;
  article: string;
  status: 'pass' | 'fail' | 'missing';
  note?: string;
  interpretation?: boolean;
  inputYears?: number[];
}

export interface ScoreEstimate {
  scheme: 'hte-innovation-2016' | 'tsme-score-2017';
  indicators: ScoreIndicator[];
  total: PointRange;
  passLine: string;
  /** Verdict of the score alone (HTE: 第十一条（七）; tech-SME: score route of 第六条（五）). */
  status: Status;
  note?: string;
  /** Tech-SME only: which route satisfied 第六条（五）, or null if none did (yet). */
  route?: 'score' | 'direct' | null;
  directRoutes?: DirectRoute[];
}

export interface Verdict {
  ruleSet: RuleSetId;
  asOf: string; // the apply/evaluation date used
  inputYears: number[]; // the figure years the verdict used
  status: Status; // fail > missing > review > pass; never 'pass' with review/missing
  conditions: ConditionResult[];
  score?: ScoreEstimate;
  /** The resolved options (defaults filled in), so the verdict can be reproduced. */
  options?: ResolvedHteOptions | ResolvedTsmeOptions;
}

// ---------------------------------------------------------------------------
// Options: every [U] interpretation is switchable; defaults in options.ts.
// ---------------------------------------------------------------------------

export interface HteOptions {
  /**
   * [U] Which year-end IP counts stand for "IP held at application".
   * 'latestFiscalYear' (default): year Y−1. 'applicationYearIfPresent': the year-Y row when it has counts.
   */
  ipCountYear?: 'latestFiscalYear' | 'applicationYearIfPresent';
  /** [U] Conversions average for firms operating < 3 years: divide by the years operated (default) or by 3. */
  conversionsDivisor?: 'yearsOperated' | 'three';
  /** [U] Conversions average strictly between 0 and 1 (text silent): 'review' (default, 0–6), 'F' (0), 'E' (1–6). */
  conversionsBelowOne?: 'review' | 'F' | 'E';
  /** [U] "第一年末…为0的，按后两年计算": 'lastTwoYears' = y3/y2 − 1 (default) or 'review'. */
  growthFirstYearZero?: 'lastTwoYears' | 'review';
  /** [U] Negative net assets (or sales) in year 1 or 2: 'review' (default) or 'compute' with the formula anyway. */
  growthNegativeBase?: 'review' | 'compute';
  /** [U] Band D at exactly 5%: 'mainTable' (≥5%, default) or 'annex4' (＞5%). */
  growthFivePercent?: 'mainTable' | 'annex4';
  /** [U] Firms with only two operated years: 'lastTwoYears' = y2/y1 − 1 (default) or 'review'. */
  growthShortHistory?: 'lastTwoYears' | 'review';
  /** [U] Which years' standardsLed count for the 知识产权 bonus: 'upToApplicationYear' (default, any year ≤ Y) or 'threeYears' (Y−3..Y−1). */
  standardsBonusYears?: 'upToApplicationYear' | 'threeYears';
}
export type ResolvedHteOptions = Required<HteOptions>;

export interface TsmeOptions {
  /** [U] Figures year = evaluationYear + dataYearOffset. Default −1 (the 信息表 reports the previous year). */
  dataYearOffset?: number;
  /** [U] "近五年内" as calendar years evaluationYear+from .. evaluationYear+to. Default { from: −4, to: 0 }. */
  recentYears?: { from: number; to: number };
}
export type ResolvedTsmeOptions = { dataYearOffset: number; recentYears: { from: number; to: number } };
