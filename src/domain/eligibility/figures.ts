/**
 * Reading yearly figures by year, with "missing" tracked as data (never as a failure),
 * plus the small helpers every rule module shares.
 */
import { frac, toHundredths, toYuan, type Fraction } from './ratio.js';
import { staffAverage, type StaffAverage } from './staff.js';
import { computeRdStructure, type RdStructureResult } from './rd-structure.js';
import type { ConditionResult, FirmFacts, Status, YearFigures } from './types.js';

export type Figures = ReadonlyMap<number, YearFigures>;

/** Index figures by year. When a year appears twice, the first row wins. */
export function indexFigures(figures: readonly YearFigures[]): Figures {
  const byYear = new Map<number, YearFigures>();
  for (const row of figures) if (!byYear.has(row.year)) byYear.set(row.year, row);
  return byYear;
}

export const FIELD_LABELS: Readonly<Record<Exclude<keyof YearFigures, 'year'>, string>> = {
  salesRevenue: '销售收入',
  totalIncome: '收入总额',
  nonTaxableIncome: '不征税收入',
  hitechIncome: '高新技术产品（服务）收入',
  totalCost: '成本费用支出总额',
  rdExpense: '研发费用总额',
  rdDomestic: '境内研发费用',
  rdOutsourced: '委托外部研发费用',
  rdDeductible: '研发费用（加计扣除口径）',
  staffTotal: '职工总数',
  techStaff: '科技人员数',
  totalAssets: '资产总额',
  netAssets: '净资产',
  ipClass1: 'Ⅰ类知识产权数',
  ipClass2: 'Ⅱ类知识产权数',
  ipClass2Used: '已使用Ⅱ类知识产权数',
  conversions: '科技成果转化数',
  majorIncident: '重大事故或严重环境违法情况',
  standardsLed: '主导制定标准数',
  hasRdInstitution: '省部级以上研发机构情况',
  nationalAwardTop3: '国家级科技奖励情况',
};

export type MoneyKey =
  | 'salesRevenue' | 'totalIncome' | 'nonTaxableIncome' | 'hitechIncome' | 'totalCost'
  | 'rdExpense' | 'rdDomestic' | 'rdOutsourced' | 'rdDeductible' | 'totalAssets' | 'netAssets';
export type CountKey = 'ipClass1' | 'ipClass2' | 'ipClass2Used' | 'conversions' | 'standardsLed';
export type StaffKey = 'staffTotal' | 'techStaff';
export type FlagKey = 'majorIncident' | 'hasRdInstitution' | 'nationalAwardTop3';

/** A value read from the figures, or the reason it cannot be used (always → 'missing'). */
export type Read<T> = { ok: true; value: T } | { ok: false; note: string };

function absent(year: number, key: keyof typeof FIELD_LABELS): { ok: false; note: string } {
  return { ok: false, note: `缺少${year}年${FIELD_LABELS[key]}` };
}

function raw<K extends keyof typeof FIELD_LABELS>(idx: Figures, year: number, key: K): YearFigures[K] | null {
  const row = idx.get(year);
  return row ? row[key] : null;
}

/** Money in integer 元 as BigInt. A non-integer amount is unusable data, reported like a gap. */
export function readMoney(idx: Figures, year: number, key: MoneyKey): Read<bigint> {
  const v = raw(idx, year, key);
  if (v === null || v === undefined) return absent(year, key);
  const yuan = toYuan(v);
  return yuan === null ? { ok: false, note: `${year}年${FIELD_LABELS[key]}不是整数元，无法计算` } : { ok: true, value: yuan };
}

/** Non-negative integer counts (IP rights, conversions, standards). */
export function readCount(idx: Figures, year: number, key: CountKey): Read<bigint> {
  const v = raw(idx, year, key);
  if (v === null || v === undefined) return absent(year, key);
  if (!Number.isSafeInteger(v) || v < 0) return { ok: false, note: `${year}年${FIELD_LABELS[key]}不是非负整数，无法计算` };
  return { ok: true, value: BigInt(v) };
}

/** Headcounts (annual monthly averages) in hundredths of a person. */
export function readStaff(idx: Figures, year: number, key: StaffKey): Read<bigint> {
  const v = raw(idx, year, key);
  if (v === null || v === undefined) return absent(year, key);
  const h = toHundredths(v);
  return h === null ? { ok: false, note: `${year}年${FIELD_LABELS[key]}应为至多两位小数的非负数` } : { ok: true, value: h };
}

export function readFlag(idx: Figures, year: number, key: FlagKey): Read<boolean> {
  const v = raw(idx, year, key);
  return v === null || v === undefined ? absent(year, key) : { ok: true, value: v };
}

/** All values, or every reason why not (joined). */
export function readAll<T>(reads: readonly Read<T>[]): Read<T[]> {
  const notes = reads.flatMap((r) => (r.ok ? [] : [r.note]));
  if (notes.length > 0) return { ok: false, note: notes.join('；') };
  return { ok: true, value: reads.map((r) => (r as { ok: true; value: T }).value) };
}

export function sum(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

/** Inclusive integer range. */
export function yearRange(from: number, to: number): number[] {
  const out: number[] = [];
  for (let y = from; y <= to; y += 1) out.push(y);
  return out;
}

export function yearsText(years: readonly number[]): string {
  if (years.length === 0) return '（无）';
  const first = years[0];
  const last = years[years.length - 1];
  return years.length === 1 ? `${first}年` : `${first}–${last}年`;
}

/** Overall status: fail > missing > review > pass. Never 'pass' while anything is review or missing. */
export function overallStatus(statuses: readonly Status[]): Status {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('missing')) return 'missing';
  if (statuses.includes('review')) return 'review';
  return 'pass';
}

export function inputYearsOf(conditions: readonly ConditionResult[]): number[] {
  const years = new Set<number>();
  for (const c of conditions) for (const y of c.inputYears ?? []) years.add(y);
  return [...years].sort((a, b) => a - b);
}

/** Joins optional note fragments with '；', or undefined when there are none. */
export function joinNotes(...parts: (string | undefined | false | null)[]): string | undefined {
  const kept = parts.filter((p): p is string => typeof p === 'string' && p.length > 0);
  return kept.length > 0 ? kept.join('；') : undefined;
}

/** Removes keys whose value is undefined, so results compare cleanly and serialise small. */
export function compact<T extends object>(o: T): T {
  // A plain loop: this runs for every condition of every verdict (1M firms in the demo data).
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** Exact staff averages by year, from the monthly counts where the firm has them (指引 三（五）). */
export type StaffYears = ReadonlyMap<number, StaffAverage>;

export function indexStaff(facts: Pick<FirmFacts, 'staffMonths'>): StaffYears {
  const out = new Map<number, StaffAverage>();
  for (const m of facts.staffMonths ?? []) if (!out.has(m.year)) out.set(m.year, staffAverage(m));
  return out;
}

/**
 * A head count as an exact fraction: from the monthly counts when entered (source says so), else the
 * typed annual average (two decimals), labelled as typed.
 */
export function readStaffExact(idx: Figures, staff: StaffYears, year: number, key: StaffKey): Read<{ value: Fraction; monthly: boolean }> {
  const months = staff.get(year);
  if (months) return { ok: true, value: { value: key === 'staffTotal' ? months.total : months.tech, monthly: true } };
  const typed = readStaff(idx, year, key);
  return typed.ok ? { ok: true, value: { value: frac(typed.value, 100n), monthly: false } } : typed;
}

/** R&D totals by year from the expense structure, where the firm has one (指引 三（六）). */
export type RdYears = ReadonlyMap<number, RdStructureResult>;

export function indexRd(facts: Pick<FirmFacts, 'rdStructures'>): RdYears {
  const out = new Map<number, RdStructureResult>();
  for (const s of facts.rdStructures ?? []) if (!out.has(s.year)) out.set(s.year, computeRdStructure(s));
  return out;
}

/**
 * An R&D total as an exact fraction of a 元: from the structure when entered (high-tech basis for rdExpense and
 * rdDomestic, super-deduction basis for rdDeductible), else the typed total, labelled as typed.
 */
export function readRdExact(idx: Figures, rd: RdYears, year: number, key: 'rdExpense' | 'rdDomestic' | 'rdDeductible'): Read<{ value: Fraction; structured: boolean }> {
  const s = rd.get(year);
  if (s) return { ok: true, value: { value: key === 'rdExpense' ? s.hte.total : key === 'rdDomestic' ? s.hte.domestic : s.deduction.total, structured: true } };
  const typed = readMoney(idx, year, key);
  return typed.ok ? { ok: true, value: { value: frac(typed.value, 1n), structured: false } } : typed;
}
