/** The annual report as XLSX: one sheet per table (T1–T7, charts' tables) plus the firm list. */
import { shanghaiDateTime } from '../../lib/dates.js';
import type { ExportColumn, ExportSheet } from '../../web/export.js';
import type { AreaRow, FirmLine, ReportData } from './report.service.js';

export function reportSheets(r: ReportData, stamp: string): ExportSheet<any>[] {
  const asOf = shanghaiDateTime(r.asOf);
  const base = (name: string, title: string) => ({ name, title: `${r.year} 年度报告 ${title}`, asOf, filters: [['范围', r.scope]] as [string, string][], notes: [stamp] });
  const areaColumns = (head: string): ExportColumn<AreaRow>[] => [
    { header: '排名', kind: 'int', width: 6, value: (x) => x.rank },
    { header: head, width: 24, value: (x) => x.label },
    { header: '新认定高企', kind: 'int', value: (x) => x.hteNew },
    { header: '重新认定高企', kind: 'int', value: (x) => x.hteRenewed },
    { header: '有效高企', kind: 'int', value: (x) => x.hteValid },
    { header: '科小入库', kind: 'int', value: (x) => x.tsme },
    { header: '省级科小', kind: 'int', value: (x) => x.tsmeProv },
  ];
  const t5 = r.t5;
  const sheets: ExportSheet<any>[] = [
    {
      ...base('T1 目标与完成', 'T1 目标与完成情况'),
      columns: [
        { header: '指标', width: 20, value: (x: ReportData['t1'][number]) => x.label },
        { header: '目标', kind: 'int', value: (x) => x.target },
        { header: '实际', kind: 'int', value: (x) => x.actual ?? '辅导记录尚未启用' },
        { header: '完成率', kind: 'percent', value: (x) => x.pct },
        { header: '上年', kind: 'int', value: (x) => x.previous },
        { header: '同比', kind: 'percent', value: (x) => x.yoy },
        ...Array.from({ length: 12 }, (_, m) => ({ header: `${m + 1}月累计`, kind: 'int' as const, width: 8, value: (x: ReportData['t1'][number]) => x.monthly[m] ?? null })),
      ],
      rows: r.t1,
    },
    { ...base('T2 园区', 'T2 各园区/平台（排名）'), columns: areaColumns('园区/平台'), rows: r.t2.parks },
    { ...base('T2 镇街', 'T2 各镇街（属地，排名）'), columns: areaColumns('镇街'), rows: r.t2.towns },
    {
      ...base('T3 技术领域', 'T3 按技术领域'),
      columns: [
        { header: '技术领域', width: 20, value: (x: ReportData['t3'][number]) => x.label },
        { header: '新认定高企', kind: 'int', value: (x) => x.hteNew },
        { header: '有效高企', kind: 'int', value: (x) => x.hteValid },
        { header: '科小入库', kind: 'int', value: (x) => x.tsme },
      ],
      rows: r.t3,
    },
    {
      ...base('T4 高企批次', 'T4 本年批次高企认定漏斗'),
      columns: [
        { header: '环节', width: 28, value: (x: ReportData['t4']['steps'][number]) => x.label },
        { header: '企业数', kind: 'int', value: (x) => x.n },
        { header: '较上一环节', kind: 'percent', value: (x) => x.rate },
      ],
      rows: [...r.t4.steps, { key: 'pass', label: '通过率（取得证书 / 申报）', n: null, rate: r.t4.passRate }],
    },
    {
      ...base('T5 后续管理', 'T5 后续管理'),
      columns: [
        { header: '项目', width: 40, value: (x: [string, number]) => x[0] },
        { header: '数量', kind: 'int', value: (x) => x[1] },
      ],
      rows: [
        ['本年应报送年度发展情况报表', t5.reportsDue],
        ['其中未报送', t5.reportsMissed],
        ['其中逾期报送', t5.reportsLate],
        ['有效期内累计两年未报、资格可能被取消的企业', t5.atRisk],
        ['本年更名/重大变化', t5.changes],
        ['变化未在三个月内报告', t5.changesOverdue],
        ['本年取消高企资格', t5.hteCancelled],
        ['本年撤销科小入库编号', t5.tsmeRevoked],
        [`${r.year + 1} 年期满（需重新认定）`, t5.expiringNextYear],
      ] as [string, number][],
    },
    {
      ...base('T6 研发', 'T6 研发与经营汇总'),
      columns: [
        { header: '企业群体', width: 26, value: (x: ReportData['t6'][number]) => x.group },
        { header: '企业数', kind: 'int', value: (x) => x.firms },
        { header: '有年度数据', kind: 'int', value: (x) => x.withFigures },
        { header: '数据年度', kind: 'int', value: (x) => x.dataYear },
        { header: '研发费用（万元）', kind: 'wan', width: 16, value: (x) => x.rdExpense },
        { header: '销售收入（万元）', kind: 'wan', width: 16, value: (x) => x.salesRevenue },
        { header: '研发费用/销售收入', kind: 'percent', value: (x) => x.rdRatio },
        { header: '高新技术产品收入（万元）', kind: 'wan', width: 18, value: (x) => x.hitechIncome },
        { header: '高新收入占比', kind: 'percent', value: (x) => x.hitechShare },
        { header: '科技人员', kind: 'int', value: (x) => x.techStaff },
        { header: '职工总数', kind: 'int', value: (x) => x.staffTotal },
      ],
      rows: r.t6,
    },
    {
      ...base('T7 辅导', 'T7 辅导服务'),
      columns: [
        { header: '项目', width: 30, value: (x: [string, number | string]) => x[0] },
        { header: '数量', kind: 'int', value: (x) => x[1] },
      ],
      rows: r.t7
        ? ([['走访（次）', r.t7.visits], ['联系到的企业（家）', r.t7.firmsContacted], ['对接活动（场）', r.t7.events], ['参加企业人次', r.t7.attendance], ['征集技术需求', r.t7.demandsCollected], ...r.t7.demandsByStatus.map((s) => [`需求：${s.label}`, s.n])] as [string, number][])
        : [['辅导记录尚未启用', '']],
    },
    {
      ...base('到期证书', '高企证书按期满年度'),
      columns: [
        { header: '期满年度', value: (x: [string, number]) => x[0] },
        { header: '证书数', kind: 'int', value: (x) => x[1] },
      ],
      rows: r.charts.expiring.labels.map((l, i) => [l, r.charts.expiring.counts[i] ?? 0]),
    },
    {
      ...base('企业名单', '企业名单'),
      notes: [stamp, ...(r.firmsTruncated ? [`名单超过 ${r.firms.length} 行，只列出前 ${r.firms.length} 行。`] : [])],
      columns: [
        { header: '类别', width: 22, value: (x: FirmLine) => x.kind },
        { header: '方式/级别', width: 10, value: (x) => x.mode },
        { header: '统一社会信用代码', kind: 'code', value: (x) => x.uscc },
        { header: '企业名称', width: 36, value: (x) => x.name },
        { header: '园区/平台', width: 22, value: (x) => x.park },
        { header: '属地', width: 12, value: (x) => x.town },
        { header: '证书/登记编号', kind: 'code', value: (x) => x.number },
        { header: '发证/登记日期', kind: 'date', value: (x) => x.issuedOn },
        { header: '有效期至', kind: 'date', value: (x) => x.validUntil },
        { header: '状态', width: 30, value: (x) => x.status },
      ],
      rows: r.firms,
    },
  ];
  return sheets;
}
