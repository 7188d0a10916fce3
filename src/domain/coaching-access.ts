/**
 * Who may write coaching records for a firm (issue 9, item 9): a counsellor only for the firms
 * assigned to them (another counsellor's firm is read-only for them), a caseworker or an
 * administrator for any firm in their jurisdiction (outside it the firm does not exist for them:
 * 404, checked before this), a leader never.
 */
import type { Actor } from './actor.js';
import { coversFirm } from './permissions.js';

export interface CoachedFirm {
  parkId: number | null;
  townId?: number | null;
  counsellorId: number | null;
}

export function mayWriteCoachingFor(actor: Pick<Actor, 'id' | 'role' | 'parkIds' | 'townIds'>, firm: CoachedFirm): boolean {
  if (!coversFirm(actor, firm)) return false;
  if (actor.role === 'admin' || actor.role === 'caseworker') return true;
  if (actor.role === 'counsellor') return firm.counsellorId === actor.id;
  return false;
}

/** What a refused write says (403), where the user is. */
export const NOT_YOUR_FIRM = '这家企业不是由你负责辅导的：你可以查看，但不能修改它的辅导记录。';
