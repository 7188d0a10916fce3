/**
 * One write of an eligibility input (staff by month, compliance events, IP items, R&D structure, the
 * tech-SME option): jurisdiction and permission first, then one transaction holding the change, its
 * audit row and the refreshed eligibility summary — so the readiness panel and the board agree with
 * what was saved, or nothing was saved.
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { WriteContext } from '../../domain/actor.js';
import { can, coversFirm } from '../../domain/permissions.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso } from '../../lib/dates.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import type { Firm } from '../firms/firms.queries.js';

export type EligibilityRefresh = (db: Db, firmIds: number[]) => Promise<void>;

const messages = {
  forbidden: '你的角色不能修改认定数据。',
  notFound: '找不到这家企业（信用代码不存在，或不在你负责的园区）。',
} as const;

/**
 * What a write returns when the form holds what is stored (a save that changes nothing): no row,
 * no version, no audit row — and so no refresh and no new data generation either.
 */
export const UNCHANGED: unique symbol = Symbol('unchanged');
export type Unchanged = typeof UNCHANGED;

export async function writeFirmInput<T>(
  db: Knex,
  firm: Pick<Firm, 'id' | 'parkId' | 'townId'>,
  ctx: WriteContext,
  refresh: EligibilityRefresh,
  write: (trx: Knex.Transaction, at: string) => Promise<T>,
): Promise<T> {
  if (!coversFirm(ctx.actor, firm)) throw new NotFoundError('FIRM_NOT_FOUND', messages.notFound);
  if (!can(ctx.actor, 'inputs.edit')) throw new ForbiddenError('FORBIDDEN', messages.forbidden);
  const at = nowIso();
  const result = await db.transaction(async (trx) => {
    const r = await write(trx, at);
    if (r !== UNCHANGED) await refresh(trx, [firm.id]);
    return r;
  });
  if (result !== UNCHANGED) bumpDataGeneration();
  return result;
}

/** Whether two saved values are the same (arrays and plain objects compared by content, in order). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Which form of the inputs page a refusal belongs to, with the values as typed and the messages. */
export interface InputsFormState {
  form: string;
  values: Record<string, string>;
  errors: Record<string, string>;
  message?: string;
}

/**
 * Renders the firm's inputs page (src/pages/firm-inputs) with a refused form kept as typed; the page
 * layer supplies it, since the page gathers every input feature and the readiness panel.
 */
export type InputsPageRenderer = (res: import('express').Response, firm: Firm, state: InputsFormState | null, status: number) => Promise<void>;

/** The typed values of a body (strings only, no CSRF or form key), to keep a refused form as typed. */
export function typedValues(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => k !== '_csrf' && k !== '_formKey' && typeof v === 'string')) as Record<string, string>;
}
