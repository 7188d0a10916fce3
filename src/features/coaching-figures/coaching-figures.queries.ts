/**
 * ── The coaching aggregates, by year (one module for /coaching/summary and the annual report's T7) ──
 *   coachingFigures(db, year, actor, by)      rows per counsellor / park / lifecycle plus the total:
 *                                             firms contacted (reached), visits, events, attendances,
 *                                             demands collected that year by current status, and the
 *                                             reserve's share coached in the last 90 days
 *   conversionsAfterCoaching(db, year, actor) of the firms coached (reached) in the year, how many
 *                                             moved forward a stage within 12 months of their first
 *                                             coaching that year
 *   demandFunnel(db, year, actor)             demands collected in the year: raised, matched (ever
 *                                             in 对接中 or beyond), resolved — T7's "raised, matched, resolved"
 * Every count is limited to the actor's jurisdiction (parks/towns), like every other page.
 * ─────────────────────────────────────────────────────────────────────────────────────────────────
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { DEMAND_STATUS_KEYS, type DemandStatus } from '../../domain/demands.js';
import { lifecycleLabel } from '../../domain/fields.js';
import { MAIN_LINE, type StageKey } from '../../domain/stages.js';
import { shanghaiStartOfDay } from '../../lib/dates.js';
import { scopeToJurisdiction } from '../demands/demands.queries.js';

export type FiguresBreakdown = 'counsellor' | 'park' | 'lifecycle';

export interface FiguresRow {
  /** Group key ('' for none: unassigned, no park, not set); null for the total row. */
  key: string | null;
  label: string;
  firmsContacted: number;
  visits: number;
  events: number;
  attendances: number;
  demands: Record<DemandStatus, number>;
  demandsTotal: number;
  reserveFirms: number;
  reserveCoached90: number;
}

const GROUP_COLUMN: Record<FiguresBreakdown, string> = { counsellor: 'f.counsellor_id', park: 'f.park_id', lifecycle: 'f.lifecycle' };

/** The 90-day window of "coached recently": from this Shanghai date on (today − 90 days). */
export function recentSince(today: string, days = 90): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

const yearRange = (year: number): [string, string] => [`${year}-01-01`, `${year}-12-31`];
const keyOf = (v: unknown) => (v === null || v === undefined ? '' : String(v));

type Grouped = Map<string | null, number>;

async function grouped(db: Db, qb: Knex.QueryBuilder, group: string | null, value: string): Promise<Grouped> {
  if (group) qb.select({ g: group }).groupBy(group);
  const rows = (await qb.select(db.raw(`${value} as v`))) as { g?: unknown; v: number | string | null }[];
  const out: Grouped = new Map();
  for (const r of rows) out.set(group ? keyOf(r.g) : null, Number(r.v ?? 0));
  return out;
}

/** A year's contacts, one row per firm of each (as recorded by `asOf`, an instant, when given). */
function interactionsOfYear(db: Db, year: number, actor: Jurisdiction, asOf?: string): Knex.QueryBuilder {
  const qb = db('interaction_firms as x').join('interactions as i', 'i.id', 'x.interaction_id').join('firms as f', 'f.id', 'x.firm_id').whereBetween('i.occurred_on', yearRange(year));
  if (asOf) qb.andWhere('i.created_at', '<=', asOf);
  return scopeToJurisdiction(qb, actor);
}

/**
 * What "firms contacted" and "visits" mean, wherever they are counted (this page's rows and the
 * annual report's T7): a firm counts once however often it was reached; a visit to several firms
 * is one visit.
 */
const firmsContacted = (db: Db, contacts: Knex.QueryBuilder, group: string | null) => grouped(db, contacts.where('i.reached', true), group, 'count(distinct x.firm_id)');
const visitsMade = (db: Db, contacts: Knex.QueryBuilder, group: string | null) => grouped(db, contacts.where('i.channel', 'visit'), group, 'count(distinct i.id)');

/** The year's contact figures as the annual report counts them (T7), as recorded by `asOf`. */
export async function contactFigures(db: Db, year: number, actor: Jurisdiction, asOf: string): Promise<{ firmsContacted: number; visits: number }> {
  const [contacted, visits] = await Promise.all([firmsContacted(db, interactionsOfYear(db, year, actor, asOf), null), visitsMade(db, interactionsOfYear(db, year, actor, asOf), null)]);
  return { firmsContacted: contacted.get(null) ?? 0, visits: visits.get(null) ?? 0 };
}

/** One set of figures per group (or the total, group null). */
async function figuresBy(db: Db, year: number, actor: Jurisdiction, group: string | null, today: string) {
  const [contacted, visits, events, attendances, reserve, coached] = await Promise.all([
    firmsContacted(db, interactionsOfYear(db, year, actor), group),
    visitsMade(db, interactionsOfYear(db, year, actor), group),
    grouped(db, scopeToJurisdiction(db('event_invitations as inv').join('coaching_events as e', 'e.id', 'inv.event_id').join('firms as f', 'f.id', 'inv.firm_id').whereBetween('e.starts_on', yearRange(year)).whereNot('inv.status', 'cancelled'), actor), group, 'count(distinct inv.event_id)'),
    grouped(db, scopeToJurisdiction(db('event_invitations as inv').join('coaching_events as e', 'e.id', 'inv.event_id').join('firms as f', 'f.id', 'inv.firm_id').whereBetween('e.starts_on', yearRange(year)).where('inv.status', 'attended'), actor), group, 'count(*)'),
    grouped(db, scopeToJurisdiction(db('firms as f').where('f.stage', 'hte_reserve'), actor), group, 'count(*)'),
    grouped(db, scopeToJurisdiction(db('firms as f').where('f.stage', 'hte_reserve'), actor).whereExists(
        db('interaction_firms as x').join('interactions as i', 'i.id', 'x.interaction_id').whereRaw('x.firm_id = f.id').where('i.reached', true).where('i.occurred_on', '>=', recentSince(today)).where('i.occurred_on', '<=', today),
      ),
      group,
      'count(*)',
    ),
  ]);
  const demandQb = scopeToJurisdiction(db('demands as d').join('firms as f', 'f.id', 'd.firm_id').whereBetween('d.collected_on', yearRange(year)), actor).select('d.status').count({ n: '*' }).groupBy('d.status');
  if (group) demandQb.select({ g: group }).groupBy(group);
  const demands = new Map<string | null, Record<DemandStatus, number>>();
  for (const r of (await demandQb) as { g?: unknown; status: DemandStatus; n: number | string }[]) {
    const k = group ? keyOf(r.g) : null;
    const m = demands.get(k) ?? (Object.fromEntries(DEMAND_STATUS_KEYS.map((s) => [s, 0])) as Record<DemandStatus, number>);
    m[r.status] = Number(r.n);
    demands.set(k, m);
  }
  return { contacted, visits, events, attendances, reserve, coached, demands };
}

/**
 * The figures of a year by counsellor, park or lifecycle, and the total (last row). Groups are
 * those with anything to count; the total is counted once (a park visit covering firms of two
 * counsellors is one visit in the total, one in each counsellor's row).
 */
export async function coachingFigures(db: Db, year: number, actor: Jurisdiction, by: FiguresBreakdown, today: string): Promise<FiguresRow[]> {
  const [parts, total, names] = await Promise.all([
    figuresBy(db, year, actor, GROUP_COLUMN[by], today),
    figuresBy(db, year, actor, null, today),
    groupNames(db, by),
  ]);
  const keys = new Set<string>();
  for (const m of [parts.contacted, parts.visits, parts.events, parts.attendances, parts.reserve, parts.demands]) for (const k of m.keys()) keys.add(k ?? '');
  const row = (f: typeof parts, k: string | null, label: string): FiguresRow => {
    const demands = f.demands.get(k) ?? (Object.fromEntries(DEMAND_STATUS_KEYS.map((s) => [s, 0])) as Record<DemandStatus, number>);
    return {
      key: k,
      label,
      firmsContacted: f.contacted.get(k) ?? 0,
      visits: f.visits.get(k) ?? 0,
      events: f.events.get(k) ?? 0,
      attendances: f.attendances.get(k) ?? 0,
      demands,
      demandsTotal: Object.values(demands).reduce((a, b) => a + b, 0),
      reserveFirms: f.reserve.get(k) ?? 0,
      reserveCoached90: f.coached.get(k) ?? 0,
    };
  };
  const none = { counsellor: '未分配辅导员', park: '未落园区', lifecycle: '未设定' }[by];
  const rows = [...keys].map((k) => row(parts, k, k === '' ? none : (names.get(k) ?? k))).sort((a, b) => (a.key === '' ? 1 : b.key === '' ? -1 : a.label.localeCompare(b.label, 'zh-CN')));
  rows.push(row(total, null, '合计'));
  return rows;
}

async function groupNames(db: Db, by: FiguresBreakdown): Promise<Map<string, string>> {
  if (by === 'lifecycle') return new Map(['startup', 'growth', 'mature'].map((k) => [k, lifecycleLabel(k)]));
  const rows = (by === 'counsellor' ? await db('users').select('id', 'display_name as name') : await db('parks').select('id', 'name')) as { id: number; name: string }[];
  return new Map(rows.map((r) => [String(r.id), r.name]));
}

export interface Conversions {
  year: number;
  coached: number;
  advanced: number;
}

const rank = (s: string) => MAIN_LINE.indexOf(s as StageKey);

function plusYear(date: string): string {
  return `${Number(date.slice(0, 4)) + 1}${date.slice(4)}`;
}

/**
 * Conversions after coaching (a labelled indicator, not an official figure): of the firms reached
 * by coaching in the year, how many moved forward on the main line of stages (a skip counts; exits
 * and moves back do not) within 12 months after their first coaching of that year.
 */
export async function conversionsAfterCoaching(db: Db, year: number, actor: Jurisdiction): Promise<Conversions> {
  const firsts = (await interactionsOfYear(db, year, actor).where('i.reached', true).groupBy('x.firm_id').select('x.firm_id').min({ first: 'i.occurred_on' })) as { firm_id: number; first: string | Date }[];
  let advanced = 0;
  for (let i = 0; i < firsts.length; i += 500) {
    const chunk = firsts.slice(i, i + 500);
    const firstOf = new Map(chunk.map((r) => [Number(r.firm_id), r.first instanceof Date ? r.first.toISOString().slice(0, 10) : String(r.first).slice(0, 10)]));
    const events = (await db('stage_events').whereIn('firm_id', [...firstOf.keys()]).whereNotNull('from_stage').select('firm_id', 'from_stage', 'to_stage', 'at')) as { firm_id: number; from_stage: string; to_stage: string; at: string | Date }[];
    const moved = new Set<number>();
    for (const e of events) {
      const first = firstOf.get(Number(e.firm_id))!;
      const at = e.at instanceof Date ? e.at.toISOString() : String(e.at);
      if (at < shanghaiStartOfDay(first) || at >= shanghaiStartOfDay(plusYear(first))) continue;
      if (rank(e.from_stage) >= 0 && rank(e.to_stage) > rank(e.from_stage)) moved.add(Number(e.firm_id));
    }
    advanced += moved.size;
  }
  return { year, coached: firsts.length, advanced };
}

export interface DemandFunnel {
  raised: number;
  matched: number;
  resolved: number;
}

/** Demands collected in the year: raised; matched (reached 对接中 at some point); resolved (now). */
export async function demandFunnel(db: Db, year: number, actor: Jurisdiction): Promise<DemandFunnel> {
  const base = () => scopeToJurisdiction(db('demands as d').join('firms as f', 'f.id', 'd.firm_id').whereBetween('d.collected_on', yearRange(year)), actor);
  const [raised, matched, resolved] = await Promise.all([
    base().count({ n: '*' }).first(),
    base().whereExists(db('demand_changes as c').whereRaw('c.demand_id = d.id').whereIn('c.to_status', ['matching', 'resolved'])).count({ n: '*' }).first(),
    base().where('d.status', 'resolved').count({ n: '*' }).first(),
  ]);
  const n = (r: unknown) => Number((r as { n?: number | string } | undefined)?.n ?? 0);
  return { raised: n(raised), matched: n(matched), resolved: n(resolved) };
}
