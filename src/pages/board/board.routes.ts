/** The board: GET pages and column fragments. Moves post to /firms/:uscc/stage (firms routes). */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { can } from '../../domain/permissions.js';
import { isStageKey } from '../../domain/stages.js';
import { todayInShanghai } from '../../lib/dates.js';
import { NotFoundError } from '../../lib/errors.js';
import { actorOfResponse } from '../../web/auth.js';
import { renderPageOrFragment, renderedOnce, renderToString } from '../../web/render.js';
import { type FirmFilters, SHORT_SEARCH_CAP, filterParams, filterQueryString, parseFirmFilters, prepareSearch } from '../../features/firms/firm-filters.js';
import { filterPairs, loadFilterOptions, printHeading } from '../../features/firms/filter-options.js';
import { firmListSheet } from '../../features/firms/firm-export.js';
import { exportFormatOf, recordExport, sendExport } from '../../web/export.js';
import { decodeCursor } from './board.queries.js';
import { loadBoard, loadColumnPage } from './board.service.js';

/** The board's filters: every one but `stage`, since the board's columns are the stages. */
async function boardFilters(db: Knex, query: Record<string, unknown>): Promise<FirmFilters> {
  const { stage: _columns, ...filters } = parseFirmFilters(query);
  return prepareSearch(db, filters);
}

export function boardRouter(db: Knex): Router {
  const router = express.Router();

  router.get('/board', async (req, res) => {
    const actor = actorOfResponse(res);
    const filters = await boardFilters(db, req.query);
    const [board, options] = await Promise.all([loadBoard(db, filters, actor, todayInShanghai()), loadFilterOptions(db, actor)]);
    const canMove = can(actor, 'firms.move');
    const filterQs = filterQueryString(filters);
    // The columns depend only on the (kept) board, the right to move and the filters the links carry.
    const lanesHtml = await renderedOnce(board, `${canMove} ${filterQs}`, () => renderToString(req, 'partials/board/lanes', { board, canMove, filterQs }));
    renderPageOrFragment(req, res, 'board/index', 'board/board', {
      title: '培育看板',
      nav: 'board',
      page: 'board',
      board,
      lanesHtml,
      filters,
      filterQs,
      options,
      canMove,
      // Assigning a counsellor to every firm the filters show (coaching, issue 9).
      canAssign: can(actor, 'coaching.assign'),
      filterFields: filterParams(filters).map(([name, value]) => ({ name, value })),
      here: req.originalUrl.slice(0, 300),
      searchCap: filters.matchCapped ? SHORT_SEARCH_CAP : null,
      print: printHeading(filters, options),
    });
  });

  /** The firms the board shows under its filters (all columns), as XLSX or CSV. */
  router.get('/board/export.:format', async (req, res) => {
    const actor = actorOfResponse(res);
    const format = exportFormatOf(req);
    const filters = await boardFilters(db, req.query);
    const options = await loadFilterOptions(db, actor);
    await recordExport(db, req, res, '培育看板企业', format, filterPairs(filters, options));
    await sendExport(res, format, '培育看板企业', [firmListSheet(db, filters, actor, options, '培育看板企业', true)]);
  });

  router.get('/board/columns/:stage', async (req, res) => {
    const { stage } = req.params;
    if (!isStageKey(stage)) throw new NotFoundError('STAGE_NOT_FOUND', '没有这个阶段。');
    const actor = actorOfResponse(res);
    const filters = await boardFilters(db, req.query);
    const page = await loadColumnPage(db, stage, filters, actor, decodeCursor(req.query.after), todayInShanghai());
    const canMove = can(actor, 'firms.move');
    const filterQs = filterQueryString(filters);
    const html = await renderedOnce(page, `${canMove} ${filterQs}`, () => renderToString(req, 'partials/board/column-page', { stage, ...page, filterQs, canMove }));
    res.vary('HX-Request').type('html').send(html);
  });

  return router;
}
