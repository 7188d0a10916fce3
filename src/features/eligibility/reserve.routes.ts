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
import { filterPairs, loadFilterOptions, printHeading } from '../firms/filter-options.js';
import { EXPORT_ROW_LIMIT, type ExportSheet, exportFormatOf, recordExport, sendExport } from '../../web/export.js';
import { decodeReserveCursor, encodeReserveCursor, rankedReserve, type ReserveCursor, type ReserveFocus, type ReserveRow } from './reserve.queries.js';

const PAGE = 50;
const FOCUS: { key: ReserveFocus; label: string }[] = [
  { key: 'all', label: '全部（按差距排序）' },
  { key: 'near', label: '只差一项（不符合或缺数据）' },
  { key: 'missing', label: '缺数据' },
  { key: 'ready', label: '可计算条件均已达标' },
];

function parseReserveQuery(query: Record<string, unknown>) {
  const kind: 'hte' | 'tsme' = str(query.check) === 'tsme' ? 'tsme' : 'hte';
  const focusText = str(query.focus);
  const focus = (FOCUS.some((f) => f.key === focusText) ? focusText : 'all') as ReserveFocus;
  const parsed = parseFirmFilters(query);
  const stage = parsed.stage;
  const stages = stage && STAGES_WORKING_TOWARD[kind].includes(stage) ? [stage] : [...STAGES_WORKING_TOWARD[kind]];
  const filters = pickFilters(parsed, ['park', 'town', 'field']);
  return { kind, focus, stage, stages, filters };
}

export function reserveRouter(db: Knex): Router {
  const router = express.Router();
  /** The ranked reserve (all of it, in rank order) as XLSX or CSV, under the page's filters. */
  router.get('/readiness/export.:format', async (req, res) => {
    const actor = actorOfResponse(res);
    const format = exportFormatOf(req);
    const { kind, focus, stage, stages, filters } = parseReserveQuery(req.query);
    const options = await loadFilterOptions(db, actor);
    const pairs: [string, string][] = [
      ['对照', CHECK_KINDS[kind].label],
      ['范围', FOCUS.find((f) => f.key === focus)?.label ?? focus],
      ...filterPairs({ ...filters, ...(stage ? { stage } : {}) }, options),
    ];
    await recordExport(db, req, res, '认定准备', format, pairs);
    const chunk = 5000;
    async function* rows() {
      // In rank order by the same keyset as the page, a chunk at a time.
      let after: ReserveCursor | null = null;
      for (let rank = 0; rank < EXPORT_ROW_LIMIT; ) {
        const page = await rankedReserve(db, { ruleSet: CHECK_KINDS[kind].ruleSet, stages, focus }, filters, actor, chunk, after);
        for (const r of page.rows) yield { ...r, rank: ++rank };
        if (!page.next) return;
        after = page.next;
      }
    }
    await sendExport(res, format, '认定准备', [
      {
        name: '认定准备',
        title: `认定准备（${CHECK_KINDS[kind].label}）`,
        filters: pairs,
        columns: [
          { header: '排名', kind: 'int', width: 6, value: (r: ReserveRow & { rank: number }) => r.rank },
          { header: '统一社会信用代码', kind: 'code', value: (r) => r.uscc },
          { header: '企业名称', width: 36, value: (r) => r.name },
          { header: '阶段', width: 14, value: (r) => stageLabel(r.stage) },
          { header: '园区/平台', width: 22, value: (r) => r.parkName ?? '未落园区' },
          { header: '不符合条件数', kind: 'int', value: (r) => r.fails },
          { header: '缺数据项数', kind: 'int', value: (r) => r.missing },
          { header: '待人工核对', kind: 'int', value: (r) => r.reviews },
          { header: '研发费用差额（万元）', kind: 'wan', width: 16, value: (r) => r.rdGap },
          { header: '说明', width: 50, value: (r) => r.summary },
          { header: '计算依据日期', kind: 'date', value: (r) => r.asOf },
        ],
        rows: rows(),
      } satisfies ExportSheet<ReserveRow & { rank: number }>,
    ]);
  });

  router.get('/readiness', async (req, res) => {
    const actor = actorOfResponse(res);
    const { kind, focus, stage, stages, filters } = parseReserveQuery(req.query);
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
