/**
 * Administrator actions (create a user, change a role or parks, disable or enable, reset a
 * password) ask for the password again when the user last proved who they are more than 15
 * minutes ago (ASVS 4.0.3 §3.7.1): a session left open on an unattended desk must not be enough to
 * hand out accounts. Nothing typed is lost: the confirmation page carries the form as it was sent
 * and, once the password is right, the action goes on with it. Five wrong passwords end the
 * session.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import type { Actor } from '../domain/actor.js';
import { verifyPassword } from '../features/accounts/passwords.js';
import { appendAudit } from '../features/audit/audit.queries.js';
import { findAccountById } from '../features/users/users.queries.js';
import { setFlash } from './auth.js';
import { csrfToken } from './csrf.js';

export const REAUTH_AFTER_MS = 15 * 60_000;
export const REAUTH_FIELD = '_reauthPassword';
const MAX_FAILURES = 5;

declare module 'express-session' {
  interface SessionData {
    /** Wrong passwords given to the re-authentication page in this session. */
    reauthFailures?: number;
  }
}

export const reauthMessages = {
  why: '这是管理员操作。距你上次输入密码已超过 15 分钟，请再次输入你的密码以确认是你本人。',
  wrong: '密码不正确，请重新输入。',
  ended: '多次输入错误的密码，已退出登录。请重新登录。',
} as const;

/** Whether the session's last proof of identity is recent enough for an administrator action. */
export function recentlyAuthenticated(req: Request, now = Date.now()): boolean {
  const at = req.session?.authenticatedAt ? Date.parse(req.session.authenticatedAt) : NaN;
  return Number.isFinite(at) && now - at < REAUTH_AFTER_MS && at <= now + 60_000;
}

/** The fields of the form as sent, to carry through the confirmation page. */
function carriedFields(body: Record<string, unknown>): { name: string; value: string }[] {
  return Object.entries(body)
    .filter(([name]) => name !== '_csrf' && name !== REAUTH_FIELD)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string').map((v) => ({ name, value: v })));
}

/**
 * The confirmation page is an ordinary page (200), like the login form: the action has not been
 * refused, only paused, and a 4xx would read as an error in the browser.
 */
function renderConfirm(req: Request, res: Response, error: string | null): void {
  res.status(200).render('accounts/reauth', {
    title: '确认是你本人',
    nav: 'users',
    message: reauthMessages.why,
    error,
    action: req.originalUrl,
    fields: carriedFields(req.body as Record<string, unknown>),
    csrfToken: csrfToken(req),
  });
}

/** Guards unsafe requests of an administrator screen (mounted on its path). */
export function requireRecentAuth(db: Knex): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'POST') return next();
    const body = req.body as Record<string, unknown>;
    const given = body[REAUTH_FIELD];
    delete body[REAUTH_FIELD];
    if (recentlyAuthenticated(req)) return next();
    if (typeof given !== 'string' || given === '') return renderConfirm(req, res, null);
    const actor = res.locals.actor as Actor;
    const account = await findAccountById(db, actor.id);
    const ctx = { actor, ip: req.ip ?? null };
    if (account?.isActive && (await verifyPassword(account.passwordHash, given))) {
      req.session.authenticatedAt = new Date().toISOString();
      req.session.reauthFailures = 0;
      await appendAudit(db, ctx, { action: 'reauth.success', objectType: 'user', objectId: actor.username });
      return next();
    }
    const failures = (req.session.reauthFailures ?? 0) + 1;
    await appendAudit(db, ctx, { action: 'reauth.failure', objectType: 'user', objectId: actor.username, after: { failures } });
    if (failures >= MAX_FAILURES) {
      await new Promise<void>((resolve) => req.session.regenerate(() => resolve()));
      setFlash(req, 'error', reauthMessages.ended);
      return res.redirect(303, '/login');
    }
    req.session.reauthFailures = failures;
    renderConfirm(req, res, reauthMessages.wrong);
  };
}
