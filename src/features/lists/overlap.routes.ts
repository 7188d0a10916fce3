/** /lists/overlap (how the lists overlap), /lists/firms (the firms behind a number) and bulk screening. */
import express, { type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { LIST_KINDS, isListKind, listKindDef, listYears, type ListKindKey } from '../../domain/list-kinds.js';
import { can } from '../../domain/permissions.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai, yearOf } from '../../lib/dates.js';
import { actorOfResponse, requirePermission, writeContext } from '../../web/auth.js';
import { keysetCursor, positiveInt, str } from '../../web/forms.js';
import { type FirmFilters, filterParams, parseFirmFilters } from '../firms/firm-filters.js';
import { loadFilterOptions } from '../firms/filter-options.js';
import type { FirmService } from '../firms/firms.service.js';
import { type OverlapCursor, type OverlapFirm, type OverlapQuery, overlapFirms } from './overlap.queries.js';
import { asOfLabel, overlapForYear, overlapTotal } from './overlap-snapshot.queries.js';
import { SCREEN_LIMIT, type ScreenTarget, screenIntoPool } from './screening.js';

const PAGE = 100;

/** The year asked for in a query or form, if plausible; else the fallback. */
function yearParam(value: unknown, fallback: number): number {
  const y = positiveInt(value);
  return y && y >= 2000 && y <= fallback + 1 ? y : fallback;
}

function kindsOf(value: unknown): ListKindKey[] {
  return [...new Set(str(value).split(',').filter(isListKind))];
}

function overlapQueryOf(query: Record<string, unknown>, defaultYear: number): OverlapQuery {
  const count = positiveInt(query.count);
  const min = positiveInt(query.min);
  return {
    year: yearParam(query.year, defaultYear),
    kinds: kindsOf(query.kinds),
    ...(count && count <= 4 ? { count } : {}),
    ...(min && min <= 4 ? { minCount: min } : {}),
  };
}

/** `after=` (or `before=`): where a page of firms starts in name order; anything else is the first page. */
function cursorParam(raw: unknown, dir: OverlapCursor['dir']): OverlapCursor | null {
  const c = keysetCursor(raw);
  return c ? { id: c.id, name: c.key, dir } : null;
}

/** Of the firm filters, these pages offer the park only. */
function parkFilter(query: Record<string, unknown>): FirmFilters {
  const { park } = parseFirmFilters(query);
  return park !== undefined ? { park } : {};
}

/** The query and filters as query-string pairs, for links and hidden fields that carry them along. */
function overlapParams(q: Pick<OverlapQuery, 'year'> & Partial<OverlapQuery>, filters: FirmFilters): [string, string][] {
  const params: [string, string][] = [['year', String(q.year)]];
  if (q.kinds?.length) params.push(['kinds', q.kinds.join(',')]);
  if (q.count) params.push(['count', String(q.count)]);
  if (q.minCount) params.push(['min', String(q.minCount)]);
  return [...params, ...filterParams(filters)];
}

function describe(q: OverlapQuery): string {
  const parts: string[] = [];
  if (q.kinds.length) parts.push(`同时在${q.kinds.map((k) => `“${listKindDef(k).label}”`).join('和')}名单上`);
  if (q.count) parts.push(`恰好在 ${q.count} 张名单上`);
  if (q.minCount) parts.push(`在 ${q.minCount} 张及以上名单上`);
  return `${q.year} 年${parts.length ? parts.join('、') : '在任一名单上'}的企业`;
}

export function overlapRouter(db: Knex, firms: FirmService): Router {
  const router = express.Router();
  const defaultYear = () => yearOf(todayInShanghai()) - 1;

  router.get('/lists/overlap', requirePermission('lists.read'), async (req, res) => {
    const actor = actorOfResponse(res);
    const year = yearParam(req.query.year, defaultYear());
    const filters = parkFilter(req.query);
    const [overlap, options] = await Promise.all([overlapForYear(db, year, filters, actor), loadFilterOptions(db, actor)]);
    const base = new URLSearchParams(overlapParams({ year }, filters)).toString();
    res.render('lists/overlap', {
      title: '名单交叉',
      nav: 'lists',
      year,
      years: listYears(defaultYear() + 1),
      filters,
      options,
      base,
      asOf: asOfLabel(overlap.computedAt),
      byCount: [1, 2, 3, 4].map((n) => ({ n, firms: overlap.byCount[n as 1 | 2 | 3 | 4] })),
      kinds: LIST_KINDS,
      rows: LIST_KINDS.map((a) => ({ ...a, cells: LIST_KINDS.map((b) => ({ kinds: a.key === b.key ? a.key : `${a.key},${b.key}`, n: overlap.matrix[a.key][b.key], diagonal: a.key === b.key })) })),
    });
  });

  /**
   * The firms behind a number, with the screening form. `form` is a refused screening: its message,
   * the firms that were ticked and the reason as typed are shown again, so nothing is lost.
   */
  async function renderFirms(
    res: Response,
    source: Record<string, unknown>,
    form: { error: string; checked: string[]; reason: string } | null = null,
    status = 200,
  ): Promise<void> {
    const actor = actorOfResponse(res);
    const q = overlapQueryOf(source, defaultYear());
    const filters = parkFilter(source);
    const cursor = cursorParam(source.after, 'after') ?? cursorParam(source.before, 'before');
    // The page number only labels the page ("第 N 页"): the cursor says where it starts.
    const page = cursor ? Math.min(positiveInt(source.page) ?? 2, 100000) : 1;
    const [result, count] = await Promise.all([overlapFirms(db, q, filters, actor, { limit: PAGE, cursor }), overlapTotal(db, q.year, q, filters, actor)]);
    const params = overlapParams(q, filters);
    const link = (p: number, at: OverlapFirm | undefined, dir: OverlapCursor['dir']) => {
      const ps = new URLSearchParams(params);
      if (p > 1 && at) {
        ps.set(dir, `${at.id}~${at.name}`);
        ps.set('page', String(p));
      }
      return `/lists/firms?${ps.toString()}`;
    };
    // Reading forwards, `more` says a next page exists; reading backwards, a previous one.
    const hasPrev = cursor?.dir === 'before' ? result.more : page > 1;
    const hasNext = cursor?.dir === 'before' ? true : result.more;
    const checked = new Set(form?.checked ?? []);
    const where: [string, string][] = cursor ? [[cursor.dir, `${cursor.id}~${cursor.name}`], ['page', String(page)]] : [];
    res.status(status).render('lists/firms', {
      title: describe(q),
      nav: 'lists',
      heading: describe(q),
      query: q,
      // The page travels with the form: a refused screening comes back to the same page of firms.
      hidden: [...params, ...where].map(([name, value]) => ({ name, value })),
      screenError: form?.error ?? null,
      reason: form ? form.reason : `${q.year} 年同时在多张名单上，遴选入库培育`,
      total: count.total,
      asOf: asOfLabel(count.computedAt),
      firms: result.firms.map((f) => ({ ...f, badges: f.kinds.map((k) => listKindDef(k).short), isCandidate: f.stage === 'candidate', checked: checked.has(`${f.uscc}:${f.version}`) })),
      candidates: result.firms.filter((f) => f.stage === 'candidate').length,
      page,
      prev: hasPrev ? link(page - 1, result.firms[0], 'before') : null,
      next: hasNext && result.firms.length ? link(page + 1, result.firms.at(-1), 'after') : null,
      canScreen: can(actor, 'lists.screen'),
      limit: SCREEN_LIMIT,
    });
  }

  router.get('/lists/firms', requirePermission('lists.read'), (req, res) => renderFirms(res, req.query));

  router.post('/lists/screen', requirePermission('lists.screen'), async (req, res) => {
    const actor = actorOfResponse(res);
    const body = req.body as Record<string, unknown>;
    const reason = str(body.reason);
    const picked = (body.firm === undefined ? [] : Array.isArray(body.firm) ? body.firm : [body.firm]).map(String).slice(0, SCREEN_LIMIT);
    // Refused: the list again with the message by the form, the ticks and the typed reason kept.
    const refuse = (error: string) => renderFirms(res, body, { error, checked: picked, reason: typeof body.reason === 'string' ? body.reason.slice(0, 500) : '' }, 422);
    if (!reason) return refuse('请填写遴选入库的理由（如“同时在三张及以上名单上”）。');
    let targets: ScreenTarget[];
    const q = overlapQueryOf(body, defaultYear());
    let leftOut = false;
    const filters = parkFilter(body);
    if (str(body.scope) === 'all') {
      // Only candidates can be screened: select them in SQL, before the cap, and say what the cap left out.
      const all = await overlapFirms(db, q, { ...filters, stage: 'candidate' }, actor, { limit: SCREEN_LIMIT });
      targets = all.firms.map((f) => ({ uscc: f.uscc, version: null }));
      leftOut = all.more;
    } else {
      targets = picked
        .map((v) => String(v).split(':'))
        .map(([uscc, version]) => ({ uscc: normalizeUscc(uscc ?? ''), version: positiveInt(version) }))
        .filter((t) => t.uscc.length === 18 && t.version !== null);
    }
    if (targets.length === 0) return refuse(str(body.scope) === 'all' ? '没有可以入库的候选企业。' : '没有勾选要入库的候选企业：请在表格左侧勾选后再提交。');
    const results = await screenIntoPool(db, firms, targets, reason, writeContext(req, res));
    res.render('lists/screen-results', {
      title: '遴选入库结果',
      nav: 'lists',
      heading: describe(q),
      results,
      moved: results.filter((r) => r.outcome === 'moved').length,
      skipped: results.filter((r) => r.outcome === 'skipped').length,
      refused: results.filter((r) => r.outcome === 'refused').length,
      leftOut,
      limit: SCREEN_LIMIT,
      back: `/lists/firms?${new URLSearchParams(overlapParams(q, filters)).toString()}`,
    });
  });

  return router;
}
