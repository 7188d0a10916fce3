/**
 * The workspace lists (/coaching) in the order the page promises, now read in bounded pieces (the
 * firms with an open follow-up from the follow-ups, the rest from a walk of the name index; the
 * never-contacted before the contacted) — the same order and totals as one sort over every firm.
 */
import { expect } from 'chai';
import { addDays } from '../../src/domain/eligibility/dates.js';
import { firmsWithoutContact, workspaceFirms } from '../../src/features/coaching/workspace.queries.js';
import { loadWorkspace, QUEUE_LIMIT } from '../../src/features/coaching/workspace.js';
import { createFirm, seedBasics, type SeededFirm } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';
import { TODAY } from '../helpers/today.js';

describe('coaching workspace lists', () => {
  let t: TestDb;
  let basics: Awaited<ReturnType<typeof seedBasics>>;
  const firms: Record<string, SeededFirm> = {};
  const all = { parkIds: null, townIds: [] };

  const followUp = (f: SeededFirm, dueOn: string, status = 'open') =>
    t.db('follow_ups').insert({ firm_id: f.id, title: `跟进 ${dueOn}`, due_on: dueOn, status, created_by: basics.users.admin.id, version: 1, created_at: new Date().toISOString(), updated_at: new Date().toISOString() });
  const contact = async (f: SeededFirm, on: string, reached: boolean) => {
    const [row] = await t.db('interactions').insert({ occurred_on: on, channel: 'visit', reached, no_follow_up: true, created_by: basics.users.admin.id, created_at: new Date().toISOString() }).returning('id');
    const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    await t.db('interaction_firms').insert({ interaction_id: id, firm_id: f.id });
  };

  before(async () => {
    t = await createTestDb();
    basics = await seedBasics(t.db);
    const by = basics.users.admin.id;
    for (const name of ['丁', '丙', '乙', '甲', '戊']) firms[name] = await createFirm(t.db, { name: `余姚市${name}科技有限公司`, stage: 'tech_sme', actorId: by });
    firms.exited = await createFirm(t.db, { name: '余姚市已退出科技有限公司', stage: 'exited', actorId: by });
    await followUp(firms['乙']!, addDays(TODAY, 5));
    await followUp(firms['乙']!, addDays(TODAY, 2));
    await followUp(firms['戊']!, addDays(TODAY, 1));
    await followUp(firms['丁']!, addDays(TODAY, -3), 'done'); // closed: no next follow-up
    await followUp(firms.exited, addDays(TODAY, 1)); // exited firms are not worked on
    // tech_sme: no successful contact in 120 days (the default) counts.
    await contact(firms['丙']!, addDays(TODAY, -400), true);
    await contact(firms['甲']!, addDays(TODAY, -200), true);
    await contact(firms['丁']!, addDays(TODAY, -10), true);
    await contact(firms['戊']!, addDays(TODAY, -5), false); // attempted only: still never reached
  });
  after(() => t.destroy());

  const names = (list: { name: string }[]) => list.map((f) => f.name.replace(/^余姚市|科技有限公司$/g, ''));
  /** The database's own name order (byte order on SQLite, the collation on PostgreSQL). */
  const inNameOrder = async (short: string[]) => names(await t.db('firms').whereIn('name', short.map((n) => `余姚市${n}科技有限公司`)).orderBy('name').select('name'));

  it('lists firms with an open follow-up first (soonest due, then name), then the others by name, and counts them all', async () => {
    const { total, capped, firms: shown } = await workspaceFirms(t.db, { counsellor: null, actor: all, limit: 10 });
    const byName = await inNameOrder(['丁', '丙', '甲']);
    expect(names(shown)).to.deep.equal(['戊', '乙', ...byName]);
    expect(shown[1]!.nextDueOn).to.equal(addDays(TODAY, 2));
    expect([total, capped]).to.deep.equal([5, false]);
    const two = await workspaceFirms(t.db, { counsellor: null, actor: all, limit: 2 });
    expect(names(two.firms)).to.deep.equal(['戊', '乙']);
    expect(two.total).to.equal(5);
    const three = await workspaceFirms(t.db, { counsellor: null, actor: all, limit: 3 });
    expect(names(three.firms)).to.deep.equal(['戊', '乙', byName[0]]);
  });

  it('lists the never-reached first (by name), then the longest without a successful contact; recent contacts are left out', async () => {
    const daysByStage = new Map([['tech_sme', 120] as const]);
    const { total, firms: shown } = await firmsWithoutContact(t.db, { counsellor: null, actor: all, limit: 10, today: TODAY, daysByStage });
    const never = await inNameOrder(['乙', '戊']);
    expect(names(shown)).to.deep.equal([...never, '丙', '甲']);
    expect(total).to.equal(4);
    const one = await firmsWithoutContact(t.db, { counsellor: null, actor: all, limit: 3, today: TODAY, daysByStage });
    expect(names(one.firms)).to.deep.equal([...never, '丙']);
    expect(one.total).to.equal(4);
  });

  it('lists today\'s and this week\'s follow-ups however many are overdue, and says how many of each there are', async () => {
    for (let i = 0; i < QUEUE_LIMIT + 5; i++) await followUp(firms['丙']!, addDays(TODAY, -1 - (i % 30)));
    await followUp(firms['甲']!, TODAY);
    const admin = { id: basics.users.admin.id, role: 'admin', parkIds: null, townIds: [] } as unknown as Parameters<typeof loadWorkspace>[1];
    const w = await loadWorkspace(t.db, admin, null, TODAY);
    expect(w.queue.overdue).to.have.length(QUEUE_LIMIT);
    expect(w.queue.counts.overdue).to.equal(QUEUE_LIMIT + 5);
    expect(w.queue.today.map((i) => i.firmName)).to.deep.equal([firms['甲']!.name]);
    expect(w.queue.week.map((i) => i.firmName)).to.include.members([firms['乙']!.name, firms['戊']!.name]);
  });
});
