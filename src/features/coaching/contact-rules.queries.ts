/** SQL for the "no successful contact in N days" thresholds per stage (an administrator sets them). */
import type { Db } from '../../db/types.js';
import { CONTACT_RULE_STAGES, DEFAULT_CONTACT_DAYS } from '../../domain/coaching/contact.js';
import type { StageKey } from '../../domain/stages.js';

/** Days per stage: the stored value, else the default (domain/coaching/contact.ts). */
export async function contactDaysByStage(db: Db): Promise<Map<StageKey, number>> {
  const rows = (await db('coaching_contact_rules').select('stage', 'days')) as { stage: StageKey; days: number }[];
  const out = new Map<StageKey, number>();
  for (const s of CONTACT_RULE_STAGES) out.set(s, DEFAULT_CONTACT_DAYS[s]!);
  for (const r of rows) if (out.has(r.stage)) out.set(r.stage, r.days);
  return out;
}

export async function saveContactDays(db: Db, days: Map<StageKey, number>, by: number, at: string): Promise<void> {
  for (const [stage, n] of days) {
    await db('coaching_contact_rules').insert({ stage, days: n, updated_by: by, updated_at: at }).onConflict('stage').merge(['days', 'updated_by', 'updated_at']);
  }
}
