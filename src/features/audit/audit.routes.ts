/** /admin/audit: who did what, when, from where; filters by user, firm, action and date. */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { normalizeUscc } from '../../domain/uscc.js';
import { isCalendarDate } from '../../lib/dates.js';
import { requirePermission } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { isFragmentRequest, renderPageOrFragment } from '../../web/render.js';
import { listUserSummaries } from '../users/users.queries.js';
import { AUDIT_ACTIONS, auditActionLabel } from './audit-actions.js';
import { type AuditFilters, listAudit } from './audit.read.js';

const PAGE = 100;

function changeSummary(before: unknown, after: unknown): { key: string; before: string; after: string }[] {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  return keys.map((key) => ({ key, before: show(b[key]), after: show(a[key]) }));
}

export function auditRouter(db: Knex): Router {
  const router = express.Router();
  router.get('/admin/audit', requirePermission('audit.read'), async (req, res) => {
    const q = req.query;
    const filters: AuditFilters = {};
    const actorId = positiveInt(q.user);
    if (actorId) filters.actorId = actorId;
    const firm = normalizeUscc(str(q.firm));
    if (firm) filters.firm = firm;
    const action = str(q.action);
    if (action && (Object.hasOwn(AUDIT_ACTIONS, action) || /^[a-z_]+\.$/.test(action))) filters.action = action;
    for (const k of ['from', 'to'] as const) {
      const v = str(q[k]);
      if (v && isCalendarDate(v)) filters[k] = v;
    }
    const before = positiveInt(q.before);
    // The user filter is on the page only; a filter change swaps just the table.
    const [rows, users] = await Promise.all([listAudit(db, filters, PAGE + 1, before), isFragmentRequest(req) ? [] : listUserSummaries(db)]);
    const page = rows.slice(0, PAGE);
    const params: [string, string][] = Object.entries({ user: actorId ?? '', firm, action: filters.action ?? '', from: filters.from ?? '', to: filters.to ?? '' })
      .filter(([, v]) => v !== '')
      .map(([k, v]) => [k, String(v)]);
    const nextLink = rows.length > PAGE ? `/admin/audit?${new URLSearchParams([...params, ['before', String(page.at(-1)!.id)]]).toString()}` : null;
    renderPageOrFragment(req, res, 'admin/audit', 'admin/audit-table', {
      title: '审计日志',
      nav: 'audit',
      rows: page.map((r) => ({ ...r, actionLabel: auditActionLabel(r.action), changes: changeSummary(r.before, r.after) })),
      filters: { user: actorId, firm, action: filters.action, from: filters.from, to: filters.to },
      users,
      actions: [
        { key: 'login.', label: '全部登录相关' },
        { key: 'user.', label: '全部用户管理' },
        { key: 'firm.', label: '全部企业操作' },
        { key: 'figures.', label: '全部年度指标' },
        { key: 'import.', label: '全部名单导入' },
        ...Object.entries(AUDIT_ACTIONS).map(([key, label]) => ({ key, label })),
      ],
      nextLink,
    });
  });
  return router;
}
