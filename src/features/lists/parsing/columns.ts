/**
 * Canonical fields of the imported lists, the header names agencies actually use for them, and the
 * column-mapping suggestion shown to the user (who confirms or changes it).
 *
 * Matching normalises full-width/half-width (NFKC), spaces and line breaks, bracket styles （）()【】[],
 * quotes, required-field markers (`*`, `★`), a leading year (`2024年研发费用` → `研发费用`, year hint 2024)
 * and trailing annotations (`（万元）`, `(18位)`, `（全称）`). Amount units in a header (`（万元）`, `单位：元`,
 * `/千元`) are reported per column so that amounts can be converted (see numbers.ts).
 */
import type { AmountUnit } from './types.js';

export type FieldKey =
  | 'uscc'
  | 'name'
  | 'park'
  | 'year'
  | 'rd_expense'
  | 'rd_deduction'
  | 'patent_no'
  | 'patent_name'
  | 'patent_type'
  | 'grant_date'
  | 'patent_count'
  | 'invention_count'
  | 'revenue'
  | 'main_revenue'
  | 'staff'
  | 'town'
  | 'contact'
  | 'phone'
  | 'entry_date'
  // Annual figures (年度指标) of firms already registered: imported into their figures, not a list.
  | 'total_income'
  | 'non_taxable_income'
  | 'hitech_income'
  | 'total_cost'
  | 'rd_domestic'
  | 'rd_outsourced'
  | 'tech_staff'
  | 'total_assets'
  | 'net_assets'
  | 'ip_class1'
  | 'ip_class2'
  | 'conversions'
  | 'standards_led'
  // Official result lists (issue 10 item 2).
  | 'certificate_no'
  | 'registration_no'
  | 'cert_date'
  // 研发费用结构明细表 (issue 12 item 2): the eight categories of 指引 三（六）, optionally per R&D project.
  | 'rd_personnel'
  | 'rd_direct'
  | 'rd_depreciation'
  | 'rd_amortization'
  | 'rd_design'
  | 'rd_equipment'
  | 'rd_outsourced_domestic'
  | 'rd_outsourced_foreign'
  | 'rd_other'
  | 'rd_project_code'
  | 'rd_project_name'
  | 'rd_project_start'
  | 'rd_project_end'
  | 'rd_project_budget'
  | 'rd_project_field';

export type ListKind = 'rd_deduction' | 'patent' | 'below_scale' | 'incubator' | 'annual_figures' | 'hte_publicity' | 'hte_filing' | 'tsme_registration' | 'rd_structure';

export interface FieldDef {
  readonly key: FieldKey;
  /** Chinese label used in messages and in the mapping UI. */
  readonly label: string;
  readonly synonyms: readonly string[];
  /** Money amount: the header unit (万元/元 …) matters. */
  readonly amount?: true;
  /** An amount that must be exact to the 元 (the R&D categories add up to a total): rounding it is refused. */
  readonly exact?: true;
}

export const FIELDS: readonly FieldDef[] = [
  {
    key: 'uscc',
    label: '统一社会信用代码',
    synonyms: [
      '统一社会信用代码', '社会信用代码', '信用代码', '纳税人识别号', '纳税人识别号/统一社会信用代码',
      '统一社会信用代码/纳税人识别号', '社会信用代码/纳税人识别号', '信用代码/纳税人识别号', '统一代码',
      '统一信用代码', '社会统一信用代码', '企业统一社会信用代码', '单位统一社会信用代码', '纳税识别号',
      '纳税人识别码', '税号', '统一社会信用代码(纳税人识别号)',
    ],
  },
  {
    key: 'name',
    label: '企业名称',
    synonyms: [
      '企业名称', '纳税人名称', '单位名称', '单位详细名称', '公司名称', '企业(单位)名称', '单位(企业)名称',
      '企业全称', '单位全称', '企业名称(全称)', '名称', '企业', '在孵企业名称', '在孵企业', '入孵企业名称',
      '专利权人', '申请人', '申请(专利权)人', '专利权人(申请人)', '权利人', '法人单位名称', '单位',
    ],
  },
  {
    key: 'park',
    label: '园区',
    synonyms: [
      '园区', '所在园区', '所属园区', '园区名称', '孵化载体', '孵化载体名称', '所在孵化器', '所属孵化器',
      '孵化器', '孵化器名称', '所在载体', '载体名称', '所在孵化载体', '所属孵化载体', '众创空间',
    ],
  },
  {
    key: 'year',
    label: '年度',
    synonyms: ['年度', '所属年度', '税款所属期', '申报年度', '年份', '统计年度', '所属期', '所属年份', '纳税年度'],
  },
  {
    key: 'rd_expense',
    label: '研发费用',
    amount: true,
    synonyms: [
      '研发费用', '研发费用总额', '研究开发费用', '研究开发费用总额', '研发投入', '研发费用合计',
      '研发经费支出', '研发支出', '研发费用金额', '本年研发费用',
    ],
  },
  {
    key: 'rd_deduction',
    label: '加计扣除额',
    amount: true,
    synonyms: [
      '加计扣除额', '加计扣除金额', '研发费用加计扣除额', '研发费用加计扣除金额', '研发费用加计扣除',
      '研发加计扣除额', '加计扣除', '加计扣除数', '本年加计扣除额', '本年度加计扣除额',
      '享受加计扣除金额', '加计扣除优惠金额',
    ],
  },
  { key: 'patent_no', label: '专利号', synonyms: ['专利号', '专利申请号', '申请号', '专利号/申请号', '申请号/专利号'] },
  { key: 'patent_name', label: '专利名称', synonyms: ['专利名称', '发明名称', '发明创造名称'] },
  { key: 'patent_type', label: '专利类型', synonyms: ['专利类型', '专利类别', '专利种类'] },
  { key: 'grant_date', label: '授权日', synonyms: ['授权日', '授权日期', '授权公告日', '授权时间', '授权公告日期'] },
  {
    key: 'patent_count',
    label: '授权专利数',
    synonyms: [
      '授权专利数', '专利授权数', '有效专利数', '授权专利数量', '专利授权数量', '有效专利数量', '专利数',
      '专利数量', '授权专利', '专利授权量', '授权专利件数',
    ],
  },
  {
    key: 'invention_count',
    label: '发明专利数',
    synonyms: [
      '发明专利数', '授权发明专利数', '发明专利授权数', '有效发明专利数', '发明专利数量', '授权发明专利数量',
      '发明专利', '发明专利授权量', '授权发明专利',
    ],
  },
  {
    key: 'revenue',
    label: '营业收入',
    amount: true,
    synonyms: ['营业收入', '销售收入', '营业总收入', '年销售收入', '销售额', '营收', '本年营业收入'],
  },
  {
    // 主营业务收入 is the 规上工业 basis (domain.md §6) and only a part of 销售收入 (主营 + 其他), so it is its own
    // field, optional everywhere: a figures file without it leaves the stored value as it was.
    key: 'main_revenue',
    label: '主营业务收入',
    amount: true,
    synonyms: ['主营业务收入', '年主营业务收入', '主营收入', '主营业务收入合计', '本年主营业务收入', '其中:主营业务收入', '其中主营业务收入'],
  },
  {
    key: 'staff',
    label: '从业人员',
    synonyms: [
      '从业人员', '职工人数', '从业人员期末人数', '从业人数', '从业人员数', '员工人数', '职工总数',
      '年末从业人员', '期末从业人数', '从业人员平均人数', '年末职工人数',
    ],
  },
  {
    key: 'town',
    label: '乡镇（街道）',
    synonyms: ['乡镇', '乡镇(街道)', '所在乡镇', '所属乡镇', '乡镇街道', '乡镇(街道)名称', '街道', '所在镇街', '所属镇街', '镇街', '镇(街道)', '所在街道', '属地'],
  },
  { key: 'contact', label: '联系人', synonyms: ['联系人', '企业联系人', '联系人姓名', '联络人'] },
  {
    key: 'phone',
    label: '联系电话',
    synonyms: ['联系电话', '手机', '手机号', '手机号码', '电话', '联系方式', '联系人电话', '联系人手机', '固定电话', '办公电话'],
  },
  { key: 'certificate_no', label: '证书编号', synonyms: ['证书编号', '证书号', '高新技术企业证书编号', '证书编码'] },
  { key: 'registration_no', label: '入库登记编号', synonyms: ['入库登记编号', '登记编号', '入库编号', '科技型中小企业入库登记编号'] },
  { key: 'cert_date', label: '日期（公示/发证/入库）', synonyms: ['发证日期', '发证时间', '公示日期', '公示时间', '入库日期', '入库时间'] },
  { key: 'entry_date', label: '入孵时间', synonyms: ['入孵时间', '入驻时间', '入孵日期', '入驻日期', '入园时间', '入园日期'] },
  { key: 'total_income', label: '收入总额', amount: true, synonyms: ['收入总额', '总收入', '全部收入', '年度收入总额'] },
  { key: 'non_taxable_income', label: '不征税收入', amount: true, synonyms: ['不征税收入', '其中不征税收入', '其中:不征税收入'] },
  {
    key: 'hitech_income',
    label: '高新技术产品（服务）收入',
    amount: true,
    synonyms: ['高新技术产品(服务)收入', '高新技术产品收入', '高新技术服务收入', '高新收入', '高品收入', '高新技术产品(服务)收入合计'],
  },
  { key: 'total_cost', label: '成本费用支出总额', amount: true, synonyms: ['成本费用支出总额', '成本费用总额', '成本费用合计', '成本费用支出'] },
  {
    key: 'rd_domestic',
    label: '境内研发费用',
    amount: true,
    synonyms: ['境内研发费用', '境内研究开发费用', '其中:境内研发费用', '其中境内研发费用', '在中国境内发生的研发费用'],
  },
  { key: 'rd_outsourced', label: '委托外部研发费用', amount: true, synonyms: ['委托外部研发费用', '委托外部研究开发费用', '委托研发费用', '其中:委托外部研发费用'] },
  { key: 'tech_staff', label: '科技人员数', synonyms: ['科技人员数', '科技人员', '科技人员数量', '研发人员数', '研发人员', '科技人员人数'] },
  { key: 'total_assets', label: '资产总额', amount: true, synonyms: ['资产总额', '总资产', '年末资产总额', '资产合计'] },
  { key: 'net_assets', label: '净资产', amount: true, synonyms: ['净资产', '所有者权益', '所有者权益合计', '年末净资产', '净资产总额'] },
  { key: 'ip_class1', label: 'Ⅰ类知识产权', synonyms: ['Ⅰ类知识产权', 'I类知识产权', '一类知识产权', 'Ⅰ类知识产权数', 'I类知识产权数量'] },
  { key: 'ip_class2', label: 'Ⅱ类知识产权', synonyms: ['Ⅱ类知识产权', 'II类知识产权', '二类知识产权', 'Ⅱ类知识产权数', 'II类知识产权数量'] },
  { key: 'conversions', label: '科技成果转化数', synonyms: ['科技成果转化数', '科技成果转化', '成果转化数', '科技成果转化项数', '成果转化'] },
  { key: 'standards_led', label: '主导制定标准数', synonyms: ['主导制定标准数', '主导制定标准', '主导制定的标准数', '牵头制定标准数'] },
  // The 明细表's heads: the 指引 三（六） names and the 辅助账汇总表's (公告2015年第97号) where they differ.
  { key: 'rd_personnel', label: '人员人工费用', amount: true, exact: true, synonyms: ['人员人工费用', '人员人工', '人员人工费'] },
  { key: 'rd_direct', label: '直接投入费用', amount: true, exact: true, synonyms: ['直接投入费用', '直接投入', '直接投入费'] },
  { key: 'rd_depreciation', label: '折旧费用与长期待摊费用', amount: true, exact: true, synonyms: ['折旧费用与长期待摊费用', '折旧费用', '折旧费', '折旧费用与长期待摊'] },
  { key: 'rd_amortization', label: '无形资产摊销费用', amount: true, exact: true, synonyms: ['无形资产摊销费用', '无形资产摊销', '无形资产摊销费'] },
  { key: 'rd_design', label: '设计费用', amount: true, exact: true, synonyms: ['设计费用', '新产品设计费等', '新产品设计费', '设计试验费用', '设计费'] },
  { key: 'rd_equipment', label: '装备调试费用与试验费用', amount: true, exact: true, synonyms: ['装备调试费用与试验费用', '装备调试费与试验费用', '装备调试费与试验费', '装备调试费用', '装备调试费'] },
  {
    key: 'rd_outsourced_domestic',
    label: '委托外部研究开发费用（境内）',
    amount: true, exact: true,
    synonyms: ['委托外部研究开发费用境内', '委托外部研发费用境内', '委托境内研究开发费用', '委托境内研发费用', '境内委托研发费用', '委托境内机构研发费用', '境内'],
  },
  {
    key: 'rd_outsourced_foreign',
    label: '委托外部研究开发费用（境外）',
    amount: true, exact: true,
    synonyms: ['委托外部研究开发费用境外', '委托外部研发费用境外', '委托境外研究开发费用', '委托境外研发费用', '境外委托研发费用', '委托境外机构研发费用', '境外'],
  },
  { key: 'rd_other', label: '其他费用（其他相关费用）', amount: true, exact: true, synonyms: ['其他费用', '其他相关费用', '其他相关费'] },
  { key: 'rd_project_code', label: '研发项目编号', synonyms: ['项目编号', '研发项目编号', '项目编码', '研发项目编码', '项目代码', '研发活动编号'] },
  { key: 'rd_project_name', label: '研发项目名称', synonyms: ['项目名称', '研发项目名称', '研发活动名称'] },
  { key: 'rd_project_start', label: '研发项目开始日期', synonyms: ['开始日期', '项目开始日期', '起始日期', '开始时间', '项目开始时间'] },
  { key: 'rd_project_end', label: '研发项目结束日期', synonyms: ['结束日期', '项目结束日期', '完成日期', '结束时间', '项目结束时间'] },
  { key: 'rd_project_budget', label: '研发项目预算', amount: true, synonyms: ['项目预算', '研发项目预算', '预算', '预算金额', '项目预算金额', '经费预算'] },
  { key: 'rd_project_field', label: '研发项目技术领域', synonyms: ['技术领域', '所属技术领域', '项目技术领域', '支持的技术领域', '技术领域(项目)'] },
];

/** Headers that are not fields but tell a header row from a data row (used by header detection). */
export const OTHER_KNOWN_HEADERS: readonly string[] = [
  '序号', '编号', '备注', '说明', '行业', '所属行业', '行业类别', '行业代码', '注册地址', '地址', '经营地址',
  '成立日期', '成立时间', '成立年份', '注册时间', '法定代表人', '法人代表', '注册资本', '企业类型', '登记注册类型',
  '申报层级', '是否高新技术企业', '认定情况', '认定日期', '认定时间',
];

export const FIELD_LABELS: Readonly<Record<FieldKey, string>> = Object.freeze(
  Object.fromEntries(FIELDS.map((f) => [f.key, f.label])) as Record<FieldKey, string>,
);

export const AMOUNT_FIELDS: ReadonlySet<FieldKey> = new Set(FIELDS.filter((f) => f.amount).map((f) => f.key));
export const EXACT_AMOUNT_FIELDS: ReadonlySet<FieldKey> = new Set(FIELDS.filter((f) => f.exact).map((f) => f.key));

/** `uscc` and `name` are required for every list. (Rows without a valid code but with a known name are a later step's business.) */
export const REQUIRED_FIELDS: Readonly<Record<ListKind, readonly FieldKey[]>> = Object.freeze({
  rd_deduction: ['uscc', 'name'],
  patent: ['uscc', 'name'],
  below_scale: ['uscc', 'name'],
  incubator: ['uscc', 'name'],
  annual_figures: ['uscc', 'name'],
  // A 公示名单 often has names only (matched by name, flagged).
  hte_publicity: ['name'],
  hte_filing: ['name', 'uscc', 'certificate_no', 'cert_date'],
  tsme_registration: ['name', 'uscc', 'registration_no'],
  rd_structure: ['uscc', 'name'],
});

/** Missing ones are worth a warning, not a refusal. */
export const RECOMMENDED_FIELDS: Readonly<Record<ListKind, readonly FieldKey[]>> = Object.freeze({
  rd_deduction: ['year', 'rd_deduction', 'rd_expense'],
  patent: ['patent_no', 'patent_type'],
  below_scale: ['year', 'revenue'],
  incubator: ['park'],
  annual_figures: ['year', 'revenue', 'rd_expense'],
  hte_publicity: ['uscc', 'cert_date'],
  hte_filing: [],
  tsme_registration: ['cert_date'],
  rd_structure: ['year', 'rd_personnel', 'rd_direct', 'rd_outsourced_domestic', 'rd_other'],
});

export const messages = {
  missingRequired: (labels: readonly string[]) => `缺少必需列：${labels.join('、')}。请检查表头，或在列对应中手动指定。`,
  duplicate: (label: string, columns: readonly string[]) =>
    `多列对应到了同一字段“${label}”：${columns.join('、')}。请只保留一列。`,
  column: (index: number, header: string) => (header ? `第 ${index + 1} 列“${header}”` : `第 ${index + 1} 列`),
} as const;

// ---------------------------------------------------------------------------------------------
// normalisation

export interface NormalizedHeader {
  /** Comparison key: half-width, lower case, no spaces, no trailing annotation or unit. */
  readonly key: string;
  readonly unit: AmountUnit | null;
  /** A leading year such as `2024年` / `2024年度`. */
  readonly year: number | null;
}

const UNIT_WORDS: Readonly<Record<string, AmountUnit>> = { 元: 'yuan', 千元: 'qian', 万元: 'wan', 亿元: 'yi' };
const UNIT_BRACKET_RE = /\((?:金额)?(?:单位:?)?(?:人民币)?(万元|千元|亿元|元)(?:人民币)?\)/;
const UNIT_LABEL_RE = /(?:金额)?单位:?(?:人民币)?(万元|千元|亿元|元)/;
const UNIT_SUFFIX_RE = /(?:[/_]?(万元|千元|亿元)|[/_](元))$/;

function baseNormalize(raw: string): string {
  let t = raw.normalize('NFKC');
  t = t.replace(/[\s\u200b-\u200d\u2060\ufeff]+/g, '');
  t = t.toLowerCase();
  t = t.replace(/[【〔〖[{]/g, '(').replace(/[】〕〗\]}]/g, ')');
  t = t.replace(/[“”"‘’'`]/g, '');
  t = t.replace(/^[*★☆※#]+|[*★☆※]+$/g, '');
  t = t.replace(/:+$/, '');
  t = t.replace(/^(?:\d{1,2}|[一二三四五六七八九十]{1,3})[.、)](?=\D)/, '');
  return t;
}

export function normalizeHeader(raw: string): NormalizedHeader {
  let t = baseNormalize(raw);
  let unit: AmountUnit | null = null;
  for (const re of [UNIT_BRACKET_RE, UNIT_LABEL_RE, UNIT_SUFFIX_RE]) {
    const m = re.exec(t);
    if (m) {
      unit = UNIT_WORDS[m[1] ?? m[2] ?? ''] ?? null;
      t = t.slice(0, m.index) + t.slice(m.index + m[0].length);
      break;
    }
  }
  // (境内)/(境外) qualify the 委托外部研究开发费用 columns of the 研发费用结构明细表: part of the name, not an annotation.
  t = t.replace(/\((境内|境外)(?:部分)?\)$/, '$1');
  for (let guard = 0; guard < 5; guard++) {
    const m = /\([^()]*\)$/.exec(t);
    if (!m || m.index === 0) break;
    t = t.slice(0, m.index);
  }
  let year: number | null = null;
  const y = /^((?:19|20)\d{2})年度?/.exec(t);
  if (y && y[0].length < t.length) {
    year = Number(y[1]);
    t = t.slice(y[0].length);
  }
  t = t.replace(/[:/_]+$/, '');
  return { key: t, unit, year };
}

const SYNONYMS = new Map<string, FieldKey>();
for (const f of FIELDS) {
  for (const s of [f.label, ...f.synonyms]) {
    const { key } = normalizeHeader(s);
    const prev = SYNONYMS.get(key);
    if (prev !== undefined && prev !== f.key) throw new Error(`synonym "${s}" used by both ${prev} and ${f.key}`);
    SYNONYMS.set(key, f.key);
  }
}
const OTHER_KEYS = new Set(OTHER_KNOWN_HEADERS.map((s) => normalizeHeader(s).key));
/** Two-character synonyms distinctive enough to be looked for inside a longer header (not 企业, 单位, 名称 …). */
const SHORT_CONTAINS = new Set(['园区', '乡镇', '街道', '镇街', '手机', '电话', '年度', '年份', '税号']);
/** Longest first, for the "contains" fallback. */
const CONTAINS_CANDIDATES = [...SYNONYMS.entries()]
  .filter(([k]) => k.length >= 3 || SHORT_CONTAINS.has(k))
  .sort((a, b) => b[0].length - a[0].length);
/** Headers that merely mention a field: ratios, growth, "其中" breakdowns, titles. */
const NO_CONTAINS_RE = /^其中|占比|比例|比重|率|增长|增幅|名单|汇总|统计表|一览表|情况表|明细表/;

// ---------------------------------------------------------------------------------------------
// matching

/** exact: the whole header is a synonym; segment: one part of `父/子` is; contains: a synonym occurs in it. */
export type MatchQuality = 'exact' | 'segment' | 'contains';
const QUALITY_RANK: Readonly<Record<MatchQuality, number>> = { exact: 0, segment: 1, contains: 2 };

export interface Mapping {
  readonly field: FieldKey;
  readonly label: string;
  /** Amount fields only: the unit of the column's values (null = not stated; treat as 元 unless told). */
  readonly unit: AmountUnit | null;
  readonly unitSource: 'header' | 'table' | null;
  readonly quality: MatchQuality;
  /** Year found in the header (`2023年营业收入`). */
  readonly yearHint: number | null;
  /** The header text as found in the file. */
  readonly header: string;
}

function mappingFor(field: FieldKey, quality: MatchQuality, header: string, unit: AmountUnit | null, year: number | null): Mapping {
  const isAmount = AMOUNT_FIELDS.has(field);
  return {
    field,
    label: FIELD_LABELS[field],
    unit: isAmount ? unit : null,
    unitSource: isAmount && unit ? 'header' : null,
    quality,
    yearHint: year,
    header,
  };
}

/** Map one header to a field, or null. Units come from the header only (see `suggestMapping` for table units). */
export function matchColumn(header: string): Mapping | null {
  const n = normalizeHeader(header);
  if (!n.key) return null;
  const exact = SYNONYMS.get(n.key);
  if (exact) return mappingFor(exact, 'exact', header, n.unit, n.year);

  const nfkc = header.normalize('NFKC');
  if (nfkc.includes('/')) {
    const segs = nfkc.split('/').filter((s) => s.trim() !== '');
    const last = segs[segs.length - 1];
    const first = segs[0];
    for (const seg of [last, first]) {
      if (seg === undefined || segs.length < 2) continue;
      const sn = normalizeHeader(seg);
      const f = SYNONYMS.get(sn.key);
      if (f) return mappingFor(f, 'segment', header, n.unit ?? sn.unit, n.year ?? sn.year);
    }
  }

  if (n.key.length <= 30 && !NO_CONTAINS_RE.test(n.key) && !/[,;|\t]/.test(n.key)) {
    let best: FieldKey | null = null;
    let bestKey = '';
    for (const [k, f] of CONTAINS_CANDIDATES) {
      if (k.length < bestKey.length) break;
      if (n.key.includes(k)) {
        if (best !== null && best !== f) return null; // ambiguous
        best = f;
        bestKey = k;
      }
    }
    if (best) {
      // Another field named next to it (`统一社会信用代码;企业名称` read as one column): ambiguous.
      const rest = n.key.replace(bestKey, '\u0000');
      for (const [k, f] of CONTAINS_CANDIDATES) {
        if (k.length >= 3 && f !== best && rest.includes(k)) return null;
      }
      return mappingFor(best, 'contains', header, n.unit, n.year);
    }
  }
  return null;
}

/**
 * How much a cell looks like a header: 1 for a field name, 0.5 for a looser match or a known non-field
 * header (序号, 备注 …), else 0.
 */
export function scoreHeaderCell(text: string): number {
  const t = text.trim();
  if (!t || t.length > 40) return 0;
  const m = matchColumn(t);
  if (m) return m.quality === 'contains' ? 0.5 : 1;
  return OTHER_KEYS.has(normalizeHeader(t).key) ? 0.5 : 0;
}

export interface DuplicateMapping {
  readonly field: FieldKey;
  /** 0-based indexes of all columns that mapped to the field. */
  readonly columns: readonly number[];
  /** The column kept in the suggestion (best match, then leftmost), or null when not resolved. */
  readonly kept: number | null;
  /** Chinese message for the UI. */
  readonly message: string;
}

export interface MappingSuggestion {
  /** One entry per column; null = not mapped. */
  readonly byColumn: readonly (Mapping | null)[];
  readonly missingRequired: readonly FieldKey[];
  readonly missingRecommended: readonly FieldKey[];
  /** Fields that more than one column matched. */
  readonly duplicates: readonly DuplicateMapping[];
  /** Chinese message for `missingRequired`, or null. */
  readonly message: string | null;
}

function resolveRequired(required: ListKind | readonly FieldKey[]): readonly FieldKey[] {
  return typeof required === 'string' ? REQUIRED_FIELDS[required] : required;
}

export function missingColumnsMessage(missing: readonly FieldKey[]): string {
  return messages.missingRequired(missing.map((f) => FIELD_LABELS[f]));
}

function duplicateMessage(field: FieldKey, idxs: readonly number[], headers: readonly string[]): string {
  return messages.duplicate(FIELD_LABELS[field], idxs.map((i) => messages.column(i, headers[i] ?? '')));
}

/**
 * Suggest a mapping for the detected header columns.
 * @param required a list kind (→ REQUIRED_FIELDS) or an explicit list of required fields.
 * @param opts.defaultUnit unit stated for the whole table (a `单位：万元` note above the header), applied to
 *   amount columns whose header states none.
 */
export function suggestMapping(
  columns: readonly string[],
  required: ListKind | readonly FieldKey[] = ['uscc', 'name'],
  opts: { defaultUnit?: AmountUnit | null; recommended?: readonly FieldKey[] } = {},
): MappingSuggestion {
  const req = resolveRequired(required);
  const recommended = opts.recommended ?? (typeof required === 'string' ? RECOMMENDED_FIELDS[required] : []);
  const byColumn: (Mapping | null)[] = columns.map((c) => {
    const m = matchColumn(c);
    if (m && AMOUNT_FIELDS.has(m.field) && m.unit === null && opts.defaultUnit) {
      return { ...m, unit: opts.defaultUnit, unitSource: 'table' as const };
    }
    return m;
  });

  const groups = new Map<FieldKey, number[]>();
  byColumn.forEach((m, i) => {
    if (!m) return;
    const g = groups.get(m.field) ?? [];
    g.push(i);
    groups.set(m.field, g);
  });
  const duplicates: DuplicateMapping[] = [];
  for (const [field, idxs] of groups) {
    if (idxs.length < 2) continue;
    const rank = (i: number): number => QUALITY_RANK[byColumn[i]?.quality ?? 'contains'];
    const kept = [...idxs].sort((a, b) => rank(a) - rank(b) || a - b)[0] ?? null;
    for (const i of idxs) if (i !== kept) byColumn[i] = null;
    duplicates.push({ field, columns: idxs, kept, message: duplicateMessage(field, idxs, columns) });
  }

  const present = new Set(byColumn.filter((m): m is Mapping => m !== null).map((m) => m.field));
  const missingRequired = req.filter((f) => !present.has(f));
  return {
    byColumn,
    missingRequired,
    missingRecommended: recommended.filter((f) => !present.has(f)),
    duplicates,
    message: missingRequired.length ? missingColumnsMessage(missingRequired) : null,
  };
}

/**
 * Check a mapping confirmed or edited by the user: `byColumn[i]` is the field chosen for column i.
 * Nothing is resolved automatically here: every field chosen for two columns is reported.
 */
export function checkMapping(
  byColumn: readonly (FieldKey | null)[],
  required: ListKind | readonly FieldKey[] = ['uscc', 'name'],
  headers: readonly string[] = [],
): { ok: boolean; missingRequired: readonly FieldKey[]; duplicates: readonly DuplicateMapping[]; messages: readonly string[] } {
  const req = resolveRequired(required);
  const groups = new Map<FieldKey, number[]>();
  byColumn.forEach((f, i) => {
    if (!f) return;
    const g = groups.get(f) ?? [];
    g.push(i);
    groups.set(f, g);
  });
  const duplicates: DuplicateMapping[] = [];
  for (const [field, idxs] of groups) {
    if (idxs.length > 1) duplicates.push({ field, columns: idxs, kept: null, message: duplicateMessage(field, idxs, headers) });
  }
  const missingRequired = req.filter((f) => !groups.has(f));
  const msgs = [...(missingRequired.length ? [missingColumnsMessage(missingRequired)] : []), ...duplicates.map((d) => d.message)];
  return { ok: msgs.length === 0, missingRequired, duplicates, messages: msgs };
}
