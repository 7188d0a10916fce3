/**
 * /lists: upload a list, confirm its column mapping, watch the preview, read the rejected rows
 * (and download them for the agency), commit or revert a batch.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { IMPORT_KINDS, importKindLabel, isFirmDataImportKind, isImportKind, isOfficialImportKind, listKindLabel, listYears } from '../../domain/list-kinds.js';
import { can } from '../../domain/permissions.js';
import { todayInShanghai, yearOf } from '../../lib/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { appendAudit } from '../audit/audit.queries.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { checkbox, positiveInt, str } from '../../web/forms.js';
import { isFragmentRequest, redirectAfterWrite, renderFragment } from '../../web/render.js';
import { type ReceivedFile, receiveUpload, type UploadLimits, UploadRefusedError } from '../../web/upload.js';
import { columnLabels } from './import-rows.js';
import type { ImportRunner } from './import-runner.js';
import { type ImportService, listChange } from './imports.service.js';
import { acceptedRows, BATCH_STATUS_LABELS, type Batch, DISCARDABLE_STATUSES, findBatch, listBatches, type StagedRow, stagedRows, supersededBy, warnedRows } from './imports.queries.js';
import type { Actor } from '../../domain/actor.js';
import { asOfLabel, listSizes } from './overlap-snapshot.queries.js';
import { ensureUploadFolder } from './upload-folder.js';
import { READ_LIMITS } from './parsing/index.js';
import { writeRejectsCsv, writeRejectsXlsx } from './parsing/export-safe.js';

const PREVIEW_ROWS = 200;

/** The upload form: the file and a few short fields (the list, the year, the CSRF token). */
const UPLOAD_LIMITS: UploadLimits = { field: 'file', maxFileBytes: READ_LIMITS.maxBytes, maxFields: 10, maxFieldBytes: 1024 };

const messages = {
  revertForbidden: '只有管理员或上传该批次的人可以撤销。',
  discardForbidden: '只有管理员或上传该批次的人可以放弃。',
  discarded: (id: number) => `批次 #${id} 已放弃，没有导入任何数据。可以重新上传文件。`,
} as const;

/**
 * A batch is the uploader's file: a caseworker limited to some parks sees and acts on their own
 * batches only (others may hold any park's firms); everyone else on all of them.
 */
function mayUseBatch(actor: Actor, batch: Batch): boolean {
  return actor.parkIds === null || batch.createdBy === actor.id;
}

/**
 * Reverting (and discarding) is for administrators and for whoever uploaded the batch (the service
 * checks the batch's state).
 */
function mayRevert(actor: Actor, batch: Batch): boolean {
  return actor.role === 'admin' || (can(actor, 'lists.import') && actor.id === batch.createdBy);
}

function batchView(b: Batch) {
  return {
    ...b,
    kindLabel: importKindLabel(b.kind),
    statusLabel: BATCH_STATUS_LABELS[b.status],
    accepted: acceptedRows(b),
    isFigures: b.kind === 'annual_figures',
    isRd: b.kind === 'rd_structure',
    // The upload form again, with this batch's list and year chosen: the next step after a failure.
    reuploadUrl: `/lists?${new URLSearchParams({ kind: b.kind, year: String(b.year) }).toString()}#upload-panel`,
  };
}

/**
 * A rejected row as the file had it: the staged code and name are what was read (empty when the
 * row was refused before that, e.g. over a bad number), so show the raw cells under the columns
 * mapped to the code and the name, which the rejects download shows too.
 */
function rejectedView(batch: Batch, rows: StagedRow[]) {
  const labels = columnLabels((batch.sourceInfo?.columns as string[] | undefined) ?? []);
  const labelOf = (field: string) => {
    const i = (batch.mapping ?? []).findIndex((m) => m?.field === field);
    return i >= 0 ? labels[i] : undefined;
  };
  const usccLabel = labelOf('uscc');
  const nameLabel = labelOf('name');
  return rows.map((r) => ({
    ...r,
    fileUscc: ((usccLabel !== undefined ? r.raw[usccLabel] : '') || r.uscc || '').slice(0, 100),
    fileName: ((nameLabel !== undefined ? r.raw[nameLabel] : '') || r.name || '').slice(0, 200),
  }));
}

export function listsRouter(db: Knex, imports: ImportService, runner: ImportRunner, uploadDir: string): Router {
  const router = express.Router();
  const tmpDir = path.join(uploadDir, 'incoming');
  ensureUploadFolder(tmpDir);

  router.use('/lists', requirePermission('lists.read'));

  async function renderIndex(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOfResponse(res);
    const year = yearOf(todayInShanghai());
    // The same rule as mayUseBatch, in SQL: filtered after the limit, others' batches could crowd out all of one's own.
    const [batches, sizes] = await Promise.all([listBatches(db, 30, actor.parkIds === null ? {} : { createdBy: actor.id }), listSizes(db, actor)]);
    const data = {
      title: '四张清单',
      nav: 'lists',
      kinds: IMPORT_KINDS,
      years: listYears(year),
      values: { kind: '', year: year - 1 },
      errors: {},
      batches: batches.map(batchView),
      sizes: sizes.sizes.map((s) => ({ ...s, kindLabel: listKindLabel(s.kind) })),
      sizesAsOf: asOfLabel(sizes.computedAt),
      canImport: can(actor, 'lists.import'),
      ...extra,
    };
    res.status(status).vary('HX-Request');
    if (isFragmentRequest(req)) res.render('partials/lists/upload-form', { ...data, layout: false });
    else res.render('lists/index', data);
  }

  router.get('/lists', (req, res) => {
    // ?kind=&year= (the 重新上传 link of a batch) choose the list and year on the upload form.
    const kind = str(req.query.kind);
    const year = positiveInt(req.query.year);
    const values = { kind: isImportKind(kind) ? kind : '', year: year ?? yearOf(todayInShanghai()) - 1 };
    return renderIndex(req, res, { values });
  });

  router.post('/lists/imports', requirePermission('lists.import'), async (req, res) => {
    let file: ReceivedFile | null;
    try {
      file = await receiveUpload(req, res, tmpDir, UPLOAD_LIMITS);
    } catch (err) {
      // A client that went away gets no answer; any other refusal is shown on the upload form.
      if (req.socket.destroyed) return;
      if (!(err instanceof UploadRefusedError)) throw err;
      const body = (req.body ?? {}) as Record<string, unknown>;
      return renderIndex(req, res, { errors: { file: err.message }, values: { kind: str(body.kind), year: positiveInt(body.year) } }, err.status === 413 ? 413 : 422);
    }
    const body = req.body as Record<string, unknown>;
    try {
      const batch = await imports.upload(db, { kind: str(body.kind), year: positiveInt(body.year), file }, writeContext(req, res));
      redirectAfterWrite(req, res, `/lists/imports/${batch.id}`);
    } catch (err) {
      if (file) fs.rmSync(file.path, { force: true });
      if (err instanceof ValidationError) return renderIndex(req, res, { errors: err.fieldErrors, values: { kind: str(body.kind), year: positiveInt(body.year) } }, 422);
      throw err;
    }
  });

  async function loadBatch(id: unknown, res: Response): Promise<Batch> {
    const batchId = positiveInt(id);
    const batch = batchId ? await findBatch(db, batchId) : null;
    if (!batch || !mayUseBatch(actorOfResponse(res), batch)) throw new NotFoundError('BATCH_NOT_FOUND', '找不到这个导入批次。');
    return batch;
  }

  /** The job running on a batch, if any, as the progress partial shows it. */
  function runningView(batchId: number) {
    const running = runner.state(batchId);
    return running ? { ...running, seconds: Math.round((Date.now() - running.startedAt) / 1000) } : null;
  }

  async function batchPageData(batch: Batch, res: Response) {
    const actor = actorOfResponse(res);
    const data: Record<string, unknown> = {
      title: `${importKindLabel(batch.kind)} ${batch.year} 年 · 批次 #${batch.id}`,
      nav: 'lists',
      batch: batchView(batch),
      running: runningView(batch.id),
      canImport: can(actor, 'lists.import'),
      canRevert: batch.status === 'committed' && !isFirmDataImportKind(batch.kind) && mayRevert(actor, batch),
      canDiscard: DISCARDABLE_STATUSES.includes(batch.status) && mayRevert(actor, batch),
      canReupload: ['failed', 'discarded'].includes(batch.status) && can(actor, 'lists.import'),
    };
    if (batch.status === 'uploaded' || batch.status === 'previewed') data.mapping = imports.mappingView(batch);
    // What 撤销 would do, said before it is clicked (issue 11 item 2).
    if (data.canRevert) data.revertPlan = await imports.revertPreview(db, batch);
    if (['previewed', 'committed', 'interrupted', 'superseded', 'reverted'].includes(batch.status)) {
      const [rejected, flagged, created, warned] = await Promise.all([
        stagedRows(db, batch.id, ['rejected'], 0, PREVIEW_ROWS),
        stagedRows(db, batch.id, ['name_match'], 0, PREVIEW_ROWS),
        stagedRows(db, batch.id, ['new'], 0, 20),
        batch.rowsFlagged ? warnedRows(db, batch.id, PREVIEW_ROWS) : Promise.resolve([]),
      ]);
      Object.assign(data, { rejected: rejectedView(batch, rejected), flagged, created, warned, isOfficial: isOfficialImportKind(batch.kind) });
      if (batch.status === 'previewed' || batch.status === 'interrupted') {
        // What a commit would replace, in numbers: a short or wrong file must not replace a full list unnoticed.
        const current = await supersededBy(db, batch);
        if (current) {
          const change = await listChange(db, batch, current);
          data.replace = {
            id: current.id,
            firms: current.firms,
            newFirms: change.fileFirms,
            change,
            small: change.shrinks,
            // A caseworker limited to some parks or towns may only append (imports.service.ts commit).
            scopedBlocked: actor.parkIds !== null,
          };
        }
      }
    }
    return data;
  }

  router.get('/lists/imports/:id', async (req, res) => {
    const batch = await loadBatch(req.params.id, res);
    res.render('lists/batch', await batchPageData(batch, res));
  });

  /** Polled while a job runs; once it has ended, the page reloads to show the outcome. */
  router.get('/lists/imports/:id/progress', async (req, res) => {
    const batch = await loadBatch(req.params.id, res);
    const running = runningView(batch.id);
    if (!running && batch.status !== 'previewing' && batch.status !== 'committing') {
      res.set('HX-Refresh', 'true');
    }
    renderFragment(res, 'lists/progress', { batch: batchView(batch), running });
  });

  /**
   * A refused sheet or mapping: the batch page again, the message above the mapping. A refused
   * mapping was not saved, so the form shows the choices as they were sent.
   */
  async function renderMappingError(err: unknown, batchId: number, res: Response, sent?: { field: string; unit: string }[]): Promise<void> {
    if (!(err instanceof ValidationError)) throw err;
    const fresh = await loadBatch(batchId, res);
    const data = await batchPageData(fresh, res);
    const mapping = data.mapping as { problems: string[]; columns: { index: number; field: string; unit: string }[] } | undefined;
    if (mapping && sent) for (const column of mapping.columns) Object.assign(column, sent[column.index] ?? { field: '', unit: '' });
    // A refused mapping's message is its problems: shown once, as the error, not again as warnings.
    if (mapping) mapping.problems = sent ? [] : mapping.problems.filter((p) => !err.message.includes(p));
    res.status(422).render('lists/batch', { ...data, mappingError: err.message });
  }

  /**
   * After a refused sheet or mapping the address bar shows the POST's address: reloading it, or
   * following it later, lands on the batch's mapping instead of a 404.
   */
  for (const step of ['mapping', 'sheet']) {
    router.get(`/lists/imports/:id/${step}`, async (req, res) => {
      const batch = await loadBatch(req.params.id, res);
      res.redirect(303, `/lists/imports/${batch.id}#mapping`);
    });
  }

  /** Reads another worksheet of the workbook; the mapping screen starts again from its header. */
  router.post('/lists/imports/:id/sheet', requirePermission('lists.import'), async (req, res) => {
    const batch = await loadBatch(req.params.id, res);
    const sheet = str((req.body as Record<string, unknown>).sheet);
    try {
      await imports.chooseSheet(db, batch.id, sheet, writeContext(req, res));
      redirectAfterWrite(req, res, `/lists/imports/${batch.id}#mapping`);
    } catch (err) {
      await renderMappingError(err, batch.id, res);
    }
  });

  router.post('/lists/imports/:id/mapping', requirePermission('lists.import'), async (req, res) => {
    const batch = await loadBatch(req.params.id, res);
    const body = req.body as Record<string, unknown>;
    const columns = (batch.sourceInfo?.columns as string[] | undefined) ?? [];
    const choices = columns.map((_, i) => ({ field: str(body[`field_${i}`]), unit: str(body[`unit_${i}`]) }));
    try {
      await imports.confirmMapping(db, batch.id, choices, positiveInt(body.version), writeContext(req, res));
      redirectAfterWrite(req, res, `/lists/imports/${batch.id}`);
    } catch (err) {
      await renderMappingError(err, batch.id, res, err instanceof ValidationError && err.code === 'MAPPING_INVALID' ? choices : undefined);
    }
  });

  /** A refused commit or revert: the batch page again, the message where the user clicked. */
  async function renderBatchRefusal(batchId: number, res: Response, status: number, extra: Record<string, unknown>): Promise<void> {
    const fresh = await loadBatch(batchId, res);
    res.status(status).render('lists/batch', { ...(await batchPageData(fresh, res)), ...extra });
  }

  router.post('/lists/imports/:id/commit', requirePermission('lists.import'), async (req, res) => {
    const batch = await loadBatch(req.params.id, res);
    const body = req.body as Record<string, unknown>;
    // The batch the page showed as the one to be replaced ("none": none); absent when not sent by the page.
    const replaces = body.replaces === undefined ? undefined : str(body.replaces) === 'none' ? null : positiveInt(body.replaces);
    try {
      await imports.commit(
        db,
        batch.id,
        { confirmReplace: checkbox(body.confirmReplace), replaces, mode: body.mode === undefined ? undefined : str(body.mode), confirmText: str(body.confirmText) },
        writeContext(req, res),
      );
    } catch (err) {
      // The choice and what was typed stay as sent.
      if (err instanceof ValidationError) return renderBatchRefusal(batch.id, res, 422, { commitError: err.message, commitValues: { mode: str(body.mode), confirmText: str(body.confirmText) } });
      // The page says it in place of the commit button already (data.replace.scopedBlocked).
      if (err instanceof ConflictError && err.code === 'REPLACE_SCOPED') return renderBatchRefusal(batch.id, res, 409, {});
      throw err;
    }
    redirectAfterWrite(req, res, `/lists/imports/${batch.id}`);
  });

  router.post('/lists/imports/:id/revert', requirePermission('lists.import'), async (req, res) => {
    const batch = await loadBatch(req.params.id, res);
    if (!mayRevert(actorOfResponse(res), batch)) throw new ForbiddenError('FORBIDDEN', messages.revertForbidden);
    let exitedFirms: number;
    try {
      ({ exitedFirms } = await imports.revert(db, batch.id, { confirmed: checkbox((req.body as Record<string, unknown>).confirmRevert) }, writeContext(req, res)));
    } catch (err) {
      if (err instanceof ValidationError) return renderBatchRefusal(batch.id, res, 422, { revertError: err.message });
      // An official list whose records were changed since: said beside the button, nothing undone.
      if (err instanceof ConflictError && err.code === 'REVERT_BLOCKED') return renderBatchRefusal(batch.id, res, 409, { revertError: err.message });
      throw err;
    }
    setFlash(req, 'success', `批次 #${batch.id} 已撤销。${exitedFirms ? `由该批次新增、尚未开展培育的 ${exitedFirms.toLocaleString('en-US')} 家候选企业已退库。` : ''}`);
    redirectAfterWrite(req, res, `/lists/imports/${batch.id}`);
  });

  /** Throw away a batch that never took effect, so unfinished uploads do not pile up. */
  router.post('/lists/imports/:id/discard', requirePermission('lists.import'), async (req, res) => {
    const batch = await loadBatch(req.params.id, res);
    if (!mayRevert(actorOfResponse(res), batch)) throw new ForbiddenError('FORBIDDEN', messages.discardForbidden);
    await imports.discard(db, batch.id, writeContext(req, res));
    setFlash(req, 'success', messages.discarded(batch.id));
    redirectAfterWrite(req, res, '/lists');
  });

  /** The rows that were not imported, with the reason, to send back to the agency (formula-safe). */
  router.get('/lists/imports/:id/rejects.:format', async (req, res) => {
    const format = req.params.format;
    if (format !== 'csv' && format !== 'xlsx') throw new NotFoundError('PAGE_NOT_FOUND', '找不到这个页面。');
    const batch = await loadBatch(req.params.id, res);
    const columns = columnLabels((batch.sourceInfo?.columns as string[] | undefined) ?? []);
    await appendAudit(db, writeContext(req, res), { action: 'import.rejects_download', objectType: 'import_batch', objectId: String(batch.id), after: { format } });
    async function* rows() {
      for (let after = 0; ; ) {
        const chunk = await stagedRows(db, batch.id, ['rejected'], after, 2000);
        if (chunk.length === 0) return;
        for (const r of chunk) yield { line: r.line, cells: r.raw, reason: r.reason ?? '' };
        after = chunk[chunk.length - 1]!.id;
      }
    }
    const fileName = `未导入的行-${importKindLabel(batch.kind)}-${batch.year}-批次${batch.id}.${format}`;
    res.set({
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="rejects-${batch.id}.${format}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      'Cache-Control': 'no-store',
    });
    if (format === 'csv') await writeRejectsCsv(rows(), res, columns);
    else await writeRejectsXlsx(rows(), res, columns);
  });

  return router;
}
