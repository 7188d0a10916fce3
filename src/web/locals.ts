/** What every page's layout needs: the acting user, the menu, and no caching of firm data. */
import type { RequestHandler } from 'express';
import type { Actor } from '../domain/actor.js';
import { ROLE_LABELS } from '../domain/actor.js';
import { can } from '../domain/permissions.js';

export const layoutLocals: RequestHandler = (_req, res, next) => {
  const actor = res.locals.actor as Actor | undefined;
  res.locals.me = actor ? { name: actor.displayName, role: ROLE_LABELS[actor.role] } : null;
  res.locals.menu = {
    dashboard: can(actor, 'dashboard.read'),
    createFirm: can(actor, 'firms.create'),
  };
  // Firm financials are confidential: never let a browser or proxy keep a copy of a page.
  res.set('Cache-Control', 'no-store');
  next();
};
