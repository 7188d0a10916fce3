/** Annual figures (年度指标): one row per firm and year; money in 元, head counts as hundredths in the DB. */
import type { Db } from '../../db/types.js';
import type { YearFigures } from '../../domain/eligibility/index.js';
import type { ScaleYear } from '../../domain/scale.js';

/** A stored year: the rules module's figures (YearFigures, money in 元) plus the row's identity and version. */
export interface AnnualFigures extends YearFigures {
  /**
   * 主营业务收入 (元): the basis of 规上工业 (domain.md §6, src/domain/scale.ts); not an eligibility input,
   * so it lives here and not in the rules module's YearFigures. Part of 销售收入 (2017 办法: 销售收入为主营业务
   * 与其他业务收入之和).
   */
  mainRevenue: number | null;
  id: number;
  firmId: number;
  version: number;
  updatedAt: string;
}

export type FigureValues = Omit<AnnualFigures, 'id' | 'firmId' | 'year' | 'version' | 'updatedAt'>;

interface FigureRow {
  id: number;
  firm_id: number;
  year: number;
  sales_revenue: number | null;
  main_revenue: number | null;
  total_income: number | null;
  non_taxable_income: number | null;
  hitech_income: number | null;
  total_cost: number | null;
  rd_expense: number | null;
  rd_domestic: number | null;
  rd_outsourced: number | null;
  rd_deductible: number | null;
  staff_total_x100: number | null;
  tech_staff_x100: number | null;
  total_assets: number | null;
  net_assets: number | null;
  ip_class1: number | null;
  ip_class2: number | null;
  ip_class2_used: number | null;
  conversions: number | null;
  major_incident: number | boolean | null;
  standards_led: number | null;
  has_rd_institution: number | boolean | null;
  national_award_top3: number | boolean | null;
  version: number;
  updated_at: string;
}

const bool = (v: number | boolean | null) => (v === null ? null : Boolean(v));
const num = (v: number | string | null) => (v === null ? null : Number(v));
const fromX100 = (v: number | null) => (v === null ? null : v / 100);
const toX100 = (v: number | null) => (v === null ? null : Math.round(v * 100));

function toFigures(r: FigureRow): AnnualFigures {
  return {
    id: r.id,
    firmId: r.firm_id,
    year: r.year,
    salesRevenue: num(r.sales_revenue),
    mainRevenue: num(r.main_revenue),
    totalIncome: num(r.total_income),
    nonTaxableIncome: num(r.non_taxable_income),
    hitechIncome: num(r.hitech_income),
    totalCost: num(r.total_cost),
    rdExpense: num(r.rd_expense),
    rdDomestic: num(r.rd_domestic),
    rdOutsourced: num(r.rd_outsourced),
    rdDeductible: num(r.rd_deductible),
    staffTotal: fromX100(r.staff_total_x100),
    techStaff: fromX100(r.tech_staff_x100),
    totalAssets: num(r.total_assets),
    netAssets: num(r.net_assets),
    ipClass1: r.ip_class1,
    ipClass2: r.ip_class2,
    ipClass2Used: r.ip_class2_used,
    conversions: r.conversions,
    majorIncident: bool(r.major_incident),
    standardsLed: r.standards_led,
    hasRdInstitution: bool(r.has_rd_institution),
    nationalAwardTop3: bool(r.national_award_top3),
    version: r.version,
    updatedAt: r.updated_at,
  };
}

export function figureColumns(v: FigureValues): Record<string, unknown> {
  return {
    sales_revenue: v.salesRevenue,
    main_revenue: v.mainRevenue,
    total_income: v.totalIncome,
    non_taxable_income: v.nonTaxableIncome,
    hitech_income: v.hitechIncome,
    total_cost: v.totalCost,
    rd_expense: v.rdExpense,
    rd_domestic: v.rdDomestic,
    rd_outsourced: v.rdOutsourced,
    rd_deductible: v.rdDeductible,
    staff_total_x100: toX100(v.staffTotal),
    tech_staff_x100: toX100(v.techStaff),
    total_assets: v.totalAssets,
    net_assets: v.netAssets,
    ip_class1: v.ipClass1,
    ip_class2: v.ipClass2,
    ip_class2_used: v.ipClass2Used,
    conversions: v.conversions,
    major_incident: v.majorIncident,
    standards_led: v.standardsLed,
    has_rd_institution: v.hasRdInstitution,
    national_award_top3: v.nationalAwardTop3,
  };
}

/** Map raw annual_figures rows (any firms) to objects. */
export function toFiguresRows(rows: unknown[]): AnnualFigures[] {
  return (rows as FigureRow[]).map(toFigures);
}

/** All years of one firm, oldest first. */
export async function figuresForFirm(db: Db, firmId: number): Promise<AnnualFigures[]> {
  const rows = (await db('annual_figures').where({ firm_id: firmId }).orderBy('year')) as FigureRow[];
  return rows.map(toFigures);
}

export async function figuresOfYear(db: Db, firmId: number, year: number): Promise<AnnualFigures | null> {
  const row = (await db('annual_figures').where({ firm_id: firmId, year }).first()) as FigureRow | undefined;
  return row ? toFigures(row) : null;
}

export async function insertFigures(db: Db, firmId: number, year: number, values: FigureValues, at: string): Promise<void> {
  await db('annual_figures').insert({ firm_id: firmId, year, ...figureColumns(values), version: 1, updated_at: at });
}

/** Optimistic update of one year; false when the version moved on. */
export async function updateFigures(db: Db, firmId: number, year: number, version: number, values: FigureValues, at: string): Promise<boolean> {
  const n = await db('annual_figures').where({ firm_id: firmId, year, version }).update({ ...figureColumns(values), version: version + 1, updated_at: at });
  return n === 1;
}

export interface FigureTotals {
  /** Firms with a figures row for the year. */
  firms: number;
  rdExpense: number;
  salesRevenue: number;
  hitechIncome: number;
  /** Head counts (annual monthly averages), whole persons. */
  techStaff: number;
  staffTotal: number;
  /** Firms with both R&D and sales reported (the R&D/sales ratio is over them). */
  ratioFirms: number;
  ratioRd: number;
  ratioSales: number;
}

/** Sums of the year's figures over these firms (the annual report's T6), in 元 and persons. */
export async function figureTotals(db: Db, firmIds: number[], year: number): Promise<FigureTotals> {
  const t: FigureTotals = { firms: 0, rdExpense: 0, salesRevenue: 0, hitechIncome: 0, techStaff: 0, staffTotal: 0, ratioFirms: 0, ratioRd: 0, ratioSales: 0 };
  for (let i = 0; i < firmIds.length; i += 500) {
    const r = (await db('annual_figures')
      .whereIn('firm_id', firmIds.slice(i, i + 500))
      .andWhere('year', year)
      .first(
        db.raw('count(*) as n'),
        db.raw('coalesce(sum(rd_expense), 0) as rd'),
        db.raw('coalesce(sum(sales_revenue), 0) as sales'),
        db.raw('coalesce(sum(hitech_income), 0) as hitech'),
        db.raw('coalesce(sum(tech_staff_x100), 0) as tech'),
        db.raw('coalesce(sum(staff_total_x100), 0) as staff'),
        db.raw('sum(case when rd_expense is not null and sales_revenue > 0 then 1 else 0 end) as rn'),
        db.raw('coalesce(sum(case when rd_expense is not null and sales_revenue > 0 then rd_expense else 0 end), 0) as rrd'),
        db.raw('coalesce(sum(case when rd_expense is not null and sales_revenue > 0 then sales_revenue else 0 end), 0) as rsales'),
      )) as Record<string, number | string | null>;
    t.firms += Number(r.n ?? 0);
    t.rdExpense += Number(r.rd ?? 0);
    t.salesRevenue += Number(r.sales ?? 0);
    t.hitechIncome += Number(r.hitech ?? 0);
    t.techStaff += Number(r.tech ?? 0) / 100;
    t.staffTotal += Number(r.staff ?? 0) / 100;
    t.ratioFirms += Number(r.rn ?? 0);
    t.ratioRd += Number(r.rrd ?? 0);
    t.ratioSales += Number(r.rsales ?? 0);
  }
  return t;
}

/** The latest year with any figures for these firms, at most `year` (null: none). */
export async function latestFigureYear(db: Db, firmIds: number[], year: number): Promise<number | null> {
  let best: number | null = null;
  for (let i = 0; i < firmIds.length; i += 500) {
    const r = (await db('annual_figures').whereIn('firm_id', firmIds.slice(i, i + 500)).andWhere('year', '<=', year).max({ y: 'year' }).first()) as { y: number | null } | undefined;
    if (r?.y != null && (best === null || Number(r.y) > best)) best = Number(r.y);
  }
  return best;
}

/** Each firm's years with their 主营业务收入 and 销售收入 (元), for the 规上/规下 class (src/domain/scale.ts). */
export async function revenueYears(db: Db, firmIds: number[]): Promise<Map<number, ScaleYear[]>> {
  const out = new Map<number, ScaleYear[]>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('annual_figures').whereIn('firm_id', firmIds.slice(i, i + 500)).select('firm_id', 'year', 'main_revenue', 'sales_revenue')) as { firm_id: number; year: number; main_revenue: number | string | null; sales_revenue: number | string | null }[];
    for (const r of rows) {
      const list = out.get(r.firm_id) ?? [];
      list.push({ year: Number(r.year), mainRevenue: num(r.main_revenue), salesRevenue: num(r.sales_revenue) });
      out.set(r.firm_id, list);
    }
  }
  return out;
}
