/**
 * Saving a year of staff by month: optimistic version (0 = a year not entered yet), audit row, refreshed verdicts.
 * A year saved as it is stored writes nothing (no version, no audit row).
 */
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { WriteContext } from '../../domain/actor.js';
import type { StaffMonthsInput } from '../../domain/eligibility/staff.js';
import { ConflictError } from '../../lib/errors.js';
import { appendAudit } from '../audit/audit.queries.js';
import { type EligibilityRefresh, UNCHANGED, sameValue, writeFirmInput } from '../eligibility/input-writes.js';
import type { Firm } from '../firms/firms.queries.js';
import { deleteStaffMonths, insertStaffMonths, staffMonthsOfYear, updateStaffMonths } from './staff-months.queries.js';

export const STALE_STAFF = '这一年的月度人数刚被他人修改过，请刷新页面核对后再保存。';

export function createStaffMonthsService(deps: { refreshEligibility: EligibilityRefresh }) {
  return {
    /** Returns whether anything changed. */
    async saveYear(db: Knex, firm: Firm, version: number, value: StaffMonthsInput, ctx: WriteContext): Promise<{ changed: boolean }> {
      try {
        const result = await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
          const before = await staffMonthsOfYear(trx, firm.id, value.year);
          // The version check still applies: a stale form is answered as one, not as "no change".
          if (before && before.version === version && sameValue([before.total, before.tech, before.partTime], [value.total, value.tech, value.partTime])) return UNCHANGED;
          if (version === 0) {
            if (before) throw new ConflictError('STAFF_STALE', STALE_STAFF);
            await insertStaffMonths(trx, firm.id, value, at);
          } else if (!before || !(await updateStaffMonths(trx, firm.id, value, version, at))) {
            throw new ConflictError('STAFF_STALE', STALE_STAFF);
          }
          await appendAudit(trx, ctx, {
            action: 'staff_months.update',
            objectType: 'firm',
            objectId: firm.uscc,
            before: before ? { year: value.year, total: before.total, tech: before.tech, partTime: before.partTime } : { year: value.year },
            after: { year: value.year, total: value.total, tech: value.tech, partTime: value.partTime },
          }, at);
          return null;
        });
        return { changed: result !== UNCHANGED };
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('STAFF_STALE', STALE_STAFF);
        throw err;
      }
    },

    async deleteYear(db: Knex, firm: Firm, year: number, version: number, ctx: WriteContext): Promise<void> {
      await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
        if (!(await deleteStaffMonths(trx, firm.id, year, version))) throw new ConflictError('STAFF_STALE', STALE_STAFF);
        await appendAudit(trx, ctx, { action: 'staff_months.delete', objectType: 'firm', objectId: firm.uscc, before: { year }, after: null }, at);
      });
    },
  };
}

export type StaffMonthsService = ReturnType<typeof createStaffMonthsService>;
