/**
 * The counsellor's home (/coaching), as a view model: my firms by lifecycle, the queue (overdue /
 * today / this week), the firms without a successful contact in N days. Caseworkers, leaders and
 * administrators choose the counsellor (or the unassigned firms, or everyone in their scope).
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { daysSinceContact } from '../../domain/coaching/contact.js';
import { addDays } from '../../domain/eligibility/dates.js';
import { FOLLOW_UP_STATE_LABELS, followUpState } from '../../domain/coaching/follow-ups.js';
import { mayWriteCoaching } from '../../domain/coaching/access.js';
import { LIFECYCLES, lifecycleLabel } from '../../domain/fields.js';
import { CHECK_KINDS, STAGES_WORKING_TOWARD, checkKindFor, readinessTone } from '../../domain/readiness.js';
import { stageLabel } from '../../domain/stages.js';
import { ReadModelCache } from '../../lib/cache.js';
import { currentOf } from '../eligibility/eligibility.queries.js';
import { listCounsellors, type UserSummary } from '../users/users.queries.js';
import { contactDaysByStage } from './contact-rules.queries.js';
import { followUpCounts, followUpQueue } from './follow-ups.queries.js';
import { type CounsellorChoice, type WorkspaceFirm, firmsWithoutContact, workspaceFirms } from './workspace.queries.js';

/** Firms listed (next follow-up first); the firm list (企业名录) has all of a counsellor's. */
export const FIRM_LIMIT = 100;
const NO_CONTACT_LIMIT = 100;
/** Follow-ups listed per state (overdue, today, this week); the counts above them are of all. */
export const QUEUE_LIMIT = 100;

const CHIP_STAGES = new Set([...STAGES_WORKING_TOWARD.tsme, ...STAGES_WORKING_TOWARD.hte]);

/** `counsellor` query value: an id, 'unassigned', 'all'; a counsellor defaults to themselves, others to everyone. */
export function parseCounsellorChoice(value: string, actor: Actor): CounsellorChoice {
  if (value === 'unassigned') return 'unassigned';
  if (value === 'all') return null;
  if (/^\d{1,9}$/.test(value)) return Number(value);
  return actor.role === 'counsellor' ? actor.id : null;
}

export function choiceValue(choice: CounsellorChoice): string {
  return choice === null ? 'all' : String(choice);
}

async function decorate(db: Db, actor: Actor, firms: WorkspaceFirm[], today: string) {
  const eligibility = await currentOf(db, firms.map((f) => f.id));
  return firms.map((f) => {
    const kind = checkKindFor(f.stage);
    const e = kind && CHIP_STAGES.has(f.stage) ? eligibility.get(`${f.id}:${CHECK_KINDS[kind].ruleSet}`) : undefined;
    return {
      ...f,
      stageLabel: stageLabel(f.stage),
      readiness: kind && e ? { short: CHECK_KINDS[kind].short, ...readinessTone(e), summary: e.summary } : null,
      nextState: f.nextDueOn ? followUpState(f.nextDueOn, today) : null,
      daysSince: daysSinceContact(f.lastReachedOn, today),
      canWrite: mayWriteCoaching(actor, f),
    };
  });
}

type Workspace = Awaited<ReturnType<typeof computeWorkspace>>;

/**
 * A counsellor's home is opened many times between two writes (after every visit recorded, back
 * from every firm page): kept per user, choice and day until the next write this process makes
 * or hears of (lib/cache.ts), at most 10 s for one it cannot hear of — as the board is.
 */
const workspaces = new ReadModelCache<Workspace>(10_000, 200);

export function loadWorkspace(db: Db, actor: Actor, choice: CounsellorChoice, today: string): Promise<Workspace> {
  const key = JSON.stringify([actor.id, actor.role, actor.parkIds, actor.townIds ?? null, choice, today]);
  return workspaces.get(db, key, () => computeWorkspace(db, actor, choice, today));
}

async function computeWorkspace(db: Db, actor: Actor, choice: CounsellorChoice, today: string) {
  const q = { counsellor: choice, actor, limit: FIRM_LIMIT };
  const daysByStage = await contactDaysByStage(db);
  const [list, queue, counts, noContact, counsellors] = await Promise.all([
    workspaceFirms(db, q),
    // Each state read on its own: hundreds overdue must not push today's and this week's off the list.
    Promise.all([
      followUpQueue(db, { counsellor: choice, actor, today, until: addDays(today, -1), limit: QUEUE_LIMIT }),
      followUpQueue(db, { counsellor: choice, actor, today, from: today, until: today, limit: QUEUE_LIMIT }),
      followUpQueue(db, { counsellor: choice, actor, today, from: addDays(today, 1), limit: QUEUE_LIMIT }),
    ]).then((parts) => parts.flat()),
    followUpCounts(db, { counsellor: choice, actor, today }),
    firmsWithoutContact(db, { ...q, limit: NO_CONTACT_LIMIT, today, daysByStage }),
    listCounsellors(db),
  ]);
  const firms = await decorate(db, actor, list.firms, today);
  const groups = [...LIFECYCLES.map((l) => ({ key: l.key as string, label: l.label })), { key: '', label: '未判断生命周期' }]
    .map((g) => ({ ...g, firms: firms.filter((f) => (f.lifecycle ?? '') === g.key) }))
    .filter((g) => g.firms.length > 0);
  const byState = (state: string) => queue.filter((i) => i.state === state).map((i) => ({ ...i, stateLabel: FOLLOW_UP_STATE_LABELS[i.state], canWrite: mayWriteCoaching(actor, i) }));
  return {
    choice: choiceValue(choice),
    counsellors,
    chosen: typeof choice === 'number' ? (counsellors.find((c: UserSummary) => c.id === choice) ?? null) : null,
    mine: choice === actor.id,
    total: list.total,
    totalCapped: list.capped,
    shown: firms.length,
    truncated: list.capped || list.total > firms.length,
    firmsLink: typeof choice === 'number' ? `/firms?counsellor=${choice}` : choice === null ? '/firms' : null,
    groups,
    queue: { overdue: byState('overdue'), today: byState('today'), week: byState('week'), counts },
    noContact: { total: noContact.total, capped: noContact.capped, firms: await decorate(db, actor, noContact.firms, today), rules: [...daysByStage].map(([stage, days]) => ({ stage, label: stageLabel(stage), days })) },
    lifecycleLabel,
  };
}
