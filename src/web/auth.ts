/**
 * Who is acting, and whether they may. Every request after the public ones (login, health,
 * assets) needs a live session of an active user; each route then names the permission it needs,
 * checked against the one permission table (domain/permissions.ts).
 */
import type { Knex } from 'knex';
import type { Request, RequestHandler, Response } from 'express';
import type { Actor, WriteContext } from '../domain/actor.js';
import { ROLE_LABELS } from '../domain/actor.js';
import { type Permission, can } from '../domain/permissions.js';
import { ForbiddenError } from '../lib/errors.js';
import { actorOf, findActingAccount } from '../features/users/users.queries.js';
import { settleCsrf } from './csrf.js';
import { formKeyOf } from './form-keys.js';
import { isFragmentRequest } from './render.js';
import { regenerateSession } from './session.js';

/** Puts the signed-in user (if any) in res.locals.actor; ends sessions of disabled users at once. */
export function loadActor(db: Knex): RequestHandler {
  return async (req, res, next) => {
    const userId = req.session?.userId;
    if (!userId) return next();
    const expired = req.session.absoluteExpiresAt && Date.parse(req.session.absoluteExpiresAt) <= Date.now();
    const account = expired ? null : await findActingAccount(db, userId);
    if (!account || !account.isActive) {
      // Replace the session rather than just destroying it: the request goes on, anonymously.
      await regenerateSession(req);
      return next();
    }
    res.locals.actor = actorOf(account);
    res.locals.mustChangePassword = account.mustChangePassword;
    next();
  };
}

export function actorOfResponse(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new ForbiddenError('NOT_SIGNED_IN', '请先登录。');
  return actor;
}

/** Who is writing; also where an upload's deferred CSRF check is completed (see web/csrf.ts). */
export function writeContext(req: Request, res: Response): WriteContext {
  const actor = actorOfResponse(res);
  settleCsrf(req);
  return { actor, ip: req.ip ?? null, formKey: formKeyOf(req) };
}

/** Only same-origin paths are followed after login (no //evil.example, no javascript:). */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return /^\/(?![/\\])[^\s]*$/.test(value) && !value.startsWith('/login') ? value : null;
}

/** Anonymous page requests go to the login page; anonymous htmx requests get 401 + HX-Redirect. */
export const requireLogin: RequestHandler = (req, res, next) => {
  if (res.locals.actor) return next();
  const returnTo = req.method === 'GET' ? safeReturnPath(req.originalUrl) : null;
  const target = returnTo && returnTo !== '/' ? `/login?next=${encodeURIComponent(returnTo)}` : '/login';
  if (req.get('HX-Request') === 'true') {
    res.status(401).set('HX-Redirect', target).end();
    return;
  }
  res.redirect(302, target);
};

/**
 * A user whose password was set by an administrator must choose their own before anything else.
 * Mounted after accountsRouter, which has already answered /account/password and /logout.
 */
export const requirePasswordChosen: RequestHandler = (req, res, next) => {
  if (!res.locals.mustChangePassword) return next();
  if (isFragmentRequest(req)) {
    res.status(401).set('HX-Redirect', '/account/password').end();
    return;
  }
  res.redirect(302, '/account/password');
};

export function requirePermission(permission: Permission): RequestHandler {
  return (_req, res, next) => {
    const actor = res.locals.actor as Actor | undefined;
    if (can(actor, permission)) return next();
    const role = actor ? ROLE_LABELS[actor.role] : '未登录';
    next(new ForbiddenError('FORBIDDEN', `你的角色（${role}）不能执行此操作。`));
  };
}

/** A one-time message shown on the next page (after a redirect), optionally with the next thing to do (a same-site link). */
export function setFlash(req: Request, level: 'success' | 'info' | 'warning' | 'error', message: string, action?: { href: string; label: string }): void {
  req.session.flash = action ? { level, message, action } : { level, message };
}
