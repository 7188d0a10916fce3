/** /coaching/summary: the year's coaching figures for leaders, by counsellor, park or lifecycle; the same as XLSX. */
import express, { type Request, type Response, type Router } from 'express';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { DEMANDS_COLLECTED_TARGET, DEMAND_STATUSES } from '../../domain/demands.js';
import { shanghaiDateTime, todayInShanghai, yearOf } from '../../lib/dates.js';
import { actorOfResponse, requirePermission, writeContext } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { appendAudit } from '../audit/audit.queries.js';
import { type FiguresBreakdown, type FiguresRow, coachingFigures, conversionsAfterCoaching, demandFunnel, recentSince } from './coaching-figures.queries.js';

/** The ways the figures are broken down, as the page and the audit log (统计口径) name them. */
export const BREAKDOWNS: { key: FiguresBreakdown; label: string }[] = [
  { key: 'counsellor', label: '按辅导员' },
  { key: 'park', label: '按园区/平台' },
  { key: 'lifecycle', label: '按生命周期' },
];

const share = (part: number, whole: number) => (whole ? `${((part / whole) * 100).toFixed(1)}%` : '—');

function parse(req: Request) {
  const q = req.query as Record<string, unknown>;
  const thisYear = yearOf(todayInShanghai());
  const y = positiveInt(q.year);
  const year = y && y >= 2000 && y <= thisYear ? y : thisYear;
  const b = str(q.by);
  const by = (BREAKDOWNS.find((x) => x.key === b)?.key ?? 'counsellor') as FiguresBreakdown;
  return { year, by, thisYear };
}

const viewRow = (r: FiguresRow) => ({ ...r, isTotal: r.key === null, demandCells: DEMAND_STATUSES.map((s) => r.demands[s.key]), reserveShare: share(r.reserveCoached90, r.reserveFirms) });

export function coachingFiguresRouter(db: Knex): Router {
  const router = express.Router();
  router.use('/coaching/summary', requirePermission('coaching.read'));

  async function load(res: Response, year: number, by: FiguresBreakdown) {
    const actor = actorOfResponse(res);
    const today = todayInShanghai();
    const [rows, conversions, funnel] = await Promise.all([coachingFigures(db, year, actor, by, today), conversionsAfterCoaching(db, year, actor), demandFunnel(db, year, actor)]);
    return { rows, conversions, funnel, today };
  }

  router.get('/coaching/summary', async (req, res) => {
    const { year, by, thisYear } = parse(req);
    const { rows, conversions, funnel, today } = await load(res, year, by);
    const total = rows.at(-1)!;
    res.render('coaching/summary', {
      title: `${year} 年辅导统计`,
      nav: 'coaching',
      subnav: 'summary',
      year,
      by,
      breakdowns: BREAKDOWNS.map((b) => ({ ...b, current: b.key === by })),
      byLabel: BREAKDOWNS.find((b) => b.key === by)!.label,
      years: Array.from({ length: 5 }, (_, i) => thisYear - i),
      total: viewRow(total),
      rows: rows.map(viewRow),
      statuses: DEMAND_STATUSES,
      conversions: { ...conversions, share: share(conversions.advanced, conversions.coached) },
      funnel,
      target: DEMANDS_COLLECTED_TARGET,
      since: recentSince(today),
      today,
      exportLink: `/coaching/summary.xlsx?year=${year}&by=${by}`,
      print: { filters: `${year} 年，${BREAKDOWNS.find((b) => b.key === by)!.label}`, at: shanghaiDateTime(new Date()) },
    });
  });

  router.get('/coaching/summary.xlsx', requirePermission('coaching.read'), async (req, res) => {
    const { year, by } = parse(req);
    const { rows, conversions, funnel, today } = await load(res, year, by);
    await appendAudit(db, writeContext(req, res), { action: 'coaching.summary_export', after: { format: 'xlsx', year, by } });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('辅导统计', { views: [{ state: 'frozen', ySplit: 3 }] });
    ws.addRow([`${year} 年辅导统计（${BREAKDOWNS.find((b) => b.key === by)!.label}），数据截至 ${shanghaiDateTime(new Date())}`]).font = { bold: true };
    ws.addRow([`培育库近 90 天辅导：${recentSince(today)} 至 ${today}；技术需求按征集年度计，状态为当前状态。`]);
    const header = ws.addRow(['分组', '联系企业（已联系上）', '走访次数', '参与活动', '出席家次', ...DEMAND_STATUSES.map((s) => `需求·${s.label}`), '需求合计', '培育库企业', '近90天已辅导', '占比']);
    header.font = { bold: true };
    for (const r of rows) {
      const row = ws.addRow([r.label, r.firmsContacted, r.visits, r.events, r.attendances, ...DEMAND_STATUSES.map((s) => r.demands[s.key]), r.demandsTotal, r.reserveFirms, r.reserveCoached90, r.reserveFirms ? r.reserveCoached90 / r.reserveFirms : null]);
      row.getCell(DEMAND_STATUSES.length + 9).numFmt = '0.0%';
      if (r.key === null) row.font = { bold: true };
    }
    ws.addRow([]);
    ws.addRow([`辅导后转化（解释性指标）：${year} 年辅导过的 ${conversions.coached} 家企业中，${conversions.advanced} 家在首次辅导后 12 个月内前进了至少一个阶段`]);
    ws.addRow([`技术需求：征集 ${funnel.raised} 项（目标 ${DEMANDS_COLLECTED_TARGET} 项以上），进入对接 ${funnel.matched} 项，已解决 ${funnel.resolved} 项`]);
    ws.getColumn(1).width = 18;
    res.set({
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="coaching-${year}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${year}年辅导统计.xlsx`)}`,
      'Cache-Control': 'no-store',
    });
    await wb.xlsx.write(res);
    res.end();
  });

  return router;
}
