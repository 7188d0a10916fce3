/**
 * The gate into hte_applying: the high-tech check (办法 第十一条) on the firm's figures as of
 * today. A fail or missing condition blocks the move unless a caseworker overrides with a reason.
 * The verdict the move relied on is kept (eligibility_verdicts) with its inputs and rule version.
 */
import type { Knex } from 'knex';
import type { GateCheck } from '../../domain/transitions.js';
import { todayInShanghai } from '../../lib/dates.js';
import type { ApplyingGate } from '../firms/firms.service.js';
import { recordVerdict } from './eligibility.queries.js';
import { evaluate, loadFacts } from './eligibility.service.js';

export const applyingGate: ApplyingGate = async (db, firm) => {
  const facts = await loadFacts(db, firm);
  const verdict = evaluate('hte', facts, todayInShanghai());
  const check: GateCheck = {
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
  return {
    check,
    persist: (trx: Knex.Transaction, actorId: number, at: string) => recordVerdict(trx, firm.id, verdict, facts, 'gate', actorId, at),
  };
};
