/**
 * One JSON line per request (pino-http on the app's logger): method, path, status, time, user and
 * the request id. The id is the reference number the error page shows, so a user's "编号 3f9c…"
 * finds its line; a failed request's line carries the error (the error handler puts it on res.err).
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { logger, serializeError } from '../lib/log.js';

const MAX_URL = 300;

function shortUrl(url: string | undefined): string {
  const u = url ?? '';
  return u.length > MAX_URL ? `${u.slice(0, MAX_URL)}…` : u;
}

/** Static files and health probes would drown the log at info level: they go to debug when they succeed. */
function isRoutine(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return url === '/healthz' || url.startsWith('/assets/') || url.startsWith('/vendor/') || url.startsWith('/css/') || url.startsWith('/js/') || url.startsWith('/img/');
}

interface LoggedResponse extends ServerResponse {
  locals?: { actor?: { id: number }; refusal?: string };
}

export function requestLog(): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: () => crypto.randomBytes(4).toString('hex'),
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode < 400 && isRoutine(req)) return 'debug';
      return 'info';
    },
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
    customAttributeKeys: { reqId: 'reference' },
    // Only what helps: no headers (cookies, tokens), no body.
    serializers: {
      req: (req: IncomingMessage & { originalUrl?: string }) => ({ method: req.method, url: shortUrl(req.originalUrl ?? req.url), ip: req.socket?.remoteAddress }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      err: serializeError,
    },
    customProps: (_req, res) => {
      const locals = (res as LoggedResponse).locals;
      return { ...(locals?.actor ? { userId: locals.actor.id } : {}), ...(locals?.refusal ? { code: locals.refusal } : {}) };
    },
    quietReqLogger: true,
    // Our serializers read the raw objects (the standard ones would copy every header first).
    wrapSerializers: false,
  }) as unknown as RequestHandler;
}
