/**
 * express-session store on the app's own database (SQLite or PostgreSQL through knex). Each row
 * carries the user id, so a password change or a disabled account can end all that user's
 * sessions with one DELETE.
 */
import session from 'express-session';
import type { Knex } from 'knex';
import { deleteSpentRates } from '../../web/burst-limit.js';
import { deleteStaleFormKeys } from '../../web/form-keys.js';
import { faultOf } from '../../lib/errors.js';
import { deleteStaleThrottles } from './login-throttle.js';

interface SessionRow {
  sid: string;
  data: string;
  expires_at: string;
}

type Callback<T = void> = (err?: unknown, value?: T) => void;

/** The expiry moves only once it has aged this much (see touch). */
const TOUCH_AFTER_MS = 60_000;
const MAX_KNOWN = 10_000;

export class KnexSessionStore extends session.Store {
  private cleanupTimer: NodeJS.Timeout | null = null;
  /**
   * A lower bound of each recent session's stored expiry (ms), from what this process read or
   * wrote. Another instance can only push an expiry later, so skipping a touch on it is safe.
   */
  private readonly knownExpiry = new Map<string, number>();

  constructor(
    private readonly db: Knex,
    private readonly defaultTtlMs: number,
  ) {
    super();
  }

  /**
   * Another store on the same table. Each express-session middleware takes its store over (it sets
   * the store's generate()), so the Secure and the plain cookie each need one of their own.
   */
  sibling(): KnexSessionStore {
    return new KnexSessionStore(this.db, this.defaultTtlMs);
  }

  /** Delete expired sessions, spent login-throttle rows and old form keys now and then; harmless when several instances do it. */
  startCleanup(everyMs = 10 * 60_000): void {
    this.cleanupTimer = setInterval(() => void this.deleteExpired().catch(() => undefined), everyMs);
    this.cleanupTimer.unref();
  }

  stopCleanup(): void {
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.db('sessions').where('expires_at', '<=', now.toISOString()).del();
    await deleteStaleThrottles(this.db, now);
    await deleteStaleFormKeys(this.db, now);
    await deleteSpentRates(this.db, now.getTime());
  }

  private expiresOf(sess: session.SessionData): string {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Date.now() + this.defaultTtlMs;
    return new Date(expires).toISOString();
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    this.db('sessions')
      .where({ sid })
      .andWhere('expires_at', '>', new Date().toISOString())
      .first()
      .then((row: SessionRow | undefined) => {
        if (row) this.remember(sid, Date.parse(row.expires_at));
        cb(null, row ? (JSON.parse(row.data) as session.SessionData) : null);
      })
      .catch((err: unknown) => cb(err));
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    const userId = (sess as { userId?: number }).userId ?? null;
    this.db('sessions')
      .insert({ sid, user_id: userId, data: JSON.stringify(sess), expires_at: this.expiresOf(sess) })
      .onConflict('sid')
      .merge()
      .then(() => {
        this.remember(sid, Date.parse(this.expiresOf(sess)));
        cb?.();
      })
      .catch((err: unknown) => cb?.(err));
  }

  private remember(sid: string, expiresMs: number): void {
    if (this.knownExpiry.size >= MAX_KNOWN) this.knownExpiry.clear();
    this.knownExpiry.set(sid, expiresMs);
  }

  /**
   * Extending the idle timeout on every request would write (and fsync) on every page view; the
   * expiry moves only once it has aged a minute, which costs an idle timeout at most that minute.
   * While this process knows the stored expiry is fresh enough, no statement is sent at all.
   * The touch is a background write: it never waits for the database's write lock (an import may
   * hold it for a moment) and a fault (busy, disk full, read-only) skips it; the next request retries.
   */
  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    const expires = this.expiresOf(sess);
    const threshold = Date.parse(expires) - TOUCH_AFTER_MS;
    if ((this.knownExpiry.get(sid) ?? 0) >= threshold) {
      cb?.();
      return;
    }
    this.db('sessions')
      .where({ sid })
      .andWhere('expires_at', '<', new Date(threshold).toISOString())
      .update({ expires_at: expires })
      .queryContext({ onBusy: 'skip' })
      .then((n: number) => {
        // Not updated: the stored expiry is already at least the threshold.
        this.remember(sid, n === 1 ? Date.parse(expires) : threshold);
        cb?.();
      })
      .catch((err: unknown) => (faultOf(err) ? cb?.() : cb?.(err)));
  }

  override destroy(sid: string, cb?: Callback): void {
    this.knownExpiry.delete(sid);
    this.db('sessions')
      .where({ sid })
      .del()
      .then(() => cb?.())
      .catch((err: unknown) => cb?.(err));
  }

  /** End every session of a user, except optionally the one making the change. */
  async destroyUserSessions(userId: number, exceptSid?: string): Promise<void> {
    const q = this.db('sessions').where({ user_id: userId });
    if (exceptSid) q.whereNot({ sid: exceptSid });
    await q.del();
  }
}
