/**
 * Sessions: server-side, in the database (KnexSessionStore), identified by an HttpOnly,
 * SameSite=Lax cookie that is Secure whenever the request arrived over HTTPS. Idle and absolute
 * timeouts follow ASVS 4.0.3 §3.3.2 (defaults 30 minutes and 12 hours).
 *
 * A Secure cookie is named with the __Host- prefix (ASVS 3.4.4): the browser then accepts it only
 * from HTTPS, for this host alone (no Domain) and the whole site (Path=/), so a neighbouring host
 * or a plain-HTTP page cannot plant or shadow it. With COOKIE_SECURE=auto the name follows each
 * request: over HTTPS the prefixed cookie, over plain HTTP (an intranet without TLS) the plain one.
 */
import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import type { Knex } from 'knex';
import type { AppConfig } from '../config.js';
import { KnexSessionStore } from '../features/accounts/session-store.js';

export const SESSION_COOKIE = 'miaopu.sid';
export const SECURE_SESSION_COOKIE = '__Host-miaopu.sid';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    /** ISO instant after which the session ends however active it is. */
    absoluteExpiresAt?: string;
    /** When the user last proved who they are (the login, or the password asked again). */
    authenticatedAt?: string;
    /** A one-time message for the next page, with at most one thing to do next (a link). */
    flash?: { level: 'success' | 'info' | 'warning' | 'error'; message: string; action?: { href: string; label: string } };
  }
}

/** SESSION_SECRET, or one generated once and kept in the database for every instance to share. */
export async function resolveSessionSecret(db: Knex, configured: string | null): Promise<string> {
  if (configured) return configured;
  const row = (await db('app_settings').where({ key: 'session_secret' }).first()) as { value: string } | undefined;
  if (row) return row.value;
  const secret = crypto.randomBytes(32).toString('hex');
  await db('app_settings').insert({ key: 'session_secret', value: secret }).onConflict('key').ignore();
  return ((await db('app_settings').where({ key: 'session_secret' }).first()) as { value: string }).value;
}

/** Read-only database: the stored secret, else one for this run (no new session can be stored anyway). */
export async function readSessionSecret(db: Knex, configured: string | null): Promise<string> {
  if (configured) return configured;
  const row = (await db('app_settings').where({ key: 'session_secret' }).first()) as { value: string } | undefined;
  return row?.value ?? crypto.randomBytes(32).toString('hex');
}

export function sessionMiddleware(store: KnexSessionStore, secret: string, config: Pick<AppConfig, 'cookieSecure' | 'sessionIdleMinutes'>): RequestHandler {
  const make = (name: string, secure: boolean, own: KnexSessionStore) =>
    session({
      name,
      secret,
      store: own,
      resave: false,
      saveUninitialized: false,
      rolling: true, // each request extends the idle timeout
      proxy: undefined, // follows the app's 'trust proxy' setting
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        maxAge: config.sessionIdleMinutes * 60_000,
      },
    });
  if (config.cookieSecure === true) return make(SECURE_SESSION_COOKIE, true, store);
  const plain = make(SESSION_COOKIE, false, store);
  if (config.cookieSecure === false) return plain;
  const secure = make(SECURE_SESSION_COOKIE, true, store.sibling());
  return (req, res, next) => (req.secure ? secure : plain)(req, res, next);
}

/** A new session id with empty data (express-session's regenerate, awaited). */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

/** Write the session now rather than when the response ends, so a failure can still be answered. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

export function createSessionStore(db: Knex, config: Pick<AppConfig, 'sessionIdleMinutes'>): KnexSessionStore {
  return new KnexSessionStore(db, config.sessionIdleMinutes * 60_000);
}
