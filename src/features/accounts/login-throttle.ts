/**
 * Login throttling, kept in the database so every app instance sees the same counts. Failures
 * within a window slow the next attempts down, then lock the key for a while; a correct password
 * during the lock is refused like any other attempt. The keys (see accounts.service authenticate):
 *
 * - an account from one address (or from one browser it has signed in from before): locked after
 *   a few failures — the guessing stops, nobody else is affected;
 * - an account from anywhere: locked after more, against guessing spread over many addresses, but
 *   never for a browser the account has signed in from before (a device cookie), so an attacker
 *   cannot lock the real user out;
 * - an address: only a high ceiling, and slowing down; never a lock of the address. A bureau's
 *   whole office signs in through one NAT address, so when even the ceiling is reached only
 *   browsers unknown to their account wait; everyone who has signed in there before still can.
 */
import type { Knex } from 'knex';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  /** How long the key is locked once maxFailures is reached; 0: never locked, only refused while over. */
  lockMs: number;
  /** Failures after which each further attempt is delayed. */
  slowAfter: number;
}

const MINUTE = 60_000;
/** One account from one address, or from one browser it signed in from before. */
export const PAIR_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE, slowAfter: 3 };
/** One account from anywhere (ASVS 4.0.3 §2.2.1: at most 100 failures an hour; this allows 40). */
export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE, slowAfter: 10 };
/** One address: a ceiling far above an office's mistypes, and slowing; never a lock. */
export const ADDRESS_POLICY: ThrottlePolicy = { maxFailures: 300, windowMs: 15 * MINUTE, lockMs: 0, slowAfter: 50 };

const name = (username: string) => username.trim().toLowerCase().slice(0, 100);
export const accountKey = (username: string) => `user:${name(username)}`;
export const addressKey = (ip: string) => `ip:${ip.slice(0, 100)}`;
export const pairKey = (username: string, ip: string) => `pair:${ip.slice(0, 50)}|${name(username)}`.slice(0, 160);
export const deviceKey = (username: string, device: string) => `device:${device.slice(0, 40)}|${name(username)}`.slice(0, 160);

export interface ThrottleState {
  failures: number;
  lockedUntil: string | null;
  /** When the current window started (the first failure in it). */
  windowStart: string;
}

/**
 * Count an attempt, atomically (one statement, safe under parallel requests): inside the window the
 * count goes up, after it the count starts again at 1. Returns the count including this attempt and
 * any lock in force. Attempts are counted before the password is checked, so a burst of parallel
 * requests cannot all slip past the limit.
 */
export async function countAttempt(db: Knex, key: string, policy: ThrottlePolicy, now: Date): Promise<ThrottleState> {
  const nowIso = now.toISOString();
  const windowStart = new Date(now.getTime() - policy.windowMs).toISOString();
  const result = await db.raw(
    `INSERT INTO login_throttle (key, failures, first_failure_at, locked_until) VALUES (?, 1, ?, NULL)
     ON CONFLICT (key) DO UPDATE SET
       failures = CASE WHEN login_throttle.first_failure_at < ? THEN 1 ELSE login_throttle.failures + 1 END,
       first_failure_at = CASE WHEN login_throttle.first_failure_at < ? THEN excluded.first_failure_at ELSE login_throttle.first_failure_at END
     RETURNING failures, locked_until, first_failure_at`,
    [key, nowIso, windowStart, windowStart],
  );
  const row = (Array.isArray(result) ? result[0] : (result as { rows: unknown[] }).rows[0]) as { failures: number | string; locked_until: string | Date | null; first_failure_at: string | Date };
  const lockedUntil = row.locked_until ? new Date(row.locked_until).toISOString() : null;
  return {
    failures: Number(row.failures),
    lockedUntil: lockedUntil && Date.parse(lockedUntil) > now.getTime() ? lockedUntil : null,
    windowStart: new Date(row.first_failure_at).toISOString(),
  };
}

/** Start a lock (never shortening one already in force). */
export async function lock(db: Knex, key: string, policy: ThrottlePolicy, now: Date): Promise<string> {
  const until = new Date(now.getTime() + policy.lockMs).toISOString();
  await db('login_throttle')
    .where({ key })
    .andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<', until))
    .update({ locked_until: until });
  return until;
}

/**
 * Takes an attempt counted by countAttempt back: a successful login's, and every attempt that was
 * refused by a lock or a ceiling (a real user's refused attempts do not count against them).
 */
export async function forgiveAttempt(db: Knex, key: string): Promise<void> {
  await db('login_throttle').where({ key }).andWhere('failures', '>', 0).decrement('failures', 1);
}

export async function clearThrottle(db: Knex, key: string): Promise<void> {
  await db('login_throttle').where({ key }).del();
}

/**
 * Rows whose window and lock have both run out count for nothing (countAttempt would start again
 * at 1), so they can go; otherwise every mistyped name and every address would stay for ever.
 */
export async function deleteStaleThrottles(db: Knex, now = new Date()): Promise<number> {
  const windowStart = new Date(now.getTime() - Math.max(PAIR_POLICY.windowMs, ACCOUNT_POLICY.windowMs, ADDRESS_POLICY.windowMs)).toISOString();
  return db('login_throttle')
    .where('first_failure_at', '<', windowStart)
    .andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<=', now.toISOString()))
    .del();
}

/** How long to hold a failed attempt's answer: nothing at first, then a growing pause up to 3 s. */
export function slowdownMs(failures: number, policy: ThrottlePolicy): number {
  return failures <= policy.slowAfter ? 0 : Math.min(3000, (failures - policy.slowAfter) * 1000);
}
