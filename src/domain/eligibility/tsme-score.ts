/**
 * 科技型中小企业评价指标 (《科技型中小企业评价办法》国科发政〔2017〕115号 第七条), max 100:
 * 科技人员 (≤20) + 研发投入 (≤50, the firm picks option (1) or (2)) + 科技成果 (≤30).
 * All band lower bounds are inclusive ("30%(含)以上", "25%(含)-30%" …). Scores are exact integers.
 */
import { readAll, readCount, readMoney, readRdExact, readStaffExact, type Figures, type RdYears, type StaffYears } from './figures.js';
import { formatFraction, formatHundredths, formatPercent, formatWan, frac, pct, ratioAtLeast, type Fraction } from './ratio.js';
import { ARTICLES } from './rule-sets.js';
import { type IpRegisterCounts, registerSummary } from './ip-register.js';
import type { Band, PointRange, ScoreEstimate, ScoreIndicator, ScoreItem, Status, TsmeRdOption } from './types.js';

const A = ARTICLES.tsme;
export const TSME_PASS_LINE = 60; // 第六条（五）"不低于60分"

type BandTable = readonly (readonly [threshold: Fraction, band: Band, points: number])[];

/** 第七条1 科技人员: ≥30% 20; 25–30 16; 20–25 12; 15–20 8; 10–15 4; <10 0. */
export const STAFF_BANDS: BandTable = [
  [pct(30), 'A', 20], [pct(25), 'B', 16], [pct(20), 'C', 12], [pct(15), 'D', 8], [pct(10), 'E', 4],
];
/** 第七条2(1) 研发费用总额/销售收入总额: ≥6% 50; 5–6 40; 4–5 30; 3–4 20; 2–3 10; <2 0. */
export const RD_SALES_BANDS: BandTable = [
  [pct(6), 'A', 50], [pct(5), 'B', 40], [pct(4), 'C', 30], [pct(3), 'D', 20], [pct(2), 'E', 10],
];
/** 第七条2(2) 研发费用总额/成本费用支出总额: ≥30% 50; 25–30 40; 20–25 30; 15–20 20; 10–15 10; <10 0. */
export const RD_COST_BANDS: BandTable = [
  [pct(30), 'A', 50], [pct(25), 'B', 40], [pct(20), 'C', 30], [pct(15), 'D', 20], [pct(10), 'E', 10],
];

/** Band and points of num/den (den > 0) in a table with inclusive lower bounds; below all → F 0. */
export function bandOf(num: bigint, den: bigint, table: BandTable): { band: Band; points: number } {
  for (const [threshold, band, points] of table) if (ratioAtLeast(num, den, threshold)) return { band, points };
  return { band: 'F', points: 0 };
}

/** 第七条3 科技成果: ≥1 Ⅰ类 30; Ⅱ类 ≥4 24, 3 18, 2 12, 1 6; none 0. */
export function tsmeIpBand(class1: bigint, class2: bigint): { band: Band; points: number } {
  if (class1 >= 1n) return { band: 'A', points: 30 };
  if (class2 >= 4n) return { band: 'B', points: 24 };
  if (class2 === 3n) return { band: 'C', points: 18 };
  if (class2 === 2n) return { band: 'D', points: 12 };
  if (class2 === 1n) return { band: 'E', points: 6 };
  return { band: 'F', points: 0 };
}

function ratioItem(
  base: Omit<ScoreItem, 'status' | 'band' | 'points' | 'basis'>,
  num: bigint,
  den: bigint,
  table: BandTable,
  value: string,
  zeroDenNote: string,
): ScoreItem {
  if (den <= 0n) return { ...base, basis: 'computed', status: 'review', band: null, points: [0, base.max], value, note: zeroDenNote };
  const { band, points } = bandOf(num, den, table);
  return { ...base, basis: 'computed', status: 'computed', band, points: [points, points], value: `${formatPercent(frac(num, den))}（${value}）` };
}

function staffItem(idx: Figures, staff: StaffYears, year: number): ScoreItem {
  const base = { id: 'tsme.score.staff', label: '科技人员指标', article: A.staffScore, max: 20, inputYears: [year] };
  const read = readAll([readStaffExact(idx, staff, year, 'techStaff'), readStaffExact(idx, staff, year, 'staffTotal')]);
  if (!read.ok) return { ...base, basis: 'computed', status: 'missing', band: null, points: [0, 20], note: read.note };
  const [t, s] = read.value as [{ value: Fraction; monthly: boolean }, { value: Fraction; monthly: boolean }];
  const tech = t.value;
  const total = s.value;
  const shown = (f: Fraction) => (f.den === 100n ? formatHundredths(f.num) : formatFraction(f, 4));
  // 第七条1: 科技人员数 / 职工总数, exact (cross-multiplied)
  const item = ratioItem(base, tech.num * total.den, total.num * tech.den, STAFF_BANDS, `科技人员 ${shown(tech)} / 职工 ${shown(total)} 人${t.monthly && s.monthly ? '，按月度人数精确计算' : ''}`, '职工总数为0，无法计算');
  return tech.num * total.den > total.num * tech.den ? { ...item, status: 'review', points: [0, 20], note: '科技人员数大于职工总数，请核对数据' } : item;
}

function rdItems(idx: Figures, year: number, chosen: TsmeRdOption | null, rdYears: RdYears): ScoreItem[] {
  // 研发费用 on the 加计扣除 basis (第九条; 财税〔2015〕119号): from the expense structure where entered, else typed.
  const rdRead = readRdExact(idx, rdYears, year, 'rdDeductible');
  const sales = readMoney(idx, year, 'salesRevenue');
  const cost = readMoney(idx, year, 'totalCost');
  const structured = rdRead.ok && rdRead.value.structured;
  const note = `研发费用按财税〔2015〕119号（加计扣除口径）归集${structured ? '，按研发费用结构计算' : ''}`;
  const opt1 = { id: 'tsme.score.rd.sales', label: '研发投入（1）研发费用/销售收入', article: A.rdScore, max: 50, inputYears: [year] };
  const opt2 = { id: 'tsme.score.rd.cost', label: '研发投入（2）研发费用/成本费用支出', article: A.rdScore, max: 50, inputYears: [year] };
  const one = (base: typeof opt1, den: typeof sales, table: BandTable, denLabel: string): ScoreItem => {
    if (!rdRead.ok || !den.ok) return { ...base, basis: 'computed', status: 'missing', band: null, points: [0, 50], note: [!rdRead.ok && rdRead.note, !den.ok && den.note].filter(Boolean).join('；') };
    const r = rdRead.value.value;
    const d = den.value;
    const item = ratioItem(base, r.num, d * r.den, table, `研发费用 ${formatWan(r.num / r.den)} / ${denLabel} ${formatWan(d)}`, `${denLabel}不大于0，此项无法计算`);
    return { ...item, note: item.note ? `${item.note}；${note}` : note };
  };
  const items = [one(opt1, sales, RD_SALES_BANDS, '销售收入'), one(opt2, cost, RD_COST_BANDS, '成本费用支出')] as [ScoreItem, ScoreItem];
  // 第七条2: the firm's recorded choice decides; the other option is shown, not scored, and its data is not needed.
  if (chosen) {
    const pickA = chosen === 'sales';
    const mark = (it: ScoreItem, picked: boolean): ScoreItem => ({
      ...it,
      selected: picked,
      note: `${it.note ? `${it.note}；` : ''}${picked ? '企业选择按此项评分' : '企业未选此项，仅供对照'}`,
    });
    return [mark(items[0], pickA), mark(items[1], !pickA)];
  }
  // "企业从(1)、(2)两项指标中选择一个指标进行评分": compute both, pre-select the higher (tie → (1)).
  const [a, b] = items;
  if (a.status === 'computed' && b.status === 'computed') {
    const pickA = a.points[0] >= b.points[0];
    return [{ ...a, selected: pickA }, { ...b, selected: !pickA }];
  }
  // Only one computable: it is the choice when it cannot be beaten.
  for (const [i, it] of items.entries()) {
    const other = items[1 - i] as ScoreItem;
    if (it.status === 'computed' && it.points[0] >= other.points[1]) {
      return i === 0 ? [{ ...a, selected: true }, { ...b, selected: false }] : [{ ...a, selected: false }, { ...b, selected: true }];
    }
  }
  return items;
}

function ipItem(idx: Figures, year: number, register: IpRegisterCounts | null): ScoreItem {
  const base = {
    id: 'tsme.score.ip',
    label: '科技成果指标',
    article: A.ipScore,
    max: 30,
    basis: 'computed' as const,
    inputYears: [year],
  };
  const note = '按有效期内、与主要产品（或服务）相关且无争议的知识产权计；Ⅱ类是否曾用于高企申报不影响本项';
  if (register) {
    // 第七条3, from the items that count at the evaluation date (ip-register.ts)
    const { band, points } = tsmeIpBand(BigInt(register.class1), BigInt(register.class2));
    const { inputYears: _y, ...rest } = base;
    return { ...rest, status: 'computed', band, points: [points, points], value: `按知识产权清单（截至 ${register.refDate}）：Ⅰ类 ${register.class1} 项，Ⅱ类 ${register.class2} 项`, note: registerSummary(register) };
  }
  const c1 = readCount(idx, year, 'ipClass1');
  const c2 = readCount(idx, year, 'ipClass2');
  if (c1.ok && c1.value >= 1n) return { ...base, status: 'computed', band: 'A', points: [30, 30], value: `${year}年末 Ⅰ类 ${c1.value} 项`, note };
  if (!c1.ok) return { ...base, status: 'missing', band: null, points: [0, 30], note: c1.note };
  if (!c2.ok) return { ...base, status: 'missing', band: null, points: [0, 24], note: c2.note };
  const { band, points } = tsmeIpBand(c1.value, c2.value);
  return { ...base, status: 'computed', band, points: [points, points], value: `${year}年末 Ⅰ类 0 项，Ⅱ类 ${c2.value} 项`, note };
}

function rdIndicator(items: ScoreItem[], chosen: TsmeRdOption | null): ScoreIndicator {
  const selected = items.find((i) => i.selected);
  const points: PointRange = selected
    ? [selected.points[0], selected.points[1]]
    : [Math.max(...items.map((i) => i.points[0])), Math.max(...items.map((i) => i.points[1]))];
  const note = chosen
    ? `企业已选择按（${chosen === 'sales' ? '1）研发费用/销售收入' : '2）研发费用/成本费用支出'}评分`
    : '企业从(1)、(2)两项中选择一项评分；企业未登记选择，默认取较高者';
  return { id: 'tsme.score.rd', label: '研发投入指标', max: 50, points, items, note };
}

/** 第六条（五）score route: ≥ 60 AND 科技人员指标 ≠ 0. */
export function tsmeScoreStatus(total: PointRange, staff: PointRange, items: readonly ScoreItem[]): Status {
  if (staff[1] === 0) return 'fail'; // "科技人员指标得分不得为0分"
  if (total[0] >= TSME_PASS_LINE && staff[0] > 0) return 'pass';
  if (total[1] < TSME_PASS_LINE) return 'fail';
  return items.some((i) => i.status === 'missing') ? 'missing' : 'review';
}

export function estimateTsmeScore(idx: Figures, dataYear: number, staffYears: StaffYears = new Map(), chosen: TsmeRdOption | null = null, register: IpRegisterCounts | null = null, rdYears: RdYears = new Map()): ScoreEstimate {
  const staff = staffItem(idx, staffYears, dataYear);
  const indicators: ScoreIndicator[] = [
    { id: 'tsme.score.staff', label: '科技人员指标', max: 20, points: staff.points, items: [staff] },
    rdIndicator(rdItems(idx, dataYear, chosen, rdYears), chosen),
    (() => {
      const ip = ipItem(idx, dataYear, register);
      return { id: 'tsme.score.ip', label: '科技成果指标', max: 30, points: ip.points, items: [ip] };
    })(),
  ];
  const total: PointRange = [
    indicators.reduce((s, i) => s + i.points[0], 0),
    indicators.reduce((s, i) => s + i.points[1], 0),
  ];
  return {
    scheme: 'tsme-score-2017',
    indicators,
    total,
    passLine: '≥ 60分，且科技人员指标不为0分',
    // An option not chosen (selected === false) is shown for comparison; its missing data keeps nothing open.
    status: tsmeScoreStatus(total, staff.points, indicators.flatMap((i) => i.items).filter((i) => i.selected !== false)),
  };
}
