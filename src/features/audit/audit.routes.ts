/**
 * /admin/audit: who did what, when, from where — in words: fields by their labels, stages and
 * reasons by name, money in 万元, firms by name and code, batches by list and year, users by
 * name, addresses as IPv4. Filters by user, action, firm (code or name) and date; XLSX export.
 */
import express, { type Request, type Router } from 'express';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { parseUscc } from '../../domain/uscc.js';
import { isCalendarDate, shanghaiDateTime, todayInShanghai } from '../../lib/dates.js';
import { requirePermission, writeContext } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { isFragmentRequest, renderPageOrFragment } from '../../web/render.js';
import { firmNamesByUscc, usccsByName } from '../firms/firms.queries.js';
import { batchNames } from '../lists/imports.queries.js';
import { neutraliseFormula } from '../lists/parsing/export-safe.js';
import { areaNames } from '../parks/parks.queries.js';
import { listUserSummaries } from '../users/users.queries.js';
import { AUDIT_ACTIONS, auditActionLabel } from './audit-actions.js';
import { appendAudit } from './audit.queries.js';
import { type AuditFilters, type AuditRow, listAudit } from './audit.read.js';
import { type AuditChange, auditObjectText, describeAuditChanges, displayIp, referencedIds } from './audit-view.js';

const PAGE = 100;
/** A firm filter by name matches at most this many firms (a name fragment, not a scan of the log). */
const FIRM_NAME_MATCHES = 200;
const EXPORT_LIMIT = 100_000;

const ACTION_FAMILIES = [
  { key: 'login.', label: '全部登录相关' },
  { key: 'user.', label: '全部用户管理' },
  { key: 'firm.', label: '全部企业操作' },
  { key: 'figures.', label: '全部年度指标' },
  { key: 'import.', label: '全部名单导入' },
  { key: 'park.', label: '全部园区/平台管理' },
  { key: 'town.', label: '全部镇街管理' },
];

export interface AuditLine {
  id: number;
  at: string;
  actor: string;
  action: string;
  actionLabel: string;
  object: { label: string; code: string | null; href: string | null };
  changes: AuditChange[];
  ip: string;
}

/** Names for one page (or export chunk) of rows, each kind looked up once. */
async function describeRows(db: Knex, rows: AuditRow[], users: { id: number; username: string; displayName: string }[], areas: Awaited<ReturnType<typeof areaNames>>): Promise<AuditLine[]> {
  const refs = referencedIds(rows);
  const [firms, batches] = await Promise.all([firmNamesByUscc(db, refs.firms), batchNames(db, refs.batches)]);
  const userById = new Map(users.map((u) => [u.id, u.displayName]));
  const userByName = new Map(users.map((u) => [u.username, u.displayName]));
  const lookups = {
    parkName: (id: number) => areas.parks.get(id),
    townName: (id: number) => areas.towns.get(id),
    userName: (id: number) => userById.get(id),
    batchName: (id: number) => batches.get(id),
    firmName: (uscc: string) => firms.get(uscc),
  };
  const names = { firm: (u: string) => firms.get(u), user: (u: string) => userByName.get(u), batch: (id: number) => batches.get(id), park: lookups.parkName, town: lookups.townName };
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    // The current name of a signed-in actor; a failed login keeps what was typed.
    actor: (r.actorId !== null ? userById.get(r.actorId) : undefined) ?? r.actorName ?? '',
    action: r.action,
    actionLabel: auditActionLabel(r.action),
    object: auditObjectText(r.objectType, r.objectId, names),
    changes: describeAuditChanges(r.action, r.before, r.after, lookups),
    ip: displayIp(r.ip),
  }));
}

function changeText(c: AuditChange): string {
  return `${c.label}：${c.before !== null ? `${c.before} → ` : ''}${c.after ?? '—'}`;
}

export function auditRouter(db: Knex): Router {
  const router = express.Router();

  /** The filters from the query string: bad values are dropped; `firm` is a code or a name. */
  async function parseFilters(req: Request) {
    const q = req.query;
    const filters: AuditFilters = {};
    const actorId = positiveInt(q.user);
    if (actorId) filters.actorId = actorId;
    const firm = str(q.firm).slice(0, 60);
    if (firm) {
      const code = parseUscc(firm);
      filters.firms = code.ok ? [code.code] : await usccsByName(db, firm, FIRM_NAME_MATCHES);
    }
    const action = str(q.action);
    if (action && (Object.hasOwn(AUDIT_ACTIONS, action) || ACTION_FAMILIES.some((f) => f.key === action))) filters.action = action;
    for (const k of ['from', 'to'] as const) {
      const v = str(q[k]);
      if (v && isCalendarDate(v)) filters[k] = v;
    }
    const shown = { user: actorId ?? '', firm, action: filters.action ?? '', from: filters.from ?? '', to: filters.to ?? '' };
    const params = Object.entries(shown).filter(([, v]) => v !== '').map(([k, v]) => [k, String(v)] as [string, string]);
    return { filters, shown, params };
  }

  router.get('/admin/audit', requirePermission('audit.read'), async (req, res) => {
    const { filters, shown, params } = await parseFilters(req);
    const before = positiveInt(req.query.before);
    const [rows, users, areas] = await Promise.all([listAudit(db, filters, PAGE + 1, before), listUserSummaries(db), areaNames(db)]);
    const page = rows.slice(0, PAGE);
    const nextLink = rows.length > PAGE ? `/admin/audit?${new URLSearchParams([...params, ['before', String(page.at(-1)!.id)]]).toString()}` : null;
    renderPageOrFragment(req, res, 'admin/audit', 'admin/audit-table', {
      title: '审计日志',
      nav: 'audit',
      rows: await describeRows(db, page, users, areas),
      filters: shown,
      firmMatches: filters.firms && !parseUscc(shown.firm).ok ? filters.firms.length : null,
      users: isFragmentRequest(req) ? [] : users,
      actions: [...ACTION_FAMILIES, ...Object.entries(AUDIT_ACTIONS).map(([key, label]) => ({ key, label }))],
      exportLink: `/admin/audit/export.xlsx${params.length ? `?${new URLSearchParams(params).toString()}` : ''}`,
      nextLink,
    });
  });

  /** The filtered log as an Excel workbook, newest first, read a chunk at a time. */
  router.get('/admin/audit/export.xlsx', requirePermission('audit.read'), async (req, res) => {
    const { filters, params } = await parseFilters(req);
    const [users, areas] = await Promise.all([listUserSummaries(db), areaNames(db)]);
    await appendAudit(db, writeContext(req, res), { action: 'audit.export', after: { format: 'xlsx', filters: Object.fromEntries(params) } });
    res.set({
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="audit-${todayInShanghai()}.xlsx"; filename*=UTF-8''${encodeURIComponent(`审计日志-${todayInShanghai()}.xlsx`)}`,
      'Cache-Control': 'no-store',
    });
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
    const ws = wb.addWorksheet('审计日志', { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = [
      { header: '时间', width: 20 },
      { header: '操作人', width: 12 },
      { header: '操作', width: 16 },
      { header: '对象', width: 30 },
      { header: '信用代码/编号', width: 22 },
      { header: '变化', width: 70 },
      { header: '来源地址', width: 16 },
    ];
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    // Everything written is text someone typed at some point: never let a cell become a formula.
    const cell = (s: string) => neutraliseFormula(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd')).slice(0, 32767);
    let written = 0;
    for (let beforeId: number | null = null; written < EXPORT_LIMIT; ) {
      const chunk = await listAudit(db, filters, Math.min(1000, EXPORT_LIMIT - written), beforeId);
      if (!chunk.length) break;
      for (const l of await describeRows(db, chunk, users, areas)) {
        const row = ws.addRow([shanghaiDateTime(l.at), cell(l.actor), l.actionLabel, cell(l.object.label), l.object.code ?? '', cell(l.changes.map(changeText).join('\n')), l.ip]);
        row.getCell(6).alignment = { wrapText: true, vertical: 'top' };
        row.commit();
      }
      written += chunk.length;
      beforeId = chunk.at(-1)!.id;
    }
    if (written >= EXPORT_LIMIT) ws.addRow([`仅导出最新的 ${EXPORT_LIMIT.toLocaleString('en-US')} 条；请缩小日期范围后分次导出。`]).commit();
    ws.commit();
    await wb.commit();
  });

  return router;
}
