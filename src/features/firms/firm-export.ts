/** The firm list as an export sheet (the board's filtered list and /firms share it). */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { lifecycleLabel, techFieldLabel } from '../../domain/fields.js';
import { stageLabel } from '../../domain/stages.js';
import { shanghaiDateTime } from '../../lib/dates.js';
import { EXPORT_ROW_LIMIT, type ExportSheet, chunksByKey } from '../../web/export.js';
import type { FilterOptions } from './filter-options.js';
import { filterPairs } from './filter-options.js';
import type { FirmFilters } from './firm-filters.js';
import { type FirmExportRow, firmsForExport } from './firms.queries.js';

export function firmListSheet(db: Db, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>, options: FilterOptions, title: string, boardOnly: boolean): ExportSheet<FirmExportRow> {
  return {
    name: title,
    title,
    filters: filterPairs(filters, options),
    columns: [
      { header: '统一社会信用代码', kind: 'code', value: (r) => r.uscc },
      { header: '企业名称', width: 36, value: (r) => r.name },
      { header: '阶段', width: 14, value: (r) => (r.withdrawn ? `${stageLabel(r.stage)}（撤销导入退出）` : stageLabel(r.stage)) },
      { header: '园区/平台', width: 22, value: (r) => r.parkName ?? '未落园区' },
      { header: '属地', width: 12, value: (r) => r.townName },
      { header: '技术领域', width: 16, value: (r) => techFieldLabel(r.field) },
      { header: '生命周期', width: 10, value: (r) => lifecycleLabel(r.lifecycle) },
      { header: '辅导员', width: 10, value: (r) => r.counsellorName },
      { header: '成立日期', kind: 'date', width: 12, value: (r) => r.foundedOn },
      { header: '最后更新', width: 18, value: (r) => shanghaiDateTime(r.updatedAt) },
    ],
    rows: chunksByKey((after: number | null, limit) => firmsForExport(db, filters, actor, after, limit, boardOnly), (r) => r.id, 2000, EXPORT_ROW_LIMIT),
  };
}
