/**
 * Screening candidates into the cultivation pool in bulk (遴选入库: candidate → incubating), through
 * the same move as the board — same rules, same gates, same audit — with a result per firm.
 */
import type { Knex } from 'knex';
import type { WriteContext } from '../../domain/actor.js';
import { coversFirm } from '../../domain/permissions.js';
import { stageLabel } from '../../domain/stages.js';
import { AppError } from '../../lib/errors.js';
import type { FirmService } from '../firms/firms.service.js';
import { findFirmByUscc } from '../firms/firms.queries.js';

export const SCREEN_LIMIT = 2000;

export interface ScreenTarget {
  uscc: string;
  /** The version the user saw; null to take the current one (when acting on a whole filtered set). */
  version: number | null;
}

export interface ScreenResult {
  uscc: string;
  name: string;
  outcome: 'moved' | 'skipped' | 'refused';
  message: string;
}

export async function screenIntoPool(db: Knex, firms: FirmService, targets: ScreenTarget[], reason: string, ctx: WriteContext): Promise<ScreenResult[]> {
  const results: ScreenResult[] = [];
  for (const target of targets.slice(0, SCREEN_LIMIT)) {
    const found = await findFirmByUscc(db, target.uscc);
    // Outside the user's parks a firm does not exist for them: no name, no stage.
    const firm = found && coversFirm(ctx.actor, found) ? found : null;
    if (!firm) {
      results.push({ uscc: target.uscc, name: '', outcome: 'refused', message: '找不到这家企业。' });
      continue;
    }
    if (firm.stage !== 'candidate') {
      results.push({ uscc: firm.uscc, name: firm.name, outcome: 'skipped', message: `不是候选企业（当前：${stageLabel(firm.stage)}），未移动。` });
      continue;
    }
    try {
      await firms.move(db, firm.uscc, target.version ?? firm.version, { to: 'incubating', reason }, 'bulk', ctx);
      results.push({ uscc: firm.uscc, name: firm.name, outcome: 'moved', message: '已纳入培育库（孵化培育）。' });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ uscc: firm.uscc, name: firm.name, outcome: 'refused', message: err.message });
    }
  }
  return results;
}
