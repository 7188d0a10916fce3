/** Adding and removing IP items: a number on one firm only, audited, verdicts refreshed in the same transaction. */
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { WriteContext } from '../../domain/actor.js';
import { IP_KINDS, type IpItem } from '../../domain/eligibility/ip-register.js';
import { ConflictError, ValidationError } from '../../lib/errors.js';
import { claimFormKey } from '../../web/form-keys.js';
import { appendAudit } from '../audit/audit.queries.js';
import { type EligibilityRefresh, writeFirmInput } from '../eligibility/input-writes.js';
import type { Firm } from '../firms/firms.queries.js';
import { deleteIpItem, holderOfNumber, insertIpItem } from './ip-register.queries.js';

export const ipMessages = {
  elsewhere: '该编号已登记在另一家企业名下：同一项知识产权只能由一个权属人使用（指引 三（二）5），请核对编号或先在那家企业删除。',
  here: '本企业已登记该编号。',
  gone: '这条知识产权记录刚被他人修改或删除，请刷新页面后再操作。',
} as const;

export function createIpRegisterService(deps: { refreshEligibility: EligibilityRefresh }) {
  return {
    async add(db: Knex, firm: Firm, item: IpItem, numberKey: string, ctx: WriteContext, source = 'form'): Promise<void> {
      try {
        await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
          const done = await claimFormKey(trx, ctx);
          const holder = await holderOfNumber(trx, numberKey);
          if (holder) throw new ValidationError({ number: holder.firmId === firm.id ? ipMessages.here : ipMessages.elsewhere });
          const id = await insertIpItem(trx, firm.id, item, numberKey, source, at);
          await appendAudit(trx, ctx, { action: 'ip.add', objectType: 'firm', objectId: firm.uscc, after: { id, ...item, kindLabel: IP_KINDS[item.kind].label } }, at);
          await done(`/firms/${firm.uscc}/inputs#ip`);
        });
      } catch (err) {
        // Two saves of the same number at once: the second meets the unique index.
        if (isUniqueViolation(err) && !(err instanceof ConflictError)) throw new ValidationError({ number: ipMessages.elsewhere });
        throw err;
      }
    },

    async remove(db: Knex, firm: Firm, id: number, version: number, ctx: WriteContext): Promise<void> {
      await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
        if (!(await deleteIpItem(trx, firm.id, id, version))) throw new ConflictError('IP_STALE', ipMessages.gone);
        await appendAudit(trx, ctx, { action: 'ip.delete', objectType: 'firm', objectId: firm.uscc, before: { id }, after: null }, at);
      });
    },
  };
}

export type IpRegisterService = ReturnType<typeof createIpRegisterService>;
