/** The annual figures, in the order caseworkers read an audit report, with how each is typed and shown. */
import type { FigureValues } from './figures.queries.js';

export interface FigureRowDef {
  key: keyof FigureValues;
  label: string;
  kind: 'money' | 'headcount' | 'count' | 'bool';
}

/** The figures table's rows, in the order caseworkers read an audit report. */
export const FIGURE_ROWS: readonly FigureRowDef[] = [
  { key: 'salesRevenue', label: '销售收入（万元）', kind: 'money' },
  { key: 'mainRevenue', label: '其中：主营业务收入（万元）', kind: 'money' },
  { key: 'totalIncome', label: '收入总额（万元）', kind: 'money' },
  { key: 'nonTaxableIncome', label: '不征税收入（万元）', kind: 'money' },
  { key: 'hitechIncome', label: '高新技术产品（服务）收入（万元）', kind: 'money' },
  { key: 'totalCost', label: '成本费用支出总额（万元）', kind: 'money' },
  { key: 'rdExpense', label: '研发费用总额（万元）', kind: 'money' },
  { key: 'rdDomestic', label: '其中：境内研发费用（万元）', kind: 'money' },
  { key: 'rdOutsourced', label: '其中：委托外部研发费用（万元）', kind: 'money' },
  { key: 'rdDeductible', label: '加计扣除口径研发费用（万元）', kind: 'money' },
  { key: 'staffTotal', label: '职工总数（人，全年月平均）', kind: 'headcount' },
  { key: 'techStaff', label: '科技人员（人，全年月平均）', kind: 'headcount' },
  { key: 'totalAssets', label: '资产总额（万元）', kind: 'money' },
  { key: 'netAssets', label: '净资产（万元）', kind: 'money' },
  { key: 'ipClass1', label: 'Ⅰ类知识产权（件）', kind: 'count' },
  { key: 'ipClass2', label: 'Ⅱ类知识产权（件）', kind: 'count' },
  { key: 'ipClass2Used', label: '其中：已用于高企申报的Ⅱ类（件）', kind: 'count' },
  { key: 'conversions', label: '科技成果转化（项）', kind: 'count' },
  { key: 'standardsLed', label: '主导制定标准（项）', kind: 'count' },
  { key: 'hasRdInstitution', label: '省部级以上研发机构', kind: 'bool' },
  { key: 'nationalAwardTop3', label: '国家级科技奖励（前三）', kind: 'bool' },
  { key: 'majorIncident', label: '重大安全/质量事故或严重环境违法', kind: 'bool' },
];
