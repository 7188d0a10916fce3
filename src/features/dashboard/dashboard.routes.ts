import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { shanghaiDateTime, todayInShanghai, yearOf } from '../../lib/dates.js';
import { actorOfResponse, requirePermission } from '../../web/auth.js';
import { positiveInt } from '../../web/forms.js';
import { renderPageOrFragment } from '../../web/render.js';
import { filterQueryString, parseFirmFilters, pickFilters } from '../firms/firm-filters.js';
import { filterPairs, loadFilterOptions, printHeading } from '../firms/filter-options.js';
import { exportFormatOf, recordExport, sendExport } from '../../web/export.js';
import { dashboardSheets } from './dashboard-export.js';
import { loadFunnel } from './dashboard.service.js';
import { certificationCharts } from '../reporting/aggregates.queries.js';
import { keptReportCharts, scopeLabelOf } from '../reporting/live-report.js';

export function dashboardRouter(db: Knex): Router {
  const router = express.Router();

  router.get('/dashboard', requirePermission('dashboard.read'), async (req, res) => {
    const actor = actorOfResponse(res);
    const currentYear = yearOf(todayInShanghai());
    const requested = positiveInt(req.query.year);
    const year = requested && requested >= 2000 && requested <= currentYear ? requested : currentYear;
    const filters = pickFilters(parseFirmFilters(req.query), ['park', 'town', 'field']);
    const [funnel, options] = await Promise.all([loadFunnel(db, year, filters, actor, currentYear), loadFilterOptions(db, actor)]);
    // Certifications (issue 10 item 7): targets against actuals by month, by park, expiring by year —
    // with many firms and no park or town chosen, from the kept annual report (live-report.ts).
    const kept = filters.park || filters.town ? null : await keptReportCharts(db, { year, asOfDate: null, jurisdiction: { parkIds: actor.parkIds, townIds: actor.townIds }, scopeLabel: scopeLabelOf(actor) });
    const certCharts = kept === null ? await certificationCharts(db, year, { parkId: filters.park ?? null, townId: filters.town ?? null, jurisdiction: actor }) : 'charts' in kept ? kept.charts : null;
    renderPageOrFragment(req, res, 'dashboard/index', 'dashboard/funnel', {
      certCharts: certCharts && { ...certCharts, monthlyJson: JSON.stringify(certCharts.monthly), parksJson: JSON.stringify(certCharts.parks), expiringJson: JSON.stringify(certCharts.expiring) },
      certStamp: kept && 'charts' in kept ? { at: shanghaiDateTime(kept.computedAt), refreshing: kept.refreshing } : null,
      certYear: year,
      funnelChartJson: JSON.stringify(funnel.chart),
      parkChartJson: JSON.stringify(funnel.parkChart),
      title: '培育统计',
      nav: 'dashboard',
      page: 'dashboard',
      funnel,
      filters,
      boardQs: filterQueryString(filters),
      options,
      print: printHeading(filters, options, [['统计年度', `${year} 年`]]),
    });
  });

  /** The dashboard's tables (funnel and conversion, parks by tier) as XLSX (one sheet each) or CSV (the funnel). */
  router.get('/dashboard/export.:format', requirePermission('dashboard.read'), async (req, res) => {
    const actor = actorOfResponse(res);
    const format = exportFormatOf(req);
    const currentYear = yearOf(todayInShanghai());
    const requested = positiveInt(req.query.year);
    const year = requested && requested >= 2000 && requested <= currentYear ? requested : currentYear;
    const filters = pickFilters(parseFirmFilters(req.query), ['park', 'town', 'field']);
    const [funnel, options] = await Promise.all([loadFunnel(db, year, filters, actor, currentYear), loadFilterOptions(db, actor)]);
    const pairs: [string, string][] = [['统计年度', `${year} 年`], ...filterPairs(filters, options)];
    await recordExport(db, req, res, '培育统计', format, pairs);
    await sendExport(res, format, '培育统计', dashboardSheets(funnel, pairs));
  });

  return router;
}
