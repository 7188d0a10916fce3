/**
 * Every refused request (403: a role without the permission, a missing or stale CSRF token, a
 * cross-origin post) goes into the audit log with who asked and in which role (ASVS 4.0.3 §7.2.2),
 * so an administrator can see probing as well as mistakes. The answer itself is the error
 * handler's; a failure to write the row is logged and does not change it.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { Knex } from 'knex';
import type { Actor } from '../domain/actor.js';
import { appendAuditAs } from '../features/audit/audit.queries.js';
import { actorOf as actorOfAccount, findActingAccount } from '../features/users/users.queries.js';
import { AppError } from '../lib/errors.js';
import { log } from '../lib/log.js';

/**
 * Who asked: the signed-in user, also when the request was refused (a CSRF or origin check) before
 * the app looked them up.
 */
async function whoAsked(db: Knex, req: Request, res: Response): Promise<Actor | undefined> {
  const known = res.locals.actor as Actor | undefined;
  if (known || !req.session?.userId) return known;
  const account = await findActingAccount(db, req.session.userId);
  return account ? actorOfAccount(account) : undefined;
}

export function auditRefusals(db: Knex): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (!(err instanceof AppError) || err.status !== 403) return next(err);
    const record = async () => {
      const actor = await whoAsked(db, req, res);
      await appendAuditAs(db, { actorId: actor?.id ?? null, actorName: actor?.displayName ?? null, ip: req.ip ?? null }, {
        action: 'access.denied',
        objectType: 'request',
        objectId: `${req.method} ${req.path}`,
        after: { role: actor?.role ?? null, username: actor?.username ?? null, code: err.code, method: req.method, path: req.originalUrl.slice(0, 300) },
      });
    };
    record()
      .catch((auditErr: unknown) => log.error('refused request not audited', { err: auditErr, code: err.code }))
      .finally(() => next(err));
  };
}
