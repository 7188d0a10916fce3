/**
 * The permission table: the single source for what each role may do (design.md, "Users and what
 * each does"). Routes check it, templates hide what it forbids, and the tests walk it.
 */
import type { Actor, Jurisdiction, Role } from './actor.js';

export const PERMISSIONS = {
  /** Firms, the board, the firm pages and search: everyone reads (scoped caseworkers: their parks). */
  'firms.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  'firms.create': ['admin', 'caseworker'],
  'firms.edit': ['admin', 'caseworker'],
  'firms.move': ['admin', 'caseworker'],
  /** Enter hte_applying although the eligibility check fails, with a reason. */
  'firms.override_gate': ['admin', 'caseworker'],
  'figures.edit': ['admin', 'caseworker'],
  /**
   * The eligibility inputs of a firm (认定数据: IP items, R&D structure, staff by month, dated
   * compliance events, the tech-SME option): counsellors gather them with the firm, so they record them too
   * (issue 12: "a counsellor records a firm's patents, R&D expense structure and monthly staff").
   */
  'inputs.edit': ['admin', 'caseworker', 'counsellor'],
  'dashboard.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  /** The four candidate lists: batches, overlap, rejected rows. */
  'lists.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  'lists.import': ['admin', 'caseworker'],
  /** Screen candidates into the pool in bulk (candidate → incubating). */
  'lists.screen': ['admin', 'caseworker'],
  'users.manage': ['admin'],
  /** Parks and towns (属地): create, rename, merge, retire (/admin/parks). */
  'parks.manage': ['admin'],
  'audit.read': ['admin'],
  // Certification register and compliance calendar (issue 10: certifications)
  'certifications.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  /** Record, correct, cancel register rows; tick reports; record changes. */
  'certifications.edit': ['admin', 'caseworker'],
  /** Per-year settings: the 省级 issuing agency, local deadlines. */
  'certifications.settings': ['admin'],
  // Coaching (issue 9). Writes are further limited per firm by domain/coaching/access.ts:
  // a counsellor only for their own firms, a caseworker within their parks/towns.
  'coaching.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  'coaching.write': ['admin', 'caseworker', 'counsellor'],
  /**
   * Set a firm's lifecycle category (生命周期): also the counsellor, for their own firms (design.md:
   * "Set by the counsellor"). Checked wherever it is set: the coaching plan (coaching.service
   * savePlan) and the firm's profile (firms.service updateProfile, which also needs firms.edit).
   */
  'firms.lifecycle': ['admin', 'caseworker', 'counsellor'],
  /** Assign counsellors to firms, one or many at once. */
  'coaching.assign': ['admin', 'caseworker'],
  /** Plan templates and the "no contact in N days" thresholds. */
  'coaching.configure': ['admin'],
  // reports (issue 10 items 4, 5): targets are set by administrators and leaders; everyone reads
  // the targets and the annual report (a limited caseworker: their parks); leaders freeze (定稿).
  'targets.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  'targets.manage': ['admin', 'leader'],
  'reports.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  'reports.freeze': ['admin', 'leader'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(actor: Pick<Actor, 'role'> | null | undefined, permission: Permission): boolean {
  return !!actor && (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
}

/**
 * Whether the actor's jurisdiction covers a firm in this park and town (null: none). A limited
 * user covers a firm when its park or its town is theirs; without the town (callers that know
 * only the park) a user limited by town is refused, never let through.
 */
export function coversPark(actor: Jurisdiction, parkId: number | null, townId: number | null = null): boolean {
  if (actor.parkIds === null) return true;
  return (parkId !== null && actor.parkIds.includes(parkId)) || (townId !== null && (actor.townIds ?? []).includes(townId));
}

/** coversPark for a firm (or anything with parkId and townId). */
export function coversFirm(actor: Jurisdiction, firm: { parkId: number | null; townId?: number | null }): boolean {
  return coversPark(actor, firm.parkId, firm.townId ?? null);
}
