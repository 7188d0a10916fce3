/**
 * Importing a candidate list: upload (store the file, recognise a repeated upload, read the
 * header and suggest a column mapping), confirm the mapping (start the preview), commit, revert.
 * The heavy steps run as jobs (import-runner.ts); this module checks the rules around them.
 */
import crypto from 'node:crypto';
import { markListAggregatesStale } from './overlap-snapshot.queries.js';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { WriteContext } from '../../domain/actor.js';
import { importKindLabel, isImportKind, isOfficialImportKind, type ImportKindKey } from '../../domain/list-kinds.js';
import { decideMove } from '../../domain/transitions.js';
import { insertChunked } from '../../db/insert-chunked.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso, shanghaiDate, todayInShanghai, yearOf } from '../../lib/dates.js';
import { AppError, ConflictError, FAULT_MESSAGES, NotFoundError, ValidationError } from '../../lib/errors.js';
import { appendAudit, auditRow } from '../audit/audit.queries.js';
import { stageEventRow } from '../stages/stage-events.queries.js';
import { type ColumnMapping, columnLabels } from './import-rows.js';
import { type ImportRunner, previewHeapLimitMiB } from './import-runner.js';
import type { RevertPlan } from './kind-steps.js';
import {
  acceptedFirms,
  acceptedRows,
  firmsAlsoIn,
  restoredByRevert,
  revertLeavers,
  type Batch,
  findBatch,
  DISCARDABLE_STATUSES,
  findSameFile,
  insertBatch,
  rememberedMapping,
  rememberMapping,
  supersededBy,
  transitionBatch,
} from './imports.queries.js';
import { AMOUNT_FIELDS, checkMapping, FIELDS, type FieldKey, normalizeHeader, suggestMapping } from './parsing/columns.js';
import { isListParseError, type OpenedTable, openTable, UNIT_EXPONENT } from './parsing/index.js';
import type { AmountUnit } from './parsing/types.js';
import { asStorageFault, ensureUploadFolder } from './upload-folder.js';

const messages = {
  kind: '请选择名单类型。',
  year: '请选择名单年度。',
  file: '请选择要上传的文件（CSV 或 XLSX）。',
  sameFile: (b: Batch) =>
    `这个文件已经上传过：${shanghaiDate(b.createdAt)} 由 ${b.createdByName ?? '同事'} 上传为批次 #${b.id}（${importKindLabel(b.kind)}，${b.year}年）。无需重复导入。`,
  notFound: '找不到这个导入批次。',
  wrongState: '该批次当前的状态不能执行此操作，请刷新页面查看最新情况。',
  mappingChanged: '文件的列已经改变（例如换了工作表），请按下面最新的列重新选择后再确认。',
  noRows: '没有可以导入的行（全部未通过检查）。',
  sheet: '请从列表中选择要导入的工作表。',
  revertOnlyCurrent: '只有当前生效的批次可以撤销。',
  revertUnconfirmed: (id: number) => `请先勾选“我已核对，撤销批次 #${id}”，再撤销。`,
  replaceUnconfirmed: (id: number) => `本批次提交后将替换当前生效的批次 #${id}。请先勾选“我已核对，用本批次替换批次 #${id}”，再提交。`,
  replaceChanged: (id: number | null) =>
    id === null ? '当前生效的名单已被撤销或替换，请按下面最新的情况核对后再提交。' : `当前生效的名单已变为批次 #${id}，请按下面最新的情况核对后再确认替换。`,
  scopedReplace: (id: number) => `本年度该名单已有生效批次 #${id}（全县），只能由管理员或不限园区的业务员替换。`,
  discardState: '只有尚未生效的批次（待确认列对应、待提交、读取失败或提交中断）可以放弃。',
  notWorkbook: (ext: string) =>
    `文件扩展名为 .${ext}，但内容不是 Excel 工作簿（可能是改了扩展名的文本文件）。请用 Excel 或 WPS 打开后“另存为” .xlsx 或 CSV（UTF-8）再上传。`,
  modeUnchosen: (id: number) => `本年度该名单已有生效批次 #${id}。请选择“替换”（本文件是完整名单）或“追加”（本文件的企业加入当前名单），再提交。`,
  shrinkUnconfirmed: (id: number, from: number, to: number, year: number) =>
    `替换后名单将从 ${from.toLocaleString('en-US')} 家减少到 ${to.toLocaleString('en-US')} 家，不到批次 #${id} 的一半。如确定用本文件替换，请在确认框中输入“替换”或名单年度“${year}”。`,
  // Issue 10 item 2: the rows it recorded may have been completed since, and a firm it certified moved stage.
  revertFigures: '年度指标的导入不能整体撤销：请导入更正后的文件，或在企业档案中逐年修改（每次修改都记入审计日志）。',
  revertRd: '研发费用结构明细表的导入不能整体撤销：请导入更正后的明细表，或在企业“认定数据”页逐年、逐项目修改（每次修改都记入审计日志）。',
} as const;

const UNIT_LABELS: Record<AmountUnit, string> = { yuan: '元', qian: '千元', wan: '万元', yi: '亿元' };

export type CommitMode = 'replace' | 'append';

/** The typed confirmation of a replace that more than halves the list: “替换”, or the list's year. */
function confirmsShrink(text: string | undefined, year: number): boolean {
  const t = (text ?? '').normalize('NFKC').trim();
  return t === '替换' || t === String(year);
}

/**
 * What committing the batch does to the current list, in firms (issue 11 item 1): the current count,
 * how many of its firms the file has (stay), how many leave if it replaces, how many join, and the
 * count after a replace or an append. `shrinks`: a replace leaves under half.
 */
export async function listChange(db: Knex, batch: Pick<Batch, 'id'>, current: { id: number; firms: number }) {
  const [fileFirms, stay] = await Promise.all([acceptedFirms(db, batch.id), firmsAlsoIn(db, batch.id, current.id)]);
  const join = fileFirms - stay;
  return {
    currentFirms: current.firms,
    fileFirms,
    stay,
    join,
    leave: current.firms - stay,
    replaceTotal: fileFirms,
    appendTotal: current.firms + join,
    shrinks: fileFirms * 2 < current.firms,
  };
}

export interface UploadedFile {
  path: string;
  originalName: string;
  size: number;
}

/** The column-mapping screen: the file's columns, sample values and the suggested (or remembered) field for each. */
export interface MappingView {
  /** label: the header, or 第N列 when it is empty (columnLabels). */
  columns: {
    index: number;
    header: string;
    label: string;
    samples: string[];
    field: FieldKey | '';
    unit: AmountUnit | '';
    /** The unit written in the header (`营业收入（万元）`): it is used, whatever was remembered or chosen. */
    headerUnit: AmountUnit | null;
    headerUnitLabel: string | null;
  }[];
  fields: { key: FieldKey; label: string; amount: boolean }[];
  remembered: boolean;
  /** Columns where the header's unit replaced the remembered one (the screen says so). */
  headerUnitOverrides: string[];
  problems: string[];
  /** Not refusals: things to check before confirming (a title naming another year). */
  warnings: string[];
  /** XLSX with more than one worksheet: the sheets to choose from, and the one read. */
  sheets: { name: string; selected: boolean }[];
  sheet: string | null;
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

function safeFileName(name: string): string {
  // Shown to users (escaped) and sent back in Content-Disposition; never used as a path.
  return name.normalize('NFC').replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 200) || 'upload';
}

/** What the batch keeps about its file (source_info): how to read it again, and the header found. */
export function describeSource(table: OpenedTable) {
  const header = table.header;
  const dataRows = table.preview.filter((r) => r.line > Math.max(...header.headerLines));
  return {
    ...(table.source.kind === 'csv'
      ? { encoding: table.source.encoding, delimiter: table.source.delimiter, bom: table.source.bom }
      : {
          sheet: table.source.sheet.name,
          sheets: table.source.sheets.filter((s) => s.kind === 'worksheet').map((s) => s.name),
          sharedStringsBytes: table.source.sharedStringsBytes,
        }),
    headerLine: header.headerLine,
    titleLines: header.titleLines,
    // The title lines' text: a title naming another year than the one chosen is worth a warning (mappingView).
    titles: table.preview
      .filter((r) => header.titleLines.includes(r.line))
      .map((r) => r.cells.map((c) => c.text.trim()).filter(Boolean).join(' ').slice(0, 200)),
    columns: header.columns,
    samples: dataRows.slice(0, 5).map((r) => r.cells.map((c) => c.text)),
  };
}

/**
 * True when the sheet's header looks like a list: at least two named columns, one recognised as the
 * credit code and one as the firm name. The code alone is not enough: an instructions sheet's note
 * "3. 统一社会信用代码为18位" is read as a one-column header naming the code.
 */
function looksLikeListHeader(table: OpenedTable, kind: ImportKindKey): boolean {
  if (table.header.columns.filter((c) => c.trim() !== '').length < 2) return false;
  const fields = new Set(suggestMapping(table.header.columns, kind).byColumn.map((s) => s?.field));
  return fields.has('uscc') && fields.has('name');
}

/**
 * Opens the uploaded file at the sheet holding the list: the first visible worksheet, unless its
 * header does not look like a list and a later visible worksheet's does (a cover or 填表说明 sheet
 * first is common). The user can still pick another sheet on the mapping screen.
 */
async function openListSheet(file: string, kind: ImportKindKey): Promise<OpenedTable> {
  const first = await openTable(file);
  await first.close();
  if (first.source.kind !== 'xlsx' || looksLikeListHeader(first, kind)) return first;
  const current = first.source.sheet.name;
  for (const sheet of first.source.sheets) {
    if (sheet.kind !== 'worksheet' || sheet.state !== 'visible' || sheet.name === current) continue;
    try {
      const other = await openTable(file, { sheet: sheet.name });
      await other.close();
      if (looksLikeListHeader(other, kind)) return other;
    } catch (err) {
      if (!isListParseError(err)) throw err; // an unreadable extra sheet does not spoil the upload
    }
  }
  return first;
}

/**
 * A title above the header naming a year (“2025年度规下企业名单”) other than the batch's year: the
 * year chosen on upload is probably wrong. A warning, not a refusal (a title may name another year
 * for good reasons); a date such as “2026年3月15日” (when the list was drawn up) is not a list year.
 */
function titleYearWarnings(batch: Batch): string[] {
  const titles = (batch.sourceInfo?.titles as string[] | undefined) ?? [];
  const years = new Set<number>();
  for (const title of titles) {
    for (const m of title.normalize('NFKC').matchAll(/(20\d{2})\s*年(?!\s*\d{1,2}\s*月)/g)) years.add(Number(m[1]));
  }
  if (years.size === 0 || years.has(batch.year)) return [];
  const named = [...years].map((y) => `${y} 年`).join('、');
  return [`文件标题中写的是 ${named}，而本批次选择的年度是 ${batch.year} 年。请核对：如年度选错，请放弃本批次，按正确的年度重新上传。`];
}

export function createImportService(runner: ImportRunner, uploadDir: string) {
  /**
   * An official result list recorded certifications and moved firms, not list entries: its revert
   * undoes those through the certification feature's step (kind-steps.ts), in the same transaction
   * as the batch's own status, so either all of it is undone or nothing is.
   */
  async function revertOfficial(db: Knex, batch: Batch, ctx: WriteContext): Promise<void> {
    const at = nowIso();
    await db.transaction(async (trx) => {
      const n = await trx('import_batches').where({ id: batch.id, status: 'committed', version: batch.version }).update({ status: 'reverted', reverted_by: ctx.actor.id, reverted_at: at, version: batch.version + 1 });
      if (n !== 1) throw new ConflictError('BATCH_STATE', messages.wrongState);
      await runner.steps.official.revert(trx, batch, ctx, at);
      await appendAudit(trx, ctx, { action: 'import.revert', objectType: 'import_batch', objectId: String(batch.id), before: { status: 'committed' }, after: { status: 'reverted', kind: batch.kind } }, at);
    });
    bumpDataGeneration();
  }

  ensureUploadFolder(uploadDir);
  const storedPath = (batch: Pick<Batch, 'id' | 'fileType'>) => path.join(uploadDir, `batch-${batch.id}.${batch.fileType}`);

  async function loadBatch(db: Knex, id: number): Promise<Batch> {
    const batch = await findBatch(db, id);
    if (!batch) throw new NotFoundError('BATCH_NOT_FOUND', messages.notFound);
    return batch;
  }

  /**
   * What the mapping screen needs from an opened file: where the header is, a few sample rows,
   * and a mapping — the one remembered for this kind where the headers match, else the suggestion.
   */
  async function analyse(db: Knex, kind: ImportKindKey, table: OpenedTable) {
    const header = table.header;
    const remembered = await rememberedMapping(db, kind);
    const suggestion = suggestMapping(header.columns, kind, { defaultUnit: header.tableUnit });
    let usedRemembered = false;
    const overrides: number[] = [];
    const mapping: ColumnMapping = header.columns.map((col, i) => {
      const { key, unit: headerUnit } = normalizeHeader(col);
      // Parsed JSON: a header such as "constructor" must not find Object.prototype's member.
      const known = remembered && Object.hasOwn(remembered, key) ? remembered[key] : undefined;
      if (known) {
        usedRemembered = true;
        const rememberedUnit = (known.unit as AmountUnit | null) ?? null;
        // A unit written in this file's header wins over the one remembered from an earlier file
        // (issue 8 item 2: `营业收入（万元）` after a file headed `（元）`).
        if (headerUnit && AMOUNT_FIELDS.has(known.field as FieldKey)) {
          if (rememberedUnit !== headerUnit) overrides.push(i);
          return { field: known.field as FieldKey, unit: headerUnit };
        }
        return { field: known.field as FieldKey, unit: rememberedUnit };
      }
      const s = suggestion.byColumn[i];
      return s ? { field: s.field, unit: s.unit } : null;
    });
    const sourceInfo = { ...describeSource(table), rememberedMapping: usedRemembered, headerUnitOverrides: overrides };
    return { sourceInfo, mapping };
  }

  /** Records the batch for an uploaded, readable file and moves the file into place. */
  async function store(db: Knex, kind: ImportKindKey, year: number, file: UploadedFile, hash: string, table: OpenedTable, ctx: WriteContext): Promise<Batch> {
    const fileType = table.source.kind;
    const at = nowIso();
    const { sourceInfo, mapping } = await analyse(db, kind, table);
    const id = await db.transaction(async (trx) => {
      const batchId = await insertBatch(trx, { kind, year, fileName: safeFileName(file.originalName), fileHash: hash, fileSize: file.size, fileType, createdBy: ctx.actor.id, at });
      await trx('import_batches').where({ id: batchId }).update({ mapping: JSON.stringify(mapping), source_info: JSON.stringify(sourceInfo) });
      await appendAudit(trx, ctx, { action: 'import.upload', objectType: 'import_batch', objectId: String(batchId), after: { kind, year, fileName: safeFileName(file.originalName), size: file.size, sha256: hash } }, at);
      return batchId;
    });
    try {
      fs.renameSync(file.path, storedPath({ id, fileType }));
    } catch (err) {
      // The batch without its file could never be previewed: it goes, and the server's fault is said.
      await db('import_batches').where({ id }).update({ status: 'failed', error: FAULT_MESSAGES.storage }).catch(() => undefined);
      throw asStorageFault(err);
    }
    return loadBatch(db, id);
  }

  return {
    /** Stores the upload as a new batch with a suggested mapping; refuses a file already imported. */
    async upload(db: Knex, input: { kind: string; year: number | null; file: UploadedFile | null }, ctx: WriteContext): Promise<Batch> {
      const errors: Record<string, string> = {};
      if (!isImportKind(input.kind)) errors.kind = messages.kind;
      const currentYear = yearOf(todayInShanghai());
      if (!input.year || input.year < 2000 || input.year > currentYear) errors.year = messages.year;
      if (!input.file) errors.file = messages.file;
      const cleanup = () => input.file && fs.rmSync(input.file.path, { force: true });
      if (Object.keys(errors).length) {
        cleanup();
        throw new ValidationError(errors);
      }
      const file = input.file!;
      const kind = input.kind as ImportKindKey;
      let table;
      try {
        const hash = await sha256(file.path);
        const same = await findSameFile(db, kind, input.year!, hash);
        if (same) throw new ValidationError({ file: messages.sameFile(same) }, messages.sameFile(same), 'SAME_FILE');
        try {
          table = await openListSheet(file.path, kind);
        } catch (err) {
          if (isListParseError(err)) throw new ValidationError({ file: err.message }, err.message, `FILE_${err.code}`);
          throw asStorageFault(err);
        }
        // The type is read from the content; but a text file named .xlsx is a mistake (a renamed
        // export, a wrong file) whose "header" would be nonsense: say so rather than read it as CSV.
        const ext = /\.(xlsx|xls)$/i.exec(file.originalName.trim())?.[1]?.toLowerCase();
        if (ext && table.source.kind !== 'xlsx') throw new ValidationError({ file: messages.notWorkbook(ext) }, messages.notWorkbook(ext), 'FILE_NOT_WORKBOOK');
        return await store(db, kind, input.year!, file, hash, table, ctx);
      } finally {
        cleanup(); // the file was moved into place on success; anything left here is a leftover
      }
    },

    mappingView(batch: Batch): MappingView {
      const columns = (batch.sourceInfo?.columns as string[] | undefined) ?? [];
      const samples = (batch.sourceInfo?.samples as string[][] | undefined) ?? [];
      const mapping = batch.mapping ?? [];
      const sheets = (batch.sourceInfo?.sheets as string[] | undefined) ?? [];
      const check = checkMapping(mapping.map((m) => (m ? m.field : null)), batch.kind, columns);
      const labels = columnLabels(columns);
      const overrides = (batch.sourceInfo?.headerUnitOverrides as number[] | undefined) ?? [];
      return {
        columns: columns.map((header, index) => {
          const headerUnit = normalizeHeader(header).unit;
          return {
            index,
            header,
            label: labels[index]!,
            samples: samples.map((r) => r[index] ?? '').filter((v) => v !== '').slice(0, 3),
            field: mapping[index]?.field ?? '',
            unit: headerUnit ?? mapping[index]?.unit ?? '',
            headerUnit,
            headerUnitLabel: headerUnit ? UNIT_LABELS[headerUnit] : null,
          };
        }),
        fields: FIELDS.map((f) => ({ key: f.key, label: f.label, amount: !!f.amount })),
        remembered: !!batch.sourceInfo?.rememberedMapping,
        headerUnitOverrides: overrides.filter((i) => i < columns.length).map((i) => `“${columns[i]}”按表头写明的${UNIT_LABELS[normalizeHeader(columns[i]!).unit!] ?? ''}读取（上次同类名单记住的单位不适用）`),
        problems: [...check.messages],
        warnings: titleYearWarnings(batch),
        sheets: sheets.length > 1 ? sheets.map((name) => ({ name, selected: name === batch.sourceInfo?.sheet })) : [],
        sheet: typeof batch.sourceInfo?.sheet === 'string' ? batch.sourceInfo.sheet : null,
      };
    },

    /**
     * Read another worksheet of the uploaded workbook (the first visible one is read by default,
     * but agencies often put a cover or notes sheet first). Any earlier check is discarded.
     */
    async chooseSheet(db: Knex, id: number, sheet: string, ctx: WriteContext): Promise<void> {
      const batch = await loadBatch(db, id);
      if (!['uploaded', 'previewed'].includes(batch.status)) throw new ConflictError('BATCH_STATE', messages.wrongState);
      const sheets = (batch.sourceInfo?.sheets as string[] | undefined) ?? [];
      if (batch.fileType !== 'xlsx' || !sheets.includes(sheet)) throw new ValidationError({ sheet: messages.sheet }, messages.sheet, 'SHEET_UNKNOWN');
      let table: OpenedTable;
      try {
        table = await openTable(storedPath(batch), { sheet });
        await table.close();
      } catch (err) {
        if (isListParseError(err)) throw new ValidationError({ sheet: err.message }, `工作表“${sheet}”无法读取：${err.message}`, `FILE_${err.code}`);
        throw err;
      }
      const { sourceInfo, mapping } = await analyse(db, batch.kind, table);
      const at = nowIso();
      await db.transaction(async (trx) => {
        const n = await trx('import_batches')
          .where({ id, version: batch.version })
          .whereIn('status', ['uploaded', 'previewed'])
          .update({
            status: 'uploaded',
            version: batch.version + 1,
            mapping: JSON.stringify(mapping),
            source_info: JSON.stringify(sourceInfo),
            rows_total: null,
            rows_matched: null,
            rows_name_matched: null,
            rows_new: null,
            rows_rejected: null,
            error: null,
          });
        if (n !== 1) throw new ConflictError('BATCH_STATE', messages.wrongState);
        await trx('import_rows').where({ batch_id: id }).del();
        await appendAudit(trx, ctx, { action: 'import.sheet', objectType: 'import_batch', objectId: String(id), before: { sheet: batch.sourceInfo?.sheet ?? null }, after: { sheet } }, at);
      });
    },

    /**
     * Save the confirmed mapping (remembered for next time) and start the preview. `formVersion` is
     * the batch version the mapping form was drawn from: choices are by column position, so a form
     * drawn before a sheet switch would otherwise be applied to the new sheet's columns. Null (a
     * request without it, not from the page) skips that check.
     */
    async confirmMapping(db: Knex, id: number, choices: { field: string; unit: string }[], formVersion: number | null, ctx: WriteContext): Promise<void> {
      const batch = await loadBatch(db, id);
      if (!['uploaded', 'previewed'].includes(batch.status)) throw new ConflictError('BATCH_STATE', messages.wrongState);
      const columns = (batch.sourceInfo?.columns as string[] | undefined) ?? [];
      // The form names columns by position: it must be the one made for the batch as it is now.
      if (formVersion !== batch.version) {
        throw new ValidationError({ mapping: messages.mappingChanged }, messages.mappingChanged, 'MAPPING_CHANGED');
      }
      const known = new Set<string>(FIELDS.map((f) => f.key));
      const mapping: ColumnMapping = choices.map((c, i) => {
        if (!known.has(c.field)) return null;
        // A unit written in the header is the unit, whatever the form sent (issue 8 item 2).
        const headerUnit = AMOUNT_FIELDS.has(c.field as FieldKey) ? normalizeHeader(columns[i] ?? '').unit : null;
        return { field: c.field as FieldKey, unit: headerUnit ?? (Object.hasOwn(UNIT_EXPONENT, c.unit) ? (c.unit as AmountUnit) : null) };
      });
      const check = checkMapping(mapping.map((m) => (m ? m.field : null)), batch.kind, columns);
      const problems = [...check.messages];
      // Refused: nothing is written; the route shows the choices as sent, with the problems.
      if (problems.length) {
        throw new ValidationError({ mapping: problems.join(' ') }, problems.join(' '), 'MAPPING_INVALID');
      }
      const at = nowIso();
      const byHeader: Record<string, { field: string; unit: string | null }> = {};
      columns.forEach((col, i) => {
        const m = mapping[i];
        const key = normalizeHeader(col).key;
        if (m && key) byHeader[key] = { field: m.field, unit: m.unit };
      });
      await db.transaction(async (trx) => {
        await trx('import_batches').where({ id }).update({ mapping: JSON.stringify(mapping) });
        await rememberMapping(trx, batch.kind, byHeader, ctx.actor.id, at);
      });
      if (!(await transitionBatch(db, id, ['uploaded', 'previewed'], 'previewing', { error: null }))) throw new ConflictError('BATCH_STATE', messages.wrongState);
      void runner.start('preview', id, { actor: ctx.actor, ip: ctx.ip ?? null, filePath: storedPath(batch) }, { heapLimitMiB: previewHeapLimitMiB(batch.fileType, batch.sourceInfo) });
    },

    /**
     * Start the commit. When a list of the same kind and year is committed, the user chooses how this
     * file applies to it (issue 11 item 1): 'replace' (the file is the whole list) or 'append' (its
     * rows add to the current list). `replaces`, when the form sends it, is the batch the user saw as
     * current. A replace that shrinks the list by more than half needs the typed confirmation
     * (“替换” or the list's year). A caseworker limited to some parks or towns may append their firms
     * but not replace: their batch holds only their firms and would replace the county-wide list.
     * A form from before the choice existed sent `confirmReplace`: that ticked box meant replace.
     */
    async commit(
      db: Knex,
      id: number,
      opts: { confirmReplace: boolean; replaces?: number | null | undefined; mode?: string | undefined; confirmText?: string | undefined },
      ctx: WriteContext,
    ): Promise<void> {
      const batch = await loadBatch(db, id);
      if (!['previewed', 'interrupted'].includes(batch.status)) throw new ConflictError('BATCH_STATE', messages.wrongState);
      if (acceptedRows(batch) === 0) throw new ValidationError({ commit: messages.noRows }, messages.noRows, 'NOTHING_TO_COMMIT');
      const current = await supersededBy(db, batch);
      if (opts.replaces !== undefined && opts.replaces !== (current?.id ?? null)) {
        throw new ValidationError({ confirmReplace: messages.replaceChanged(current?.id ?? null) }, messages.replaceChanged(current?.id ?? null), 'REPLACE_CHANGED');
      }
      let mode: CommitMode | null = null;
      if (current) {
        mode = opts.mode === 'replace' || opts.mode === 'append' ? opts.mode : opts.confirmReplace && !opts.mode ? 'replace' : null;
        // A scoped user's form offers only 追加; a replace (or no choice) is the county list's to make.
        if (ctx.actor.parkIds !== null && mode !== 'append') throw new ConflictError('REPLACE_SCOPED', messages.scopedReplace(current.id));
        if (!mode) throw new ValidationError({ mode: messages.modeUnchosen(current.id) }, messages.modeUnchosen(current.id), 'MODE_UNCHOSEN');
        if (mode === 'replace') {
          const change = await listChange(db, batch, current);
          if (change.shrinks && !confirmsShrink(opts.confirmText, batch.year)) {
            const message = messages.shrinkUnconfirmed(current.id, change.currentFirms, change.replaceTotal, batch.year);
            throw new ValidationError({ confirmText: message }, message, 'SHRINK_UNCONFIRMED');
          }
        }
      }
      if (!(await transitionBatch(db, id, ['previewed', 'interrupted'], 'committing', { error: null, commit_mode: mode }))) throw new ConflictError('BATCH_STATE', messages.wrongState);
      void runner.start('commit', id, { actor: ctx.actor, ip: ctx.ip ?? null, filePath: storedPath(batch) });
    },

    /**
     * Undo a committed batch: its entries stop counting, the list it superseded counts again, and
     * candidate firms it created that nothing else has touched leave the pool (退库, with the reason).
     */
    async revert(db: Knex, id: number, opts: { confirmed: boolean }, ctx: WriteContext): Promise<{ exitedFirms: number }> {
      const batch = await loadBatch(db, id);
      if (batch.kind === 'annual_figures') throw new AppError('BATCH_KIND', messages.revertFigures, 409);
      if (batch.kind === 'rd_structure') throw new AppError('BATCH_KIND', messages.revertRd, 409);
      if (batch.status !== 'committed') throw new AppError('BATCH_STATE', messages.revertOnlyCurrent, 409);
      // One click must not undo a list and retire the firms it brought in.
      if (!opts.confirmed) throw new ValidationError({ confirmRevert: messages.revertUnconfirmed(id) }, messages.revertUnconfirmed(id), 'REVERT_UNCONFIRMED');
      if (isOfficialImportKind(batch.kind)) {
        await revertOfficial(db, batch, ctx);
        return { exitedFirms: 0 };
      }
      const at = nowIso();
      const today = todayInShanghai();
      const reason = `导入批次 #${batch.id} 已撤销`;
      const exited = await db.transaction(async (trx) => {
        const n = await trx('import_batches').where({ id, status: 'committed', version: batch.version }).update({ status: 'reverted', reverted_by: ctx.actor.id, reverted_at: at, version: batch.version + 1 });
        if (n !== 1) throw new ConflictError('BATCH_STATE', messages.wrongState);
        await trx('list_entries').where({ batch_id: id }).update({ is_current: false });
        await markListAggregatesStale(trx);
        const previous = await restoredByRevert(trx, id);
        if (previous) {
          await trx('import_batches').where({ id: previous.id }).update({ status: 'committed', superseded_by: null, superseded_at: null });
          await trx('list_entries').where({ batch_id: previous.id }).update({ is_current: true });
        }
        // Firms this batch created, still untouched candidates, and on no other current list (what the confirmation counted).
        const created = (await revertLeavers(trx, id, previous?.id ?? null).select('f.id', 'f.uscc')) as { id: number; uscc: string }[];
        // The same move for every firm: decided once. A batch can have created 10^5 firms, so they
        // are moved a chunk per statement, not one by one inside this request.
        const decision = decideMove({ to: 'exited', exitReason: 'other', reason }, { from: 'candidate', today, mayOverride: false });
        const exitedFirms: { id: number; uscc: string }[] = [];
        if (decision.ok) {
          const usccOf = new Map(created.map((f) => [f.id, f.uscc]));
          for (let i = 0; i < created.length; i += 500) {
            // The version and stage checks again, and RETURNING: a firm someone moved since the
            // select above is no longer untouched, so it stays and gets no event.
            const moved = (await trx('firms')
              .whereIn('id', created.slice(i, i + 500).map((f) => f.id))
              .where({ version: 1, stage: 'candidate' })
              // withdrawn_batch_id: at 退库 with its history, but not counted as an exit (board,
              // funnel, conversion: migration 20261202060100's triggers), since it never entered cultivation.
              .update({ stage: decision.to, version: 2, updated_at: at, withdrawn_batch_id: id })
              .returning('id')) as ({ id: number } | number)[];
            for (const r of moved) {
              const firmId = typeof r === 'object' ? r.id : r;
              exitedFirms.push({ id: firmId, uscc: usccOf.get(firmId)! });
            }
          }
          await insertChunked(trx, 'stage_events', exitedFirms, (f) =>
            stageEventRow({ firmId: f.id, fromStage: 'candidate', toStage: decision.to, reasonCode: decision.reasonCode, reason: decision.reason, details: { batchId: id }, source: 'import', actorId: ctx.actor.id, at }),
          );
          await insertChunked(trx, 'audit_log', exitedFirms, (f) =>
            auditRow(
              ctx,
              {
                action: 'firm.stage',
                objectType: 'firm',
                objectId: f.uscc,
                before: { stage: 'candidate', version: 1 },
                after: { stage: decision.to, version: 2, kind: decision.kind, reasonCode: decision.reasonCode, reason: decision.reason, source: 'import', withdrawnBatch: id },
              },
              at,
            ),
          );
        }
        if (batch.kind === 'patent') await runner.steps.afterPatentsReverted(trx, batch, ctx, at);
        const exitedCount = exitedFirms.length;
        await appendAudit(trx, ctx, { action: 'import.revert', objectType: 'import_batch', objectId: String(id), before: { status: 'committed' }, after: { status: 'reverted', restoredBatch: previous?.id ?? null, exitedFirms: exitedCount } }, at);
        return exitedCount;
      });
      bumpDataGeneration();
      return { exitedFirms: exited };
    },

    /**
     * What a revert of the committed batch would do, for its confirmation (issue 11 item 2): the
     * entries that stop counting, the earlier batch put back (and its size), and the candidate firms
     * created by the batch that leave the pipeline — counted as the revert itself selects them.
     */
    async revertPreview(db: Knex, batch: Batch): Promise<{ entries: number; restored: { id: number; firms: number } | null; leaving: number; official?: RevertPlan }> {
      if (isOfficialImportKind(batch.kind)) return { entries: 0, restored: null, leaving: 0, official: await runner.steps.official.revertPlan(db, batch) };
      const restored = await restoredByRevert(db, batch.id);
      const [entries, leaving] = await Promise.all([
        db('list_entries').where({ batch_id: batch.id }).count({ n: '*' }).first() as Promise<{ n: number | string } | undefined>,
        db.from(revertLeavers(db, batch.id, restored?.id ?? null).select('f.id').as('x')).count({ n: '*' }).first() as Promise<{ n: number | string } | undefined>,
      ]);
      return { entries: Number(entries?.n ?? 0), restored, leaving: Number(leaving?.n ?? 0) };
    },

    /**
     * Throw away a batch that never took effect (left uploaded, previewed, failed or interrupted):
     * its staged rows and stored file go, the batch stays in the history as 已放弃, and the same
     * file may be uploaded again.
     */
    async discard(db: Knex, id: number, ctx: WriteContext): Promise<void> {
      const batch = await loadBatch(db, id);
      if (!DISCARDABLE_STATUSES.includes(batch.status)) throw new ConflictError('BATCH_STATE', messages.discardState);
      const at = nowIso();
      await db.transaction(async (trx) => {
        const n = await trx('import_batches')
          .where({ id, version: batch.version })
          .whereIn('status', DISCARDABLE_STATUSES)
          .update({ status: 'discarded', version: batch.version + 1 });
        if (n !== 1) throw new ConflictError('BATCH_STATE', messages.wrongState);
        await trx('import_rows').where({ batch_id: id }).del();
        // Entries staged by an interrupted commit: never current, never counted.
        await trx('list_entries').where({ batch_id: id, is_current: false }).del();
        await appendAudit(trx, ctx, { action: 'import.discard', objectType: 'import_batch', objectId: String(id), before: { status: batch.status }, after: { status: 'discarded' } }, at);
      });
      fs.rmSync(storedPath(batch), { force: true });
    },

  };
}

export type ImportService = ReturnType<typeof createImportService>;
