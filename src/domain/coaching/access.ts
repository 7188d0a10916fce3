/**
 * Who may write coaching records for a firm (issue 9 item 9; design.md, roles): an administrator
 * for any firm; a caseworker for any firm in their jurisdiction (parks/towns); a counsellor only for
 * the firms assigned to them (another counsellor's firm is read-only); a leader never. Reading
 * follows the firm's scope (outside it: 404, decided by the caller).
 */
import type { Actor } from '../actor.js';
import { can, coversFirm } from '../permissions.js';

export interface CoachedFirm {
  parkId: number | null;
  townId?: number | null;
  counsellorId: number | null;
}

export function mayWriteCoaching(actor: Actor, firm: CoachedFirm): boolean {
  if (!can(actor, 'coaching.write') || !coversFirm(actor, firm)) return false;
  if (actor.role === 'counsellor') return firm.counsellorId === actor.id;
  return true;
}

export const COACHING_ACCESS_MESSAGES = {
  notYours: '这家企业不是分配给你的辅导对象，只能查看，不能记录。',
  readOnly: '你的角色只能查看辅导记录。',
} as const;

/** Why the actor may not write for this firm ('' when they may). */
export function coachingRefusal(actor: Actor, firm: CoachedFirm): string {
  if (mayWriteCoaching(actor, firm)) return '';
  return actor.role === 'counsellor' ? COACHING_ACCESS_MESSAGES.notYours : COACHING_ACCESS_MESSAGES.readOnly;
}
