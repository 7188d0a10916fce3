/**
 * A repeated save creates nothing twice. A form that creates something carries a one-time key
 * ({{> shared/form-key}} renders res.locals.formKey, fresh for every page); the write records the
 * key inside its own transaction (claimFormKey), under a primary key, so that:
 *
 * - a second submission that arrives after the first has finished (a double click without
 *   JavaScript, a retry, the Back button) is answered with where the first one ended — the record
 *   it created — before any handler runs (formKeyReplay);
 * - two submissions at the same moment collide on the primary key: the second one's transaction
 *   fails and rolls back, and it is answered the same way (repeatedSubmitHandler).
 *
 * Keys belong to a user and a form action, so a key cannot be used by someone else and two forms
 * of one page stay apart. A form with a key whose write does not claim it still gets the first
 * kind of protection: its successful redirect is recorded after the answer.
 */
import crypto from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/dialect.js';
import type { Db } from '../db/types.js';
import type { Actor, WriteContext } from '../domain/actor.js';
import { nowIso } from '../lib/dates.js';
import { AppError } from '../lib/errors.js';
import { log } from '../lib/log.js';
import { redirectAfterWrite } from './render.js';

export const FORM_KEY_FIELD = '_formKey';
const KEY_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** Long enough for any retry or Back button; the table stays small. */
const KEY_LIFETIME_MS = 24 * 3600_000;

export const formKeyMessages = {
  repeated: '这张表单刚才已经提交过，没有再保存一次。下面是那一次的结果。',
} as const;

/** A second submission of a form whose first one is being (or has been) saved. */
export class RepeatedSubmitError extends AppError {
  constructor() {
    super('REPEATED_SUBMIT', formKeyMessages.repeated, 409);
  }
}

/** The form key a request carries for its action, if any. */
export function formKeyOf(req: Request): { key: string; action: string } | null {
  const value = (req.body as Record<string, unknown> | undefined)?.[FORM_KEY_FIELD];
  return typeof value === 'string' && KEY_PATTERN.test(value) ? { key: value, action: req.path.slice(0, 200) } : null;
}

/** A fresh key for the forms of the page being rendered. */
export const formKeyLocals: RequestHandler = (_req, res, next) => {
  res.locals.formKey = crypto.randomBytes(16).toString('base64url');
  next();
};

async function resultOf(db: Db, userId: number, key: { key: string; action: string }): Promise<string | null> {
  const row = (await db('form_keys').where({ user_id: userId, form_key: key.key, action: key.action }).first('result_url')) as { result_url: string | null } | undefined;
  return row?.result_url ?? null;
}

function answerRepeat(req: Request, res: Response, url: string): void {
  req.session.flash = { level: 'info', message: formKeyMessages.repeated };
  redirectAfterWrite(req, res, url);
}

/** Where a successful form post sent the user: a 303, or htmx's HX-Redirect. */
function successLocation(res: Response): string | null {
  if (res.statusCode === 303) return (res.getHeader('location') as string | undefined) ?? null;
  if (res.statusCode === 204) return (res.getHeader('hx-redirect') as string | undefined) ?? null;
  return null;
}

/**
 * Before any handler: a form key already used for this action answers with where its first
 * submission ended. Otherwise the request goes on, and a successful answer is remembered.
 */
export function formKeyReplay(db: Knex): RequestHandler {
  return async (req, res, next) => {
    const actor = res.locals.actor as Actor | undefined;
    const key = req.method === 'POST' && actor ? formKeyOf(req) : null;
    if (!key || !actor) return next();
    const done = await resultOf(db, actor.id, key);
    if (done) return answerRepeat(req, res, done);
    res.on('finish', () => {
      const url = successLocation(res);
      if (!url) return;
      db('form_keys')
        .insert({ user_id: actor.id, form_key: key.key, action: key.action, result_url: url.slice(0, 500), created_at: nowIso() })
        .onConflict(['user_id', 'form_key', 'action'])
        .ignore()
        .catch((err: unknown) => log.warn('form key not recorded', { err, action: key.action }));
    });
    next();
  };
}

/**
 * Inside a create's transaction, before it writes: takes the request's form key (throws
 * RepeatedSubmitError when another submission of the same form holds it), and returns the step that
 * records where the result can be seen. Does nothing for a request without a key.
 */
export async function claimFormKey(trx: Db, ctx: WriteContext): Promise<(resultUrl: string) => Promise<void>> {
  const key = ctx.formKey;
  if (!key) return async () => undefined;
  const where = { user_id: ctx.actor.id, form_key: key.key, action: key.action };
  try {
    await trx('form_keys').insert({ ...where, result_url: null, created_at: nowIso() });
  } catch (err) {
    if (isUniqueViolation(err)) throw new RepeatedSubmitError();
    throw err;
  }
  return async (resultUrl) => {
    await trx('form_keys').where(where).update({ result_url: resultUrl.slice(0, 500) });
  };
}

/** A submission that lost the race to its twin: sent where the twin's result is. */
export function repeatedSubmitHandler(db: Knex): ErrorRequestHandler {
  return (err, req, res, next) => {
    const actor = res.locals.actor as Actor | undefined;
    const key = formKeyOf(req);
    if (!(err instanceof RepeatedSubmitError) || !actor || !key || res.headersSent) return next(err);
    resultOf(db, actor.id, key)
      .then((url) => (url ? answerRepeat(req, res, url) : next(err)))
      .catch(next);
  };
}

export async function deleteStaleFormKeys(db: Db, now = new Date()): Promise<number> {
  return db('form_keys').where('created_at', '<', new Date(now.getTime() - KEY_LIFETIME_MS).toISOString()).del();
}
