/**
 * Who is acting. Until accounts exist (issue 3) every request acts as the seeded `admin` user; the
 * rest of the app only ever reads `res.locals.actor`, so sessions drop in here alone.
 */
import type { Knex } from 'knex';
import type { RequestHandler, Response } from 'express';
import type { Actor, WriteContext } from '../domain/actor.js';
import { actorOf, findUserByUsername } from '../features/users/users.queries.js';

export function currentUser(db: Knex): RequestHandler {
  return async (_req, res, next) => {
    const admin = await findUserByUsername(db, 'admin');
    if (!admin || !admin.isActive) {
      next(new Error('no active admin user: run the migrations and the seed'));
      return;
    }
    res.locals.actor = actorOf(admin);
    next();
  };
}

export function actorOfResponse(res: Response): Actor {
  return res.locals.actor as Actor;
}

export function writeContext(req: { ip?: string | undefined }, res: Response): WriteContext {
  return { actor: actorOfResponse(res), ip: req.ip ?? null };
}
