/**
 * /reports (the years), /reports/:year (the annual report, printable on A4 landscape) and
 * /reports/:year.xlsx (the same as a workbook). Which report a page shows, it says:
 *  - the latest 定稿 of the year, when there is one (a limited caseworker always gets the live
 *    report of their own parks: a 定稿 is county-wide);
 *  - ?view=live: computed now; ?asOf=YYYY-MM-DD: computed as of the end of that day, from the dated
 *    records — corrections recorded since are counted and named as corrections;
 *  - ?snapshot=N: that 定稿.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { can } from '../../domain/permissions.js';
import { PACE_LABELS } from '../../domain/targets.js';
import { isCalendarDate, shanghaiDateTime, todayInShanghai, yearOf } from '../../lib/dates.js';
import { formatWan } from '../../lib/money.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { exportFormatOf, recordExport, sendExport } from '../../web/export.js';
import { positiveInt, str } from '../../web/forms.js';
import { redirectAfterWrite, renderFragment } from '../../web/render.js';
import { reportSheets } from './report-export.js';
import { FIRMS_SHOWN, scopeLabelOf, liveReport, liveReportComputedAt, type ReportRequest } from './live-report.js';
import { type ReportData, REPORT_VERSION, correctionsSince, freezeReport } from './report.service.js';
import { type SnapshotMeta, snapshotData, snapshotYears, snapshotsOf } from './snapshots.queries.js';

const FIRST_YEAR = 2000;

function yearParam(v: unknown): number {
  const text = String(v ?? '');
  const year = /^\d{4}$/.test(text) ? Number(text) : NaN;
  const current = yearOf(todayInShanghai());
  if (!(year >= FIRST_YEAR && year <= current + 1)) throw new NotFoundError('REPORT_NOT_FOUND', '没有这个年度的报告（年度须为 2000 年至明年）。');
  return year;
}

interface Resolved {
  data: ReportData;
  mode: 'frozen' | 'live' | 'asof';
  snapshot: SnapshotMeta | null;
  snapshots: SnapshotMeta[];
  corrections: number;
  asOfDate: string | null;
  /** A newer computation is under way (live-report.ts): the page says so and offers it when done. */
  refreshing: boolean;
  /** When the shown computation started (live and as-of reports). */
  computedAt: string | null;
}

/** No computation of this report has finished yet (a large county's first read): the page waits for it. */
interface Pending {
  pending: true;
  request: ReportRequest;
  error: string | null;
}

function reportRequest(req: Request, res: Response, year: number): ReportRequest {
  const actor = actorOfResponse(res);
  const asOfText = str(req.query.asOf);
  if (asOfText && !isCalendarDate(asOfText)) throw new ValidationError({ asOf: '日期格式应为 年-月-日，例如 2025-12-31。' }, '日期格式应为 年-月-日，例如 2025-12-31。');
  const asOfDate = asOfText && asOfText < todayInShanghai() ? asOfText : null;
  return { year, asOfDate, jurisdiction: { parkIds: actor.parkIds, townIds: actor.townIds }, scopeLabel: scopeLabelOf(actor) };
}

async function resolveReport(db: Knex, req: Request, res: Response, year: number, opts: { withFirms?: boolean } = {}): Promise<Resolved | Pending> {
  const actor = actorOfResponse(res);
  const limited = actor.parkIds !== null;
  const snapshots = limited ? [] : await snapshotsOf(db, year);
  const view = str(req.query.view);
  const request = reportRequest(req, res, year);
  const { asOfDate } = request;
  const wanted = positiveInt(req.query.snapshot);
  const snapshot = wanted ? (snapshots.find((s) => s.id === wanted) ?? null) : view === 'live' || asOfDate ? null : (snapshots[0] ?? null);
  if (wanted && !snapshot) throw new NotFoundError('SNAPSHOT_NOT_FOUND', '找不到这份定稿。');
  if (snapshot) {
    const data = JSON.parse((await snapshotData(db, snapshot.id))!) as ReportData;
    return { data, mode: 'frozen', snapshot, snapshots, corrections: await correctionsSince(db, snapshot.asOf), asOfDate: null, refreshing: false, computedAt: null };
  }
  const live = await liveReport(db, request, opts);
  if (live.state === 'pending') return { pending: true, request, error: live.error };
  const data = live.data;
  return { data, mode: asOfDate ? 'asof' : 'live', snapshot: null, snapshots, corrections: asOfDate ? await correctionsSince(db, data.asOf) : 0, asOfDate, refreshing: live.refreshing, computedAt: live.computedAt };
}

function stampOf(r: Resolved): string {
  if (r.mode === 'frozen') return `定稿：${shanghaiDateTime(r.snapshot!.frozenAt)} 由 ${r.snapshot!.frozenByName ?? ''} 定稿，数据截至 ${shanghaiDateTime(r.data.asOf)}，此后不再变化${r.corrections ? `；定稿后登记有 ${r.corrections} 条更正，未计入` : ''}`;
  if (r.mode === 'asof') return `按 ${r.asOfDate} 日终的登记重算${r.corrections ? `；此后登记有 ${r.corrections} 条更正，未计入` : '；此后没有更正'}`;
  return `实时计算：截至 ${shanghaiDateTime(r.data.asOf)}（未定稿，数字会随登记变化）`;
}

/** The query string that names the same report (the status poll, the XLSX link). */
function reportQuery(req: Request): string {
  const keep = ['view', 'asOf', 'snapshot'].flatMap((k) => (str(req.query[k]) ? [[k, str(req.query[k])] as [string, string]] : []));
  return new URLSearchParams(keep).toString();
}

/** `since`: the computation the page shows; the poll then asks whether a newer one has finished. */
function statusUrlOf(year: number, qs: string, since: string | null): string {
  const q = new URLSearchParams(qs);
  if (since) q.set('since', since);
  const text = q.toString();
  return `/reports/${year}/status${text ? `?${text}` : ''}`;
}

function renderPending(req: Request, res: Response, p: Pending): void {
  const qs = reportQuery(req);
  res.status(p.error ? 200 : 202).render('reports/pending', {
    title: `${p.request.year} 年度报告`,
    nav: 'reports',
    year: p.request.year,
    asOfDate: p.request.asOfDate,
    error: p.error,
    statusUrl: statusUrlOf(p.request.year, qs, null),
    retryUrl: `/reports/${p.request.year}${qs ? `?${qs}` : ''}`,
  });
}

const wan = (yuan: number) => formatWan(yuan);

export function reportsRouter(db: Knex): Router {
  const router = express.Router();

  router.get('/reports', requirePermission('reports.read'), async (_req, res) => {
    const current = yearOf(todayInShanghai());
    const frozen = await snapshotYears(db);
    const years = [];
    for (let y = current; y >= current - 6; y--) years.push({ year: y, snapshots: frozen.get(y) ?? 0 });
    res.render('reports/index', { title: '年度报告', nav: 'reports', years });
  });

  router.get('/reports/:year.:format', requirePermission('reports.read'), async (req, res) => {
    const year = yearParam(req.params.year);
    const format = exportFormatOf(req);
    if (str(req.params.format) !== 'xlsx') throw new NotFoundError('PAGE_NOT_FOUND', '找不到这个页面。');
    const r = await resolveReport(db, req, res, year, { withFirms: true });
    if ('pending' in r) return renderPending(req, res, r);
    await recordExport(db, req, res, `${year} 年度报告`, format, [['报告', stampOf(r)]]);
    await sendExport(res, 'xlsx', `${year}年度报告`, reportSheets(r.data, stampOf(r)));
  });

  router.get('/reports/:year', requirePermission('reports.read'), async (req, res) => {
    const year = yearParam(req.params.year);
    const actor = actorOfResponse(res);
    const r = await resolveReport(db, req, res, year);
    if ('pending' in r) return renderPending(req, res, r);
    const d = r.data;
    const param: [string, string] = r.snapshot ? ['snapshot', String(r.snapshot.id)] : r.asOfDate ? ['asOf', r.asOfDate] : ['view', 'live'];
    const qs = new URLSearchParams([param]).toString();
    res.render('reports/show', {
      title: `${year} 年度报告`,
      nav: 'reports',
      page: 'report',
      reportCss: true,
      year,
      r: d,
      oldVersion: d.version !== REPORT_VERSION,
      mode: r.mode,
      stamp: stampOf(r),
      refreshing: r.refreshing,
      statusUrl: statusUrlOf(year, qs, r.computedAt),
      pageUrl: `/reports/${year}?${qs}`,
      snapshot: r.snapshot,
      snapshots: r.snapshots.map((s) => ({ ...s, frozenAtText: shanghaiDateTime(s.frozenAt), asOfText: shanghaiDateTime(s.asOf), current: s.id === r.snapshot?.id })),
      corrections: r.corrections,
      asOfDate: r.asOfDate ?? '',
      asOfText: shanghaiDateTime(d.asOf),
      xlsxLink: `/reports/${year}.xlsx?${qs}`,
      canFreeze: can(actor, 'reports.freeze') && actor.parkIds === null,
      t1: d.t1.map((row) => ({ ...row, hasActual: row.actual !== null })),
      t6: d.t6.map((row) => ({ ...row, rdText: wan(row.rdExpense), salesText: wan(row.salesRevenue), hitechText: wan(row.hitechIncome) })),
      t7Rows: d.t7 ? [['走访（次）', d.t7.visits], ['联系到的企业（家）', d.t7.firmsContacted], ['对接活动（场）', d.t7.events], ['参加企业人次', d.t7.attendance], ['征集技术需求（项）', d.t7.demandsCollected], ...d.t7.demandsByStatus.map((s) => [`需求：${s.label}`, s.n])] : null,
      firmsShown: d.firms.slice(0, FIRMS_SHOWN),
      firmsMore: Math.max(0, (d.firmsTotal ?? d.firms.length) - FIRMS_SHOWN),
      expiringRows: d.charts.expiring.labels.map((l, i) => ({ label: l, n: d.charts.expiring.counts[i] ?? 0 })),
      monthlyRows: d.charts.monthly.series.map((s) => ({ label: s.label, target: s.target, cells: s.actual.map((v) => (v === null ? '' : String(v))) })),
      months: d.charts.monthly.labels,
      paceLabels: PACE_LABELS,
      print: { at: shanghaiDateTime(new Date().toISOString()) },
    });
  });

  // What the page's poll asks while a computation runs: the page reloads (pending) or offers the newer figures.
  router.get('/reports/:year/status', requirePermission('reports.read'), async (req, res) => {
    const year = yearParam(req.params.year);
    const request = reportRequest(req, res, year);
    const status = await liveReportComputedAt(db, request);
    // Not an instant (a hand-edited link): as if absent — the poll of a page still waiting.
    const since = Number.isNaN(Date.parse(str(req.query.since))) ? '' : str(req.query.since);
    const qs = reportQuery(req);
    const done = status.computedAt !== null && (!since || Date.parse(status.computedAt) > Date.parse(since));
    if (!since && done) {
      res.set('HX-Refresh', 'true').status(204).end();
      return;
    }
    renderFragment(res, 'reports/status', { year, done, failed: !!status.error && !status.refreshing, computedAtText: status.computedAt ? shanghaiDateTime(status.computedAt) : null, pageUrl: `/reports/${year}${qs ? `?${qs}` : ''}`, statusUrl: statusUrlOf(year, qs, since || null), pending: !since });
  });

  router.post('/reports/:year/freeze', requirePermission('reports.freeze'), async (req, res) => {
    const year = yearParam(req.params.year);
    const actor = actorOfResponse(res);
    const note = str((req.body as Record<string, unknown>).note).slice(0, 200) || null;
    // The figures frozen are the live report's, as the leader saw them computed: not one being redone.
    const live = await liveReport(db, { year, asOfDate: null, jurisdiction: { parkIds: actor.parkIds, townIds: actor.townIds }, scopeLabel: scopeLabelOf(actor) }, { withFirms: true });
    if (live.state !== 'ready' || live.refreshing) {
      throw new ConflictError('REPORT_BEING_COMPUTED', '最新的数字还在计算中，请等报告页显示“截至”最新时间后再定稿。');
    }
    const id = await freezeReport(db, live.data, note, writeContext(req, res));
    setFlash(req, 'success', `已定稿 ${year} 年度报告：此后登记的变化不会改变这份定稿。`);
    redirectAfterWrite(req, res, `/reports/${year}?snapshot=${id}`);
  });

  return router;
}
