import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { coversFirm } from '../../domain/permissions.js';
import { NotFoundError } from '../../lib/errors.js';
import { type Firm, findFirmByUscc } from './firms.queries.js';

/**
 * The firm with this credit code when the actor's parks cover it. Otherwise the same 404 whether or
 * not the firm exists, so a caseworker limited to some parks learns nothing about the others.
 */
export async function findFirmInScope(db: Db, uscc: string, actor: Jurisdiction): Promise<Firm> {
  const firm = await findFirmByUscc(db, uscc);
  if (!firm || !coversFirm(actor, firm)) throw new NotFoundError('FIRM_NOT_FOUND', '找不到这家企业（信用代码不存在，或不在你负责的园区或镇街）。');
  return firm;
}

/** What a scoped caseworker may learn of a code registered outside their parks or towns: that much, no more. */
export const REGISTERED_OUT_OF_SCOPE = '该信用代码已登记，不在你的负责范围。';

/**
 * Whether a credit code is taken, as this actor may know it: 'mine' (registered, and theirs to
 * see), 'elsewhere' (registered in a park they do not cover: only that fact), or 'free'. Every
 * lookup by code that answers a user goes through this, so none tells more.
 */
export async function codeRegistration(db: Db, uscc: string, actor: Jurisdiction): Promise<'free' | 'mine' | 'elsewhere'> {
  const firm = await findFirmByUscc(db, uscc);
  if (!firm) return 'free';
  return coversFirm(actor, firm) ? 'mine' : 'elsewhere';
}
