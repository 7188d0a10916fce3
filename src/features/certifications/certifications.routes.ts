/**
 * /certifications (资质): the register, its forms, the compliance calendar (后续管理) and its export,
 * report ticks, reported changes and per-year settings. Handlers parse input, call the service,
 * pick a view.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { type CertKind, CERT_KIND_LABELS, PROVINCIAL_AGENCIES, isCertKind } from '../../domain/certifications.js';
import { can } from '../../domain/permissions.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai, nowIso, shanghaiDateTime } from '../../lib/dates.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { redirectAfterWrite } from '../../web/render.js';
import { appendAudit } from '../audit/audit.queries.js';
import { loadFilterOptions } from '../firms/filter-options.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import { safeCell } from '../lists/parsing/export-safe.js';
import { stageLabel } from '../../domain/stages.js';
import { type CertStatus, CERT_STATUSES, findCertification, listRegister, yearSettings } from './certifications.queries.js';
import { type CertificationForm, type CertificationService, StaleCertificationError } from './certifications.service.js';
import { type CalendarFilters, FORM_CHOICES, calendarItems, registerRow } from './certifications.view.js';
import { importKindLabel, OFFICIAL_IMPORT_KINDS } from '../../domain/list-kinds.js';
import { officialQueueRows } from '../lists/imports.queries.js';

const PAGE_SIZE = 100;
const STATUS_FILTER_LABELS: Record<CertStatus, string> = { pending: '申报中', active: '有效/已入库', failed: '未通过', revoked: '已取消/撤销' };

const opt = (v: unknown): string | null => {
  const s = str(v);
  return s === '' ? null : s;
};
const yearOrNull = (v: unknown): number | null => {
  const s = str(v);
  return /^\d{4}$/.test(s) ? Number(s) : s === '' ? null : NaN;
};

/** A register form as posted; codes upper-cased, spaces taken out of numbers. */
export function parseCertificationForm(body: Record<string, unknown>): CertificationForm {
  const number = opt(body.number)?.replace(/[\s\u3000]/g, '').toUpperCase() ?? null;
  return {
    year: yearOrNull(body.year),
    mode: opt(body.mode),
    number,
    level: opt(body.level),
    appliedOn: opt(body.appliedOn),
    publicizedOn: opt(body.publicizedOn),
    filedOn: opt(body.filedOn),
    issuedOn: opt(body.issuedOn),
    validUntil: opt(body.validUntil),
    note: opt(body.note)?.slice(0, 500) ?? null,
  };
}

function formOf(c: { year: number; mode: string | null; number: string | null; level: string | null; appliedOn: string | null; publicizedOn: string | null; filedOn: string | null; issuedOn: string | null; validUntil: string | null; validUntilOverride?: boolean; note: string | null }) {
  return { ...c, validUntil: c.validUntilOverride ? c.validUntil : '' };
}

function calendarFilters(q: Request['query']): CalendarFilters {
  const days = str(q.days) === '90' ? 90 : 30;
  const kind = str(q.kind);
  return { days, parkId: positiveInt(q.park), counsellorId: positiveInt(q.counsellor), kind: FORM_CHOICES.itemKinds.some((k) => k.key === kind) ? kind : null };
}

function calendarQuery(f: CalendarFilters): string {
  const p = new URLSearchParams({ days: String(f.days) });
  if (f.parkId) p.set('park', String(f.parkId));
  if (f.counsellorId) p.set('counsellor', String(f.counsellorId));
  if (f.kind) p.set('kind', f.kind);
  return p.toString();
}

/** Where to go back to after a tick (only our own pages). */
function backTo(raw: unknown, fallback: string): string {
  const s = str(raw);
  return /^\/(certifications|firms)\b[\w\-/?=&%.#]*$/.test(s) ? s : fallback;
}


export function certificationsRouter(db: Knex, service: CertificationService): Router {
  const router = express.Router();
  router.use('/certifications', requirePermission('certifications.read'));

  // ─── The register ────────────────────────────────────────────────────────────────────────────
  /** `after=` / `before=`: `<year>.<kind>.<id>` of the row a page starts after or ends before. */
  const registerCursor = (raw: unknown) => {
    const m = typeof raw === 'string' ? /^(\d{4})\.([a-z_]{1,20})\.(\d{1,12})$/.exec(raw) : null;
    return m ? { year: Number(m[1]), kind: m[2]!, id: Number(m[3]) } : null;
  };

  router.get('/certifications', async (req, res) => {
    const actor = actorOfResponse(res);
    const kindRaw = str(req.query.kind);
    const statusRaw = str(req.query.status);
    const filters = {
      kind: isCertKind(kindRaw) ? kindRaw : null,
      year: positiveInt(req.query.year),
      status: (CERT_STATUSES as readonly string[]).includes(statusRaw) ? (statusRaw as CertStatus) : null,
      parkId: positiveInt(req.query.park),
      townId: positiveInt(req.query.town),
      counsellorId: positiveInt(req.query.counsellor),
      q: opt(req.query.q)?.slice(0, 60) ?? null,
    };
    const after = registerCursor(req.query.after);
    const before = after ? null : registerCursor(req.query.before);
    const today = todayInShanghai();
    const [{ rows, total, capped, more }, settings, options] = await Promise.all([
      listRegister(db, { ...filters, parkIds: actor.parkIds, townIds: actor.townIds, limit: PAGE_SIZE, after, before }),
      yearSettings(db),
      loadFilterOptions(db, actor),
    ]);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ kind: filters.kind, year: filters.year, status: filters.status, park: filters.parkId, town: filters.townId, counsellor: filters.counsellorId, q: filters.q })) if (v) params.set(k, String(v));
    const link = (dir: 'after' | 'before', r: { year: number; kind: string; id: number }) => `/certifications?${new URLSearchParams([...params, [dir, `${r.year}.${r.kind}.${r.id}`]]).toString()}`;
    const hasPrev = before ? more : !!after;
    const hasNext = before ? true : more;
    const thisYear = Number(today.slice(0, 4));
    res.render('certifications/index', {
      title: '资质登记',
      nav: 'certifications',
      rows: rows.map((r) => registerRow(r, today, settings)),
      total,
      capped,
      filters,
      options,
      choices: FORM_CHOICES,
      statuses: CERT_STATUSES.map((key) => ({ key, label: STATUS_FILTER_LABELS[key] })),
      years: Array.from({ length: 12 }, (_, i) => thisYear - i),
      prev: hasPrev && rows.length ? link('before', rows[0]!) : null,
      next: hasNext && rows.length ? link('after', rows.at(-1)!) : null,
      canEdit: can(actor, 'certifications.edit'),
      canSettings: can(actor, 'certifications.settings'),
      print: { filters: [filters.kind ? CERT_KIND_LABELS[filters.kind] : '全部资质', filters.year ? `${filters.year} 年度` : '', filters.q ?? ''].filter(Boolean).join('，'), at: shanghaiDateTime(nowIso()) },
    });
  });

  // ─── New row / edit row ──────────────────────────────────────────────────────────────────────
  async function renderForm(res: Response, data: { firm: { uscc: string; name: string; foundedOn: string | null }; kind: CertKind; values: Record<string, unknown>; errors: Record<string, string>; row?: ReturnType<typeof registerRow> | null; conflict?: boolean; message?: string | null }, status = 200) {
    const settings = await yearSettings(db);
    const year = Number(data.values.year) || Number(todayInShanghai().slice(0, 4));
    res.status(status).render('certifications/form', {
      title: `${data.row ? '修改' : '登记'}${CERT_KIND_LABELS[data.kind]} · ${data.firm.name}`,
      nav: 'certifications',
      ...data,
      kindLabel: CERT_KIND_LABELS[data.kind],
      isHte: data.kind === 'hte',
      isTsme: data.kind === 'tsme',
      isProvincial: data.kind === 'tsme_prov',
      isBenchmark: data.kind === 'leading' || data.kind === 'little_giant',
      agency: settings.get(year)?.provincialAgency ?? PROVINCIAL_AGENCIES[0],
      choices: FORM_CHOICES,
      action: data.row ? `/certifications/${data.row.id}` : '/certifications/new',
    });
  }

  router.get('/certifications/new', requirePermission('certifications.edit'), async (req, res) => {
    const actor = actorOfResponse(res);
    const firm = await findFirmInScope(db, normalizeUscc(str(req.query.firm)), actor);
    const kindRaw = str(req.query.kind);
    const kind: CertKind = isCertKind(kindRaw) ? kindRaw : 'hte';
    const year = Number(todayInShanghai().slice(0, 4));
    await renderForm(res, { firm, kind, values: { year, mode: firm.stage === 'hte_certified' || firm.stage === 'benchmark' ? 'renewal' : 'first' }, errors: {} });
  });

  router.post('/certifications/new', requirePermission('certifications.edit'), async (req, res) => {
    const actor = actorOfResponse(res);
    const body = req.body as Record<string, unknown>;
    const firm = await findFirmInScope(db, normalizeUscc(str(body.firm)), actor);
    const kindRaw = str(body.kind);
    if (!isCertKind(kindRaw)) throw new BadRequestError('BAD_KIND', '请选择资质类别。');
    const form = parseCertificationForm(body);
    try {
      const { movedTo } = await service.create(db, firm.uscc, kindRaw, form, writeContext(req, res));
      setFlash(req, 'success', `已登记${CERT_KIND_LABELS[kindRaw]}（${form.year} 年度）。${movedTo ? `企业阶段已移至“${stageLabel(movedTo)}”。` : ''}`);
      redirectAfterWrite(req, res, `/firms/${firm.uscc}#certifications`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderForm(res, { firm, kind: kindRaw, values: { ...body }, errors: err.fieldErrors, message: err.message }, 422);
    }
  });

  // ─── The review queue of the official result lists (issue 10 item 2) ─────────────────────────
  router.get('/certifications/review', async (_req, res) => {
    const actor = actorOfResponse(res);
    // A caseworker limited in scope (by park or by town) sees the rows of the lists they imported themselves.
    const limited = actor.parkIds !== null || (actor.townIds?.length ?? 0) > 0;
    const rows = await officialQueueRows(db, OFFICIAL_IMPORT_KINDS, 1000, limited ? actor.id : null);
    res.render('certifications/review', {
      title: '官方名单待处理',
      nav: 'certifications',
      rows: rows.map((r) => ({ ...r, kindLabel: importKindLabel(r.kind) })),
    });
  });

  router.get('/certifications/calendar', async (req, res) => {
    const actor = actorOfResponse(res);
    const f = calendarFilters(req.query);
    const today = todayInShanghai();
    const [{ items, atRisk }, options] = await Promise.all([calendarItems(db, actor, f, today), loadFilterOptions(db, actor)]);
    const qs = calendarQuery(f);
    res.render('certifications/calendar', {
      title: '后续管理',
      nav: 'certifications',
      items,
      atRisk,
      filters: f,
      options,
      choices: FORM_CHOICES,
      today,
      canEdit: can(actor, 'certifications.edit'),
      back: `/certifications/calendar?${qs}`,
      exportXlsx: `/certifications/calendar.xlsx?${qs}`,
      exportCsv: `/certifications/calendar.csv?${qs}`,
      counsellorTasks: items.filter((i) => i.counsellorTask),
      print: { filters: `未来 ${f.days} 天${f.parkId ? `，${options.parks.find((p) => p.id === f.parkId)?.name ?? ''}` : ''}`, at: shanghaiDateTime(nowIso()) },
    });
  });

  /** The due list as a spreadsheet: codes as text cells, every text neutralised against formulas. */
  router.get('/certifications/calendar.:format', async (req, res) => {
    const format = req.params.format === 'csv' ? 'csv' : req.params.format === 'xlsx' ? 'xlsx' : null;
    if (!format) throw new NotFoundError('NOT_FOUND', '找不到这个页面。');
    const actor = actorOfResponse(res);
    const f = calendarFilters(req.query);
    const today = todayInShanghai();
    const [{ items }, options] = await Promise.all([calendarItems(db, actor, f, today), loadFilterOptions(db, actor)]);
    // A download of firm data (导出表格), with its filters in the words of the filter bar.
    const pairs: [string, string][] = [['期限', `未来 ${f.days} 天`]];
    if (f.parkId) pairs.push(['园区/平台', options.parks.find((p) => p.id === f.parkId)?.name ?? `#${f.parkId}`]);
    if (f.counsellorId) pairs.push(['辅导员', options.counsellors.find((c) => c.id === f.counsellorId)?.displayName ?? `#${f.counsellorId}`]);
    if (f.kind) pairs.push(['事项', FORM_CHOICES.itemKinds.find((k) => k.key === f.kind)?.label ?? f.kind]);
    await appendAudit(db, writeContext(req, res), { action: 'export.download', after: { what: '后续管理（到期及已逾期事项）', format, filters: Object.fromEntries(pairs), rows: items.length } });
    const header = ['企业名称', '统一社会信用代码', '园区/平台', '属地', '辅导员', '事项', '内容', '期限', '状态', '说明', '依据', '辅导员任务'];
    const records = items.map((i) => [i.firm.firmName, i.firm.uscc, i.firm.parkName ?? '', i.firm.townName ?? '', i.firm.counsellorName ?? '', i.kindLabel, i.title, i.dueOn, i.stateLabel, i.detail, i.article, i.counsellorTask ?? '']);
    const title = `后续管理：未来 ${f.days} 天到期及已逾期事项（截至 ${today}）`;
    const name = `后续管理-${today}.${format}`;
    res.set({ 'Content-Disposition': `attachment; filename="calendar-${today}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`, 'Cache-Control': 'no-store' });
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8');
      const rows = [[title], header, ...records].map((r) => r.map((v) => safeCell(v)));
      await pipeline(Readable.from(rows), stringify({ bom: true, record_delimiter: 'windows' }), res);
      return;
    }
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
    const ws = wb.addWorksheet('后续管理');
    ws.columns = header.map((_, i) => ({ width: [30, 22, 18, 12, 10, 18, 30, 12, 14, 40, 24, 40][i] }));
    ws.addRow([title]).commit();
    ws.addRow(header).commit();
    // Every cell is a string: the credit code stays text (never a number), nothing is a formula.
    for (const r of records) ws.addRow(r.map((v) => String(safeCell(v)))).commit();
    ws.commit();
    await wb.commit();
  });

  router.get('/certifications/settings', requirePermission('certifications.settings'), async (_req, res) => renderSettings(res, null));

  async function renderSettings(res: Response, state: { year: number; values: Record<string, unknown>; errors: Record<string, string> } | null, status = 200) {
    const settings = await yearSettings(db);
    const thisYear = Number(todayInShanghai().slice(0, 4));
    const years = Array.from({ length: 6 }, (_, i) => thisYear + 1 - i).map((year) => {
      const s = settings.get(year);
      const values = state?.year === year ? state.values : { provincialAgency: s?.provincialAgency ?? '', hteReportDueOn: s?.hteReportDueOn ?? '', tsmeInfoDueOn: s?.tsmeInfoDueOn ?? '' };
      return { year, version: s?.version ?? '', values, errors: state?.year === year ? state.errors : {}, defaultHte: `${year}-05-31`, defaultTsme: `${year}-03-31` };
    });
    res.status(status).render('certifications/settings', { title: '资质年度设置', nav: 'certifications', years, agencies: PROVINCIAL_AGENCIES });
  }

  router.post('/certifications/settings', requirePermission('certifications.settings'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const year = positiveInt(body.year);
    if (!year || year < 2000 || year > 2100) throw new BadRequestError('BAD_YEAR', '年度无效。');
    const version = positiveInt(body.version);
    try {
      const { changed } = await service.saveSettings(db, { year, provincialAgency: opt(body.provincialAgency), hteReportDueOn: opt(body.hteReportDueOn), tsmeInfoDueOn: opt(body.tsmeInfoDueOn), version }, PROVINCIAL_AGENCIES, writeContext(req, res));
      if (changed) setFlash(req, 'success', `已保存 ${year} 年度设置。`);
      else setFlash(req, 'info', `没有修改：${year} 年度设置与保存前相同。`);
      res.redirect(303, '/certifications/settings');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderSettings(res, { year, values: body, errors: err.fieldErrors }, 422);
    }
  });

  // ─── Ticks and changes ───────────────────────────────────────────────────────────────────────
  router.post('/certifications/ticks', requirePermission('certifications.edit'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const id = positiveInt(body.certificationId);
    const kind = str(body.kind);
    const dataYear = positiveInt(body.dataYear);
    if (!id || !dataYear || (kind !== 'hte_annual_report' && kind !== 'tsme_info_update')) throw new BadRequestError('BAD_TICK', '缺少报送事项。');
    const back = backTo(body.back, '/certifications/calendar');
    try {
      if (str(body.remove) === '1') await service.untick(db, id, kind, dataYear, writeContext(req, res));
      else await service.tick(db, id, kind, dataYear, opt(body.reportedOn), writeContext(req, res));
      setFlash(req, 'success', str(body.remove) === '1' ? `已撤销 ${dataYear} 年度的已报送标记。` : `已标记 ${dataYear} 年度已报送。`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(422);
      setFlash(req, 'error', Object.values(err.fieldErrors)[0] ?? err.message);
    }
    redirectAfterWrite(req, res, back);
  });

  router.post('/certifications/changes', requirePermission('certifications.edit'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const uscc = normalizeUscc(str(body.firm));
    try {
      await service.addChange(db, uscc, { kind: str(body.kind), eventOn: opt(body.eventOn), description: opt(body.description)?.slice(0, 300) ?? null }, writeContext(req, res));
      setFlash(req, 'success', '已登记变化，三个月内须向认定机构报告（办法 第十七条）。');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(422);
      setFlash(req, 'error', Object.values(err.fieldErrors).join(' '));
    }
    redirectAfterWrite(req, res, `/firms/${uscc}#compliance`);
  });

  router.post('/certifications/changes/:id/reported', requirePermission('certifications.edit'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const uscc = normalizeUscc(str(body.firm));
    try {
      await service.changeReported(db, uscc, positiveInt(req.params.id) ?? 0, opt(body.reportedOn), writeContext(req, res));
      setFlash(req, 'success', '已记录报告日期。');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(422);
      setFlash(req, 'error', Object.values(err.fieldErrors).join(' '));
    }
    redirectAfterWrite(req, res, `/firms/${uscc}#compliance`);
  });

  router.post('/certifications/:id/cancel', requirePermission('certifications.edit'), async (req, res) => {
    const id = positiveInt(req.params.id) ?? 0;
    const body = req.body as Record<string, unknown>;
    const version = positiveInt(body.version);
    if (!version) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
    const row = await findCertification(db, id);
    try {
      const { movedTo } = await service.cancel(db, id, version, { reasonCode: opt(body.reasonCode), reason: opt(body.reason)?.slice(0, 500) ?? null, statusOn: opt(body.statusOn), outcome: str(body.outcome) === 'failed' ? 'failed' : 'cancel' }, writeContext(req, res));
      setFlash(req, 'success', `${str(body.outcome) === 'failed' ? '已记为未通过' : '已登记取消'}。${movedTo ? `企业阶段已移至“${stageLabel(movedTo)}”。` : ''}`);
      redirectAfterWrite(req, res, `/firms/${row!.uscc}#certifications`);
    } catch (err) {
      if (err instanceof ValidationError) return editPage(req, res, id, { cancelErrors: err.fieldErrors, cancelValues: body }, 422);
      if (err instanceof StaleCertificationError) return editPage(req, res, id, { conflict: true }, 409);
      throw err;
    }
  });

  router.post('/certifications/:id/void', requirePermission('certifications.edit'), async (req, res) => {
    const id = positiveInt(req.params.id) ?? 0;
    const body = req.body as Record<string, unknown>;
    const version = positiveInt(body.version);
    if (!version) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
    const row = await findCertification(db, id);
    try {
      const { movedTo } = await service.void(db, id, version, opt(body.voidReason)?.slice(0, 300) ?? null, writeContext(req, res));
      setFlash(req, 'success', `已作废该记录。${movedTo ? `企业阶段已移至“${stageLabel(movedTo)}”。` : ''}`);
      redirectAfterWrite(req, res, `/firms/${row!.uscc}#certifications`);
    } catch (err) {
      if (err instanceof ValidationError) return editPage(req, res, id, { voidErrors: err.fieldErrors }, 422);
      if (err instanceof StaleCertificationError) return editPage(req, res, id, { conflict: true }, 409);
      throw err;
    }
  });

  async function editPage(_req: Request, res: Response, id: number, extra: Record<string, unknown> & { values?: Record<string, unknown>; errors?: Record<string, string>; conflict?: boolean; message?: string | null }, status = 200) {
    const actor = actorOfResponse(res);
    const row = await findCertification(db, id);
    if (!row || row.isVoid) throw new NotFoundError('CERTIFICATION_NOT_FOUND', '找不到这条资质记录（不存在，或不在你负责的园区或镇街）。');
    const firm = await findFirmInScope(db, row.uscc, actor);
    const today = todayInShanghai();
    const view = registerRow(row, today, await yearSettings(db));
    res.locals.extra = extra;
    await renderForm(res, { firm, kind: row.kind, values: extra.values ?? formOf(row), errors: extra.errors ?? {}, row: view, conflict: extra.conflict ?? false, message: extra.message ?? null, ...extra } as never, status);
  }

  router.get('/certifications/:id/edit', requirePermission('certifications.edit'), async (req, res) => editPage(req, res, positiveInt(req.params.id) ?? 0, {}));

  router.post('/certifications/:id', requirePermission('certifications.edit'), async (req, res) => {
    const id = positiveInt(req.params.id) ?? 0;
    const body = req.body as Record<string, unknown>;
    const version = positiveInt(body.version);
    if (!version) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
    const form = parseCertificationForm(body);
    try {
      const { movedTo, changed } = await service.update(db, id, version, form, writeContext(req, res));
      const row = await findCertification(db, id);
      setFlash(req, changed ? 'success' : 'info', changed ? `已保存。${movedTo ? `企业阶段已移至“${stageLabel(movedTo)}”。` : ''}` : '没有修改：内容与保存前相同。');
      redirectAfterWrite(req, res, `/firms/${row!.uscc}#certifications`);
    } catch (err) {
      if (err instanceof ValidationError) return editPage(req, res, id, { values: { ...body, version }, errors: err.fieldErrors, message: err.message }, 422);
      if (err instanceof StaleCertificationError) return editPage(req, res, id, { conflict: true }, 409);
      throw err;
    }
  });

  return router;
}
