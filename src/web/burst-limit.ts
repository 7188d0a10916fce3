/**
 * A per-user limit on the search and list pages: about 10 requests a second sustained, bursts of
 * 20, then 429 with a Chinese message and Retry-After — so one person's script or stuck key cannot
 * take the database from everyone else, while each other user keeps their own allowance.
 *
 * The generic cell rate algorithm (a token bucket kept as one timestamp, the "theoretical arrival
 * time"): each request moves it on by one interval; a request that would move it more than the
 * burst ahead of now is refused and moves nothing. On PostgreSQL the timestamp lives in the
 * request_rates table, advanced by one conditional upsert, so several app instances on one database
 * share each user's allowance exactly. SQLite is one process per database file, so the state stays
 * in that process's memory and a search costs no write.
 */
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { isPostgres } from '../db/dialect.js';
import type { Actor } from '../domain/actor.js';
import { AppError } from '../lib/errors.js';

export interface BurstPolicy {
  /** Sustained rate: one request per this many ms. */
  intervalMs: number;
  /** How many requests may come at once before the rate applies. */
  burst: number;
}

export const SEARCH_POLICY: BurstPolicy = { intervalMs: 100, burst: 20 };

/**
 * The pages that search or list (their fragments and column pages included). Not the dashboard: it
 * is one cached result for everyone, and a repeated view must write nothing.
 */
const LIMITED = [/^\/firms$/, /^\/firms\/check-uscc$/, /^\/board$/, /^\/board\/columns\/[^/]+$/, /^\/readiness$/, /^\/lists\/firms$/, /^\/lists\/overlap$/, /^\/admin\/audit$/];

export const burstMessage = '查询过于频繁，请稍候片刻再试。每人每秒约可查询 10 次，其他同事不受影响。';

export class TooManyRequestsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('TOO_MANY_REQUESTS', burstMessage, 429);
  }
}

/** SQLite: one process per database, so its memory is the whole truth (per database handle). */
const memory = new WeakMap<Knex, Map<number, number>>();

/** Returns 0 when the request may go ahead, else the ms until it would. */
async function take(db: Knex, userId: number, policy: BurstPolicy, now: number): Promise<number> {
  const limit = policy.burst * policy.intervalMs;
  if (!isPostgres(db)) {
    let tats = memory.get(db);
    if (!tats) memory.set(db, (tats = new Map()));
    const next = Math.max(tats.get(userId) ?? now, now) + policy.intervalMs;
    if (next - now > limit) return next - now - limit;
    if (tats.size > 10_000) tats.clear();
    tats.set(userId, next);
    return 0;
  }
  // The upsert's WHERE decides: refused, it updates nothing and returns no row.
  const result = await db.raw(
    `INSERT INTO request_rates AS r (user_id, bucket, tat) VALUES (?, 'search', ?)
     ON CONFLICT (user_id, bucket) DO UPDATE SET tat = GREATEST(r.tat, ?) + ?
       WHERE GREATEST(r.tat, ?) + ? - ? <= ?
     RETURNING tat`,
    [userId, now + policy.intervalMs, now, policy.intervalMs, now, policy.intervalMs, now, limit],
  );
  if ((result as { rows: unknown[] }).rows.length > 0) return 0;
  const row = (await db('request_rates').where({ user_id: userId, bucket: 'search' }).first('tat')) as { tat: string | number } | undefined;
  return Math.max(policy.intervalMs, Number(row?.tat ?? now) + policy.intervalMs - now - limit);
}

export function burstLimit(db: Knex, policy: BurstPolicy = SEARCH_POLICY): RequestHandler {
  return async (req, res, next) => {
    const actor = res.locals.actor as Actor | undefined;
    if (req.method !== 'GET' || !actor || !LIMITED.some((p) => p.test(req.path))) return next();
    const waitMs = await take(db, actor.id, policy, Date.now());
    if (waitMs === 0) return next();
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    res.set('Retry-After', String(seconds));
    next(new TooManyRequestsError(seconds));
  };
}

/** Rows of users who have been quiet for a minute are spent; the periodic cleanup drops them. */
export async function deleteSpentRates(db: Knex, now = Date.now()): Promise<void> {
  if (isPostgres(db)) await db('request_rates').where('tat', '<', now - 60_000).del();
}
