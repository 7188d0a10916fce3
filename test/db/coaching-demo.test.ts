/** The demo's coaching data (issue 9 item 10): present, and consistent with the rules and the firms. */
import { expect } from 'chai';
import { seedDemoData } from '../../src/demo/seed.js';
import { todayInShanghai } from '../../src/lib/dates.js';
import { testPasswordHash } from '../helpers/factories.js';
import { createTestDb } from '../helpers/test-db.js';

describe('demo coaching data', function () {
  this.timeout(120_000);
  it('has templates, plans, a year of interactions and follow-ups (some overdue), consistent with the firms', async () => {
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
      const withoutNext = await t.db('interactions as i').where('i.no_follow_up', false).whereNotExists(t.db('follow_ups as fu').whereRaw('fu.source_interaction_id = i.id')).count({ n: '*' }).first();
      expect(Number((withoutNext as { n: number | string }).n)).to.equal(0);
    } finally {
      await t.destroy();
    }
  });
});
