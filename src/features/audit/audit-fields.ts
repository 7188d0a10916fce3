/**
 * Every key an audited action writes, with its Chinese label and how its value reads. The same
 * key means different things in different actions (a certification's status is 有效/未通过, a
 * demand's 征集/对接中, a batch's 已生效/已撤销; `firms` is a count when parks merge and a list of
 * firms at an event's check-in), so a key is looked up for its action first, then for its family
 * (the part before the dot), then among the keys every action means the same by.
 *
 * test/unit/audit-labels.test.ts reads every audit write in src/ and fails on a key without a
 * label here, or on a value that would still read as code.
 */
import { ROLE_LABELS } from '../../domain/actor.js';
import { CERT_KIND_LABELS, DISPLAY_STATUS_LABELS, HTE_MODES, cancelReasonLabel, cancelReasonsOf, isCertKind } from '../../domain/certifications.js';
import { ITEM_KIND_LABELS } from '../../domain/compliance.js';
import { targetCertificationLabel } from '../../domain/coaching/plans.js';
import { topicLabel } from '../../domain/coaching/interactions.js';
import { demandStatusLabel, partnerKindLabel } from '../../domain/demands.js';
import { COMPLIANCE_EVENT_KINDS, COMPLIANCE_LISTS } from '../../domain/eligibility/compliance.js';
import { IP_ACQUISITIONS, IP_KINDS, IP_STATUSES } from '../../domain/eligibility/ip-register.js';
import { RULE_SETS } from '../../domain/eligibility/rule-sets.js';
import { attendanceLabel, eventKindLabel } from '../../domain/events.js';
import { lifecycleLabel, techFieldLabel } from '../../domain/fields.js';
import { importKindLabel, listKindLabel } from '../../domain/list-kinds.js';
import { SCALE_CLASS_LABELS, sectorLabel } from '../../domain/scale.js';
import { exitReasonLabel, isExitReasonKey, isStageKey, stageLabel } from '../../domain/stages.js';
import { MOVE_KIND_LABELS, MOVE_SOURCE_LABELS } from '../../domain/transitions.js';
import { formatHeadcount, formatWanExact } from '../../lib/money.js';
import { BREAKDOWNS } from '../coaching-figures/coaching-figures.routes.js';
import { TSME_RD_OPTIONS } from '../eligibility/eligibility-settings.routes.js';
import { STATUS_LABELS } from '../eligibility/readiness-view.js';
import { FIRM_FIELD_LABELS } from '../firms/firm-form.js';
import { FIGURE_ROWS, type FigureRowDef } from '../figures/figure-rows.js';
import { BATCH_STATUS_LABELS } from '../lists/imports.queries.js';
import { RD_CATEGORIES } from '../rd-structure/rd-structure.queries.js';
import { AUDIT_ACTIONS, auditActionLabel } from './audit-actions.js';
import {
  type Show, batch, count, date, fileSize, filters, firm, isChinese, listOf, monthCounts, oneOf, park, plain, ref, town, user, wan, yesNo,
} from './audit-format.js';

export interface AuditField {
  label: string;
  show?: Show;
  /** What an empty value means here (no counsellor: 未指派), instead of a dash. */
  empty?: string;
  /** Bookkeeping a reader needs not see (row versions, a label the row also stores by key). */
  hidden?: true;
}

type Fields = Record<string, AuditField>;

const HIDDEN: AuditField = { label: '', hidden: true };
const text = (label: string): AuditField => ({ label });
const on = (label: string): AuditField => ({ label, show: date });
const money = (label: string): AuditField => ({ label: `${label}（万元）`, show: wan });
const yes = (label: string): AuditField => ({ label, show: (v) => yesNo(v) });

const moveKind = oneOf(MOVE_KIND_LABELS);
/** reasonCode of a move: an exit reason, or the kind of move that needed a reason (skip, backward, …). */
const moveReason: Show = (v, at) => (isExitReasonKey(v) ? exitReasonLabel(v) : oneOf({ ...MOVE_KIND_LABELS, override: '越过资格检查' })(v, at));
const stage = oneOf((k) => (isStageKey(k) ? stageLabel(k) : ''));

function eligibilityText(v: unknown): string {
  if (!v || typeof v !== 'object') return String(v);
  const e = v as Record<string, unknown>;
  const status = typeof e.status === 'string' && e.status in STATUS_LABELS ? STATUS_LABELS[e.status as keyof typeof STATUS_LABELS] : null;
  const years = Array.isArray(e.inputYears) && e.inputYears.length ? `依据 ${e.inputYears.join('、')} 年数据` : null;
  const rules = typeof e.ruleSet === 'string' ? `按${RULE_SETS[e.ruleSet as keyof typeof RULE_SETS]?.title ?? e.ruleSet}条件` : null;
  return [status, years, rules].filter(Boolean).join('，') || '—';
}

/** The eight R&D categories (元) as one line in 万元, the empty ones left out. */
const RD_SHORT: Record<string, string> = Object.fromEntries(RD_CATEGORIES.map((c) => [c.key, c.label.replace(/^（\d）/, '').replace(/（实际发生额）$/, '')]));
const rdAmounts: Show = (v, at) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return plain(v, at);
  const o = v as Record<string, unknown>;
  const parts = RD_CATEGORIES.filter((c) => Number(o[c.key] ?? 0) !== 0).map((c) => `${RD_SHORT[c.key]} ${formatWanExact(Number(o[c.key]))}`);
  const total = RD_CATEGORIES.reduce((s, c) => s + Number(o[c.key] ?? 0), 0);
  return parts.length ? `${parts.join('，')}（合计 ${formatWanExact(total)}）` : '无';
};
const rdTotal: Show = (v, at) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return plain(v, at);
  const o = v as Record<string, unknown>;
  return formatWanExact(RD_CATEGORIES.reduce((s, c) => s + Number(o[c.key] ?? 0), 0));
};
const RD_FIELDS: Fields = Object.fromEntries(RD_CATEGORIES.map((c) => [c.key, money(c.label)]));

/** Part-time staff of staff_months: each with days and months, and whether counted as 科技人员. */
const partTime: Show = (v, at) => {
  if (!Array.isArray(v)) return plain(v, at);
  if (!v.length) return '无';
  return v
    .map((p: Record<string, unknown>) => `${p.label}：${p.days} 天，${p.fromMonth}–${p.toMonth} 月${p.tech ? '，科技人员' : ''}`)
    .join('；');
};

/** A certification's stored status by its Chinese name; "revoked" is 已取消 for 高企, 已撤销 for 科小. */
const certStatus: Show = (v, at) => {
  const kind = at.record.kind;
  const labels: Record<string, string> = {
    pending: DISPLAY_STATUS_LABELS.pending,
    active: '有效',
    failed: DISPLAY_STATUS_LABELS.failed,
    revoked: kind === 'hte' ? DISPLAY_STATUS_LABELS.cancelled : kind === 'tsme' || kind === 'tsme_prov' ? DISPLAY_STATUS_LABELS.revoked : '已取消/撤销',
  };
  return oneOf(labels)(v, at);
};
/** The reason a certification ended; the same key names different reasons for 高企 and 科小. */
const cancelReason: Show = (v, at) => {
  if (typeof v !== 'string') return plain(v, at);
  const kind = at.record.kind;
  if (isCertKind(kind)) return cancelReasonLabel(kind, v);
  const found = (['hte', 'tsme'] as const).map((k) => cancelReasonsOf(k).find((r) => r.key === v)).find(Boolean);
  return found ? `${found.label}（${found.article}）` : v;
};

/** The filters of the firm list, the board and the reports, by the names their filter bars show. */
const LIST_FILTERS: Fields = {
  q: { label: '搜索', show: (v) => `“${String(v)}”` },
  park: { label: '园区/平台', show: park },
  town: { label: '属地', show: town },
  field: { label: '技术领域', show: oneOf(techFieldLabel) },
  stage: { label: '阶段', show: stage },
  list: { label: '所在名单', show: oneOf(listKindLabel) },
  listYear: { label: '名单年度' },
  counsellor: { label: '辅导员', show: user },
  lifecycle: { label: '生命周期', show: oneOf(lifecycleLabel) },
  scale: { label: '规上/规下', show: oneOf(SCALE_CLASS_LABELS) },
  year: { label: '年度' },
  days: { label: '期限', show: (v) => `未来 ${String(v)} 天` },
  kind: { label: '事项', show: oneOf(ITEM_KIND_LABELS) },
};
const AUDIT_FILTERS: Fields = {
  user: { label: '操作人', show: user },
  firm: { label: '企业' },
  action: { label: '操作', show: (v) => (typeof v === 'string' && !(v in AUDIT_ACTIONS) ? `${v.replace(/\.$/, '')}（类）` : auditActionLabel(String(v))) },
  from: on('起始日期'),
  to: on('截止日期'),
};
/** What older export rows named by code (newer ones write the table's Chinese title). */
const EXPORT_WHAT: Record<string, string> = {
  firms: '企业名录',
  board: '培育看板企业',
  reserve: '认定准备',
  readiness: '认定准备',
  dashboard: '培育统计',
  'certifications.calendar': '后续管理（到期及已逾期事项）',
};
const EXPORT: Fields = {
  what: { label: '导出内容', show: oneOf(EXPORT_WHAT) },
  format: { label: '文件格式', show: (v) => String(v).toUpperCase() },
  rows: { label: '导出行数', show: count('行') },
};

/** Why a request was refused (the code of the 403 the error handler answered). */
const REFUSALS: Record<string, string> = {
  FORBIDDEN: '角色没有这项权限',
  NOT_SIGNED_IN: '未登录',
  CSRF_TOKEN: '表单令牌缺失或已过期（可能是过期页面或伪造的请求）',
  CROSS_ORIGIN: '来自其他网站的请求',
  COACHING_FORBIDDEN: '不是其负责辅导的企业',
  NOT_YOUR_FIRM: '不是其负责辅导的企业',
  NOT_YOUR_EVENT: '不是其组织的活动',
};

const AREA: Fields = {
  name: text('名称'),
  kind: { label: '类型', show: oneOf({ park: '园区', platform: '平台', incubator: '孵化器', subdistrict: '街道', town: '镇', township: '乡' }) },
  isActive: { label: '状态', show: (v) => (v ? '在用' : '已撤销') },
  mergedInto: text('并入'),
  firms: { label: '随之转入的企业', show: count('家') },
  users: { label: '随之转入的业务员', show: count('位') },
};

const FIGURES_BY_KEY = new Map<string, FigureRowDef>(FIGURE_ROWS.map((r) => [r.key, r]));
/** A figure by its key (figures.update) or its annual_figures column (figures.import: sales_revenue, staff_total_x100…). */
function figureField(key: string): AuditField | null {
  const x100 = key.endsWith('_x100');
  const camel = key.replace(/_x100$/, '').replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  const row = FIGURES_BY_KEY.get(key) ?? FIGURES_BY_KEY.get(camel);
  if (!row) return null;
  const show: Show = (v, at) => {
    if (row.kind === 'bool') return yesNo(v);
    const n = Number(v);
    if (typeof v === 'boolean' || !Number.isFinite(n)) return plain(v, at);
    if (row.kind === 'money') return formatWanExact(n);
    if (row.kind === 'headcount') return formatHeadcount(x100 ? n : Math.round(n * 100));
    return String(n);
  };
  return { label: row.label, show };
}

/** Keys every action means the same by. */
const COMMON: Fields = {
  year: text('年度'),
  batchId: { label: '导入批次', show: batch },
  id: { label: '记录编号', show: ref },
  note: text('备注'),
  reason: text('原因'),
  version: HIDDEN,
  verdictId: HIDDEN,
  format: EXPORT.format!,
  fileName: text('文件名'),
  parkId: { label: FIRM_FIELD_LABELS.parkId, show: park },
  townId: { label: FIRM_FIELD_LABELS.townId, show: town },
  counsellorId: { label: FIRM_FIELD_LABELS.counsellorId, show: user, empty: '未指派' },
  lifecycle: { label: FIRM_FIELD_LABELS.lifecycle, show: oneOf(lifecycleLabel) },
  role: { label: '角色', show: oneOf(ROLE_LABELS) },
};

const BY_FAMILY: Record<string, Fields> = {
  firm: {
    // The profile's fields by the form's labels; park, town, counsellor and lifecycle by name (COMMON).
    ...Object.fromEntries(Object.entries(FIRM_FIELD_LABELS).map(([k, label]) => [k, COMMON[k] ?? text(label)])),
    field: { label: FIRM_FIELD_LABELS.field, show: oneOf(techFieldLabel) },
    sector: { label: FIRM_FIELD_LABELS.sector, show: oneOf(sectorLabel) },
    foundedOn: on(FIRM_FIELD_LABELS.foundedOn),
    stage: { label: '阶段', show: stage },
    kind: { label: '移动类型', show: moveKind },
    reasonCode: { label: '原因类别', show: moveReason },
    source: { label: '来源', show: oneOf(MOVE_SOURCE_LABELS) },
    details: text('详情'),
    batchId: { label: '来自导入批次', show: batch },
    withdrawnBatch: { label: '因撤销导入批次移出', show: batch },
    certificateNo: text('证书编号'),
    certificateDate: on('发证日期'),
    override: yes('越过资格检查'),
    eligibility: { label: '资格检查', show: eligibilityText },
  },
  figures: {},
  import: {
    kind: { label: '导入类型', show: oneOf(importKindLabel) },
    size: { label: '文件大小', show: (v, at) => (typeof v === 'number' ? fileSize(v) : plain(v, at)) },
    sha256: text('文件校验值（SHA-256）'),
    sheet: text('工作表'),
    status: { label: '批次状态', show: oneOf(BATCH_STATUS_LABELS) },
    restoredBatch: { label: '恢复生效的批次', show: batch, empty: '无（该年度不再有生效名单）' },
    exitedFirms: { label: '随之移出的候选企业（不计为退库）', show: count('家') },
    entries: { label: '生效条目', show: count('条') },
    createdFirms: { label: '新增企业', show: count('家') },
    superseded: { label: '被取代的批次', show: listOf(batch) },
    mode: { label: '导入方式', show: oneOf({ replace: '替换（本文件为完整名单）', append: '追加（补充到当前名单）' }) },
    carried: { label: '沿用的原名单条目', show: count('条') },
  },
  user: {
    displayName: text('姓名'),
    parkIds: { label: '负责园区', show: listOf(park, '不限园区') },
    townIds: { label: '负责镇街', show: listOf(town, '不限镇街') },
    isActive: { label: '账户状态', show: (v) => (v ? '启用' : '停用') },
  },
  login: {
    failures: { label: '连续失败次数', show: count('次') },
    scope: { label: '锁定范围', show: oneOf({ account: '该账户', address: '来源地址（所在网络）', device: '该浏览器', pair: '该账户在该地址' }) },
    lockedUntil: on('锁定至'),
  },
  reauth: { failures: { label: '连续失败次数', show: count('次') } },
  access: {
    username: text('用户名'),
    code: { label: '拒绝原因', show: oneOf(REFUSALS) },
    method: { label: '请求方式', show: oneOf({ GET: '打开页面（GET）', POST: '提交（POST）' }) },
    path: text('请求地址'),
  },
  park: AREA,
  town: AREA,
  audit: { ...EXPORT, filters: { label: '筛选条件', show: filters({ ...LIST_FILTERS, ...AUDIT_FILTERS }) } },
  export: { ...EXPORT, filters: { label: '筛选条件', show: filters(LIST_FILTERS) } },
  staff_months: {
    total: { label: '在职职工（人）', show: monthCounts },
    tech: { label: '其中科技人员（人）', show: monthCounts },
    partTime: { label: '兼职、临时聘用人员', show: partTime },
  },
  compliance: {
    kind: { label: '类别', show: oneOf(COMPLIANCE_EVENT_KINDS) },
    kindLabel: HIDDEN,
    date: on('日期'),
    authority: text('处罚/认定机关'),
    docNumber: text('文书编号'),
    list: { label: '名单', show: oneOf(COMPLIANCE_LISTS) },
    listLabel: HIDDEN,
    listedOn: on('列入日期'),
    removedOn: on('移出日期'),
    checkedOn: on('核查日期'),
    source: text('核查来源'),
  },
  eligibility: { tsmeRdOption: { label: '科小研发投入评分选项', show: oneOf(TSME_RD_OPTIONS), empty: '未选择（按较高者评分）' } },
  ip: {
    kind: { label: '类别', show: oneOf((k) => IP_KINDS[k as keyof typeof IP_KINDS]?.label ?? '') },
    kindLabel: HIDDEN,
    number: text('编号（专利号、登记号）'),
    title: text('名称'),
    appliedOn: on('申请日'),
    grantedOn: on('授权日'),
    acquisition: { label: '获得方式', show: oneOf(IP_ACQUISITIONS) },
    coHolders: text('共有人'),
    coHolderUse: yes('共有人同意由本企业使用'),
    status: { label: '状态', show: oneOf(IP_STATUSES) },
    usedInApplication: text('已用于的认定申请'),
    supportsMainProducts: yes('支撑主要产品（服务）'),
    items: { label: '登记的知识产权', show: count('项') },
    firms: { label: '涉及企业', show: count('家') },
    keptEdited: { label: '已修改而保留的知识产权', show: count('项') },
  },
  rd_structure: {
    ...RD_FIELDS,
    typedTotal: money('账面研发费用合计'),
    fromProjects: yes('按研发项目合计'),
    structure: { label: '研发费用结构（万元）', show: rdAmounts },
    projects: { label: '研发项目', show: listOf(plain) },
  },
  rd_project: {
    ...RD_FIELDS,
    code: text('项目编号'),
    name: text('项目名称'),
    startDate: on('开始日期'),
    endDate: on('结束日期'),
    budget: money('项目预算'),
    techField: text('技术领域'),
    replacedYearStructure: { label: '被取代的年度研发费用结构（万元）', show: rdAmounts },
    yearTotal: { label: '本年度研发费用合计（万元）', show: rdTotal, empty: '无（已无研发项目）' },
  },
  certification: {
    id: { label: '资质记录编号', show: ref },
    kind: { label: '资质类型', show: oneOf(CERT_KIND_LABELS) },
    number: text('证书/登记编号'),
    level: text('级别'),
    mode: { label: '申报类型', show: oneOf(HTE_MODES) },
    appliedOn: on('申报日期'),
    publicizedOn: on('公示日期'),
    filedOn: on('备案日期'),
    issuedOn: on('发证日期'),
    validUntil: on('有效期至'),
    status: { label: '资质状态', show: certStatus },
    void: yes('作废'),
    reasonCode: { label: '取消/撤销原因', show: cancelReason },
    statusOn: on('取消/撤销日期'),
    eventOn: on('变化发生日期'),
    dueOn: on('报告期限'),
    description: text('变化情况'),
    changeId: { label: '变化记录编号', show: ref },
    reportedOn: on('报告日期'),
    provincialAgency: text('省级科技型中小企业发文机构'),
    hteReportDueOn: on('高企年度发展情况报表期限'),
    tsmeInfoDueOn: on('科小信息表更新期限'),
    certificationId: { label: '资质记录编号', show: ref },
    followUpId: { label: '跟进事项编号', show: ref },
  },
  coaching: {
    interactionId: { label: '辅导记录编号', show: ref },
    followUpId: { label: '跟进事项编号', show: ref },
    templateId: { label: '方案模板编号', show: ref },
    goals: text('辅导目标'),
    targetCertification: { label: '目标资质', show: oneOf(targetCertificationLabel) },
    targetYear: text('目标年度'),
    by: { label: '统计口径', show: oneOf(Object.fromEntries(BREAKDOWNS.map((b) => [b.key, b.label]))) },
  },
  demand: {
    demandId: { label: '需求编号', show: ref },
    title: text('需求名称'),
    status: { label: '需求状态', show: oneOf(demandStatusLabel) },
    collectedOn: on('征集日期'),
    resolution: text('解决方式'),
    contractValue: money('合同金额'),
    partner: text('对接方'),
    kind: { label: '对接方类型', show: oneOf(partnerKindLabel) },
    startedOn: on('对接开始日期'),
    endedOn: on('对接结束日期'),
    interactionId: { label: '来自辅导记录', show: ref },
  },
  event: {
    eventId: { label: '活动编号', show: ref },
    title: text('活动名称'),
    kind: { label: '活动类型', show: oneOf(eventKindLabel) },
    startsOn: on('开始日期'),
    endsOn: on('结束日期'),
    place: text('地点'),
    organiser: text('主办单位'),
    notes: text('备注'),
    topics: { label: '议题', show: listOf(oneOf(topicLabel)) },
    name: text('参会人员'),
    status: { label: '出席情况', show: oneOf(attendanceLabel) },
    attended: { label: '出席企业', show: count('家') },
    absent: { label: '未出席企业', show: count('家') },
    markedAbsent: { label: '记为缺席', show: count('家') },
    interactionId: { label: '辅导记录编号', show: ref },
    记入辅导记录: { label: '记入辅导记录的企业', show: listOf(firm) },
    移出辅导记录: { label: '移出辅导记录的企业', show: listOf(firm) },
  },
};

/** Where a key of one action means something else than in its family. */
const BY_ACTION: Record<string, Fields> = {
  'compliance.listing_add': { authority: text('列入机关') },
  'compliance.tick': {
    certificationId: { label: '资质记录编号', show: ref },
    kind: { label: '报送事项', show: oneOf(ITEM_KIND_LABELS) },
    dataYear: text('数据年度'),
    reportedOn: on('报送日期'),
  },
  'certification.change': { kind: { label: '变化类型', show: oneOf({ rename: '更名', major: '重大变化' }) } },
  'certification.follow_up': { dueOn: on('到期日') },
  'event.invite': { firms: { label: '新邀请的企业', show: count('家') } },
  'event.attendance': { firms: { label: '企业', show: listOf(firm) } },
  // The counsellor by name from counsellorId; the name the row also keeps is the same person.
  'coaching.assign': { 辅导员: HIDDEN, 批量: { label: '同批指派的企业', show: count('家') } },
};
BY_ACTION['compliance.untick'] = BY_ACTION['compliance.tick']!;

const family = (action: string) => action.split('.')[0]!;

/**
 * The field of `key` in rows of `action`, or null when nothing here names it. Keys the code wrote
 * in Chinese (coaching records, targets, the annual report) are their own label.
 */
export function auditField(action: string, key: string): AuditField | null {
  const f = family(action);
  return (
    BY_ACTION[action]?.[key] ??
    BY_FAMILY[f]?.[key] ??
    (f === 'figures' ? figureField(key) : null) ??
    COMMON[key] ??
    (isChinese(key) ? { label: key } : null)
  );
}
