/**
 * 高新技术企业认定 pre-check: the eight conditions of 《高新技术企业认定管理办法》第十一条 (国科发火〔2016〕32号)
 * with the definitions of 《高新技术企业认定管理工作指引》(国科发火〔2016〕195号). Rule set 'hte-2016'.
 *
 * Every ratio is compared exactly (BigInt cross-multiplication); a value exactly on a "不低于" threshold passes.
 */
import { type ComplianceRecord, describeEvent, INCIDENT_KINDS, withinHteWindow } from './compliance.js';
import { addDays, daysBetween, parseDate, tryParseDate } from './dates.js';
import {
  compact, indexFigures, indexRd, indexStaff, inputYearsOf, joinNotes, overallStatus, readAll, readFlag, readMoney, readRdExact, readStaffExact, sum, yearsText,
  type Figures, type RdYears, type StaffYears,
} from './figures.js';
import { estimateHteInnovation } from './innovation.js';
import { hteIpHoldings, ipCountYear } from './ip.js';
import { countRegister, type IpRegisterCounts, registerSummary } from './ip-register.js';
import { resolveHteOptions } from './options.js';
import { htePeriod, type HtePeriod } from './period.js';
import {
  add as addF, atLeast, ceilDiv, compare, decimal, floorDiv, formatFraction, formatPercent, formatWan, frac, pct, ratioAtLeast, sub, yuanToWan, type Fraction,
} from './ratio.js';
import { ARTICLES } from './rule-sets.js';
import type { ConditionResult, FirmFacts, HteOptions, ResolvedHteOptions, ScoreEstimate, Verdict } from './types.js';

const A = ARTICLES.hte;

export interface HteCheckInput {
  applyDate: string; // 'YYYY-MM-DD'
  options?: HteOptions;
}

// 第十一条（五） bands, 元. "5,000万元（含）" and "2亿元（含）" are inclusive upper bounds.
export const SALES_BAND_1_MAX = 50_000_000n; // 5000万元
export const SALES_BAND_2_MAX = 200_000_000n; // 2亿元

/** The R&D-ratio threshold set by the LATEST year's sales (《高新技术企业认定管理办法》第十一条（五）1–3). */
export function hteRdThreshold(latestSales: bigint): { rate: Fraction; text: string } {
  if (latestSales <= SALES_BAND_1_MAX) return { rate: pct(5), text: '≥ 5%（最近一年销售收入 ≤ 5000万元）' };
  if (latestSales <= SALES_BAND_2_MAX) return { rate: pct(4), text: '≥ 4%（最近一年销售收入 > 5000万元且 ≤ 2亿元）' };
  return { rate: pct(3), text: '≥ 3%（最近一年销售收入 > 2亿元）' };
}

export function checkHighTech(facts: FirmFacts, input: HteCheckInput): Verdict {
  const applyDate = input.applyDate;
  const Y = parseDate(applyDate).y;
  const options = resolveHteOptions(input.options);
  const idx = indexFigures(facts.figures);
  const staff = indexStaff(facts);
  const period = htePeriod(facts.registeredOn, Y);
  const ipYear = ipCountYear(idx, Y, options.ipCountYear);
  // 指引 三（二）: with an IP register, the counts are derived item by item at the application date.
  const register = facts.ipItems && facts.ipItems.length > 0 ? countRegister(facts.ipItems, applyDate, 'hte') : null;
  const score = estimateHteInnovation(idx, period, ipYear, options, register);

  const conditions: ConditionResult[] = [
    registrationAge(facts.registeredOn, applyDate),
    register ? intellectualPropertyFromRegister(register) : intellectualProperty(idx, ipYear, options),
    technologyField(facts.field),
    techStaff(idx, staff, period),
    ...rdExpenses(idx, indexRd(facts), period),
    hitechIncome(idx, period),
    innovation(score, period, ipYear),
    noMajorIncident(idx, Y, facts.compliance, applyDate),
  ].map(compact);

  return {
    ruleSet: 'hte-2016',
    asOf: applyDate,
    inputYears: inputYearsOf(conditions),
    status: overallStatus(conditions.map((c) => c.status)),
    conditions,
    score,
    options,
  };
}

// （一）"企业申请认定时须注册成立一年以上"; 指引 三（一）"须注册成立365个日历天数以上" (以上 includes 本数).
function registrationAge(registeredOn: string | null, applyDate: string): ConditionResult {
  const head = { id: 'hte.registered_1y', label: '注册成立一年以上', article: A.age, threshold: '≥ 365个日历天' };
  if (!registeredOn) return { ...head, status: 'missing', note: '缺少注册成立日期' };
  if (!tryParseDate(registeredOn)) return { ...head, status: 'missing', note: `注册成立日期格式错误：${registeredOn}` };
  const days = daysBetween(registeredOn, applyDate); // 《高新技术企业认定管理办法》第十一条（一）
  const value = `已注册 ${days} 天（${registeredOn} 成立）`;
  if (days >= 365) return { ...head, status: 'pass', value };
  const wait = 365 - days;
  return { ...head, status: 'fail', value, gap: `还需等待 ${wait} 天（最早 ${addDays(registeredOn, 365)} 可申报）`, gapAmount: wait };
}

// （二）owns IP that supports the main products; 指引 三（二）2 "不具备知识产权的企业不能认定为高新技术企业".
function intellectualProperty(idx: Figures, ipYear: number, options: ResolvedHteOptions): ConditionResult {
  const head = {
    id: 'hte.ip',
    label: '拥有核心知识产权',
    article: A.ip,
    threshold: '≥ 1项有效知识产权（Ⅰ类，或未曾使用的Ⅱ类）',
    inputYears: [ipYear],
    interpretation: true,
  };
  const yearNote = `以${ipYear}年末有效知识产权数量代表申请时状态（解释，可配置：${options.ipCountYear === 'latestFiscalYear' ? '申报前一年末' : '申报年已录入时用申报年'}）`;
  const coreNote = '是否对主要产品（服务）在技术上发挥核心支持作用须专家评审';
  const h = hteIpHoldings(idx, ipYear);
  switch (h.kind) {
    case 'unknown':
      return { ...head, status: 'missing', note: joinNotes(h.note, yearNote) };
    case 'inconsistent':
      return { ...head, status: 'review', value: h.value, note: joinNotes(h.note, yearNote) };
    case 'hasIpPartly':
      return { ...head, status: 'review', value: h.value, note: joinNotes(coreNote, h.note, yearNote) };
    case 'known': {
      if (h.class1 > 0n || h.unusedClass2 > 0n) return { ...head, status: 'review', value: h.value, note: joinNotes(coreNote, yearNote) };
      const allUsed = h.class2 > 0n ? 'Ⅱ类知识产权均已在以往申报中使用（指引 三（二）4：仅限使用一次）' : undefined;
      return {
        ...head,
        status: 'fail',
        value: h.value,
        gap: '还需取得至少 1 项有效知识产权（Ⅰ类，或未曾使用的Ⅱ类）',
        gapAmount: 1,
        note: joinNotes(allUsed, yearNote),
      };
    }
  }
}

// （二） from the register: 指引 三（二）1–6 applied to each item (ip-register.ts), each item's verdict in the note.
function intellectualPropertyFromRegister(r: IpRegisterCounts): ConditionResult {
  const head = { id: 'hte.ip', label: '拥有核心知识产权', article: A.ip, threshold: '≥ 1项有效知识产权（Ⅰ类，或未曾使用的Ⅱ类）' };
  const value = `按知识产权清单（截至 ${r.refDate}）：Ⅰ类 ${r.class1} 项；Ⅱ类可用 ${r.class2} 项${r.class2UsedBefore ? `（另有 ${r.class2UsedBefore} 项已在以往申报中使用）` : ''}`;
  const items = registerSummary(r);
  if (r.class1 > 0 || r.class2 > 0) return { ...head, status: 'review', value, note: joinNotes('是否对主要产品（服务）在技术上发挥核心支持作用须专家评审', items) };
  return { ...head, status: 'fail', value, gap: '还需取得至少 1 项有效知识产权（Ⅰ类，或未曾使用的Ⅱ类）', gapAmount: 1, note: items };
}

// （三）core technology within 《国家重点支持的高新技术领域》: expert judgement.
function technologyField(field: string | null): ConditionResult {
  const head = { id: 'hte.field', label: '属于国家重点支持的高新技术领域', article: A.field };
  if (!field) return { ...head, status: 'missing', note: '未选择技术领域' };
  return { ...head, status: 'review', value: field, note: '核心技术是否属于所选领域须专家判断' };
}

// （四）"科技人员占企业当年职工总数的比例不低于10%"; 当年 = Y−1; both as annual monthly averages (指引 三（五）),
// exact fractions when the monthly counts are entered — never compared after rounding.
function techStaff(idx: Figures, staff: StaffYears, period: HtePeriod): ConditionResult {
  const year = period.latestYear;
  const head = { id: 'hte.tech_staff', label: '科技人员占比', article: A.techStaff, threshold: '≥ 10%（当年职工总数）', inputYears: [year] };
  const read = readAll([readStaffExact(idx, staff, year, 'techStaff'), readStaffExact(idx, staff, year, 'staffTotal')]);
  if (!read.ok) return { ...head, status: 'missing', note: read.note };
  const [techRead, totalRead] = read.value as [{ value: Fraction; monthly: boolean }, { value: Fraction; monthly: boolean }];
  const monthly = techRead.monthly && totalRead.monthly;
  const source = monthly ? staff.get(year)!.source : `${year}年月平均（录入的年度数）`;
  const tech = techRead.value;
  const total = totalRead.value;
  if (total.num === 0n) return { ...head, status: 'fail', value: '职工总数为0', gap: '需有科技人员且占职工总数不低于10%', note: `${year}年职工总数为0` };
  const ratio = frac(tech.num * total.den, total.num * tech.den);
  const value = `${formatPercent(ratio, monthly ? 4 : 2)}（科技人员 ${formatStaff(tech)} / 职工 ${formatStaff(total)} 人，${source}）`;
  if (compare(tech, total) > 0) return { ...head, status: 'review', value, note: '科技人员数大于职工总数，请核对数据' };
  // 《高新技术企业认定管理办法》第十一条（四）: tech/total ≥ 10%, exactly (cross-multiplied fractions)
  if (atLeast(ratio, pct(10))) return { ...head, status: 'pass', value };
  // Coaching number: new tech staff raise both numerator and denominator, so we need the smallest x with
  // (tech + x) / (total + x) ≥ 10%  ⇔  x ≥ (total − 10·tech) / 9. Rounded up to whole full-year persons.
  const short = sub(total, frac(10n * tech.num, tech.den));
  const persons = ceilDiv(short.num, 9n * short.den);
  return {
    ...head,
    status: 'fail',
    value,
    gap: `还需新增科技人员约 ${persons} 人（全年月平均；新增人员同时计入职工总数）`,
    gapAmount: Number(persons),
  };
}

/** A head count: whole, or up to 4 decimals rounded down, with the exact fraction when it has more. */
function formatStaff(f: Fraction): string {
  if (f.num % f.den === 0n) return String(f.num / f.den);
  const shown = formatFraction(f, 4).replace(/0+$/, '');
  return compare(decimal(shown), f) === 0 ? shown : `${shown}…`;
}

// （五）R&D ratio over 近三个会计年度 (3-year sums, band by the latest year's sales) and domestic share ≥ 60%.
function rdExpenses(idx: Figures, rdYears: RdYears, period: HtePeriod): ConditionResult[] {
  const years = period.years;
  const headRatio = { id: 'hte.rd_ratio', label: '研发费用占比', article: A.rdRatio, inputYears: years };
  const headDomestic = {
    id: 'hte.rd_domestic',
    label: '境内研发费用占比',
    article: A.rdDomestic,
    threshold: '≥ 60%（占全部研发费用）',
    inputYears: years,
  };
  if (years.length === 0) {
    const note = '申报前无完整会计年度，无法计算研发费用占比';
    return [{ ...headRatio, status: 'review', note }, { ...headDomestic, status: 'review', note }];
  }
  const shortNote = period.note;
  const sales = readAll(years.map((y) => readMoney(idx, y, 'salesRevenue')));
  // 指引 三（六）: from the expense structure where entered (outsourcing at 80%, 其他费用 capped at 20%), else typed totals.
  const rd = readAll(years.map((y) => readRdExact(idx, rdYears, y, 'rdExpense')));
  const domestic = readAll(years.map((y) => readRdExact(idx, rdYears, y, 'rdDomestic')));
  const sumF = (xs: { value: Fraction }[]) => xs.reduce<Fraction>((acc, x) => addF(acc, x.value), frac(0n, 1n));
  const structured = years.filter((y) => rdYears.has(y));
  const basis = structured.length === years.length ? '按研发费用结构（高企口径）' : structured.length === 0 ? '录入的年度数' : `${structured.join('、')}年按研发费用结构，其余为录入的年度数`;
  const wan = (f: Fraction) => formatWan(floorDiv(f.num, f.den));
  const latestSales = readMoney(idx, period.latestYear, 'salesRevenue');
  const span = yearsText(years);

  // --- ratio ---
  let ratio: ConditionResult;
  if (!latestSales.ok || !sales.ok || !rd.ok) {
    ratio = { ...headRatio, status: 'missing', note: joinNotes(!sales.ok && sales.note, !rd.ok && rd.note, shortNote) };
  } else {
    const { rate, text } = hteRdThreshold(latestSales.value);
    const S = sum(sales.value);
    const R = sumF(rd.value);
    const base = { ...headRatio, threshold: text };
    if (S <= 0n) {
      ratio = { ...base, status: 'review', value: `${span}销售收入合计 ${formatWan(S)}`, note: joinNotes('销售收入合计不大于0，比例无法计算', shortNote) };
    } else {
      const value = `${formatPercent(frac(R.num, S * R.den))}（${span}合计：研发费用 ${wan(R)} / 销售收入 ${formatWan(S)}；${basis}）`;
      // 《高新技术企业认定管理办法》第十一条（五）: ΣR&D / Σsales ≥ threshold (3-year sums, not an average of yearly ratios)
      if (ratioAtLeast(R.num, S * R.den, rate)) {
        ratio = { ...base, status: 'pass', value, note: shortNote };
      } else {
        const short = ceilDiv(S * rate.num * R.den - R.num * rate.den, rate.den * R.den); // 元, the R&D needed at the current sales
        ratio = {
          ...base,
          status: 'fail',
          value,
          gap: `还需增加研发费用约 ${yuanToWan(short, 'ceil')} 万元`,
          gapAmount: Number(short),
          note: shortNote,
        };
      }
    }
  }

  // --- domestic share ---
  let dom: ConditionResult;
  if (!rd.ok || !domestic.ok) {
    dom = { ...headDomestic, status: 'missing', note: joinNotes(!rd.ok && rd.note, !domestic.ok && domestic.note) };
  } else {
    const R = sumF(rd.value);
    const D = sumF(domestic.value);
    if (R.num <= 0n) {
      dom = { ...headDomestic, status: 'review', value: `${span}研发费用合计 ${wan(R)}`, note: '研发费用合计为0，境内占比无法计算' };
    } else {
      const value = `${formatPercent(frac(D.num * R.den, R.num * D.den))}（${span}合计：境内 ${wan(D)} / 全部 ${wan(R)}；${basis}）`;
      const check = compare(D, R) > 0 ? '境内研发费用大于研发费用总额，请核对数据' : undefined;
      // 《高新技术企业认定管理办法》第十一条（五）: "境内…研究开发费用总额占全部研究开发费用总额的比例不低于60%"
      if (ratioAtLeast(D.num * R.den, R.num * D.den, pct(60))) {
        dom = { ...headDomestic, status: check ? 'review' : 'pass', value, note: check };
      } else {
        const gap3R5D = 3n * R.num * D.den - 5n * D.num * R.den; // (3R − 5D)·R.den·D.den
        const shift = ceilDiv(gap3R5D, 5n * R.den * D.den); // short at the current total (e.g. re-sourcing foreign R&D)
        const added = ceilDiv(gap3R5D, 2n * R.den * D.den); // if covered by NEW domestic R&D, which also raises the total
        dom = {
          ...headDomestic,
          status: 'fail',
          value,
          gap: `境内研发费用还差约 ${yuanToWan(shift, 'ceil')} 万元（按当前研发费用总额计；若以新增境内研发投入补足，约需 ${yuanToWan(added, 'ceil')} 万元）`,
          gapAmount: Number(shift),
        };
      }
    }
  }
  return [ratio, dom];
}

// （六）"近一年高新技术产品（服务）收入占企业同期总收入的比例不低于60%"; 总收入 = 收入总额 − 不征税收入 (指引 三（四）).
function hitechIncome(idx: Figures, period: HtePeriod): ConditionResult {
  const year = period.latestYear;
  const head = { id: 'hte.hitech_income', label: '高新技术产品（服务）收入占比', article: A.hitechIncome, threshold: '≥ 60%（近一年总收入）', inputYears: [year] };
  const read = readAll([
    readMoney(idx, year, 'hitechIncome'),
    readMoney(idx, year, 'totalIncome'),
    readMoney(idx, year, 'nonTaxableIncome'),
  ]);
  if (!read.ok) return { ...head, status: 'missing', note: read.note };
  const [ht, income, nonTaxable] = read.value as [bigint, bigint, bigint];
  const total = income - nonTaxable;
  if (total <= 0n) return { ...head, status: 'review', value: `总收入 ${formatWan(total)}`, note: '总收入（收入总额−不征税收入）不大于0，比例无法计算' };
  const value = `${formatPercent(frac(ht, total))}（${year}年：高新收入 ${formatWan(ht)} / 总收入 ${formatWan(total)}）`;
  const check = ht > total ? '高新技术产品（服务）收入大于总收入，请核对数据' : undefined;
  // 《高新技术企业认定管理办法》第十一条（六）: HT income / (收入总额 − 不征税收入) ≥ 60%
  if (ratioAtLeast(ht, total, pct(60))) return { ...head, status: check ? 'review' : 'pass', value, note: check };
  const shift = ceilDiv(total * 3n, 5n) - ht; // short at the current total income
  const added = ceilDiv(total * 3n - ht * 5n, 2n); // if covered by NEW HT income, which also raises total income
  return {
    ...head,
    status: 'fail',
    value,
    gap: `高新技术产品（服务）收入还差约 ${yuanToWan(shift, 'ceil')} 万元（按当前总收入计；若以新增高新收入补足，约需 ${yuanToWan(added, 'ceil')} 万元）`,
    gapAmount: Number(shift),
  };
}

// （七）"企业创新能力评价应达到相应要求": 指引 三（七） total > 70 (不含70分).
function innovation(score: ScoreEstimate, period: HtePeriod, ipYear: number): ConditionResult {
  const [min, max] = score.total;
  const missing = score.indicators.flatMap((i) => i.items).filter((i) => i.status === 'missing');
  const interpretation = score.indicators.some((i) => i.items.some((it) => it.interpretation === true));
  const items = score.indicators.flatMap((i) => i.items);
  const years = [...new Set([...period.years, ipYear, ...items.flatMap((i) => i.inputYears ?? [])])].sort((a, b) => a - b);
  const result: ConditionResult = {
    id: 'hte.innovation',
    label: '企业创新能力评价',
    article: A.innovation,
    status: score.status,
    value: `估算 ${min}–${max} 分`,
    threshold: '> 70分（不含70分）',
    inputYears: years,
    ...(interpretation ? { interpretation: true } : {}),
  };
  if (score.status === 'fail') {
    return { ...result, gap: `即使专家项全部满分，最高仅 ${max} 分，还需至少 ${71 - max} 分`, gapAmount: 71 - max };
  }
  if (score.status === 'pass') return result;
  return {
    ...result,
    note: joinNotes(
      missing.length > 0 && `缺少数据：${missing.map((i) => i.label).join('、')}`,
      '知识产权先进性、核心支持作用、获得方式及研发组织管理等为专家评分项，须专家评审',
    ),
  };
}

// （八）"申请认定前一年内未发生重大安全、重大质量事故或严重环境违法行为"; 指引 三（一）: "申请前的365天之内（含申报年）".
// From the dated register (compliance.ts) when the firm has one; otherwise from the yearly flags: an incident in Y−1 or Y fails.
function noMajorIncident(idx: Figures, Y: number, compliance: ComplianceRecord | null | undefined, applyDate: string): ConditionResult {
  const years = [Y - 1, Y];
  const head = {
    id: 'hte.no_major_incident',
    label: '无重大安全、质量事故或严重环境违法',
    article: A.incident,
    threshold: '申请前365天之内（含申报年）未发生',
    inputYears: years,
  };
  const events = compliance?.events ?? [];
  const inWindow = events.filter((e) => withinHteWindow(e.date, applyDate));
  const major = inWindow.filter((e) => INCIDENT_KINDS.includes(e.kind));
  if (major.length > 0) {
    return { ...head, status: 'fail', value: major.map(describeEvent).join('；'), note: `距申报日 ${applyDate} 不超过365天` };
  }
  const unclassified = inWindow.filter((e) => e.kind === 'other_penalty');
  if (unclassified.length > 0) {
    return {
      ...head,
      status: 'review',
      value: unclassified.map(describeEvent).join('；'),
      note: '365天内有未分类的行政处罚：须查阅处罚决定，判断是否属重大安全、重大质量事故或严重环境违法',
    };
  }
  const outside = events.filter((e) => INCIDENT_KINDS.includes(e.kind) && !inWindow.includes(e));
  const outsideNote = outside.length > 0 ? `已录入的 ${outside.map((e) => e.date).join('、')} 事件距申报日超过365天，不影响本条` : undefined;
  if (compliance?.checkedOn) {
    return { ...head, status: 'pass', value: `${applyDate} 前365天内无记录`, note: joinNotes(`按 ${compliance.checkedOn} 核查的处罚与事故记录`, outsideNote) };
  }
  const reads = years.map((y) => ({ y, r: readFlag(idx, y, 'majorIncident') }));
  const hit = reads.filter(({ r }) => r.ok && r.value).map(({ y }) => y);
  if (hit.length > 0) {
    return { ...head, status: 'fail', value: `${hit.join('、')}年发生`, note: joinNotes('按年度标记判断：申报年或上一年有记录即不符合（录入具体日期可按365天精确判断）', outsideNote) };
  }
  const all = readAll(reads.map(({ r }) => r));
  if (!all.ok) return { ...head, status: 'missing', note: joinNotes(all.note, '或录入处罚与事故记录并填写核查日期', outsideNote) };
  return { ...head, status: 'pass', value: `${Y - 1}、${Y}年均未发生`, note: joinNotes('按年度标记判断', outsideNote) };
}
