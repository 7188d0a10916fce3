/**
 * The 研发费用结构明细表 import (issue 12 item 2) through the list pipeline: one row per firm and year, or one per
 * R&D project (项目编号) whose sum is the year's structure. The rows are checked with the forms' own functions
 * (domain checkRdAmounts / checkRdProject); the preview says per row what will be written; the commit writes
 * through this feature's queries in the batch's transaction. A firm-year in the file replaces that firm-year's
 * R&D data as a whole: a year row drops its projects, project rows become its projects.
 */
import type { Knex } from 'knex';
import type { WriteContext } from '../../domain/actor.js';
import { parseUscc } from '../../domain/uscc.js';
import {
  checkRdAmounts, checkRdProject, computeRdStructure, normalizeRdCode, RD_AMOUNT_KEYS, RD_MESSAGES, type RdAmountKey, type RdAmounts, type RdProjectInput, type RdStructureInput, sumRdProjects,
} from '../../domain/eligibility/rd-structure.js';
import { formatWan } from '../../lib/money.js';
import { auditRow } from '../audit/audit.queries.js';
import { insertChunked } from '../../db/insert-chunked.js';
import type { EligibilityRefresh } from '../eligibility/input-writes.js';
import { figuresOfYear } from '../figures/figures.queries.js';
import { findFirmsByUscc } from '../firms/firms.queries.js';
import { columnLabels } from '../lists/import-rows.js';
import { type Batch, refuseStagedRows, setStagedWarning, stagedRows } from '../lists/imports.queries.js';
import type { PreviewCounts } from '../lists/import-job.js';
import type { FieldKey } from '../lists/parsing/columns.js';
import { RD_CATEGORIES, rdProjectsOfYear, rdStructureOfYear, replaceRdProjects, replaceRdYear, syncRdYearFromProjects } from './rd-structure.queries.js';

/** The imported field of each category. */
export const RD_IMPORT_FIELDS: Readonly<Record<RdAmountKey, FieldKey>> = {
  personnel: 'rd_personnel',
  direct: 'rd_direct',
  depreciation: 'rd_depreciation',
  amortization: 'rd_amortization',
  design: 'rd_design',
  equipment: 'rd_equipment',
  outsourcedDomestic: 'rd_outsourced_domestic',
  outsourcedForeign: 'rd_outsourced_foreign',
  other: 'rd_other',
};
const LABEL: Record<string, string> = {
  ...Object.fromEntries(RD_CATEGORIES.map((c) => [c.key, c.label.replace(/^（\d）/, '')])),
  typedTotal: '研发费用合计',
  code: '项目编号',
  name: '项目名称',
  startDate: '项目开始日期',
  endDate: '项目结束日期',
  budget: '项目预算',
};

const messages = {
  outsourcedUnsplit: '委托外部研究开发费用须分“境内”“境外”两列填写（高企口径只计境内，境外另有限额）。',
  empty: '本行没有研发费用金额。',
  projectWithoutCode: '填写了研发项目的内容，但缺少项目编号（RD01、RD02…）。',
  codeRepeated: (code: string, line: number) => `项目编号 ${code} 与第 ${line} 行重复（同一企业同一年度）。`,
  mixed: (line: number) => `同一企业同一年度，第 ${line} 行按研发项目填写：不能再有不填项目编号的年度行（年度结构为各项目合计）。`,
  mixedYear: (line: number) => `同一企业同一年度，第 ${line} 行已是年度合计行：不能再按研发项目填写。`,
  withFirmYear: (line: number) => `同一企业同一年度的第 ${line} 行被拒绝，本行也不导入（年度结构须由全部项目合计）。`,
  typedDiffers: (sum: string, typed: string) => `请核对：按结构计算的高企口径研发费用 ${sum} 万元，与年度指标中录入的研发费用 ${typed} 万元不符（导入后条件对照按结构计算）。`,
} as const;

export type RdImportRow = { ok: true; project: RdProjectInput | null; amounts: RdAmounts; typedTotal: number | null } | { ok: false; reason: string };

function isoDate(v: unknown): string | null | false {
  if (v === undefined || v === null || v === '') return null;
  const m = /^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$/.exec(String(v));
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : false;
}

/** One staged row's values (amounts already in 元, the header's unit applied) as a year structure or a project. */
export function readRdImportRow(values: Record<string, unknown>): RdImportRow {
  // The list reader rounds amounts to the 元 and names the first category it had to round (import-rows.ts).
  if (typeof values.rd_inexact === 'string') return { ok: false, reason: `${values.rd_inexact}：${RD_MESSAGES.notWhole}` };
  const num = (f: string) => (typeof values[f] === 'number' ? (values[f] as number) : undefined);
  const present = RD_AMOUNT_KEYS.some((k) => num(RD_IMPORT_FIELDS[k]) !== undefined);
  if (num('rd_outsourced') !== undefined && num('rd_outsourced_domestic') === undefined && num('rd_outsourced_foreign') === undefined) return { ok: false, reason: messages.outsourcedUnsplit };
  const typedTotal = num('rd_expense') ?? null;
  if (!present && typedTotal === null) return { ok: false, reason: messages.empty };
  const amounts = Object.fromEntries(RD_AMOUNT_KEYS.map((k) => [k, num(RD_IMPORT_FIELDS[k]) ?? 0])) as RdAmounts;
  const first = (errors: Record<string, string>) => {
    const e = Object.entries(errors)[0];
    return e ? `${LABEL[e[0]] ?? e[0]}：${e[1]}` : null;
  };
  const amountError = first(checkRdAmounts(amounts, typedTotal));
  if (amountError) return { ok: false, reason: amountError };
  const codeText = typeof values.rd_project_code === 'string' ? values.rd_project_code : '';
  const projectish = ['rd_project_name', 'rd_project_start', 'rd_project_end', 'rd_project_budget', 'rd_project_field'].some((f) => values[f] !== undefined);
  if (codeText === '') return projectish ? { ok: false, reason: messages.projectWithoutCode } : { ok: true, project: null, amounts, typedTotal };
  const start = isoDate(values.rd_project_start);
  const end = isoDate(values.rd_project_end);
  const text = (f: string, max: number) => (typeof values[f] === 'string' ? (values[f] as string).trim().slice(0, max) : '');
  const project: RdProjectInput = {
    code: normalizeRdCode(codeText),
    name: text('rd_project_name', 200),
    startDate: start === false ? String(values.rd_project_start) : start,
    endDate: end === false ? String(values.rd_project_end) : end,
    budget: num('rd_project_budget') ?? null,
    techField: text('rd_project_field', 100) || null,
    ...amounts,
  };
  const projectError = first(checkRdProject(project, new Set()));
  if (projectError) return { ok: false, reason: projectError };
  return { ok: true, project, amounts, typedTotal };
}

const wan = (yuan: number) => formatWan(yuan);
const actual = (a: RdAmounts) => RD_AMOUNT_KEYS.reduce((s, k) => s + a[k], 0);
const hteTotal = (s: RdStructureInput) => {
  const t = computeRdStructure(s).hte.total;
  return Number((t.num * 2n + t.den) / (t.den * 2n)); // to the nearest 元, for the comparison with a typed total
};

interface FirmYear {
  kind: 'year' | 'projects';
  firstLine: number;
  lastLine: number;
  codes: Map<string, number>;
  projects: RdAmounts[];
  refusedLine: number | null;
}

/**
 * The preview's per-row step for this kind (registered in import-job.ts): refuses what the forms refuse and what
 * would leave a year half-written, and says what each row will write. `finish` runs once after the last row.
 */
export function rdImportPreview(db: Knex, batch: Pick<Batch, 'id' | 'year' | 'mapping' | 'sourceInfo'>) {
  const year = batch.year;
  const firms = new Map<number, FirmYear>();
  const existing = new Map<number, { typed: number | null; projects: number; structured: boolean }>();
  const known = async (firmId: number) => {
    let e = existing.get(firmId);
    if (!e) {
      const [figures, projects, structure] = await Promise.all([figuresOfYear(db, firmId, year), rdProjectsOfYear(db, firmId, year), rdStructureOfYear(db, firmId, year)]);
      e = { typed: figures?.rdExpense ?? null, projects: projects.length, structured: structure !== null };
      existing.set(firmId, e);
    }
    return e;
  };
  /**
   * Project rows the list reader refused before any firm was matched (a number it could not read): their firm is
   * found from the code as the file had it, so that their firm-year is refused whole too.
   */
  const unreadProjectRows = async () => {
    const mapping = batch.mapping ?? [];
    const labels = columnLabels((batch.sourceInfo?.columns as string[] | undefined) ?? []);
    const usccLabel = labels[mapping.findIndex((m) => m?.field === 'uscc')];
    const codeLabel = labels[mapping.findIndex((m) => m?.field === 'rd_project_code')];
    if (usccLabel === undefined || codeLabel === undefined) return;
    const lines = new Map<string, number>();
    for (let after = 0; ; ) {
      const rows = await stagedRows(db, batch.id, ['rejected'], after, 2000);
      if (rows.length === 0) break;
      for (const r of rows) {
        const code = r.uscc === null && (r.raw[codeLabel] ?? '').trim() !== '' ? parseUscc(r.raw[usccLabel] ?? '') : null;
        if (code?.ok && !lines.has(code.code)) lines.set(code.code, r.line);
      }
      after = rows[rows.length - 1]!.id;
    }
    if (lines.size === 0) return;
    for (const f of await findFirmsByUscc(db, [...lines.keys()])) {
      const fy = firms.get(f.id);
      if (fy?.kind === 'projects') fy.refusedLine = Math.min(fy.refusedLine ?? Infinity, lines.get(f.uscc)!);
    }
  };

  return {
    async row(firmId: number, values: Record<string, unknown>, line: number): Promise<{ reject: string } | { key: string; note: string }> {
      const r = readRdImportRow(values);
      const fy = firms.get(firmId);
      // A refused project row takes its firm-year with it (finish): a year made of some of its projects is wrong.
      const refuse = (reason: string) => {
        const isProject = typeof values.rd_project_code === 'string' && values.rd_project_code.trim() !== '';
        if (isProject && fy?.kind === 'projects') fy.refusedLine ??= line;
        else if (isProject && !fy) firms.set(firmId, { kind: 'projects', firstLine: line, lastLine: line, codes: new Map(), projects: [], refusedLine: line });
        return { reject: reason };
      };
      if (!r.ok) return refuse(r.reason);
      const e = await known(firmId);
      if (r.project === null) {
        // A second year row of the firm is the pipeline's own duplicate (same key).
        if (fy && fy.kind === 'projects') return { reject: messages.mixed(fy.firstLine) };
        if (!fy) firms.set(firmId, { kind: 'year', firstLine: line, lastLine: line, codes: new Map(), projects: [], refusedLine: null });
        const s = { year, ...r.amounts };
        const notes = [`写入 ${year} 年研发费用结构：实际发生额合计 ${wan(actual(r.amounts))} 万元，高企口径 ${wan(hteTotal(s))} 万元。`];
        if (e.projects) notes.push(`将删除已录入的 ${e.projects} 个研发项目。`);
        else if (e.structured) notes.push('替换已录入的年度结构。');
        if (e.typed !== null && e.typed !== hteTotal(s)) notes.push(messages.typedDiffers(wan(hteTotal(s)), wan(e.typed)));
        return { key: '', note: notes.join('') };
      }
      if (fy && fy.kind === 'year') return { reject: messages.mixedYear(fy.firstLine) };
      const p = fy ?? { kind: 'projects' as const, firstLine: line, lastLine: line, codes: new Map<string, number>(), projects: [], refusedLine: null };
      firms.set(firmId, p);
      const earlier = p.codes.get(r.project.code);
      if (earlier !== undefined) return refuse(messages.codeRepeated(r.project.code, earlier));
      p.codes.set(r.project.code, line);
      p.projects.push(r.amounts);
      p.lastLine = line;
      const notes = [`写入研发项目 ${r.project.code}${r.project.name ? `“${r.project.name}”` : ''}：合计 ${wan(actual(r.amounts))} 万元（${year} 年结构为该企业本文件各项目之和）。`];
      if (p.projects.length === 1 && (e.projects || e.structured)) notes.push(e.projects ? `替换已录入的 ${e.projects} 个研发项目。` : '替换已录入的年度结构。');
      return { key: r.project.code, note: notes.join('') };
    },

    /**
     * After the last row: a firm-year with a refused project row is refused as a whole (its other rows too), and
     * the last project row of each firm-year says whether the projects' sum agrees with the typed total.
     * The preview's counts follow the rows refused here.
     */
    async finish(counts: PreviewCounts): Promise<void> {
      await unreadProjectRows();
      for (const [firmId, fy] of firms) {
        if (fy.kind !== 'projects') continue;
        if (fy.refusedLine !== null) {
          const lines = [...fy.codes.values()];
          const n = await refuseStagedRows(db, batch.id, lines, messages.withFirmYear(fy.refusedLine));
          // Every accepted row of this kind carries its note, so each was counted as flagged too.
          Object.assign(counts, { matched: counts.matched - n.match, nameMatched: counts.nameMatched - n.nameMatch, rejected: counts.rejected + n.match + n.nameMatch, flagged: counts.flagged - n.match - n.nameMatch });
          continue;
        }
        const e = existing.get(firmId);
        if (!e || e.typed === null || fy.projects.length === 0) continue;
        const total = hteTotal(sumRdProjects(year, fy.projects));
        if (total !== e.typed) await setStagedWarning(db, batch.id, fy.lastLine, messages.typedDiffers(wan(total), wan(e.typed)));
      }
    },
  };
}

/**
 * The commit: the batch's accepted rows, firm by firm, written through this feature's queries in the batch's
 * transaction, each firm's change in the audit log, the touched firms' verdicts refreshed. Returns the firms written.
 */
export async function commitRdImport(trx: Knex.Transaction, batch: Pick<Batch, 'id' | 'year'>, ctx: WriteContext, at: string, refresh: EligibilityRefresh): Promise<number> {
  const byFirm = new Map<number, { uscc: string | null; year: { amounts: RdAmounts; typedTotal: number | null } | null; projects: RdProjectInput[] }>();
  for (let after = 0; ; ) {
    const rows = await stagedRows(trx, batch.id, ['match', 'name_match'], after, 2000);
    if (rows.length === 0) break;
    for (const row of rows) {
      const r = readRdImportRow(row.data ?? {});
      // The preview refused such a row; a staged row that no longer reads is a bug, not a user's error.
      if (!r.ok || row.firmId === null) throw new Error(`batch ${batch.id} line ${row.line}: ${r.ok ? 'no firm' : r.reason}`);
      const f = byFirm.get(row.firmId) ?? { uscc: row.uscc, year: null, projects: [] };
      if (r.project) f.projects.push(r.project);
      else f.year = { amounts: r.amounts, typedTotal: r.typedTotal };
      byFirm.set(row.firmId, f);
    }
    after = rows[rows.length - 1]!.id;
  }
  const audits: Record<string, unknown>[] = [];
  for (const [firmId, f] of byFirm) {
    const [structure, projects] = await Promise.all([rdStructureOfYear(trx, firmId, batch.year), rdProjectsOfYear(trx, firmId, batch.year)]);
    const before = { year: batch.year, batchId: batch.id, structure: structure ? (Object.fromEntries(RD_AMOUNT_KEYS.map((k) => [k, structure[k]])) as RdAmounts) : null, projects: projects.map((p) => p.code) };
    let after: { year: number; batchId: number; structure: RdAmounts | RdStructureInput | null; typedTotal?: number | null; projects: string[] };
    if (f.year) {
      await replaceRdYear(trx, firmId, { year: batch.year, ...f.year.amounts }, f.year.typedTotal, at);
      after = { year: batch.year, batchId: batch.id, structure: f.year.amounts, typedTotal: f.year.typedTotal, projects: [] };
    } else {
      await replaceRdProjects(trx, firmId, batch.year, f.projects, at);
      const sum = await syncRdYearFromProjects(trx, firmId, batch.year, at);
      after = { year: batch.year, batchId: batch.id, structure: sum, projects: f.projects.map((p) => p.code) };
    }
    audits.push(auditRow(ctx, { action: 'rd_structure.import', objectType: 'firm', objectId: f.uscc, before, after }, at));
  }
  await insertChunked(trx, 'audit_log', audits);
  const ids = [...byFirm.keys()];
  for (let i = 0; i < ids.length; i += 500) await refresh(trx, ids.slice(i, i + 500));
  return byFirm.size;
}
