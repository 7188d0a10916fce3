/**
 * Defaults for every [U] interpretation (domain.md §0.1: not verified in an official text).
 * Each default is labelled; results that depend on one carry `interpretation: true` and a note.
 */
import type { HteOptions, ResolvedHteOptions, ResolvedTsmeOptions, TsmeOptions } from './types.js';
import { compact } from './figures.js';

export const DEFAULT_HTE_OPTIONS: Readonly<ResolvedHteOptions> = {
  ipCountYear: 'latestFiscalYear', // [U] 以申报前一年末有效知识产权数量代表申请时状态
  conversionsDivisor: 'yearsOperated', // [U] 经营不满三年按实际经营年数求年均
  conversionsBelowOne: 'review', // [U] 年均 0～1 项（不含）原文未规定，转人工
  growthFirstYearZero: 'lastTwoYears', // [U] "按后两年计算" 读作 第三年÷第二年 − 1
  growthNegativeBase: 'review', // [U] 第一、二年末净资产为负，公式无意义，转人工
  growthFivePercent: 'mainTable', // [U] 正文 "≥5%" 与附件4 "＞5%" 不一致，默认按正文
  growthShortHistory: 'lastTwoYears', // [U] 仅两个经营年度：第二年÷第一年 − 1
  standardsBonusYears: 'upToApplicationYear', // [U] 指引未限定年限：申报年及以前任一年
};

export const DEFAULT_TSME_OPTIONS: Readonly<ResolvedTsmeOptions> = {
  dataYearOffset: -1, // [U] 信息表填报上一年度数据
  recentYears: { from: -4, to: 0 }, // [U] "近五年内" = 评价年度及此前四年
};

/** Chinese labels of the options, for settings screens and verdict notes. */
export const OPTION_NOTES: Readonly<Record<string, string>> = {
  ipCountYear: '［解释］以哪一年末的有效知识产权数量代表申请时状态（默认：申报前一年末）',
  conversionsDivisor: '［解释］经营不满三年企业的科技成果转化年均数除数（默认：实际经营年数）',
  conversionsBelowOne: '［解释］年均转化数介于0与1之间时的处理（默认：人工复核，0～6分）',
  growthFirstYearZero: '［解释］第一年末为0时"按后两年计算"的算法（默认：第三年÷第二年−1）',
  growthNegativeBase: '［解释］第一、二年末净资产（或销售收入）为负时的处理（默认：人工复核）',
  growthFivePercent: '［解释］增长率恰为5%时的档次（默认：按正文"≥5%"评D档；附件4为"＞5%"）',
  growthShortHistory: '［解释］仅有两个经营年度时的增长率算法（默认：第二年÷第一年−1）',
  standardsBonusYears: '［解释］参与编制标准加分所看年度（默认：申报年及以前任一年）',
  dataYearOffset: '［解释］科技型中小企业评价所用数据年度（默认：评价年度上一年）',
  recentYears: '［解释］"近五年内"的年度范围（默认：评价年度及此前四年）',
};

export function resolveHteOptions(options?: HteOptions): ResolvedHteOptions {
  return { ...DEFAULT_HTE_OPTIONS, ...compact(options ?? {}) };
}

export function resolveTsmeOptions(options?: TsmeOptions): ResolvedTsmeOptions {
  const given = compact(options ?? {});
  return {
    dataYearOffset: given.dataYearOffset ?? DEFAULT_TSME_OPTIONS.dataYearOffset,
    recentYears: { ...(given.recentYears ?? DEFAULT_TSME_OPTIONS.recentYears) },
  };
}
