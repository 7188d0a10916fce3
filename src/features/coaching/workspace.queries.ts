/**
 * The counsellor's workspace (/coaching): the firms of a counsellor (or unassigned, or all in the
 * actor's jurisdiction) with their last contact and next follow-up, and the firms without a
 * successful contact in N days (N per stage; one definition, domain/coaching/contact.ts).
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import { contactCutoff } from '../../domain/coaching/contact.js';
import type { StageKey } from '../../domain/stages.js';
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

/** The firms, next follow-up first (firms without one last), with the total count. */
export async function workspaceFirms(db: Db, q: WorkspaceQuery): Promise<{ total: number; firms: WorkspaceFirm[] }> {
  const filters = q.filters ?? {};
  const countRow = (await base(db, q.counsellor, filters, q.actor).count({ n: '*' }).first()) as { n: number | string } | undefined;
  const qb = withColumns(db, base(db, q.counsellor, filters, q.actor))
    .orderBy('next_due_on', 'asc', 'last')
    .orderBy('f.name')
    .limit(q.limit);
  return { total: Number(countRow?.n ?? 0), firms: ((await qb) as Row[]).map(toFirm) };
}

/**
 * Firms without a successful contact in N days, N per stage: the last *reached* interaction is
 * before contactCutoff(today, N) or there is none. Oldest contact first (never contacted first).
 */
export async function firmsWithoutContact(
  db: Db,
  q: WorkspaceQuery & { today: string; daysByStage: Map<StageKey, number> },
): Promise<{ total: number; firms: (WorkspaceFirm & { days: number })[] }> {
  const lastReached = LAST_REACHED_SQL;
  const where = (qb: Knex.QueryBuilder) =>
    qb.where((w) => {
      for (const [stage, days] of q.daysByStage) {
        w.orWhere((s) => s.where('f.stage', stage).where((c) => c.whereRaw(`${lastReached} is null`).orWhereRaw(`${lastReached} < ?`, [contactCutoff(q.today, days)])));
      }
      if (!q.daysByStage.size) w.whereRaw('1 = 0');
    });
  const filters = q.filters ?? {};
  const countRow = (await where(base(db, q.counsellor, filters, q.actor)).count({ n: '*' }).first()) as { n: number | string } | undefined;
  const rows = (await where(withColumns(db, base(db, q.counsellor, filters, q.actor)))
    .orderBy('last_reached_on', 'asc', 'first')
    .orderBy('f.name')
    .limit(q.limit)) as Row[];
  return { total: Number(countRow?.n ?? 0), firms: rows.map((r) => ({ ...toFirm(r), days: q.daysByStage.get(r.stage) ?? 0 })) };
}
