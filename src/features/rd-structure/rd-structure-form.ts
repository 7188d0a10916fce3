/** The R&D structure form: each category in 万元 (exact to the 元, not negative); a typed total must be matched. */
import type { RdStructureInput } from '../../domain/eligibility/rd-structure.js';
import { formatWanExact, parseWan } from '../../lib/money.js';
import { RD_CATEGORIES } from './rd-structure.queries.js';

export type RdParse = { ok: true; value: RdStructureInput; typedTotal: number | null } | { ok: false; errors: Record<string, string> };

export function parseRdForm(year: number, body: Record<string, string>): RdParse {
  const errors: Record<string, string> = {};
  const value = { year } as RdStructureInput;
  for (const c of RD_CATEGORIES) {
    const p = parseWan(body[c.key]);
    if (!p.ok) errors[c.key] = p.message;
    else if (p.yuan !== null && p.yuan < 0) errors[c.key] = '金额不能为负数。';
    else (value as unknown as Record<string, number>)[c.key] = p.yuan ?? 0; // blank = 0
  }
  const t = parseWan(body.typedTotal);
  let typedTotal: number | null = null;
  if (!t.ok) errors.typedTotal = t.message;
  else if (t.yuan !== null && t.yuan < 0) errors.typedTotal = '金额不能为负数。';
  else typedTotal = t.yuan;
  if (Object.keys(errors).length === 0 && typedTotal !== null) {
    const outsourced = value.outsourcedDomestic + value.outsourcedForeign;
    const sum = RD_CATEGORIES.reduce((s, c) => s + value[c.key], 0);
    if (outsourced > typedTotal) errors.outsourcedDomestic = `委托外部研究开发费用合计 ${formatWanExact(outsourced)} 万元，超过了研发费用合计 ${formatWanExact(typedTotal)} 万元。`;
    else if (sum !== typedTotal) {
      const diff = sum - typedTotal;
      errors.typedTotal = `各项合计 ${formatWanExact(sum)} 万元，与填写的合计 ${formatWanExact(typedTotal)} 万元相差 ${formatWanExact(Math.abs(diff))} 万元（各项${diff > 0 ? '多' : '少'}）。`;
    }
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value, typedTotal };
}

export function rdFormFrom(s: (RdStructureInput & { typedTotal: number | null }) | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of RD_CATEGORIES) out[c.key] = s ? formatWanExact(s[c.key]) : '';
  out.typedTotal = s && s.typedTotal !== null ? formatWanExact(s.typedTotal) : '';
  return out;
}
