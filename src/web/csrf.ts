/**
 * CSRF protection on every unsafe request: a synchronizer token kept in the session (csrf-sync),
 * sent by htmx as the X-CSRF-Token header and by plain forms as the _csrf field; plus an origin
 * check. Sec-Fetch-Site is used when the browser sends it, but plain-HTTP intranet addresses get
 * no Sec-Fetch-* headers, so Origin (or, failing that, Referer) must match our own origin.
 *
 * A plain (script-less) upload form sends its _csrf field inside a multipart body, which only the
 * route's own parser (multer) reads. For the upload routes listed below the check therefore waits
 * for the body: for the token field, which the page's form sends before the file, when the file
 * part begins (uploadTokenRefusal, so that nothing of a forged upload reaches the disk); for a
 * body without a file, once it is parsed (settleCsrf, which writeContext calls before any write).
 */
import fs from 'node:fs';
import type { Request, RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { ForbiddenError } from '../lib/errors.js';
import { log } from '../lib/log.js';
import { acceptsMultipart } from './request-input.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const messages = {
  token: '页面已过期或缺少安全校验，请刷新页面后重试。',
  origin: '请求来源与本系统不符，已被拒绝。请直接在本系统页面中操作。',
} as const;

const { csrfSynchronisedProtection, generateToken, isRequestValid } = csrfSync({
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

const deferred = new WeakSet<Request>();

function refuse(req: Request): ForbiddenError {
  log.warn('csrf token refused', { method: req.method, url: req.originalUrl });
  return new ForbiddenError('CSRF_TOKEN', messages.token);
}

export const csrfProtection: RequestHandler = (req, res, next) => {
  if (!SAFE_METHODS.has(req.method) && acceptsMultipart(req.path) && !req.get('x-csrf-token') && req.is('multipart/form-data')) {
    deferred.add(req);
    return next();
  }
  csrfSynchronisedProtection(req, res, (err?: unknown) => next(err ? refuse(req) : undefined));
};

/**
 * For a deferred check, at the start of a file part: the refusal when the token field has not
 * arrived before it or is wrong, else null (and the check is done).
 */
export function uploadTokenRefusal(req: Request): ForbiddenError | null {
  if (!deferred.has(req)) return null;
  deferred.delete(req);
  return isRequestValid(req) ? null : refuse(req);
}

/**
 * Completes a check csrfProtection deferred, once the multipart body has been parsed; throws 403
 * (and drops the uploaded files) when its _csrf field is missing or wrong. Does nothing for any
 * other request.
 */
export function settleCsrf(req: Request): void {
  if (!deferred.has(req)) return;
  deferred.delete(req);
  if (isRequestValid(req)) return;
  const files = [req.file, ...(Array.isArray(req.files) ? req.files : Object.values(req.files ?? {}).flat())];
  for (const file of files) if (file?.path) fs.rmSync(file.path, { force: true });
  throw refuse(req);
}
