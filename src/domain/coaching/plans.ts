/**
 * A firm's coaching plan (辅导方案): lifecycle category (on the firm), goals in free text, a target
 * certification with a target year, and the counsellor (on the firm). design.md, "Coaching".
 */
export const TARGET_CERTIFICATIONS = [
  { key: 'tsme', label: '科技型中小企业评价入库' },
  { key: 'provincial_tsme', label: '省级科技型中小企业' },
  { key: 'hte', label: '高新技术企业认定' },
  { key: 'benchmark', label: '科技领军/小巨人' },
] as const;
export type TargetCertificationKey = (typeof TARGET_CERTIFICATIONS)[number]['key'];

export function isTargetCertification(value: unknown): value is TargetCertificationKey {
  return typeof value === 'string' && TARGET_CERTIFICATIONS.some((t) => t.key === value);
}

export function targetCertificationLabel(key: string | null | undefined): string {
  return TARGET_CERTIFICATIONS.find((t) => t.key === key)?.label ?? '';
}

export const PLAN_LIMITS = { goals: 2000 } as const;

/** A target year this year or within the next five years. */
export function isPlausibleTargetYear(year: number, today: string): boolean {
  const now = Number(today.slice(0, 4));
  return Number.isInteger(year) && year >= now - 1 && year <= now + 5;
}
