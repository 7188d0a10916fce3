/**
 * CSRF protection on every unsafe request: a synchronizer token kept in the session (csrf-sync),
 * sent by htmx as the X-CSRF-Token header and by plain forms as the _csrf field; plus an origin
 * check. Sec-Fetch-Site is used when the browser sends it, but plain-HTTP intranet addresses get
 * no Sec-Fetch-* headers, so Origin (or, failing that, Referer) must match our own origin.
 */
import type { Request, RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { ForbiddenError } from '../lib/errors.js';
import { log } from '../lib/log.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const messages = {
  token: '页面已过期或缺少安全校验，请刷新页面后重试。',
  origin: '请求来源与本系统不符，已被拒绝。请直接在本系统页面中操作。',
} as const;

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const header = req.get('x-csrf-token');
    if (header) return header;
    const field = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof field === 'string' ? field : undefined;
  },
  errorConfig: { statusCode: 403, message: messages.token, code: 'EBADCSRFTOKEN' },
});

export { generateToken as csrfToken };

function ownOrigin(req: Request, publicOrigin: string | null): string {
  return publicOrigin ?? `${req.protocol}://${req.get('host')}`;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function originCheck(publicOrigin: string | null): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const expected = ownOrigin(req, publicOrigin);
    const fetchSite = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const referer = req.get('referer');
    let ok = true;
    if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') ok = false;
    else if (origin !== undefined) ok = origin === expected; // 'null' and look-alikes never match
    else if (referer !== undefined) ok = originOf(referer) === expected;
    if (ok) return next();
    log.warn('cross-origin request refused', { method: req.method, url: req.originalUrl, origin, referer, fetchSite, expected });
    next(new ForbiddenError('CROSS_ORIGIN', messages.origin));
  };
}

export const csrfProtection: RequestHandler = (req, res, next) => {
  csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (err) {
      log.warn('csrf token refused', { method: req.method, url: req.originalUrl });
      return next(new ForbiddenError('CSRF_TOKEN', messages.token));
    }
    next();
  });
};
