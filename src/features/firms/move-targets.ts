/** Where a firm may be sent from its stage, for the board's menu and the firm page's form. */
import { REENTRY_STAGES, STAGES, type StageKey } from '../../domain/stages.js';
import { classifyMove } from '../../domain/transitions.js';

export interface MoveTarget {
  key: StageKey;
  label: string;
  /** Shown in menus: the move will ask for a reason or other input. */
  asks: boolean;
  /** The natural next step, preselected on the firm page. */
  next: boolean;
}

/** Where a firm in `from` may be sent, for menus; the server still decides each move. */
export function moveTargets(from: StageKey): MoveTarget[] {
  return STAGES.filter((s) => s.key !== from && (from !== 'exited' || REENTRY_STAGES.includes(s.key))).map((s) => {
    const kind = classifyMove(from, s.key);
    return {
      key: s.key,
      label: s.label,
      asks: kind !== 'forward' || s.key === 'hte_certified' || s.key === 'hte_applying',
      next: kind === 'forward' || (kind === 'reentry' && s.key === 'candidate'),
    };
  });
}
