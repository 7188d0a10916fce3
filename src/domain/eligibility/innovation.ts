/**
 * Innovation-capability estimate (企业创新能力评价), 《高新技术企业认定管理工作指引》三（七）, domain.md §2.6.
 *
 * "各级指标均按整数打分，满分为100分，综合得分达到70分以上（不含70分）为符合认定要求。"
 * The app can only compute bands (A–F) and their point ranges; the points inside a band and the
 * expert-only sub-items are the panel's judgement, so every figure here is an integer range
 * [min, max] and the total is the sum of the ranges.
 */
import { ARTICLES } from './rule-sets.js';
import { readAll, readCount, readMoney, sum, yearsText, type Figures } from './figures.js';
import { assessGrowth } from './growth.js';
import type { IpRegisterCounts } from './ip-register.js';
import { formatFraction, frac } from './ratio.js';
import type { HtePeriod } from './period.js';
import type {
  Band, PointRange, ResolvedHteOptions, ScoreEstimate, ScoreIndicator, ScoreItem, Status,
} from './types.js';

const A = ARTICLES.hte;
export const HTE_PASS_LINE = 70; // "70分以上（不含70分）"

/** 第十一条（七） on a total range: pass only if even the minimum is > 70; fail if even the maximum is ≤ 70. */
export function hteInnovationStatus(total: PointRange): 'pass' | 'fail' | 'review' {
  if (total[0] > HTE_PASS_LINE) return 'pass';
  if (total[1] <= HTE_PASS_LINE) return 'fail';
  return 'review';
}

function expertItem(id: string, label: string, article: string, max: number, points: PointRange = [0, max], note?: string): ScoreItem {
  return { id, label, article, max, basis: 'expert', status: 'expert', band: null, points, ...(note ? { note } : {}) };
}

function sumRanges(ranges: readonly PointRange[], cap?: number): PointRange {
  let min = 0;
  let max = 0;
  for (const [lo, hi] of ranges) {
    min += lo;
    max += hi;
  }
  return cap === undefined ? [min, max] : [Math.min(min, cap), Math.min(max, cap)];
}

function indicator(id: string, label: string, max: number, items: ScoreItem[], note?: string): ScoreIndicator {
  return { id, label, max, points: sumRanges(items.map((i) => i.points), max), items, ...(note ? { note } : {}) };
}

// --- 1. 知识产权 (≤30) --------------------------------------------------------------------

/** 知识产权数量 band: A 1项及以上（Ⅰ类）7–8; B 5项及以上（Ⅱ类）5–6; C 3～4项（Ⅱ类）3–4; D 1～2项（Ⅱ类）1–2; E 0项 0. */
export function ipQuantityBand(class1: bigint, usableClass2: bigint): { band: Band; points: PointRange } {
  if (class1 > 0n) return { band: 'A', points: [7, 8] };
  if (usableClass2 >= 5n) return { band: 'B', points: [5, 6] };
  if (usableClass2 >= 3n) return { band: 'C', points: [3, 4] };
  if (usableClass2 >= 1n) return { band: 'D', points: [1, 2] };
  return { band: 'E', points: [0, 0] };
}

function ipQuantityItem(idx: Figures, year: number, register: IpRegisterCounts | null): ScoreItem {
  if (register) {
    // 指引 三（七）1 知识产权数量, from the items that count (三（二）): Class I → A; else the usable Class II count.
    const { band, points } = ipQuantityBand(BigInt(register.class1), BigInt(register.class2));
    return {
      id: 'hte.score.ip.quantity', label: '知识产权数量', article: A.ipScore, max: 8, basis: 'computed', status: 'computed', band, points,
      value: `按知识产权清单：Ⅰ类 ${register.class1} 项，Ⅱ类可用 ${register.class2} 项`,
    };
  }
  const base = { id: 'hte.score.ip.quantity', label: '知识产权数量', article: A.ipScore, max: 8, basis: 'computed' as const, inputYears: [year] };
  const c1 = readCount(idx, year, 'ipClass1');
  const c2 = readCount(idx, year, 'ipClass2');
  const used = readCount(idx, year, 'ipClass2Used');
  if (c1.ok && c1.value > 0n) {
    return { ...base, status: 'computed', band: 'A', points: [7, 8], value: `${year}年末 Ⅰ类 ${c1.value} 项` };
  }
  if (!c1.ok) return { ...base, status: 'missing', band: null, points: [0, 8], note: c1.note };
  if (!c2.ok) return { ...base, status: 'missing', band: null, points: [0, 6], note: c2.note };
  if (c2.value === 0n) return { ...base, status: 'computed', band: 'E', points: [0, 0], value: `${year}年末 无Ⅰ类、Ⅱ类知识产权` };
  if (!used.ok) {
    return { ...base, status: 'missing', band: null, points: [0, ipQuantityBand(0n, c2.value).points[1]], note: used.note };
  }
  if (used.value > c2.value) {
    return { ...base, status: 'review', band: null, points: [0, 6], note: `${year}年已使用的Ⅱ类知识产权数大于Ⅱ类总数，请核对` };
  }
  // 指引 三（二）4 "按Ⅱ类评价的知识产权在申请高新技术企业时，仅限使用一次": count only unused Class II.
  const usable = c2.value - used.value;
  const { band, points } = ipQuantityBand(0n, usable);
  return {
    ...base,
    status: 'computed',
    band,
    points,
    value: `${year}年末 Ⅱ类可用 ${usable} 项（共 ${c2.value} 项，已使用 ${used.value} 项）`,
    ...(used.value > 0n ? { note: 'Ⅱ类知识产权仅限使用一次，已使用的不计入' } : {}),
  };
}

function acquisitionItem(quantity: ScoreItem, register: IpRegisterCounts | null): ScoreItem {
  const label = '知识产权获得方式';
  // From the register: A 有自主研发 1–6; B 仅有受让、受赠和并购等 1–3 (指引 三（七）1).
  if (register && quantity.band !== 'E') {
    return register.ownRd
      ? expertItem('hte.score.ip.acquisition', label, A.ipScore, 6, [1, 6], 'A 有自主研发 1–6分（按知识产权清单）')
      : expertItem('hte.score.ip.acquisition', label, A.ipScore, 6, [1, 3], 'B 仅有受让、受赠和并购等 1–3分（按知识产权清单）');
  }
  // A 有自主研发 1–6; B 仅有受让、受赠和并购等 1–3 → with any IP: 1–6; with none: nothing to score.
  if (quantity.status === 'computed' && quantity.band === 'E') return expertItem('hte.score.ip.acquisition', label, A.ipScore, 6, [0, 0], '无可用知识产权');
  if (quantity.status === 'computed') return expertItem('hte.score.ip.acquisition', label, A.ipScore, 6, [1, 6], 'A 有自主研发 1–6分；B 仅有受让、受赠和并购等 1–3分');
  return expertItem('hte.score.ip.acquisition', label, A.ipScore, 6);
}

function standardsItem(idx: Figures, period: HtePeriod, options: ResolvedHteOptions): ScoreItem {
  const base = {
    id: 'hte.score.ip.standards',
    label: '参与编制标准（加分）',
    article: A.ipScore,
    max: 2,
    basis: 'computed' as const,
  };
  const allYears = [...idx.keys()].filter((y) => y <= period.applicationYear).sort((a, b) => a - b);
  const ledIn = (ys: readonly number[]) => ys.filter((y) => {
    const r = readCount(idx, y, 'standardsLed');
    return r.ok && r.value > 0n;
  });
  const years = options.standardsBonusYears === 'threeYears' ? period.years : allYears;
  // Only the 近三个会计年度 must be entered; older rows count when they show a standard.
  const reads = period.years.map((y) => readCount(idx, y, 'standardsLed'));
  const led = ledIn(years);
  // [U] the 指引 sets no period for the bonus: flag the result when the window choice changes it.
  const windowMatters = (ledIn(allYears).length > 0) !== (ledIn(period.years).length > 0);
  const interp = windowMatters ? { interpretation: true } : {};
  const yearsNote = options.standardsBonusYears === 'threeYears' ? '按近三个会计年度统计（解释）' : '按申报年及以前各年统计（解释，指引未限定年限）';
  if (led.length > 0) {
    return {
      ...base,
      status: 'review',
      band: 'A',
      points: [1, 2],
      value: `主导制定标准：${led.join('、')}年`,
      note: `标准等须经国家有关部门认证认可，待专家确认；${yearsNote}`,
      inputYears: led,
      ...interp,
    };
  }
  const all = readAll(reads);
  if (!all.ok || period.years.length === 0) {
    return { ...base, status: 'missing', band: null, points: [0, 2], note: all.ok ? '缺少主导制定标准数' : all.note, inputYears: period.years, ...interp };
  }
  return {
    ...base,
    status: 'computed',
    band: 'B',
    points: [0, 0],
    value: '无主导制定的标准',
    note: `仅记录主导制定的标准；参与编制但未主导的情况请专家核实；${yearsNote}`,
    inputYears: years,
    ...interp,
  };
}

// --- 2. 科技成果转化能力 (≤30) -----------------------------------------------------------

/** Bands by yearly average: ≥5 A 25–30, ≥4 B 19–24, ≥3 C 13–18, ≥2 D 7–12, ≥1 E 1–6, 0 F 0. */
export function conversionBand(total: bigint, years: bigint): { band: Band; points: PointRange } | null {
  if (total >= 5n * years) return { band: 'A', points: [25, 30] };
  if (total >= 4n * years) return { band: 'B', points: [19, 24] };
  if (total >= 3n * years) return { band: 'C', points: [13, 18] };
  if (total >= 2n * years) return { band: 'D', points: [7, 12] };
  if (total >= 1n * years) return { band: 'E', points: [1, 6] };
  if (total === 0n) return { band: 'F', points: [0, 0] };
  return null; // 0 < average < 1: not covered by the text
}

function conversionItem(idx: Figures, period: HtePeriod, options: ResolvedHteOptions): ScoreItem {
  const base = { id: 'hte.score.conversion', label: '科技成果转化能力', article: A.conversionScore, max: 30, basis: 'computed' as const, inputYears: period.years };
  if (period.years.length === 0) return { ...base, status: 'review', band: null, points: [0, 30], note: '申报前无完整会计年度' };
  const counts = readAll(period.years.map((y) => readCount(idx, y, 'conversions')));
  if (!counts.ok) return { ...base, status: 'missing', band: null, points: [0, 30], note: counts.note };
  const total = sum(counts.value);
  // [U] firms operating < 3 years: average over the years operated (办法 第十一条（五）general rule) or over 3.
  const divisorIsYears = options.conversionsDivisor === 'yearsOperated' || !period.short;
  const divisor = BigInt(divisorIsYears ? period.years.length : 3);
  const interpretation = period.short && period.years.length > 0;
  const value = `年均 ${formatFraction(frac(total, divisor))} 项（${yearsText(period.years)}合计 ${total} 项，除以 ${divisor}）`;
  const shortNote = period.short ? `实际经营期不满三年，年均数除以${divisorIsYears ? '实际经营年数' : '3'}（解释）` : undefined;
  const band = conversionBand(total, divisor);
  if (band) return { ...base, status: 'computed', ...band, value, ...(shortNote ? { note: shortNote } : {}), ...(interpretation ? { interpretation } : {}) };
  // 0 < average < 1 (e.g. 2 conversions in 3 years): the official table has no band for it. [U]
  const gapNote = '年均转化数介于0与1之间，指引分档表未覆盖';
  if (options.conversionsBelowOne === 'F') {
    return { ...base, status: 'computed', band: 'F', points: [0, 0], value, note: `${gapNote}，按F档（0分）计（解释）`, interpretation: true };
  }
  if (options.conversionsBelowOne === 'E') {
    return { ...base, status: 'computed', band: 'E', points: [1, 6], value, note: `${gapNote}，按E档（1–6分）计（解释）`, interpretation: true };
  }
  return { ...base, status: 'review', band: null, points: [0, 6], value, note: `${gapNote}，请人工评价（保守为F档0分）`, interpretation: true };
}

// --- 3. 研究开发组织管理水平 (≤20): expert-only, no bands in the 2016 text ----------------------

function rdManagementItems(): ScoreItem[] {
  const art = A.rdManagementScore;
  return [
    expertItem('hte.score.rd_mgmt.system', '研发组织管理制度、研发投入核算体系、研发费用辅助账', art, 6),
    expertItem('hte.score.rd_mgmt.institution', '内部研发机构与产学研合作', art, 6),
    expertItem('hte.score.rd_mgmt.conversion_system', '成果转化组织实施与激励奖励制度、开放式创新创业平台', art, 4),
    expertItem('hte.score.rd_mgmt.talent', '人才培养、引进与绩效评价奖励制度', art, 4),
  ];
}

// --- 4. 企业成长性 (≤20) ------------------------------------------------------------------

function growthItem(idx: Figures, period: HtePeriod, options: ResolvedHteOptions, key: 'netAssets' | 'salesRevenue'): ScoreItem {
  const base = {
    id: key === 'netAssets' ? 'hte.score.growth.net_assets' : 'hte.score.growth.sales',
    label: key === 'netAssets' ? '净资产增长率' : '销售收入增长率',
    article: A.growthScore,
    max: 10,
    basis: 'computed' as const,
    inputYears: period.years,
  };
  const values = readAll(period.years.map((y) => readMoney(idx, y, key)));
  if (!values.ok) return { ...base, status: 'missing', band: null, points: [0, 10], note: values.note };
  const g = assessGrowth(values.value, options);
  return {
    ...base,
    status: g.status,
    band: g.band,
    points: g.points,
    ...(g.value ? { value: `${g.value}（${yearsText(period.years)}）` } : {}),
    ...(g.note ? { note: g.note } : {}),
    ...(g.interpretation ? { interpretation: true } : {}),
  };
}

// --- Estimate -----------------------------------------------------------------------------

export function estimateHteInnovation(idx: Figures, period: HtePeriod, ipYear: number, options: ResolvedHteOptions, register: IpRegisterCounts | null = null): ScoreEstimate {
  const quantity = ipQuantityItem(idx, ipYear, register);
  const ipItems = [
    expertItem('hte.score.ip.advancement', '技术的先进程度', A.ipScore, 8),
    expertItem('hte.score.ip.core_support', '对主要产品（服务）在技术上发挥核心支持作用', A.ipScore, 8),
    quantity,
    acquisitionItem(quantity, register),
    standardsItem(idx, period, options),
  ];
  const indicators = [
    // "加分后'知识产权'总分不超过30分"
    indicator('hte.score.ip', '知识产权', 30, ipItems, '含参与编制标准加分，加分后总分不超过30分'),
    indicator('hte.score.conversion', '科技成果转化能力', 30, [conversionItem(idx, period, options)]),
    indicator('hte.score.rd_management', '研究开发组织管理水平', 20, rdManagementItems(), '由技术专家综合打分，2016年指引未设分档'),
    indicator('hte.score.growth', '企业成长性', 20, [
      growthItem(idx, period, options, 'netAssets'),
      growthItem(idx, period, options, 'salesRevenue'),
    ]),
  ];
  const total = sumRanges(indicators.map((i) => i.points));
  let status: Status = hteInnovationStatus(total);
  const items = indicators.flatMap((i) => i.items);
  if (status === 'review' && items.some((i) => i.status === 'missing')) status = 'missing';
  return {
    scheme: 'hte-innovation-2016',
    indicators,
    total,
    passLine: '> 70分（70分以上，不含70分）',
    status,
    note: '专家评分项按可能分值范围计入；计算项给出档次及其分值范围，档内得分由专家确定',
  };
}
