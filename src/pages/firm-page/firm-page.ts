/**
 * Everything the firm page (企业档案) shows, gathered from the features' queries and the domain rules.
 * A page above the features: it may read any of them; no feature imports it.
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { STAGES, type StageKey, stageLabel } from '../../domain/stages.js';
import { stagePeriods, totalDaysByStage } from '../../domain/time-in-stage.js';
import { type AnnualFigures, figuresForFirm } from '../../features/figures/figures.queries.js';
export { FIGURE_ROWS } from '../../features/figures/figure-rows.js';
import { type StageEvent, latestCertificates, stageEventsForFirm } from '../../features/stages/stage-events.queries.js';
import { factsOf } from '../../features/eligibility/eligibility.service.js';
import { readinessFor } from '../../features/eligibility/readiness-view.js';
import { inputsOfFirms } from '../../features/eligibility/firm-inputs.js';
import { LIFECYCLE_RULE_NOTE, type LifecycleSuggestion, suggestLifecycle } from '../../domain/lifecycle.js';
import { yearOf } from '../../lib/dates.js';
import { lifecycleLabel } from '../../domain/fields.js';
import type { Firm } from '../../features/firms/firms.queries.js';
import { findFirmInScope } from '../../features/firms/firm-scope.js';
import { type MoveTarget, moveTargets } from '../../features/firms/move-targets.js';
import { firmRegister } from '../../features/certifications/certifications.view.js';
import { certificationsOfFirm } from '../../features/certifications/certifications.queries.js';
import { onLatestList } from '../../features/lists/overlap.queries.js';
import { consistencyHints, type Hint } from '../../domain/consistency.js';
import { SCALE_CLASS_LABELS, type ScaleVerdict, scaleClassOf, sectorLabel } from '../../domain/scale.js';

export interface HistoryRow extends StageEvent {
  days: number;
  current: boolean;
}

export interface FirmPage {
  firm: Firm;
  figures: AnnualFigures[];
  readiness: ReturnType<typeof readinessFor>;
  /** Years offered for entering figures: this year back ten years, last year preselected. */
  addYears: { year: number; selected: boolean }[];
  lifecycleNote: string;
  lifecycleSuggestion: (LifecycleSuggestion & { label: string; differs: boolean }) | null;
  history: HistoryRow[];
  currentDays: number | null;
  stageTotals: { stage: StageKey; label: string; days: number }[];
  moveTargets: MoveTarget[];
  /** The certification register's rows of this firm and its compliance calendar (资质, 后续管理). */
  register: Awaited<ReturnType<typeof firmRegister>>;
  /** 规上/规下 with its basis, and 规下样本 membership (only from the 统计局's list). */
  scale: ScaleView;
  /** Where the register or the lists contradict the stage (nothing moves by itself). */
  hints: HintView[];
  today: string;
}

export interface ScaleView extends ScaleVerdict {
  label: string;
  sectorLabel: string;
  /** The year of the current 规下样本 list the firm is on, or null. */
  sampleYear: number | null;
  /** The latest 规下样本 list's year (null: never imported). */
  listYear: number | null;
}

export interface HintView extends Hint {
  suggestLabel: string | null;
  /** The firm page with the move form prefilled (null: only a warning). */
  moveHref: string | null;
}

/** The hints with links that open the normal move form, prefilled, for the suggested stage. */
export function hintViews(uscc: string, hints: Hint[]): HintView[] {
  return hints.map((h) => ({
    ...h,
    suggestLabel: h.suggest ? stageLabel(h.suggest) : null,
    moveHref: h.suggest ? `/firms/${uscc}?move=${h.suggest}&hint=${h.code}#move-stage` : null,
  }));
}

export async function loadFirmPage(db: Db, uscc: string, actor: Pick<Actor, 'parkIds'>, today: string): Promise<FirmPage> {
  const firm = await findFirmInScope(db, uscc, actor);
  const [figures, events, certificates, inputs, register, certRows, sample] = await Promise.all([
    figuresForFirm(db, firm.id),
    stageEventsForFirm(db, firm.id),
    latestCertificates(db, [firm.id]),
    inputsOfFirms(db, [firm.id]),
    firmRegister(db, firm.id, today),
    certificationsOfFirm(db, firm.id),
    onLatestList(db, 'below_scale', [firm.id]),
  ]);
  const verdict = scaleClassOf(firm.sector, figures);
  const onSample = sample.firmIds.has(firm.id);
  const hints = consistencyHints({ stage: firm.stage, certifications: certRows, onBelowScaleSample: onSample, scaleClass: verdict.scaleClass, today });
  const facts = factsOf(firm, figures, certificates.get(firm.id), inputs.get(firm.id));
  const latest = [...figures].reverse().find((f) => f.salesRevenue !== null);
  const suggestion = suggestLifecycle(firm.foundedOn, latest ? { year: latest.year, yuan: latest.salesRevenue! } : null, today);
  const periods = stagePeriods(events, today);
  const history = events.map((e, i) => ({ ...e, days: periods[i]!.days, current: i === events.length - 1 })).reverse();
  const totals = totalDaysByStage(periods);
  return {
    firm,
    figures,
    readiness: readinessFor(firm.stage, facts, today),
    addYears: Array.from({ length: 10 }, (_, i) => yearOf(today) - i).map((year) => ({ year, selected: year === yearOf(today) - 1 })),
    lifecycleNote: LIFECYCLE_RULE_NOTE,
    lifecycleSuggestion: suggestion ? { ...suggestion, label: lifecycleLabel(suggestion.key), differs: firm.lifecycle !== null && firm.lifecycle !== suggestion.key } : null,
    history,
    currentDays: periods.length ? periods[periods.length - 1]!.days : null,
    stageTotals: STAGES.filter((s) => totals.has(s.key)).map((s) => ({ stage: s.key, label: stageLabel(s.key), days: totals.get(s.key)! })),
    moveTargets: moveTargets(firm.stage),
    register,
    scale: { ...verdict, label: SCALE_CLASS_LABELS[verdict.scaleClass], sectorLabel: sectorLabel(firm.sector), sampleYear: onSample ? sample.year : null, listYear: sample.year },
    hints: hintViews(firm.uscc, hints),
    today,
  };
}
