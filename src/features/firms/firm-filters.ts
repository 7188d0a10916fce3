/**
 * The filters shared by the board, the firm list and the dashboard. They live in the URL, so they
 * are parsed from query strings here, once, into a typed object; bad values are dropped, never
 * passed on to SQL.
 */
import type { Knex } from 'knex';
import { z } from 'zod';
import { firmIdsByName, firmIdsByShortName, indexableWord, searchWords, whereUsccPrefix } from '../../db/dialect.js';
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { LIFECYCLES, TECH_FIELDS, type LifecycleKey, type TechFieldKey } from '../../domain/fields.js';
import { LIST_KINDS, type ListKindKey } from '../../domain/list-kinds.js';
import { SCALE_CLASSES, type ScaleClass } from '../../domain/scale.js';
import { STAGE_KEYS, type StageKey } from '../../domain/stages.js';
import { normalizeUscc } from '../../domain/uscc.js';

export interface FirmFilters {
  park?: number;
  /** 属地: the town (街道/镇/乡) the firm belongs to. */
  town?: number;
  field?: TechFieldKey;
  counsellor?: number;
  lifecycle?: LifecycleKey;
  stage?: StageKey;
  /** Name fragment or credit-code prefix. */
  q?: string;
  /** On this candidate list (current entries), optionally of this year. */
  list?: ListKindKey;
  listYear?: number;
  /** 规上/规下 class (firms.scale_class, src/domain/scale.ts). */
  scale?: ScaleClass;
  /**
   * Set by prepareSearch, never from the URL: the search resolved once per request to at most
   * SHORT_SEARCH_CAP firm ids (matchCapped: there are more, and only these are shown and counted).
   */
  matchIds?: number[];
  matchCapped?: boolean;
}

/** Internal fields that are not filters a user chose (not carried in links or cache keys). */
const INTERNAL: readonly string[] = ['matchIds', 'matchCapped'];
/**
 * A search matching more firms than this (余姚市 matches most of them) answers with the first
 * of them and says "超过 1,000 家" instead of counting them all (issue 13: no request costs O(firms)).
 */
export const SHORT_SEARCH_CAP = 1000;

const optionalId = z.coerce.number().int().positive().optional().catch(undefined);
const single = (v: unknown) => (Array.isArray(v) ? v[0] : v) ?? undefined;
const blankToUndefined = (v: unknown) => {
  const s = single(v);
  return typeof s === 'string' && s.trim() === '' ? undefined : s;
};

const filterSchema = z.object({
  park: z.preprocess(blankToUndefined, optionalId),
  town: z.preprocess(blankToUndefined, optionalId),
  field: z.preprocess(blankToUndefined, z.enum(TECH_FIELDS.map((f) => f.key) as [TechFieldKey, ...TechFieldKey[]]).optional().catch(undefined)),
  counsellor: z.preprocess(blankToUndefined, optionalId),
  lifecycle: z.preprocess(blankToUndefined, z.enum(LIFECYCLES.map((l) => l.key) as [LifecycleKey, ...LifecycleKey[]]).optional().catch(undefined)),
  stage: z.preprocess(blankToUndefined, z.enum(STAGE_KEYS).optional().catch(undefined)),
  q: z.preprocess(blankToUndefined, z.string().trim().max(60).optional().catch(undefined)),
  list: z.preprocess(blankToUndefined, z.enum(LIST_KINDS.map((k) => k.key) as [ListKindKey, ...ListKindKey[]]).optional().catch(undefined)),
  listYear: z.preprocess(blankToUndefined, z.coerce.number().int().min(2000).max(2100).optional().catch(undefined)),
  scale: z.preprocess(blankToUndefined, z.enum(SCALE_CLASSES).optional().catch(undefined)),
});

export function parseFirmFilters(query: Record<string, unknown>): FirmFilters {
  const parsed = filterSchema.parse(query);
  const filters: FirmFilters = {};
  for (const [k, v] of Object.entries(parsed)) if (v !== undefined) (filters as Record<string, unknown>)[k] = v;
  return filters;
}

/** The filters as query-string pairs, for links and hidden fields that must carry them along. */
/** Only these filters, the ones a page offers (absent ones left out, not set to undefined). */
export function pickFilters<K extends keyof FirmFilters>(filters: FirmFilters, keys: readonly K[]): Pick<FirmFilters, K> {
  const out: Pick<FirmFilters, K> = {} as Pick<FirmFilters, K>;
  for (const k of keys) if (filters[k] !== undefined) out[k] = filters[k];
  return out;
}

export function filterParams(filters: FirmFilters, omit: (keyof FirmFilters)[] = []): [string, string][] {
  return Object.entries(filters)
    .filter(([k, v]) => v !== undefined && !INTERNAL.includes(k) && !omit.includes(k as keyof FirmFilters))
    .map(([k, v]) => [k, String(v)]);
}

export function filterQueryString(filters: FirmFilters, omit: (keyof FirmFilters)[] = []): string {
  return new URLSearchParams(filterParams(filters, omit)).toString();
}

/** stage_counts is keyed by park, town, field and stage: only those filters can be counted from it; anything else counts live. */
export function hasOnlyCountableFilters(filters: FirmFilters): boolean {
  return Object.keys(filters).every((k) => k === 'park' || k === 'town' || k === 'field' || k === 'stage');
}

/** Credit-code prefix search applies when the text could be the start of a code (four characters or more). */
function usccPrefix(q: string): string | null {
  const code = normalizeUscc(q);
  return /^[0-9A-HJ-NPQRTUWXY]{4,18}$/.test(code) && /\d/.test(code) ? code : null;
}

/** No word long enough for the trigram index (every word of `余姚 海东` has two characters). */
function isShortSearch(q: string): boolean {
  return !searchWords(q).some(indexableWord);
}

/**
 * Resolve a search once per request to at most SHORT_SEARCH_CAP + 1 firm ids, from the indexes
 * (trigram for words of three characters or more, the code index for a code prefix; a scan of the
 * normalised names, stopping at the cap, for one or two characters): the list, its counts and the
 * board's nine columns then work on that bounded set, whether the text matches 3 firms or 900,000.
 */
export async function prepareSearch(db: Db, filters: FirmFilters): Promise<FirmFilters> {
  if (filters.q === undefined) return filters;
  const q = filters.q;
  const prefix = usccPrefix(q);
  const byName = isShortSearch(q) ? firmIdsByShortName(db, q) : firmIdsByName(db, q);
  const names = (await byName.limit(SHORT_SEARCH_CAP + 1)) as { id: number }[];
  const codes = prefix ? ((await whereUsccPrefix(db, db('firms').select('id'), 'uscc', prefix).limit(SHORT_SEARCH_CAP + 1)) as { id: number }[]) : [];
  const ids = [...new Set([...codes, ...names].map((r) => Number(r.id)))];
  return { ...filters, matchIds: ids.slice(0, SHORT_SEARCH_CAP), matchCapped: ids.length > SHORT_SEARCH_CAP };
}

/**
 * A limited actor's jurisdiction over two columns, a park and a town: the firm's park is theirs
 * or its town is. Nothing matches a limited actor without parks or towns.
 */
function whereInJurisdiction(qb: Knex.QueryBuilder, actor: Jurisdiction, parkColumn: string, townColumn: string): void {
  if (actor.parkIds === null) return;
  const parks = actor.parkIds;
  const towns = actor.townIds ?? [];
  if (!parks.length && !towns.length) qb.whereRaw('1 = 0');
  else if (!towns.length) qb.whereIn(parkColumn, parks);
  else if (!parks.length) qb.whereIn(townColumn, towns);
  else qb.where((w) => w.whereIn(parkColumn, parks).orWhereIn(townColumn, towns));
}

/**
 * The same narrowing for the trigger-kept counter tables (stage_counts, conversion_counts), keyed
 * by park_key, town_key and field_key: the jurisdiction, then the park, town and field filters.
 */
export function applyCounterFilters(qb: Knex.QueryBuilder, filters: Pick<FirmFilters, 'park' | 'field'> & Pick<FirmFilters, 'town'>, actor: Jurisdiction): Knex.QueryBuilder {
  whereInJurisdiction(qb, actor, 'park_key', 'town_key');
  if (filters.park !== undefined) qb.where('park_key', filters.park);
  if (filters.town !== undefined) qb.where('town_key', filters.town);
  if (filters.field !== undefined) qb.where('field_key', filters.field);
  return qb;
}

/**
 * Narrow a query over `firms` (aliased `f`) to the filters and the actor's jurisdiction.
 * Every firm query a user can trigger goes through here, so scoping cannot be forgotten.
 */
export function applyFirmFilters(db: Db, qb: Knex.QueryBuilder, filters: FirmFilters, actor: Jurisdiction): Knex.QueryBuilder {
  whereInJurisdiction(qb, actor, 'f.park_id', 'f.town_id');
  if (filters.park !== undefined) qb.where('f.park_id', filters.park);
  if (filters.town !== undefined) qb.where('f.town_id', filters.town);
  if (filters.field !== undefined) qb.where('f.field', filters.field);
  if (filters.counsellor !== undefined) qb.where('f.counsellor_id', filters.counsellor);
  if (filters.lifecycle !== undefined) qb.where('f.lifecycle', filters.lifecycle);
  if (filters.stage !== undefined) qb.where('f.stage', filters.stage);
  // The stored class, with its (scale_class, stage, updated_at, id) index: the board's columns stay index ranges.
  if (filters.scale !== undefined) qb.where('f.scale_class', filters.scale);
  if (filters.list !== undefined) {
    const { list, listYear } = filters;
    qb.whereExists(function () {
      this.select(db.raw('1')).from('list_entries as le').whereRaw('le.firm_id = f.id').andWhere('le.kind', list).andWhere('le.is_current', true);
      if (listYear !== undefined) this.andWhere('le.year', listYear);
    });
  }
  if (filters.matchIds !== undefined) {
    qb.whereIn('f.id', filters.matchIds.length ? filters.matchIds : [-1]);
  } else if (filters.q !== undefined) {
    const q = filters.q;
    const prefix = usccPrefix(q);
    // One IN over a UNION: each branch uses its own index (FTS, the unique code index); an OR would not.
    const ids = isShortSearch(q) ? firmIdsByShortName(db, q) : firmIdsByName(db, q);
    if (prefix) ids.union((u) => whereUsccPrefix(db, u.select('id').from('firms'), 'uscc', prefix));
    qb.whereIn('f.id', ids);
  }
  return qb;
}
