/** SQL for plan templates and their steps. */
import type { Db } from '../../db/types.js';
import type { LifecycleKey } from '../../domain/fields.js';
import type { TemplateStep } from '../../domain/coaching/templates.js';
import { idOf } from './ids.js';

export interface CoachingTemplate {
  id: number;
  lifecycle: LifecycleKey;
  name: string;
  isActive: boolean;
  version: number;
  steps: TemplateStep[];
  updatedAt: string;
}

interface TemplateRow {
  id: number;
  lifecycle: LifecycleKey;
  name: string;
  is_active: boolean | number;
  version: number;
  updated_at: string;
}

async function withSteps(db: Db, rows: TemplateRow[]): Promise<CoachingTemplate[]> {
  if (!rows.length) return [];
  const steps = (await db('coaching_template_steps')
    .whereIn('template_id', rows.map((r) => r.id))
    .orderBy([{ column: 'template_id' }, { column: 'position' }])) as { template_id: number; title: string; offset_days: number }[];
  return rows.map((r) => ({
    id: r.id,
    lifecycle: r.lifecycle,
    name: r.name,
    isActive: !!r.is_active,
    version: r.version,
    updatedAt: r.updated_at,
    steps: steps.filter((s) => s.template_id === r.id).map((s) => ({ title: s.title, offsetDays: s.offset_days })),
  }));
}

export async function listTemplates(db: Db, opts: { activeOnly?: boolean } = {}): Promise<CoachingTemplate[]> {
  const qb = db('coaching_templates').orderBy([{ column: 'lifecycle' }, { column: 'id' }]);
  if (opts.activeOnly) qb.where('is_active', true);
  return withSteps(db, (await qb) as TemplateRow[]);
}

export async function findTemplate(db: Db, id: number): Promise<CoachingTemplate | null> {
  const [t] = await withSteps(db, (await db('coaching_templates').where('id', id)) as TemplateRow[]);
  return t ?? null;
}

async function writeSteps(db: Db, templateId: number, steps: TemplateStep[]): Promise<void> {
  await db('coaching_template_steps').where('template_id', templateId).del();
  if (steps.length) await db('coaching_template_steps').insert(steps.map((s, i) => ({ template_id: templateId, position: i + 1, title: s.title, offset_days: s.offsetDays })));
}

export async function insertTemplate(db: Db, t: { lifecycle: LifecycleKey; name: string; steps: TemplateStep[] }, at: string): Promise<number> {
  const [row] = await db('coaching_templates').insert({ lifecycle: t.lifecycle, name: t.name, is_active: true, version: 1, created_at: at, updated_at: at }).returning('id');
  const id = idOf(row);
  await writeSteps(db, id, t.steps);
  return id;
}

/** Optimistic update of name, lifecycle, active flag and steps; false when the template moved on. */
export async function updateTemplate(db: Db, id: number, version: number, t: { lifecycle: LifecycleKey; name: string; isActive: boolean; steps: TemplateStep[] }, at: string): Promise<boolean> {
  const n = await db('coaching_templates').where({ id, version }).update({ lifecycle: t.lifecycle, name: t.name, is_active: t.isActive, version: version + 1, updated_at: at });
  if (n !== 1) return false;
  await writeSteps(db, id, t.steps);
  return true;
}

export async function countTemplates(db: Db): Promise<number> {
  const row = (await db('coaching_templates').count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}
