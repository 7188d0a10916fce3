/**
 * 规上 / 规下: whether a firm is a 规模以上工业企业 (issue 12 item 6; domain.md §6). Plain functions.
 *
 * The threshold [C]: 国家统计局 — "2011年开始至今，统计范围为年主营业务收入2000万元及以上的工业法人单位"
 * (basis: 《国家统计局关于布置2010年统计年报和2011年定期统计报表制度的通知》 国统字〔2010〕87号). "及以上": a
 * firm at exactly 2000万元 is 规上. Only 工业 legal entities are measured this way; other sectors have
 * their own 限额 thresholds (批发 ≥2000万, 零售 ≥500万, 住宿餐饮 ≥200万), which are out of scope (domain.md §6),
 * so they are "not industrial" here, not 规下.
 *
 * 工业 in the statistics is the 门类 B 采矿业, C 制造业 and D 电力、热力、燃气及水生产和供应业 of
 * 《国民经济行业分类》(GB/T 4754-2017); 国家统计局's 规模以上工业 tables cover exactly these three 门类
 * (《三次产业划分规定》 puts them, with E 建筑业, in 第二产业; 建筑业 is counted apart, with its own 资质 threshold).
 *
 * 规下样本 membership is not derived: only the 统计局's list says a firm is in the sample (list kind
 * 'below_scale', src/domain/list-kinds.ts).
 */
import { formatWanExact } from '../lib/money.js';

/** 万元 with every digit and grouping ('2,345.6'): rounding would show 19,999,999 元 as 2,000.00 万元. */
function wanText(yuan: number): string {
  const [whole, fraction] = formatWanExact(yuan).split('.');
  const grouped = Number(whole).toLocaleString('en-US');
  return fraction ? `${grouped}.${fraction}` : grouped;
}

/** 《国民经济行业分类》 GB/T 4754-2017, the twenty 门类. */
export const SECTORS = [
  { code: 'A', label: '农、林、牧、渔业' },
  { code: 'B', label: '采矿业' },
  { code: 'C', label: '制造业' },
  { code: 'D', label: '电力、热力、燃气及水生产和供应业' },
  { code: 'E', label: '建筑业' },
  { code: 'F', label: '批发和零售业' },
  { code: 'G', label: '交通运输、仓储和邮政业' },
  { code: 'H', label: '住宿和餐饮业' },
  { code: 'I', label: '信息传输、软件和信息技术服务业' },
  { code: 'J', label: '金融业' },
  { code: 'K', label: '房地产业' },
  { code: 'L', label: '租赁和商务服务业' },
  { code: 'M', label: '科学研究和技术服务业' },
  { code: 'N', label: '水利、环境和公共设施管理业' },
  { code: 'O', label: '居民服务、修理和其他服务业' },
  { code: 'P', label: '教育' },
  { code: 'Q', label: '卫生和社会工作' },
  { code: 'R', label: '文化、体育和娱乐业' },
  { code: 'S', label: '公共管理、社会保障和社会组织' },
  { code: 'T', label: '国际组织' },
] as const;
export type SectorCode = (typeof SECTORS)[number]['code'];

/** 工业 = 门类 B, C, D (GB/T 4754-2017; 国家统计局 规模以上工业 statistics). */
export const INDUSTRIAL_SECTORS: readonly SectorCode[] = ['B', 'C', 'D'];

export function isSectorCode(v: unknown): v is SectorCode {
  return typeof v === 'string' && SECTORS.some((s) => s.code === v);
}

export function sectorLabel(code: string | null | undefined): string {
  const s = SECTORS.find((x) => x.code === code);
  return s ? `${s.code} ${s.label}` : '';
}

export function isIndustrial(code: string | null | undefined): boolean {
  return (INDUSTRIAL_SECTORS as readonly string[]).includes(code ?? '');
}

/** 年主营业务收入 2000万元, in 元 (国统字〔2010〕87号, from 2011). */
export const ABOVE_SCALE_THRESHOLD = 20_000_000;

export const SCALE_CLASSES = ['above', 'below', 'not_industrial', 'unknown'] as const;
export type ScaleClass = (typeof SCALE_CLASSES)[number];

export const SCALE_CLASS_LABELS: Record<ScaleClass, string> = {
  above: '规上工业',
  below: '规下工业',
  not_industrial: '非工业（不适用）',
  unknown: '无法判断',
};

export function isScaleClass(v: unknown): v is ScaleClass {
  return typeof v === 'string' && (SCALE_CLASSES as readonly string[]).includes(v);
}

export interface ScaleVerdict {
  scaleClass: ScaleClass;
  /** The year whose 主营业务收入 decided it (null when none did). */
  year: number | null;
  /** That year's 主营业务收入, 元. */
  mainRevenue: number | null;
  /** The basis in words, as the firm page shows it. */
  basis: string;
}

/** One year of a firm's figures as the rule reads it (元). */
export interface ScaleYear {
  year: number;
  mainRevenue: number | null;
  salesRevenue: number | null;
}

/**
 * The class from the firm's 门类 and its years (any order). The latest year with revenue reported
 * (主营业务收入 or 销售收入) decides: a class is a statement about one statistics year, so an older year's
 * 主营业务收入 does not stand in for a newer year whose accounts are in without it (that year is
 * "unknown" until it is filled in). Years holding no revenue at all (a row for the current year's
 * incident declaration, say) are not a statistics year yet and are passed over.
 */
export function scaleClassOf(sector: string | null, years: readonly ScaleYear[]): ScaleVerdict {
  if (!sector) return { scaleClass: 'unknown', year: null, mainRevenue: null, basis: '未填国民经济行业门类，无法判断是否工业企业' };
  if (!isIndustrial(sector)) {
    return { scaleClass: 'not_industrial', year: null, mainRevenue: null, basis: `行业门类为 ${sectorLabel(sector)}，不是工业（B/C/D 门类），规上工业标准不适用` };
  }
  const latest = years.filter((y) => y.mainRevenue !== null || y.salesRevenue !== null).sort((a, b) => b.year - a.year)[0];
  if (!latest) return { scaleClass: 'unknown', year: null, mainRevenue: null, basis: '工业企业，尚无营业收入数据，无法判断' };
  if (latest.mainRevenue === null) {
    return { scaleClass: 'unknown', year: latest.year, mainRevenue: null, basis: `工业企业，${latest.year}年未填主营业务收入，无法判断` };
  }
  const above = latest.mainRevenue >= ABOVE_SCALE_THRESHOLD;
  const amount = `${latest.year}年主营业务收入 ${wanText(latest.mainRevenue)} 万元`;
  return {
    scaleClass: above ? 'above' : 'below',
    year: latest.year,
    mainRevenue: latest.mainRevenue,
    basis: above ? `${amount} ≥ 2000 万元 → 规上工业` : `${amount} < 2000 万元 → 规下工业`,
  };
}
