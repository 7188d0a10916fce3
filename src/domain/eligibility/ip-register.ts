/**
 * The IP register: one row per item, and each item's verdict for the two checks.
 *
 * High-tech (《高新技术企业认定管理工作指引》三（二）; 《高新技术企业认定管理办法》第十一条（二）):
 * - 1 "知识产权须在中国境内授权或审批审定，并在中国法律的有效保护期内。知识产权权属人应为申请企业" — a foreign
 *   patent never counts; a lapsed or expired right does not count;
 * - 3 Class I "发明专利（含国防专利）、植物新品种、国家级农作物品种、国家新药、国家一级中药保护品种、集成电路布图设计专有权";
 *   Class II "实用新型专利、外观设计专利、软件著作权等（不含商标）" — a trademark never counts;
 * - 4 "按Ⅱ类评价的知识产权在申请高新技术企业时，仅限使用一次" — Class II used in an earlier application does not count;
 * - 5 "知识产权有多个权属人时，只能由一个权属人在申请时使用" — a co-held right counts only where this firm is the one using it;
 * - 6 "申请认定时专利的有效性以企业申请认定前获得授权证书或授权通知书…为准" — granted on or before the reference date;
 * - 第十一条（二）"通过自主研发、受让、受赠、并购等方式，获得…知识产权的所有权" — an exclusive licence gives no ownership.
 *
 * Tech-SME (《科技型中小企业评价办法》第七条3): "按企业拥有的在有效期内的与主要产品(或服务)相关的知识产权类别和数量
 * (知识产权应没有争议或纠纷)" — owned, in force, related to the main products, not disputed; earlier use does not matter.
 *
 * Patent terms (《专利法》第四十二条, 2020 revision): 发明 20 years, 实用新型 10 years, 外观设计 15 years (10 years for
 * applications filed before 2021-06-01, when the revision took effect), "均自申请日起计算"; the last day is the
 * corresponding day (《民法典》第二百零一条、第二百零二条).
 */
import { addYearsClamped, compareDates } from './dates.js';

export type IpKind =
  | 'invention' | 'utility' | 'design' | 'software' | 'ic_layout' | 'plant_variety' | 'new_drug' | 'tcm_protected'
  | 'trademark' | 'foreign_patent';

export const IP_KINDS: Readonly<Record<IpKind, { label: string; ipClass: 'I' | 'II' | null }>> = {
  invention: { label: '发明专利', ipClass: 'I' },
  utility: { label: '实用新型专利', ipClass: 'II' },
  design: { label: '外观设计专利', ipClass: 'II' },
  software: { label: '软件著作权', ipClass: 'II' },
  ic_layout: { label: '集成电路布图设计专有权', ipClass: 'I' },
  plant_variety: { label: '植物新品种', ipClass: 'I' },
  new_drug: { label: '国家新药', ipClass: 'I' },
  tcm_protected: { label: '国家一级中药保护品种', ipClass: 'I' },
  trademark: { label: '商标（不计入）', ipClass: null },
  foreign_patent: { label: '境外专利（不计入）', ipClass: null },
};

export type IpAcquisition = 'own' | 'transfer' | 'gift' | 'merger' | 'exclusive_license';
export const IP_ACQUISITIONS: Readonly<Record<IpAcquisition, string>> = {
  own: '自主研发',
  transfer: '受让',
  gift: '受赠',
  merger: '并购',
  exclusive_license: '独占许可',
};

export type IpStatus = 'valid' | 'lapsed' | 'disputed';
export const IP_STATUSES: Readonly<Record<IpStatus, string>> = { valid: '有效', lapsed: '失效', disputed: '有争议' };

export interface IpItem {
  kind: IpKind;
  number: string;
  title: string;
  appliedOn: string | null;
  grantedOn: string | null;
  acquisition: IpAcquisition;
  coHolders: string; // '' = held by this firm alone
  coHolderUse: boolean; // co-held: the holders agreed this firm uses it (指引 三（二）5)
  status: IpStatus;
  usedInApplication: string | null; // the earlier certification application that used it
  supportsMainProducts: boolean;
}

export interface IpItemVerdict {
  number: string;
  kindLabel: string;
  ipClass: 'I' | 'II' | null;
  counts: boolean;
  usedBefore: boolean; // Class II that would count but for earlier use
  reason: string;
}

/** The last day a patent is in force, or null when the kind has no fixed term here (or no application date). */
export function patentTermEnd(item: Pick<IpItem, 'kind' | 'appliedOn'>): string | null {
  if (!item.appliedOn) return null;
  const years = item.kind === 'invention' ? 20 : item.kind === 'utility' ? 10 : item.kind === 'design' ? (item.appliedOn >= '2021-06-01' ? 15 : 10) : null;
  return years === null ? null : addYearsClamped(item.appliedOn, years); // 《专利法》第四十二条
}

const CLASS_TEXT = { I: 'Ⅰ', II: 'Ⅱ' } as const;

/** Reasons common to both checks, or null when the item passes them. */
function commonRefusal(item: IpItem, refDate: string): string | null {
  const kind = IP_KINDS[item.kind];
  if (item.kind === 'trademark') return '商标不计入（指引 三（二）3：Ⅱ类“不含商标”）';
  if (item.kind === 'foreign_patent') return '境外专利不计入（指引 三（二）1：须在中国境内授权）';
  if (!kind.ipClass) return '不计入';
  if (!item.grantedOn) return '尚未授权：申请中的不计入（指引 三（二）6）';
  if (compareDates(item.grantedOn, refDate) > 0) return `${item.grantedOn} 授权，晚于 ${refDate}（指引 三（二）6：须在申请前获得授权）`;
  if (item.status === 'lapsed') return '已失效（指引 三（二）1：须在有效保护期内）';
  const end = patentTermEnd(item);
  if (end && compareDates(refDate, end) > 0) return `保护期已于 ${end} 届满（专利法 第四十二条）`;
  if (item.status === 'disputed') return '有争议或纠纷，不计入（指引 三（二）1；评价办法 第七条3）';
  if (item.acquisition === 'exclusive_license') return '独占许可不取得所有权（办法 第十一条（二）：须拥有所有权）';
  return null;
}

/** High-tech verdict of one item at the application date. */
export function hteItemVerdict(item: IpItem, refDate: string): IpItemVerdict {
  const kind = IP_KINDS[item.kind];
  const base = { number: item.number, kindLabel: kind.label, ipClass: kind.ipClass, usedBefore: false };
  const refused = commonRefusal(item, refDate);
  if (refused) return { ...base, counts: false, reason: refused };
  if (item.coHolders && !item.coHolderUse) return { ...base, counts: false, reason: `与 ${item.coHolders} 共有，未确认由本企业使用（指引 三（二）5：只能由一个权属人使用）` };
  if (kind.ipClass === 'II' && item.usedInApplication) {
    return { ...base, counts: false, usedBefore: true, reason: `Ⅱ类已用于 ${item.usedInApplication}（指引 三（二）4：仅限使用一次）` };
  }
  const how = IP_ACQUISITIONS[item.acquisition];
  return { ...base, counts: true, reason: `计入：${CLASS_TEXT[kind.ipClass!]}类，${how}，${item.grantedOn} 授权${item.coHolders ? '，共有人同意由本企业使用' : ''}${kind.ipClass === 'I' && item.usedInApplication ? '（Ⅰ类可重复使用）' : ''}` };
}

/** Tech-SME verdict of one item at the evaluation date. */
export function tsmeItemVerdict(item: IpItem, refDate: string): IpItemVerdict {
  const kind = IP_KINDS[item.kind];
  const base = { number: item.number, kindLabel: kind.label, ipClass: kind.ipClass, usedBefore: false };
  const refused = commonRefusal(item, refDate);
  if (refused) return { ...base, counts: false, reason: refused };
  if (!item.supportsMainProducts) return { ...base, counts: false, reason: '与主要产品（或服务）无关（评价办法 第七条3）' };
  return { ...base, counts: true, reason: `计入：${CLASS_TEXT[kind.ipClass!]}类，有效期内，与主要产品相关` };
}

export interface IpRegisterCounts {
  refDate: string;
  class1: number;
  class2: number; // Class II counted (for HTE: not used before)
  class2UsedBefore: number; // HTE only
  ownRd: boolean; // a counted item obtained by own R&D (指引 三（七）1 获得方式 A)
  verdicts: IpItemVerdict[];
}

export function countRegister(items: readonly IpItem[], refDate: string, check: 'hte' | 'tsme'): IpRegisterCounts {
  const verdicts = items.map((i) => (check === 'hte' ? hteItemVerdict(i, refDate) : tsmeItemVerdict(i, refDate)));
  const counted = verdicts.filter((v) => v.counts);
  return {
    refDate,
    class1: counted.filter((v) => v.ipClass === 'I').length,
    class2: counted.filter((v) => v.ipClass === 'II').length,
    class2UsedBefore: verdicts.filter((v) => v.usedBefore).length,
    ownRd: items.some((item, i) => verdicts[i]!.counts && item.acquisition === 'own'),
    verdicts,
  };
}

/** Short text of the counted and the refused items, for the readiness panel. */
export function registerSummary(c: IpRegisterCounts): string {
  const counted = c.verdicts.filter((v) => v.counts).map((v) => `${v.number}（${CLASS_TEXT[v.ipClass!]}类）`);
  const refused = c.verdicts.filter((v) => !v.counts).map((v) => `${v.number}：${v.reason}`);
  return [counted.length ? `计入 ${counted.join('、')}` : '无计入的知识产权', ...(refused.length ? [`不计 ${refused.join('；')}`] : [])].join('；');
}

// --- Numbers -------------------------------------------------------------------------------------

export type NumberCheck = { ok: true; normalized: string } | { ok: false; message: string };

/**
 * A Chinese patent (application) number: optional ZL/CN, then YYYY + kind digit + 7 digits (from 2003)
 * or YY + kind digit + 5 digits (before), a dot and the check character — the digits times 2,3,4,5,6,7,8,9
 * (repeating) summed, mod 11, 10 written X. The kind digit must match: 1/8 发明, 2/9 实用新型, 3 外观设计.
 */
export function checkPatentNumber(kind: 'invention' | 'utility' | 'design', input: string): NumberCheck {
  const text = input.normalize('NFKC').toUpperCase().replace(/\s+/g, '').replace(/^(ZL|CN)/, '');
  const m = /^(\d{12}|\d{8})\.?([0-9X])$/.exec(text);
  if (!m) return { ok: false, message: '专利号格式应为 ZL + 12位数字 + “.” + 校验位（如 ZL201710601862.3；2004年前为8位数字）。' };
  const digits = m[1]!;
  const weights = [2, 3, 4, 5, 6, 7, 8, 9];
  const sum = [...digits].reduce((s, d, i) => s + Number(d) * weights[i % 8]!, 0);
  const r = sum % 11;
  const expected = r === 10 ? 'X' : String(r);
  if (m[2] !== expected) return { ok: false, message: `专利号校验位不符（按前面的数字应为 ${expected}），请核对。` };
  const kindDigit = digits.length === 12 ? digits[4]! : digits[2]!;
  const wanted = { invention: ['1', '8'], utility: ['2', '9'], design: ['3'] }[kind];
  if (!wanted.includes(kindDigit)) {
    const actual = { '1': '发明', '8': '发明', '2': '实用新型', '9': '实用新型', '3': '外观设计' }[kindDigit] ?? '未知类别';
    return { ok: false, message: `专利号的类别位是“${kindDigit}”（${actual}），与所选类别不符。` };
  }
  return { ok: true, normalized: `ZL${digits}.${m[2]}` };
}

/** Any IP number: patents checked as above; 软件著作权 登记号 YYYYSR + digits; others a plain code. */
export function checkIpNumber(kind: IpKind, input: string): NumberCheck {
  if (kind === 'invention' || kind === 'utility' || kind === 'design') return checkPatentNumber(kind, input);
  const text = input.normalize('NFKC').toUpperCase().replace(/\s+/g, '');
  if (kind === 'software') {
    return /^\d{4}SR\d{6,7}$/.test(text) ? { ok: true, normalized: text } : { ok: false, message: '软件著作权登记号格式应为 年份 + SR + 6–7位数字（如 2019SR0123456）。' };
  }
  // Other kinds: the form is not fixed here; a code of letters, digits and . - / only.
  return /^[A-Z0-9][A-Z0-9.\-/]{1,39}$/.test(text) ? { ok: true, normalized: text } : { ok: false, message: '编号只能含字母、数字和 . - /（2–40个字符）。' };
}

/**
 * The kind of a patent on a 授权专利 list row: its 专利类型 cell when it names one, else the
 * number's kind digit (1/8 发明, 2/9 实用新型, 3 外观设计 — the same digit checkPatentNumber checks).
 * null when neither says (such a row stays on the list but is not entered in the register).
 */
export function listedPatentKind(typeText: unknown, number: string): 'invention' | 'utility' | 'design' | null {
  const t = typeof typeText === 'string' ? typeText.replace(/\s/g, '') : '';
  if (/外观/.test(t)) return 'design';
  if (/实用新型|实用/.test(t)) return 'utility';
  if (/发明/.test(t)) return 'invention';
  const digits = number.normalize('NFKC').toUpperCase().replace(/\s+/g, '').replace(/^(ZL|CN)/, '').replace(/\..*$/, '');
  const d = digits.length === 12 ? digits[4] : digits.length === 8 ? digits[2] : undefined;
  return d === '1' || d === '8' ? 'invention' : d === '2' || d === '9' ? 'utility' : d === '3' ? 'design' : null;
}
