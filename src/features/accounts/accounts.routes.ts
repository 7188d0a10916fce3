/** /login, /logout and /account/password. */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { type Actor, homeOf } from '../../domain/actor.js';
import { appendAudit } from '../audit/audit.queries.js';
import { actorOfResponse, requireLogin, safeReturnPath, setFlash, writeContext } from '../../web/auth.js';
import { csrfToken } from '../../web/csrf.js';
import { raw, str } from '../../web/forms.js';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, regenerateSession, saveSession } from '../../web/session.js';
import { authenticate, changeOwnPassword } from './accounts.service.js';
import { knownDevice, rememberDevice } from './device-cookie.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js';
import type { KnexSessionStore } from './session-store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function destroy(req: Request): Promise<void> {
  return new Promise((resolve) => req.session.destroy(() => resolve()));
}

function renderPasswordPage(res: Response, errors: Record<string, string> = {}, status = 200): void {
  res.status(status).render('accounts/password', { title: '修改密码', errors, forced: res.locals.mustChangePassword, min: PASSWORD_MIN, max: PASSWORD_MAX });
}

export function accountsRouter(db: Knex, store: KnexSessionStore, opts: { sessionAbsoluteHours: number; sessionSecret: string }): Router {
  const { sessionAbsoluteHours, sessionSecret } = opts;
  const router = express.Router();

  router.get('/login', async (req, res) => {
    if (res.locals.actor) return res.redirect(302, safeReturnPath(req.query.next) ?? homeOf(res.locals.actor as Actor));
    const token = csrfToken(req);
    // Stored before the form is shown: if the database cannot take it (disk full, read-only), the
    // user reads why (503) instead of a form whose every submission would be refused.
    await saveSession(req);
    res.render('accounts/login', { layout: 'bare', title: '登录', next: safeReturnPath(req.query.next) ?? '', csrfToken: token });
  });

  router.post('/login', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const username = str(body.username);
    const asked = safeReturnPath(str(body.next));
    const device = knownDevice(req, username, sessionSecret);
    const result = await authenticate(db, username, raw(body.password), req.ip ?? 'unknown', { device });
    if (!result.ok) {
      if (result.delayMs) await sleep(result.delayMs);
      res.status(result.locked ? 429 : 401);
      return res.render('accounts/login', { layout: 'bare', title: '登录', error: result.message, username, next: asked ?? '', csrfToken: csrfToken(req) });
    }
    // A fresh session id at login (no fixation), with an absolute end however active the user is.
    await regenerateSession(req);
    req.session.userId = result.account.id;
    req.session.absoluteExpiresAt = new Date(Date.now() + sessionAbsoluteHours * 3600_000).toISOString();
    req.session.authenticatedAt = new Date().toISOString();
    csrfToken(req, true);
    rememberDevice(req, res, result.account.username, sessionSecret);
    res.redirect(303, result.account.mustChangePassword ? '/account/password' : (asked ?? homeOf(result.account)));
  });

  router.post('/logout', requireLogin, async (req, res) => {
    const ctx = writeContext(req, res);
    await appendAudit(db, ctx, { action: 'logout', objectType: 'user', objectId: ctx.actor.username });
    // Signing out here signs out everywhere: the user's other sessions end too.
    await store.destroyUserSessions(ctx.actor.id);
    await destroy(req);
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax' });
    if (req.secure) {
      res.clearCookie(SECURE_SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: true });
      // Pages with firm figures may linger in the browser's cache and storage: gone with the session
      // (browsers honour this header in secure contexts only).
      res.set('Clear-Site-Data', '"cache", "storage"');
    }
    res.redirect(303, '/login');
  });

  router.get('/account/password', requireLogin, (_req, res) => renderPasswordPage(res));

  router.post('/account/password', requireLogin, async (req, res) => {
    const actor = actorOfResponse(res);
    const body = req.body as Record<string, unknown>;
    const text = (k: string) => raw(body[k]);
    const result = await changeOwnPassword(db, actor.id, { current: text('current'), next: text('next'), confirm: text('confirm') }, req.ip ?? null);
    if (!result.ok) return renderPasswordPage(res, result.errors, 422);
    // Every other session of this user ends; this one continues under a new id.
    await store.destroyUserSessions(actor.id, req.sessionID);
    const { userId, absoluteExpiresAt } = req.session;
    await regenerateSession(req);
    Object.assign(req.session, { userId, absoluteExpiresAt, authenticatedAt: new Date().toISOString() });
    setFlash(req, 'success', '密码已修改。你在其他设备上的登录已全部退出。');
    res.redirect(303, homeOf(actor));
  });

  return router;
}
