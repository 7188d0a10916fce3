/**
 * The permission table: the single source for what each role may do (design.md, "Users and what
 * each does"). Routes check it, templates hide what it forbids, and the tests walk it.
 */
import type { Actor, Role } from './actor.js';

export const PERMISSIONS = {
  /** Firms, the board, the firm pages and search: everyone reads (scoped caseworkers: their parks). */
  'firms.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  'firms.create': ['admin', 'caseworker'],
  'firms.edit': ['admin', 'caseworker'],
  'firms.move': ['admin', 'caseworker'],
  /** Enter hte_applying although the eligibility check fails, with a reason. */
  'firms.override_gate': ['admin', 'caseworker'],
  'figures.edit': ['admin', 'caseworker'],
  'dashboard.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  /** The four candidate lists: batches, overlap, rejected rows. */
  'lists.read': ['admin', 'caseworker', 'counsellor', 'leader'],
  'lists.import': ['admin', 'caseworker'],
  /** Screen candidates into the pool in bulk (candidate → incubating). */
  'lists.screen': ['admin', 'caseworker'],
  'users.manage': ['admin'],
  'audit.read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(actor: Pick<Actor, 'role'> | null | undefined, permission: Permission): boolean {
  return !!actor && (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
}

/** Whether the actor's jurisdiction covers a firm in this park (null park: county-level firms). */
export function coversPark(actor: Pick<Actor, 'parkIds'>, parkId: number | null): boolean {
  return actor.parkIds === null || (parkId !== null && actor.parkIds.includes(parkId));
}
