/**
 * Plan templates (辅导方案模板) per lifecycle: steps with an offset in days from a start date
 * (coaching.md §1: CiviCRM's reference_offset, Odoo's mail.activity.plan; §6 item 1). Applying a
 * template creates one follow-up per step, due on start + offset (calendar days, Asia/Shanghai dates).
 */
import { addDays } from '../eligibility/dates.js';
import type { LifecycleKey } from '../fields.js';

export interface TemplateStep {
  title: string;
  offsetDays: number;
}

export const TEMPLATE_LIMITS = { name: 100, stepTitle: 100, steps: 30, maxOffset: 1095 } as const;

/** The due date of each step for a plan started on `startOn`, in step order. */
export function templateDueDates(steps: readonly TemplateStep[], startOn: string): { title: string; dueOn: string }[] {
  return steps.map((s) => ({ title: s.title, dueOn: addDays(startOn, s.offsetDays) }));
}

/** The templates a fresh installation starts with (an administrator edits them). */
export const DEFAULT_TEMPLATES: { lifecycle: LifecycleKey; name: string; steps: TemplateStep[] }[] = [
  {
    lifecycle: 'startup',
    name: '初创期基础辅导',
    steps: [
      { title: '首次走访', offsetDays: 0 },
      { title: '科技型中小企业评价政策宣讲', offsetDays: 14 },
      { title: '研发费用辅助账建立', offsetDays: 45 },
      { title: '知识产权申请指导', offsetDays: 90 },
    ],
  },
  {
    lifecycle: 'growth',
    name: '成长期高企培育',
    steps: [
      { title: '走访', offsetDays: 0 },
      { title: '知识产权梳理', offsetDays: 30 },
      { title: '研发费用归集辅导', offsetDays: 60 },
      { title: '高新收入核算辅导', offsetDays: 90 },
    ],
  },
  {
    lifecycle: 'mature',
    name: '成熟期做大做强',
    steps: [
      { title: '走访', offsetDays: 0 },
      { title: '高企重新认定准备', offsetDays: 30 },
      { title: '科技领军/小巨人申报辅导', offsetDays: 90 },
    ],
  },
];

/**
 * Parses the steps an administrator typed: one per line, "offset title" or "title offset"
 * ("+30 知识产权梳理", "知识产权梳理 30"). Returns the steps or a message naming the bad line.
 */
export function parseTemplateSteps(text: string): { ok: true; steps: TemplateStep[] } | { ok: false; message: string } {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return { ok: false, message: '请至少填写一个步骤，每行一个：天数 步骤名称，例如“+30 知识产权梳理”。' };
  if (lines.length > TEMPLATE_LIMITS.steps) return { ok: false, message: `步骤不能超过 ${TEMPLATE_LIMITS.steps} 个。` };
  const steps: TemplateStep[] = [];
  for (const [i, line] of lines.entries()) {
    const m = /^\+?(\d{1,4})\s+(.+)$/.exec(line) ?? /^(.+?)\s+\+?(\d{1,4})$/.exec(line);
    if (!m) return { ok: false, message: `第 ${i + 1} 行看不懂：请写成“天数 步骤名称”，例如“+30 知识产权梳理”。` };
    const [offset, title] = /^\d/.test(m[1]!) || m[1]!.startsWith('+') ? [Number(m[1]), m[2]!.trim()] : [Number(m[2]), m[1]!.trim()];
    if (offset > TEMPLATE_LIMITS.maxOffset) return { ok: false, message: `第 ${i + 1} 行：天数不能超过 ${TEMPLATE_LIMITS.maxOffset}。` };
    if ([...title].length > TEMPLATE_LIMITS.stepTitle) return { ok: false, message: `第 ${i + 1} 行：步骤名称不能超过 ${TEMPLATE_LIMITS.stepTitle} 个字。` };
    steps.push({ title, offsetDays: offset });
  }
  return { ok: true, steps: [...steps].sort((a, b) => a.offsetDays - b.offsetDays) };
}

export function formatTemplateSteps(steps: readonly TemplateStep[]): string {
  return steps.map((s) => `+${s.offsetDays} ${s.title}`).join('\n');
}
