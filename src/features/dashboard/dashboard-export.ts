/** The dashboard's tables as export sheets (the same figures the page shows). */
import type { ExportSheet } from '../../web/export.js';
import type { FunnelRow, FunnelView } from './dashboard.service.js';

export function dashboardSheets(funnel: FunnelView, filters: [string, string][]): ExportSheet<any>[] {
  const exitedRow: FunnelRow = { stage: 'exited', label: '退库', tier: '—', current: funnel.exited.current, entered: funnel.exited.entered, advanced: 0, rate: null, nextLabel: null };
  const funnelSheet: ExportSheet<FunnelRow> = {
    name: '阶段转化',
    title: `各阶段企业数与 ${funnel.year} 年阶段转化`,
    filters,
    columns: [
      { header: '阶段', width: 16, value: (r) => r.label },
      { header: '梯次', width: 10, value: (r) => r.tier },
      { header: '当前企业数', kind: 'int', value: (r) => r.current },
      { header: '本年进入', kind: 'int', value: (r) => r.entered },
      { header: '下一阶段', width: 16, value: (r) => r.nextLabel ?? '—' },
      { header: '已进入下一阶段', kind: 'int', width: 14, value: (r) => (r.nextLabel ? r.advanced : null) },
      { header: '转化率', kind: 'percent', value: (r) => r.rate },
    ],
    rows: [...funnel.rows, exitedRow],
  };
  const parks = funnel.parkChart.labels.map((label, i) => ({ label, counts: funnel.parkChart.series.map((s) => s.counts[i] ?? 0) }));
  const parkSheet: ExportSheet<(typeof parks)[number]> = {
    name: '各园区在库企业',
    title: '各园区/平台在库企业（按梯次）',
    filters,
    columns: [
      { header: '园区/平台', width: 26, value: (r) => r.label },
      ...funnel.parkChart.series.map((s, j) => ({ header: s.label, kind: 'int' as const, value: (r: (typeof parks)[number]) => r.counts[j] ?? 0 })),
      { header: '合计', kind: 'int', value: (r) => r.counts.reduce((a, b) => a + b, 0) },
    ],
    rows: parks,
  };
  return [funnelSheet, parkSheet];
}
