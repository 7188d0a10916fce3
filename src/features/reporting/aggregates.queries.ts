/**
 * The one module of aggregates that reports, targets and the dashboard share ("Reports and
 * dashboards share one module of aggregates"). Every figure is read from its owner's query module
 * (the register from certifications.queries, stage history from stages, figures from figures,
 * the reserve from eligibility, coaching from the coaching queries) and combined here, so a number
 * on /targets, /reports/:year and /dashboard is the same number.
 *
 * `asOf` (an instant or a date) reads the register as it stood then (certification_history), so a
 * report computed as of a date is reproducible after a later correction.
 */
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { DEFAULT_CALENDAR, type TargetMetric, calendarFromHistory, targetMetricLabel } from '../../domain/targets.js';
import { ReadModelCache } from '../../lib/cache.js';
import { todayInShanghai } from '../../lib/dates.js';
import { type CertMetric, type CountRow, certificationFirmIds, certificationFirms, certificationFirmsByFirstDate, countCertifications } from '../certifications/certifications.queries.js';
import { countReserve } from '../eligibility/reserve.queries.js';
import { targetsOf } from '../targets/targets.queries.js';
import { coachingFigures, type CoachingFigures } from './coaching-figures.js';

export interface AggScope {
  /** The register as it stood at this instant or at the end of this date (null: now). */
  asOf?: string | null;
  parkId?: number | null;
  townId?: number | null;
  /** The reader's jurisdiction: a limited caseworker sees only their parks and towns. */
  jurisdiction?: Jurisdiction;
}

function certOpts(year: number, scope: AggScope, date?: string | null) {
  return {
    year,
    asOf: scope.asOf ?? null,
    parkId: scope.parkId ?? null,
    townId: scope.townId ?? null,
    parkIds: scope.jurisdiction?.parkIds ?? null,
    townIds: scope.jurisdiction?.townIds ?? [],
    ...(date ? { date } : {}),
  };
}

/** The register metric behind a target metric (null: a coaching metric). */
export const REGISTER_METRIC: Record<TargetMetric, CertMetric | null> = {
  hte_new: 'hte_new',
  hte_renewed: 'hte_renewed',
  hte_valid: 'hte_valid',
  tsme: 'tsme',
  tsme_prov: 'tsme_prov',
  benchmark: 'benchmark',
  demands: null,
  events: null,
};

/** The date an "as of" figure of `year` is read on: the year's end, or the as-of date / today when earlier. */
export function figureDate(year: number, asOf?: string | null, today = todayInShanghai()): string {
  const end = `${year}-12-31`;
  const cut = asOf ? asOf.slice(0, 10) : today;
  return cut < end ? cut : end;
}

/**
 * The actual of a target metric in `year`: register metrics counted from the register, coaching
 * metrics from the coaching records (null while there are none to count from). 有效高企总数 is the
 * number valid on the year's last day, or on the as-of date / today if that is earlier.
 */
export async function metricActual(db: Db, metric: TargetMetric, year: number, scope: AggScope = {}, coaching?: CoachingFigures | null): Promise<number | null> {
  const reg = REGISTER_METRIC[metric];
  if (reg) return countCertifications(db, reg, certOpts(year, scope, reg === 'hte_valid' ? figureDate(year, scope.asOf) : null));
  const c = coaching === undefined ? await coachingFigures(db, year, scope) : coaching;
  if (!c) return null;
  return metric === 'demands' ? c.demandsCollected : c.events;
}

/** Month (1–12) of a date, or 12 when there is none (a row of the year without a date counts at year end). */
function monthOf(date: string | null | undefined, year: number): number {
  if (!date || Number(date.slice(0, 4)) !== year) return 12;
  return Number(date.slice(5, 7));
}

/**
 * The figure month by month, cumulative (12 numbers: by the end of each month). Register metrics
 * by the date of the certificate / registration; 有效高企总数 as the count valid at each month end;
 * months after the as-of date (or today) are null.
 */
export async function monthlyCumulative(db: Db, metric: TargetMetric, year: number, scope: AggScope = {}): Promise<(number | null)[]> {
  const reg = REGISTER_METRIC[metric];
  const cut = figureDate(year, scope.asOf);
  const lastMonth = Number(cut.slice(0, 4)) < year ? 0 : Number(cut.slice(5, 7));
  const out: (number | null)[] = [];
  if (reg === 'hte_valid') {
    for (let m = 1; m <= 12; m++) {
      if (m > lastMonth) {
        out.push(null);
        continue;
      }
      const end = new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
      out.push(await countCertifications(db, 'hte_valid', certOpts(year, scope, end < cut ? end : cut)));
    }
    return out;
  }
  let perMonth: number[];
  if (reg) {
    // Each firm once, in the month of its earliest row (distinct firms, as countCertifications counts).
    perMonth = Array(12).fill(0);
    for (const r of await certificationFirmsByFirstDate(db, reg, certOpts(year, scope))) perMonth[monthOf(r.on, year) - 1]! += r.n;
  } else {
    const c = await coachingFigures(db, year, scope);
    if (!c) return Array(12).fill(null);
    perMonth = metric === 'demands' ? c.demandsByMonth : c.eventsByMonth;
  }
  let run = 0;
  for (let m = 1; m <= 12; m++) {
    run += perMonth[m - 1] ?? 0;
    out.push(m > lastMonth ? null : run);
  }
  return out;
}

/**
 * The usual batch calendar of a metric: the county's own last three years when they hold at least
 * 20 certificates or registrations, otherwise the default (domain/targets.ts).
 */
export async function batchCalendar(db: Db, metric: TargetMetric, year: number): Promise<{ calendar: number[]; fromHistory: boolean }> {
  const reg = REGISTER_METRIC[metric];
  if (reg && reg !== 'hte_valid') {
    const years: number[][] = [];
    for (let y = year - 3; y < year; y++) {
      const rows = await certificationFirms(db, reg, { year: y });
      const perMonth = Array(12).fill(0) as number[];
      for (const r of rows) perMonth[monthOf(r.issuedOn, y) - 1]!++;
      years.push(perMonth);
    }
    const own = calendarFromHistory(years);
    if (own) return { calendar: own, fromHistory: true };
  }
  return { calendar: DEFAULT_CALENDAR[metric], fromHistory: false };
}

/** A metric counted per park, per town or per technical field (largest first). */
export async function metricGroupedBy(db: Db, metric: CertMetric, year: number, by: 'park' | 'town' | 'field', scope: AggScope = {}): Promise<CountRow[]> {
  return countCertifications(db, metric, { ...certOpts(year, scope, metric === 'hte_valid' ? figureDate(year, scope.asOf) : null), groupBy: by });
}

/** A register metric's count (distinct firms) in `year`, in the scope, as of the scope's instant. */
export async function registerCount(db: Db, metric: CertMetric, year: number, scope: AggScope = {}): Promise<number> {
  return countCertifications(db, metric, certOpts(year, scope, metric === 'hte_valid' ? figureDate(year, scope.asOf) : null));
}

/** The rows behind a register metric, with their firms (at most `limit` when given). */
export async function metricFirms(db: Db, metric: CertMetric, year: number, scope: AggScope = {}, limit?: number) {
  return certificationFirms(db, metric, { ...certOpts(year, scope, metric === 'hte_valid' ? figureDate(year, scope.asOf) : null), ...(limit ? { limit } : {}) });
}

/** The distinct firms behind a register metric. */
export async function metricFirmIds(db: Db, metric: CertMetric, year: number, scope: AggScope = {}): Promise<number[]> {
  return certificationFirmIds(db, metric, certOpts(year, scope, metric === 'hte_valid' ? figureDate(year, scope.asOf) : null));
}

/**
 * The reserve that could still convert this year: firms in 高企申报中 and 高企培育库 that pass the
 * readiness check (办法 第十一条, every computable condition met, nothing missing).
 */
export async function convertibleReserve(db: Db, scope: AggScope = {}): Promise<{ applying: number; reserve: number }> {
  const actor = { parkIds: scope.jurisdiction?.parkIds ?? null, townIds: scope.jurisdiction?.townIds ?? [] };
  const filters = { ...(scope.parkId ? { park: scope.parkId } : {}), ...(scope.townId ? { town: scope.townId } : {}) };
  const [applying, reserve] = await Promise.all([
    countReserve(db, { ruleSet: 'hte-2016', stages: ['hte_applying'], focus: 'ready' }, filters, actor),
    countReserve(db, { ruleSet: 'hte-2016', stages: ['hte_reserve'], focus: 'ready' }, filters, actor),
  ]);
  return { applying, reserve };
}

export { coachingFigures };

export interface CertificationCharts {
  /** Cumulative actuals by month against the year's target (新认定高企, 科小入库, 省级科小). */
  monthly: { labels: string[]; series: { label: string; actual: (number | null)[]; target: number | null }[] };
  /** Certifications by park: new and valid HTEs, tech-SME registrations (largest first). */
  parks: { labels: string[]; series: { label: string; counts: number[] }[] };
  /** HTE certificates by the year their validity ends (this year and the next three). */
  expiring: { labels: string[]; counts: number[] };
}

export const CHART_METRICS: TargetMetric[] = ['hte_new', 'tsme', 'tsme_prov'];
const MONTH_LABELS = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);

const chartCache = new ReadModelCache<CertificationCharts>(60_000);

/**
 * The three certification charts, as the dashboard and the annual report show them (the report
 * computes them as of its instant; the dashboard now, cached until the next write).
 */
export async function certificationCharts(db: Db, year: number, scope: AggScope = {}): Promise<CertificationCharts> {
  const build = async (): Promise<CertificationCharts> => {
    const targets = new Map([...(await targetsOf(db, year, scope.parkId ?? null))].map(([k, t]) => [k, t.value]));
    const monthly = await Promise.all(CHART_METRICS.map((m) => monthlyCumulative(db, m, year, scope)));
    const [newByPark, validByPark, tsmeByPark] = await Promise.all([metricGroupedBy(db, 'hte_new', year, 'park', scope), metricGroupedBy(db, 'hte_valid', year, 'park', scope), metricGroupedBy(db, 'tsme', year, 'park', scope)]);
    const labels = new Map<string, number[]>();
    for (const [i, rows] of [newByPark, validByPark, tsmeByPark].entries()) {
      for (const r of rows) {
        const label = r.label ?? '未落园区';
        const counts = labels.get(label) ?? [0, 0, 0];
        counts[i] = r.n;
        labels.set(label, counts);
      }
    }
    const parks = [...labels.entries()].sort((a, b) => b[1][0]! - a[1][0]! || b[1][1]! - a[1][1]! || a[0].localeCompare(b[0], 'zh'));
    const years = [year, year + 1, year + 2, year + 3];
    const expiring = await Promise.all(years.map((y) => registerCount(db, 'hte_expiring', y, scope)));
    return {
      monthly: { labels: MONTH_LABELS, series: CHART_METRICS.map((m, i) => ({ label: targetMetricLabel(m), actual: monthly[i]!, target: targets.get(m) ?? null })) },
      parks: { labels: parks.map(([l]) => l), series: ['新认定高企', '有效高企', '科小入库'].map((label, i) => ({ label, counts: parks.map(([, c]) => c[i]!) })) },
      expiring: { labels: years.map((y) => `${y} 年`), counts: expiring },
    };
  };
  if (scope.asOf) return build();
  const key = JSON.stringify({ year, park: scope.parkId ?? null, town: scope.townId ?? null, j: scope.jurisdiction ?? null });
  return chartCache.get(db, key, build);
}
