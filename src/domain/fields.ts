/** 国家重点支持的高新技术领域: the eight top-level fields of the annex to 国科发火〔2016〕32号 (domain.md §1.1). */
export const TECH_FIELDS = [
  { key: 'electronic_info', label: '电子信息' },
  { key: 'biomedicine', label: '生物与新医药' },
  { key: 'aerospace', label: '航空航天' },
  { key: 'new_materials', label: '新材料' },
  { key: 'hitech_services', label: '高技术服务' },
  { key: 'new_energy', label: '新能源与节能' },
  { key: 'resources_environment', label: '资源与环境' },
  { key: 'advanced_manufacturing', label: '先进制造与自动化' },
] as const;
export type TechFieldKey = (typeof TECH_FIELDS)[number]['key'];

export function isTechFieldKey(value: unknown): value is TechFieldKey {
  return typeof value === 'string' && TECH_FIELDS.some((f) => f.key === value);
}

export function techFieldLabel(key: string | null | undefined): string {
  return TECH_FIELDS.find((f) => f.key === key)?.label ?? '';
}

/** 生命周期: set by the counsellor; steers coaching, not the stage. */
export const LIFECYCLES = [
  { key: 'startup', label: '初创期' },
  { key: 'growth', label: '成长期' },
  { key: 'mature', label: '成熟期' },
] as const;
export type LifecycleKey = (typeof LIFECYCLES)[number]['key'];

export function isLifecycleKey(value: unknown): value is LifecycleKey {
  return typeof value === 'string' && LIFECYCLES.some((l) => l.key === value);
}

export function lifecycleLabel(key: string | null | undefined): string {
  return LIFECYCLES.find((l) => l.key === key)?.label ?? '';
}
