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
  /** Parks and towns the user is limited to (caseworkers); both empty means the whole county. */
  parkIds: number[];
  townIds: number[];
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

function toAccount(r: UserRow, scope: Scope | undefined): UserAccount {
  return {
    ...toSummary(r),
    passwordHash: r.password_hash,
    mustChangePassword: Boolean(r.must_change_password),
    version: r.version,
    lastLoginAt: r.last_login_at,
    createdAt: r.created_at,
    parkIds: scope?.parkIds ?? [],
    townIds: scope?.townIds ?? [],
  };
}

interface Scope {
  parkIds: number[];
  townIds: number[];
}

async function parksOf(db: Db, userIds: number[]): Promise<Map<number, Scope>> {
  const map = new Map<number, Scope>();
  if (userIds.length === 0) return map;
  const of = (id: number) => map.get(id) ?? map.set(id, { parkIds: [], townIds: [] }).get(id)!;
  const [parks, towns] = await Promise.all([
    db('user_parks').whereIn('user_id', userIds).orderBy('park_id') as Promise<{ user_id: number; park_id: number }[]>,
    db('user_towns').whereIn('user_id', userIds).orderBy('town_id') as Promise<{ user_id: number; town_id: number }[]>,
  ]);
  for (const r of parks) of(r.user_id).parkIds.push(r.park_id);
  for (const r of towns) of(r.user_id).townIds.push(r.town_id);
  return map;
}

export async function findAccountById(db: Db, id: number): Promise<UserAccount | null> {
  const row = (await db('users').where({ id }).first()) as UserRow | undefined;
  return row ? toAccount(row, (await parksOf(db, [row.id])).get(row.id)) : null;
}

/**
 * The signed-in user, read on every request. Only a caseworker's parks and towns limit what they
 * see (actorOf), so for every other role the scope queries are skipped and left empty.
 */
export async function findActingAccount(db: Db, id: number): Promise<UserAccount | null> {
  const row = (await db('users').where({ id }).first()) as UserRow | undefined;
  if (!row) return null;
  return toAccount(row, row.role === 'caseworker' ? (await parksOf(db, [row.id])).get(row.id) : undefined);
}

export async function findAccountByUsername(db: Db, username: string): Promise<UserAccount | null> {
  const row = (await db('users').whereRaw('lower(username) = ?', [username.trim().toLowerCase()]).first()) as UserRow | undefined;
  return row ? toAccount(row, (await parksOf(db, [row.id])).get(row.id)) : null;
}

const LIST_ORDER: { column: string; order?: 'asc' | 'desc' }[] = [{ column: 'is_active', order: 'desc' }, { column: 'role' }, { column: 'username' }];

export async function listAccounts(db: Db): Promise<UserAccount[]> {
  const rows = (await db('users').orderBy(LIST_ORDER)) as UserRow[];
  const parks = await parksOf(db, rows.map((r) => r.id));
  return rows.map((r) => toAccount(r, parks.get(r.id)));
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

/**
 * The acting user: caseworkers with parks or towns are limited to them (Actor.parkIds, townIds);
 * every other role sees the county.
 */
export function actorOf(user: Pick<UserAccount, 'id' | 'username' | 'displayName' | 'role' | 'parkIds'> & Partial<Pick<UserAccount, 'townIds'>>): Actor {
  const townIds = user.townIds ?? [];
  const limited = user.role === 'caseworker' && (user.parkIds.length > 0 || townIds.length > 0);
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    parkIds: limited ? user.parkIds : null,
    ...(limited ? { townIds } : {}),
  };
}

export async function setUserParks(db: Db, userId: number, parkIds: number[], townIds: number[] = []): Promise<void> {
  await db('user_parks').where({ user_id: userId }).del();
  if (parkIds.length) await db('user_parks').insert(parkIds.map((park_id) => ({ user_id: userId, park_id })));
  await db('user_towns').where({ user_id: userId }).del();
  if (townIds.length) await db('user_towns').insert(townIds.map((town_id) => ({ user_id: userId, town_id })));
}
