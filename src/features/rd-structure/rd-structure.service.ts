/** Saving a year's R&D expense structure: optimistic version, audit row, verdicts refreshed in the same transaction. */
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { WriteContext } from '../../domain/actor.js';
import type { RdStructureInput } from '../../domain/eligibility/rd-structure.js';
import { ConflictError } from '../../lib/errors.js';
import { appendAudit } from '../audit/audit.queries.js';
import { type EligibilityRefresh, writeFirmInput } from '../eligibility/input-writes.js';
import type { Firm } from '../firms/firms.queries.js';
import { deleteRdStructure, insertRdStructure, rdStructureOfYear, updateRdStructure } from './rd-structure.queries.js';

export const STALE_RD = '这一年的研发费用结构刚被他人修改过，请刷新页面核对后再保存。';

export function createRdStructureService(deps: { refreshEligibility: EligibilityRefresh }) {
  return {
    async saveYear(db: Knex, firm: Firm, version: number, value: RdStructureInput, typedTotal: number | null, ctx: WriteContext): Promise<void> {
      try {
        await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
          const before = await rdStructureOfYear(trx, firm.id, value.year);
          if (version === 0) {
            if (before) throw new ConflictError('RD_STALE', STALE_RD);
            await insertRdStructure(trx, firm.id, value, typedTotal, at);
          } else if (!before || !(await updateRdStructure(trx, firm.id, value, typedTotal, version, at))) {
            throw new ConflictError('RD_STALE', STALE_RD);
          }
          const { firmId: _f, version: _v, ...was } = before ?? ({} as Partial<NonNullable<typeof before>>);
          await appendAudit(trx, ctx, { action: 'rd_structure.update', objectType: 'firm', objectId: firm.uscc, before: before ? was : { year: value.year }, after: { ...value, typedTotal } }, at);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('RD_STALE', STALE_RD);
        throw err;
      }
    },
    async deleteYear(db: Knex, firm: Firm, year: number, version: number, ctx: WriteContext): Promise<void> {
      await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
        if (!(await deleteRdStructure(trx, firm.id, year, version))) throw new ConflictError('RD_STALE', STALE_RD);
        await appendAudit(trx, ctx, { action: 'rd_structure.delete', objectType: 'firm', objectId: firm.uscc, before: { year }, after: null }, at);
      });
    },
  };
}

export type RdStructureService = ReturnType<typeof createRdStructureService>;
