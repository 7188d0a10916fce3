/**
 * 企业成长性 (≤20): 净资产增长率 and 销售收入增长率, each banded to ≤10 points.
 * 《高新技术企业认定管理工作指引》三（七）4 (domain.md §2.6.4).
 *
 *   增长率 = 1/2 ×（第二年 ÷ 第一年 ＋ 第三年 ÷ 第二年）－ 1
 *
 * computed exactly as the fraction (y2² + y1·y3 − 2·y1·y2) / (2·y1·y2).
 */
import { abs, atLeast, compare, formatPercent, frac, greaterThan, pct, sub, type Fraction } from './ratio.js';
import type { Band, PointRange, ResolvedHteOptions, ScoreItemStatus } from './types.js';

export interface GrowthAssessment {
  status: ScoreItemStatus; // 'computed' | 'review' (missing data is handled by the caller)
  band: Band | null;
  points: PointRange;
  rate?: Fraction;
  value?: string;
  note?: string;
  interpretation?: boolean;
}

const FULL_RANGE: PointRange = [0, 10];
const FIVE = pct(5);
const NEAR_FIVE = pct('0.5'); // ±0.005 around 5%

/** Main table of 指引 三（七）4: ≥35% A 9–10, ≥25% B 7–8, ≥15% C 5–6, ≥5% D 3–4, >0 E 1–2, ≤0 F 0. */
export function growthBand(rate: Fraction, fivePercent: ResolvedHteOptions['growthFivePercent']): { band: Band; points: PointRange } {
  if (atLeast(rate, pct(35))) return { band: 'A', points: [9, 10] };
  if (atLeast(rate, pct(25))) return { band: 'B', points: [7, 8] };
  if (atLeast(rate, pct(15))) return { band: 'C', points: [5, 6] };
  // 正文 "≥5%" vs 附件4 "D. ＞5%": exactly 5% is D under the main table, E under Annex 4. [U]
  const isD = fivePercent === 'mainTable' ? atLeast(rate, FIVE) : greaterThan(rate, FIVE);
  if (isD) return { band: 'D', points: [3, 4] };
  if (greaterThan(rate, frac(0n, 1n))) return { band: 'E', points: [1, 2] };
  return { band: 'F', points: [0, 0] };
}

/** 1/2 × (y2/y1 + y3/y2) − 1, for y1 ≠ 0 and y2 ≠ 0. */
export function threeYearRate(y1: bigint, y2: bigint, y3: bigint): Fraction {
  return frac(y2 * y2 + y1 * y3 - 2n * y1 * y2, 2n * y1 * y2);
}

/** b/a − 1, for a ≠ 0. */
export function twoYearRate(a: bigint, b: bigint): Fraction {
  return frac(b - a, a);
}

function review(note: string, interpretation = false): GrowthAssessment {
  return { status: 'review', band: null, points: FULL_RANGE, note, interpretation };
}

function zero(note: string, rate?: Fraction): GrowthAssessment {
  return { status: 'computed', band: 'F', points: [0, 0], note, ...(rate ? { rate, value: formatPercent(rate) } : {}) };
}

/**
 * Assesses one growth series (the operated years of Y−3..Y−1, oldest first, all values present).
 * Order of the special rules, quoted from 指引 三（七）4:
 *  1. "第二年末净资产或销售收入为0的，按0分计算" → 0 points  [T]
 *  2. negative value in year 1 or 2 → formula meaningless → review (configurable)  [U]
 *  3. "第一年末净资产或销售收入为0的，按后两年计算" → y3/y2 − 1 (configurable)  [U reading]
 *  4. "增长率为负的，按0分计算" → 0 points  [T]
 */
export function assessGrowth(values: readonly bigint[], options: ResolvedHteOptions): GrowthAssessment {
  if (values.length < 2) return review('实际经营期不足两个会计年度，无法计算增长率，请人工评价');
  let rate: Fraction;
  let interpretation = false;
  const notes: string[] = [];

  if (values.length === 2) {
    // "企业实际经营期不满三年的按实际经营时间计算": no formula given for two years. [U]
    const [a, b] = values as [bigint, bigint];
    if (options.growthShortHistory === 'review') return review('实际经营期仅两个会计年度，指引未给出算法，请人工评价', true);
    if (a === 0n) return review('实际经营期仅两个会计年度且第一年末为0，无法计算，请人工评价', true);
    if (a < 0n) return review('第一年末为负数，增长率公式无意义，请人工评价', true);
    rate = twoYearRate(a, b);
    interpretation = true;
    notes.push('实际经营期仅两个会计年度，按 第二年÷第一年−1 计算（解释）');
  } else {
    const [y1, y2, y3] = values.slice(-3) as [bigint, bigint, bigint];
    if (y2 === 0n) return zero('第二年末为0，按0分计算（指引 三（七）4）');
    if ((y1 < 0n || y2 < 0n) && options.growthNegativeBase === 'review') {
      return review('第一或第二年末为负数，增长率公式无意义（原文未规定），请人工评价', true);
    }
    if (y1 === 0n) {
      if (options.growthFirstYearZero === 'review') return review('第一年末为0，"按后两年计算"算法待人工确定', true);
      rate = twoYearRate(y2, y3);
      interpretation = true;
      notes.push('第一年末为0，按后两年计算：第三年÷第二年−1（解释）');
    } else {
      rate = threeYearRate(y1, y2, y3);
      if (y1 < 0n || y2 < 0n) {
        interpretation = true;
        notes.push('第一或第二年末为负数，仍按公式计算（解释）');
      }
    }
  }

  if (compare(rate, frac(0n, 1n)) < 0) {
    return { ...zero(`增长率为负，按0分计算${notes.length ? `；${notes.join('；')}` : ''}`, rate), interpretation };
  }
  const { band, points } = growthBand(rate, options.growthFivePercent);
  if (!greaterThan(abs(sub(rate, FIVE)), NEAR_FIVE)) {
    notes.push(
      `增长率接近5%分档线：正文表为"≥5%"评D档，附件4财务专家评价表印为"＞5%"；当前按${options.growthFivePercent === 'mainTable' ? '正文' : '附件4'}评${band}档`,
    );
    if (compare(rate, FIVE) === 0) interpretation = true;
  }
  return {
    status: 'computed',
    band,
    points,
    rate,
    value: formatPercent(rate),
    ...(notes.length ? { note: notes.join('；') } : {}),
    interpretation,
  };
}
