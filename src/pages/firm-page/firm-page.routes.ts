/**
 * The firm page (企业档案): one firm as every feature sees it. A composition above the features:
 * the profile (firms), readiness (eligibility), figures, lists and stage history.
 */
import express, { type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { listKindLabel } from '../../domain/list-kinds.js';
import { can } from '../../domain/permissions.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai } from '../../lib/dates.js';
import { formatWan } from '../../lib/money.js';
import { actorOfResponse } from '../../web/auth.js';
import { renderFragment } from '../../web/render.js';
import { positiveInt, str } from '../../web/forms.js';
import type { FiguresSectionRenderer } from '../../features/figures/figures.routes.js';
import { FIGURE_ROWS } from '../../features/figures/figure-rows.js';
import { valuesOfFirm } from '../../features/firms/firm-form.js';
import type { Firm } from '../../features/firms/firms.queries.js';
import { entriesOfFirm } from '../../features/lists/overlap.queries.js';
import { loadFirmPage } from './firm-page.js';
import { loadCoachingPanel } from './coaching-panel.js';
import { FORM_CHOICES } from '../../features/certifications/certifications.view.js';

/** A list entry's own figures, in words (amounts in 万元). */
function entrySummary(data: Record<string, unknown>): string {
  const parts: string[] = [];
  const wan = (v: unknown) => (typeof v === 'number' ? `${formatWan(v)} 万元` : null);
  if (wan(data.rd_deduction)) parts.push(`加计扣除额 ${wan(data.rd_deduction)}`);
  if (wan(data.rd_expense)) parts.push(`研发费用 ${wan(data.rd_expense)}`);
  if (wan(data.revenue)) parts.push(`营业收入 ${wan(data.revenue)}`);
  if (wan(data.main_revenue)) parts.push(`主营业务收入 ${wan(data.main_revenue)}`);
  if (typeof data.patent_rows === 'number') parts.push(`授权专利 ${data.patent_rows} 件`);
  if (typeof data.patent_count === 'number') parts.push(`授权专利数 ${data.patent_count}`);
  if (typeof data.invention_count === 'number') parts.push(`发明专利 ${data.invention_count} 件`);
  if (typeof data.staff === 'number') parts.push(`从业人员 ${data.staff} 人`);
  if (typeof data.entry_date === 'string') parts.push(`入孵 ${data.entry_date}`);
  return parts.join('，');
}

/**
 * The figures section and the readiness panel, as on the firm page: the figures feature answers a
 * save or a cancelled edit with it (it cannot build the readiness panel itself, which reads it).
 */
export function figuresSectionRenderer(db: Knex) {
  return async (res: Response, firm: Firm, status = 200, extra: NonNullable<Parameters<FiguresSectionRenderer>[3]> = {}): Promise<void> => {
    const actor = actorOfResponse(res);
    const page = await loadFirmPage(db, firm.uscc, actor, todayInShanghai());
    renderFragment(res, 'firms/figures-section', { ...page, figureRows: FIGURE_ROWS, canEditFigures: can(actor, 'figures.edit'), oobReadiness: true, ...extra }, status);
  };
}

export function firmPageRouter(db: Knex): Router {
  const router = express.Router();
  router.get('/firms/:uscc', async (req, res) => {
    const actor = actorOfResponse(res);
    const uscc = normalizeUscc(String(req.params.uscc));
    const page = await loadFirmPage(db, uscc, actor, todayInShanghai());
    const coaching = await loadCoachingPanel(db, page.firm, actor, todayInShanghai());
    // From a consistency hint: the normal move form, with the hint's stage chosen and its words as the reason.
    const moveTo = page.moveTargets.find((t) => t.key === str(req.query.move))?.key ?? null;
    const hint = moveTo ? page.hints.find((h) => h.code === str(req.query.hint) && h.suggest === moveTo) : undefined;
    const lists = (await entriesOfFirm(db, page.firm.id)).map((e) => ({ ...e, kindLabel: listKindLabel(e.kind), summary: entrySummary(e.data) }));
    res.render('firms/show', {
      title: page.firm.name,
      lists,
      coaching,
      nav: 'firms',
      ...page,
      figureRows: FIGURE_ROWS,
      canEdit: can(actor, 'firms.edit'),
      canMove: can(actor, 'firms.move'),
      canEditFigures: can(actor, 'figures.edit'),
      canEditRegister: can(actor, 'certifications.edit'),
      registerKinds: FORM_CHOICES.kinds,
      values: valuesOfFirm(page.firm),
      moveTo,
      moveReason: hint ? `一致性提示：${hint.message}` : '',
      errors: {},
      // After a figures save without htmx (figures.routes): the saved year is marked.
      savedYear: positiveInt(req.query.saved),
      // After a profile save: focus returns to the profile.
      savedSection: req.query.saved === 'profile' ? 'profile' : null,
    });
  });

  return router;
}
