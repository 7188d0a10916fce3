/**
 * The four candidate lists (四张清单) of the Yuyao reply to proposal 113: who sends them and how a
 * badge on a card names them. One table; everything else reads it.
 */
export const LIST_KINDS = [
  { key: 'rd_deduction', label: '研发费加计扣除', short: '加计', source: '税务局' },
  { key: 'patent', label: '授权专利', short: '专利', source: '市场监管局（知识产权）' },
  { key: 'below_scale', label: '规下样本', short: '规下', source: '统计局' },
  { key: 'incubator', label: '园区在孵企业', short: '在孵', source: '各园区' },
] as const;
export type ListKindKey = (typeof LIST_KINDS)[number]['key'];

export function isListKind(value: unknown): value is ListKindKey {
  return typeof value === 'string' && LIST_KINDS.some((k) => k.key === value);
}

export function listKindDef(key: ListKindKey) {
  return LIST_KINDS.find((k) => k.key === key)!;
}

export function listKindLabel(key: string): string {
  return LIST_KINDS.find((k) => k.key === key)?.label ?? key;
}

/** Lists accepted for a year: a few years back, and the current year. */
export function listYears(currentYear: number): number[] {
  return [currentYear, currentYear - 1, currentYear - 2, currentYear - 3, currentYear - 4];
}

/**
 * What an upload can be: one of the four lists, or annual figures (年度指标) of registered firms,
 * which go into their figures instead of a list.
 */
export const IMPORT_KINDS = [
  ...LIST_KINDS,
  { key: 'annual_figures', label: '年度指标', short: '指标', source: '企业财务与知识产权数据（审计报告、纳税申报）' },
  // Official result lists (issue 10 item 2, src/domain/official-lists.ts): they record certifications in the
  // register, never list entries, so they stay out of the four lists' counts and overlap.
  { key: 'hte_publicity', label: '高新技术企业公示名单', short: '公示', source: '全国高新技术企业认定管理工作领导小组办公室（公示）' },
  { key: 'hte_filing', label: '高新技术企业备案/证书名单', short: '备案', source: '全国高新技术企业认定管理工作领导小组办公室（备案）' },
  { key: 'tsme_registration', label: '科技型中小企业入库名单', short: '入库', source: '科技型中小企业服务平台' },
  // Issue 12 item 2: the firms' R&D expense structure (指引 三（六）), per year or per R&D project; like annual
  // figures it writes the firms' data, not a list.
  { key: 'rd_structure', label: '研发费用结构明细表', short: '研发结构', source: '企业研发费用辅助账（高企申报、专项审计）' },
] as const;
export type ImportKindKey = (typeof IMPORT_KINDS)[number]['key'];

export function isImportKind(value: unknown): value is ImportKindKey {
  return typeof value === 'string' && IMPORT_KINDS.some((k) => k.key === value);
}

export function importKindLabel(key: string): string {
  return IMPORT_KINDS.find((k) => k.key === key)?.label ?? key;
}

/** The official result lists among the import kinds (issue 10 item 2). */
export const OFFICIAL_IMPORT_KINDS = ['hte_publicity', 'hte_filing', 'tsme_registration'] as const;
export function isOfficialImportKind(value: unknown): value is (typeof OFFICIAL_IMPORT_KINDS)[number] {
  return typeof value === 'string' && (OFFICIAL_IMPORT_KINDS as readonly string[]).includes(value);
}

/** The import kinds that write registered firms' own data (figures, R&D structure): no list, nothing superseded, no revert. */
export const FIRM_DATA_IMPORT_KINDS = ['annual_figures', 'rd_structure'] as const;
export function isFirmDataImportKind(value: unknown): value is (typeof FIRM_DATA_IMPORT_KINDS)[number] {
  return typeof value === 'string' && (FIRM_DATA_IMPORT_KINDS as readonly string[]).includes(value);
}
