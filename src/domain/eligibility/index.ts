/**
 * Eligibility rules for 高新技术企业认定 (rule set 'hte-2016') and 科技型中小企业评价 ('tsme-2017'),
 * plus the HTE certificate calendar. Pure functions: no I/O, no clock — dates are passed in.
 */
export type {
  Band, ConditionResult, DirectRoute, DirectRouteId, FirmFacts, HteOptions, PointRange, ResolvedHteOptions,
  ResolvedTsmeOptions, RuleSetId, ScoreEstimate, ScoreIndicator, ScoreItem, ScoreItemStatus, Status, TsmeOptions,
  TsmeRdOption, Verdict, YearFigures,
} from './types.js';
export { RULE_SETS, ARTICLES, type RuleSetInfo } from './rule-sets.js';
export { DEFAULT_HTE_OPTIONS, DEFAULT_TSME_OPTIONS, OPTION_NOTES, resolveHteOptions, resolveTsmeOptions } from './options.js';
export { checkHighTech, hteRdThreshold, type HteCheckInput } from './hte.js';
export { hteInnovationStatus, HTE_PASS_LINE } from './innovation.js';
export { assessGrowth, growthBand, type GrowthAssessment } from './growth.js';
export { checkTechSme, type TsmeCheckInput } from './tsme.js';
export { TSME_PASS_LINE, tsmeScoreStatus } from './tsme-score.js';
export {
  changeReportDueOn, hteCertificateCalendar, hteStatusOn, missedAnnualReports,
  type AnnualReportCheck, type AnnualReportDeadline, type HteCertificateCalendar, type HteCertificateStatus,
  type ReportSubmission,
} from './calendar.js';
export { overallStatus } from './figures.js';
export { formatPercent, formatWan, yuanToWan, pct, ratioAtLeast, type Fraction } from './ratio.js';
