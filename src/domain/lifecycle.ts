/**
 * A suggested lifecycle category (初创期 / 成长期 / 成熟期) from the firm's age and latest figures.
 * No official text defines the three (domain.md §10), so this is an interpretation [U], shown as a
 * suggestion beside the counsellor's own choice, which always wins.
 */
import { daysBetween } from './eligibility/dates.js';
import type { LifecycleKey } from './fields.js';

export const LIFECYCLE_RULE_NOTE =
  '系统建议（解释性规则，非官方标准）：成立不满 3 年或年销售收入不足 500 万元为初创期；成立 10 年以上且年销售收入 1 亿元以上为成熟期；其余为成长期。';

const WAN = 10_000;

export interface LifecycleSuggestion {
  key: LifecycleKey;
  basis: string;
}

export function suggestLifecycle(foundedOn: string | null, latestSales: { year: number; yuan: number } | null, today: string): LifecycleSuggestion | null {
  if (!foundedOn && !latestSales) return null;
  const years = foundedOn ? daysBetween(foundedOn, today) / 365.25 : null;
  const sales = latestSales?.yuan ?? null;
  const basis = [
    years !== null ? `成立 ${Math.floor(years)} 年` : null,
    sales !== null ? `${latestSales!.year} 年销售收入 ${(sales / WAN).toFixed(0)} 万元` : null,
  ]
    .filter(Boolean)
    .join('，');
  if ((years !== null && years < 3) || (sales !== null && sales < 500 * WAN)) return { key: 'startup', basis };
  if (years !== null && years >= 10 && sales !== null && sales >= 10_000 * WAN) return { key: 'mature', basis };
  return { key: 'growth', basis };
}
