/**
 * The annual report (issue 10 item 5; coaching.md §4 "proposed report layout"): T1 targets vs
 * actuals, T2 by park and town, T3 by technical field, T4 the HTE funnel of the year's batch, T5
 * compliance, T6 R&D aggregates, T7 coaching, and the firm list.
 *
 * Computed "as of" an instant from dated records: the register through certification_history,
 * stage moves by their time, ticks and changes by when they were recorded — so the same as-of gives
 * the same report after a later correction, and the correction is listed, not silently absorbed.
 * A leader's 定稿 stores the computed report as it was (report_snapshots) and it never changes.
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Jurisdiction, WriteContext } from '../../domain/actor.js';
import { CERT_KIND_LABELS, type CertKind, HTE_MODES } from '../../domain/certifications.js';
import { firmCompliance } from '../../domain/compliance.js';
import { TECH_FIELDS } from '../../domain/fields.js';
import { can } from '../../domain/permissions.js';
import { TARGET_METRICS, yearOnYear } from '../../domain/targets.js';
import { nowIso, shanghaiDateTime, shanghaiYearBounds } from '../../lib/dates.js';
import { ForbiddenError } from '../../lib/errors.js';
import { appendAudit } from '../audit/audit.queries.js';
import { asOfInstant, changesOf, registerCorrections, rowsWithDuties, ticksOf, yearSettings } from '../certifications/certifications.queries.js';
import { figureTotals, latestFigureYear } from '../figures/figures.queries.js';
import { firmIdsInStages } from '../firms/firms.queries.js';
import { firmsInStagesDuring } from '../stages/stage-events.queries.js';
import { targetsOf } from '../targets/targets.queries.js';
import { type AggScope, coachingFigures, figureDate, metricActual, metricGroupedBy, metricFirmIds, metricFirms, monthlyCumulative, registerCount } from './aggregates.queries.js';
import type { CoachingFigures } from './coaching-figures.js';
import { insertSnapshot } from './snapshots.queries.js';
import { groupBy } from '../../lib/group-by.js';

export const REPORT_VERSION = 1;

export interface T1Row { metric: string; label: string; unit: string; target: number | null; actual: number | null; pct: number | null; previous: number | null; yoy: number | null; monthly: (number | null)[] }
export interface AreaRow { rank: number; label: string; hteNew: number; hteRenewed: number; hteValid: number; tsme: number; tsmeProv: number }
export interface FieldRow { label: string; hteNew: number; hteValid: number; tsme: number }
export interface FunnelStep { key: string; label: string; n: number; rate: number | null }
export interface RdRow { group: string; firms: number; withFigures: number; dataYear: number | null; rdExpense: number; salesRevenue: number; rdRatio: number | null; hitechIncome: number; hitechShare: number | null; techStaff: number; staffTotal: number }
export interface FirmLine { kind: string; mode: string; uscc: string; name: string; park: string; town: string; number: string; issuedOn: string; validUntil: string; status: string }

export interface ReportData {
  version: number;
  year: number;
  /** The instant the report is computed as of (ISO). */
  asOf: string;
  /** The date the year's figures are read on (the year's end, or earlier while the year runs). */
  figureDate: string;
  computedAt: string;
  scope: string;
  empty: boolean;
  t1: T1Row[];
  t2: { parks: AreaRow[]; towns: AreaRow[] };
  t3: FieldRow[];
  t4: { steps: FunnelStep[]; passRate: number | null };
  t5: { reportsDue: number; reportsMissed: number; reportsLate: number; atRisk: number; changes: number; changesOverdue: number; hteCancelled: number; tsmeRevoked: number; expiringNextYear: number };
  t6: RdRow[];
  t7: CoachingFigures | null;
  charts: {
    monthly: { labels: string[]; series: { label: string; actual: (number | null)[]; target: number | null }[] };
    parks: { labels: string[]; series: { label: string; counts: number[] }[] };
    expiring: { labels: string[]; counts: number[] };
  };
  firms: FirmLine[];
  firmsTruncated: boolean;
  /** How many firms the list has, when `firms` holds only its head (a kept live report read for its page: live-report.ts). */
  firmsTotal?: number;
}

const MONTHS = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);
const FIRM_LIST_LIMIT = 20_000;

function rankAreas(rows: Map<string, Omit<AreaRow, 'rank'>>): AreaRow[] {
  const list = [...rows.values()].sort((a, b) => b.hteNew - a.hteNew || b.hteValid - a.hteValid || b.tsme - a.tsme || a.label.localeCompare(b.label, 'zh'));
  let rank = 0;
  let prev: string | null = null;
  return list.map((r, i) => {
    const key = `${r.hteNew}|${r.hteValid}|${r.tsme}`;
    if (key !== prev) rank = i + 1;
    prev = key;
    return { rank, ...r };
  });
}

async function areaTable(db: Db, year: number, by: 'park' | 'town', scope: AggScope): Promise<AreaRow[]> {
  const none = by === 'park' ? '未落园区' : '未填属地';
  const rows = new Map<string, Omit<AreaRow, 'rank'>>();
  const metrics = [['hteNew', 'hte_new'], ['hteRenewed', 'hte_renewed'], ['hteValid', 'hte_valid'], ['tsme', 'tsme'], ['tsmeProv', 'tsme_prov']] as const;
  for (const [col, metric] of metrics) {
    for (const r of await metricGroupedBy(db, metric, year, by, scope)) {
      const label = r.label ?? none;
      const row = rows.get(label) ?? { label, hteNew: 0, hteRenewed: 0, hteValid: 0, tsme: 0, tsmeProv: 0 };
      row[col] = r.n;
      rows.set(label, row);
    }
  }
  return rankAreas(rows);
}

async function fieldTable(db: Db, year: number, scope: AggScope): Promise<FieldRow[]> {
  const counts = new Map<string, FieldRow>(TECH_FIELDS.map((f) => [f.key, { label: f.label, hteNew: 0, hteValid: 0, tsme: 0 }]));
  counts.set('', { label: '未填技术领域', hteNew: 0, hteValid: 0, tsme: 0 });
  for (const [col, metric] of [['hteNew', 'hte_new'], ['hteValid', 'hte_valid'], ['tsme', 'tsme']] as const) {
    // Counted in SQL per field (distinct firms), not by loading every certificate and its firm.
    for (const r of await metricGroupedBy(db, metric, year, 'field', scope)) {
      const key = typeof r.key === 'string' && counts.has(r.key) ? r.key : '';
      counts.get(key)![col] += r.n;
    }
  }
  return [...counts.values()];
}

async function funnel(db: Db, year: number, scope: AggScope, asOf: string): Promise<ReportData['t4']> {
  const { start, end } = shanghaiYearBounds(year);
  const pool = await firmsInStagesDuring(db, ['hte_reserve', 'hte_applying'], start, end, asOf, { parkIds: scope.jurisdiction?.parkIds ?? null, townIds: scope.jurisdiction?.townIds ?? [] });
  const [applied, publicized, filed, certified] = await Promise.all((['hte_applied', 'hte_publicized', 'hte_filed', 'hte_certified'] as const).map((m) => registerCount(db, m, year, scope)));
  const steps: FunnelStep[] = [
    { key: 'pool', label: '培育库（高企培育库、申报中）', n: pool.length, rate: null },
    { key: 'applied', label: '申报', n: applied!, rate: null },
    { key: 'publicized', label: '公示（拟认定）', n: publicized!, rate: null },
    { key: 'filed', label: '备案', n: filed!, rate: null },
    { key: 'certified', label: '取得证书', n: certified!, rate: null },
  ];
  for (let i = 1; i < steps.length; i++) steps[i]!.rate = steps[i - 1]!.n > 0 ? steps[i]!.n / steps[i - 1]!.n : null;
  return { steps, passRate: applied! > 0 ? certified! / applied! : null };
}

async function compliance(db: Db, year: number, scope: AggScope, date: string): Promise<ReportData['t5']> {
  const asOf = scope.asOf ?? null;
  const opts = { asOf, parkId: scope.parkId ?? null, townId: scope.townId ?? null, parkIds: scope.jurisdiction?.parkIds ?? null, townIds: scope.jurisdiction?.townIds ?? [] };
  const certs = await rowsWithDuties(db, { ...opts, from: `${year}-01-01` });
  const firmIds = [...new Set(certs.map((c) => c.firmId))];
  const [ticks, changes, settings] = await Promise.all([ticksOf(db, certs.map((c) => c.id), asOf), changesOf(db, firmIds, asOf), yearSettings(db)]);
  const out = { reportsDue: 0, reportsMissed: 0, reportsLate: 0, atRisk: 0, changes: 0, changesOverdue: 0, hteCancelled: 0, tsmeRevoked: 0, expiringNextYear: 0 };
  // Grouped once: filtering every tick and change per firm was quadratic (minutes at 1M firms).
  const byFirm = groupBy(certs, (c) => c.firmId);
  const ticksByCert = groupBy(ticks, (t) => t.certificationId);
  const changesByFirm = groupBy(changes, (c) => c.firmId);
  for (const [firmId, list] of byFirm) {
    const fc = firmCompliance(list, list.flatMap((c) => ticksByCert.get(c.id) ?? []), changesByFirm.get(firmId) ?? [], settings, date);
    for (const item of fc.items) {
      if (item.kind === 'hte_annual_report' && item.dueOn.startsWith(`${year}-`)) {
        out.reportsDue++;
        if (item.state === 'missed') out.reportsMissed++;
        if (item.state === 'late') out.reportsLate++;
      }
      if (item.kind === 'change_report' && item.dueOn >= `${year}-01-01`) {
        if (item.state === 'overdue') out.changesOverdue++;
      }
    }
    if (fc.warnings.some((w) => w.severity === 'danger' && w.message.includes('资格可能被取消'))) out.atRisk++;
  }
  out.changes = changes.filter((c) => c.eventOn.startsWith(`${year}-`)).length;
  out.hteCancelled = await registerCount(db, 'hte_cancelled', year, scope);
  out.tsmeRevoked = await registerCount(db, 'tsme_revoked', year, scope);
  out.expiringNextYear = await registerCount(db, 'hte_expiring', year + 1, scope);
  return out;
}

async function rdTable(db: Db, year: number, scope: AggScope): Promise<RdRow[]> {
  const certified = await metricFirmIds(db, 'hte_valid', year, scope);
  const reserve = await firmIdsInStages(db, ['hte_reserve', 'hte_applying'], { parkIds: scope.jurisdiction?.parkIds ?? null, townIds: scope.jurisdiction?.townIds ?? [] });
  const rows: RdRow[] = [];
  for (const [group, ids] of [['有效高新技术企业', certified], ['高企后备（培育库、申报中）', reserve]] as const) {
    // The report year's figures when any firm has them, else the latest year before it.
    const dataYear = await latestFigureYear(db, ids, year);
    const t = dataYear === null ? null : await figureTotals(db, ids, dataYear);
    rows.push({
      group,
      firms: ids.length,
      withFigures: t?.firms ?? 0,
      dataYear,
      rdExpense: t?.rdExpense ?? 0,
      salesRevenue: t?.salesRevenue ?? 0,
      rdRatio: t && t.ratioSales > 0 ? t.ratioRd / t.ratioSales : null,
      hitechIncome: t?.hitechIncome ?? 0,
      hitechShare: t && t.salesRevenue > 0 ? t.hitechIncome / t.salesRevenue : null,
      techStaff: Math.round(t?.techStaff ?? 0),
      staffTotal: Math.round(t?.staffTotal ?? 0),
    });
  }
  return rows;
}

async function firmList(db: Db, year: number, scope: AggScope): Promise<{ firms: FirmLine[]; truncated: boolean }> {
  const out: FirmLine[] = [];
  const sections = [['hte_certified', '高新技术企业（本年证书）'], ['hte_cancelled', '高新技术企业（本年取消）'], ['tsme', CERT_KIND_LABELS.tsme], ['tsme_prov', CERT_KIND_LABELS.tsme_prov], ['benchmark', '科技领军/小巨人']] as const;
  for (const [metric, label] of sections) {
    // One more than fits, so the list knows it was cut.
    for (const r of await metricFirms(db, metric, year, scope, FIRM_LIST_LIMIT - out.length + 1)) {
      if (out.length >= FIRM_LIST_LIMIT) return { firms: out, truncated: true };
      out.push({
        kind: metric === 'benchmark' ? CERT_KIND_LABELS[r.kind as CertKind] : label,
        mode: r.mode ? HTE_MODES[r.mode] : (r.level ?? ''),
        uscc: r.uscc,
        name: r.firmName,
        park: r.parkName ?? '未落园区',
        town: r.townName ?? '',
        number: r.number ?? '',
        issuedOn: r.issuedOn ?? '',
        validUntil: r.validUntil ?? '',
        status: r.status === 'revoked' ? `已取消 ${r.statusOn ?? ''}${r.statusReason ? `（${r.statusReason}）` : ''}` : '',
      });
    }
  }
  return { firms: out, truncated: false };
}

/** The as-of instant of a request: a date means the end of that Shanghai day; none means now. */
export function reportAsOf(asOfDate: string | null): string {
  return asOfDate ? asOfInstant(asOfDate) : nowIso();
}

/**
 * `live`: the report as of now (asOf is the moment of the request). The register is then read from
 * its current rows instead of being rebuilt from certification_history as of the instant — the same
 * figures (every change writes its history row), without a correlated lookup per history row, which
 * at 1M firms made a report take minutes. Reports as of a past date (and frozen ones) read the history.
 */
export async function computeReport(db: Db, year: number, asOf: string, jurisdiction: Jurisdiction, scopeLabel: string, opts: { live?: boolean } = {}): Promise<ReportData> {
  const scope: AggScope = { asOf: opts.live ? null : asOf, jurisdiction };
  const date = figureDate(year, shanghaiDateTime(asOf).slice(0, 10));
  const [targets, coaching, coachingPrev] = await Promise.all([targetsOf(db, year, null), coachingFigures(db, year, scope), coachingFigures(db, year - 1, scope)]);
  const t1: T1Row[] = [];
  for (const m of TARGET_METRICS) {
    const [actual, previous, monthly] = await Promise.all([metricActual(db, m.key, year, scope, coaching), metricActual(db, m.key, year - 1, scope, coachingPrev), monthlyCumulative(db, m.key, year, scope)]);
    const target = targets.get(m.key)?.value ?? null;
    t1.push({ metric: m.key, label: m.label, unit: m.unit, target, actual, pct: actual !== null && target ? actual / target : null, previous, yoy: actual === null ? null : yearOnYear(actual, previous), monthly });
  }
  const [parks, towns, t3, t4, t5, t6, list] = await Promise.all([
    areaTable(db, year, 'park', scope),
    areaTable(db, year, 'town', scope),
    fieldTable(db, year, scope),
    funnel(db, year, scope, asOf),
    compliance(db, year, scope, date),
    rdTable(db, year, scope),
    firmList(db, year, scope),
  ]);
  const expiringYears = [year, year + 1, year + 2, year + 3];
  const expiring = await Promise.all(expiringYears.map((y) => registerCount(db, 'hte_expiring', y, scope)));
  const empty = t1.every((r) => !r.actual) && !targets.size && parks.length === 0 && t4.steps.every((s) => s.n === 0) && t5.reportsDue === 0 && expiring.every((n) => n === 0);
  const chartMetrics = ['hte_new', 'tsme', 'tsme_prov'];
  return {
    version: REPORT_VERSION,
    year,
    asOf,
    figureDate: date,
    computedAt: nowIso(),
    scope: scopeLabel,
    empty,
    t1,
    t2: { parks, towns },
    t3,
    t4,
    t5,
    t6,
    t7: coaching,
    charts: {
      monthly: { labels: MONTHS, series: t1.filter((r) => chartMetrics.includes(r.metric)).map((r) => ({ label: r.label, actual: r.monthly, target: r.target })) },
      parks: { labels: parks.map((p) => p.label), series: [{ label: '新认定高企', counts: parks.map((p) => p.hteNew) }, { label: '有效高企', counts: parks.map((p) => p.hteValid) }, { label: '科小入库', counts: parks.map((p) => p.tsme) }] },
      expiring: { labels: expiringYears.map((y) => `${y} 年`), counts: expiring },
    },
    firms: list.firms,
    firmsTruncated: list.truncated,
  };
}

/** Corrections to the register recorded after the report's as-of instant (up to now). */
export async function correctionsSince(db: Db, asOf: string): Promise<number> {
  return (await registerCorrections(db, asOf)).length;
}

/** 定稿: keep a computed report as it is (the caller computed it: live-report.ts). */
export async function freezeReport(db: Knex, data: ReportData, note: string | null, ctx: WriteContext): Promise<number> {
  if (!can(ctx.actor, 'reports.freeze')) throw new ForbiddenError('FORBIDDEN', '只有管理员和领导可以定稿年度报告。');
  const { year, asOf } = data;
  return db.transaction(async (trx) => {
    const at = nowIso();
    const id = await insertSnapshot(trx, { year, asOf, data: JSON.stringify(data), note, frozenAt: at, frozenBy: ctx.actor.id });
    await appendAudit(trx, ctx, { action: 'report.freeze', objectType: 'report', objectId: String(year), after: { 年度: year, 数据截至: shanghaiDateTime(asOf), 说明: note } }, at);
    return id;
  });
}

