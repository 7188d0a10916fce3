/**
 * R&D expense structure per firm and year (《高新技术企业认定管理工作指引》三（六）), typed as the ACTUAL amounts
 * of the eight categories, and the two bases computed from it side by side:
 *
 * - high-tech basis (指引 三（六）): "委托外部研究开发费用…按照实际发生额的80%计入委托方研发费用总额"; 其他费用
 *   "一般不得超过研究开发总费用的20%" — other ≤ 20% × (rest + other) ⇔ other ≤ rest ÷ 4, rest including the 80%;
 *   境内研发费用 = 内部研发 + 委托境内 (at 80%), "不包括委托境外机构或个人完成的研究开发活动所发生的费用";
 * - super-deduction basis (财税〔2015〕119号; limit as 国家税务总局公告2015年第97号 computes it): 其他相关费用
 *   "不得超过可加计扣除研发费用总额的10%" ⇔ other ≤ (categories 1–6) ÷ 9; 委托境内 at 80% (119号 二(二));
 *   委托境外 is not included here (its own limit, 财税〔2018〕64号, is outside this tracker) — labelled.
 *
 * Everything is an exact fraction of a 元 (80% of 1 元 is 4/5 元): nothing is rounded before a comparison.
 */
import { tryParseDate } from './dates.js';
import { add, compare, frac, type Fraction, sub } from './ratio.js';

export interface RdStructureInput {
  year: number;
  personnel: number; // (1) 人员人工费用, 元
  direct: number; // (2) 直接投入费用
  depreciation: number; // (3) 折旧费用与长期待摊费用
  amortization: number; // (4) 无形资产摊销费用
  design: number; // (5) 设计费用
  equipment: number; // (6) 装备调试费用与试验费用
  outsourcedDomestic: number; // (7) 委托外部研究开发费用 — 境内, actual amount
  outsourcedForeign: number; // (7) 委托外部研究开发费用 — 境外, actual amount
  other: number; // (8) 其他费用
}

export interface RdBasis {
  total: Fraction;
  otherCounted: Fraction;
  otherCap: Fraction;
  otherCapped: boolean;
  outsourcedCounted: Fraction;
}

export interface RdStructureResult {
  year: number;
  actualTotal: bigint; // all eight categories, actual amounts
  internal: bigint; // categories (1)–(6)
  hte: RdBasis & { domestic: Fraction };
  deduction: RdBasis;
}

const FOUR_FIFTHS = (yuan: bigint): Fraction => frac(yuan * 4n, 5n); // 指引 三（六）"实际发生额的80%"
const min = (a: Fraction, b: Fraction) => (compare(a, b) <= 0 ? a : b);

export function computeRdStructure(s: RdStructureInput): RdStructureResult {
  const b = (n: number) => BigInt(n);
  const internal = b(s.personnel) + b(s.direct) + b(s.depreciation) + b(s.amortization) + b(s.design) + b(s.equipment);
  const other = frac(b(s.other), 1n);
  const dom = b(s.outsourcedDomestic);
  const foreign = b(s.outsourcedForeign);

  // High-tech basis: outsourced at 80%; 其他费用 ≤ 20% of the total (指引 三（六）).
  const hteOut = FOUR_FIFTHS(dom + foreign);
  const hteRest = add(frac(internal, 1n), hteOut);
  const hteCap = frac(hteRest.num, hteRest.den * 4n); // other ≤ rest/4 ⇔ other ≤ 20%·(rest + other)
  const hteOther = min(other, hteCap);
  const hteTotal = add(hteRest, hteOther);
  const hteDomestic = sub(hteTotal, FOUR_FIFTHS(foreign)); // 境内 = total − 委托境外 (at 80%)

  // Super-deduction basis: 其他相关费用 ≤ 10% of the total, limit on categories (1)–(6); 委托境内 at 80%.
  const dedCap = frac(internal, 9n); // other ≤ base/9 ⇔ other ≤ 10%·(base + other)
  const dedOther = min(other, dedCap);
  const dedOut = FOUR_FIFTHS(dom);
  const dedTotal = add(add(frac(internal, 1n), dedOther), dedOut);

  return {
    year: s.year,
    actualTotal: internal + dom + foreign + b(s.other),
    internal,
    hte: { total: hteTotal, otherCounted: hteOther, otherCap: hteCap, otherCapped: compare(other, hteCap) > 0, outsourcedCounted: hteOut, domestic: hteDomestic },
    deduction: { total: dedTotal, otherCounted: dedOther, otherCap: dedCap, otherCapped: compare(other, dedCap) > 0, outsourcedCounted: dedOut },
  };
}

/** The eight categories' keys, in the 指引's order (委托 split 境内/境外). */
export const RD_AMOUNT_KEYS = ['personnel', 'direct', 'depreciation', 'amortization', 'design', 'equipment', 'outsourcedDomestic', 'outsourcedForeign', 'other'] as const;
export type RdAmountKey = (typeof RD_AMOUNT_KEYS)[number];
export type RdAmounts = Record<RdAmountKey, number>;

/**
 * An R&D project of a year (研究开发项目, RD01…): the 指引 三（六） has R&D expenses collected per 研究开发活动, and the
 * 申请书's 研究开发活动情况表 numbers them RD01, RD02…; 指引 三（七） (研究开发组织管理水平, first item) asks for a 研发费用辅助账, kept by project.
 */
export interface RdProjectInput extends RdAmounts {
  code: string;
  name: string;
  startDate: string | null;
  endDate: string | null;
  budget: number | null; // 元
  techField: string | null;
}

/** A year with projects: its structure is the sum of the projects' categories, and feeds the same two bases. */
export function sumRdProjects(year: number, projects: readonly RdAmounts[]): RdStructureInput {
  const out = { year } as RdStructureInput;
  for (const k of RD_AMOUNT_KEYS) out[k] = projects.reduce((s, p) => s + p[k], 0);
  return out;
}

const wan = (yuan: number) => {
  const abs = Math.abs(yuan);
  const f = String(abs % 10000).padStart(4, '0').replace(/0+$/, '');
  return `${yuan < 0 ? '-' : ''}${Math.floor(abs / 10000)}${f ? `.${f}` : ''}`;
};

export const RD_MESSAGES = {
  negative: '金额不能为负数。',
  notWhole: '金额须精确到元（以万元填写时最多保留4位小数）。',
  outsourcedAbove: (outsourced: number, total: number) => `委托外部研究开发费用合计 ${wan(outsourced)} 万元，超过了研发费用合计 ${wan(total)} 万元。`,
  sumDiffers: (sum: number, total: number) => `各项合计 ${wan(sum)} 万元，与填写的合计 ${wan(total)} 万元相差 ${wan(Math.abs(sum - total))} 万元（各项${sum > total ? '多' : '少'}）。`,
  code: '项目编号应为 RD 加数字，如 RD01。',
  codeTaken: (code: string) => `本年度已有项目编号 ${code}，同一年度内项目编号不能重复。`,
  name: '请填写项目名称。',
  date: '日期格式应为 YYYY-MM-DD。',
  endBeforeStart: '结束日期早于开始日期。',
} as const;

/**
 * The checks of a set of category amounts (元), shared by the year form, the project form and the import: not
 * negative, whole 元, and — with a book total — outsourcing not above it and the categories adding up to it.
 * Keys of the result are the category keys and 'typedTotal'.
 */
export function checkRdAmounts(values: Partial<Record<RdAmountKey, number>>, typedTotal: number | null = null): Record<string, string> {
  const errors: Record<string, string> = {};
  const amount = (key: string, v: number | null | undefined) => {
    if (v === null || v === undefined) return;
    if (v < 0) errors[key] = RD_MESSAGES.negative;
    else if (!Number.isSafeInteger(v)) errors[key] = RD_MESSAGES.notWhole;
  };
  for (const k of RD_AMOUNT_KEYS) amount(k, values[k]);
  amount('typedTotal', typedTotal);
  if (Object.keys(errors).length === 0 && typedTotal !== null) {
    const outsourced = (values.outsourcedDomestic ?? 0) + (values.outsourcedForeign ?? 0);
    const sum = RD_AMOUNT_KEYS.reduce((s, k) => s + (values[k] ?? 0), 0);
    if (outsourced > typedTotal) errors.outsourcedDomestic = RD_MESSAGES.outsourcedAbove(outsourced, typedTotal);
    else if (sum !== typedTotal) errors.typedTotal = RD_MESSAGES.sumDiffers(sum, typedTotal);
  }
  return errors;
}

/** The project's own fields (code, name, dates, budget); `taken` are the other codes of the same firm and year. */
export function checkRdProject(p: Pick<RdProjectInput, 'code' | 'name' | 'startDate' | 'endDate' | 'budget'>, taken: ReadonlySet<string>): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!/^RD\d{1,6}$/.test(p.code)) errors.code = RD_MESSAGES.code;
  else if (taken.has(p.code)) errors.code = RD_MESSAGES.codeTaken(p.code);
  if (p.name.trim() === '') errors.name = RD_MESSAGES.name;
  const start = p.startDate === null ? null : tryParseDate(p.startDate);
  const end = p.endDate === null ? null : tryParseDate(p.endDate);
  if (p.startDate !== null && !start) errors.startDate = RD_MESSAGES.date;
  if (p.endDate !== null && !end) errors.endDate = RD_MESSAGES.date;
  if (start && end && p.endDate! < p.startDate!) errors.endDate = RD_MESSAGES.endBeforeStart;
  if (p.budget !== null) {
    if (p.budget < 0) errors.budget = RD_MESSAGES.negative;
    else if (!Number.isSafeInteger(p.budget)) errors.budget = RD_MESSAGES.notWhole;
  }
  return errors;
}

/** A project code as typed (rd01, ＲＤ０１, "RD 01") in its stored form. */
export function normalizeRdCode(text: string): string {
  return text.normalize('NFKC').replace(/\s/g, '').toUpperCase();
}
