/**
 * The counsellor's workspace (/coaching): the firms of a counsellor (or unassigned, or all in the
 * actor's jurisdiction) with their last contact and next follow-up, and the firms without a
 * successful contact in N days (N per stage; one definition, domain/coaching/contact.ts).
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { contactCutoff } from '../../domain/coaching/contact.js';
import { STAGE_KEYS, type StageKey } from '../../domain/stages.js';
import { applyFirmFilters, type FirmFilters } from '../firms/firm-filters.js';
import { LAST_REACHED_SQL } from './interactions.queries.js';

export type CounsellorChoice = number | 'unassigned' | null;

export interface WorkspaceFirm {
  id: number;
  uscc: string;
  name: string;
  stage: StageKey;
  lifecycle: string | null;
  parkId: number | null;
  townId: number | null;
  parkName: string | null;
  counsellorId: number | null;
  counsellorName: string | null;
  version: number;
  lastOn: string | null;
  lastReachedOn: string | null;
  nextDueOn: string | null;
  nextTitle: string | null;
}

interface Row {
  id: number;
  uscc: string;
  name: string;
  stage: StageKey;
  lifecycle: string | null;
  park_id: number | null;
  town_id: number | null;
  park_name: string | null;
  counsellor_id: number | null;
  counsellor_name: string | null;
  version: number;
  last_on: string | null;
  last_reached_on: string | null;
  next_due_on: string | null;
  next_title: string | null;
}

function base(db: Db, counsellor: CounsellorChoice, filters: FirmFilters, actor: Jurisdiction): Knex.QueryBuilder {
  const qb = db('firms as f').whereNot('f.stage', 'exited').whereNull('f.withdrawn_batch_id');
  applyFirmFilters(db, qb, filters, actor);
  if (counsellor === 'unassigned') qb.whereNull('f.counsellor_id');
  else if (counsellor !== null) qb.where('f.counsellor_id', counsellor);
  return qb;
}

const NEXT_DUE = '(select min(fu.due_on) from follow_ups fu where fu.firm_id = f.id and fu.status = ?)';
const NEXT_TITLE = "(select fu.title from follow_ups fu where fu.firm_id = f.id and fu.status = 'open' order by fu.due_on, fu.id limit 1)";

function withColumns(db: Db, qb: Knex.QueryBuilder): Knex.QueryBuilder {
  return qb
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .leftJoin('users as u', 'u.id', 'f.counsellor_id')
    .select('f.id', 'f.uscc', 'f.name', 'f.stage', 'f.lifecycle', 'f.version', 'f.counsellor_id', 'f.park_id', 'f.town_id', 'p.name as park_name', 'u.display_name as counsellor_name')
    .select(db.raw('(select max(i.occurred_on) from interaction_firms x join interactions i on i.id = x.interaction_id where x.firm_id = f.id) as last_on'))
    .select(db.raw(`${LAST_REACHED_SQL} as last_reached_on`))
    .select(db.raw(`${NEXT_DUE} as next_due_on`, ['open']))
    .select(db.raw(`${NEXT_TITLE} as next_title`));
}

const toFirm = (r: Row): WorkspaceFirm => ({
  id: r.id,
  uscc: r.uscc,
  name: r.name,
  stage: r.stage,
  lifecycle: r.lifecycle,
  parkId: r.park_id,
  townId: r.town_id,
  parkName: r.park_name,
  counsellorId: r.counsellor_id,
  counsellorName: r.counsellor_name,
  version: r.version,
  lastOn: r.last_on,
  lastReachedOn: r.last_reached_on,
  nextDueOn: r.next_due_on,
  nextTitle: r.next_title,
});

export interface WorkspaceQuery {
  counsellor: CounsellorChoice;
  filters?: FirmFilters;
  actor: Jurisdiction;
  limit: number;
}

/** Beyond this many firms a total is shown as "超过 …" (counting all of a million firms per page view would not be bounded). */
export const COUNT_CAP = 1_000;

export interface Counted {
  total: number;
  /** The total stopped at COUNT_CAP: there are more. */
  capped: boolean;
}

async function countUpTo(db: Db, qb: Knex.QueryBuilder): Promise<Counted> {
  const row = (await db.from(qb.clearSelect().select(db.raw('1 as one')).limit(COUNT_CAP + 1).as('x')).count({ n: '*' }).first()) as { n: number | string } | undefined;
  const n = Number(row?.n ?? 0);
  return { total: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

/** The chosen firms with their columns, in the order of `ids`. */
async function firmsByIds(db: Db, ids: number[]): Promise<WorkspaceFirm[]> {
  if (!ids.length) return [];
  const rows = ((await withColumns(db, db('firms as f').whereIn('f.id', ids))) as Row[]).map(toFirm);
  const at = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => at.get(a.id)! - at.get(b.id)!);
}

const OPEN_FOLLOW_UP = "select 1 from follow_ups fu where fu.firm_id = f.id and fu.status = 'open'";

/**
 * The firms, next follow-up first (firms without one after, by name), with the total. Bounded at any
 * number of firms: the firms with an open follow-up come from the follow-ups (a counsellor-sized
 * set), the rest from a walk of the name index that stops at the limit.
 */
export async function workspaceFirms(db: Db, q: WorkspaceQuery): Promise<Counted & { firms: WorkspaceFirm[] }> {
  const filters = q.filters ?? {};
  const nextDue = db('follow_ups').where('status', 'open').select('firm_id').min({ due: 'due_on' }).groupBy('firm_id');
  const due = (await base(db, q.counsellor, filters, q.actor)
    .join(nextDue.as('n'), 'n.firm_id', 'f.id')
    .select('f.id')
    .orderBy([{ column: 'n.due' }, { column: 'f.name' }, { column: 'f.id' }])
    .limit(q.limit)) as { id: number }[];
  const rest =
    due.length < q.limit
      ? ((await base(db, q.counsellor, filters, q.actor)
          .whereRaw(`not exists (${OPEN_FOLLOW_UP})`)
          .select('f.id')
          .orderBy([{ column: 'f.name' }, { column: 'f.id' }])
          .limit(q.limit - due.length)) as { id: number }[])
      : [];
  const [counted, firms] = await Promise.all([countUpTo(db, base(db, q.counsellor, filters, q.actor)), firmsByIds(db, [...due, ...rest].map((r) => r.id))]);
  return { ...counted, firms };
}

const REACHED = 'select 1 from interaction_firms x join interactions i on i.id = x.interaction_id where x.firm_id = f.id and i.reached';

/**
 * Firms without a successful contact in N days, N per stage: the last *reached* interaction is
 * before contactCutoff(today, N) or there is none. Never contacted first (by name), then the oldest
 * contact first. Bounded as workspaceFirms: the never-contacted from a walk of the name index, the
 * contacted from the interactions.
 */
export async function firmsWithoutContact(
  db: Db,
  q: WorkspaceQuery & { today: string; daysByStage: Map<StageKey, number> },
): Promise<Counted & { firms: (WorkspaceFirm & { days: number })[] }> {
  const filters = q.filters ?? {};
  const stages = [...q.daysByStage.keys()];
  if (!stages.length) return { total: 0, capped: false, firms: [] };
  const overdue = (qb: Knex.QueryBuilder) =>
    qb.where((w) => {
      for (const [stage, days] of q.daysByStage) w.orWhere((s) => s.where('f.stage', stage).whereRaw(`${LAST_REACHED_SQL} < ?`, [contactCutoff(q.today, days)]));
    });
  // The stages without a rule, left out (rather than the ones with one picked): a NOT IN is no index
  // lookup, so the planner walks the name index in order and stops at the limit.
  const without = STAGE_KEYS.filter((k) => !q.daysByStage.has(k));
  const neverReached = () => base(db, q.counsellor, filters, q.actor).whereNotIn('f.stage', without).whereRaw(`not exists (${REACHED})`);
  const never = (await neverReached().select('f.id').orderBy([{ column: 'f.name' }, { column: 'f.id' }]).limit(q.limit)) as { id: number }[];
  // The contacted firms: as many as there are interactions, whatever the number of firms.
  const reachedFirms = db('interaction_firms as x').join('interactions as i', 'i.id', 'x.interaction_id').where('i.reached', true).distinct('x.firm_id');
  const contacted =
    never.length < q.limit
      ? ((await overdue(base(db, q.counsellor, filters, q.actor).whereIn('f.id', reachedFirms))
          .select('f.id')
          .select(db.raw(`${LAST_REACHED_SQL} as last_reached_on`))
          .orderBy([{ column: 'last_reached_on' }, { column: 'f.name' }, { column: 'f.id' }])
          .limit(q.limit - never.length)) as { id: number }[])
      : [];
  const neverCount = await countUpTo(db, neverReached());
  const contactedCount = Number(((await overdue(base(db, q.counsellor, filters, q.actor).whereIn('f.id', reachedFirms)).count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);
  const firms = await firmsByIds(db, [...never, ...contacted].map((r) => r.id));
  const total = neverCount.total + contactedCount;
  return { total: Math.min(total, COUNT_CAP), capped: neverCount.capped || total > COUNT_CAP, firms: firms.map((f) => ({ ...f, days: q.daysByStage.get(f.stage) ?? 0 })) };
}
