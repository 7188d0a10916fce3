/** Everything the firm page (企业档案) shows, assembled from the queries and the domain rules. */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { coversPark } from '../../domain/permissions.js';
import { REENTRY_STAGES, STAGES, type StageKey, stageLabel } from '../../domain/stages.js';
import { stagePeriods, totalDaysByStage } from '../../domain/time-in-stage.js';
import { classifyMove } from '../../domain/transitions.js';
import { type AnnualFigures, figuresForFirm } from '../figures/figures.queries.js';
import { type StageEvent, stageEventsForFirm } from '../stages/stage-events.queries.js';
import { type Firm, findFirmByUscc } from './firms.queries.js';

export interface HistoryRow extends StageEvent {
  days: number;
  current: boolean;
}

export interface MoveTarget {
  key: StageKey;
  label: string;
  /** Shown in menus: the move will ask for a reason or other input. */
  asks: boolean;
  /** The natural next step, preselected on the firm page. */
  next: boolean;
}

/** Where a firm in `from` may be sent, for menus; the server still decides each move. */
export function moveTargets(from: StageKey): MoveTarget[] {
  return STAGES.filter((s) => s.key !== from && (from !== 'exited' || REENTRY_STAGES.includes(s.key))).map((s) => {
    const kind = classifyMove(from, s.key);
    return {
      key: s.key,
      label: s.label,
      asks: kind !== 'forward' || s.key === 'hte_certified' || s.key === 'hte_applying',
      next: kind === 'forward' || (kind === 'reentry' && s.key === 'candidate'),
    };
  });
}

export interface FigureRowDef {
  key: keyof AnnualFigures;
  label: string;
  kind: 'money' | 'headcount' | 'count' | 'bool';
}

/** The figures table's rows, in the order caseworkers read an audit report. */
export const FIGURE_ROWS: readonly FigureRowDef[] = [
  { key: 'salesRevenue', label: '销售收入（万元）', kind: 'money' },
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

export interface FirmPage {
  firm: Firm;
  figures: AnnualFigures[];
  history: HistoryRow[];
  currentDays: number | null;
  stageTotals: { stage: StageKey; label: string; days: number }[];
  moveTargets: MoveTarget[];
}

export async function loadFirmPage(db: Db, uscc: string, actor: Pick<Actor, 'parkIds'>, today: string): Promise<FirmPage | null> {
  const firm = await findFirmByUscc(db, uscc);
  if (!firm || !coversPark(actor, firm.parkId)) return null;
  const [figures, events] = await Promise.all([figuresForFirm(db, firm.id), stageEventsForFirm(db, firm.id)]);
  const periods = stagePeriods(events, today);
  const history = events.map((e, i) => ({ ...e, days: periods[i]!.days, current: i === events.length - 1 })).reverse();
  const totals = totalDaysByStage(periods);
  return {
    firm,
    figures,
    history,
    currentDays: periods.length ? periods[periods.length - 1]!.days : null,
    stageTotals: STAGES.filter((s) => totals.has(s.key)).map((s) => ({ stage: s.key, label: stageLabel(s.key), days: totals.get(s.key)! })),
    moveTargets: moveTargets(firm.stage),
  };
}
