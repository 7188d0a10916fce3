/**
 * Firm routes: list and search, create (with inline credit-code check), the firm page, profile
 * editing, and stage moves from every surface. Handlers parse input, call the service, pick a view.
 */
import express, { type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { can } from '../../domain/permissions.js';
import { isStageKey, stageLabel, type StageKey } from '../../domain/stages.js';
import type { MoveInput } from '../../domain/transitions.js';
import { parseUscc, normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai } from '../../lib/dates.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, writeContext } from '../../web/auth.js';
import { checkbox, positiveInt, str } from '../../web/forms.js';
import { isFragmentRequest, redirectAfterWrite, renderFragment, renderPageOrFragment } from '../../web/render.js';
import { cardOfFirm } from '../board/board.queries.js';
import { changedCounts, withBadges } from '../board/board.service.js';
import type { StageEventSource } from '../stages/stage-events.queries.js';
import { SHORT_SEARCH_CAP, filterQueryString, parseFirmFilters, prepareSearch } from './firm-filters.js';
import { entriesOfFirm } from '../lists/overlap.queries.js';
import { listKindLabel } from '../../domain/list-kinds.js';
import { formatWan } from '../../lib/money.js';
import { FIRM_FORM_FIELDS, formValues, parseFirmForm, type FormValues } from './firm-form.js';
import { FIGURE_ROWS, loadFirmPage, moveTargets } from './firm-page.js';
import { loadFilterOptions } from './filter-options.js';
import { type Firm, type FirmSort, findFirmByUscc, listFirms, profileOf } from './firms.queries.js';
import { type FirmService, MoveRefusedError, StaleFirmError } from './firms.service.js';
import { countByStage, totalOf } from './stage-counts.queries.js';
import { findFirmInScope } from './firm-scope.js';

const PAGE_SIZE = 50;

/** A list entry's own figures, in words (amounts in 万元). */
function entrySummary(data: Record<string, unknown>): string {
  const parts: string[] = [];
  const wan = (v: unknown) => (typeof v === 'number' ? `${formatWan(v)} 万元` : null);
  if (wan(data.rd_deduction)) parts.push(`加计扣除额 ${wan(data.rd_deduction)}`);
  if (wan(data.rd_expense)) parts.push(`研发费用 ${wan(data.rd_expense)}`);
  if (wan(data.revenue)) parts.push(`营业收入 ${wan(data.revenue)}`);
  if (typeof data.patent_rows === 'number') parts.push(`授权专利 ${data.patent_rows} 件`);
  if (typeof data.patent_count === 'number') parts.push(`授权专利数 ${data.patent_count}`);
  if (typeof data.invention_count === 'number') parts.push(`发明专利 ${data.invention_count} 件`);
  if (typeof data.staff === 'number') parts.push(`从业人员 ${data.staff} 人`);
  if (typeof data.entry_date === 'string') parts.push(`入孵 ${data.entry_date}`);
  return parts.join('，');
}
const notFound = () => new NotFoundError('FIRM_NOT_FOUND', '找不到这家企业（信用代码不存在，或不在你负责的园区）。');

function valuesOfFirm(f: Firm): FormValues {
  const p = profileOf(f);
  const out: FormValues = {};
  for (const k of FIRM_FORM_FIELDS) {
    const v = p[k];
    out[k] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

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

export function firmsRouter(db: Knex, firms: FirmService): Router {
  const router = express.Router();

  router.get('/firms', async (req, res) => {
    const actor = actorOfResponse(res);
    const filters = await prepareSearch(db, parseFirmFilters(req.query));
    const sort: FirmSort = str(req.query.sort) === 'name' ? 'name' : 'updated';
    const page = Math.min(positiveInt(req.query.page) ?? 1, 100000);
    const [items, counts, options] = await Promise.all([
      listFirms(db, filters, actor, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE, sort }),
      countByStage(db, filters, actor),
      loadFilterOptions(db, actor),
    ]);
    const total = totalOf(counts);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const qs = filterQueryString(filters);
    const link = (p: number) => `/firms?${new URLSearchParams([...new URLSearchParams(qs), ['sort', sort], ['page', String(p)]]).toString()}`;
    renderPageOrFragment(req, res, 'firms/index', 'firms/table', {
      title: '企业名录',
      nav: 'firms',
      items,
      total,
      filters,
      sort,
      options,
      page,
      pages,
      prev: page > 1 ? link(page - 1) : null,
      next: page < pages ? link(page + 1) : null,
      canCreate: can(actor, 'firms.create'),
      searchCap: filters.matchCapped ? SHORT_SEARCH_CAP : null,
    });
  });

  router.get('/firms/new', requirePermission('firms.create'), async (_req, res) => {
    const actor = actorOfResponse(res);
    res.render('firms/new', { title: '新增企业', nav: 'firms', values: { stage: 'candidate' }, errors: {}, options: await loadFilterOptions(db, actor) });
  });

  /** Inline check while typing: format and check character first, then whether it is already registered. */
  router.get('/firms/check-uscc', async (req, res) => {
    const raw = str(req.query.uscc);
    const current = str(req.query.current);
    const parsed = parseUscc(raw);
    let state: { level: 'ok' | 'error' | 'hint'; message: string; link?: string };
    if (raw === '') state = { level: 'hint', message: '18位，由数字和大写字母组成，见营业执照。' };
    else if (!parsed.ok) state = { level: 'error', message: parsed.message };
    else if (parsed.code !== current && (await findFirmByUscc(db, parsed.code))) {
      state = { level: 'error', message: '该信用代码已登记。', link: `/firms/${parsed.code}` };
    } else {
      const warn = parsed.warnings.includes('organization_code_check') ? '（第9–17位的组织机构代码校验未通过，请再核对一次）' : '';
      state = { level: 'ok', message: `格式正确：${parsed.code}${warn}` };
    }
    renderFragment(res, 'firms/uscc-feedback', state);
  });

  router.post('/firms', requirePermission('firms.create'), async (req, res) => {
    const actor = actorOfResponse(res);
    const values = formValues(req.body);
    const stage = str((req.body as Record<string, unknown>).stage) || 'candidate';
    values.stage = stage;
    const parsed = parseFirmForm(values, todayInShanghai());
    const rerender = async (errors: Record<string, string>) =>
      renderPageOrFragment(req, res, 'firms/new', 'firms/form', {
        title: '新增企业',
        nav: 'firms',
        values,
        errors,
        mode: 'create',
        options: await loadFilterOptions(db, actor),
      }, 422);
    if (!parsed.ok) return rerender(parsed.errors);
    try {
      const firm = await firms.create(db, parsed.profile, isStageKey(stage) ? stage : 'candidate', writeContext(req, res));
      redirectAfterWrite(req, res, `/firms/${firm.uscc}`);
    } catch (err) {
      if (err instanceof ValidationError) return rerender(err.fieldErrors);
      throw err;
    }
  });

  router.get('/firms/:uscc', async (req, res) => {
    const actor = actorOfResponse(res);
    const uscc = normalizeUscc(String(req.params.uscc));
    const page = await loadFirmPage(db, uscc, actor, todayInShanghai());
    const lists = (await entriesOfFirm(db, page.firm.id)).map((e) => ({ ...e, kindLabel: listKindLabel(e.kind), summary: entrySummary(e.data) }));
    res.render('firms/show', {
      title: page.firm.name,
      lists,
      nav: 'firms',
      ...page,
      figureRows: FIGURE_ROWS,
      canEdit: can(actor, 'firms.edit'),
      canMove: can(actor, 'firms.move'),
      canEditFigures: can(actor, 'figures.edit'),
      values: valuesOfFirm(page.firm),
      errors: {},
    });
  });

  /** The profile editor, swapped into the page (click to edit). */
  router.get('/firms/:uscc/edit', requirePermission('firms.edit'), async (req, res) => {
    const actor = actorOfResponse(res);
    const firm = await findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actor);
    const data = { firm, values: valuesOfFirm(firm), errors: {}, mode: 'edit', options: await loadFilterOptions(db, actor), title: `编辑 ${firm.name}`, nav: 'firms' };
    renderPageOrFragment(req, res, 'firms/edit', 'firms/form', data);
  });

  router.post('/firms/:uscc', requirePermission('firms.edit'), async (req, res) => {
    const actor = actorOfResponse(res);
    const uscc = normalizeUscc(String(req.params.uscc));
    const values = formValues(req.body);
    const version = positiveInt((req.body as Record<string, unknown>).version);
    const firm = await findFirmInScope(db, uscc, actor);
    if (version === null) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
    const rerender = async (errors: Record<string, string>, current: Firm, status: number, conflict = false) =>
      renderPageOrFragment(req, res, 'firms/edit', 'firms/form', {
        title: `编辑 ${current.name}`,
        nav: 'firms',
        firm: { ...current, version: conflict ? current.version : version },
        values,
        errors,
        conflict,
        mode: 'edit',
        options: await loadFilterOptions(db, actor),
      }, status);
    const parsed = parseFirmForm(values, todayInShanghai());
    if (!parsed.ok) return rerender(parsed.errors, firm, 422);
    try {
      const updated = await firms.updateProfile(db, uscc, version, parsed.profile, writeContext(req, res));
      redirectAfterWrite(req, res, `/firms/${updated.uscc}`);
    } catch (err) {
      if (err instanceof ValidationError) return rerender(err.fieldErrors, firm, 422);
      if (err instanceof StaleFirmError) {
        // Keep what the user typed, show what changed meanwhile, and offer the new version.
        const fresh = (await findFirmByUscc(db, uscc)) ?? err.firm;
        return rerender({}, fresh, 409, true);
      }
      throw err;
    }
  });

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
      if (!fromBoard) return redirectAfterWrite(req, res, `/firms/${firm.uscc}`);
      // The menu's form posted without htmx (a click before htmx wired it up, or no script): back to the board.
      if (!isFragmentRequest(req)) {
        const qs = filterQueryString(filters);
        return redirectAfterWrite(req, res, qs ? `/board?${qs}` : '/board');
      }
      await renderBoardPlacement(res, firm, [from, firm.stage], filters, 200, null);
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
    }, status);
  }

  return router;
}
