/**
 * Technical demands: collect one for a firm (on its own or in an interaction), move it through its
 * lifecycle (decideDemandMove), add partners and record when a partner's matching ended. Each write
 * checks jurisdiction (404) and the coaching write rule (403), an optimistic version (409 with the
 * fresh record), records a demand change and an audit row in one transaction, and takes the form's
 * key (a double submit saves once).
 */
import type { Knex } from 'knex';
import type { WriteContext } from '../../domain/actor.js';
import { coachingRefusal, mayWriteCoaching } from '../../domain/coaching/access.js';
import { type DemandMoveInput, checkPartnerEnd, decideDemandMove, demandStatusLabel } from '../../domain/demands.js';
import { can, coversFirm } from '../../domain/permissions.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso, todayInShanghai } from '../../lib/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { claimFormKey } from '../../web/form-keys.js';
import { appendAudit } from '../audit/audit.queries.js';
import type { Firm } from '../firms/firms.queries.js';
import type { PartnerValues } from './demand-form.js';
import {
  type Demand,
  type DemandFields,
  type DemandPartner,
  countPartners,
  findDemand,
  findPartner,
  insertDemand,
  insertDemandChange,
  insertPartner,
  updateDemand,
  updatePartnerEnd,
} from './demands.queries.js';

export const demandMessages = {
  notFound: '找不到这条技术需求（不存在，或不在你负责的范围）。',
  forbidden: '你的角色不能修改技术需求。',
  stale: '这条需求刚被他人修改过，下面是它现在的状态。你填写的内容保留在表单中，请确认后再提交。',
  partnerNotFound: '找不到这个对接方（它不属于这条需求）。',
} as const;

export class StaleDemandError extends ConflictError {
  constructor(readonly current: Demand) {
    super('DEMAND_STALE', demandMessages.stale);
  }
}

export const demandUrl = (id: number) => `/coaching/demands/${id}`;

function requireWriter(ctx: WriteContext, firm: { parkId: number | null; townId?: number | null; counsellorId: number | null }): void {
  if (!coversFirm(ctx.actor, firm)) throw new NotFoundError('DEMAND_NOT_FOUND', demandMessages.notFound);
  if (!can(ctx.actor, 'coaching.write')) throw new ForbiddenError('FORBIDDEN', demandMessages.forbidden);
  if (!mayWriteCoaching(ctx.actor, firm)) throw new ForbiddenError('NOT_YOUR_FIRM', coachingRefusal(ctx.actor, firm));
}

const firmOfDemand = (d: Demand) => ({ parkId: d.firmParkId, townId: d.firmTownId, counsellorId: d.firmCounsellorId });

/** The demand when the actor's jurisdiction covers its firm; otherwise the same 404 as a missing one. */
export async function findDemandInScope(db: Knex, id: number, actor: WriteContext['actor']): Promise<Demand> {
  const d = await findDemand(db, id);
  if (!d || !coversFirm(actor, firmOfDemand(d))) throw new NotFoundError('DEMAND_NOT_FOUND', demandMessages.notFound);
  return d;
}

export function createDemandService() {
  return {
    /** Collect a demand for a firm (on its own, or in an interaction). Returns the new id. */
    async create(db: Knex, firm: Firm, values: DemandFields, interactionId: number | null, ctx: WriteContext): Promise<number> {
      requireWriter(ctx, firm);
      const at = nowIso();
      const id = await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const newId = await insertDemand(trx, { ...values, firmId: firm.id, interactionId, status: 'collected', createdBy: ctx.actor.id, at });
        await insertDemandChange(trx, { demandId: newId, kind: 'create', toStatus: 'collected', actorId: ctx.actor.id, at, details: { interactionId } });
        await appendAudit(trx, ctx, { action: 'demand.create', objectType: 'firm', objectId: firm.uscc, after: { demandId: newId, title: values.title, status: 'collected', collectedOn: values.collectedOn, ...(interactionId ? { interactionId } : {}) } }, at);
        await recordResult(demandUrl(newId));
        return newId;
      });
      bumpDataGeneration();
      return id;
    },

    /**
     * Move a demand to another status. A partner given with the move (entering 对接中) is added in
     * the same transaction and counts for the rule that 对接中 needs one.
     */
    async move(db: Knex, demandId: number, version: number, input: DemandMoveInput, partner: PartnerValues | null, ctx: WriteContext): Promise<Demand> {
      const demand = await findDemandInScope(db, demandId, ctx.actor);
      requireWriter(ctx, firmOfDemand(demand));
      const at = nowIso();
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const current = await findDemand(trx, demandId);
        if (!current || current.version !== version) throw new StaleDemandError(current ?? demand);
        const partnerCount = (await countPartners(trx, demandId)) + (partner ? 1 : 0);
        const decision = decideDemandMove(input, { from: current.status, partnerCount });
        if (!decision.ok) throw new ValidationError({ [decision.field]: decision.message }, decision.message, decision.code);
        if (partner) {
          const partnerId = await insertPartner(trx, { demandId, ...partner, createdBy: ctx.actor.id, at });
          await insertDemandChange(trx, { demandId, kind: 'partner', actorId: ctx.actor.id, at, details: { partnerId, ...partner } });
        }
        const changes: Record<string, unknown> = { status: input.to, status_reason: decision.reason };
        if (decision.kind === 'resolve') Object.assign(changes, { resolution: decision.resolution, contract_value: decision.contractValueYuan, resolved_on: todayInShanghai() });
        else if (current.status === 'resolved') Object.assign(changes, { resolved_on: null });
        if (!(await updateDemand(trx, demandId, version, changes, at))) throw new StaleDemandError((await findDemand(trx, demandId)) ?? current);
        await insertDemandChange(trx, {
          demandId,
          kind: 'move',
          fromStatus: current.status,
          toStatus: input.to,
          reason: decision.reason,
          actorId: ctx.actor.id,
          at,
          details: decision.kind === 'resolve' ? { resolution: decision.resolution, contractValue: decision.contractValueYuan } : { kind: decision.kind },
        });
        await appendAudit(trx, ctx, {
          action: 'demand.move',
          objectType: 'firm',
          objectId: current.firmUscc,
          before: { demandId, title: current.title, status: demandStatusLabel(current.status) },
          after: {
            demandId,
            status: demandStatusLabel(input.to),
            ...(decision.reason ? { reason: decision.reason } : {}),
            ...(decision.kind === 'resolve' ? { resolution: decision.resolution, contractValue: decision.contractValueYuan } : {}),
            ...(partner ? { partner: partner.name } : {}),
          },
        }, at);
        await recordResult(demandUrl(demandId));
      });
      bumpDataGeneration();
      return (await findDemand(db, demandId))!;
    },

    /** Add a partner (对接方) to a demand; the version guards against adding to a record changed meanwhile. */
    async addPartner(db: Knex, demandId: number, version: number, partner: PartnerValues, ctx: WriteContext): Promise<void> {
      const demand = await findDemandInScope(db, demandId, ctx.actor);
      requireWriter(ctx, firmOfDemand(demand));
      if (demand.status === 'resolved' || demand.status === 'closed') {
        throw new ValidationError({ partnerName: `需求已${demandStatusLabel(demand.status)}，不能再添加对接方；如需继续对接，请先退回“对接中”。` });
      }
      const at = nowIso();
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        if (!(await updateDemand(trx, demandId, version, {}, at))) throw new StaleDemandError((await findDemand(trx, demandId)) ?? demand);
        const partnerId = await insertPartner(trx, { demandId, ...partner, createdBy: ctx.actor.id, at });
        await insertDemandChange(trx, { demandId, kind: 'partner', actorId: ctx.actor.id, at, details: { partnerId, ...partner } });
        await appendAudit(trx, ctx, { action: 'demand.partner', objectType: 'firm', objectId: demand.firmUscc, after: { demandId, title: demand.title, partner: partner.name, kind: partner.kind, startedOn: partner.startedOn } }, at);
        await recordResult(demandUrl(demandId));
      });
      bumpDataGeneration();
    },

    /**
     * The day a partner's matching ended (demand_partners.ended_on), in any status — it is most often
     * recorded when the demand is resolved or closed. Not before the start, not after today; the
     * same date again writes nothing. Returns the partner as it now is and whether anything changed.
     */
    async endPartner(db: Knex, demandId: number, partnerId: number, version: number, endedOn: string, ctx: WriteContext): Promise<{ changed: boolean; partner: DemandPartner }> {
      const demand = await findDemandInScope(db, demandId, ctx.actor);
      requireWriter(ctx, firmOfDemand(demand));
      const partner = await findPartner(db, demandId, partnerId);
      if (!partner) throw new NotFoundError('PARTNER_NOT_FOUND', demandMessages.partnerNotFound);
      const check = checkPartnerEnd(endedOn, partner.startedOn, todayInShanghai());
      if (!check.ok) throw new ValidationError({ endedOn: check.message }, check.message);
      if (demand.version !== version) throw new StaleDemandError(demand);
      if (partner.endedOn === endedOn) return { changed: false, partner };
      const at = nowIso();
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        if (!(await updateDemand(trx, demandId, version, {}, at))) throw new StaleDemandError((await findDemand(trx, demandId)) ?? demand);
        await updatePartnerEnd(trx, partnerId, endedOn);
        await insertDemandChange(trx, { demandId, kind: 'partner_end', actorId: ctx.actor.id, at, details: { partnerId, name: partner.name, kind: partner.kind, startedOn: partner.startedOn, endedOn, before: partner.endedOn } });
        await appendAudit(trx, ctx, {
          action: 'demand.partner_end',
          objectType: 'firm',
          objectId: demand.firmUscc,
          before: { demandId, title: demand.title, partner: partner.name, endedOn: partner.endedOn },
          after: { demandId, title: demand.title, partner: partner.name, startedOn: partner.startedOn, endedOn },
        }, at);
        await recordResult(demandUrl(demandId));
      });
      bumpDataGeneration();
      return { changed: true, partner: { ...partner, endedOn } };
    },
  };
}

export type DemandService = ReturnType<typeof createDemandService>;
