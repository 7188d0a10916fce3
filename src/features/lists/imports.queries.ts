/** Queries over import batches, their staged rows, list entries and remembered mappings. */
import type { Db } from '../../db/types.js';
import { importKindLabel, type ImportKindKey, isFirmDataImportKind } from '../../domain/list-kinds.js';
import type { ColumnMapping } from './import-rows.js';

export type BatchStatus =
  | 'uploaded'
  | 'previewing'
  | 'previewed'
  | 'committing'
  | 'committed'
  | 'interrupted'
  | 'failed'
  | 'superseded'
  | 'reverted'
  | 'discarded';

export const BATCH_STATUS_LABELS: Record<BatchStatus, string> = {
  uploaded: '待确认列对应',
  previewing: '预览中',
  previewed: '待提交',
  committing: '提交中',
  committed: '已生效',
  interrupted: '提交中断（未生效）',
  failed: '读取失败',
  superseded: '已被新名单取代',
  reverted: '已撤销',
  discarded: '已放弃',
};

/** Batches the uploader (or an administrator) may throw away: nothing of them counts anywhere yet. */
export const DISCARDABLE_STATUSES: readonly BatchStatus[] = ['uploaded', 'previewed', 'failed', 'interrupted'];

export interface Batch {
  id: number;
  kind: ImportKindKey;
  year: number;
  fileName: string;
  fileHash: string;
  fileSize: number;
  fileType: 'csv' | 'xlsx';
  status: BatchStatus;
  mapping: ColumnMapping | null;
  sourceInfo: Record<string, unknown> | null;
  rowsTotal: number | null;
  rowsMatched: number | null;
  rowsNameMatched: number | null;
  rowsNew: number | null;
  rowsRejected: number | null;
  /** Accepted rows with a warning to check (issue 8 item 2). */
  rowsFlagged: number | null;
  /** How the commit applied to the current list: 'replace', 'append', or null (there was none). */
  commitMode: 'replace' | 'append' | null;
  /** Entries staged so far by a commit (issue 8 item 5). */
  stagedRows: number | null;
  error: string | null;
  createdBy: number;
  createdByName: string | null;
  createdAt: string;
  committedBy: number | null;
  committedAt: string | null;
  supersededBy: number | null;
  supersededAt: string | null;
  revertedBy: number | null;
  revertedAt: string | null;
  version: number;
}

interface BatchRow {
  id: number;
  kind: ImportKindKey;
  year: number;
  file_name: string;
  file_hash: string;
  file_size: number | string;
  file_type: 'csv' | 'xlsx';
  status: BatchStatus;
  mapping: string | null;
  source_info: string | null;
  rows_total: number | null;
  rows_matched: number | null;
  rows_name_matched: number | null;
  rows_new: number | null;
  rows_rejected: number | null;
  rows_flagged?: number | null;
  commit_mode?: 'replace' | 'append' | null;
  staged_rows?: number | null;
  error: string | null;
  created_by: number;
  created_by_name?: string | null;
  created_at: string;
  committed_by: number | null;
  committed_at: string | null;
  superseded_by: number | null;
  superseded_at: string | null;
  reverted_by: number | null;
  reverted_at: string | null;
  version: number;
}

const json = <T>(text: string | null): T | null => (text ? (JSON.parse(text) as T) : null);

function toBatch(r: BatchRow): Batch {
  return {
    id: r.id,
    kind: r.kind,
    year: r.year,
    fileName: r.file_name,
    fileHash: r.file_hash,
    fileSize: Number(r.file_size),
    fileType: r.file_type,
    status: r.status,
    mapping: json<ColumnMapping>(r.mapping),
    sourceInfo: json<Record<string, unknown>>(r.source_info),
    rowsTotal: r.rows_total,
    rowsMatched: r.rows_matched,
    rowsNameMatched: r.rows_name_matched,
    rowsNew: r.rows_new,
    rowsRejected: r.rows_rejected,
    rowsFlagged: r.rows_flagged ?? null,
    commitMode: r.commit_mode ?? null,
    stagedRows: r.staged_rows ?? null,
    error: r.error,
    createdBy: r.created_by,
    createdByName: r.created_by_name ?? null,
    createdAt: r.created_at,
    committedBy: r.committed_by,
    committedAt: r.committed_at,
    supersededBy: r.superseded_by,
    supersededAt: r.superseded_at,
    revertedBy: r.reverted_by,
    revertedAt: r.reverted_at,
    version: r.version,
  };
}

function batchSelect(db: Db) {
  return db('import_batches as b').leftJoin('users as u', 'u.id', 'b.created_by').select('b.*', 'u.display_name as created_by_name');
}

export async function findBatch(db: Db, id: number): Promise<Batch | null> {
  const row = (await batchSelect(db).where('b.id', id).first()) as BatchRow | undefined;
  return row ? toBatch(row) : null;
}

/** The latest batches; with `createdBy`, that user's only (filtered before the limit, so none are crowded out). */
export async function listBatches(db: Db, limit = 50, opts: { createdBy?: number } = {}): Promise<Batch[]> {
  const q = batchSelect(db).orderBy('b.id', 'desc').limit(limit);
  if (opts.createdBy !== undefined) q.where('b.created_by', opts.createdBy);
  return ((await q) as BatchRow[]).map(toBatch);
}

/** The rows a commit would import: matched by code or by name, and new firms. */
export function acceptedRows(b: Pick<Batch, 'rowsMatched' | 'rowsNameMatched' | 'rowsNew'>): number {
  return (b.rowsMatched ?? 0) + (b.rowsNameMatched ?? 0) + (b.rowsNew ?? 0);
}

/** An earlier upload of the same file for the same list and year that still counts (not reverted, failed or discarded). */
export async function findSameFile(db: Db, kind: string, year: number, hash: string): Promise<Batch | null> {
  const row = (await batchSelect(db)
    .where({ 'b.kind': kind, 'b.year': year, 'b.file_hash': hash })
    .whereNotIn('b.status', ['reverted', 'failed', 'discarded'])
    .orderBy('b.id', 'desc')
    .first()) as BatchRow | undefined;
  return row ? toBatch(row) : null;
}

export async function insertBatch(
  db: Db,
  b: { kind: string; year: number; fileName: string; fileHash: string; fileSize: number; fileType: string; createdBy: number; at: string },
): Promise<number> {
  const [row] = await db('import_batches')
    .insert({
      kind: b.kind,
      year: b.year,
      file_name: b.fileName,
      file_hash: b.fileHash,
      file_size: b.fileSize,
      file_type: b.fileType,
      status: 'uploaded',
      created_by: b.createdBy,
      created_at: b.at,
      version: 1,
    })
    .returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

/**
 * The committed list a commit of `batch` would supersede (same kind and year; annual figures and R&D
 * structures never supersede anything), with who uploaded it and how many firms it holds.
 */
export async function supersededBy(db: Db, batch: Pick<Batch, 'id' | 'kind' | 'year'>): Promise<{ id: number; createdBy: number; firms: number } | null> {
  if (isFirmDataImportKind(batch.kind)) return null;
  const row = (await db('import_batches')
    .where({ kind: batch.kind, year: batch.year, status: 'committed' })
    .whereNot('id', batch.id)
    .orderBy('id', 'desc')
    .first('id', 'created_by')) as { id: number; created_by: number } | undefined;
  if (!row) return null;
  const n = (await db('list_entries').where({ batch_id: row.id }).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return { id: row.id, createdBy: row.created_by, firms: Number(n?.n ?? 0) };
}

/** The firms a commit of the batch would put on the list: one entry per firm, however many rows (patents) it has. */
export async function acceptedFirms(db: Db, batchId: number): Promise<number> {
  const row = (await db('import_rows')
    .where('batch_id', batchId)
    .whereIn('status', ['match', 'name_match', 'new'])
    .countDistinct({ n: 'uscc' })
    .first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/** How many firms of a batch's accepted rows are on another (committed) batch's list. */
export async function firmsAlsoIn(db: Db, batchId: number, listBatchId: number): Promise<number> {
  const row = (await db('import_rows as r')
    .join('list_entries as e', function () {
      this.on('e.firm_id', '=', 'r.firm_id').andOn('e.batch_id', '=', db.raw('?', [listBatchId]));
    })
    .where('r.batch_id', batchId)
    .whereIn('r.status', ['match', 'name_match'])
    .countDistinct({ n: 'r.firm_id' })
    .first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/** The batch a revert of `batchId` would put back in effect: the one it superseded, if any. */
export async function restoredByRevert(db: Db, batchId: number): Promise<{ id: number; firms: number } | null> {
  const row = (await db('import_batches').where({ superseded_by: batchId, status: 'superseded' }).orderBy('id', 'desc').first('id')) as { id: number } | undefined;
  if (!row) return null;
  const n = (await db('list_entries').where({ batch_id: row.id }).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return { id: row.id, firms: Number(n?.n ?? 0) };
}

/**
 * The firms a revert of `batchId` takes out of the pipeline (退库, not counted as exits): the ones
 * the batch created that are still untouched candidates (version 1) and on no list that counts once
 * it is reverted — no current list but this batch's, and not the restored batch's. The same set
 * before the revert (the confirmation counts it) and inside it (after the flags are flipped).
 */
export function revertLeavers(db: Db, batchId: number, restoredBatchId: number | null) {
  return db('firms as f')
    .join('stage_events as e', 'e.firm_id', 'f.id')
    .where({ 'e.source': 'import', 'f.stage': 'candidate', 'f.version': 1 })
    .whereRaw('e.details = ?', [JSON.stringify({ batchId })])
    .whereNotExists(
      db('list_entries as l')
        .whereRaw('l.firm_id = f.id')
        .andWhere((q) => {
          q.where((c) => c.where('l.is_current', true).andWhereNot('l.batch_id', batchId));
          if (restoredBatchId !== null) q.orWhere('l.batch_id', restoredBatchId);
        }),
    );
}

/** Move a batch from one status to another; false if it was no longer in `from` (someone else acted). */
export async function transitionBatch(db: Db, id: number, from: BatchStatus[], to: BatchStatus, extra: Record<string, unknown> = {}): Promise<boolean> {
  const current = (await db('import_batches').where({ id }).first('version')) as { version: number } | undefined;
  if (!current) return false;
  const n = await db('import_batches')
    .where({ id, version: current.version })
    .whereIn('status', from)
    .update({ status: to, version: current.version + 1, ...extra });
  return n === 1;
}

export interface StagedRow {
  id: number;
  line: number;
  status: 'match' | 'name_match' | 'new' | 'rejected';
  reason: string | null;
  uscc: string | null;
  name: string | null;
  firmId: number | null;
  parkId: number | null;
  townId: number | null;
  /** Accepted, but to be checked (issue 8 item 2): a unit slip, R&D above revenue. */
  warning: string | null;
  raw: Record<string, string>;
  data: Record<string, unknown> | null;
}

interface StagedRowDb {
  id: number | string;
  line: number;
  status: StagedRow['status'];
  reason: string | null;
  uscc: string | null;
  name: string | null;
  firm_id: number | null;
  park_id: number | null;
  town_id?: number | null;
  warning?: string | null;
  raw: string;
  data: string | null;
}

const toStaged = (r: StagedRowDb): StagedRow => ({
  id: Number(r.id),
  line: r.line,
  status: r.status,
  reason: r.reason,
  uscc: r.uscc,
  name: r.name,
  firmId: r.firm_id,
  parkId: r.park_id,
  townId: r.town_id ?? null,
  warning: r.warning ?? null,
  raw: JSON.parse(r.raw) as Record<string, string>,
  data: json<Record<string, unknown>>(r.data),
});

/** Staged rows of one status, in file order, keyset-paged by id. */
export async function stagedRows(db: Db, batchId: number, statuses: StagedRow['status'][], afterId: number, limit: number): Promise<StagedRow[]> {
  const rows = (await db('import_rows')
    .where('batch_id', batchId)
    .whereIn('status', statuses)
    .andWhere('id', '>', afterId)
    .orderBy('id')
    .limit(limit)) as StagedRowDb[];
  return rows.map(toStaged);
}

/** Accepted rows with a warning (a unit slip, R&D above revenue), in file order: the preview lists them to check. */
export async function warnedRows(db: Db, batchId: number, limit: number): Promise<StagedRow[]> {
  const rows = (await db('import_rows')
    .where('batch_id', batchId)
    .whereIn('status', ['match', 'name_match', 'new'])
    .whereNotNull('warning')
    .orderBy('id')
    .limit(limit)) as StagedRowDb[];
  return rows.map(toStaged);
}

export async function rememberedMapping(db: Db, kind: string): Promise<Record<string, { field: string; unit: string | null }> | null> {
  const row = (await db('list_mappings').where({ kind }).first()) as { mapping: string } | undefined;
  return row ? (JSON.parse(row.mapping) as Record<string, { field: string; unit: string | null }>) : null;
}

export async function rememberMapping(db: Db, kind: string, byHeader: Record<string, { field: string; unit: string | null }>, userId: number, at: string): Promise<void> {
  await db('list_mappings')
    .insert({ kind, mapping: JSON.stringify(byHeader), updated_by: userId, updated_at: at })
    .onConflict('kind')
    .merge();
}

/** Batches as people name them (list and year), for ids stored elsewhere (the audit log). */
export async function batchNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (!ids.length) return out;
  const rows = (await db('import_batches').whereIn('id', ids.slice(0, 1000)).select('id', 'kind', 'year')) as { id: number; kind: string; year: number }[];
  for (const r of rows) out.set(Number(r.id), `${importKindLabel(r.kind)} ${r.year} 年`);
  return out;
}

/**
 * The review queue of the official result lists (issue 10 item 2): rows of committed batches that
 * matched no firm, or a name two firms share — waiting for a person. Newest batch first.
 */
export async function officialQueueRows(db: Db, kinds: readonly string[], limit: number, onlyBatchesOf: number | null): Promise<{ batchId: number; kind: string; year: number; line: number; uscc: string | null; name: string | null; reason: string | null }[]> {
  const rows = (await db('import_rows as r')
    .join('import_batches as b', 'b.id', 'r.batch_id')
    .whereIn('b.kind', kinds)
    .andWhere('b.status', 'committed')
    .andWhere('r.status', 'rejected')
    .modify((q) => {
      if (onlyBatchesOf !== null) q.andWhere('b.created_by', onlyBatchesOf);
    })
    .select('b.id as batch_id', 'b.kind', 'b.year', 'r.line', 'r.uscc', 'r.name', 'r.reason')
    .orderBy([{ column: 'b.id', order: 'desc' }, { column: 'r.line' }])
    .limit(limit)) as { batch_id: number; kind: string; year: number; line: number; uscc: string | null; name: string | null; reason: string | null }[];
  return rows.map((r) => ({ batchId: Number(r.batch_id), kind: r.kind, year: Number(r.year), line: Number(r.line), uscc: r.uscc, name: r.name, reason: r.reason }));
}

/** Accepted rows refused after the fact (a kind's check across rows, rd-import.ts): how many, by their status before. */
export async function refuseStagedRows(db: Db, batchId: number, lines: readonly number[], reason: string): Promise<{ match: number; nameMatch: number }> {
  const n = { match: 0, nameMatch: 0 };
  for (let i = 0; i < lines.length; i += 500) {
    const rows = () => db('import_rows').where('batch_id', batchId).whereIn('line', lines.slice(i, i + 500));
    n.match += await rows().where('status', 'match').update({ status: 'rejected', reason, warning: null });
    n.nameMatch += await rows().where('status', 'name_match').update({ status: 'rejected', reason, warning: null });
  }
  return n;
}

/** Adds a warning to an accepted row, after what the preview already said of it. */
export async function setStagedWarning(db: Db, batchId: number, line: number, warning: string): Promise<void> {
  const row = (await db('import_rows').where({ batch_id: batchId, line }).first('id', 'warning')) as { id: number; warning: string | null } | undefined;
  if (row) await db('import_rows').where({ id: row.id }).update({ warning: row.warning ? `${row.warning} ${warning}` : warning });
}
