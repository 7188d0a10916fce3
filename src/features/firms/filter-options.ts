/** The choices the filter bars and firm forms offer, on nearly every page. */
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { LIFECYCLES, TECH_FIELDS } from '../../domain/fields.js';
import { LIST_KINDS } from '../../domain/list-kinds.js';
import { SCALE_CLASS_LABELS, SCALE_CLASSES, SECTORS } from '../../domain/scale.js';
import { EXIT_REASONS, STAGES, stageLabel } from '../../domain/stages.js';
import { listKindLabel } from '../../domain/list-kinds.js';
import { shanghaiDateTime } from '../../lib/dates.js';
import type { FirmFilters } from './firm-filters.js';
import { ReadModelCache } from '../../lib/cache.js';
import { listParks, listTowns, type Park, type Town } from '../parks/parks.queries.js';
import { listCounsellors, type UserSummary } from '../users/users.queries.js';

// Parks, towns and counsellors change rarely (their writes bump the data generation); reading
// them again for every page was two of the six statements a cached dashboard view sent.
const cache = new ReadModelCache<{ parks: Park[]; towns: Town[]; counsellors: UserSummary[] }>(30_000, 1);

/**
 * Only what this user may choose (issue 11 item 9). A firm is theirs when its park or its town
 * is, so: limited by park only, they choose among their parks and must choose one; limited by
 * town only, among their towns; limited by both, any park or town (the service checks that the
 * pair is theirs). `allowNoPark`/`allowNoTown` say whether "none" is a choice they may make.
 */
export function scopedChoices<P extends { id: number }, T extends { id: number }>(actor: Jurisdiction, parks: P[], towns: T[]) {
  if (actor.parkIds === null) return { parks, towns, allowNoPark: true, allowNoTown: true };
  const myParks = new Set(actor.parkIds);
  const myTowns = new Set(actor.townIds ?? []);
  return {
    parks: myTowns.size ? parks : parks.filter((p) => myParks.has(p.id)),
    towns: myParks.size ? towns : towns.filter((t) => myTowns.has(t.id)),
    allowNoPark: myTowns.size > 0,
    allowNoTown: myParks.size > 0,
  };
}

export async function loadFilterOptions(db: Db, actor: Jurisdiction) {
  const { parks, towns, counsellors } = await cache.get(db, 'options', async () => ({
    parks: await listParks(db),
    towns: await listTowns(db),
    counsellors: await listCounsellors(db),
  }));
  return {
    ...scopedChoices(actor, parks, towns),
    fields: TECH_FIELDS,
    lifecycles: LIFECYCLES,
    stages: STAGES,
    exitReasons: EXIT_REASONS,
    listKinds: LIST_KINDS,
    sectors: SECTORS,
    scaleClasses: SCALE_CLASSES.map((key) => ({ key, label: SCALE_CLASS_LABELS[key] })),
    counsellors,
  };
}

export type FilterOptions = Awaited<ReturnType<typeof loadFilterOptions>>;

/**
 * What a printed page shows (issue 11 item 12): the filters in words, when the data was read and
 * by whom, so a sheet on a leader's desk says what it is. `extra`: the page's own choices
 * (统计年度, 对照…), already in words.
 */
export function printHeading(filters: FirmFilters, options: FilterOptions, extra: [string, string][] = []) {
  return {
    filters: [...extra, ...filterPairs(filters, options)].map(([label, value]) => `${label}：${value}`).join('；') || '无（全部企业）',
    at: shanghaiDateTime(new Date().toISOString()),
  };
}

/** The filters in words, as label/value pairs (print headings and export title rows). */
export function filterPairs(filters: FirmFilters, options: FilterOptions): [string, string][] {
  const parts: [string, string][] = [];
  const name = <T extends { id: number }>(list: T[], id: number | undefined) => (id === undefined ? undefined : (list.find((x) => x.id === id) ?? null));
  const park = name(options.parks, filters.park);
  if (park !== undefined) parts.push(['园区/平台', park?.name ?? `#${filters.park}`]);
  const town = name(options.towns, filters.town);
  if (town !== undefined) parts.push(['属地', town?.name ?? `#${filters.town}`]);
  if (filters.field) parts.push(['技术领域', options.fields.find((f) => f.key === filters.field)?.label ?? filters.field]);
  if (filters.stage) parts.push(['阶段', stageLabel(filters.stage)]);
  if (filters.list) parts.push(['所在名单', `${listKindLabel(filters.list)}${filters.listYear ? ` ${filters.listYear} 年` : ''}`]);
  if (filters.counsellor !== undefined) parts.push(['辅导员', options.counsellors.find((c) => c.id === filters.counsellor)?.displayName ?? `#${filters.counsellor}`]);
  if (filters.lifecycle) parts.push(['生命周期', options.lifecycles.find((l) => l.key === filters.lifecycle)?.label ?? filters.lifecycle]);
  if (filters.scale) parts.push(['规上/规下', SCALE_CLASS_LABELS[filters.scale]]);
  if (filters.q) parts.push(['搜索', `“${filters.q}”`]);
  return parts;
}
