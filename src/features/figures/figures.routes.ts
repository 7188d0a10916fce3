/** Editing a firm's annual figures in place on its page, a year at a time, validated as typed. */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai, yearOf } from '../../lib/dates.js';
import { BadRequestError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt } from '../../web/forms.js';
import { isFragmentRequest, renderFragment } from '../../web/render.js';
import type { Firm } from '../firms/firms.queries.js';
import { FIGURE_ROWS } from './figure-rows.js';
import { type FigureForm, figureFormFrom, figureFormOf, parseFigureForm } from './figures-form.js';
import { figuresOfYear } from './figures.queries.js';
import { type FiguresService, StaleFiguresError } from './figures.service.js';
import { findFirmInScope } from '../firms/firm-scope.js';

/**
 * `renderSection` answers a save with the figures section and the readiness panel, as the firm page
 * shows them; the page layer supplies it (src/pages/firm-page), since readiness reads figures.
 */
export type FiguresSectionRenderer = (res: Response, firm: Firm, status?: number, extra?: { savedYear?: number; announce?: { level: 'success' | 'info'; message: string } }) => Promise<void>;

export function figuresRouter(db: Knex, figures: FiguresService, renderSection: FiguresSectionRenderer): Router {
  const router = express.Router();

  async function loadFirm(req: Request, res: Response): Promise<Firm> {
    return findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actorOfResponse(res));
  }

  function yearParam(req: Request): number {
    const year = positiveInt(req.params.year ?? req.query.year);
    const current = yearOf(todayInShanghai());
    if (!year || year < 2000 || year > current) throw new BadRequestError('BAD_YEAR', `年度须在 2000 至 ${current} 之间。`);
    return year;
  }

  function formData(firm: Firm, year: number, version: number, form: FigureForm, errors: Record<string, string>, extra: Record<string, unknown> = {}) {
    return {
      firm,
      year,
      version,
      rows: FIGURE_ROWS.map((r) => ({ ...r, value: form[r.key] ?? '', error: errors[r.key] ?? null })),
      hasErrors: Object.keys(errors).length > 0,
      ...extra,
    };
  }

  router.get('/firms/:uscc/figures/edit', requirePermission('figures.edit'), async (req, res) => {
    const firm = await loadFirm(req, res);
    const year = yearParam(req);
    const current = await figuresOfYear(db, firm.id, year);
    const data = formData(firm, year, current?.version ?? 0, figureFormFrom(current), {});
    if (isFragmentRequest(req)) renderFragment(res, 'firms/figures-form', data);
    else res.render('firms/figures-edit', { ...data, standalone: true, title: `${firm.name} ${year} 年指标`, nav: 'firms' });
  });

  /** Validation while typing: the answer updates each field's message in place, and writes nothing. */
  router.post('/firms/:uscc/figures/:year/check', requirePermission('figures.edit'), async (req, res) => {
    const firm = await loadFirm(req, res);
    yearParam(req);
    const parsed = parseFigureForm(figureFormOf(req.body as Record<string, unknown>));
    const errors = parsed.ok ? {} : parsed.errors;
    renderFragment(res, 'firms/figures-check', { firm, rows: FIGURE_ROWS.map((r) => ({ key: r.key, error: errors[r.key] ?? null })) });
  });

  router.post('/firms/:uscc/figures/:year', requirePermission('figures.edit'), async (req, res) => {
    const firm = await loadFirm(req, res);
    const year = yearParam(req);
    const body = req.body as Record<string, unknown>;
    const version = typeof body.version === 'string' && /^\d+$/.test(body.version) ? Number(body.version) : null;
    if (version === null) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
    const form = figureFormOf(body);
    const rerender = (errors: Record<string, string>, status: number, extra: Record<string, unknown> = {}, v = version) => {
      const data = formData(firm, year, v, form, errors, extra);
      if (isFragmentRequest(req)) renderFragment(res, 'firms/figures-form', data, status);
      else res.status(status).render('firms/figures-edit', { ...data, standalone: true, title: `${firm.name} ${year} 年指标`, nav: 'firms' });
    };
    const parsed = parseFigureForm(form);
    if (!parsed.ok) return rerender(parsed.errors, 422);
    let changed: number;
    try {
      ({ changed } = await figures.saveYear(db, firm, year, version, parsed.values, writeContext(req, res)));
    } catch (err) {
      if (err instanceof StaleFiguresError) {
        return rerender({}, 409, { conflict: true, current: figureFormFrom(err.current) }, err.current?.version ?? 0);
      }
      throw err;
    }
    // Back on the firm page's figures section, the saved year marked: never on the form's URL,
    // which a reload would reopen.
    const announce = changed
      ? { level: 'success' as const, message: `已保存 ${year} 年指标（${changed} 项修改）。` }
      : { level: 'info' as const, message: `没有修改：${year} 年指标与保存前相同，未记录新版本。` };
    if (isFragmentRequest(req)) return renderSection(res, firm, 200, { savedYear: year, announce });
    setFlash(req, announce.level, announce.message);
    res.redirect(303, `/firms/${firm.uscc}?saved=${year}#figures-saved-year`);
  });

  return router;
}
