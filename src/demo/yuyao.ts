/**
 * Realistic Yuyao context for the demo data: parks and platforms named in public sources
 * (domain.md §8), the county's leading industries, and firm names in the local style.
 */
import { type TechFieldKey } from '../domain/fields.js';
import { USCC_CODESET, usccCheckCharacter } from '../domain/uscc.js';
import type { Random } from './random.js';

export const DEMO_PARKS = [
  { code: 'yyedz', name: '余姚经济开发区', kind: 'park', town: null },
  { code: 'sino-italy', name: '中意宁波生态园', kind: 'park', town: null },
  { code: 'yyip', name: '余姚工业园区', kind: 'park', town: null },
  { code: 'chengxi', name: '城西工业园', kind: 'park', town: null },
  { code: 'yaobei', name: '姚北工业园', kind: 'park', town: null },
  { code: 'robot-town', name: '机器人智谷小镇', kind: 'park', town: null },
  { code: 'zju-robotics', name: '浙江大学（余姚）机器人研究院', kind: 'platform', town: null },
  { code: 'yangming-iit', name: '宁波阳明工业技术研究院', kind: 'platform', town: null },
  { code: 'hust-im', name: '华中科大（余姚）智能制造科技创新中心', kind: 'platform', town: null },
  { code: 'tech-market', name: '余姚科技大市场', kind: 'platform', town: null },
  { code: 'robot-complex', name: '省级机器人与智能装备产业创新服务综合体', kind: 'platform', town: null },
  { code: 'optics-complex', name: '省级光电信息产业创新服务综合体', kind: 'platform', town: null },
] as const;

/** Park weights: most firms sit in the big zones. */
export const PARK_WEIGHTS = [24, 10, 14, 12, 10, 8, 4, 4, 3, 3, 4, 4] as const;

/** One user per role (all with the demo password), plus caseworkers limited to one park and to one town. */
export const DEMO_USERS = [
  { username: 'admin', displayName: '系统管理员', role: 'admin', parks: [], towns: [] },
  { username: 'caseworker', displayName: '王晓燕', role: 'caseworker', parks: [], towns: [] },
  { username: 'counsellor', displayName: '李志强', role: 'counsellor', parks: [], towns: [] },
  { username: 'counsellor2', displayName: '赵丽君', role: 'counsellor', parks: [], towns: [] },
  { username: 'leader', displayName: '陈建华', role: 'leader', parks: [], towns: [] },
  { username: 'caseworker-kfq', displayName: '周涛', role: 'caseworker', parks: ['yyedz'], towns: [] },
  { username: 'caseworker-simen', displayName: '孙莉', role: 'caseworker', parks: [], towns: ['simen'] },
] as const;

/**
 * The town (属地) of demo firm `id`: spread over Yuyao's towns (migration 20261202060100 loads
 * them), most in the six 街道 and the industrial towns. Derived from the id, not drawn from the
 * random stream, so the rest of the demo data stays what it was.
 */
const TOWN_SPREAD = ['lanjiang', 'yangming', 'fengshan', 'lizhou', 'langxia', 'ditang', 'simen', 'mazhu', 'xiaocaoe', 'linshan', 'zhangting', 'lubu', 'huangjiabu', 'moushan'] as const;
export function demoTownCode(id: number): string {
  const h = Math.imul(id, 2654435761) >>> 0;
  return h % 10 < 6 ? TOWN_SPREAD[h % 6]! : TOWN_SPREAD[6 + (h >>> 8) % 8]!;
}

const TRADE_CHARS = [
  '舜', '宇', '江', '丰', '恒', '拓', '明', '阳', '姚', '创', '智', '昌', '兴', '达', '鑫', '华', '泰', '光', '美', '瑞',
  '博', '远', '通', '康', '新', '力', '威', '锐', '凯', '德', '盛', '众', '联', '宏', '源', '海', '天', '信', '诺', '精',
  '金', '星', '晨', '合', '奥', '嘉', '益', '豪', '富', '安', '永', '立', '东', '方', '正', '和', '佳', '立', '腾', '捷',
  '菱', '峰', '龙', '旭', '蓝', '航', '云', '川', '亿', '驰', '铭', '浩', '四', '明', '湖', '河', '姆', '渡', '梨', '洲',
];

const INDUSTRY_WORDS: Record<TechFieldKey, string[]> = {
  electronic_info: ['光电科技', '光学仪器', '电子科技', '信息技术', '物联网科技', '智能科技', '半导体科技'],
  biomedicine: ['生物科技', '医疗器械', '医药科技'],
  aerospace: ['航空部件', '航天材料科技'],
  new_materials: ['新材料科技', '高分子材料', '电子材料', '塑业科技', '复合材料'],
  hitech_services: ['软件科技', '检测技术', '科技服务', '工业设计'],
  new_energy: ['新能源科技', '节能科技', '电池科技', '光伏科技'],
  resources_environment: ['环保科技', '水处理技术', '资源再生科技'],
  advanced_manufacturing: ['机器人科技', '智能装备', '精密机械', '模具', '汽车零部件', '电器', '自动化科技', '液压科技'],
};

export const FIELD_WEIGHTS: readonly (readonly [TechFieldKey, number])[] = [
  ['advanced_manufacturing', 34],
  ['electronic_info', 22],
  ['new_materials', 18],
  ['new_energy', 9],
  ['biomedicine', 5],
  ['resources_environment', 5],
  ['hitech_services', 6],
  ['aerospace', 1],
];

export function firmName(rng: Random, field: TechFieldKey): string {
  const place = rng.weighted([['余姚市', 62], ['宁波', 28], ['浙江', 10]] as const);
  const stem = rng.pick(TRADE_CHARS) + rng.pick(TRADE_CHARS) + (rng.chance(0.25) ? rng.pick(TRADE_CHARS) : '');
  const industry = rng.pick(INDUSTRY_WORDS[field]);
  const suffix = rng.weighted([['有限公司', 85], ['股份有限公司', 10], ['有限责任公司', 5]] as const);
  return `${place}${stem}${industry}${suffix}`;
}

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** A valid code: `91` + registering authority + organisation code (with its GB 11714 check) + check char. */
export function creditCode(rng: Random): string {
  const region = rng.chance(0.9) ? '330281' : '330200';
  let body = '';
  if (rng.chance(0.5)) {
    body = 'MA2';
    for (let i = 0; i < 5; i++) body += rng.pick(USCC_CODESET.split('').filter((c) => c !== 'X'));
  } else {
    for (let i = 0; i < 8; i++) body += String(rng.int(0, 9));
  }
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = body[i]!;
    sum += (/[0-9]/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55) * ORG_WEIGHTS[i]!;
  }
  const c = 11 - (sum % 11);
  body += c === 10 ? 'X' : c === 11 ? '0' : String(c);
  const first17 = `91${region}${body}`;
  return first17 + usccCheckCharacter(first17);
}
