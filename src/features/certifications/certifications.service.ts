/**
 * Use cases of the certification register and the compliance calendar. Each checks permission and
 * scope, decides with the domain rules (src/domain/certifications.ts, compliance.ts), and writes the
 * row, its history, the stage move it implies and its audit row in one transaction.
 *
 * Board ↔ register: a move into hte_certified writes the HTE row (certificateHook.recordMove, wired
 * into the firm service); a certificate recorded here moves the firm through the firm service's
 * moveWithin — the same decideMove — so the two can never disagree (issue 10 item 1).
 */
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { Db } from '../../db/types.js';
import type { Actor, WriteContext } from '../../domain/actor.js';
import {
  type CertKind,
  CERT_KIND_LABELS,
  checkBenchmark,
  checkHte,
  checkProvincial,
  checkTsme,
  cancelReasonsOf,
  hteValidUntil,
} from '../../domain/certifications.js';
import { firmCompliance, mayApplyHte } from '../../domain/compliance.js';
import { changeReportDueOn } from '../../domain/eligibility/calendar.js';
import { compareDates, tryParseDate } from '../../domain/eligibility/dates.js';
import { can, coversFirm } from '../../domain/permissions.js';
import { type StageKey, stageLabel } from '../../domain/stages.js';
import type { MoveDecision } from '../../domain/transitions.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso, todayInShanghai } from '../../lib/dates.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { claimFormKey } from '../../web/form-keys.js';
import { appendAudit, appendAuditAs } from '../audit/audit.queries.js';
import { insertFollowUps } from '../coaching/follow-ups.queries.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import { type Firm, findFirmByUscc } from '../firms/firms.queries.js';
import { MoveRefusedError } from '../firms/firm-errors.js';
import type { CertificateHook, FirmService } from '../firms/firms.service.js';
import { type StageEventSource, latestStageEvents, stageEventsAt } from '../stages/stage-events.queries.js';
import {
  type Certification,
  type CertificationValues,
  type TickKind,
  certificationsOfFirm,
  changesOf,
  expiryYearWithoutFollowUp,
  linkFollowUp,
  findByNumber,
  findCertification,
  findFirmYear,
  insertCertification,
  insertChange,
  insertTick,
  markChangeReported,
  openHteApplication,
  removeTick,
  saveYearSettings,
  updateCertification,
  writesOfBatch,
  yearSettings,
} from './certifications.queries.js';

const CERTIFIED: readonly StageKey[] = ['hte_certified', 'benchmark'];

export const messages = {
  noPermission: '你的角色不能修改资质登记。',
  noSettings: '只有管理员可以修改资质年度设置。',
  notFound: '找不到这条资质记录（不存在，或不在你负责的园区或镇街）。',
  stale: '这条记录刚被他人修改过，已为你显示最新内容，请确认后再保存。',
  numberTaken: (name: string | null) => (name ? `该编号已由“${name}”持有。` : '该编号已由另一家企业持有。'),
  numberTakenSelf: '该编号已登记在本企业的另一条记录上。',
  revertBlocked: (what: string[]) =>
    `这个批次导入后，以下记录又被修改过，撤销会覆盖这些后来的修改，因此没有撤销：${what.slice(0, 10).join('；')}${what.length > 10 ? `；等共 ${what.length} 处` : ''}。请在“资质”页逐条核对、作废或更正。`,
  revertMoveRefused: (name: string, why: string) => `${name}无法退回导入前的阶段（${why}），因此没有撤销。`,
  yearTaken: (kind: string, year: number) => `该企业 ${year} 年度已有一条${kind}记录，请修改那一条。`,
  exited: '该企业已退库。请先在看板上让它重新入库，再登记有效的高新技术企业证书。',
  cancelReason: '请选择取消/撤销的原因。',
  cancelOther: '请写明原因。',
  cancelDate: '请填写取消日期（不晚于今天）。',
  notCancellable: '只有已发证（或已入库）的记录可以取消。',
  alreadyVoid: '这条记录已作废。',
  voidReason: '请写明作废原因（如录入错误）。',
  leaveCertified: (no: string, until: string) =>
    `该企业持有有效的高新技术企业证书 ${no}（有效期至 ${until}）。如资格已被取消，请在“资质”页登记取消，或选择退库原因“资格被取消”；如证书录入有误，请先在“资质”页作废该记录。`,
  tickDate: '报送日期应为不晚于今天的日期。',
  tickNotOwed: '该年度不在这张证书的报送期限内。',
  tickTaken: '该年度已标记为已报送。',
  changeKind: '请选择更名或重大变化。',
  changeDate: '请填写变化发生日期（不晚于今天，不早于企业成立）。',
  settingsDate: (y: number) => `日期应在 ${y} 年内（YYYY-MM-DD）。`,
  settingsAgency: '请选择发文机构。',
  certificateConflict: (year: number, no: string) => `该企业 ${year} 年度已登记证书 ${no}，与本次输入的证书不同。请先在“资质”页核对。`,
} as const;

export interface CertificationForm {
  year: number | null;
  mode: string | null;
  number: string | null;
  level: string | null;
  appliedOn: string | null;
  publicizedOn: string | null;
  filedOn: string | null;
  issuedOn: string | null;
  validUntil: string | null;
  note: string | null;
}

export interface CancelForm {
  reasonCode: string | null;
  reason: string | null;
  statusOn: string | null;
  /** HTE only: 'failed' marks an application that did not pass (not a cancellation). */
  outcome?: 'cancel' | 'failed';
}

export class StaleCertificationError extends ConflictError {
  constructor(readonly current: Certification) {
    super('CERTIFICATION_STALE', messages.stale);
  }
}

/** Register writes that break a unique index (a race past the checks) answer like the checks do. */
async function refuseDuplicates<T>(write: Promise<T>, field = 'number'): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err)) throw new ValidationError({ [field]: messages.numberTaken(null) });
    throw err;
  }
}

function requireEdit(actor: Actor): void {
  if (!can(actor, 'certifications.edit')) throw new ForbiddenError('FORBIDDEN', messages.noPermission);
}

/** A row of a firm the actor covers, or the same 404 either way. */
async function rowInScope(db: Db, id: number, actor: Actor) {
  const row = await findCertification(db, id);
  if (!row || !coversFirm(actor, row)) throw new NotFoundError('CERTIFICATION_NOT_FOUND', messages.notFound);
  return row;
}

/** Whether a live HTE row is valid today (issued, not cancelled, last valid day not passed). */
function validToday(c: Certification, today: string): boolean {
  return c.kind === 'hte' && c.status === 'active' && !!c.issuedOn && !!c.validUntil && compareDates(c.issuedOn, today) <= 0 && compareDates(today, c.validUntil) <= 0;
}

async function numberHolderError(db: Db, kind: CertKind, number: string, selfId: number | null, firm: Firm, actor: Actor): Promise<string | null> {
  const holder = await findByNumber(db, kind, number);
  if (!holder || holder.id === selfId) return null;
  if (holder.firmId === firm.id) return messages.numberTakenSelf;
  const other = await findCertification(db, holder.id);
  return messages.numberTaken(other && coversFirm(actor, other) ? other.firmName : null);
}

export function createCertificationService(deps: { firms: FirmService }) {
  /** Field errors of a row as typed, against the rules and the register. */
  async function check(db: Db, firm: Firm, kind: CertKind, form: CertificationForm, selfId: number | null, actor: Actor, today: string): Promise<Record<string, string>> {
    const facts = { foundedOn: firm.foundedOn };
    const errors =
      kind === 'hte'
        ? checkHte(form, facts, today)
        : kind === 'tsme'
          ? checkTsme(form, facts, today)
          : kind === 'tsme_prov'
            ? checkProvincial(form, facts, today)
            : checkBenchmark(form, facts, today);
    if (!errors.number && form.number) {
      const taken = await numberHolderError(db, kind, form.number, selfId, firm, actor);
      if (taken) errors.number = taken;
    }
    if (kind === 'hte' && !errors.year && selfId === null) {
      // 指引 五（六）3: no new application in the year of a cancellation.
      const applyYear = form.appliedOn ? Number(form.appliedOn.slice(0, 4)) : form.year!;
      const ban = mayApplyHte(await certificationsOfFirm(db, firm.id), applyYear);
      if (!ban.ok) errors.year = ban.message!;
    }
    if (!errors.year && form.year !== null) {
      const same = await findFirmYear(db, firm.id, kind, form.year);
      if (same && same.id !== selfId) errors.year = messages.yearTaken(CERT_KIND_LABELS[kind], form.year);
    }
    return errors;
  }

  function valuesOf(firm: Firm, kind: CertKind, form: CertificationForm, prior: Certification | null): CertificationValues {
    const hte = kind === 'hte';
    const certified = hte && form.number !== null && form.issuedOn !== null;
    const computed = certified ? hteValidUntil(form.issuedOn!) : null;
    const override = certified && form.validUntil !== null && form.validUntil !== computed;
    let status = prior?.status ?? (hte ? 'pending' : 'active');
    if (hte && status !== 'revoked' && status !== 'failed') status = certified ? 'active' : 'pending';
    return {
      firmId: firm.id,
      kind,
      year: form.year!,
      number: form.number,
      level: kind === 'leading' || kind === 'little_giant' ? form.level : null,
      mode: hte ? (form.mode as 'first' | 'renewal') : null,
      appliedOn: hte ? form.appliedOn : null,
      publicizedOn: hte ? form.publicizedOn : null,
      filedOn: hte ? form.filedOn : null,
      issuedOn: form.issuedOn,
      validUntil: certified ? (override ? form.validUntil : computed) : null,
      validUntilOverride: override,
      status,
      statusReasonCode: prior?.statusReasonCode ?? null,
      statusReason: prior?.statusReason ?? null,
      statusOn: prior?.statusOn ?? null,
      note: form.note,
    };
  }

  /**
   * After an HTE row gained a valid certificate: a firm below the certified stages moves to
   * hte_certified through the firm service (decideMove), in this transaction.
   */
  async function followCertificate(trx: Knex.Transaction, firmId: number, values: CertificationValues, ctx: WriteContext, at: string, today: string): Promise<StageKey | null> {
    if (values.kind !== 'hte' || values.status !== 'active' || !values.number || !values.issuedOn || !values.validUntil) return null;
    if (compareDates(today, values.validUntil) > 0) return null; // an old, expired certificate is history only
    const firm = (await findFirmByUscc(trx, (await trx('firms').where({ id: firmId }).first('uscc')).uscc as string))!;
    if (CERTIFIED.includes(firm.stage)) return null;
    if (firm.stage === 'exited') throw new ValidationError({ issuedOn: messages.exited }, messages.exited);
    try {
      const d = await deps.firms.moveWithin(trx, firm, { to: 'hte_certified', certificateNo: values.number, certificateDate: values.issuedOn, reason: `资质登记：高新技术企业证书 ${values.number}（${values.issuedOn} 发证）` }, 'register', ctx, at);
      return d.to;
    } catch (err) {
      if (err instanceof MoveRefusedError) throw new ValidationError(err.decision.fieldErrors.certificateDate ? { issuedOn: err.decision.fieldErrors.certificateDate } : { issuedOn: err.decision.message }, err.decision.message);
      throw err;
    }
  }

  /** After a firm lost its last valid certificate (cancelled, voided): back to 高企培育库 with the reason. */
  async function followLoss(trx: Knex.Transaction, firmId: number, reason: string, ctx: WriteContext, at: string, today: string): Promise<StageKey | null> {
    const firm = (await findFirmByUscc(trx, (await trx('firms').where({ id: firmId }).first('uscc')).uscc as string))!;
    if (!CERTIFIED.includes(firm.stage)) return null;
    const rows = await certificationsOfFirm(trx, firmId);
    if (rows.some((r) => validToday(r, today))) return null;
    const d = await deps.firms.moveWithin(trx, firm, { to: 'hte_reserve', reason }, 'register', ctx, at);
    return d.to;
  }

  /** The writes of a batch and the moves it caused, with what has changed since (writesOfBatch, stage events). */
  async function planBatchRevert(db: Db, batch: { id: number; committedAt: string | null }) {
    const writes = await writesOfBatch(db, batch.id);
    const blockers = writes.filter((w) => w.changedSince).map((w) => `${w.firmName}（${CERT_KIND_LABELS[w.kind]} ${w.year} 年的记录导入后又被修改）`);
    const firmIds = [...new Set(writes.map((w) => w.firmId))];
    const moves: { firmId: number; uscc: string; firmName: string; fromStage: StageKey }[] = [];
    if (batch.committedAt && firmIds.length) {
      const latest = await latestStageEvents(db, firmIds);
      for (const e of await stageEventsAt(db, firmIds, batch.committedAt, 'register')) {
        const w = writes.find((x) => x.firmId === e.firmId)!;
        if (latest.get(e.firmId)?.id !== e.id) blockers.push(`${w.firmName}（导入后阶段又有变动）`);
        else if (e.fromStage) moves.push({ firmId: e.firmId, uscc: w.uscc, firmName: w.firmName, fromStage: e.fromStage });
      }
    }
    return { writes, moves, blockers };
  }

  const service = {
    /**
     * One row of an official result list (issue 10 item 2), inside the list commit's transaction:
     * writes or completes the register row (marked with the batch, so its revert can void it) and,
     * for a certificate, moves the firm through followCertificate (moveWithin → decideMove).
     */
    async applyOfficialRow(
      trx: Knex.Transaction,
      firmId: number,
      row: { kind: 'hte_publicity' | 'hte_filing' | 'tsme_registration'; year: number; date: string; number: string | null },
      batchId: number,
      ctx: WriteContext,
      at: string,
    ): Promise<{ id: number; movedTo: StageKey | null }> {
      const today = todayInShanghai();
      const held = await certificationsOfFirm(trx, firmId);
      const kind: CertKind = row.kind === 'tsme_registration' ? 'tsme' : 'hte';
      const prior = held.find((h) => h.kind === kind && h.year === row.year && !h.isVoid && h.status !== 'failed') ?? null;
      const renewal = held.some((h) => h.kind === 'hte' && h.year < row.year && h.issuedOn !== null && !h.isVoid);
      const base: CertificationValues = prior
        ? { ...prior }
        : {
            firmId, kind, year: row.year, number: null, level: null, mode: kind === 'hte' ? (renewal ? 'renewal' : 'first') : null,
            appliedOn: null, publicizedOn: null, filedOn: null, issuedOn: null, validUntil: null, validUntilOverride: false,
            status: kind === 'hte' ? 'pending' : 'active', statusReasonCode: null, statusReason: null, statusOn: null, note: null,
          };
      const values: CertificationValues = { ...base };
      if (row.kind === 'hte_publicity') values.publicizedOn = row.date;
      else if (row.kind === 'hte_filing') {
        values.number = row.number;
        values.filedOn = values.filedOn ?? row.date;
        values.issuedOn = row.date;
        values.validUntil = hteValidUntil(row.date);
        values.validUntilOverride = false;
        values.status = 'active';
      } else {
        values.number = row.number;
        values.issuedOn = row.date;
      }
      let id: number;
      if (prior) {
        if (!(await updateCertification(trx, prior.id, prior.version, values, { change: row.kind === 'hte_filing' ? 'certify' : 'update', at, by: ctx.actor.id, importBatchId: batchId }))) throw new StaleCertificationError(prior);
        id = prior.id;
      } else {
        id = await insertCertification(trx, values, { source: 'import', importBatchId: batchId, at, by: ctx.actor.id });
      }
      const uscc = ((await trx('firms').where({ id: firmId }).first('uscc')) as { uscc: string }).uscc;
      await appendAudit(trx, ctx, { action: prior ? 'certification.update' : 'certification.create', objectType: 'firm', objectId: uscc, ...(prior ? { before: { id, ...auditView(prior) } } : {}), after: { id, batchId, ...auditView(values) } }, at);
      const movedTo = await followCertificate(trx, firmId, values, ctx, at, today);
      return { id, movedTo };
    },

    /**
     * What reverting an official result list would undo (issue 10 item 2), for its confirmation:
     * the register rows it created (voided) or completed (put back as they were before it), and the
     * firms it moved into 高新技术企业 (moved back). `blocked` names what was changed since.
     */
    async revertPlanOfBatch(db: Knex, batch: { id: number; committedAt: string | null }): Promise<{ lines: string[]; blocked: string | null }> {
      const plan = await planBatchRevert(db, batch);
      const voids = plan.writes.filter((w) => w.created).length;
      const lines = [
        ...(voids ? [`作废导入时新建的 ${voids} 条资质记录`] : []),
        ...(plan.writes.length - voids ? [`把导入时补充的 ${plan.writes.length - voids} 条资质记录恢复为导入前的内容`] : []),
        ...(plan.moves.length ? [`${plan.moves.length} 家企业退回导入前的阶段（${[...new Set(plan.moves.map((m) => stageLabel(m.fromStage)))].join('、')}）`] : []),
      ];
      return { lines, blocked: plan.blockers.length ? messages.revertBlocked(plan.blockers) : null };
    },

    /**
     * Undo an official list inside the revert's transaction: each row it wrote goes back to what it
     * was (a row it created is voided), and each firm it moved goes back through moveWithin, so the
     * transition rules and the register agree as on any move. Refused, changing nothing, when a row
     * or a moved firm has been changed since the import: that later work must not be overwritten.
     */
    async revertBatch(trx: Knex.Transaction, batch: { id: number; committedAt: string | null }, ctx: WriteContext, at: string): Promise<void> {
      const plan = await planBatchRevert(trx, batch);
      if (plan.blockers.length) throw new ConflictError('REVERT_BLOCKED', messages.revertBlocked(plan.blockers));
      const undone = `导入批次 #${batch.id} 已撤销`;
      for (const w of plan.writes) {
        const values: CertificationValues = w.before ?? { ...w.current, isVoid: true, note: [w.current.note, undone].filter(Boolean).join('；') };
        if (!(await updateCertification(trx, w.certificationId, w.current.version, values, { change: 'revert', at, by: ctx.actor.id }))) throw new StaleCertificationError(w.current);
        await appendAudit(trx, ctx, { action: 'certification.revert', objectType: 'firm', objectId: w.uscc, before: { id: w.certificationId, ...auditView(w.current) }, after: { id: w.certificationId, batchId: batch.id, ...(w.before ? auditView(w.before) : { void: true }) } }, at);
      }
      for (const m of plan.moves) {
        const firm = (await findFirmByUscc(trx, m.uscc))!;
        try {
          // Back where the import found it: not a new entry into 高企申报中, so its gate does not apply again.
          await deps.firms.moveWithin(trx, firm, { to: m.fromStage, reason: `${undone}（其高新技术企业证书记录随之撤销）`, override: true }, 'register', ctx, at);
        } catch (err) {
          if (err instanceof MoveRefusedError) throw new ConflictError('REVERT_BLOCKED', messages.revertMoveRefused(m.firmName, err.decision.message));
          throw err;
        }
      }
    },

    /** Record a new row for a firm. Returns its id and the stage the firm moved to, if it moved. */
    async create(db: Knex, uscc: string, kind: CertKind, form: CertificationForm, ctx: WriteContext): Promise<{ id: number; movedTo: StageKey | null }> {
      requireEdit(ctx.actor);
      const firm = await findFirmInScope(db, uscc, ctx.actor);
      const today = todayInShanghai();
      const errors = await check(db, firm, kind, form, null, ctx.actor, today);
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const at = nowIso();
      const result = await refuseDuplicates(
        db.transaction(async (trx) => {
          const recordResult = await claimFormKey(trx, ctx);
          const values = valuesOf(firm, kind, form, null);
          const id = await insertCertification(trx, values, { source: 'register', at, by: ctx.actor.id });
          await appendAudit(trx, ctx, { action: 'certification.create', objectType: 'firm', objectId: firm.uscc, after: { id, ...auditView(values) } }, at);
          const movedTo = await followCertificate(trx, firm.id, values, ctx, at, today);
          await recordResult(`/firms/${firm.uscc}#certifications`);
          return { id, movedTo };
        }),
      );
      bumpDataGeneration();
      return result;
    },

    /** Correct or complete a row (HTE: the next step, the certificate). Optimistic on `version`. */
    async update(db: Knex, id: number, version: number, form: CertificationForm, ctx: WriteContext): Promise<{ id: number; movedTo: StageKey | null; changed: boolean }> {
      requireEdit(ctx.actor);
      const row = await rowInScope(db, id, ctx.actor);
      if (row.isVoid) throw new ValidationError({}, messages.alreadyVoid);
      if (row.version !== version) throw new StaleCertificationError(row);
      const firm = (await findFirmByUscc(db, row.uscc))!;
      const today = todayInShanghai();
      const errors = await check(db, firm, row.kind, form, row.id, ctx.actor, today);
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const values = valuesOf(firm, row.kind, form, row);
      const before = auditView(row);
      const after = auditView(values);
      const changedKeys = (Object.keys(after) as (keyof typeof after)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
      if (changedKeys.length === 0) return { id, movedTo: null, changed: false };
      const at = nowIso();
      const movedTo = await refuseDuplicates(
        db.transaction(async (trx) => {
          // A certificate entered on a pending row completes it; anything else on a recorded row is a correction.
          const change = row.status === 'pending' && values.status === 'active' ? 'certify' : row.issuedOn || row.status !== 'pending' ? 'correct' : 'update';
          if (!(await updateCertification(trx, id, version, values, { change, at, by: ctx.actor.id }))) throw new StaleCertificationError(row);
          const pick = (o: typeof before) => Object.fromEntries(changedKeys.map((k) => [k, o[k]])) as Partial<typeof before>;
          await appendAudit(trx, ctx, { action: 'certification.update', objectType: 'firm', objectId: row.uscc, before: { id, ...pick(before) }, after: { id, ...pick(after) } }, at);
          return (await followCertificate(trx, row.firmId, values, ctx, at, today)) ?? (row.kind === 'hte' ? await followLoss(trx, row.firmId, '资质登记：证书记录更正，已无有效高新技术企业证书', ctx, at, today) : null);
        }),
      );
      bumpDataGeneration();
      return { id, movedTo, changed: true };
    },

    /** Cancel (HTE, 第十九条) or revoke (tech-SME, 第十四条), or mark an HTE application as not passed. */
    async cancel(db: Knex, id: number, version: number, form: CancelForm, ctx: WriteContext): Promise<{ movedTo: StageKey | null }> {
      requireEdit(ctx.actor);
      const row = await rowInScope(db, id, ctx.actor);
      if (row.isVoid) throw new ValidationError({}, messages.alreadyVoid);
      if (row.version !== version) throw new StaleCertificationError(row);
      const today = todayInShanghai();
      const failed = form.outcome === 'failed' && row.kind === 'hte';
      const errors: Record<string, string> = {};
      if (failed) {
        if (row.status !== 'pending') errors.outcome = messages.notCancellable;
      } else {
        if (row.status !== 'active') errors.reasonCode = messages.notCancellable;
        const reasons = cancelReasonsOf(row.kind);
        if (!form.reasonCode || !reasons.some((r) => r.key === form.reasonCode)) errors.reasonCode = messages.cancelReason;
        if (form.reasonCode === 'other' && !form.reason) errors.reason = messages.cancelOther;
      }
      if (!form.statusOn || !tryParseDate(form.statusOn) || compareDates(form.statusOn, today) > 0 || (row.issuedOn && compareDates(form.statusOn, row.issuedOn) < 0)) errors.statusOn = messages.cancelDate;
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const values: CertificationValues = {
        ...row,
        status: failed ? 'failed' : 'revoked',
        statusReasonCode: failed ? null : form.reasonCode,
        statusReason: form.reason,
        statusOn: form.statusOn,
      };
      const at = nowIso();
      const movedTo = await db.transaction(async (trx) => {
        if (!(await updateCertification(trx, id, version, values, { change: 'cancel', at, by: ctx.actor.id }))) throw new StaleCertificationError(row);
        await appendAudit(trx, ctx, { action: 'certification.cancel', objectType: 'firm', objectId: row.uscc, before: { id, status: row.status }, after: { id, kind: row.kind, status: values.status, reasonCode: values.statusReasonCode, reason: values.statusReason, statusOn: values.statusOn } }, at);
        if (row.kind !== 'hte' || failed) return null;
        const reason = `高新技术企业资格被取消（${form.statusOn}）：${cancelReasonsOf('hte').find((r) => r.key === form.reasonCode)?.label ?? ''}${form.reason ? `，${form.reason}` : ''}`;
        return followLoss(trx, row.firmId, reason, ctx, at, today);
      });
      bumpDataGeneration();
      return { movedTo };
    },

    /** Void a row recorded in error (kept, marked void, in the history). */
    async void(db: Knex, id: number, version: number, reason: string | null, ctx: WriteContext): Promise<{ movedTo: StageKey | null }> {
      requireEdit(ctx.actor);
      const row = await rowInScope(db, id, ctx.actor);
      if (row.isVoid) throw new ValidationError({}, messages.alreadyVoid);
      if (row.version !== version) throw new StaleCertificationError(row);
      if (!reason) throw new ValidationError({ voidReason: messages.voidReason });
      const at = nowIso();
      const today = todayInShanghai();
      const movedTo = await db.transaction(async (trx) => {
        if (!(await updateCertification(trx, id, version, { ...row, isVoid: true, note: [row.note, `作废：${reason}`].filter(Boolean).join('；') }, { change: 'void', at, by: ctx.actor.id }))) throw new StaleCertificationError(row);
        await appendAudit(trx, ctx, { action: 'certification.void', objectType: 'firm', objectId: row.uscc, before: { id, ...auditView(row) }, after: { id, void: true, reason } }, at);
        return row.kind === 'hte' ? followLoss(trx, row.firmId, `资质登记：证书记录作废（${reason}）`, ctx, at, today) : null;
      });
      bumpDataGeneration();
      return { movedTo };
    },

    /** Tick a report as filed (HTE annual report for a data year; tech-SME 信息表 for its evaluation year). */
    async tick(db: Knex, certificationId: number, kind: TickKind, dataYear: number, reportedOn: string | null, ctx: WriteContext): Promise<void> {
      requireEdit(ctx.actor);
      const row = await rowInScope(db, certificationId, ctx.actor);
      const today = todayInShanghai();
      if (reportedOn !== null && (!tryParseDate(reportedOn) || compareDates(reportedOn, today) > 0)) throw new ValidationError({ reportedOn: messages.tickDate });
      const settings = await yearSettings(db);
      const owed = firmCompliance([row], [], [], settings, '9999-12-31').items.some((i) => i.kind === kind && i.certificationId === row.id && i.dataYear === dataYear);
      if (!owed) throw new ValidationError({ dataYear: messages.tickNotOwed });
      const at = nowIso();
      try {
        await db.transaction(async (trx) => {
          await insertTick(trx, { certificationId, kind, dataYear, reportedOn, note: null }, at, ctx.actor.id);
          await appendAudit(trx, ctx, { action: 'compliance.tick', objectType: 'firm', objectId: row.uscc, after: { certificationId, kind, dataYear, reportedOn } }, at);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ValidationError({ dataYear: messages.tickTaken });
        throw err;
      }
      bumpDataGeneration();
    },

    async untick(db: Knex, certificationId: number, kind: TickKind, dataYear: number, ctx: WriteContext): Promise<void> {
      requireEdit(ctx.actor);
      const row = await rowInScope(db, certificationId, ctx.actor);
      const at = nowIso();
      await db.transaction(async (trx) => {
        if ((await removeTick(trx, certificationId, kind, dataYear, at, ctx.actor.id)) === 0) return;
        await appendAudit(trx, ctx, { action: 'compliance.untick', objectType: 'firm', objectId: row.uscc, before: { certificationId, kind, dataYear } }, at);
      });
      bumpDataGeneration();
    },

    /** A name change or major change (第十七条): due to be reported within three months. */
    async addChange(db: Knex, uscc: string, input: { kind: string; eventOn: string | null; description: string | null }, ctx: WriteContext): Promise<number> {
      requireEdit(ctx.actor);
      const firm = await findFirmInScope(db, uscc, ctx.actor);
      const today = todayInShanghai();
      const errors: Record<string, string> = {};
      if (input.kind !== 'rename' && input.kind !== 'major') errors.kind = messages.changeKind;
      if (!input.eventOn || !tryParseDate(input.eventOn) || compareDates(input.eventOn, today) > 0 || (firm.foundedOn && compareDates(input.eventOn, firm.foundedOn) < 0)) errors.eventOn = messages.changeDate;
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const at = nowIso();
      const id = await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const dueOn = changeReportDueOn(input.eventOn!);
        const newId = await insertChange(trx, { firmId: firm.id, kind: input.kind as 'rename' | 'major', eventOn: input.eventOn!, dueOn, description: input.description, reportedOn: null }, at, ctx.actor.id);
        await appendAudit(trx, ctx, { action: 'certification.change', objectType: 'firm', objectId: firm.uscc, after: { kind: input.kind, eventOn: input.eventOn, dueOn, description: input.description } }, at);
        await recordResult(`/firms/${firm.uscc}#compliance`);
        return newId;
      });
      bumpDataGeneration();
      return id;
    },

    async changeReported(db: Knex, uscc: string, changeId: number, reportedOn: string | null, ctx: WriteContext): Promise<void> {
      requireEdit(ctx.actor);
      const firm = await findFirmInScope(db, uscc, ctx.actor);
      const change = (await changesOf(db, [firm.id])).find((c) => c.id === changeId);
      if (!change) throw new NotFoundError('CHANGE_NOT_FOUND', messages.notFound);
      const today = todayInShanghai();
      if (reportedOn !== null && (!tryParseDate(reportedOn) || compareDates(reportedOn, today) > 0 || compareDates(reportedOn, change.eventOn) < 0)) throw new ValidationError({ reportedOn: messages.tickDate });
      const at = nowIso();
      await db.transaction(async (trx) => {
        await markChangeReported(trx, changeId, reportedOn, at);
        await appendAudit(trx, ctx, { action: 'certification.change_reported', objectType: 'firm', objectId: firm.uscc, before: { changeId, reportedOn: change.reportedOn }, after: { changeId, reportedOn } }, at);
      });
      bumpDataGeneration();
    },

    /** A year's settings; returns whether anything changed. */
    async saveSettings(db: Knex, input: { year: number; provincialAgency: string | null; hteReportDueOn: string | null; tsmeInfoDueOn: string | null; version: number | null }, agencies: readonly string[], ctx: WriteContext): Promise<{ changed: boolean }> {
      if (!can(ctx.actor, 'certifications.settings')) throw new ForbiddenError('FORBIDDEN', messages.noSettings);
      const errors: Record<string, string> = {};
      const inYear = (d: string | null) => d === null || (!!tryParseDate(d) && Number(d.slice(0, 4)) === input.year);
      if (!inYear(input.hteReportDueOn)) errors.hteReportDueOn = messages.settingsDate(input.year);
      if (!inYear(input.tsmeInfoDueOn)) errors.tsmeInfoDueOn = messages.settingsDate(input.year);
      if (input.provincialAgency !== null && !agencies.includes(input.provincialAgency)) errors.provincialAgency = messages.settingsAgency;
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const at = nowIso();
      const before = (await yearSettings(db)).get(input.year) ?? null;
      // Saved as stored (or, for a year without settings, left empty): nothing written, no audit row.
      const same = (s: { provincialAgency: string | null; hteReportDueOn: string | null; tsmeInfoDueOn: string | null }) =>
        s.provincialAgency === input.provincialAgency && s.hteReportDueOn === input.hteReportDueOn && s.tsmeInfoDueOn === input.tsmeInfoDueOn;
      if (before ? before.version === input.version && same(before) : input.version === null && same({ provincialAgency: null, hteReportDueOn: null, tsmeInfoDueOn: null })) return { changed: false };
      await db.transaction(async (trx) => {
        if (!(await saveYearSettings(trx, input, input.version, at, ctx.actor.id))) throw new ConflictError('SETTINGS_STALE', messages.stale);
        await appendAudit(trx, ctx, { action: 'certification.settings', objectType: 'year', objectId: String(input.year), before, after: input }, at);
      });
      bumpDataGeneration();
      return { changed: true };
    },
  };
  return service;
}

export type CertificationService = ReturnType<typeof createCertificationService>;

/** The fields an audit row shows for a register row. */
/** What an audit row keeps of a register row (typed: the audit log's labels are checked against these keys). */
function auditView(v: Partial<CertificationValues>) {
  return {
    kind: v.kind,
    year: v.year,
    number: v.number,
    level: v.level,
    mode: v.mode,
    appliedOn: v.appliedOn,
    publicizedOn: v.publicizedOn,
    filedOn: v.filedOn,
    issuedOn: v.issuedOn,
    validUntil: v.validUntil,
    status: v.status,
    note: v.note,
  };
}

/**
 * The register's side of a board move (FirmServiceDeps.certificates). Into hte_certified: the
 * number must not be held by another firm and the date not precede the founding; the move then
 * completes the firm's open HTE application or records a new certificate row. Out of the certified
 * stages: refused while a valid certificate is held, except as an exit (a move away keeps the
 * qualification, 第十八条); exiting for 资格被取消 cancels it.
 */
export const certificateHook: CertificateHook = {
  async checkCertificate(db, firm, certificateNo, certificateDate) {
    const errors: Record<string, string> = {};
    const holder = await findByNumber(db, 'hte', certificateNo);
    if (holder && holder.firmId !== firm.id) errors.certificateNo = messages.numberTaken(null);
    if (firm.foundedOn && compareDates(certificateDate, firm.foundedOn) < 0) errors.certificateDate = `发证日期不能早于企业成立日期（${firm.foundedOn}）。`;
    if (!errors.certificateNo && !holder) {
      const same = await findFirmYear(db, firm.id, 'hte', Number(certificateDate.slice(0, 4)));
      if (same && same.number && same.number !== certificateNo && same.status !== 'pending') errors.certificateNo = messages.certificateConflict(same.year, same.number);
    }
    return errors;
  },

  async checkLeave(db, firm, to) {
    if (to === 'exited') return null;
    const today = todayInShanghai();
    const valid = (await certificationsOfFirm(db, firm.id)).filter((c) => validToday(c, today));
    return valid.length ? messages.leaveCertified(valid[0]!.number ?? '', valid[0]!.validUntil ?? '') : null;
  },

  async recordMove(trx, firm, decision: Extract<MoveDecision, { ok: true }>, source: StageEventSource, ctx, at) {
    const today = todayInShanghai();
    if (decision.to === 'hte_certified' && decision.details?.certificateNo) {
      const no = decision.details.certificateNo as string;
      const date = decision.details.certificateDate as string;
      const holder = await findByNumber(trx, 'hte', no);
      if (holder) {
        if (holder.firmId !== firm.id) throw new ValidationError({ certificateNo: messages.numberTaken(null) });
        return; // already in the register (recorded there, or entered again after a step back)
      }
      const year = Number(date.slice(0, 4));
      const rows = await certificationsOfFirm(trx, firm.id);
      const mode = rows.some((r) => r.kind === 'hte' && r.issuedOn && compareDates(r.issuedOn, date) < 0) ? 'renewal' : 'first';
      const open = (await openHteApplication(trx, firm.id)) ?? (await findFirmYear(trx, firm.id, 'hte', year));
      if (open && open.number && open.number !== no) throw new ValidationError({ certificateNo: messages.certificateConflict(open.year, open.number) });
      const values: CertificationValues = {
        ...(open ?? {
          firmId: firm.id,
          kind: 'hte' as const,
          year,
          level: null,
          appliedOn: null,
          publicizedOn: null,
          filedOn: null,
          statusReasonCode: null,
          statusReason: null,
          statusOn: null,
          note: `由看板移动登记（${source}）`,
        }),
        mode: open?.mode ?? mode,
        number: no,
        issuedOn: date,
        validUntil: hteValidUntil(date),
        validUntilOverride: false,
        status: 'active',
      };
      if (open) {
        if (!(await updateCertification(trx, open.id, open.version, values, { change: 'certify', at, by: ctx.actor.id }))) throw new AppError('CERTIFICATION_STALE', messages.stale, 409);
      } else {
        await insertCertification(trx, values, { source: source === 'import' ? 'import' : 'board', at, by: ctx.actor.id });
      }
      return;
    }
    if (decision.to === 'exited' && decision.reasonCode === 'qualification_revoked' && CERTIFIED.includes(decision.from)) {
      for (const c of (await certificationsOfFirm(trx, firm.id)).filter((r) => validToday(r, today))) {
        await updateCertification(trx, c.id, c.version, { ...c, status: 'revoked', statusReasonCode: null, statusReason: decision.reason, statusOn: today }, { change: 'cancel', at, by: ctx.actor.id });
      }
    }
  },
};

/**
 * 指引 四、3: from 1 January of a certificate's expiry year, a follow-up for the firm's counsellor
 * (the coaching slice's follow_ups) to prepare the re-certification — once per certificate, skipped
 * when the firm already applied or holds a later certificate. Due 31 May (before the batch opens), or
 * the last valid day if earlier, never before today. Run by the server every hour and by the demo seed.
 */
export async function ensureExpiryFollowUps(db: Knex, today: string): Promise<number> {
  const year = Number(today.slice(0, 4));
  const due = await expiryYearWithoutFollowUp(db, year);
  if (!due.length) return 0;
  const admin = (await db('users').where({ role: 'admin', is_active: true }).orderBy('id').first('id')) as { id: number } | undefined;
  const at = nowIso();
  let made = 0;
  await db.transaction(async (trx) => {
    for (const c of due) {
      const createdBy = c.counsellorId ?? admin?.id;
      if (!createdBy) continue;
      const deadline = [`${year}-05-31`, c.validUntil!].sort()[0]!;
      const dueOn = compareDates(deadline, today) < 0 ? today : deadline;
      const [id] = await insertFollowUps(trx, [{ firmId: c.firmId, title: `期满当年：辅导准备 ${year} 年高企重新认定（证书 ${c.number ?? ''} 有效期至 ${c.validUntil}）`, dueOn, createdBy, at }]);
      await linkFollowUp(trx, c.id, 'expiry_year', id!, at);
      await appendAuditAs(trx, { actorId: null, actorName: '系统', ip: null }, { action: 'certification.follow_up', objectType: 'firm', objectId: c.uscc, after: { certificationId: c.id, followUpId: id, dueOn } }, at);
      made++;
    }
  });
  if (made) bumpDataGeneration();
  return made;
}
