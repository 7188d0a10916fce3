/** /targets: read the year's targets against actuals; administrators and leaders set them. */
import express, { type Request, type Router } from 'express';
import type { Knex } from 'knex';
import { can } from '../../domain/permissions.js';
import { TARGET_METRICS } from '../../domain/targets.js';
import { todayInShanghai, yearOf } from '../../lib/dates.js';
import { ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { redirectAfterWrite, renderPageOrFragment } from '../../web/render.js';
import { loadFilterOptions } from '../firms/filter-options.js';
import { targetLines } from './targets-view.js';
import { StaleTargetsError, saveTargets } from './targets.service.js';

export const FIRST_TARGET_YEAR = 2019;

export function targetYearOf(v: unknown, currentYear: number): number {
  const y = positiveInt(v);
  return y && y >= FIRST_TARGET_YEAR && y <= currentYear + 1 ? y : currentYear;
}

export function targetsRouter(db: Knex): Router {
  const router = express.Router();

  async function page(req: Request, year: number, parkId: number | null, actorRes: express.Response, typed?: { values: Record<string, string>; errors: Record<string, string> }, status = 200, alert: { level: string; message: string } | null = null) {
    const actor = actorOfResponse(actorRes);
    const currentYear = yearOf(todayInShanghai());
    const [{ lines, date, reserve }, options] = await Promise.all([targetLines(db, year, parkId, actor), loadFilterOptions(db, actor)]);
    const years: number[] = [];
    for (let y = currentYear + 1; y >= FIRST_TARGET_YEAR; y--) years.push(y);
    renderPageOrFragment(req, actorRes, 'targets/index', 'targets/table', {
      title: '目标',
      nav: 'targets',
      reportCss: true,
      year,
      years,
      parkId,
      parkName: parkId ? (options.parks.find((p) => p.id === parkId)?.name ?? null) : null,
      options,
      asOfDay: date,
      reserve,
      canEdit: can(actor, 'targets.manage'),
      lines: lines.map((l) => ({ ...l, typed: typed ? (typed.values[l.metric] ?? '') : l.target === null ? '' : String(l.target), error: typed?.errors[l.metric] ?? null })),
      errorSummary: typed ? Object.values(typed.errors) : [],
      alert,
    }, status);
  }

  router.get('/targets', requirePermission('targets.read'), async (req, res) => {
    const year = targetYearOf(req.query.year, yearOf(todayInShanghai()));
    await page(req, year, positiveInt(req.query.park), res);
  });

  router.post('/targets', requirePermission('targets.manage'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const year = targetYearOf(body.year, yearOf(todayInShanghai()));
    const parkId = positiveInt(body.park);
    const values: Record<string, string> = {};
    const versions: Record<string, number> = {};
    for (const m of TARGET_METRICS) {
      values[m.key] = str(body[`t_${m.key}`]);
      versions[m.key] = Number.parseInt(str(body[`v_${m.key}`]) || '0', 10) || 0;
    }
    try {
      const { changed } = await saveTargets(db, { year, parkId, values, versions }, writeContext(req, res));
      setFlash(req, 'success', changed ? `已保存 ${year} 年目标（${changed} 项）。` : '没有修改。');
      redirectAfterWrite(req, res, `/targets?year=${year}${parkId ? `&park=${parkId}` : ''}`);
    } catch (err) {
      if (err instanceof ValidationError) return page(req, year, parkId, res, { values, errors: err.fieldErrors }, 422);
      if (err instanceof StaleTargetsError) {
        return page(req, year, parkId, res, undefined, 409, { level: 'error', message: err.message });
      }
      throw err;
    }
  });

  return router;
}
