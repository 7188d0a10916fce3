/**
 * The gate into hte_applying: the high-tech check (办法 第十一条) on the firm's figures as of
 * today. A fail or missing condition blocks the move unless a caseworker overrides with a reason.
 */
import { checkHighTech } from '../../domain/eligibility/index.js';
import type { GateCheck } from '../../domain/transitions.js';
import { todayInShanghai } from '../../lib/dates.js';
import { figuresForFirm } from '../figures/figures.queries.js';
import type { ApplyingGate } from '../firms/firms.service.js';
import { firmFactsOf } from './firm-facts.js';

export const applyingGate: ApplyingGate = async (db, firm): Promise<GateCheck> => {
  const figures = await figuresForFirm(db, firm.id);
  const verdict = checkHighTech(firmFactsOf(firm, figures), { applyDate: todayInShanghai() });
  return {
    status: verdict.status,
    ruleSet: verdict.ruleSet,
    inputYears: verdict.inputYears,
    blocking: verdict.conditions
      .filter((c): c is typeof c & { status: 'fail' | 'missing' } => c.status === 'fail' || c.status === 'missing')
      .map((c) => ({
        id: c.id,
        label: c.label,
        status: c.status,
        detail: [c.value, c.threshold && `要求 ${c.threshold}`, c.gap ?? c.note].filter(Boolean).join('；'),
      })),
  };
};
