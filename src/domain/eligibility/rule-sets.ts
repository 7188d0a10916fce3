/**
 * Rule-set registry and article citations. Every verdict carries its rule-set id so a stored
 * verdict can be reproduced; a future rule change gets a new id, never a silent edit.
 */
import type { RuleSetId } from './types.js';

export interface RuleSetInfo {
  id: RuleSetId;
  title: string;
  documents: string[];
  effectiveFrom: string;
}

export const RULE_SETS: Readonly<Record<RuleSetId, RuleSetInfo>> = {
  'hte-2016': {
    id: 'hte-2016',
    title: '高新技术企业认定',
    documents: [
      '《高新技术企业认定管理办法》（国科发火〔2016〕32号）',
      '《高新技术企业认定管理工作指引》（国科发火〔2016〕195号）',
    ],
    effectiveFrom: '2016-01-01',
  },
  'tsme-2017': {
    id: 'tsme-2017',
    title: '科技型中小企业评价',
    documents: ['《科技型中小企业评价办法》（国科发政〔2017〕115号）'],
    effectiveFrom: '2017-05-03',
  },
};

const BAN = '《高新技术企业认定管理办法》';
const GUIDE = '《高新技术企业认定管理工作指引》';
const TSME = '《科技型中小企业评价办法》';

/** Citations shown next to each condition (and repeated in comments at the rule). */
export const ARTICLES = {
  hte: {
    age: `${BAN}第十一条（一）；${GUIDE}三（一）`,
    ip: `${BAN}第十一条（二）；${GUIDE}三（二）`,
    field: `${BAN}第十一条（三）`,
    techStaff: `${BAN}第十一条（四）；${GUIDE}三（五）`,
    rdRatio: `${BAN}第十一条（五）；${GUIDE}三（六）`,
    rdDomestic: `${BAN}第十一条（五）（境内研发费用占比）；${GUIDE}三（六）`,
    hitechIncome: `${BAN}第十一条（六）；${GUIDE}三（四）`,
    innovation: `${BAN}第十一条（七）；${GUIDE}三（七）`,
    incident: `${BAN}第十一条（八）；${GUIDE}三（一）`,
    ipScore: `${GUIDE}三（七）1（知识产权）`,
    conversionScore: `${GUIDE}三（七）2（科技成果转化能力）`,
    rdManagementScore: `${GUIDE}三（七）3（研究开发组织管理水平）`,
    growthScore: `${GUIDE}三（七）4（企业成长性）`,
    validity: `${BAN}第九条`,
    taxStart: `${BAN}第十条`,
    annualReport: `${BAN}第十三条；${GUIDE}五（二）`,
    changeReport: `${BAN}第十七条；${GUIDE}五（四）`,
    expiryYear: `${GUIDE}四、3`,
  },
  tsme: {
    resident: `${TSME}第六条（一）`,
    size: `${TSME}第六条（二）`,
    industry: `${TSME}第六条（三）`,
    integrity: `${TSME}第六条（四）`,
    score: `${TSME}第六条（五）、第七条`,
    staffScore: `${TSME}第七条1（科技人员指标）`,
    rdScore: `${TSME}第七条2（研发投入指标）`,
    ipScore: `${TSME}第七条3（科技成果指标）`,
    direct: `${TSME}第八条`,
  },
} as const;
