/**
 * Firm routes: list and search, create (with inline credit-code check) and profile editing.
 * The firm page itself and stage moves are compositions of several features (src/pages/).
 * Handlers parse input, call the service, pick a view.
 */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { can } from '../../domain/permissions.js';
import { isStageKey } from '../../domain/stages.js';
import { parseUscc, normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai } from '../../lib/dates.js';
import { BadRequestError, ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { keysetCursor, positiveInt, str } from '../../web/forms.js';
import { redirectAfterWrite, renderFragment, renderPageOrFragment } from '../../web/render.js';
import { SHORT_SEARCH_CAP, filterQueryString, parseFirmFilters, prepareSearch } from './firm-filters.js';
import { formValues, parseFirmForm, valuesOfFirm } from './firm-form.js';
import { filterPairs, loadFilterOptions } from './filter-options.js';
import { firmListSheet } from './firm-export.js';
import { exportFormatOf, recordExport, sendExport } from '../../web/export.js';
import { type Firm, type FirmCursor, type FirmListItem, type FirmSort, cursorOf, findFirmByUscc, listFirms } from './firms.queries.js';
import { StaleFirmError } from './firm-errors.js';
import type { FirmService } from './firms.service.js';
import { countListed } from './stage-counts.queries.js';
import { REGISTERED_OUT_OF_SCOPE, codeRegistration, findFirmInScope } from './firm-scope.js';

const PAGE_SIZE = 50;

/** `after=` (or `before=`): where a page starts; anything else is the first page. */
function cursorParam(raw: unknown, dir: FirmCursor['dir']): FirmCursor | null {
  const c = keysetCursor(raw);
  return c ? { ...c, dir } : null;
}

export function firmsRouter(db: Knex, firms: FirmService): Router {
  const router = express.Router();

  router.get('/firms', async (req, res) => {
    const actor = actorOfResponse(res);
    const filters = await prepareSearch(db, parseFirmFilters(req.query));
    const sort: FirmSort = str(req.query.sort) === 'name' ? 'name' : 'updated';
    const cursor = cursorParam(req.query.after, 'after') ?? cursorParam(req.query.before, 'before');
    // The page number only labels the page ("第 N 页"): the cursor says where it starts.
    const page = cursor ? Math.min(positiveInt(req.query.page) ?? 1, 100000) : 1;
    // The list also finds candidates a list revert took out (not counted on the board).
    const [items, total, options] = await Promise.all([
      listFirms(db, filters, actor, { cursor, limit: PAGE_SIZE, sort }),
      countListed(db, filters, actor),
      loadFilterOptions(db, actor),
    ]);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const qs = filterQueryString(filters);
    const link = (p: number, at: FirmListItem | undefined, dir: 'after' | 'before') => {
      const params = new URLSearchParams([...new URLSearchParams(qs), ['sort', sort]]);
      if (p > 1 && at) {
        const c = cursorOf(at, sort, dir);
        params.set(dir, `${c.id}~${c.key}`);
        params.set('page', String(p));
      }
      return `/firms?${params.toString()}`;
    };
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
      prev: page > 1 ? link(page - 1, items[0], 'before') : null,
      next: page < pages && items.length === PAGE_SIZE ? link(page + 1, items.at(-1), 'after') : null,
      canCreate: can(actor, 'firms.create'),
      searchCap: filters.matchCapped ? SHORT_SEARCH_CAP : null,
    });
  });

  /** The filtered list (every page of it) as XLSX or CSV. */
  router.get('/firms/export.:format', async (req, res) => {
    const actor = actorOfResponse(res);
    const format = exportFormatOf(req);
    const filters = await prepareSearch(db, parseFirmFilters(req.query));
    const options = await loadFilterOptions(db, actor);
    await recordExport(db, req, res, '企业名录', format, filterPairs(filters, options));
    await sendExport(res, format, '企业名录', [firmListSheet(db, filters, actor, options, '企业名录', false)]);
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
    let registration: Awaited<ReturnType<typeof codeRegistration>>;
    if (raw === '') state = { level: 'hint', message: '18位，由数字和大写字母组成，见营业执照。' };
    else if (!parsed.ok) state = { level: 'error', message: parsed.message };
    else if (parsed.code !== current && (registration = await codeRegistration(db, parsed.code, actorOfResponse(res))) !== 'free') {
      // Outside the caseworker's parks: that it is taken, and nothing of the firm (no name, no link).
      state = registration === 'mine' ? { level: 'error', message: '该信用代码已登记。', link: `/firms/${parsed.code}` } : { level: 'error', message: REGISTERED_OUT_OF_SCOPE };
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
      setFlash(req, 'success', `已登记 ${firm.name}。`);
      redirectAfterWrite(req, res, `/firms/${firm.uscc}`);
    } catch (err) {
      if (err instanceof ValidationError) return rerender(err.fieldErrors);
      throw err;
    }
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
      const { firm: updated, changed } = await firms.updateProfile(db, uscc, version, parsed.profile, writeContext(req, res));
      if (changed.length) setFlash(req, 'success', `已保存企业资料（${changed.length} 项修改）。`);
      else setFlash(req, 'info', '没有修改：内容与保存前相同，未记录新版本。');
      // Not a bare #fragment: the same path plus a hash would only scroll, not load the saved page.
      redirectAfterWrite(req, res, `/firms/${updated.uscc}?saved=profile`);
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

  return router;
}
