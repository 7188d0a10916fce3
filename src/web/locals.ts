/** What every page's layout needs: the acting user, the menu, the CSRF token, a one-time message. */
import type { RequestHandler } from 'express';
import type { Actor } from '../domain/actor.js';
import { ROLE_LABELS } from '../domain/actor.js';
import { can } from '../domain/permissions.js';
import { csrfToken } from './csrf.js';

const scopeText = (parks: number, towns: number) => `负责 ${[parks ? `${parks} 个园区` : '', towns ? `${towns} 个镇街` : ''].filter(Boolean).join('、') || '0 个园区'}`;

export const layoutLocals: RequestHandler = (req, res, next) => {
  const actor = res.locals.actor as Actor | undefined;
  res.locals.me = actor
    ? { name: actor.displayName, role: ROLE_LABELS[actor.role], scope: actor.parkIds ? scopeText(actor.parkIds.length, actor.townIds?.length ?? 0) : null }
    : null;
  res.locals.menu = {
    dashboard: can(actor, 'dashboard.read'),
    lists: can(actor, 'lists.read'),
    createFirm: can(actor, 'firms.create'),
    users: can(actor, 'users.manage'),
    parks: can(actor, 'parks.manage'),
    audit: can(actor, 'audit.read'),
    certifications: can(actor, 'certifications.read'),
    targets: can(actor, 'targets.read'),
    reports: can(actor, 'reports.read'),
  };
  // Only for a signed-in user: a token is stored in the session, so generating one for everyone
  // would write a session row on every anonymous request (each redirect to /login, each probe).
  // The login page asks for its own.
  if (actor) res.locals.csrfToken = csrfToken(req);
  if (req.session?.flash && req.method === 'GET') {
    res.locals.flash = req.session.flash;
    delete req.session.flash;
  }
  // Firm financials are confidential: never let a browser or proxy keep a copy of a page.
  res.set('Cache-Control', 'no-store');
  next();
};
