/**
 * Coaching forms as typed: parsed into the service's inputs, or field errors in Chinese. The form
 * is re-rendered with `values` exactly as typed on any error (422).
 */
import { type ChannelKey, INTERACTION_LIMITS, MANUAL_CHANNELS, type NextStep, type TopicKey, decideNextStep, isTopicKey } from '../../domain/coaching/interactions.js';
import { PLAN_LIMITS, isPlausibleTargetYear, isTargetCertification } from '../../domain/coaching/plans.js';
import { TEMPLATE_LIMITS, type TemplateStep, parseTemplateSteps } from '../../domain/coaching/templates.js';
import { type LifecycleKey, isLifecycleKey } from '../../domain/fields.js';
import { isCalendarDate } from '../../lib/dates.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { BadRequestError } from '../../lib/errors.js';
import { checkbox, positiveInt, str } from '../../web/forms.js';
import type { PlanFields } from './plans.queries.js';

type Body = Record<string, unknown>;

/** A field that may repeat (checkboxes): its values, trimmed, empty ones dropped. */
export function list(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (values.length > 1000) throw new BadRequestError('TOO_MANY_VALUES', '一次提交的选项过多。');
  return values.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter(Boolean);
}

export const firmCodes = (value: unknown) => [...new Set(list(value).map(normalizeUscc))];

const tooLong = (text: string, max: number) => [...text].length > max;

export interface InteractionValues {
  firms: string[];
  occurredOn: string;
  channel: string;
  counsellorId: string;
  peopleMet: string;
  reached: string;
  topics: string[];
  notes: string;
  outcome: string;
  nextStep: string;
  nextDue: string;
  noFollowUp: boolean;
}

export function interactionValues(body: Body): InteractionValues {
  return {
    firms: firmCodes(body.firm),
    occurredOn: str(body.occurredOn),
    channel: str(body.channel),
    counsellorId: str(body.counsellorId),
    peopleMet: str(body.peopleMet),
    reached: str(body.reached),
    topics: list(body.topic),
    notes: str(body.notes),
    outcome: str(body.outcome),
    nextStep: str(body.nextStep),
    nextDue: str(body.nextDue),
    noFollowUp: checkbox(body.noFollowUp),
  };
}

export function parseInteraction(v: InteractionValues):
  | { ok: true; input: { firmUsccs: string[]; occurredOn: string; channel: ChannelKey; counsellorId: number | null; peopleMet: string | null; reached: boolean; topics: TopicKey[]; notes: string | null; outcome: string | null; next: NextStep } }
  | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!v.firms.length) errors.firms = '请至少选择一家企业。';
  else if (v.firms.length > INTERACTION_LIMITS.firms) errors.firms = `一次辅导最多记录 ${INTERACTION_LIMITS.firms} 家企业。`;
  if (!isCalendarDate(v.occurredOn)) errors.occurredOn = '请填写辅导日期（YYYY-MM-DD）。';
  if (!(MANUAL_CHANNELS as readonly string[]).includes(v.channel)) errors.channel = '请选择辅导方式：走访、电话或线上。';
  if (v.reached !== 'yes' && v.reached !== 'no') errors.reached = '请选择是否联系上企业。';
  if (tooLong(v.peopleMet, INTERACTION_LIMITS.peopleMet)) errors.peopleMet = `接待人员不能超过 ${INTERACTION_LIMITS.peopleMet} 个字。`;
  if (tooLong(v.notes, INTERACTION_LIMITS.notes)) errors.notes = `记录不能超过 ${INTERACTION_LIMITS.notes} 个字（现在 ${[...v.notes].length} 个字）。`;
  if (tooLong(v.outcome, INTERACTION_LIMITS.outcome)) errors.outcome = `成效不能超过 ${INTERACTION_LIMITS.outcome} 个字。`;
  if (v.topics.some((t) => !isTopicKey(t))) errors.topics = '请在清单中选择议题。';
  const counsellorId = v.counsellorId === '' ? null : positiveInt(v.counsellorId);
  if (v.counsellorId !== '' && counsellorId === null) errors.counsellorId = '请选择列表中的辅导员。';
  const next = decideNextStep({ title: v.nextStep, dueOn: v.nextDue, noFollowUp: v.noFollowUp }, v.occurredOn);
  if (!next.ok) Object.assign(errors, next.errors);
  if (Object.keys(errors).length || !next.ok) return { ok: false, errors };
  return {
    ok: true,
    input: {
      firmUsccs: v.firms,
      occurredOn: v.occurredOn,
      channel: v.channel as ChannelKey,
      counsellorId,
      peopleMet: v.peopleMet || null,
      reached: v.reached === 'yes',
      topics: v.topics.filter(isTopicKey),
      notes: v.notes || null,
      outcome: v.outcome || null,
      next: next.next,
    },
  };
}

export interface PlanValues {
  lifecycle: string;
  goals: string;
  targetCertification: string;
  targetYear: string;
}

export const planValues = (body: Body): PlanValues => ({
  lifecycle: str(body.lifecycle),
  goals: str(body.goals),
  targetCertification: str(body.targetCertification),
  targetYear: str(body.targetYear),
});

export function parsePlan(v: PlanValues, today: string): { ok: true; lifecycle: LifecycleKey | null; plan: PlanFields } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (v.lifecycle !== '' && !isLifecycleKey(v.lifecycle)) errors.lifecycle = '请选择初创期、成长期或成熟期。';
  if (tooLong(v.goals, PLAN_LIMITS.goals)) errors.goals = `辅导目标不能超过 ${PLAN_LIMITS.goals} 个字（现在 ${[...v.goals].length} 个字）。`;
  if (v.targetCertification !== '' && !isTargetCertification(v.targetCertification)) errors.targetCertification = '请选择列表中的目标资质。';
  const year = v.targetYear === '' ? null : /^\d{4}$/.test(v.targetYear) ? Number(v.targetYear) : NaN;
  if (year !== null && !isPlausibleTargetYear(year, today)) errors.targetYear = '目标年度应为去年到五年后之间的年份（如 2027）。';
  if (year !== null && v.targetCertification === '' && !errors.targetYear) errors.targetCertification = '填写了目标年度，请同时选择目标资质。';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    lifecycle: v.lifecycle === '' ? null : (v.lifecycle as LifecycleKey),
    plan: { goals: v.goals || null, targetCertification: v.targetCertification || null, targetYear: year },
  };
}

export interface TemplateValues {
  lifecycle: string;
  name: string;
  steps: string;
  isActive: boolean;
}

export const templateValues = (body: Body): TemplateValues => ({
  lifecycle: str(body.lifecycle),
  name: str(body.name),
  steps: typeof body.steps === 'string' ? body.steps : '',
  isActive: str(body.status) !== 'inactive',
});

export function parseTemplate(v: TemplateValues): { ok: true; template: { lifecycle: LifecycleKey; name: string; isActive: boolean; steps: TemplateStep[] } } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!isLifecycleKey(v.lifecycle)) errors.lifecycle = '请选择模板适用的生命周期。';
  if (!v.name) errors.name = '请填写模板名称。';
  else if (tooLong(v.name, TEMPLATE_LIMITS.name)) errors.name = `模板名称不能超过 ${TEMPLATE_LIMITS.name} 个字。`;
  const steps = parseTemplateSteps(v.steps);
  if (!steps.ok) errors.steps = steps.message;
  if (Object.keys(errors).length || !steps.ok) return { ok: false, errors };
  return { ok: true, template: { lifecycle: v.lifecycle as LifecycleKey, name: v.name, isActive: v.isActive, steps: steps.steps } };
}
