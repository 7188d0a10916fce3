/** /readiness: the reserve ranked by how close each firm is to certification. */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { CHECK_KINDS, readinessTone, STAGES_WORKING_TOWARD } from '../../domain/readiness.js';
import { stageLabel } from '../../domain/stages.js';
import { formatWan } from '../../lib/money.js';
import { actorOfResponse } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { renderPageOrFragment } from '../../web/render.js';
import { filterQueryString, parseFirmFilters, pickFilters } from '../firms/firm-filters.js';
import { loadFilterOptions, printHeading } from '../firms/filter-options.js';
import { decodeReserveCursor, encodeReserveCursor, rankedReserve, type ReserveFocus } from './reserve.queries.js';

const PAGE = 50;
const FOCUS: { key: ReserveFocus; label: string }[] = [
  { key: 'all', label: '全部（按差距排序）' },
  { key: 'near', label: '只差一项（不符合或缺数据）' },
  { key: 'missing', label: '缺数据' },
  { key: 'ready', label: '可计算条件均已达标' },
];

export function reserveRouter(db: Knex): Router {
  const router = express.Router();
  router.get('/readiness', async (req, res) => {
    const actor = actorOfResponse(res);
    const kind = str(req.query.check) === 'tsme' ? 'tsme' : 'hte';
    const focusText = str(req.query.focus);
    const focus = (FOCUS.some((f) => f.key === focusText) ? focusText : 'all') as ReserveFocus;
    const parsed = parseFirmFilters(req.query);
    const stage = parsed.stage;
    const stages = stage && STAGES_WORKING_TOWARD[kind].includes(stage) ? [stage] : [...STAGES_WORKING_TOWARD[kind]];
    const filters = pickFilters(parsed, ['park', 'town', 'field']);
    // Keyset paging: `after` is the last row of the previous page, `from` the rank it had.
    const after = decodeReserveCursor(str(req.query.after));
    const from = after ? Math.max(0, positiveInt(req.query.from) ?? 0) : 0;
    const [result, options] = await Promise.all([
      rankedReserve(db, { ruleSet: CHECK_KINDS[kind].ruleSet, stages, focus }, filters, actor, PAGE, after),
      loadFilterOptions(db, actor),
    ]);
    const qs = new URLSearchParams([['check', kind], ['focus', focus], ...new URLSearchParams(filterQueryString({ ...filters, ...(stage ? { stage } : {}) }))]).toString();
    renderPageOrFragment(req, res, 'eligibility/reserve', 'eligibility/reserve-table', {
      title: '认定准备',
      nav: 'readiness',
      kind,
      kindLabel: CHECK_KINDS[kind].label,
      checks: (['hte', 'tsme'] as const).map((k) => ({ key: k, label: CHECK_KINDS[k].label })),
      focus,
      focuses: FOCUS,
      stageOptions: STAGES_WORKING_TOWARD[kind].map((s) => ({ key: s, label: stageLabel(s) })),
      filters: { ...filters, stage },
      options,
      print: printHeading({ ...filters, ...(stage ? { stage } : {}) }, options, [
        ['对照', CHECK_KINDS[kind].label],
        ['范围', FOCUS.find((f) => f.key === focus)?.label ?? focus],
      ]),
      total: result.total,
      capped: result.capped,
      rows: result.rows.map((r, i) => ({
        ...r,
        rank: from + i + 1,
        tone: readinessTone(r),
        rdGapText: r.rdGap ? `${formatWan(r.rdGap)} 万元` : '',
      })),
      first: after ? `/readiness?${qs}` : null,
      next: result.next ? `/readiness?${qs}&after=${encodeReserveCursor(result.next)}&from=${from + PAGE}` : null,
    });
  });
  return router;
}
