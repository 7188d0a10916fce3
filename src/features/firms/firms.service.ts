/**
 * Use cases on firms: create, edit the profile, move between stages. Each checks permission and
 * jurisdiction, decides with the domain rules, and writes the change, its stage event and its
 * audit row in one transaction; a refusal changes nothing.
 */
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { Db } from '../../db/types.js';
import type { WriteContext } from '../../domain/actor.js';
import { normalizeFirmName } from '../../domain/firm-name.js';
import { can, coversFirm } from '../../domain/permissions.js';
import type { StageKey } from '../../domain/stages.js';
import { checkKindFor, holdsHteCertificate } from '../../domain/readiness.js';
import { decideMove, type GateCheck, type MoveDecision, type MoveInput } from '../../domain/transitions.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso, todayInShanghai } from '../../lib/dates.js';
import { ForbiddenError, ValidationError } from '../../lib/errors.js';
import { claimFormKey } from '../../web/form-keys.js';
import { appendAudit } from '../audit/audit.queries.js';
import { parkExists, townExists } from '../parks/parks.queries.js';
import { insertStageEvent, type StageEventSource } from '../stages/stage-events.queries.js';
import { isActiveCounsellor } from '../users/users.queries.js';
import { MoveRefusedError, StaleFirmError } from './firm-errors.js';
import { REGISTERED_OUT_OF_SCOPE, codeRegistration, findFirmInScope } from './firm-scope.js';
import {
  type Firm,
  type FirmProfile,
  findFirmByUscc,
  insertFirm,
  profileOf,
  refreshScaleClasses,
  updateFirmProfile,
  updateFirmStage,
} from './firms.queries.js';

const messages = {
  noPermissionMove: '你的角色不能移动企业阶段。',
  noPermissionEdit: '你的角色不能修改企业信息。',
  noPermissionLifecycle: '你的角色不能设定企业的生命周期。',
  noPermissionCreate: '你的角色不能新增企业。',
  duplicateUscc: '该信用代码已登记为另一家企业。',
  parkUnknown: '请选择列表中的园区或平台。',
  townUnknown: '请选择列表中的镇或街道。',
  counsellorUnknown: '请选择列表中的辅导员。',
  outOfScope: '你只能登记你负责园区或镇街的企业。',
  initialStage: '新登记的企业只能从“候选”或“孵化培育”开始。',
} as const;

/** Computes the eligibility verdict the gate into hte_applying relies on; persist() keeps it with the move. */
export type ApplyingGate = (
  db: Knex,
  firm: Firm,
) => Promise<{ check: GateCheck; persist: (trx: Knex.Transaction, actorId: number, at: string) => Promise<number> }>;

/** Recomputes the stored eligibility summaries of firms whose inputs changed (inside the write's transaction). */
export type EligibilityRefresh = (db: Db, firmIds: number[]) => Promise<void>;

/**
 * The certification register's side of a stage move (wired in app.ts, so this feature does not
 * import the register): a move into hte_certified is checked against the register (a number held
 * by another firm, a date before the firm was founded) and writes the HTE row in the move's own
 * transaction; a move out of the certified stages is checked and recorded too. So the board and
 * the register never disagree (issue 10 item 1).
 */
export interface CertificateHook {
  /** Field errors for the certificate of a move into hte_certified (empty: fine). */
  checkCertificate(db: Db, firm: Firm, certificateNo: string, certificateDate: string): Promise<Record<string, string>>;
  /** A refusal message for leaving the certified stages (null: allowed). */
  checkLeave(db: Db, firm: Firm, to: StageKey): Promise<string | null>;
  /** Inside the move's transaction, after the firm and its stage event are written. */
  recordMove(trx: Knex.Transaction, firm: Firm, decision: Extract<MoveDecision, { ok: true }>, source: StageEventSource, ctx: WriteContext, at: string): Promise<void>;
}

export interface FirmServiceDeps {
  applyingGate: ApplyingGate;
  refreshEligibility: EligibilityRefresh;
  certificates?: CertificateHook;
}

const CERTIFIED: readonly StageKey[] = ['hte_certified', 'benchmark'];

/** The code check runs before the write; a firm registered with the same code meanwhile gets the same message. */
async function refuseTakenCode<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err)) throw new ValidationError({ uscc: messages.duplicateUscc });
    throw err;
  }
}

/** A code already registered: said so, and for a firm outside the user's parks, only that. */
async function refuseRegisteredCode(db: Db, uscc: string, ctx: WriteContext): Promise<void> {
  const registration = await codeRegistration(db, uscc, ctx.actor);
  if (registration === 'mine') throw new ValidationError({ uscc: messages.duplicateUscc });
  if (registration === 'elsewhere') throw new ValidationError({ uscc: REGISTERED_OUT_OF_SCOPE });
}

async function checkReferences(db: Knex, profile: FirmProfile, ctx: WriteContext): Promise<void> {
  const errors: Record<string, string> = {};
  if (profile.parkId !== null && !(await parkExists(db, profile.parkId))) errors.parkId = messages.parkUnknown;
  if (profile.townId !== null && !(await townExists(db, profile.townId))) errors.townId = messages.townUnknown;
  if (!errors.parkId && !errors.townId && !coversFirm(ctx.actor, profile)) {
    // Name the field the user can fix: a caseworker limited by town chooses the town, else the park.
    errors[ctx.actor.parkIds?.length ? 'parkId' : 'townId'] = messages.outOfScope;
  }
  if (profile.counsellorId !== null && !(await isActiveCounsellor(db, profile.counsellorId))) errors.counsellorId = messages.counsellorUnknown;
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}

export function createFirmService(deps: FirmServiceDeps) {
  const service = {
    async create(db: Knex, profile: FirmProfile, initialStage: StageKey, ctx: WriteContext): Promise<Firm> {
      if (!can(ctx.actor, 'firms.create')) throw new ForbiddenError('FORBIDDEN', messages.noPermissionCreate);
      if (initialStage !== 'candidate' && initialStage !== 'incubating') throw new ValidationError({ stage: messages.initialStage });
      await checkReferences(db, profile, ctx);
      const at = nowIso();
      const id = await refuseTakenCode(db.transaction(async (trx) => {
        // The form's key first: a second submission of this form stops here, not at "code taken".
        const recordResult = await claimFormKey(trx, ctx);
        await refuseRegisteredCode(trx, profile.uscc, ctx);
        const firmId = await insertFirm(trx, profile, normalizeFirmName(profile.name), initialStage, at);
        await insertStageEvent(trx, {
          firmId,
          fromStage: null,
          toStage: initialStage,
          reasonCode: null,
          reason: '新增企业',
          details: null,
          source: 'create',
          actorId: ctx.actor.id,
          at,
        });
        await appendAudit(trx, ctx, { action: 'firm.create', objectType: 'firm', objectId: profile.uscc, after: { ...profile, stage: initialStage } }, at);
        await deps.refreshEligibility(trx, [firmId]);
        await refreshScaleClasses(trx, [firmId]);
        await recordResult(`/firms/${profile.uscc}`);
        return firmId;
      }));
      bumpDataGeneration();
      const firm = await findFirmByUscc(db, profile.uscc);
      if (!firm || firm.id !== id) throw new Error('created firm not found');
      return firm;
    },

    /**
     * Save a profile. Nothing changed: no write, no version, no audit row (`changed` is empty), so
     * the log and the version history record only real edits.
     */
    async updateProfile(db: Knex, uscc: string, version: number, profile: FirmProfile, ctx: WriteContext): Promise<{ firm: Firm; changed: (keyof FirmProfile)[] }> {
      const firm = await findFirmInScope(db, uscc, ctx.actor);
      if (!can(ctx.actor, 'firms.edit')) throw new ForbiddenError('FORBIDDEN', messages.noPermissionEdit);
      if (firm.version !== version) throw new StaleFirmError(firm);
      const before = profileOf(firm);
      const changed = (Object.keys(profile) as (keyof FirmProfile)[]).filter((k) => before[k] !== profile[k]);
      if (changed.length === 0) return { firm, changed };
      // The lifecycle category has a permission of its own (also the counsellors'; see coaching savePlan).
      if (changed.includes('lifecycle') && !can(ctx.actor, 'firms.lifecycle')) throw new ForbiddenError('FORBIDDEN', messages.noPermissionLifecycle);
      await checkReferences(db, profile, ctx);
      if (profile.uscc !== firm.uscc) await refuseRegisteredCode(db, profile.uscc, ctx);
      const at = nowIso();
      await refuseTakenCode(db.transaction(async (trx) => {
        if (!(await updateFirmProfile(trx, firm.id, version, profile, normalizeFirmName(profile.name), at))) {
          throw new StaleFirmError(firm);
        }
        const pick = (p: FirmProfile) => Object.fromEntries(changed.map((k) => [k, p[k]])) as Partial<FirmProfile>;
        await appendAudit(trx, ctx, { action: 'firm.update', objectType: 'firm', objectId: profile.uscc, before: pick(before), after: pick(profile) }, at);
        if (changed.includes('foundedOn') || changed.includes('field')) await deps.refreshEligibility(trx, [firm.id]);
        if (changed.includes('sector')) await refreshScaleClasses(trx, [firm.id]);
      }));
      bumpDataGeneration();
      return { firm: (await findFirmByUscc(db, profile.uscc))!, changed };
    },

    /** Validate and apply a stage move; throws MoveRefusedError, StaleFirmError, NotFound or Forbidden. */
    async move(
      db: Knex,
      uscc: string,
      version: number,
      input: MoveInput,
      source: StageEventSource,
      ctx: WriteContext,
    ): Promise<{ firm: Firm; from: StageKey }> {
      const firm = await findFirmInScope(db, uscc, ctx.actor);
      if (!can(ctx.actor, 'firms.move')) throw new ForbiddenError('FORBIDDEN', messages.noPermissionMove);
      if (firm.version !== version) throw new StaleFirmError(firm);
      const gate = input.to === 'hte_applying' ? await deps.applyingGate(db, firm) : null;
      const decision = await service.decide(db, firm, input, gate?.check ?? null, ctx);
      const at = nowIso();
      await db.transaction(async (trx) => {
        await service.write(trx, firm, version, decision, source, ctx, at, gate);
      });
      bumpDataGeneration();
      const moved = await findFirmByUscc(db, firm.uscc);
      return { firm: moved!, from: firm.stage };
    },

    /**
     * A move made by another use case inside its own transaction (the register recording a
     * certificate or a cancellation): the same decideMove and the same writes as move(). The caller
     * has read `firm` in this transaction; it bumps the data generation after committing.
     */
    async moveWithin(trx: Knex.Transaction, firm: Firm, input: MoveInput, source: StageEventSource, ctx: WriteContext, at: string): Promise<Extract<MoveDecision, { ok: true }>> {
      if (!can(ctx.actor, 'firms.move')) throw new ForbiddenError('FORBIDDEN', messages.noPermissionMove);
      const decision = await service.decide(trx, firm, input, null, ctx, { skipCertificateCheck: true });
      await service.write(trx, firm, firm.version, decision, source, ctx, at, null);
      return decision;
    },

    async decide(db: Db, firm: Firm, input: MoveInput, applyingCheck: GateCheck | null, ctx: WriteContext, opts: { skipCertificateCheck?: boolean } = {}): Promise<Extract<MoveDecision, { ok: true }>> {
      const hook = deps.certificates;
      // First: leaving the certified stages while the register holds a valid certificate.
      if (hook && CERTIFIED.includes(firm.stage) && !CERTIFIED.includes(input.to)) {
        const refusal = await hook.checkLeave(db, firm, input.to);
        if (refusal) throw new MoveRefusedError({ ok: false, code: 'NOT_ALLOWED', message: refusal, needs: [], fieldErrors: {} }, firm, input);
      }
      const decision = decideMove(input, {
        from: firm.stage,
        today: todayInShanghai(),
        applyingCheck,
        mayOverride: can(ctx.actor, 'firms.override_gate'),
      });
      if (!decision.ok) throw new MoveRefusedError(decision, firm, input);
      if (hook && decision.to === 'hte_certified' && decision.details && !opts.skipCertificateCheck) {
        const d = decision.details as { certificateNo: string; certificateDate: string };
        const fieldErrors = await hook.checkCertificate(db, firm, d.certificateNo, d.certificateDate);
        if (Object.keys(fieldErrors).length > 0) {
          throw new MoveRefusedError({ ok: false, code: 'INPUT_NEEDED', message: Object.values(fieldErrors)[0]!, needs: ['certificate'], fieldErrors }, firm, input);
        }
      }
      return decision;
    },

    async write(
      trx: Knex.Transaction,
      firm: Firm,
      version: number,
      decision: Extract<MoveDecision, { ok: true }>,
      source: StageEventSource,
      ctx: WriteContext,
      at: string,
      gate: Awaited<ReturnType<ApplyingGate>> | null,
    ): Promise<void> {
      if (!(await updateFirmStage(trx, firm.id, version, decision.to, at))) throw new StaleFirmError(firm);
      if (gate && decision.details) {
        const verdictId = await gate.persist(trx, ctx.actor.id, at);
        decision.details.eligibility = { ...(decision.details.eligibility as object), verdictId };
      }
      await insertStageEvent(trx, {
        firmId: firm.id,
        fromStage: decision.from,
        toStage: decision.to,
        reasonCode: decision.reasonCode,
        reason: decision.reason,
        details: decision.details,
        source,
        actorId: ctx.actor.id,
        at,
      });
      await appendAudit(
        trx,
        ctx,
        {
          action: 'firm.stage',
          objectType: 'firm',
          objectId: firm.uscc,
          before: { stage: decision.from, version },
          after: {
            stage: decision.to,
            version: version + 1,
            kind: decision.kind,
            reasonCode: decision.reasonCode,
            reason: decision.reason,
            ...(decision.details ? { details: decision.details } : {}),
            source,
          },
        },
        at,
      );
      if (deps.certificates) await deps.certificates.recordMove(trx, firm, decision, source, ctx, at);
      // Gaining or losing the certificate changes the firm's eligibility inputs.
      // Gaining or losing the certificate changes the firm's eligibility inputs; a stage working
      // toward the other certification (or none, at 退库) needs the summary under its rule set.
      if (holdsHteCertificate(decision.to) !== holdsHteCertificate(decision.from) || checkKindFor(decision.to) !== checkKindFor(decision.from)) {
        await deps.refreshEligibility(trx, [firm.id]);
      }
    },
  };
  return service;
}

export type FirmService = ReturnType<typeof createFirmService>;
