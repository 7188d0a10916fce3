/**
 * The two heavy steps of a list import, written to run on their own database connection (a
 * worker thread, so the web process keeps answering):
 * - preview: read the whole file through the confirmed mapping, match each row to a known firm
 *   (by credit code, or by an exact normalised name when the code is unusable), and stage every
 *   row with its verdict and reason;
 * - commit: turn the accepted rows into list entries, create candidate firms for new codes, and
 *   supersede the previous list of the same kind and year — all in one transaction, so a failure
 *   or a killed process leaves the database exactly as before.
 */
import type { Knex } from 'knex';
import type { Actor } from '../../domain/actor.js';
import { normalizeFirmName } from '../../domain/firm-name.js';
import { importKindLabel, isFirmDataImportKind, isOfficialImportKind, listKindLabel } from '../../domain/list-kinds.js';
import { matchOfficialRow } from '../../domain/official-lists.js';
import { unitSlip } from '../../domain/figure-checks.js';
import { coversPark } from '../../domain/permissions.js';
import { insertChunked, insertMany, PG_BULK_ROWS } from '../../db/insert-chunked.js';
import { isPostgres } from '../../db/dialect.js';
import { nowIso } from '../../lib/dates.js';
import { log } from '../../lib/log.js';
import { ConflictError } from '../../lib/errors.js';
import { appendAudit, auditRow } from '../audit/audit.queries.js';
import { markListAggregatesStale } from './overlap-snapshot.queries.js';
import { REGISTERED_OUT_OF_SCOPE } from '../firms/firm-scope.js';
import { refreshScaleClasses } from '../firms/firms.queries.js';
import { areaNamesForMatching } from '../parks/parks.queries.js';
import { stageEventRow } from '../stages/stage-events.queries.js';
import { columnLabels, rawByHeader, readRow } from './import-rows.js';
import { AMOUNT_FIELDS, FIELD_LABELS, type FieldKey } from './parsing/columns.js';
import { formatWan } from '../../lib/money.js';
import { type Batch, findBatch, stagedRows, type StagedRow } from './imports.queries.js';
import type { EntryDraft, ImportSteps } from './kind-steps.js';
import { openTable } from './parsing/index.js';
import type { RawRow } from './parsing/types.js';

/** preview: rows read; commit: accepted rows read; stage: entries staged; publish: the final transaction has begun. */
export type Progress = (phase: 'preview' | 'commit' | 'stage' | 'publish', processed: number) => Promise<void> | void;

export interface JobContext {
  actor: Actor;
  ip: string | null;
  filePath: string;
}

export interface PreviewCounts {
  total: number;
  matched: number;
  nameMatched: number;
  created: number;
  rejected: number;
  /** Accepted rows with a warning to check (a unit slip, R&D above revenue). */
  flagged: number;
}

const CHUNK = 1000;

const messages = {
  duplicate: (line: number) => `与第 ${line} 行重复（同一企业）。`,
  duplicatePatent: (line: number) => `与第 ${line} 行重复（同一企业、同一专利号）。`,
  parkUnknown: (name: string) => `园区“${name}”不在系统的园区/平台列表中，请核对名称（或请管理员补充园区）。`,
  townUnknown: (name: string) => `属地“${name}”不在系统的街道/镇/乡列表中，请核对名称（或请管理员补充）。`,
  // Issue 8 item 13: of a firm outside the user's parks and towns, only that it is registered.
  outOfScope: `${REGISTERED_OUT_OF_SCOPE.replace('该信用代码', '该企业').replace(/。$/, '')}，不能由你导入。`,
  nameOutOfScope: (problem: string) => `${problem.replace(/。$/, '')}；按名称查到的企业已登记，不在你的负责范围，不能由你导入。`,
  newNeedsName: '新企业缺少企业名称。',
  newNeedsPark: '新企业须填写你负责的园区或属地（街道/镇/乡）。',
  unitSlip: (label: string, value: number, previous: number, year: number) =>
    `${label} ${formatWan(value)} 万元，约为 ${year} 年（${formatWan(previous)} 万元）的 ${value > previous ? `${Math.round(value / previous).toLocaleString('en-US')} 倍` : `${Math.round(previous / value).toLocaleString('en-US')} 分之一`}，请核对金额单位（元/万元）。`,
  figuresNeedFirm: (label: string) => `未登记的企业：${label}只能导入已登记的企业（可先导入名单或新增企业）。`,
  nameNoMatch: (problem: string) => `${problem.replace(/。$/, '')}；企业名称也未能对应到已登记的企业。`,
  nameAmbiguous: (problem: string) => `${problem.replace(/。$/, '')}；系统中有不止一家同名企业，无法按名称对应。`,
} as const;

function normalizeParkName(name: string): string {
  return normalizeFirmName(name);
}

/**
 * Active parks (or towns) by every name a list may use: current name, code, an earlier name (a
 * renamed park keeps its old ones), a merged park's names (→ the park it went into). A retired
 * park that went nowhere is refused like an unknown one. The first name wins: a current name is
 * never shadowed by another area's former one.
 */
async function areaLookup(db: Knex, type: 'park' | 'town'): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (const a of await areaNamesForMatching(db, type)) {
    const key = normalizeParkName(a.name);
    if (key && !map.has(key)) map.set(key, a.id);
  }
  return map;
}

/** The annual_figures column an imported amount is compared with (the firm's previous year). */
function figureColumnOf(field: string): string | null {
  return FIGURE_COLUMNS[field]?.x100 ? null : (FIGURE_COLUMNS[field]?.column ?? null);
}

interface Pending {
  uscc: string | null;
  usccProblem: string | null;
  name: string | null;
  nameNorm: string | null;
  park: string | null;
  town: string | null;
  values: Record<string, unknown>;
  warnings: string[];
  /** The cells as read; turned into raw (rawByHeader) only for the rows that keep it. */
  row: RawRow;
}

export async function runPreview(db: Knex, batchId: number, ctx: JobContext, steps: ImportSteps, progress?: Progress): Promise<PreviewCounts> {
  const batch = await findBatch(db, batchId);
  if (!batch || !batch.mapping) throw new Error(`batch ${batchId} is not ready for a preview`);
  const mapping = batch.mapping;
  const sheet = typeof batch.sourceInfo?.sheet === 'string' ? batch.sourceInfo.sheet : undefined;
  await db('import_rows').where({ batch_id: batchId }).del();

  const parks = await areaLookup(db, 'park');
  const towns = await areaLookup(db, 'town');
  const counts: PreviewCounts = { total: 0, matched: 0, nameMatched: 0, created: 0, rejected: 0, flagged: 0 };
  // Amount columns compared with the firm's previous year, to catch a unit slip (issue 8 item 2).
  const compared = [...new Set(mapping.filter((m) => m && AMOUNT_FIELDS.has(m.field) && figureColumnOf(m.field)).map((m) => m!.field))];
  const seen = new Map<string, number>();
  const isPatentList = batch.kind === 'patent' && mapping.some((m) => m?.field === 'patent_no');
  const kindPreview = batch.kind === 'rd_structure' ? steps.rdStructure.preview(db, batch) : undefined;
  const table = await openTable(ctx.filePath, sheet ? { sheet } : {});
  const labels = columnLabels(table.header.columns);
  let pending: Pending[] = [];
  let staged: Record<string, unknown>[] = [];

  const reject = (row: RawRow, reason: string, uscc: string | null = null, name: string | null = null) => {
    counts.rejected++;
    staged.push({ batch_id: batchId, line: row.line, status: 'rejected', reason, uscc, name, raw: JSON.stringify(rawByHeader(row, labels)), data: null });
  };

  const resolve = async () => {
    const codes = [...new Set(pending.map((p) => p.uscc).filter((c): c is string => c !== null))];
    type Known = { id: number; uscc: string; park_id: number | null; town_id: number | null; name: string; stage: string };
    // An official result list (issue 10 item 2) falls back on the name also when its code is not registered.
    const official = isOfficialImportKind(batch.kind) ? batch.kind : null;
    const byCode = new Map<string, Known>();
    for (let i = 0; i < codes.length; i += 500) {
      const rows = (await db('firms').whereIn('uscc', codes.slice(i, i + 500)).select('id', 'uscc', 'park_id', 'town_id', 'name', 'stage')) as Known[];
      for (const r of rows) byCode.set(r.uscc, r);
    }
    const names = [...new Set(pending.filter((p) => (p.uscc === null || (official && !byCode.has(p.uscc))) && p.nameNorm).map((p) => p.nameNorm!))];
    const byName = new Map<string, Known[]>();
    for (let i = 0; i < names.length; i += 500) {
      const rows = (await db('firms').whereIn('name_norm', names.slice(i, i + 500)).select('id', 'uscc', 'park_id', 'town_id', 'name', 'stage', 'name_norm')) as (Known & { name_norm: string })[];
      for (const r of rows) byName.set(r.name_norm, [...(byName.get(r.name_norm) ?? []), r]);
    }
    const inScope = (f: Known) => coversPark(ctx.actor, f.park_id, f.town_id);
    // The previous year's figures of the firms found, for the amounts compared.
    const previous = new Map<number, Record<string, unknown>>();
    if (compared.length) {
      const ids = [...new Set([...byCode.values(), ...[...byName.values()].flat()].map((f) => f.id))];
      const columns = compared.map((f) => figureColumnOf(f)!);
      for (let i = 0; i < ids.length; i += 500) {
        const rows = (await db('annual_figures').whereIn('firm_id', ids.slice(i, i + 500)).andWhere('year', batch.year - 1).select('firm_id', ...columns)) as Record<string, unknown>[];
        for (const r of rows) previous.set(Number(r.firm_id), r);
      }
    }

    for (const p of pending) {
      if (official) {
        // Code, else the normalised name (flagged); a shared name is never applied; none: the review queue.
        const candidates = (p.uscc && byCode.has(p.uscc)) || !p.nameNorm ? [] : (byName.get(p.nameNorm) ?? []);
        if (candidates.some((c) => !inScope(c))) {
          reject(p.row, messages.nameOutOfScope(''), p.uscc, p.name);
          continue;
        }
        const m = matchOfficialRow({ uscc: p.uscc, name: p.name }, { byCode: (c) => byCode.get(c) ?? null, byNameNorm: () => candidates });
        if (m.kind === 'unmatched' || m.kind === 'ambiguous') {
          reject(p.row, m.note, p.uscc, p.name);
          continue;
        }
        const found = m.firm as Known;
        if (!inScope(found)) {
          reject(p.row, messages.outOfScope, p.uscc, p.name);
          continue;
        }
        const v = steps.official.read(official, p.values);
        if ('error' in v) {
          reject(p.row, v.error, p.uscc, p.name);
          continue;
        }
        const key = `F${found.id}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          reject(p.row, messages.duplicate(earlier), p.uscc, p.name);
          continue;
        }
        seen.set(key, p.row.line);
        const plan = await steps.official.plan(db, official, batch.year, v, found);
        if (plan.action !== 'record') {
          reject(p.row, plan.action === 'refuse' ? plan.reason : `无需导入：${plan.what}。`, p.uscc, p.name);
          continue;
        }
        if (m.kind === 'code') counts.matched++;
        else counts.nameMatched++;
        counts.flagged++; // shown in the preview's list of what will be recorded
        staged.push({
          batch_id: batchId,
          line: p.row.line,
          status: m.kind === 'code' ? 'match' : 'name_match',
          reason: m.kind === 'name' ? m.note : null,
          uscc: found.uscc,
          name: p.name,
          firm_id: found.id,
          park_id: null,
          town_id: null,
          // What the commit will record and the stage move that follows, shown in the preview.
          warning: plan.text,
          raw: m.kind === 'name' ? JSON.stringify(rawByHeader(p.row, labels)) : '{}',
          data: JSON.stringify(p.values),
        });
        continue;
      }
      let firm: Known | null = null;
      let uscc = p.uscc;
      let status: 'match' | 'name_match' | 'new';
      if (uscc) {
        firm = byCode.get(uscc) ?? null;
        status = firm ? 'match' : 'new';
      } else {
        const candidates = p.nameNorm ? (byName.get(p.nameNorm) ?? []) : [];
        // A scoped user learns of firms outside their parks and towns only that one is registered
        // (issue 8 item 13): not how many share the name, nor which.
        if (candidates.some((c) => !inScope(c))) {
          reject(p.row, messages.nameOutOfScope(p.usccProblem ?? ''), null, p.name);
          continue;
        }
        if (candidates.length !== 1) {
          reject(p.row, (candidates.length === 0 ? messages.nameNoMatch : messages.nameAmbiguous)(p.usccProblem ?? ''), null, p.name);
          continue;
        }
        firm = candidates[0]!;
        uscc = candidates[0]!.uscc;
        status = 'name_match';
      }
      let parkId: number | null = null;
      if (p.park) {
        parkId = parks.get(normalizeParkName(p.park)) ?? null;
        if (parkId === null) {
          reject(p.row, messages.parkUnknown(p.park), uscc, p.name);
          continue;
        }
      }
      let townId: number | null = null;
      if (p.town) {
        townId = towns.get(normalizeParkName(p.town)) ?? null;
        if (townId === null) {
          reject(p.row, messages.townUnknown(p.town), uscc, p.name);
          continue;
        }
      }
      if (firm && !inScope(firm)) {
        // As the file had it: a firm matched by name outside the user's parks keeps its code to itself.
        reject(p.row, messages.outOfScope, p.uscc, p.name);
        continue;
      }
      if (status === 'new' && isFirmDataImportKind(batch.kind)) {
        reject(p.row, messages.figuresNeedFirm(importKindLabel(batch.kind)), uscc, p.name);
        continue;
      }
      if (status === 'new') {
        if (!p.name) {
          reject(p.row, messages.newNeedsName, uscc, null);
          continue;
        }
        if (!coversPark(ctx.actor, parkId, townId)) {
          reject(p.row, messages.newNeedsPark, uscc, p.name);
          continue;
        }
      }
      const kindRow = firm && kindPreview ? await kindPreview.row(firm.id, p.values, p.row.line) : null;
      if (kindRow && 'reject' in kindRow) {
        reject(p.row, kindRow.reject, uscc, p.name);
        continue;
      }
      const patentNo = isPatentList && typeof p.values.patent_no === 'string' ? p.values.patent_no.replace(/\s/g, '').toUpperCase() : null;
      const key = `${firm ? `F${firm.id}` : `U${uscc}`}${patentNo ? `|${patentNo}` : ''}${kindRow?.key ? `|${kindRow.key}` : ''}`;
      const earlier = seen.get(key);
      if (earlier !== undefined && (!isPatentList || patentNo)) {
        reject(p.row, (patentNo ? messages.duplicatePatent : messages.duplicate)(earlier), uscc, p.name);
        continue;
      }
      if (earlier === undefined) seen.set(key, p.row.line);
      if (status === 'match') counts.matched++;
      else if (status === 'name_match') counts.nameMatched++;
      else counts.created++;
      const warnings = [...(kindRow ? [kindRow.note] : []), ...p.warnings];
      const before = firm ? previous.get(firm.id) : undefined;
      if (before) {
        for (const field of compared) {
          const value = p.values[field];
          const prior = before[figureColumnOf(field)!];
          if (typeof value !== 'number' || prior === null || prior === undefined) continue;
          if (unitSlip(value, Number(prior)) !== null) warnings.push(messages.unitSlip(FIELD_LABELS[field as FieldKey], value, Number(prior), batch.year - 1));
        }
      }
      if (warnings.length) counts.flagged++;
      staged.push({
        batch_id: batchId,
        line: p.row.line,
        status,
        reason: status === 'name_match' ? `按企业名称对应（${p.usccProblem ?? '信用代码无效'}）` : null,
        uscc,
        name: p.name,
        firm_id: firm?.id ?? null,
        park_id: parkId,
        town_id: townId,
        warning: warnings.length ? warnings.join(' ') : null,
        raw: status === 'name_match' ? JSON.stringify(rawByHeader(p.row, labels)) : '{}',
        data: JSON.stringify(p.values),
      });
    }
    pending = [];
    await db.transaction(async (trx) => insertChunked(trx, 'import_rows', staged));
    staged = [];
    await progress?.('preview', counts.total);
  };

  try {
    for await (const row of table.rows) {
      counts.total++;
      const read = readRow(row, mapping, batch.year);
      if (!read.ok) reject(row, read.reason);
      else pending.push({ uscc: read.uscc, usccProblem: read.usccProblem, name: read.name, nameNorm: read.nameNorm, park: read.park, town: read.town, values: read.values, warnings: read.warnings, row });
      if (pending.length + staged.length >= CHUNK) await resolve();
    }
    await resolve();
  } finally {
    await table.close();
  }
  await kindPreview?.finish(counts);
  // PostgreSQL: statistics for the rows just staged (its advice after a bulk load). Without them the
  // planner takes the batch for a handful of rows, and reading them back a page at a time in file
  // order (the preview pages, the commit) sorted the rest of the batch for every page.
  if (isPostgres(db)) await db.raw('ANALYZE import_rows (batch_id, status)').catch((err: unknown) => log.warn('import_rows not analysed after a preview', { batchId, err }));
  await db('import_batches').where({ id: batchId, status: 'previewing' }).update({
    status: 'previewed',
    rows_total: counts.total,
    rows_matched: counts.matched,
    rows_name_matched: counts.nameMatched,
    rows_new: counts.created,
    rows_rejected: counts.rejected,
    rows_flagged: counts.flagged,
    error: null,
    version: batch.version + 1,
  });
  return counts;
}

/** Several rows of one firm (a patent list has one row per patent) become one entry. */
function mergeInto(draft: EntryDraft, row: StagedRow): void {
  const data = row.data ?? {};
  if (typeof data.patent_no === 'string') {
    const list = (draft.data.patent_nos as string[] | undefined) ?? [];
    if (list.length < 200) list.push(data.patent_no);
    draft.data.patent_nos = list;
    draft.data.patent_rows = ((draft.data.patent_rows as number | undefined) ?? 0) + 1;
    // Each patent as the row gave it, for the IP register (kept out of the entry's data).
    (draft.patents ??= []).push({ number: data.patent_no, type: data.patent_type, title: data.patent_name, grantDate: data.grant_date });
    if (typeof data.patent_type === 'string') {
      const types = (draft.data.patent_types as Record<string, number> | undefined) ?? {};
      types[data.patent_type] = (types[data.patent_type] ?? 0) + 1;
      draft.data.patent_types = types;
    }
  }
}

function draftOf(row: StagedRow): EntryDraft {
  const { patent_no: _no, patent_type: _type, patent_name: _name, grant_date: _date, ...rest } = row.data ?? {};
  const draft: EntryDraft = { firmId: row.firmId, uscc: row.uscc!, name: row.name, parkId: row.parkId, townId: row.townId, line: row.line, nameMatched: row.status === 'name_match', data: rest };
  mergeInto(draft, row);
  return draft;
}

export interface CommitResult {
  entries: number;
  createdFirms: number;
  superseded: number[];
  /** How the batch applied to the list it superseded, and how many of its entries an append kept. */
  mode?: 'replace' | 'append';
  carried?: number;
}

/** The entries of the superseded batches whose firm this batch does not list, copied into it (one statement). */
async function carryOver(trx: Knex.Transaction, batchId: number, fromBatchIds: number[]): Promise<number> {
  const placeholders = fromBatchIds.map(() => '?').join(', ');
  const from = `FROM list_entries e WHERE e.batch_id IN (${placeholders})
       AND NOT EXISTS (SELECT 1 FROM list_entries n WHERE n.batch_id = ? AND n.firm_id = e.firm_id)`;
  const counted = (await trx.raw(`SELECT count(*) AS n ${from}`, [...fromBatchIds, batchId])) as { rows?: { n: string }[] } | { n: number }[];
  const n = Number((Array.isArray(counted) ? counted[0]?.n : counted.rows?.[0]?.n) ?? 0);
  if (n > 0) {
    await trx.raw(`INSERT INTO list_entries (batch_id, firm_id, kind, year, is_current, line, name_matched, data)
     SELECT ?, e.firm_id, e.kind, e.year, ?, e.line, e.name_matched, e.data ${from}`, [batchId, true, ...fromBatchIds, batchId]);
  }
  return n;
}

/**
 * Entries staged per short transaction. SQLite: each holds the write lock for tens of milliseconds.
 * PostgreSQL blocks no reader or writer while staging (MVCC, no lock others wait for), so its chunks
 * are larger: fewer transactions to commit and fewer statements.
 */
const stageChunk = (db: Knex) => (isPostgres(db) ? 10_000 : 2000);

/** Firm ids by credit code (those registered): SQLite in IN lists of 500; PostgreSQL as one array per PG_BULK_ROWS codes. */
async function firmIdsByUscc(db: Knex, codes: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const size = isPostgres(db) ? PG_BULK_ROWS : 500;
  for (let i = 0; i < codes.length; i += size) {
    const chunk = codes.slice(i, i + size);
    const q = db('firms').select('id', 'uscc');
    const rows = (await (isPostgres(db) ? q.whereRaw('uscc = ANY(?)', [chunk]) : q.whereIn('uscc', chunk))) as { id: number; uscc: string }[];
    for (const r of rows) ids.set(r.uscc, r.id);
  }
  return ids;
}

/** Lets other connections take the write lock between two staging transactions. */
const breathe = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

/**
 * A kind whose commit replaces the list pipeline: official result lists write the certification
 * register, annual figures the firms' figures, instead of list entries. Each runs in one
 * transaction with the batch's own bookkeeping.
 */
function ownCommit(batch: Batch, steps: ImportSteps): ((trx: Knex.Transaction, drafts: EntryDraft[], ctx: JobContext, at: string) => Promise<number>) | null {
  if (isOfficialImportKind(batch.kind)) return (trx, drafts, ctx, at) => steps.official.commit(trx, batch, drafts, ctx, at);
  if (batch.kind === 'annual_figures') return (trx, drafts, ctx, at) => commitFigures(trx, batch, drafts, ctx, at, steps);
  // Issue 12 item 2: the 研发费用结构明细表, written by the rd-structure feature from the staged rows.
  if (batch.kind === 'rd_structure') return (trx, _drafts, ctx, at) => steps.rdStructure.commit(trx, batch, ctx, at);
  return null;
}

/** Write first: on SQLite this takes the write lock at once (no SQLITE_BUSY_SNAPSHOT later); then the batch must still be committing. */
async function lockBatch(trx: Knex.Transaction, batchId: number): Promise<void> {
  const n = await trx('import_batches').where({ id: batchId, status: 'committing' }).update({ error: null });
  if (n !== 1) throw new Error(`batch ${batchId} is not being committed`);
}

/** The accepted rows, one draft per firm (or new code), read without a lock. */
async function readDrafts(db: Knex, batchId: number, progress?: Progress): Promise<EntryDraft[]> {
  const drafts = new Map<string, EntryDraft>();
  let processed = 0;
  for (let after = 0; ; ) {
    const rows = await stagedRows(db, batchId, ['match', 'name_match', 'new'], after, 2000);
    if (rows.length === 0) break;
    for (const row of rows) {
      const key = row.firmId ? `F${row.firmId}` : `U${row.uscc}`;
      const draft = drafts.get(key);
      if (draft) mergeInto(draft, row);
      else drafts.set(key, draftOf(row));
    }
    after = rows[rows.length - 1]!.id;
    processed += rows.length;
    await progress?.('commit', processed);
  }
  return [...drafts.values()];
}

const entryRow = (batch: Batch, isCurrent: boolean) => (d: EntryDraft) => ({
  batch_id: batch.id,
  firm_id: d.firmId,
  kind: batch.kind,
  year: batch.year,
  is_current: isCurrent,
  line: d.line,
  name_matched: d.nameMatched,
  data: JSON.stringify(d.data),
});

/**
 * Entries a commit staged but did not publish (a killed or failed commit): they never counted —
 * not current, their batch never committed — and go before the next try, or when the batch is
 * marked interrupted or discarded.
 */
export async function clearStagedEntries(db: Knex, batchId: number): Promise<void> {
  await db('list_entries').where({ batch_id: batchId, is_current: false }).whereNotExists(db('import_batches').where({ id: batchId }).whereIn('status', ['committed', 'superseded', 'reverted'])).del();
}

/**
 * Commit a previewed batch (issue 8 item 5). All or nothing for the user, without holding the write
 * lock for seconds:
 * 1. read the accepted rows and check the user's scope (no lock);
 * 2. stage the entries of registered firms, not current, in short transactions (stageChunk rows),
 *    letting other writers in between — nobody reads them: they are not current and the batch is
 *    提交中;
 * 3. publish in one short transaction: create the new firms (with their entries, events and audit),
 *    supersede the previous list (or carry it over, for 追加), make the staged entries current, mark
 *    the batch committed. A failure or a killed process anywhere leaves the lists as they were; the
 *    staged entries are removed on the next try, or when the batch is marked interrupted.
 */
export async function runCommit(db: Knex, batchId: number, ctx: JobContext, steps: ImportSteps, progress?: Progress): Promise<CommitResult> {
  const batch = await findBatch(db, batchId);
  if (!batch || batch.status !== 'committing') throw new Error(`batch ${batchId} is not being committed`);
  const drafts = await readDrafts(db, batchId, progress);

  // A caseworker limited to some parks or towns commits only firms of those, whoever ran the preview.
  if (ctx.actor.parkIds !== null) await assertInScope(db, drafts, ctx.actor);
  const commit = ownCommit(batch, steps);
  if (commit) {
    return db.transaction(async (trx) => {
      await lockBatch(trx, batch.id);
      const at = nowIso();
      const result = { entries: await commit(trx, drafts, ctx, at), createdFirms: 0, superseded: [] };
      await finishBatch(trx, batch, ctx, at, result);
      return result;
    });
  }
  // …and never replaces a committed list (the county-wide one): checked here and again when publishing.
  await assertMayReplace(db, batch, ctx);

  // Stage: the registered firms' entries, a chunk per transaction.
  await clearStagedEntries(db, batch.id);
  const known = drafts.filter((d) => d.firmId !== null);
  const chunk = stageChunk(db);
  for (let i = 0; i < known.length; i += chunk) {
    await db.transaction(async (trx) => {
      await lockBatch(trx, batch.id);
      await insertMany(trx, 'list_entries', known.slice(i, i + chunk), entryRow(batch, false));
    });
    await progress?.('stage', Math.min(i + chunk, known.length));
    await breathe();
  }
  const fresh = drafts.filter((d) => d.firmId === null);

  return db.transaction(async (trx) => {
    await lockBatch(trx, batch.id);
    await progress?.('publish', drafts.length);
    await assertMayReplace(trx, batch, ctx);
    const at = nowIso();

    // New codes: someone may have registered a firm since the preview; then it is simply a match.
    const existing = await firmIdsByUscc(trx, fresh.map((d) => d.uscc));
    const toCreate = fresh.filter((d) => !existing.has(d.uscc));
    const registeredSince = fresh.filter((d) => existing.has(d.uscc));
    for (const d of registeredSince) d.firmId = existing.get(d.uscc)!;
    if (ctx.actor.parkIds !== null && registeredSince.length) await assertInScope(trx, registeredSince, ctx.actor);
    const created = await insertMany(
      trx,
      'firms',
      toCreate,
      (d) => ({
        uscc: d.uscc,
        name: d.name,
        name_norm: normalizeFirmName(d.name!),
        park_id: d.parkId,
        town_id: d.townId,
        stage: 'candidate',
        version: 1,
        created_at: at,
        updated_at: at,
      }),
      { returning: ['id', 'uscc'] },
    );
    // PostgreSQL returned the new ids; SQLite's are read back by code.
    const createdIds = isPostgres(trx) ? new Map(created.map((r) => [r.uscc as string, Number(r.id)])) : await firmIdsByUscc(trx, toCreate.map((d) => d.uscc));
    for (const d of toCreate) d.firmId = createdIds.get(d.uscc)!;
    const reason = `由${listKindLabel(batch.kind)}名单（${batch.year}年，批次 #${batch.id}）导入`;
    await insertMany(trx, 'audit_log', toCreate, (d) =>
      auditRow(ctx, { action: 'firm.create', objectType: 'firm', objectId: d.uscc, after: { uscc: d.uscc, name: d.name, parkId: d.parkId, ...(d.townId !== null ? { townId: d.townId } : {}), stage: 'candidate', batchId: batch.id } }, at),
    );
    // The revert finds the firms a batch created by these details (imports.service.ts).
    await insertMany(trx, 'stage_events', toCreate, (d) =>
      stageEventRow({ firmId: d.firmId!, fromStage: null, toStage: 'candidate', reasonCode: null, reason, details: { batchId: batch.id }, source: 'import', actorId: ctx.actor.id, at }),
    );

    const previous = (await trx('import_batches')
      .where({ kind: batch.kind, year: batch.year, status: 'committed' })
      .whereNot('id', batch.id)
      .select('id')) as { id: number }[];
    const supersededIds = previous.map((p) => p.id);
    if (supersededIds.length) {
      await trx('list_entries').whereIn('batch_id', supersededIds).update({ is_current: false });
      await trx('import_batches').whereIn('id', supersededIds).update({ status: 'superseded', superseded_by: batch.id, superseded_at: at });
    }

    await markListAggregatesStale(trx);
    // The entries of firms created or registered just now, then the staged ones made current.
    await insertMany(trx, 'list_entries', fresh, entryRow(batch, true));
    await trx('list_entries').where({ batch_id: batch.id, is_current: false }).update({ is_current: true });

    // 追加 (issue 11 item 1): the superseded list's firms that are not in this file stay on the list,
    // carried into this batch as they were; reverting it restores the earlier batch exactly.
    let carried = 0;
    if (batch.commitMode === 'append' && supersededIds.length) carried = await carryOver(trx, batch.id, supersededIds);

    if (batch.kind === 'patent') await steps.afterPatentsPublished(trx, batch, drafts, ctx, at);
    const result = { entries: drafts.length + carried, createdFirms: toCreate.length, superseded: supersededIds, ...(batch.commitMode ? { mode: batch.commitMode, carried } : {}) };
    await finishBatch(trx, batch, ctx, at, result);
    return result;
  });
}

/** A scoped user's batch may add to a committed list (追加), never replace it. */
async function assertMayReplace(db: Knex, batch: Batch, ctx: JobContext): Promise<void> {
  if (ctx.actor.parkIds === null || batch.commitMode === 'append') return;
  const current = (await db('import_batches').where({ kind: batch.kind, year: batch.year, status: 'committed' }).whereNot('id', batch.id).first('id')) as { id: number } | undefined;
  if (current) throw new ScopedReplaceError(current.id);
}

/** A 409 AppError: the runner shows its message on the batch page (failureMessage). */
export class OutOfScopeError extends ConflictError {
  constructor() {
    super('OUT_OF_SCOPE', '本批次含有不在你负责范围（园区或街道/镇/乡）的企业（核对由他人完成），不能由你提交。请重新核对列对应后再提交，或请管理员提交。');
  }
}

/** A 409 AppError as well: shown on the batch page, nothing changed. */
export class ScopedReplaceError extends ConflictError {
  constructor(currentId: number) {
    super('REPLACE_SCOPED', `本年度该名单已有生效批次 #${currentId}（全县），只能由管理员或不限园区的业务员替换。`);
  }
}

async function assertInScope(trx: Knex, drafts: EntryDraft[], actor: JobContext['actor']): Promise<void> {
  const ids = drafts.map((d) => d.firmId).filter((id): id is number => id !== null);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await trx('firms').whereIn('id', ids.slice(i, i + 500)).select('park_id', 'town_id')) as { park_id: number | null; town_id: number | null }[];
    if (rows.some((r) => !coversPark(actor, r.park_id, r.town_id))) throw new OutOfScopeError();
  }
  if (drafts.some((d) => d.firmId === null && !coversPark(actor, d.parkId, d.townId))) throw new OutOfScopeError();
}

async function finishBatch(trx: Knex.Transaction, batch: Batch, ctx: JobContext, at: string, result: CommitResult): Promise<void> {
  const done = await trx('import_batches')
    .where({ id: batch.id, status: 'committing' })
    .update({ status: 'committed', committed_by: ctx.actor.id, committed_at: at, version: batch.version + 1 });
  if (done !== 1) throw new Error(`batch ${batch.id} changed during the commit`);
  await appendAudit(
    trx,
    { actor: ctx.actor, ip: ctx.ip },
    {
      action: 'import.commit',
      objectType: 'import_batch',
      objectId: String(batch.id),
      after: { kind: batch.kind, year: batch.year, fileName: batch.fileName, ...result },
    },
    at,
  );
}

/** Imported field → annual_figures column (head counts are kept ×100). */
const FIGURE_COLUMNS: Partial<Record<string, { column: string; x100?: boolean }>> = {
  revenue: { column: 'sales_revenue' },
  main_revenue: { column: 'main_revenue' },
  total_income: { column: 'total_income' },
  non_taxable_income: { column: 'non_taxable_income' },
  hitech_income: { column: 'hitech_income' },
  total_cost: { column: 'total_cost' },
  rd_expense: { column: 'rd_expense' },
  rd_domestic: { column: 'rd_domestic' },
  rd_outsourced: { column: 'rd_outsourced' },
  // Since 2023 the super-deduction is 100% of the eligible R&D (公告2023年第7号): the deduction is that basis.
  rd_deduction: { column: 'rd_deductible' },
  staff: { column: 'staff_total_x100', x100: true },
  tech_staff: { column: 'tech_staff_x100', x100: true },
  total_assets: { column: 'total_assets' },
  net_assets: { column: 'net_assets' },
  ip_class1: { column: 'ip_class1' },
  invention_count: { column: 'ip_class1' },
  ip_class2: { column: 'ip_class2' },
  conversions: { column: 'conversions' },
  standards_led: { column: 'standards_led' },
};

/**
 * Annual figures into annual_figures (year = the batch's year): cells present in the file replace
 * the stored value, empty cells leave it; each firm's changes go to the audit log; eligibility
 * summaries are refreshed.
 */
async function commitFigures(trx: Knex.Transaction, batch: Batch, drafts: EntryDraft[], ctx: JobContext, at: string, steps: ImportSteps): Promise<number> {
  let written = 0;
  for (let i = 0; i < drafts.length; i += 500) {
    const chunk = drafts.slice(i, i + 500);
    const ids = chunk.map((d) => d.firmId!);
    const existing = new Map(((await trx('annual_figures').whereIn('firm_id', ids).andWhere('year', batch.year)) as Record<string, unknown>[]).map((r) => [r.firm_id as number, r]));
    // The code as it is now, not as staged: a firm's code may have been corrected since the preview.
    const firms = new Map(((await trx('firms').whereIn('id', ids).select('id', 'uscc')) as { id: number; uscc: string }[]).map((f) => [f.id, f.uscc]));
    const inserts: Record<string, unknown>[] = [];
    const audits: Record<string, unknown>[] = [];
    for (const d of chunk) {
      const cols: Record<string, number> = {};
      for (const [field, value] of Object.entries(d.data)) {
        const target = FIGURE_COLUMNS[field];
        if (!target || typeof value !== 'number' || (field === 'invention_count' && 'ip_class1' in d.data)) continue;
        cols[target.column] = target.x100 ? Math.round(value * 100) : value;
      }
      if (Object.keys(cols).length === 0) continue;
      const before = existing.get(d.firmId!);
      const changed = Object.keys(cols).filter((c) => (before?.[c] === null || before?.[c] === undefined ? null : Number(before[c])) !== cols[c]);
      if (before && changed.length === 0) continue;
      // Updates carry each row's own columns and version, so they stay one statement each.
      if (before) await trx('annual_figures').where({ id: before.id }).update({ ...cols, version: Number(before.version) + 1, updated_at: at });
      else inserts.push({ firm_id: d.firmId, year: batch.year, ...cols, version: 1, updated_at: at });
      written++;
      audits.push(
        auditRow(
          ctx,
          {
            action: 'figures.import',
            objectType: 'firm',
            objectId: firms.get(d.firmId!) ?? null,
            before: { year: batch.year, batchId: batch.id, ...Object.fromEntries(changed.map((c) => [c, before?.[c] ?? null])) },
            after: { year: batch.year, batchId: batch.id, ...Object.fromEntries(changed.map((c) => [c, cols[c]])) },
          },
          at,
        ),
      );
    }
    await insertChunked(trx, 'annual_figures', inserts);
    await insertChunked(trx, 'audit_log', audits);
    await steps.refreshEligibility(trx, ids);
    await refreshScaleClasses(trx, ids);
  }
  return written;
}
