/** The person doing something. Every write takes one; the domain never reads it from a request. */
export const ROLES = ['admin', 'caseworker', 'counsellor', 'leader'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: '管理员',
  caseworker: '业务员',
  counsellor: '辅导员',
  leader: '领导',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export interface Actor {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /**
   * The user's jurisdiction (属地). null: the whole county. Otherwise the user is limited, to
   * firms in these parks and to firms of the towns in townIds; a user limited by town only has
   * parkIds [] (so every `parkIds !== null` check still treats them as limited).
   */
  parkIds: number[] | null;
  /** Towns (街道/镇/乡) of a limited user; read only when parkIds is not null. Absent: none. */
  townIds?: number[];
}

/** What scoping reads of an actor (features take it as `Pick<Actor, 'parkIds'>` too: townIds is optional). */
export type Jurisdiction = Pick<Actor, 'parkIds' | 'townIds'>;

/** Context recorded with every write (audit log). */
export interface WriteContext {
  actor: Actor;
  ip?: string | null;
  /** The one-time key of the form being saved, when it has one (web/form-keys.ts). */
  formKey?: { key: string; action: string } | null;
}

/** Where a user lands after signing in (and at /): counsellors in their coaching workspace, everyone else on the board. */
export function homeOf(actor: Pick<Actor, 'role'> | null | undefined): string {
  return actor?.role === 'counsellor' ? '/coaching' : '/board';
}
