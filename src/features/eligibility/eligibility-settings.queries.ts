/** Per-firm eligibility choices (eligibility_settings): the tech-SME 研发投入 option. */
import type { Db } from '../../db/types.js';
import type { TsmeRdOption } from '../../domain/eligibility/index.js';

export interface EligibilitySettings {
  firmId: number;
  tsmeRdOption: TsmeRdOption | null;
  version: number;
}

export async function settingsOfFirms(db: Db, firmIds: number[]): Promise<Map<number, EligibilitySettings>> {
  const out = new Map<number, EligibilitySettings>();
  if (firmIds.length === 0) return out;
  const rows = (await db('eligibility_settings').whereIn('firm_id', firmIds)) as { firm_id: number; tsme_rd_option: TsmeRdOption | null; version: number }[];
  for (const r of rows) out.set(r.firm_id, { firmId: r.firm_id, tsmeRdOption: r.tsme_rd_option, version: r.version });
  return out;
}

/** Optimistic save; version 0 = no row yet. False when the version moved on. */
export async function saveSettings(db: Db, firmId: number, version: number, option: TsmeRdOption | null, at: string): Promise<boolean> {
  if (version === 0) {
    await db('eligibility_settings').insert({ firm_id: firmId, tsme_rd_option: option, version: 1, updated_at: at });
    return true;
  }
  return (await db('eligibility_settings').where({ firm_id: firmId, version }).update({ tsme_rd_option: option, version: version + 1, updated_at: at })) === 1;
}
