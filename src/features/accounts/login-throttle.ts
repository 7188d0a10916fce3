/**
 * Login throttling, per account and per address, kept in the database so every app instance sees
 * the same counts. Failures within a window slow the next attempts down, then lock the key for a
 * while; a correct password during the lock is refused like any other attempt.
 */
import type { Knex } from 'knex';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  /** Failures after which each further attempt is delayed. */
  slowAfter: number;
}

const MINUTE = 60_000;
export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE, slowAfter: 3 };
export const ADDRESS_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE, slowAfter: 10 };

export const accountKey = (username: string) => `user:${username.trim().toLowerCase().slice(0, 100)}`;
export const addressKey = (ip: string) => `ip:${ip.slice(0, 100)}`;

interface ThrottleRow {
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}

export interface ThrottleState {
  failures: number;
  lockedUntil: string | null;
}

async function read(db: Knex, key: string): Promise<ThrottleRow | undefined> {
  return (await db('login_throttle').where({ key }).first()) as ThrottleRow | undefined;
}

/** The latest lock end among the keys, if any is locked at `now`. */
export async function activeLock(db: Knex, keys: string[], now: Date): Promise<string | null> {
  const rows = (await db('login_throttle').whereIn('key', keys).whereNotNull('locked_until')) as ThrottleRow[];
  const ends = rows.map((r) => r.locked_until!).filter((t) => Date.parse(t) > now.getTime());
  return ends.length ? ends.sort().at(-1)! : null;
}

/** Count a failure; returns the key's state and whether this failure started a lock. */
export async function registerFailure(db: Knex, key: string, policy: ThrottlePolicy, now: Date): Promise<ThrottleState & { locked: boolean }> {
  const row = await read(db, key);
  const windowOpen = row && now.getTime() - Date.parse(row.first_failure_at) < policy.windowMs;
  const failures = windowOpen ? row.failures + 1 : 1;
  const firstFailureAt = windowOpen ? row.first_failure_at : now.toISOString();
  const locked = failures >= policy.maxFailures;
  const lockedUntil = locked ? new Date(now.getTime() + policy.lockMs).toISOString() : null;
  await db('login_throttle')
    .insert({ key, failures: locked ? 0 : failures, first_failure_at: firstFailureAt, locked_until: lockedUntil })
    .onConflict('key')
    .merge();
  return { failures, lockedUntil, locked };
}

export async function clearThrottle(db: Knex, key: string): Promise<void> {
  await db('login_throttle').where({ key }).del();
}

/** How long to hold a failed attempt's answer: nothing at first, then a growing pause up to 3 s. */
export function slowdownMs(failures: number, policy: ThrottlePolicy): number {
  return failures <= policy.slowAfter ? 0 : Math.min(3000, (failures - policy.slowAfter) * 1000);
}
