/**
 * 科技型中小企业评价 pre-check: 《科技型中小企业评价办法》(国科发政〔2017〕115号) 第六条 conditions
 * (一)–(五), with 第八条 direct confirmation replacing ONLY (五) — (一)–(四), including the size
 * limits, still apply. Rule set 'tsme-2017'.
 */
import { hteCertificateCalendar } from './calendar.js';
import { COMPLIANCE_LISTS, describeEvent, DISHONESTY_KINDS, INCIDENT_KINDS, listedDuring } from './compliance.js';
import { compareDates, tryParseDate } from './dates.js';
import { countRegister } from './ip-register.js';
import {
  compact, indexFigures, indexRd, indexStaff, inputYearsOf, joinNotes, overallStatus, readAll, readCount, readFlag, readMoney,
  readStaffExact, yearRange, yearsText, type Figures, type StaffYears,
} from './figures.js';
import { resolveTsmeOptions } from './options.js';
import { formatFraction, formatHundredths, formatWan, frac, sub } from './ratio.js';
import { ARTICLES } from './rule-sets.js';
import { estimateTsmeScore } from './tsme-score.js';
import type {
  ConditionResult, DirectRoute, FirmFacts, ResolvedTsmeOptions, ScoreEstimate, Status, TsmeOptions, Verdict,
} from './types.js';

const A = ARTICLES.tsme;

export interface TsmeCheckInput {
  evaluationYear: number;
  /** The date the evaluation is made (for "有效期内" of an HTE certificate). Default: 31 Dec of evaluationYear [U]. */
  evaluationDate?: string;
  options?: TsmeOptions;
}

// 第六条（二）"职工总数不超过500人、年销售收入不超过2亿元、资产总额不超过2亿元" (不超过 = inclusive)
export const TSME_MAX_STAFF_HUNDREDTHS = 500n * 100n;
export const TSME_MAX_SALES = 200_000_000n; // 2亿元
export const TSME_MAX_ASSETS = 200_000_000n; // 2亿元

export function checkTechSme(facts: FirmFacts, input: TsmeCheckInput): Verdict {
  const Y = input.evaluationYear;
  const options = resolveTsmeOptions(input.options);
  const dataYear = Y + options.dataYearOffset;
  const defaultDate = input.evaluationDate === undefined;
  const asOf = input.evaluationDate ?? `${Y}-12-31`;
  if (!tryParseDate(asOf)) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${asOf}`);
  const idx = indexFigures(facts.figures);

  // [U] which year's figures the evaluation uses; always labelled.
  const yearNote = `按${dataYear}年数据（解释：${options.dataYearOffset === -1 ? '默认取评价年度上一年' : `评价年度${options.dataYearOffset}年`}，可配置）`;
  const staffYears = indexStaff(facts);
  // 第七条3: with an IP register, the counts are derived item by item at the evaluation date.
  const register = facts.ipItems && facts.ipItems.length > 0 ? countRegister(facts.ipItems, asOf, 'tsme') : null;
  const score = estimateTsmeScore(idx, dataYear, staffYears, facts.tsmeRdOption ?? null, register, indexRd(facts));
  const directRoutes = [
    hteCertificateRoute(facts, asOf, defaultDate),
    ...fiveYearRoutes(idx, facts.registeredOn, Y, options),
    rdInstitutionRoute(idx, Y, dataYear),
  ].map(compact);
  const anyDirect = directRoutes.some((r) => r.status === 'pass');
  const route = anyDirect ? 'direct' : score.status === 'pass' ? 'score' : null;
  const fullScore: ScoreEstimate = { ...score, route, directRoutes };

  const conditions: ConditionResult[] = [
    {
      id: 'tsme.resident',
      label: '境内注册的居民企业',
      article: A.resident,
      status: 'review' as const,
      note: '须核实：在中国境内（不含港澳台）注册的居民企业，会计核算健全、实行查账征收、能准确归集研发费用（登记信息核验）',
    },
    ...sizeConditions(idx, staffYears, dataYear, yearNote),
    {
      id: 'tsme.industry',
      label: '不属于禁止、限制和淘汰类',
      article: A.industry,
      status: 'review' as const,
      note: '须核实：产品和服务不属于国家规定的禁止、限制和淘汰类，所在行业不属于不适用研发费用加计扣除的行业',
    },
    ...integrityConditions(idx, facts, Y, asOf),
    scoreCondition(fullScore, dataYear, yearNote),
  ].map(compact);

  return {
    ruleSet: 'tsme-2017',
    asOf,
    inputYears: inputYearsOf(conditions),
    status: overallStatus(conditions.map((c) => c.status)),
    conditions,
    score: fullScore,
    options,
  };
}

// （二）size limits, each its own condition; figures of the data year (evaluationYear − 1 by default [U]).
function sizeConditions(idx: Figures, staffYears: StaffYears, year: number, yearNote: string): ConditionResult[] {
  const common = { article: A.size, inputYears: [year], interpretation: true, note: yearNote };
  const staffRead = readStaffExact(idx, staffYears, year, 'staffTotal');
  let staffResult: ConditionResult;
  if (!staffRead.ok) {
    staffResult = { id: 'tsme.size.staff', label: '职工总数', ...common, threshold: '≤ 500人', status: 'missing', note: joinNotes(staffRead.note, yearNote) };
  } else {
    const s = staffRead.value.value;
    const shown = `${s.den === 100n ? formatHundredths(s.num) : formatFraction(s, 4)} 人（${year}年月平均${staffRead.value.monthly ? '，按月度人数精确计算' : ''}）`;
    const over = sub(s, frac(TSME_MAX_STAFF_HUNDREDTHS, 100n));
    staffResult = over.num <= 0n // 《科技型中小企业评价办法》第六条（二）职工总数不超过500人 (exact)
      ? { id: 'tsme.size.staff', label: '职工总数', ...common, threshold: '≤ 500人', status: 'pass', value: shown }
      : {
          id: 'tsme.size.staff', label: '职工总数', ...common, threshold: '≤ 500人', status: 'fail', value: shown,
          gap: `超出上限 ${formatFraction(over, 2)} 人`,
          gapAmount: Number(over.num) / Number(over.den),
        };
  }
  const money = (id: string, label: string, key: 'salesRevenue' | 'totalAssets', max: bigint): ConditionResult => {
    const read = readMoney(idx, year, key);
    const head = { id, label, ...common, threshold: '≤ 2亿元' };
    if (!read.ok) return { ...head, status: 'missing', note: joinNotes(read.note, yearNote) };
    const value = `${formatWan(read.value)}（${year}年）`;
    // 《科技型中小企业评价办法》第六条（二）"不超过2亿元"
    if (read.value <= max) return { ...head, status: 'pass', value };
    return { ...head, status: 'fail', value, gap: `超出上限 ${formatWan(read.value - max, 'ceil')}`, gapAmount: Number(read.value - max) };
  };
  return [
    staffResult,
    money('tsme.size.sales', '年销售收入', 'salesRevenue', TSME_MAX_SALES),
    money('tsme.size.assets', '资产总额', 'totalAssets', TSME_MAX_ASSETS),
  ];
}

// （四）"在填报上一年及当年内未发生重大安全、重大质量事故和严重环境违法、科研严重失信行为，且企业未列入
// 经营异常名录和严重违法失信企业名单" — calendar years Y−1 and Y (up to the evaluation date). From the dated
// register when the firm has one (compliance.ts); otherwise the yearly flags: true → fail, null → missing.
function integrityConditions(idx: Figures, facts: FirmFacts, Y: number, asOf: string): ConditionResult[] {
  const years = [Y - 1, Y];
  const from = `${Y - 1}-01-01`;
  const c = facts.compliance ?? null;
  const events = (c?.events ?? []).filter((e) => e.date >= from && e.date <= asOf);
  const checked = c?.checkedOn ? `按 ${c.checkedOn} 核查的记录` : undefined;
  const head = { article: A.integrity, inputYears: years };

  const major = events.filter((e) => INCIDENT_KINDS.includes(e.kind));
  const unclassified = events.filter((e) => e.kind === 'other_penalty');
  let incident: ConditionResult;
  if (major.length > 0) {
    incident = { id: 'tsme.integrity.incident', label: '无重大安全、质量事故或严重环境违法', ...head, threshold: '上一年及当年未发生', status: 'fail', value: major.map(describeEvent).join('；') };
  } else if (unclassified.length > 0) {
    incident = {
      id: 'tsme.integrity.incident', label: '无重大安全、质量事故或严重环境违法', ...head, threshold: '上一年及当年未发生', status: 'review',
      value: unclassified.map(describeEvent).join('；'), note: '上一年及当年有未分类的行政处罚：须查阅处罚决定，判断是否属重大事故、严重环境违法或科研严重失信',
    };
  } else if (checked) {
    incident = { id: 'tsme.integrity.incident', label: '无重大安全、质量事故或严重环境违法', ...head, threshold: '上一年及当年未发生', status: 'pass', value: `${Y - 1}、${Y}年无记录`, note: checked };
  } else {
    const reads = years.map((y) => ({ y, r: readFlag(idx, y, 'majorIncident') }));
    const hit = reads.filter(({ r }) => r.ok && r.value).map(({ y }) => y);
    const all = readAll(reads.map(({ r }) => r));
    incident = {
      id: 'tsme.integrity.incident',
      label: '无重大安全、质量事故或严重环境违法',
      ...head,
      threshold: '上一年及当年未发生',
      ...(hit.length > 0
        ? { status: 'fail' as const, value: `${hit.join('、')}年发生` }
        : all.ok
          ? { status: 'pass' as const, value: `${Y - 1}、${Y}年均未发生`, note: '按年度标记判断' }
          : { status: 'missing' as const, note: all.note }),
    };
  }

  const dishonest = events.filter((e) => DISHONESTY_KINDS.includes(e.kind));
  const dishonesty: ConditionResult = dishonest.length > 0
    ? { id: 'tsme.integrity.dishonesty', label: '无科研严重失信、严重弄虚作假', ...head, status: 'fail', value: dishonest.map(describeEvent).join('；') }
    : checked
      ? { id: 'tsme.integrity.dishonesty', label: '无科研严重失信、严重弄虚作假', ...head, status: 'pass', value: `${Y - 1}、${Y}年无记录`, note: checked }
      : flag('tsme.integrity.dishonesty', '无科研严重失信、严重弄虚作假', facts.seriousDishonesty, '未录入科研严重失信／严重弄虚作假情况（录入处罚记录并填写核查日期）');

  const listed = (c?.listings ?? []).filter((l) => listedDuring(l, from, asOf));
  const abnormal: ConditionResult = listed.length > 0
    ? {
        id: 'tsme.integrity.abnormal_list', label: '未列入经营异常名录和严重违法失信名单', ...head, status: 'fail',
        value: listed.map((l) => `${COMPLIANCE_LISTS[l.list]} ${l.listedOn} 列入${l.removedOn ? `，${l.removedOn} 移出` : '，未移出'}`).join('；'),
        note: `上一年及当年（${from} 至 ${asOf}）内曾在名单上`,
      }
    : checked
      ? { id: 'tsme.integrity.abnormal_list', label: '未列入经营异常名录和严重违法失信名单', ...head, status: 'pass', value: `${from} 至 ${asOf} 未列入`, note: checked }
      : flag('tsme.integrity.abnormal_list', '未列入经营异常名录和严重违法失信名单', facts.listedAbnormal, '未录入经营异常名录／严重违法失信名单情况（录入名单记录并填写核查日期）');
  return [incident, dishonesty, abnormal];
}

function flag(id: string, label: string, v: boolean | null | undefined, missingNote: string): ConditionResult {
  return {
    id,
    label,
    article: A.integrity,
    ...(v === true ? { status: 'fail' as const, value: '是' } : v === false ? { status: 'pass' as const, value: '否' } : { status: 'missing' as const, note: missingNote }),
  };
}

// 第八条（一）"企业拥有有效期内高新技术企业资格证书"
function hteCertificateRoute(facts: FirmFacts, asOf: string, defaultDate: boolean): DirectRoute {
  const head = { id: 'hte_certificate' as const, label: '拥有有效期内高新技术企业证书', article: `${A.direct}（一）` };
  const cert = facts.hteCertificate;
  if (!cert) return { ...head, status: 'fail', note: '未持有高新技术企业证书' };
  if (!tryParseDate(cert.issuedOn) || (cert.validUntil && !tryParseDate(cert.validUntil))) {
    return { ...head, status: 'missing', note: '证书日期格式错误' };
  }
  const validUntil = cert.validUntil ?? hteCertificateCalendar(cert.issuedOn).validUntil;
  const computed = !cert.validUntil;
  const valid = compareDates(cert.issuedOn, asOf) <= 0 && compareDates(asOf, validUntil) <= 0;
  return {
    ...head,
    status: valid ? 'pass' : 'fail',
    note: joinNotes(
      `证书 ${cert.issuedOn} 颁发，有效期至 ${validUntil}${computed ? '（按三年推算，解释）' : ''}；评价日 ${asOf}${valid ? ' 在有效期内' : ' 不在有效期内'}`,
      defaultDate && '未提供评价日期，按评价年度12月31日判断（解释）',
    ),
    interpretation: computed || defaultDate,
  };
}

// 第八条（二）"近五年内获得过国家级科技奖励，并在获奖单位中排在前三名";
// 第八条（四）"近五年内主导制定过国际标准、国家标准或行业标准" (第九条（六）: 起草单位前五名).
function fiveYearRoutes(idx: Figures, registeredOn: string | null, Y: number, options: ResolvedTsmeOptions): DirectRoute[] {
  const registered = registeredOn ? tryParseDate(registeredOn) : null;
  // Years before registration cannot hold an award or a standard: skip them.
  const years = yearRange(Y + options.recentYears.from, Y + options.recentYears.to).filter((y) => !registered || y >= registered.y);
  const windowNote = `"近五年内"按 ${yearsText(years)} 判断（解释，可配置）`;
  const route = (
    id: 'national_award' | 'standard_led',
    label: string,
    article: string,
    reads: { y: number; ok: boolean; met: boolean; note?: string }[],
  ): DirectRoute => {
    const met = reads.filter((r) => r.met).map((r) => r.y);
    const head = { id, label, article, interpretation: true, inputYears: years };
    if (met.length > 0) return { ...head, status: 'pass', note: joinNotes(`${met.join('、')}年`, windowNote) };
    const missing = reads.filter((r) => !r.ok).map((r) => r.note);
    if (missing.length > 0) return { ...head, status: 'missing', note: joinNotes(missing.join('；'), windowNote) };
    return { ...head, status: 'fail', note: windowNote };
  };
  const awards = years.map((y) => {
    const r = readFlag(idx, y, 'nationalAwardTop3');
    return r.ok ? { y, ok: true, met: r.value } : { y, ok: false, met: false, note: r.note };
  });
  const standards = years.map((y) => {
    const r = readCount(idx, y, 'standardsLed');
    return r.ok ? { y, ok: true, met: r.value > 0n } : { y, ok: false, met: false, note: r.note };
  });
  return [
    route('national_award', '近五年获国家级科技奖励（获奖单位前三名）', `${A.direct}（二）`, awards),
    route('standard_led', '近五年主导制定国际、国家或行业标准', `${A.direct}（四）；第九条（六）`, standards),
  ];
}

// 第八条（三）"企业拥有经认定的省部级以上研发机构" — current holding: the latest entered of Y, data year.
function rdInstitutionRoute(idx: Figures, Y: number, dataYear: number): DirectRoute {
  const head = { id: 'rd_institution' as const, label: '拥有经认定的省部级以上研发机构', article: `${A.direct}（三）；第九条（七）` };
  const years = [...new Set([Y, dataYear])].sort((a, b) => b - a);
  for (const y of years) {
    const r = readFlag(idx, y, 'hasRdInstitution');
    if (r.ok) return { ...head, status: r.value ? 'pass' : 'fail', note: `按${y}年记录`, inputYears: [y] };
  }
  return { ...head, status: 'missing', note: `缺少${years.join('、')}年省部级以上研发机构情况`, inputYears: years };
}

// （五）"综合评价所得分值不低于60分，且科技人员指标得分不得为0分", or 第八条 direct confirmation.
function scoreCondition(score: ScoreEstimate, dataYear: number, yearNote: string): ConditionResult {
  const routes = score.directRoutes ?? [];
  const met = routes.filter((r) => r.status === 'pass');
  const unknown = routes.filter((r) => r.status === 'missing');
  const [min, max] = score.total;
  const scoreText = min === max ? `${min} 分` : `${min}–${max} 分`;
  const staff = score.indicators.find((i) => i.id === 'tsme.score.staff');
  const routeYears = routes.flatMap((r) => r.inputYears ?? []);
  const head = {
    id: 'tsme.score',
    label: '评价得分或直接确认',
    threshold: '≥ 60分且科技人员指标不为0分；或符合第八条任一直接确认条件',
    inputYears: [...new Set([dataYear, ...routeYears])].sort((a, b) => a - b),
  };
  if (met.length > 0) {
    return {
      ...head,
      article: `${A.score}；${A.direct}`,
      status: 'pass',
      value: `直接确认：${met.map((r) => r.label).join('；')}（评分 ${scoreText}，仅供参考）`,
      note: '第八条直接确认仅替代第六条（五），第六条（一）～（四）（含规模上限）仍须满足',
      interpretation: met.every((r) => r.interpretation === true),
    };
  }
  const value = `评分 ${scoreText}（科技人员 ${staff ? rangeText(staff.points) : '?'}）`;
  let status: Status = score.status;
  const notes: (string | undefined)[] = [yearNote];
  if (status === 'fail') {
    if (staff && staff.points[1] === 0) notes.push('科技人员指标得分为0分，不符合第六条（五）');
    if (unknown.length > 0) {
      // A direct route might still apply: never 'fail' on data that was not entered.
      status = 'missing';
      notes.push(`评分未达要求，但直接确认条件缺少数据：${unknown.map((r) => r.label).join('；')}`);
    }
  } else if (status === 'missing' || status === 'review') {
    const missingItems = score.indicators.flatMap((i) => i.items).filter((i) => i.status !== 'computed' && i.selected !== false);
    if (missingItems.length > 0) notes.push(`待补充或复核：${missingItems.map((i) => i.label).join('、')}`);
  }
  const gap = status === 'fail' ? scoreGap(score) : undefined;
  return {
    ...head,
    article: A.score,
    status,
    value,
    ...(gap ? { gap: gap.text, gapAmount: gap.amount } : {}),
    note: joinNotes(...notes),
    interpretation: true,
  };
}

function rangeText([lo, hi]: [number, number]): string {
  return lo === hi ? `${lo} 分` : `${lo}–${hi} 分`;
}

function scoreGap(score: ScoreEstimate): { text: string; amount: number } | undefined {
  const staff = score.indicators.find((i) => i.id === 'tsme.score.staff');
  const max = score.total[1];
  const parts: string[] = [];
  if (staff && staff.points[1] === 0) parts.push('科技人员占职工总数比例需达到10%（含）以上');
  if (max < 60) parts.push(`总分还差 ${60 - max} 分`);
  return parts.length > 0 ? { text: parts.join('；'), amount: Math.max(0, 60 - max) } : undefined;
}
