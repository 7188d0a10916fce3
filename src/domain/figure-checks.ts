/**
 * What makes one year's figures of a firm acceptable, whoever enters them: the figures form on the
 * firm page and the list / figures import call this one function (issue 8 item 2: "the import
 * applies the same validation as the form, one function for both").
 *
 * Refusals (errors): amounts below zero — every amount of the 高新技术企业认定 forms (国科发火〔2016〕
 * 32号, 附件《工作指引》: 销售收入, 收入总额, 研究开发费用…) is a sum of money received or spent, so it
 * cannot be negative; only 净资产 can (liabilities above assets) — and the parts-of-a-whole rules
 * (科技人员 ≤ 职工总数, 主营业务收入 ≤ 销售收入, 境内研发费用 ≤ 研发费用总额, 不征税收入 / 高新技术产品收入 ≤ 收入总额, used Ⅱ类 ≤ Ⅱ类).
 * Warnings (to check, not refused): R&D spending above sales revenue, which a start-up may really
 * have, but which in a bureau's lists is most often a column or unit mix-up.
 */

/** The figures, money in whole 元, head counts as annual averages (decimals allowed). */
export type FigureCheckKey =
  | 'salesRevenue'
  | 'mainRevenue'
  | 'totalIncome'
  | 'nonTaxableIncome'
  | 'hitechIncome'
  | 'totalCost'
  | 'rdExpense'
  | 'rdDomestic'
  | 'rdOutsourced'
  | 'rdDeductible'
  | 'staffTotal'
  | 'techStaff'
  | 'totalAssets'
  | 'netAssets'
  | 'ipClass1'
  | 'ipClass2'
  | 'ipClass2Used'
  | 'conversions'
  | 'standardsLed';

export type FigureCheckInput = Partial<Record<FigureCheckKey | string, number | boolean | null | undefined>>;

export interface FigureCheck {
  /** Refused values, by key: the message says why. */
  errors: Partial<Record<FigureCheckKey, string>>;
  /** Plausible but worth a second look, by key. */
  warnings: Partial<Record<FigureCheckKey, string>>;
}

export const MONEY_KEYS: readonly FigureCheckKey[] = [
  'salesRevenue',
  'mainRevenue',
  'totalIncome',
  'nonTaxableIncome',
  'hitechIncome',
  'totalCost',
  'rdExpense',
  'rdDomestic',
  'rdOutsourced',
  'rdDeductible',
  'totalAssets',
  'netAssets',
];

/** 净资产 = 资产 − 负债 may be below zero; no other amount may. */
const MAY_BE_NEGATIVE: ReadonlySet<FigureCheckKey> = new Set(['netAssets']);

export const FIGURE_CHECK_MESSAGES = {
  negative: '金额不能为负数。',
  negativeCount: '不能为负数。',
  techOverTotal: '科技人员数不能超过职工总数。',
  domesticOverTotal: '境内研发费用不能超过研发费用总额。',
  usedOverClass2: '已用于申报的Ⅱ类知识产权不能多于Ⅱ类知识产权总数。',
  nonTaxableOverIncome: '不征税收入不能超过收入总额。',
  hitechOverIncome: '高新技术产品（服务）收入不能超过收入总额。',
  mainOverSales: '主营业务收入不能超过销售收入（销售收入为主营业务与其他业务收入之和）。',
  rdOverRevenue: '研发费用高于销售收入，请核对金额、单位和所填的列。',
} as const;

export function checkFigures(values: FigureCheckInput): FigureCheck {
  const errors: FigureCheck['errors'] = {};
  const warnings: FigureCheck['warnings'] = {};
  const n = (k: FigureCheckKey) => (typeof values[k] === 'number' ? (values[k] as number) : null);
  for (const key of MONEY_KEYS) {
    const v = n(key);
    if (v !== null && v < 0 && !MAY_BE_NEGATIVE.has(key)) errors[key] = FIGURE_CHECK_MESSAGES.negative;
  }
  for (const key of ['staffTotal', 'techStaff', 'ipClass1', 'ipClass2', 'ipClass2Used', 'conversions', 'standardsLed'] as const) {
    const v = n(key);
    if (v !== null && v < 0) errors[key] = FIGURE_CHECK_MESSAGES.negativeCount;
  }
  const over = (a: FigureCheckKey, b: FigureCheckKey, message: string) => {
    const x = n(a);
    const y = n(b);
    if (x !== null && y !== null && x > y && !errors[a]) errors[a] = message;
  };
  over('techStaff', 'staffTotal', FIGURE_CHECK_MESSAGES.techOverTotal);
  over('rdDomestic', 'rdExpense', FIGURE_CHECK_MESSAGES.domesticOverTotal);
  over('ipClass2Used', 'ipClass2', FIGURE_CHECK_MESSAGES.usedOverClass2);
  over('nonTaxableIncome', 'totalIncome', FIGURE_CHECK_MESSAGES.nonTaxableOverIncome);
  over('hitechIncome', 'totalIncome', FIGURE_CHECK_MESSAGES.hitechOverIncome);
  // 2017 办法: "企业销售收入为主营业务与其他业务收入之和" — the 主营 part cannot exceed the whole.
  over('mainRevenue', 'salesRevenue', FIGURE_CHECK_MESSAGES.mainOverSales);
  const rd = n('rdExpense');
  const revenue = n('salesRevenue');
  if (rd !== null && revenue !== null && rd > revenue && !errors.rdExpense) warnings.rdExpense = FIGURE_CHECK_MESSAGES.rdOverRevenue;
  return { errors, warnings };
}

/**
 * A value about 10,000 times (or 1/10,000 of) the same figure of the year before: the mark of an
 * amount read in the wrong unit (元 for 万元 or the reverse; issue 8 item 2). Flagged from a factor of
 * 1,000 either way, so that a 千元/万元 or 元/千元 mix-up is caught as well; zero is never compared.
 */
export function unitSlip(value: number, previous: number | null | undefined): number | null {
  if (previous === null || previous === undefined || value <= 0 || previous <= 0) return null;
  const ratio = value / previous;
  if (ratio >= 1000 || ratio <= 1 / 1000) return ratio;
  return null;
}
