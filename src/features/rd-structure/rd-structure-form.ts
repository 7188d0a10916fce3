/**
 * The R&D forms: each category in 万元 (exact to the 元, not negative); a typed total must be matched. The amount
 * checks are the domain's checkRdAmounts, which the 研发费用结构明细表 import uses too.
 */
import { checkRdAmounts, checkRdProject, normalizeRdCode, type RdProjectInput, type RdStructureInput } from '../../domain/eligibility/rd-structure.js';
import { formatWanExact, parseWan } from '../../lib/money.js';
import { RD_CATEGORIES } from './rd-structure.queries.js';

export type RdParse = { ok: true; value: RdStructureInput; typedTotal: number | null } | { ok: false; errors: Record<string, string> };

function parseCategories(body: Record<string, string>, errors: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of RD_CATEGORIES) {
    const p = parseWan(body[c.key]);
    if (!p.ok) errors[c.key] = p.message;
    else out[c.key] = p.yuan ?? 0; // blank = 0
  }
  return out;
}

export function parseRdForm(year: number, body: Record<string, string>): RdParse {
  const errors: Record<string, string> = {};
  const amounts = parseCategories(body, errors);
  const t = parseWan(body.typedTotal);
  const typedTotal = t.ok ? t.yuan : null;
  if (!t.ok) errors.typedTotal = t.message;
  if (Object.keys(errors).length === 0) Object.assign(errors, checkRdAmounts(amounts, typedTotal));
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { year, ...amounts } as RdStructureInput, typedTotal };
}

export function rdFormFrom(s: (RdStructureInput & { typedTotal: number | null }) | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of RD_CATEGORIES) out[c.key] = s ? formatWanExact(s[c.key]) : '';
  out.typedTotal = s && s.typedTotal !== null ? formatWanExact(s.typedTotal) : '';
  return out;
}

export type RdProjectParse = { ok: true; value: RdProjectInput } | { ok: false; errors: Record<string, string> };

const text = (v: string | undefined, max: number) => (v ?? '').normalize('NFKC').trim().slice(0, max);
const orNull = (v: string) => (v === '' ? null : v);

/** A project of the year; `taken` are the codes of the year's other projects. */
export function parseRdProjectForm(body: Record<string, string>, taken: ReadonlySet<string>): RdProjectParse {
  const errors: Record<string, string> = {};
  const amounts = parseCategories(body, errors);
  const b = parseWan(body.budget);
  if (!b.ok) errors.budget = b.message;
  const value = {
    code: normalizeRdCode(body.code ?? ''),
    name: text(body.name, 200),
    startDate: orNull(text(body.startDate, 10)),
    endDate: orNull(text(body.endDate, 10)),
    budget: b.ok ? b.yuan : null,
    techField: orNull(text(body.techField, 100)),
    ...amounts,
  } as RdProjectInput;
  for (const [k, m] of Object.entries({ ...checkRdProject(value, taken), ...checkRdAmounts(amounts) })) errors[k] ??= m;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value };
}

export function rdProjectFormFrom(p: RdProjectInput | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of RD_CATEGORIES) out[c.key] = p ? formatWanExact(p[c.key]) : '';
  out.code = p?.code ?? '';
  out.name = p?.name ?? '';
  out.startDate = p?.startDate ?? '';
  out.endDate = p?.endDate ?? '';
  out.budget = p && p.budget !== null ? formatWanExact(p.budget) : '';
  out.techField = p?.techField ?? '';
  return out;
}
