/**
 * /readiness/hints: the firms whose certification register or lists contradict their stage
 * (issue 12 item 7), in the user's jurisdiction, a keyset page at a time. A page above the features:
 * candidates come from one indexed query per rule (certifications, lists), each a page of ids after
 * the cursor; the rule (src/domain/consistency.ts) then decides on those firms' own rows, the same
 * function the firm page uses. Nothing moves here: each hint links to the firm's move form.
 */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { BEFORE_HTE, BEFORE_TSME, consistencyHints, EXPECTS_TSME, HINT_CODES, type HintCode, tsmeYearExpected } from '../../domain/consistency.js';
import { can } from '../../domain/permissions.js';
import { todayInShanghai, yearOf } from '../../lib/dates.js';
import { actorOfResponse } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { renderPageOrFragment } from '../../web/render.js';
import {
  certificationsOfFirms,
  firmIdsWithoutTsmeSince,
  firmIdsWithoutValidHte,
  firmIdsWithTsmeOfYear,
  firmIdsWithValidHte,
} from '../../features/certifications/certifications.queries.js';
import { applyFirmFilters, filterQueryString, parseFirmFilters, pickFilters } from '../../features/firms/firm-filters.js';
import { loadFilterOptions, printHeading } from '../../features/firms/filter-options.js';
import { findFirmsById } from '../../features/firms/firms.queries.js';
import { firmIdsOnListOfClass, latestListYear, onLatestList } from '../../features/lists/overlap.queries.js';
import { hintViews } from '../firm-page/firm-page.js';

const PAGE = 50;

const CODE_LABELS: Record<HintCode, string> = {
  tsme_valid_early: '已入库科技型中小企业，阶段仍在孵化前',
  tsme_lapsed: '科技型中小企业入库已过期',
  hte_valid_early: '持有效高企证书，阶段未到高新技术企业',
  hte_missing: '高新技术企业阶段，无有效证书',
  above_scale_on_sample: '规上工业却在规下样本名单上',
};

export function readinessHintsRouter(db: Knex): Router {
  const router = express.Router();

  router.get('/readiness/hints', async (req, res) => {
    const actor = actorOfResponse(res);
    const today = todayInShanghai();
    const year = yearOf(today);
    const codeText = str(req.query.code);
    const code = (HINT_CODES as readonly string[]).includes(codeText) ? (codeText as HintCode) : null;
    const filters = pickFilters(parseFirmFilters(req.query), ['park', 'town', 'field']);
    const after = positiveInt(req.query.after);
    const narrow = (qb: Knex.QueryBuilder) => void applyFirmFilters(db, qb, filters, actor);
    const want = (c: HintCode) => code === null || code === c;
    const sampleYear = await latestListYear(db, 'below_scale');

    // One page of candidates per rule; the page is the first PAGE ids of their union.
    const take = PAGE + 1;
    const candidates = await Promise.all([
      want('tsme_valid_early') ? firmIdsWithTsmeOfYear(db, year, BEFORE_TSME, narrow, after, take) : [],
      want('tsme_lapsed') ? firmIdsWithoutTsmeSince(db, tsmeYearExpected(today), EXPECTS_TSME, narrow, after, take) : [],
      want('hte_valid_early') ? firmIdsWithValidHte(db, today, BEFORE_HTE, narrow, after, take) : [],
      want('hte_missing') ? firmIdsWithoutValidHte(db, today, ['hte_certified'], narrow, after, take) : [],
      want('above_scale_on_sample') && sampleYear !== null ? firmIdsOnListOfClass(db, 'below_scale', sampleYear, 'above', narrow, after, take) : [],
    ]);
    const union = [...new Set(candidates.flat())].sort((a, b) => a - b);
    const pageIds = union.slice(0, PAGE);
    const [firms, certs, sample] = await Promise.all([findFirmsById(db, pageIds), certificationsOfFirms(db, pageIds), onLatestList(db, 'below_scale', pageIds)]);
    const rows = firms
      .sort((a, b) => a.id - b.id)
      .map((f) => {
        const hints = consistencyHints({ stage: f.stage, certifications: certs.get(f.id) ?? [], onBelowScaleSample: sample.firmIds.has(f.id), scaleClass: f.scaleClass, today }).filter((h) => want(h.code));
        return { uscc: f.uscc, name: f.name, stage: f.stage, parkName: f.parkName, hints: hintViews(f.uscc, hints) };
      })
      .filter((r) => r.hints.length > 0);
    const last = pageIds[pageIds.length - 1];
    const pairs: [string, string][] = [...(code ? ([['code', code]] as [string, string][]) : []), ...new URLSearchParams(filterQueryString(filters))];
    const qs = new URLSearchParams(pairs).toString();
    const options = await loadFilterOptions(db, actor);
    renderPageOrFragment(req, res, 'eligibility/hints', 'eligibility/hints-table', {
      title: '一致性提示',
      nav: 'readiness',
      code,
      codes: HINT_CODES.map((c) => ({ key: c, label: CODE_LABELS[c] })),
      filters,
      options,
      print: printHeading(filters, options, code ? [['提示', CODE_LABELS[code]]] : []),
      rows,
      canMove: can(actor, 'firms.move'),
      first: after ? `/readiness/hints${qs ? `?${qs}` : ''}` : null,
      next: union.length > PAGE && last !== undefined ? `/readiness/hints?${qs ? `${qs}&` : ''}after=${last}` : null,
    });
  });

  return router;
}
