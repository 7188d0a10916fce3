/**
 * Setting a year's targets (issue 10 item 4): all metrics of one year and one scope (the county or
 * a park) in one transaction. Every value is checked first (a whole number ≥ 0, blank removes the
 * target); one bad value and nothing is saved. Each metric carries the version it was read at: a
 * target someone else changed meanwhile answers 409 and nothing is saved.
 */
import type { Knex } from 'knex';
import type { WriteContext } from '../../domain/actor.js';
import { can } from '../../domain/permissions.js';
import { TARGET_METRICS, parseTarget, targetMetricLabel } from '../../domain/targets.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso } from '../../lib/dates.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../lib/errors.js';
import { appendAudit } from '../audit/audit.queries.js';
import { claimFormKey } from '../../web/form-keys.js';
import { deleteTarget, insertTarget, targetsOf, updateTarget } from './targets.queries.js';

export interface TargetInput {
  year: number;
  parkId: number | null;
  /** metric → the text typed. */
  values: Record<string, string>;
  /** metric → the version the form was read at (0: there was no target). */
  versions: Record<string, number>;
}

export class StaleTargetsError extends ConflictError {
  constructor() {
    super('TARGETS_STALE', '目标已被他人修改：下面是最新的数值，请核对后重新保存。');
  }
}

export async function saveTargets(db: Knex, input: TargetInput, ctx: WriteContext): Promise<{ changed: number }> {
  if (!can(ctx.actor, 'targets.manage')) throw new ForbiddenError('FORBIDDEN', '只有管理员和领导可以设定目标。');
  const parsed = new Map<string, number | null>();
  const errors: Record<string, string> = {};
  for (const m of TARGET_METRICS) {
    const r = parseTarget(input.values[m.key]);
    if (r.ok) parsed.set(m.key, r.value);
    else errors[m.key] = `${m.label}：${r.message}`;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const at = nowIso();
  return db.transaction(async (trx) => {
    const recordResult = await claimFormKey(trx, ctx);
    const current = await targetsOf(trx, input.year, input.parkId);
    const before: Record<string, number> = {};
    const after: Record<string, number> = {};
    let changed = 0;
    for (const m of TARGET_METRICS) {
      const now = current.get(m.key);
      const want = parsed.get(m.key) ?? null;
      const readAt = input.versions[m.key] ?? 0;
      if ((now?.version ?? 0) !== readAt) throw new StaleTargetsError();
      if ((now?.value ?? null) === want) continue;
      const key = { year: input.year, metric: m.key, parkId: input.parkId };
      if (want === null) await deleteTarget(trx, key, now!.version);
      else if (now) await updateTarget(trx, { ...key, value: want }, now.version, at, ctx.actor.id);
      else await insertTarget(trx, { ...key, value: want }, at, ctx.actor.id);
      if (now) before[targetMetricLabel(m.key)] = now.value;
      if (want !== null) after[targetMetricLabel(m.key)] = want;
      changed++;
    }
    if (changed) {
      await appendAudit(trx, ctx, { action: 'target.set', objectType: 'targets', objectId: `${input.year}${input.parkId ? `/park ${input.parkId}` : ''}`, before, after }, at);
    }
    if (changed) bumpDataGeneration(); // the dashboard's charts show the targets
    await recordResult(`/targets?year=${input.year}${input.parkId ? `&park=${input.parkId}` : ''}`);
    return { changed };
  });
}
