/**
 * The audit log in words. Rows store what the code wrote (English keys, stage keys, ids, 元); an
 * administrator reading the log needs the labels the rest of the app shows for the same things.
 * The labels and formats of every key are in audit-fields.ts; this module applies them to a row.
 * Pure functions: the route looks up park, user and firm names once per page and passes them in.
 */
import { type AuditLookups, NONE, type ShowContext, plain } from './audit-format.js';
import { auditField } from './audit-fields.js';

export type { AuditLookups } from './audit-format.js';

export interface AuditChange {
  label: string;
  /** null: the key was not in `before` (something set, not changed). */
  before: string | null;
  after: string | null;
}

/** An object or a list inside a row (a structure, a list of firms) in words, with the action's labels. */
function nestedText(action: string, v: unknown, lookups: AuditLookups): string {
  if (Array.isArray(v)) return v.length ? v.map((x) => auditValueText(action, '', x, lookups)).join('；') : '无';
  if (v && typeof v === 'object') {
    const record = v as Record<string, unknown>;
    const parts = Object.entries(record)
      .filter(([k]) => !auditField(action, k)?.hidden)
      .map(([k, x]) => `${auditKeyLabel(action, k)} ${auditValueText(action, k, x, lookups, record)}`);
    return parts.length ? parts.join('；') : '无';
  }
  return String(v);
}

/**
 * One value as an administrator should read it; `action` tells apart keys shared by several
 * actions, `record` is the row's side the value sits in (a certification's status reads by its kind).
 */
export function auditValueText(action: string, key: string, value: unknown, lookups: AuditLookups, record: Record<string, unknown> = {}): string {
  const field = auditField(action, key);
  if (value === null || value === undefined || value === '') return field?.empty ?? NONE;
  const at: ShowContext = { action, record, lookups, nested: (v) => nestedText(action, v, lookups) };
  return (field?.show ?? plain)(value, at);
}

/** The label of a key in rows of `action`; a key nothing names is shown as written (the test forbids one). */
export function auditKeyLabel(action: string, key: string): string {
  return auditField(action, key)?.label ?? key;
}

const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * Before → after, key by key, in words. A stage move's `details` are opened up into their own
 * lines (certificate, override, eligibility); keys only in `after` whose value is empty are left
 * out (a forward move has no reason code to speak of), as are the bookkeeping keys (versions).
 */
export function describeAuditChanges(action: string, before: unknown, after: unknown, lookups: AuditLookups): AuditChange[] {
  const flatten = (o: Record<string, unknown>) => {
    const { details, ...rest } = o;
    return details && typeof details === 'object' && !Array.isArray(details) ? { ...rest, ...(details as Record<string, unknown>) } : o;
  };
  const b = flatten(asObject(before));
  const a = flatten(asObject(after));
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !auditField(action, k)?.hidden);
  const out: AuditChange[] = [];
  for (const key of keys) {
    const inBefore = Object.hasOwn(b, key);
    const inAfter = Object.hasOwn(a, key);
    const empty = (v: unknown) => v === null || v === undefined || v === '';
    if (!inBefore && inAfter && empty(a[key])) continue;
    // A sibling on either side tells how to read a value (the kind of a certification whose status changed).
    const was = inBefore ? auditValueText(action, key, b[key], lookups, { ...a, ...b }) : null;
    const now = inAfter ? auditValueText(action, key, a[key], lookups, { ...b, ...a }) : null;
    // The same on both sides (the year of a figures change, a batch number): context, not a change.
    out.push({ label: auditKeyLabel(action, key), before: was === now ? null : was, after: now ?? NONE });
  }
  return out;
}

/** Addresses as people read them: an IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) as a.b.c.d. */
export function displayIp(ip: string | null): string {
  if (!ip) return '';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  return ip === '::1' ? '127.0.0.1（本机）' : ip;
}

const USCC_SHAPE = /^[0-9A-HJ-NP-RT-UW-Y]{2}\d{6}[0-9A-HJ-NP-RT-UW-Y]{10}$/;

/** The ids a page of rows refers to, so the route can look up their names in one query each. */
export function referencedIds(rows: { action: string; objectType: string | null; objectId: string | null; before: unknown; after: unknown }[]) {
  const firms = new Set<string>();
  const users = new Set<string>();
  const batches = new Set<number>();
  const visit = (v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if ((k === 'batchId' || k === 'restoredBatch' || k === 'withdrawnBatch') && x !== null && x !== undefined) batches.add(Number(x));
      if (k === 'superseded' && Array.isArray(x)) x.forEach((id) => batches.add(Number(id)));
      // Firms listed by code (an event's check-in): named like the row's own firm.
      if (Array.isArray(x)) x.forEach((u) => typeof u === 'string' && USCC_SHAPE.test(u) && firms.add(u));
      if (k === 'details') visit(x);
    }
  };
  for (const r of rows) {
    if (r.objectType === 'firm' && r.objectId) firms.add(r.objectId);
    if (r.objectType === 'user' && r.objectId) users.add(r.objectId);
    if (r.objectType === 'import_batch' && r.objectId) batches.add(Number(r.objectId));
    visit(r.before);
    visit(r.after);
  }
  return { firms: [...firms], users: [...users], batches: [...batches].filter((n) => Number.isInteger(n) && n > 0) };
}

/** The annual targets' object: `2025` (the county) or `2025/park 3`. */
function targetsText(objectId: string, park: (id: number) => string | undefined): string {
  const m = /^(\d{4})(?:\/park (\d+))?$/.exec(objectId);
  if (!m) return `目标 ${objectId}`;
  return `${m[1]} 年目标（${m[2] ? (park(Number(m[2])) ?? `园区 #${m[2]}`) : '全县'}）`;
}

/** Settings rows name what they set by a key of the code. */
const SETTINGS_NAMES: Record<string, { label: string; href: string }> = {
  coaching_contact_rules: { label: '未联系提醒天数', href: '/coaching/settings' },
};

/** What the object column says: a firm by name and code, a user by name, a batch by list and year. */
export function auditObjectText(
  objectType: string | null,
  objectId: string | null,
  names: { firm(uscc: string): string | undefined; user(username: string): string | undefined; batch(id: number): string | undefined; park(id: number): string | undefined; town(id: number): string | undefined },
): { label: string; code: string | null; href: string | null } {
  if (!objectId) return { label: '', code: null, href: null };
  switch (objectType) {
    case 'firm':
      return { label: names.firm(objectId) ?? '（企业）', code: objectId, href: `/firms/${objectId}` };
    case 'user':
      return { label: names.user(objectId) ?? objectId, code: objectId, href: null };
    case 'import_batch':
      return { label: names.batch(Number(objectId)) ?? '导入批次', code: `#${objectId}`, href: `/lists/imports/${objectId}` };
    case 'park':
      return { label: names.park(Number(objectId)) ?? '园区', code: null, href: '/admin/parks' };
    case 'town':
      return { label: names.town(Number(objectId)) ?? '镇街', code: null, href: '/admin/parks' };
    case 'event':
      return { label: '辅导活动', code: `#${objectId}`, href: `/coaching/events/${objectId}` };
    case 'coaching_template':
      return { label: '辅导方案模板', code: `#${objectId}`, href: '/coaching/templates' };
    case 'report':
      return { label: `${objectId} 年度报告`, code: null, href: `/reports/${objectId}` };
    case 'targets':
      return { label: targetsText(objectId, names.park), code: null, href: `/targets?year=${objectId.slice(0, 4)}` };
    case 'year':
      return { label: `${objectId} 年度资质设置`, code: null, href: '/certifications/settings' };
    case 'settings':
      return { label: SETTINGS_NAMES[objectId]?.label ?? '系统设置', code: null, href: SETTINGS_NAMES[objectId]?.href ?? null };
    case 'request':
      // "GET /admin/users": the refused request itself, as the server saw it.
      return { label: '请求', code: objectId, href: null };
    default:
      return { label: objectId, code: null, href: null };
  }
}
