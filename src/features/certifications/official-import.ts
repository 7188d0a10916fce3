/**
 * Official result lists through the list pipeline (issue 10 item 2): the preview's plan of each
 * matched row and the commit step (KIND_COMMIT_STEPS in src/features/lists/import-job.ts). The rules
 * are plain functions in src/domain/official-lists.ts; this module only reads the register for them
 * and writes through the certification service, so a certificate moves the firm by decideMove.
 * src/jobs/import-steps.ts hands these to the list pipeline.
 */
import type { Knex } from 'knex';
import type { WriteContext } from '../../domain/actor.js';
import { type FirmRef, type HeldRow, type OfficialListKind, planOfficialRow, type RowPlan } from '../../domain/official-lists.js';
import { dayOfText, todayInShanghai } from '../../lib/dates.js';
import { ValidationError } from '../../lib/errors.js';
import type { CertificationService } from './certifications.service.js';
import { certificationsOfFirm, findByNumber } from './certifications.queries.js';

export interface OfficialValues {
  date: string;
  number: string | null;
}

/** The row's date and number as the commit records them (date: the cell, else today). */
export function officialValues(kind: OfficialListKind, values: Record<string, unknown>): OfficialValues | { error: string } {
  const raw = values.cert_date;
  const date = raw === undefined ? todayInShanghai() : dayOfText(raw);
  if (!date) return { error: `日期“${String(raw)}”无法识别，请写成 YYYY-MM-DD。` };
  const num = kind === 'hte_filing' ? values.certificate_no : kind === 'tsme_registration' ? values.registration_no : null;
  return { date, number: typeof num === 'string' ? num.replace(/\s/g, '').toUpperCase() : null };
}

const heldOf = async (db: Knex, firmId: number): Promise<HeldRow[]> =>
  (await certificationsOfFirm(db, firmId))
    .filter((c) => !c.isVoid)
    .map((c) => ({ kind: c.kind, year: c.year, number: c.number, status: c.status, publicizedOn: c.publicizedOn, filedOn: c.filedOn, issuedOn: c.issuedOn }));

/** What one matched row will record (src/domain/official-lists.ts planOfficialRow), read from the register now. */
export async function planRow(db: Knex, kind: OfficialListKind, year: number, v: OfficialValues, firm: FirmRef): Promise<RowPlan> {
  let holder: FirmRef | null = null;
  if (v.number && kind !== 'hte_publicity') {
    const held = await findByNumber(db, kind === 'hte_filing' ? 'hte' : 'tsme', v.number);
    if (held && !held.isVoid) holder = { id: held.firmId, uscc: '', name: '', stage: '' };
  }
  return planOfficialRow(kind, year, { certificateNo: v.number, registrationNo: v.number, date: v.date }, firm, await heldOf(db, firm.id), holder);
}

/** The preview's words for a plan that records: what, and the stage move that follows. */
export function planText(plan: Extract<RowPlan, { action: 'record' }>): string {
  return plan.stageMove ? `${plan.what}；阶段变更：→ 高新技术企业` : plan.what;
}

/**
 * The commit of an official list, inside the list's final transaction: each accepted row is planned
 * again against the register as it is now (someone may have recorded it since the preview) and
 * recorded; a row refused now fails the whole commit (all or nothing), with its line.
 */
export async function commitOfficialRows(
  service: CertificationService,
  trx: Knex.Transaction,
  batch: { id: number; kind: string; year: number },
  drafts: readonly { firmId: number | null; line: number; data: Record<string, unknown> }[],
  ctx: WriteContext,
  at: string,
): Promise<number> {
  const kind = batch.kind as OfficialListKind;
  let written = 0;
  for (const d of drafts) {
    if (d.firmId === null) continue;
    const firm = (await trx('firms').where({ id: d.firmId }).first('id', 'uscc', 'name', 'stage')) as FirmRef;
    const v = officialValues(kind, d.data);
    if ('error' in v) throw new ValidationError({}, `第 ${d.line} 行：${v.error}`);
    const plan = await planRow(trx, kind, batch.year, v, firm);
    if (plan.action === 'unchanged') continue;
    if (plan.action === 'refuse') throw new ValidationError({}, `第 ${d.line} 行：${plan.reason}（名单未导入，请重新核对）`);
    await service.applyOfficialRow(trx, d.firmId, { kind, year: batch.year, date: v.date, number: v.number }, batch.id, ctx, at);
    written++;
  }
  return written;
}
