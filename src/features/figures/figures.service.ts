/**
 * Saving one year of a firm's figures: permission and jurisdiction, an optimistic version check
 * (0 = a year not entered yet), the audit row with what changed, and the eligibility summary
 * refreshed in the same transaction.
 */
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { WriteContext } from '../../domain/actor.js';
import { can, coversFirm } from '../../domain/permissions.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso } from '../../lib/dates.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { appendAudit } from '../audit/audit.queries.js';
import type { EligibilityRefresh } from '../firms/firms.service.js';
import { type Firm, refreshScaleClasses } from '../firms/firms.queries.js';
import { type AnnualFigures, type FigureValues, figuresOfYear, insertFigures, updateFigures } from './figures.queries.js';

const messages = {
  forbidden: '你的角色不能修改年度指标。',
  notFound: '找不到这家企业（信用代码不存在，或不在你负责的园区）。',
  stale: '这一年的指标刚被他人修改过。你填写的内容都保留在下面，请对照当前数据后再保存。',
} as const;

export class StaleFiguresError extends ConflictError {
  constructor(readonly current: AnnualFigures | null) {
    super('FIGURES_STALE', messages.stale);
  }
}

export function createFiguresService(deps: { refreshEligibility: EligibilityRefresh }) {
  return {
    /**
     * Save one year. Returns how many figures changed; none changed (or a new year left empty):
     * no write, no version, no audit row.
     */
    async saveYear(db: Knex, firm: Firm, year: number, version: number, values: FigureValues, ctx: WriteContext): Promise<{ changed: number }> {
      if (!coversFirm(ctx.actor, firm)) throw new NotFoundError('FIRM_NOT_FOUND', messages.notFound);
      if (!can(ctx.actor, 'figures.edit')) throw new ForbiddenError('FORBIDDEN', messages.forbidden);
      const at = nowIso();
      let changedCount = 0;
      try {
        await db.transaction(async (trx) => {
          const before = await figuresOfYear(trx, firm.id, year);
          const keys = Object.keys(values) as (keyof FigureValues)[];
          const changed = keys.filter((k) => (before?.[k] ?? null) !== values[k]);
          // The version check still applies, so a stale form is answered as one, not as "no change".
          if ((version === 0 ? !before : before?.version === version) && changed.length === 0) return;
          changedCount = changed.length;
          if (version === 0) {
            if (before) throw new StaleFiguresError(before);
            await insertFigures(trx, firm.id, year, values, at);
          } else if (!before || !(await updateFigures(trx, firm.id, year, version, values, at))) {
            throw new StaleFiguresError(before);
          }
          await appendAudit(trx, ctx, {
            action: 'figures.update',
            objectType: 'firm',
            objectId: firm.uscc,
            before: { year, ...Object.fromEntries(changed.map((k) => [k, before?.[k] ?? null])) },
            after: { year, ...Object.fromEntries(changed.map((k) => [k, values[k]])) },
          }, at);
          await deps.refreshEligibility(trx, [firm.id]);
          await refreshScaleClasses(trx, [firm.id]);
        });
      } catch (err) {
        // Two first saves of the same year at once: the second finds the row the first inserted.
        if (isUniqueViolation(err)) throw new StaleFiguresError(await figuresOfYear(db, firm.id, year));
        throw err;
      }
      if (changedCount) bumpDataGeneration();
      return { changed: changedCount };
    },
  };
}

export type FiguresService = ReturnType<typeof createFiguresService>;
