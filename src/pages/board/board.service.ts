/** Assembles the board: columns grouped by tier, each with its count and its first page of cards. */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { STAGE_GROUPS, type StageKey } from '../../domain/stages.js';
import { daysInCurrentStage } from '../../domain/time-in-stage.js';
import type { FirmFilters } from '../../features/firms/firm-filters.js';
import { countByStage, type StageCounts, totalOf } from '../../features/firms/stage-counts.queries.js';
import { type BoardCard, type Cursor, columnCards, encodeCursor } from './board.queries.js';
import { listKindDef } from '../../domain/list-kinds.js';
import { CHECK_KINDS, checkKindFor, readinessTone, STAGES_WORKING_TOWARD } from '../../domain/readiness.js';
import { currentOf, type CurrentEligibility } from '../../features/eligibility/eligibility.queries.js';
import { currentKindsOf, type ListBadge } from '../../features/lists/overlap.queries.js';
import { type FollowUpState, followUpState } from '../../domain/coaching/follow-ups.js';
import { nextFollowUps } from '../../features/coaching/follow-ups.queries.js';
import { ReadModelCache } from '../../lib/cache.js';

export const COLUMN_PAGE_SIZE = 25;

export interface CardView extends BoardCard {
  daysInStage: number | null;
  /** The candidate lists the firm is on now (latest year per list). */
  lists: { short: string; label: string; year: number }[];
  /** How far the firm is from the certification its stage works toward (stored summary). */
  readiness: { short: string; tone: string; text: string; summary: string | null } | null;
  /** The next open follow-up (coaching), with its state on Shanghai dates (overdue flagged). */
  followUp: { dueOn: string; title: string; state: FollowUpState; overdue: boolean } | null;
}

/** Stages whose cards show a readiness chip: those still working toward a certification. */
const CHIP_STAGES = new Set<StageKey>([...STAGES_WORKING_TOWARD.tsme, ...STAGES_WORKING_TOWARD.hte]);

export interface ColumnView {
  stage: StageKey;
  label: string;
  count: number;
  cards: CardView[];
  /** Cursor for the next page, or null when the column is fully shown. */
  next: string | null;
}

export interface BoardView {
  groups: { key: string; label: string; count: number; columns: ColumnView[] }[];
  total: number;
}

export function toCardView(card: BoardCard, today: string, badges: ListBadge[] = [], eligibility?: CurrentEligibility, next?: { dueOn: string; title: string }): CardView {
  const kind = checkKindFor(card.stage);
  const state = next ? followUpState(next.dueOn, today) : null;
  return {
    followUp: next && state ? { ...next, state, overdue: state === 'overdue' } : null,
    ...card,
    daysInStage: daysInCurrentStage(card.stageSince, today),
    lists: badges.map((b) => ({ short: listKindDef(b.kind).short, label: listKindDef(b.kind).label, year: b.year })),
    readiness: kind && eligibility && CHIP_STAGES.has(card.stage) ? { short: CHECK_KINDS[kind].short, ...readinessTone(eligibility), summary: eligibility.summary } : null,
  };
}

/** Cards with their list badges and readiness chips: two queries for all the cards on a page. */
export async function withBadges(db: Db, cards: BoardCard[], today: string): Promise<CardView[]> {
  const ids = cards.map((c) => c.id);
  const [badges, eligibility, next] = await Promise.all([currentKindsOf(db, ids), currentOf(db, ids), nextFollowUps(db, ids)]);
  return cards.map((c) => {
    const kind = checkKindFor(c.stage);
    return toCardView(c, today, badges.get(c.id), kind ? eligibility.get(`${c.id}:${CHECK_KINDS[kind].ruleSet}`) : undefined, next.get(c.id));
  });
}

/** One page of a column, before badges: the cards and the cursor to the next page. */
async function columnPage(db: Db, stage: StageKey, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>, after: Cursor | null) {
  const rows = await columnCards(db, stage, filters, actor, COLUMN_PAGE_SIZE + 1, after);
  const page = rows.slice(0, COLUMN_PAGE_SIZE);
  const last = page[page.length - 1];
  return { page, next: rows.length > COLUMN_PAGE_SIZE && last ? encodeCursor(last) : null };
}

export async function loadColumnPage(
  db: Db,
  stage: StageKey,
  filters: FirmFilters,
  actor: Pick<Actor, 'parkIds'>,
  after: Cursor | null,
  today: string,
): Promise<{ cards: CardView[]; next: string | null }> {
  const compute = async () => {
    const { page, next } = await columnPage(db, stage, filters, actor, after);
    return { cards: await withBadges(db, page, today), next };
  };
  const key = cacheKey(filters, actor, today, `${stage} ${after ? encodeCursor(after) : ''}`);
  return key === null ? compute() : columnCache.get(db, key, compute);
}

/**
 * The board and its column pages are read far more often than firms move: every caseworker opens
 * it many times a day, each view is ten index reads and three badge lookups over 225 cards. They
 * are kept per filter set, jurisdiction and day until the next write (lib/cache.ts: this
 * process's writes, another's through the change feed); the TTL bounds what a write the cache
 * cannot hear of (another process on SQLite) leaves on screen. A search is not kept: its ids are
 * resolved per request anyway.
 */
export const BOARD_CACHE_TTL_MS = 10_000;
const boardCache = new ReadModelCache<BoardView>(BOARD_CACHE_TTL_MS, 100);
const columnCache = new ReadModelCache<{ cards: CardView[]; next: string | null }>(BOARD_CACHE_TTL_MS, 300);

function cacheKey(filters: FirmFilters, actor: Pick<Actor, 'parkIds'>, today: string, extra = ''): string | null {
  if (filters.q !== undefined || filters.matchIds !== undefined) return null;
  return JSON.stringify([filters, actor.parkIds, (actor as Partial<Pick<Actor, 'townIds'>>).townIds ?? null, today, extra]);
}

export async function loadBoard(db: Db, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>, today: string): Promise<BoardView> {
  const key = cacheKey(filters, actor, today);
  return key === null ? computeBoard(db, filters, actor, today) : boardCache.get(db, key, () => computeBoard(db, filters, actor, today));
}

async function computeBoard(db: Db, filters: FirmFilters, actor: Pick<Actor, 'parkIds'>, today: string): Promise<BoardView> {
  // Issued together: on PostgreSQL they run side by side; SQLite's one connection queues them.
  const stages = STAGE_GROUPS.flatMap((g) => g.stages.map((s) => s.key));
  const [counts, ...columnPages] = await Promise.all([countByStage(db, filters, actor), ...stages.map((s) => columnPage(db, s, filters, actor, null))]);
  const pages = new Map(stages.map((s, i) => [s, columnPages[i]!]));
  // Badges and readiness chips for every card on the board in one query each.
  const views = new Map((await withBadges(db, [...pages.values()].flatMap((p) => p.page), today)).map((v) => [v.id, v]));
  const groups: BoardView['groups'] = [];
  for (const group of STAGE_GROUPS) {
    const columns: ColumnView[] = group.stages.map((s) => {
      const { page, next } = pages.get(s.key)!;
      return { stage: s.key, label: s.label, count: counts[s.key], cards: page.map((c) => views.get(c.id)!), next };
    });
    groups.push({ key: group.key, label: group.label, count: columns.reduce((a, c) => a + c.count, 0), columns });
  }
  return { groups, total: totalOf(counts) };
}

/** Counts to refresh after a move: the two columns and their groups. */
export function changedCounts(counts: StageCounts, stages: StageKey[]): { id: string; value: number }[] {
  const out: { id: string; value: number }[] = [];
  const groupsSeen = new Set<string>();
  for (const s of stages) {
    out.push({ id: `count-${s}`, value: counts[s] });
    const group = STAGE_GROUPS.find((g) => g.stages.some((d) => d.key === s));
    if (group && !groupsSeen.has(group.key)) {
      groupsSeen.add(group.key);
      out.push({ id: `group-count-${group.key}`, value: group.stages.reduce((a, d) => a + counts[d.key], 0) });
    }
  }
  out.push({ id: 'board-total', value: totalOf(counts) });
  return out;
}

