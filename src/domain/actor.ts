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
  /** Parks this user is limited to (属地); null means the whole county. */
  parkIds: number[] | null;
}

/** Context recorded with every write (audit log). */
export interface WriteContext {
  actor: Actor;
  ip?: string | null;
  /** The one-time key of the form being saved, when it has one (web/form-keys.ts). */
  formKey?: { key: string; action: string } | null;
}
