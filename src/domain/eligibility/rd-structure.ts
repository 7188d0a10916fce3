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
