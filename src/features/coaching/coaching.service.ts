/**
 * Coaching use cases (issue 9): record an interaction (one or many firms) with its next step,
 * close a follow-up, save a firm's plan and lifecycle, assign counsellors, apply a plan template to
 * one firm or many, edit templates and the contact thresholds. Each checks the permission table and
 * who may write for the firm (domain/coaching/access.ts), writes the change and its audit rows in
 * one transaction (BEGIN IMMEDIATE on SQLite), and refuses stale versions with 409.
 */
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { WriteContext } from '../../domain/actor.js';
import { coachingRefusal } from '../../domain/coaching/access.js';
import { CONTACT_DAYS_LIMITS } from '../../domain/coaching/contact.js';
import { FOLLOW_UP_LIMITS } from '../../domain/coaching/follow-ups.js';
import { type ChannelKey, type NextStep, type TopicKey, channelLabel, topicLabel } from '../../domain/coaching/interactions.js';
import { type TemplateStep, formatTemplateSteps, templateDueDates } from '../../domain/coaching/templates.js';
import type { LifecycleKey } from '../../domain/fields.js';
import { can, coversFirm } from '../../domain/permissions.js';
import { type StageKey, stageLabel } from '../../domain/stages.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { isCalendarDate, nowIso, todayInShanghai } from '../../lib/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { claimFormKey } from '../../web/form-keys.js';
import { appendAudit } from '../audit/audit.queries.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import { type Firm, findFirmsById, findFirmsByUscc, updateFirmCounsellor, updateFirmLifecycle } from '../firms/firms.queries.js';
import { isActiveCounsellor } from '../users/users.queries.js';
import { saveContactDays } from './contact-rules.queries.js';
import { type FollowUp, type FollowUpClosing, closeFollowUp, findFollowUp, insertFollowUps } from './follow-ups.queries.js';
import { insertInteraction } from './interactions.queries.js';
import { type CoachingPlan, type PlanFields, findPlan, insertPlan, updatePlan } from './plans.queries.js';
import { type CoachingTemplate, findTemplate, insertTemplate, updateTemplate } from './templates.queries.js';

export const coachingMessages = {
  firmNotFound: '找不到这家企业（信用代码不存在，或不在你负责的园区或镇街）。',
  followUpNotFound: '找不到这条跟进事项（不存在，或其企业不在你负责的范围）。',
  noFirms: '请至少选择一家企业。',
  tooManyFirms: '一次最多选择 200 家企业。',
  futureDate: '辅导日期不能晚于今天。',
  badDate: '请填写有效的日期（YYYY-MM-DD）。',
  tooOld: '辅导日期不能早于 2000 年。',
  counsellorUnknown: '请选择列表中的辅导员。',
  staleFollowUp: '这条跟进事项刚被他人处理或修改过，已为你显示最新状态，请确认后再操作。',
  closedFollowUp: '这条跟进事项已经办结（完成或取消），不能再次处理；跟进事项不会被删除。',
  resultMissing: '请填写跟进结果。',
  resultTooLong: `跟进结果不能超过 ${FOLLOW_UP_LIMITS.result} 个字。`,
  reasonMissing: '请填写取消原因。',
  reasonTooLong: `取消原因不能超过 ${FOLLOW_UP_LIMITS.reason} 个字。`,
  doneFuture: '完成日期不能晚于今天。',
  stalePlan: '这家企业的辅导方案刚被他人修改过，已为你显示最新内容，请确认后再保存。',
  staleTemplate: '这个方案模板刚被他人修改过，已为你显示最新内容，请确认后再保存。',
  templateNotFound: '找不到这个方案模板。',
  templateInactive: '这个方案模板已停用，不能再应用。',
  noPermission: '你的角色不能执行此操作。',
} as const;

export class StaleFollowUpError extends ConflictError {
  constructor(readonly followUp: FollowUp) {
    super('FOLLOW_UP_STALE', followUp.status === 'open' ? coachingMessages.staleFollowUp : coachingMessages.closedFollowUp);
  }
}

export class StalePlanError extends ConflictError {
  constructor(readonly firm: Firm, readonly plan: CoachingPlan | null) {
    super('PLAN_STALE', coachingMessages.stalePlan);
  }
}

export class StaleTemplateError extends ConflictError {
  constructor(readonly template: CoachingTemplate) {
    super('TEMPLATE_STALE', coachingMessages.staleTemplate);
  }
}

function requireWrite(ctx: WriteContext, firm: Firm): void {
  const refusal = coachingRefusal(ctx.actor, firm);
  if (refusal) throw new ForbiddenError('COACHING_FORBIDDEN', refusal);
}

function requirePermission(ctx: WriteContext, permission: Parameters<typeof can>[1]): void {
  if (!can(ctx.actor, permission)) throw new ForbiddenError('FORBIDDEN', coachingMessages.noPermission);
}

/** The firms by code, each in the actor's scope (else 404, as for one firm) and writable (else 403). */
async function writableFirms(db: Knex, usccs: string[], ctx: WriteContext): Promise<Firm[]> {
  const unique = [...new Set(usccs)];
  if (!unique.length) throw new ValidationError({ firms: coachingMessages.noFirms });
  if (unique.length > 200) throw new ValidationError({ firms: coachingMessages.tooManyFirms });
  const firms = await findFirmsByUscc(db, unique);
  if (firms.length !== unique.length || firms.some((f) => !coversFirm(ctx.actor, f))) throw new NotFoundError('FIRM_NOT_FOUND', coachingMessages.firmNotFound);
  for (const f of firms) requireWrite(ctx, f);
  return unique.map((u) => firms.find((f) => f.uscc === u)!);
}

export interface InteractionInput {
  firmUsccs: string[];
  occurredOn: string;
  channel: ChannelKey;
  /** A caseworker may name the counsellor; a counsellor records as themselves. */
  counsellorId: number | null;
  peopleMet: string | null;
  reached: boolean;
  topics: TopicKey[];
  notes: string | null;
  outcome: string | null;
  next: NextStep;
}

export interface ClosingInput {
  closing: FollowUpClosing;
}

function checkPastDate(value: string, field: string, today: string): void {
  if (!isCalendarDate(value)) throw new ValidationError({ [field]: coachingMessages.badDate });
  if (value > today) throw new ValidationError({ [field]: field === 'doneOn' ? coachingMessages.doneFuture : coachingMessages.futureDate });
  if (value < '2000-01-01') throw new ValidationError({ [field]: coachingMessages.tooOld });
}

/** A template in the audit log's words. */
function templateAudit(t: { lifecycle: LifecycleKey; name: string; isActive?: boolean; steps: TemplateStep[] }) {
  return { 模板名称: t.name, lifecycle: t.lifecycle, ...(t.isActive === undefined ? {} : { 状态: t.isActive ? '在用' : '停用' }), 步骤: formatTemplateSteps(t.steps) };
}

export function createCoachingService() {
  return {
    /** One interaction for one or many firms; the next step becomes a follow-up for each firm. */
    async recordInteraction(db: Knex, input: InteractionInput, ctx: WriteContext): Promise<{ interactionId: number; firms: Firm[] }> {
      requirePermission(ctx, 'coaching.write');
      const firms = await writableFirms(db, input.firmUsccs, ctx);
      checkPastDate(input.occurredOn, 'occurredOn', todayInShanghai());
      let counsellorId = input.counsellorId;
      if (ctx.actor.role === 'counsellor') counsellorId = ctx.actor.id;
      else if (counsellorId !== null && !(await isActiveCounsellor(db, counsellorId))) throw new ValidationError({ counsellorId: coachingMessages.counsellorUnknown });
      else if (counsellorId === null && firms.length === 1) counsellorId = firms[0]!.counsellorId;
      if (input.next.kind === 'follow_up' && input.next.dueOn < input.occurredOn) throw new ValidationError({ nextDue: '下一步的到期日不能早于本次辅导的日期。' });
      const at = nowIso();
      const interactionId = await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const id = await insertInteraction(trx, {
          firmIds: firms.map((f) => f.id),
          occurredOn: input.occurredOn,
          channel: input.channel,
          counsellorId,
          peopleMet: input.peopleMet,
          reached: input.reached,
          topics: input.topics,
          notes: input.notes,
          outcome: input.outcome,
          noFollowUp: input.next.kind === 'none',
          createdBy: ctx.actor.id,
          at,
        });
        const next = input.next;
        if (next.kind === 'follow_up') {
          await insertFollowUps(trx, firms.map((f) => ({ firmId: f.id, title: next.title, dueOn: next.dueOn, sourceInteractionId: id, createdBy: ctx.actor.id, at })));
        }
        for (const f of firms) {
          await appendAudit(trx, ctx, {
            action: 'coaching.interaction',
            objectType: 'firm',
            objectId: f.uscc,
            after: {
              interactionId: id,
              日期: input.occurredOn,
              方式: channelLabel(input.channel),
              联系结果: input.reached ? '已联系上' : '未联系上',
              议题: input.topics.map(topicLabel).join('、') || null,
              下一步: next.kind === 'follow_up' ? `${next.title}（${next.dueOn} 前）` : '无需跟进',
              ...(firms.length > 1 ? { 同行企业数: firms.length } : {}),
            },
          }, at);
        }
        await recordResult(firms.length === 1 ? `/firms/${firms[0]!.uscc}#coaching` : '/coaching');
        return id;
      });
      bumpDataGeneration();
      return { interactionId, firms };
    },

    /** open → done (date, result) or cancelled (reason); never deleted. */
    async closeFollowUp(db: Knex, id: number, version: number, closing: FollowUpClosing, ctx: WriteContext): Promise<{ followUp: FollowUp; firm: Firm }> {
      requirePermission(ctx, 'coaching.write');
      const followUp = await findFollowUp(db, id);
      const firm = followUp ? (await findFirmsById(db, [followUp.firmId]))[0] : undefined;
      if (!followUp || !firm || !coversFirm(ctx.actor, firm)) throw new NotFoundError('FOLLOW_UP_NOT_FOUND', coachingMessages.followUpNotFound);
      requireWrite(ctx, firm);
      if (followUp.status !== 'open' || followUp.version !== version) throw new StaleFollowUpError(followUp);
      if (closing.status === 'done') {
        checkPastDate(closing.doneOn, 'doneOn', todayInShanghai());
        if (!closing.result.trim()) throw new ValidationError({ result: coachingMessages.resultMissing });
        if ([...closing.result].length > FOLLOW_UP_LIMITS.result) throw new ValidationError({ result: coachingMessages.resultTooLong });
      } else {
        if (!closing.reason.trim()) throw new ValidationError({ reason: coachingMessages.reasonMissing });
        if ([...closing.reason].length > FOLLOW_UP_LIMITS.reason) throw new ValidationError({ reason: coachingMessages.reasonTooLong });
      }
      const at = nowIso();
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        if (!(await closeFollowUp(trx, id, version, closing, ctx.actor.id, at))) throw new StaleFollowUpError((await findFollowUp(trx, id))!);
        await recordResult(`/firms/${firm.uscc}#coaching`);
        await appendAudit(trx, ctx, {
          action: closing.status === 'done' ? 'coaching.follow_up_done' : 'coaching.follow_up_cancel',
          objectType: 'firm',
          objectId: firm.uscc,
          before: { followUpId: id, 事项: followUp.title, 到期日: followUp.dueOn, 状态: '待办' },
          after: closing.status === 'done' ? { 状态: '已完成', 完成日期: closing.doneOn, 结果: closing.result } : { 状态: '已取消', 原因: closing.reason },
        }, at);
      });
      bumpDataGeneration();
      return { followUp: (await findFollowUp(db, id))!, firm };
    },

    /**
     * The firm's plan and lifecycle category. `firmVersion` guards the lifecycle (on the firm),
     * `planVersion` the plan (null: none yet). Nothing changed: nothing written.
     */
    async savePlan(
      db: Knex,
      uscc: string,
      input: { lifecycle: LifecycleKey | null; plan: PlanFields; firmVersion: number; planVersion: number | null },
      ctx: WriteContext,
    ): Promise<{ changed: boolean }> {
      requirePermission(ctx, 'coaching.write');
      const firm = await findFirmInScope(db, uscc, ctx.actor);
      requireWrite(ctx, firm);
      const plan = await findPlan(db, firm.id);
      if (firm.version !== input.firmVersion || (plan?.version ?? null) !== input.planVersion) throw new StalePlanError(firm, plan);
      const lifecycleChanged = firm.lifecycle !== input.lifecycle;
      // The lifecycle category is the firm's, not the plan's: its own permission (design: "Set by the
      // counsellor" — and by caseworkers and administrators, who hold every coaching write).
      if (lifecycleChanged) requirePermission(ctx, 'firms.lifecycle');
      const before: PlanFields = { goals: plan?.goals ?? null, targetCertification: plan?.targetCertification ?? null, targetYear: plan?.targetYear ?? null };
      const planChanged = (Object.keys(before) as (keyof PlanFields)[]).some((k) => before[k] !== input.plan[k]);
      if (!lifecycleChanged && !planChanged) return { changed: false };
      const at = nowIso();
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        if (lifecycleChanged && !(await updateFirmLifecycle(trx, firm.id, firm.version, input.lifecycle, at))) throw new StalePlanError(firm, plan);
        await recordResult(`/firms/${firm.uscc}#coaching`);
        if (planChanged) {
          if (plan) {
            if (!(await updatePlan(trx, firm.id, plan.version, input.plan, ctx.actor.id, at))) throw new StalePlanError(firm, plan);
          } else {
            try {
              await insertPlan(trx, firm.id, input.plan, ctx.actor.id, at);
            } catch (err) {
              // Another plan was created meanwhile (unique firm_id).
              if (isUniqueViolation(err)) throw new StalePlanError(firm, plan);
              throw err;
            }
          }
        }
        await appendAudit(trx, ctx, {
          action: 'coaching.plan',
          objectType: 'firm',
          objectId: firm.uscc,
          before: { lifecycle: firm.lifecycle, ...before },
          after: { lifecycle: input.lifecycle, ...input.plan },
        }, at);
      });
      bumpDataGeneration();
      return { changed: true };
    },

    /**
     * Assign a counsellor (or none) to one firm (with its version) or many. Firms already with
     * this counsellor are left alone. Returns how many changed.
     */
    async assignCounsellor(db: Knex, usccs: string[], counsellorId: number | null, ctx: WriteContext, version: number | null = null): Promise<{ changed: number; firms: Firm[] }> {
      requirePermission(ctx, 'coaching.assign');
      const unique = [...new Set(usccs)];
      if (!unique.length) throw new ValidationError({ firms: coachingMessages.noFirms });
      if (unique.length > 1000) throw new ValidationError({ firms: '一次最多为 1000 家企业指派辅导员。' });
      const firms = await findFirmsByUscc(db, unique);
      if (firms.length !== unique.length || firms.some((f) => !coversFirm(ctx.actor, f))) throw new NotFoundError('FIRM_NOT_FOUND', coachingMessages.firmNotFound);
      if (counsellorId !== null && !(await isActiveCounsellor(db, counsellorId))) throw new ValidationError({ counsellorId: coachingMessages.counsellorUnknown }, coachingMessages.counsellorUnknown);
      if (version !== null && firms.length === 1 && firms[0]!.version !== version) throw new StalePlanError(firms[0]!, await findPlan(db, firms[0]!.id));
      const changing = firms.filter((f) => f.counsellorId !== counsellorId);
      if (!changing.length) return { changed: 0, firms };
      const at = nowIso();
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        for (const f of changing) {
          if (!(await updateFirmCounsellor(trx, f.id, version, counsellorId, at))) throw new StalePlanError(f, await findPlan(trx, f.id));
          await appendAudit(trx, ctx, {
            action: 'coaching.assign',
            objectType: 'firm',
            objectId: f.uscc,
            before: { counsellorId: f.counsellorId, 辅导员: f.counsellorName },
            after: { counsellorId, ...(changing.length > 1 ? { 批量: changing.length } : {}) },
          }, at);
        }
        await recordResult(firms.length === 1 ? `/firms/${firms[0]!.uscc}#coaching` : '/coaching');
      });
      bumpDataGeneration();
      return { changed: changing.length, firms };
    },

    /**
     * Apply a template from `startOn`: one follow-up per step for each firm. Firms that already
     * have open follow-ups from this template are skipped (applying twice would double them).
     */
    async applyTemplate(db: Knex, templateId: number, usccs: string[], startOn: string, ctx: WriteContext): Promise<{ applied: Firm[]; skipped: Firm[]; created: number }> {
      requirePermission(ctx, 'coaching.write');
      const template = await findTemplate(db, templateId);
      if (!template) throw new NotFoundError('TEMPLATE_NOT_FOUND', coachingMessages.templateNotFound);
      if (!template.isActive) throw new ValidationError({ templateId: coachingMessages.templateInactive });
      if (!isCalendarDate(startOn)) throw new ValidationError({ startOn: coachingMessages.badDate });
      if (startOn < '2000-01-01') throw new ValidationError({ startOn: coachingMessages.tooOld });
      const firms = await writableFirms(db, usccs, ctx);
      const due = templateDueDates(template.steps, startOn);
      const at = nowIso();
      const result = await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const busy = new Set(
          ((await trx('follow_ups').whereIn('firm_id', firms.map((f) => f.id)).where({ source_template_id: templateId, status: 'open' }).distinct('firm_id')) as { firm_id: number }[]).map((r) => r.firm_id),
        );
        const applied = firms.filter((f) => !busy.has(f.id));
        await insertFollowUps(trx, applied.flatMap((f) => due.map((d) => ({ firmId: f.id, title: d.title, dueOn: d.dueOn, sourceTemplateId: templateId, createdBy: ctx.actor.id, at }))));
        for (const f of applied) {
          await appendAudit(trx, ctx, {
            action: 'coaching.template_apply',
            objectType: 'firm',
            objectId: f.uscc,
            after: { templateId, 模板: template.name, 起始日: startOn, 跟进事项: due.map((d) => `${d.dueOn} ${d.title}`) },
          }, at);
        }
        await recordResult(firms.length === 1 ? `/firms/${firms[0]!.uscc}#coaching` : '/coaching');
        return { applied, skipped: firms.filter((f) => busy.has(f.id)), created: applied.length * due.length };
      });
      bumpDataGeneration();
      return result;
    },

    async createTemplate(db: Knex, t: { lifecycle: LifecycleKey; name: string; steps: TemplateStep[] }, ctx: WriteContext): Promise<number> {
      requirePermission(ctx, 'coaching.configure');
      const at = nowIso();
      return db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        const id = await insertTemplate(trx, t, at);
        await appendAudit(trx, ctx, { action: 'coaching.template_create', objectType: 'coaching_template', objectId: String(id), after: templateAudit(t) }, at);
        await recordResult('/coaching/templates');
        return id;
      });
    },

    /** Saved unchanged: nothing written, no version, no audit row; returns whether anything changed. */
    async updateTemplate(db: Knex, id: number, version: number, t: { lifecycle: LifecycleKey; name: string; isActive: boolean; steps: TemplateStep[] }, ctx: WriteContext): Promise<{ changed: boolean }> {
      requirePermission(ctx, 'coaching.configure');
      const current = await findTemplate(db, id);
      if (!current) throw new NotFoundError('TEMPLATE_NOT_FOUND', coachingMessages.templateNotFound);
      if (current.version !== version) throw new StaleTemplateError(current);
      const [before, after] = [templateAudit(current), templateAudit(t)];
      if (JSON.stringify(before) === JSON.stringify(after)) return { changed: false };
      const at = nowIso();
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        if (!(await updateTemplate(trx, id, version, t, at))) throw new StaleTemplateError((await findTemplate(trx, id))!);
        await recordResult('/coaching/templates');
        await appendAudit(trx, ctx, { action: 'coaching.template_update', objectType: 'coaching_template', objectId: String(id), before, after }, at);
      });
      return { changed: true };
    },

    async saveContactDays(db: Knex, days: Map<StageKey, number>, current: Map<StageKey, number>, ctx: WriteContext): Promise<{ changed: boolean }> {
      requirePermission(ctx, 'coaching.configure');
      const errors: Record<string, string> = {};
      for (const [stage, n] of days) {
        if (!Number.isInteger(n) || n < CONTACT_DAYS_LIMITS.min || n > CONTACT_DAYS_LIMITS.max) errors[stage] = `请填写 ${CONTACT_DAYS_LIMITS.min}–${CONTACT_DAYS_LIMITS.max} 之间的天数。`;
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const changed = [...days].filter(([s, n]) => current.get(s) !== n);
      if (!changed.length) return { changed: false };
      const at = nowIso();
      await db.transaction(async (trx) => {
        const recordResult = await claimFormKey(trx, ctx);
        await saveContactDays(trx, new Map(changed), ctx.actor.id, at);
        await recordResult('/coaching/settings');
        await appendAudit(trx, ctx, {
          action: 'coaching.contact_rules',
          objectType: 'settings',
          objectId: 'coaching_contact_rules',
          before: Object.fromEntries(changed.map(([s]) => [`${stageLabel(s)}（天）`, current.get(s)])),
          after: Object.fromEntries(changed.map(([s, n]) => [`${stageLabel(s)}（天）`, n])),
        }, at);
      });
      bumpDataGeneration();
      return { changed: true };
    },
  };
}

export type CoachingService = ReturnType<typeof createCoachingService>;
