/**
 * The audit log in words. Rows store what the code wrote (English keys, stage keys, ids, 元); an
 * administrator reading the log needs the labels the rest of the app shows for the same things.
 * Pure functions: the route looks up park, user and firm names once per page and passes them in.
 */
import { ROLE_LABELS, isRole } from '../../domain/actor.js';
import { lifecycleLabel, techFieldLabel } from '../../domain/fields.js';
import { targetCertificationLabel } from '../../domain/coaching/plans.js';
import { listKindLabel } from '../../domain/list-kinds.js';
import { exitReasonLabel, isExitReasonKey, isStageKey, stageLabel } from '../../domain/stages.js';
import { MOVE_KIND_LABELS, MOVE_SOURCE_LABELS } from '../../domain/transitions.js';
import { shanghaiDateTime } from '../../lib/dates.js';
import { formatHeadcount, formatWanExact } from '../../lib/money.js';
import { STATUS_LABELS } from '../eligibility/readiness-view.js';
import { FIRM_FIELD_LABELS } from '../firms/firm-form.js';
import { FIGURE_ROWS, type FigureRowDef } from '../figures/figure-rows.js';
import { BATCH_STATUS_LABELS } from '../lists/imports.queries.js';

/** Names the page looked up in one go (parks, towns, users, firms, batches), for ids stored in the rows. */
export interface AuditLookups {
  parkName(id: number): string | undefined;
  userName(id: number): string | undefined;
  townName?(id: number): string | undefined;
  /** A batch as people name it: 研发费加计扣除 2025 年 (#12). */
  batchName?(id: number): string | undefined;
}

export interface AuditChange {
  label: string;
  /** null: the key was not in `before` (something set, not changed). */
  before: string | null;
  after: string | null;
}

const NONE = '—';

/**
 * Keys that tell a reader nothing: row versions (bookkeeping for concurrent saves), the gate
 * verdict's internal id, and a year already shown as the change's own heading.
 */
const HIDDEN = new Set(['version', 'verdictId']);

const FIGURES_BY_KEY = new Map<string, FigureRowDef>(FIGURE_ROWS.map((r) => [r.key, r]));
/** figures.import writes annual_figures column names (sales_revenue, staff_total_x100, …). */
function figureOfColumn(key: string): { row: FigureRowDef; x100: boolean } | null {
  const x100 = key.endsWith('_x100');
  const camel = key.replace(/_x100$/, '').replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  const row = FIGURES_BY_KEY.get(camel);
  return row && (x100 || camel !== key) ? { row, x100 } : null;
}

const KEY_LABELS: Record<string, string> = {
  ...FIRM_FIELD_LABELS,
  stage: '阶段',
  kind: '类型',
  reasonCode: '原因代码',
  reason: '原因',
  source: '来源',
  details: '详情',
  role: '角色',
  parkIds: '负责园区',
  displayName: '姓名',
  isActive: '账户状态',
  year: '年度',
  batchId: '导入批次',
  certificateNo: '证书编号',
  certificateDate: '发证日期',
  override: '越过资格检查',
  eligibility: '资格检查',
  failures: '连续失败次数',
  lockedUntil: '锁定至',
  scope: '锁定范围',
  fileName: '文件名',
  size: '文件大小',
  sha256: '文件校验值（SHA-256）',
  sheet: '工作表',
  status: '批次状态',
  restoredBatch: '恢复的批次',
  exitedFirms: '退库的候选企业',
  entries: '导入条目',
  createdFirms: '新增企业',
  superseded: '被取代的批次',
  format: '下载格式',
  townIds: '负责镇街',
  withdrawnBatch: '因撤销导入批次移出',
  mergedInto: '并入',
  firms: '随之转入的企业',
  users: '随之转入的业务员',
  // coaching-core (issue 9)
  goals: '辅导目标',
  targetCertification: '目标资质',
  targetYear: '目标年度',
  interactionId: '辅导记录编号',
  followUpId: '跟进事项编号',
  templateId: '方案模板编号',
};

/** Parks and towns (park.* / town.* actions) share keys with firms ("name", "kind") but mean the area's. */
const AREA_KEY_LABELS: Record<string, string> = { name: '名称', kind: '类型', isActive: '状态' };
const AREA_KIND_LABELS: Record<string, string> = { park: '园区', platform: '平台', incubator: '孵化器', subdistrict: '街道', town: '镇', township: '乡' };
const isAreaAction = (action: string) => action.startsWith('park.') || action.startsWith('town.');

/** reasonCode holds an exit reason, or the kind of move that needed a reason (skip, backward, …). */
const REASON_CODE_LABELS: Record<string, string> = { ...MOVE_KIND_LABELS, override: '越过资格检查' };

const yesNo = (v: boolean) => (v ? '是' : '否');
function batchRef(v: unknown, lookups: AuditLookups): string | null {
  if (!(typeof v === 'number' || (typeof v === 'string' && v !== ''))) return null;
  const named = lookups.batchName?.(Number(v));
  return named ? `${named}（#${v}）` : `#${v}`;
}

function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function eligibilityText(v: Record<string, unknown>): string {
  const status = typeof v.status === 'string' && v.status in STATUS_LABELS ? STATUS_LABELS[v.status as keyof typeof STATUS_LABELS] : null;
  const years = Array.isArray(v.inputYears) && v.inputYears.length ? `依据 ${v.inputYears.join('、')} 年数据` : null;
  return [status, years, typeof v.ruleSet === 'string' ? `规则 ${v.ruleSet}` : null].filter(Boolean).join('，') || NONE;
}

/** One value as an administrator should read it; `action` tells apart keys shared by several actions. */
export function auditValueText(action: string, key: string, value: unknown, lookups: AuditLookups): string {
  if (value === null || value === undefined || value === '') return NONE;
  const figure = FIGURES_BY_KEY.get(key) ?? null;
  const column = figure ? null : figureOfColumn(key);
  const row = figure ?? column?.row ?? null;
  if (row) {
    if (row.kind === 'bool') return yesNo(Boolean(value));
    const n = Number(value);
    if (!Number.isFinite(n)) return String(value);
    if (row.kind === 'money') return formatWanExact(n);
    if (row.kind === 'headcount') return formatHeadcount(column?.x100 ? n : Math.round(n * 100));
    return String(n);
  }
  if (typeof value === 'boolean') return key === 'isActive' ? (isAreaAction(action) ? (value ? '在用' : '已撤销') : value ? '启用' : '停用') : yesNo(value);
  if (isAreaAction(action) && key === 'kind') return AREA_KIND_LABELS[String(value)] ?? String(value);
  switch (key) {
    case 'stage':
      return isStageKey(value) ? stageLabel(value) : String(value);
    case 'kind':
      // firm.stage: the kind of move; import.*: which of the four lists.
      return action.startsWith('import.') ? listKindLabel(String(value)) : (MOVE_KIND_LABELS[String(value)] ?? String(value));
    case 'reasonCode':
      return isExitReasonKey(value) ? exitReasonLabel(value) : (REASON_CODE_LABELS[String(value)] ?? String(value));
    case 'source':
      return MOVE_SOURCE_LABELS[String(value)] ?? String(value);
    case 'role':
      return isRole(value) ? ROLE_LABELS[value] : String(value);
    case 'parkIds':
      if (!Array.isArray(value)) return String(value);
      // A user without parks covers the whole county (users.service).
      return value.length ? value.map((id) => lookups.parkName(Number(id)) ?? `#${id}`).join('、') : '不限园区';
    case 'townIds':
      if (!Array.isArray(value)) return String(value);
      return value.length ? value.map((id) => lookups.townName?.(Number(id)) ?? `#${id}`).join('、') : '不限镇街';
    case 'townId':
      return lookups.townName?.(Number(value)) ?? `#${value}`;
    case 'withdrawnBatch':
      return batchRef(value, lookups) ?? NONE;
    case 'firms':
    case 'users':
      return typeof value === 'number' ? `${value} ${key === 'firms' ? '家' : '位'}` : String(value);
    case 'parkId':
      return lookups.parkName(Number(value)) ?? `#${value}`;
    case 'counsellorId':
      return lookups.userName(Number(value)) ?? `#${value}`;
    case 'field':
      return techFieldLabel(String(value)) || String(value);
    case 'lifecycle':
      return lifecycleLabel(String(value)) || String(value);
    case 'targetCertification':
      return targetCertificationLabel(String(value)) || String(value);
    case 'batchId':
    case 'restoredBatch':
      return batchRef(value, lookups) ?? NONE;
    case 'superseded':
      return Array.isArray(value) ? (value.length ? value.map((id) => batchRef(id, lookups)).join('、') : '无') : String(value);
    case 'status':
      return BATCH_STATUS_LABELS[value as keyof typeof BATCH_STATUS_LABELS] ?? String(value);
    case 'lockedUntil':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? shanghaiDateTime(value) : String(value);
    case 'scope':
      return value === 'account' ? '该账户' : value === 'ip' ? '来源地址' : String(value);
    case 'size':
      return typeof value === 'number' ? fileSize(value) : String(value);
    case 'format':
      return String(value).toUpperCase();
    case 'eligibility':
      return value && typeof value === 'object' ? eligibilityText(value as Record<string, unknown>) : String(value);
    default:
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  }
}

export function auditKeyLabel(action: string, key: string): string {
  if (action.startsWith('import.') && key === 'kind') return '名单';
  if (isAreaAction(action) && AREA_KEY_LABELS[key]) return AREA_KEY_LABELS[key]!;
  return FIGURES_BY_KEY.get(key)?.label ?? figureOfColumn(key)?.row.label ?? KEY_LABELS[key] ?? key;
}

const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * Before → after, key by key, in words. A stage move's `details` are opened up into their own
 * lines (certificate, override, eligibility); keys only in `after` whose value is empty are left
 * out (a forward move has no reason code to speak of), as are the bookkeeping keys in HIDDEN.
 */
export function describeAuditChanges(action: string, before: unknown, after: unknown, lookups: AuditLookups): AuditChange[] {
  const flatten = (o: Record<string, unknown>) => {
    const { details, ...rest } = o;
    return details && typeof details === 'object' && !Array.isArray(details) ? { ...rest, ...(details as Record<string, unknown>) } : o;
  };
  const b = flatten(asObject(before));
  const a = flatten(asObject(after));
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !HIDDEN.has(k));
  const out: AuditChange[] = [];
  for (const key of keys) {
    const inBefore = Object.hasOwn(b, key);
    const inAfter = Object.hasOwn(a, key);
    const empty = (v: unknown) => v === null || v === undefined || v === '';
    if (!inBefore && inAfter && empty(a[key])) continue;
    const was = inBefore ? auditValueText(action, key, b[key], lookups) : null;
    const now = inAfter ? auditValueText(action, key, a[key], lookups) : null;
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
    default:
      return { label: objectId, code: null, href: null };
  }
}
