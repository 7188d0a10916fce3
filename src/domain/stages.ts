/**
 * The cultivation stages, their order and their tier (梯次). This table is the single place that
 * knows them (design.md: no official text gives numeric tier criteria, so keep it in one spot).
 */

export const STAGE_KEYS = [
  'candidate',
  'incubating',
  'tech_sme',
  'hte_reserve',
  'hte_applying',
  'hte_certified',
  'benchmark',
  'exited',
] as const;
export type StageKey = (typeof STAGE_KEYS)[number];

export const TIER_KEYS = ['micro_growth', 'small_to_high', 'high_growth'] as const;
export type TierKey = (typeof TIER_KEYS)[number];

export interface TierDef {
  key: TierKey;
  label: string;
  meaning: string;
}

export const TIERS: readonly TierDef[] = [
  { key: 'micro_growth', label: '微成长', meaning: '培育小微科技企业，目标科技型中小企业评价入库' },
  { key: 'small_to_high', label: '小升高', meaning: '科技型中小企业 → 高新技术企业' },
  { key: 'high_growth', label: '高壮大', meaning: '高新技术企业做大做强，培育科技领军、小巨人' },
];

export interface StageDef {
  key: StageKey;
  label: string;
  /** null for the two stages outside the tiers: not yet screened, and exited. */
  tier: TierKey | null;
  /** 四个一批: 孵化、培育、认定、树标. */
  batch: string | null;
  /** Position on the main line; exited has none. */
  order: number | null;
}

export const STAGES: readonly StageDef[] = [
  { key: 'candidate', label: '候选', tier: null, batch: null, order: 0 },
  { key: 'incubating', label: '孵化培育', tier: 'micro_growth', batch: '孵化', order: 1 },
  { key: 'tech_sme', label: '科技型中小企业', tier: 'small_to_high', batch: '培育', order: 2 },
  { key: 'hte_reserve', label: '高企培育库', tier: 'small_to_high', batch: '培育', order: 3 },
  { key: 'hte_applying', label: '高企申报中', tier: 'small_to_high', batch: '认定', order: 4 },
  { key: 'hte_certified', label: '高新技术企业', tier: 'high_growth', batch: '认定', order: 5 },
  { key: 'benchmark', label: '科技领军/小巨人', tier: 'high_growth', batch: '树标', order: 6 },
  { key: 'exited', label: '退库', tier: null, batch: null, order: null },
];

const BY_KEY = new Map(STAGES.map((s) => [s.key, s]));

export function isStageKey(value: unknown): value is StageKey {
  return typeof value === 'string' && BY_KEY.has(value as StageKey);
}

export function stageDef(key: StageKey): StageDef {
  return BY_KEY.get(key)!;
}

export function stageLabel(key: string): string {
  return BY_KEY.get(key as StageKey)?.label ?? key;
}

export function tierLabel(key: TierKey | null): string {
  return TIERS.find((t) => t.key === key)?.label ?? '';
}

/** The stages on the main line, in order (everything but exited). */
export const MAIN_LINE: readonly StageKey[] = STAGES.filter((s) => s.order !== null).map((s) => s.key);

/** The next stage on the main line, or null at the end or for exited. */
export function nextStage(key: StageKey): StageKey | null {
  const order = stageDef(key).order;
  return order === null ? null : (MAIN_LINE[order + 1] ?? null);
}

/** Board groups: the candidate column, one group per tier, then the exit column. */
export interface StageGroup {
  key: string;
  label: string;
  stages: StageDef[];
}

export const STAGE_GROUPS: readonly StageGroup[] = [
  { key: 'pool', label: '候选名单', stages: STAGES.filter((s) => s.key === 'candidate') },
  ...TIERS.map((t) => ({ key: t.key, label: t.label, stages: STAGES.filter((s) => s.tier === t.key) })),
  { key: 'out', label: '退库', stages: STAGES.filter((s) => s.key === 'exited') },
];

/** Fixed exit reasons (design.md, rules of the data). */
export const EXIT_REASONS = [
  { key: 'moved_away', label: '迁出本地' },
  { key: 'deregistered', label: '注销/吊销' },
  { key: 'certification_failed', label: '认定未通过' },
  { key: 'qualification_revoked', label: '资格被取消' },
  { key: 'declined', label: '主动放弃' },
  { key: 'field_mismatch', label: '领域不符' },
  { key: 'other', label: '其他' },
] as const;
export type ExitReasonKey = (typeof EXIT_REASONS)[number]['key'];

export function isExitReasonKey(value: unknown): value is ExitReasonKey {
  return typeof value === 'string' && EXIT_REASONS.some((r) => r.key === value);
}

export function exitReasonLabel(key: string): string {
  return EXIT_REASONS.find((r) => r.key === key)?.label ?? key;
}

/** Where a firm may go back in from exited (design.md: "back in from exited to candidate or incubating"). */
export const REENTRY_STAGES: readonly StageKey[] = ['candidate', 'incubating'];
