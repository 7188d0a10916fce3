/** The demo's coaching data (issue 9 item 10): present, and consistent with the rules and the firms. */
import { expect } from 'chai';
import { seedDemoData } from '../../src/demo/seed.js';
import { todayInShanghai } from '../../src/lib/dates.js';
import { testPasswordHash } from '../helpers/factories.js';
import { createTestDb } from '../helpers/test-db.js';

describe('demo coaching data', function () {
  this.timeout(120_000);
  it('has templates, plans, a year of interactions and follow-ups (some overdue), this year\'s events and demands, consistent with the firms', async () => {
    const t = await createTestDb();
    try {
      await seedDemoData(t.db, { firms: 300, passwordHash: await testPasswordHash() });
      const today = todayInShanghai();
      const n = async (q: Promise<unknown>) => Number(((await q) as { n: number | string }).n);
      expect(await n(t.db('coaching_templates').count({ n: '*' }).first())).to.equal(3);
      expect(await n(t.db('coaching_plans').count({ n: '*' }).first())).to.be.greaterThan(50);
      expect(await n(t.db('interactions').count({ n: '*' }).first())).to.be.greaterThan(300);
      expect(await n(t.db('follow_ups').where('status', 'open').where('due_on', '<', today).count({ n: '*' }).first())).to.be.greaterThan(0);
      expect(await n(t.db('follow_ups').where('status', 'open').where('due_on', '>=', today).count({ n: '*' }).first())).to.be.greaterThan(0);
      expect(await n(t.db('follow_ups').where('status', 'done').count({ n: '*' }).first())).to.be.greaterThan(0);
      // A park visit covers several firms, recorded once.
      const multi = await t.db('interaction_firms').groupBy('interaction_id').havingRaw('count(*) > 1').select('interaction_id');
      expect(multi.length).to.be.greaterThan(0);
      // Coached firms only: assigned to a counsellor, in a stage that is coached; the interaction's counsellor is the
      // firm's (an event's attendance is recorded by the event's organiser, events slice).
      const stray = await t.db('interaction_firms as x').join('firms as f', 'f.id', 'x.firm_id').join('interactions as i', 'i.id', 'x.interaction_id')
        .whereNot('i.channel', 'event')
        .where((w) => w.whereNull('f.counsellor_id').orWhereIn('f.stage', ['candidate', 'exited']).orWhereRaw('i.counsellor_id <> f.counsellor_id')).count({ n: '*' }).first();
      expect(Number((stray as { n: number | string }).n)).to.equal(0);
      // The next-step rule holds: every follow-up from an interaction is due on or after it; no interaction is in the future.
      const early = await t.db('follow_ups as fu').join('interactions as i', 'i.id', 'fu.source_interaction_id').whereRaw('fu.due_on < i.occurred_on').count({ n: '*' }).first();
      expect(Number((early as { n: number | string }).n)).to.equal(0);
      expect(await n(t.db('interactions').where('occurred_on', '>', today).count({ n: '*' }).first())).to.equal(0);
      // (An event's attendance record gets its follow-ups from the after-event action, checked below.)
      const withoutNext = await t.db('interactions as i').where('i.no_follow_up', false).whereNot('i.channel', 'event').whereNotExists(t.db('follow_ups as fu').whereRaw('fu.source_interaction_id = i.id')).count({ n: '*' }).first();
      expect(Number((withoutNext as { n: number | string }).n)).to.equal(0);

      // Events and demands are dated from today too: this year has held events with attendance and 100+ demands in every status.
      const year = today.slice(0, 4);
      const thisYear: [string, string] = [`${year}-01-01`, `${year}-12-31`];
      const held = await t.db('coaching_events as e').whereBetween('e.starts_on', thisYear).where('e.starts_on', '<=', today)
        .whereExists(t.db('event_invitations as i').whereRaw('i.event_id = e.id').where('i.status', 'attended')).select('e.id');
      expect(held.length).to.be.greaterThan(0);
      expect(await n(t.db('coaching_events').where('starts_on', '>', today).count({ n: '*' }).first())).to.be.greaterThan(0);
      expect(await n(t.db('coaching_events').count({ n: '*' }).first())).to.equal(6);
      // Attendance is in each held event's one attendance record, exactly the firms that attended.
      for (const { id } of await t.db('coaching_events').where('starts_on', '<=', today).select('id')) {
        const attended = (await t.db('event_invitations').where({ event_id: id, status: 'attended' }).orderBy('firm_id').select('firm_id', 'interaction_id')) as { firm_id: number; interaction_id: number | null }[];
        const records = (await t.db('interactions').where({ event_id: id }).select('id', 'channel', 'occurred_on')) as { id: number; channel: string; occurred_on: string }[];
        expect(records.length, `event ${id}: one attendance record`).to.equal(attended.length ? 1 : 0);
        if (!attended.length) continue;
        expect(records[0]!.channel).to.equal('event');
        expect(attended.every((a) => a.interaction_id === records[0]!.id)).to.equal(true);
        const inRecord = (await t.db('interaction_firms').where({ interaction_id: records[0]!.id }).orderBy('firm_id').select('firm_id')).map((r) => r.firm_id);
        expect(inRecord).to.deep.equal(attended.map((a) => a.firm_id));
      }
      // Wrapped-up events: an action item for each attendee, tied to the attendance record.
      const unsourced = await t.db('follow_ups as fu').join('event_invitations as i', 'i.follow_up_id', 'fu.id').where('i.status', 'attended').whereRaw('fu.source_interaction_id is distinct from i.interaction_id').count({ n: '*' }).first();
      expect(Number((unsourced as { n: number | string }).n)).to.equal(0);
      expect(await n(t.db('demands').whereBetween('collected_on', thisYear).count({ n: '*' }).first())).to.be.at.least(100);
      expect(await n(t.db('demands').where('collected_on', '>', today).count({ n: '*' }).first())).to.equal(0);
      const statuses = (await t.db('demands').whereBetween('collected_on', thisYear).distinct('status')).map((r) => r.status).sort();
      expect(statuses).to.deep.equal(['closed', 'collected', 'diagnosed', 'long_term', 'matching', 'published', 'resolved']);
      // Consistent with the stages: a firm in 孵化培育 has no demand past 诊断 but closed; resolved ones sit with the reserve and beyond.
      const tooFar = await t.db('demands as d').join('firms as f', 'f.id', 'd.firm_id').where('f.stage', 'incubating').whereNotIn('d.status', ['collected', 'diagnosed', 'closed']).count({ n: '*' }).first();
      expect(Number((tooFar as { n: number | string }).n)).to.equal(0);
      const resolvedEarly = await t.db('demands as d').join('firms as f', 'f.id', 'd.firm_id').where('d.status', 'resolved').whereIn('f.stage', ['incubating', 'tech_sme']).count({ n: '*' }).first();
      expect(Number((resolvedEarly as { n: number | string }).n)).to.equal(0);
      const moveAfterToday = await t.db('demand_changes').where('at', '>', new Date().toISOString()).count({ n: '*' }).first();
      expect(Number((moveAfterToday as { n: number | string }).n)).to.equal(0);
    } finally {
      await t.destroy();
    }
  });
});
