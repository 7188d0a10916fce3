/**
 * Which certification a firm's stage points to, and how a verdict reads in a list or on a card.
 * 微成长 firms work toward the tech-SME evaluation (科技型中小企业评价, tsme-2017); 小升高 firms toward
 * high-tech certification (高新技术企业认定, hte-2016); certified firms re-apply under the same rules
 * when their certificate runs out (there is no 复审 in the 2016 办法, domain.md §1.3).
 */
import type { RuleSetId, Status } from './eligibility/index.js';
import type { StageKey } from './stages.js';

export type CheckKind = 'tsme' | 'hte';

export const CHECK_KINDS: Record<CheckKind, { ruleSet: RuleSetId; label: string; short: string }> = {
  tsme: { ruleSet: 'tsme-2017', label: '科技型中小企业评价', short: '科小' },
  hte: { ruleSet: 'hte-2016', label: '高新技术企业认定', short: '高企' },
};

export function checkKindFor(stage: StageKey): CheckKind | null {
  switch (stage) {
    case 'candidate':
    case 'incubating':
      return 'tsme';
    case 'tech_sme':
    case 'hte_reserve':
    case 'hte_applying':
    case 'hte_certified':
    case 'benchmark':
      return 'hte';
    default:
      return null;
  }
}

/**
 * The stages still working toward each certification (the reserve lists, the board's readiness
 * chips); certified and benchmark firms are checked only when their certificate runs out.
 */
export const STAGES_WORKING_TOWARD: Record<CheckKind, readonly StageKey[]> = {
  tsme: ['candidate', 'incubating'],
  hte: ['tech_sme', 'hte_reserve', 'hte_applying'],
};

/** Firms in these stages hold a high-tech certificate: they are checked for re-certification. */
export function holdsHteCertificate(stage: StageKey): boolean {
  return stage === 'hte_certified' || stage === 'benchmark';
}

export interface ReadinessSummary {
  status: Status;
  fails: number;
  missing: number;
}

/** Short words for a card or a list row; 'ok' when only expert judgement remains. */
export function readinessTone(s: ReadinessSummary): { tone: 'ok' | 'gap' | 'data'; text: string } {
  if (s.fails > 0) return { tone: 'gap', text: `差 ${s.fails} 项` };
  if (s.missing > 0) return { tone: 'data', text: `缺 ${s.missing} 项数据` };
  return { tone: 'ok', text: '达标待评审' };
}
