/**
 * Evaluating firms against the certification rules (src/domain/eligibility), from what the
 * database holds, and keeping the per-firm summary current whenever the inputs change.
 */
import type { Db } from '../../db/types.js';
import { checkHighTech, checkTechSme, type FirmFacts, type Verdict } from '../../domain/eligibility/index.js';
import { techFieldLabel } from '../../domain/fields.js';
import { CHECK_KINDS, type CheckKind, checkKindFor, holdsHteCertificate } from '../../domain/readiness.js';
import type { StageKey } from '../../domain/stages.js';
import { nowIso, todayInShanghai, yearOf } from '../../lib/dates.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { figuresForFirm, toFiguresRows, type AnnualFigures } from '../figures/figures.queries.js';
import { latestCertificates } from '../stages/stage-events.queries.js';
import { type CurrentEligibility, removeOtherSummaries, upsertCurrent } from './eligibility.queries.js';
import { yearFiguresOf } from './firm-facts.js';
import { type FirmInputs, inputsOfFirms } from './firm-inputs.js';
import { groupBy } from '../../lib/group-by.js';

export interface FirmBasics {
  id: number;
  foundedOn: string | null;
  field: string | null;
  stage: StageKey;
}

export function factsOf(firm: FirmBasics, figures: AnnualFigures[], certificate: { certificateDate: string } | undefined, inputs: FirmInputs = {}): FirmFacts {
  const holds = holdsHteCertificate(firm.stage);
  return {
    registeredOn: firm.foundedOn,
    // The rules only check that a field is chosen (its fit is the experts' call); they show it as given.
    field: firm.field ? techFieldLabel(firm.field) || firm.field : null,
    figures: figures.map(yearFiguresOf),
    hteCertificate: holds && certificate ? { issuedOn: certificate.certificateDate } : null,
    listedAbnormal: null,
    seriousDishonesty: null,
    ...inputs,
  };
}

export function evaluate(kind: CheckKind, facts: FirmFacts, today: string): Verdict {
  return kind === 'hte'
    ? checkHighTech(facts, { applyDate: today })
    : checkTechSme(facts, { evaluationYear: yearOf(today), evaluationDate: today });
}

export async function loadFacts(db: Db, firm: FirmBasics): Promise<FirmFacts> {
  // One after the other: db may be a transaction, whose one connection takes one query at a time.
  const figures = await figuresForFirm(db, firm.id);
  const certificates = await latestCertificates(db, [firm.id]);
  const inputs = await inputsOfFirms(db, [firm.id]);
  return factsOf(firm, figures, certificates.get(firm.id), inputs.get(firm.id));
}

/** The failing and missing conditions, in a line. */
export function verdictSummary(v: Verdict): string {
  return v.conditions
    .filter((c) => c.status === 'fail' || c.status === 'missing')
    .map((c) => (c.status === 'fail' ? `${c.label}${c.gap ? `（${c.gap}）` : ''}` : `${c.label}缺数据`))
    .join('；')
    .slice(0, 500);
}

function summarise(firmId: number, v: Verdict): CurrentEligibility {
  const count = (s: string) => v.conditions.filter((c) => c.status === s).length;
  const rd = v.conditions.find((c) => c.id === 'hte.rd_ratio' && c.status === 'fail');
  return {
    firmId,
    ruleSet: v.ruleSet,
    asOf: v.asOf,
    inputYears: v.inputYears,
    status: v.status,
    fails: count('fail'),
    missing: count('missing'),
    reviews: count('review'),
    rdGap: rd?.gapAmount ?? null,
    summary: verdictSummary(v) || null,
  };
}

/**
 * The stored summary a firm needs: the one for the certification its stage works toward
 * (checkKindFor) — the only one the board's chips and the reserve lists read — and none for a firm
 * at 退库. Storing one verdict instead of both halves the table and the work at 1M firms (issue 13).
 */
export function currentSummaryFor(
  firm: FirmBasics,
  figures: AnnualFigures[],
  certificate: { certificateDate: string } | undefined,
  today: string,
  inputs: FirmInputs = {},
): CurrentEligibility | null {
  const kind = checkKindFor(firm.stage);
  if (!kind) return null;
  return summarise(firm.id, evaluate(kind, factsOf(firm, figures, certificate, inputs), today));
}

/**
 * Recompute and store the verdict summary of these firms (inside the caller's transaction, if any);
 * a summary under another rule set (the firm moved to a stage working toward the other one) goes.
 */
export async function refreshEligibility(db: Db, firmIds: number[], today = todayInShanghai()): Promise<void> {
  const computedAt = nowIso();
  for (let i = 0; i < firmIds.length; i += 500) {
    const ids = firmIds.slice(i, i + 500);
    const firms = (await db('firms').whereIn('id', ids).select('id', 'founded_on', 'field', 'stage')) as { id: number; founded_on: string | null; field: string | null; stage: StageKey }[];
    const figureRows = (await db('annual_figures').whereIn('firm_id', ids).orderBy('year')) as unknown[];
    const byFirm = groupBy(toFiguresRows(figureRows), (f) => f.firmId);
    const certificates = await latestCertificates(db, ids);
    const inputs = await inputsOfFirms(db, ids);
    const rows: (CurrentEligibility & { computedAt: string })[] = [];
    for (const firm of firms) {
      const row = currentSummaryFor({ id: firm.id, foundedOn: firm.founded_on, field: firm.field, stage: firm.stage }, byFirm.get(firm.id) ?? [], certificates.get(firm.id), today, inputs.get(firm.id));
      if (row) rows.push({ ...row, computedAt });
    }
    await removeOtherSummaries(db, firms.map((f) => ({ firmId: f.id, ruleSet: checkKindFor(f.stage) ? CHECK_KINDS[checkKindFor(f.stage)!].ruleSet : null })));
    await upsertCurrent(db, rows);
  }
}

/**
 * Summaries computed before today are refreshed (dates move: the application year, 365 days since
 * founding): every stale firm, in chunks walked by id, yielding between chunks so requests go on.
 */
export async function refreshStaleEligibility(db: Db, today = todayInShanghai(), chunk = 500): Promise<number> {
  let refreshed = 0;
  for (let after = 0; ; ) {
    // A firm at 退库 keeps no summary; any other firm needs one from today.
    const stale = (await db('firms as f')
      .where('f.id', '>', after)
      .andWhereNot('f.stage', 'exited')
      .whereNotExists(db('eligibility_current as e').whereRaw('e.firm_id = f.id').andWhere('e.as_of', '>=', today).select(db.raw('1')))
      .orderBy('f.id')
      .select('f.id')
      .limit(chunk)) as { id: number }[];
    if (stale.length === 0) return refreshed;
    await refreshEligibility(db, stale.map((r) => r.id), today);
    // Cached pages (the board's readiness chips) show these summaries.
    bumpDataGeneration();
    refreshed += stale.length;
    after = stale[stale.length - 1]!.id;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
