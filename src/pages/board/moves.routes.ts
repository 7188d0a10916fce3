/**
 * Stage moves from every surface (board drag, card menu, firm page): the firms feature decides and
 * writes the move; this page answers with the card in its new column and the changed counts, or
 * the dialog asking for what the move needs.
 */
import express, { type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { can } from '../../domain/permissions.js';
import { isStageKey, stageLabel, type StageKey } from '../../domain/stages.js';
import type { MoveInput } from '../../domain/transitions.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai } from '../../lib/dates.js';
import { BadRequestError, NotFoundError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { checkbox, positiveInt, str } from '../../web/forms.js';
import { isFragmentRequest, redirectAfterWrite, renderFragment, renderPageOrFragment } from '../../web/render.js';
import { filterQueryString, parseFirmFilters } from '../../features/firms/firm-filters.js';
import { loadFilterOptions } from '../../features/firms/filter-options.js';
import { findFirmInScope } from '../../features/firms/firm-scope.js';
import { type Firm, findFirmByUscc } from '../../features/firms/firms.queries.js';
import { MoveRefusedError, StaleFirmError } from '../../features/firms/firm-errors.js';
import type { FirmService } from '../../features/firms/firms.service.js';
import { moveTargets } from '../../features/firms/move-targets.js';
import { countByStage } from '../../features/firms/stage-counts.queries.js';
import type { StageEventSource } from '../../features/stages/stage-events.queries.js';
import { cardOfFirm } from './board.queries.js';
import { changedCounts, withBadges } from './board.service.js';

const notFound = () => new NotFoundError('FIRM_NOT_FOUND', '找不到这家企业（信用代码不存在，或不在你负责的园区）。');

function parseMoveInput(body: Record<string, unknown>): { input: MoveInput; version: number; source: StageEventSource } {
  const to = str(body.to);
  const version = positiveInt(body.version);
  if (!isStageKey(to)) throw new BadRequestError('BAD_STAGE', '目标阶段无效。');
  if (version === null) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
  // Only these three may be claimed by a request; import, screening and creation are the app's own.
  const sourceText = str(body.source);
  return {
    version,
    source: sourceText === 'board' || sourceText === 'menu' ? sourceText : 'firm_page',
    input: {
      to,
      reason: str(body.reason) || null,
      exitReason: str(body.exitReason) || null,
      certificateNo: str(body.certificateNo) || null,
      certificateDate: str(body.certificateDate) || null,
      override: checkbox(body.override),
    },
  };
}

export function movesRouter(db: Knex, firms: FirmService): Router {
  const router = express.Router();

  /** The card's "move to…" menu, fetched when opened so it carries the firm's current version. */
  router.get('/firms/:uscc/move-menu', requirePermission('firms.move'), async (req, res) => {
    const actor = actorOfResponse(res);
    const firm = await findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actor);
    renderFragment(res, 'board/move-menu', { firm, targets: moveTargets(firm.stage), canMove: can(actor, 'firms.move') });
  });

  router.post('/firms/:uscc/stage', requirePermission('firms.move'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const uscc = normalizeUscc(String(req.params.uscc));
    const { input, version, source } = parseMoveInput(body);
    const filters = parseFirmFilters(body);
    const fromBoard = source === 'board' || source === 'menu';
    try {
      const { firm, from } = await firms.move(db, uscc, version, input, source, writeContext(req, res));
      const done = `已将 ${firm.name} 移到“${stageLabel(firm.stage)}”。`;
      if (!fromBoard || !isFragmentRequest(req)) setFlash(req, 'success', done);
      if (!fromBoard) return redirectAfterWrite(req, res, `/firms/${firm.uscc}`);
      // The menu's form posted without htmx (a click before htmx wired it up, or no script): back to the board.
      if (!isFragmentRequest(req)) {
        const qs = filterQueryString(filters);
        return redirectAfterWrite(req, res, qs ? `/board?${qs}` : '/board');
      }
      // A move chosen from the card's menu (keyboard or pointer) puts focus back on the moved card.
      await renderBoardPlacement(res, firm, [from, firm.stage], filters, 200, null, { announce: done, focus: source === 'menu' });
    } catch (err) {
      if (err instanceof MoveRefusedError && err.decision.code === 'INPUT_NEEDED') {
        // The dialog opens over whatever asked (a dragged card, a menu, the firm page's form).
        if (isFragmentRequest(req)) res.set({ 'HX-Retarget': '#dialog-host', 'HX-Reswap': 'innerHTML' });
        return renderPageOrFragment(req, res, 'firms/move', 'board/move-dialog', {
          title: `移动 ${err.firm.name}`,
          nav: fromBoard ? 'board' : 'firms',
          firm: err.firm,
          version,
          input: err.input,
          toLabel: stageLabel(input.to),
          decision: err.decision,
          needs: Object.fromEntries(err.decision.needs.map((n) => [n, true])),
          source,
          filterFields: Object.entries(filters).map(([name, value]) => ({ name, value: String(value) })),
          options: await loadFilterOptions(db, actorOfResponse(res)),
        }, 422);
      }
      if (err instanceof StaleFirmError && fromBoard && isFragmentRequest(req)) {
        const fresh = await findFirmByUscc(db, uscc);
        if (fresh) return renderBoardPlacement(res, fresh, [fresh.stage], filters, 409, err.message);
      }
      throw err;
    }
  });

  /** The card in its (new) column plus the counts that changed, as out-of-band swaps. */
  async function renderBoardPlacement(
    res: Response,
    firm: Firm,
    stages: StageKey[],
    filters: ReturnType<typeof parseFirmFilters>,
    status: number,
    message: string | null,
    done: { announce: string; focus: boolean } | null = null,
  ): Promise<void> {
    const actor = actorOfResponse(res);
    const counts = await countByStage(db, filters, actor);
    const card = await cardOfFirm(db, firm.id);
    if (!card) throw notFound();
    const [view] = await withBadges(db, [card], todayInShanghai());
    if (message) res.set({ 'HX-Retarget': '#flash', 'HX-Reswap': 'innerHTML' });
    else res.set('HX-Trigger', 'firm-moved');
    renderFragment(res, 'board/placement', {
      card: view,
      counts: changedCounts(counts, [...new Set(stages)]),
      canMove: can(actor, 'firms.move'),
      message,
      announce: done?.announce ?? null,
      focus: done?.focus ?? false,
    }, status);
  }

  return router;
}
