/**
 * Recording penalties, incidents, list entries and the last check of the public records; each write audited and the
 * verdicts refreshed. A check saved as it is stored writes nothing.
 */
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { WriteContext } from '../../domain/actor.js';
import { COMPLIANCE_EVENT_KINDS, COMPLIANCE_LISTS, type ComplianceEvent, type ComplianceListing } from '../../domain/eligibility/compliance.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import { claimFormKey } from '../../web/form-keys.js';
import { appendAudit } from '../audit/audit.queries.js';
import { type EligibilityRefresh, UNCHANGED, writeFirmInput } from '../eligibility/input-writes.js';
import type { Firm } from '../firms/firms.queries.js';
import { checkOf, deleteEvent, deleteListing, insertEvent, insertListing, saveCheck } from './compliance.queries.js';

const STALE_CHECK = '核查记录刚被他人修改过，请刷新页面核对后再保存。';
const GONE = '这条记录已不存在（可能刚被他人删除）。';

export function createComplianceService(deps: { refreshEligibility: EligibilityRefresh }) {
  const inputsUrl = (firm: Firm) => `/firms/${firm.uscc}/inputs#compliance`;
  return {
    async addEvent(db: Knex, firm: Firm, e: ComplianceEvent & { note: string | null }, ctx: WriteContext): Promise<void> {
      await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
        const done = await claimFormKey(trx, ctx);
        const id = await insertEvent(trx, firm.id, e, ctx.actor.id, at);
        await appendAudit(trx, ctx, { action: 'compliance.event_add', objectType: 'firm', objectId: firm.uscc, after: { id, ...e, kindLabel: COMPLIANCE_EVENT_KINDS[e.kind] } }, at);
        await done(inputsUrl(firm));
      });
    },
    async removeEvent(db: Knex, firm: Firm, id: number, ctx: WriteContext): Promise<void> {
      await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
        if (!(await deleteEvent(trx, firm.id, id))) throw new NotFoundError('EVENT_NOT_FOUND', GONE);
        await appendAudit(trx, ctx, { action: 'compliance.event_delete', objectType: 'firm', objectId: firm.uscc, before: { id }, after: null }, at);
      });
    },
    async addListing(db: Knex, firm: Firm, l: ComplianceListing & { authority: string | null }, ctx: WriteContext): Promise<void> {
      await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
        const done = await claimFormKey(trx, ctx);
        const id = await insertListing(trx, firm.id, l, ctx.actor.id, at);
        await appendAudit(trx, ctx, { action: 'compliance.listing_add', objectType: 'firm', objectId: firm.uscc, after: { id, ...l, listLabel: COMPLIANCE_LISTS[l.list] } }, at);
        await done(inputsUrl(firm));
      });
    },
    async removeListing(db: Knex, firm: Firm, id: number, ctx: WriteContext): Promise<void> {
      await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
        if (!(await deleteListing(trx, firm.id, id))) throw new NotFoundError('LISTING_NOT_FOUND', GONE);
        await appendAudit(trx, ctx, { action: 'compliance.listing_delete', objectType: 'firm', objectId: firm.uscc, before: { id }, after: null }, at);
      });
    },
    /** Returns whether anything changed. */
    async setCheck(db: Knex, firm: Firm, version: number, v: { checkedOn: string; source: string }, ctx: WriteContext): Promise<{ changed: boolean }> {
      try {
        const result = await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
          const before = await checkOf(trx, firm.id);
          if (before && before.version === version && before.checkedOn === v.checkedOn && before.source === v.source) return UNCHANGED;
          if ((version === 0) !== (before === null) || !(await saveCheck(trx, firm.id, version, v.checkedOn, v.source, at))) throw new ConflictError('CHECK_STALE', STALE_CHECK);
          await appendAudit(trx, ctx, { action: 'compliance.checked', objectType: 'firm', objectId: firm.uscc, before: before ? { checkedOn: before.checkedOn, source: before.source } : null, after: v }, at);
          return null;
        });
        return { changed: result !== UNCHANGED };
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('CHECK_STALE', STALE_CHECK);
        throw err;
      }
    },
  };
}

export type ComplianceService = ReturnType<typeof createComplianceService>;
