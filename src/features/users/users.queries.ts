import type { Db } from '../../db/types.js';
import type { Actor, Role } from '../../domain/actor.js';

export interface UserSummary {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  isActive: boolean;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  is_active: number | boolean;
}

const toUser = (r: UserRow): UserSummary => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  isActive: Boolean(r.is_active),
});

export async function findUserByUsername(db: Db, username: string): Promise<UserSummary | null> {
  const row = (await db('users').where({ username }).first()) as UserRow | undefined;
  return row ? toUser(row) : null;
}

/** Counsellors a firm can be assigned to (active ones only). */
export async function listCounsellors(db: Db): Promise<UserSummary[]> {
  const rows = (await db('users').where({ role: 'counsellor', is_active: true }).orderBy('display_name')) as UserRow[];
  return rows.map(toUser);
}

export async function isActiveCounsellor(db: Db, id: number): Promise<boolean> {
  return !!(await db('users').where({ id, role: 'counsellor', is_active: true }).first('id'));
}

/** The actor for a user row; park scope arrives with accounts (issue 3). */
export function actorOf(user: UserSummary): Actor {
  return { id: user.id, username: user.username, displayName: user.displayName, role: user.role, parkIds: null };
}
