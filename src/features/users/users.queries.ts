import type { Db } from '../../db/types.js';
import type { Actor, Role } from '../../domain/actor.js';

export interface UserSummary {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  isActive: boolean;
}

export interface UserAccount extends UserSummary {
  passwordHash: string | null;
  mustChangePassword: boolean;
  version: number;
  lastLoginAt: string | null;
  createdAt: string;
  /** Parks the user is limited to (caseworkers); empty means the whole county. */
  parkIds: number[];
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  is_active: number | boolean;
  password_hash: string | null;
  must_change_password: number | boolean;
  version: number;
  last_login_at: string | null;
  created_at: string;
}

const toSummary = (r: UserRow): UserSummary => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  isActive: Boolean(r.is_active),
});

function toAccount(r: UserRow, parkIds: number[]): UserAccount {
  return {
    ...toSummary(r),
    passwordHash: r.password_hash,
    mustChangePassword: Boolean(r.must_change_password),
    version: r.version,
    lastLoginAt: r.last_login_at,
    createdAt: r.created_at,
    parkIds,
  };
}

async function parksOf(db: Db, userIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (userIds.length === 0) return map;
  const rows = (await db('user_parks').whereIn('user_id', userIds).orderBy('park_id')) as { user_id: number; park_id: number }[];
  for (const r of rows) map.set(r.user_id, [...(map.get(r.user_id) ?? []), r.park_id]);
  return map;
}

export async function findAccountById(db: Db, id: number): Promise<UserAccount | null> {
  const row = (await db('users').where({ id }).first()) as UserRow | undefined;
  return row ? toAccount(row, (await parksOf(db, [row.id])).get(row.id) ?? []) : null;
}

/**
 * The signed-in user, read on every request. Only a caseworker's parks limit what they see
 * (actorOf), so for every other role the user_parks query is skipped and parkIds left empty.
 */
export async function findActingAccount(db: Db, id: number): Promise<UserAccount | null> {
  const row = (await db('users').where({ id }).first()) as UserRow | undefined;
  if (!row) return null;
  return toAccount(row, row.role === 'caseworker' ? ((await parksOf(db, [row.id])).get(row.id) ?? []) : []);
}

export async function findAccountByUsername(db: Db, username: string): Promise<UserAccount | null> {
  const row = (await db('users').whereRaw('lower(username) = ?', [username.trim().toLowerCase()]).first()) as UserRow | undefined;
  return row ? toAccount(row, (await parksOf(db, [row.id])).get(row.id) ?? []) : null;
}

const LIST_ORDER: { column: string; order?: 'asc' | 'desc' }[] = [{ column: 'is_active', order: 'desc' }, { column: 'role' }, { column: 'username' }];

export async function listAccounts(db: Db): Promise<UserAccount[]> {
  const rows = (await db('users').orderBy(LIST_ORDER)) as UserRow[];
  const parks = await parksOf(db, rows.map((r) => r.id));
  return rows.map((r) => toAccount(r, parks.get(r.id) ?? []));
}

/** Every user without their parks: enough for a list of names (the audit page's filter). */
export async function listUserSummaries(db: Db): Promise<UserSummary[]> {
  const rows = (await db('users').select('id', 'username', 'display_name', 'role', 'is_active').orderBy(LIST_ORDER)) as UserRow[];
  return rows.map(toSummary);
}

/** Counsellors a firm can be assigned to (active ones only). */
export async function listCounsellors(db: Db): Promise<UserSummary[]> {
  const rows = (await db('users').where({ role: 'counsellor', is_active: true }).orderBy('display_name')) as UserRow[];
  return rows.map(toSummary);
}

export async function isActiveCounsellor(db: Db, id: number): Promise<boolean> {
  return !!(await db('users').where({ id, role: 'counsellor', is_active: true }).first('id'));
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const row = (await db('users').where({ role: 'admin', is_active: true }).count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n);
}

/** The acting user: caseworkers with parks are limited to them; every other role sees the county. */
export function actorOf(user: Pick<UserAccount, 'id' | 'username' | 'displayName' | 'role' | 'parkIds'>): Actor {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    parkIds: user.role === 'caseworker' && user.parkIds.length > 0 ? user.parkIds : null,
  };
}

export async function setUserParks(db: Db, userId: number, parkIds: number[]): Promise<void> {
  await db('user_parks').where({ user_id: userId }).del();
  if (parkIds.length) await db('user_parks').insert(parkIds.map((park_id) => ({ user_id: userId, park_id })));
}
