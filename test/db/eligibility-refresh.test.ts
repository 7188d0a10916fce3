import { expect } from 'chai';
import { refreshEligibility, refreshStaleEligibility } from '../../src/features/eligibility/eligibility.service.js';
import { createFirm, seedBasics } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

describe('keeping eligibility summaries current', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  it('refreshes every firm whose summary is from an earlier day or missing, however many chunks it takes', async () => {
    const { users } = await seedBasics(t.db);
    const firms = [];
    for (let i = 0; i < 7; i++) firms.push(await createFirm(t.db, { stage: 'hte_reserve', actorId: users.admin.id }));
    await refreshEligibility(t.db, firms.slice(0, 5).map((f) => f.id), '2026-11-26');
    await refreshEligibility(t.db, [firms[5]!.id], '2026-11-27');

    const refreshed = await refreshStaleEligibility(t.db, '2026-11-27', 2);

    expect(refreshed).to.equal(6); // five from yesterday, one never computed
    const asOf = (await t.db('eligibility_current').where({ rule_set: 'hte-2016' }).orderBy('firm_id').pluck('as_of')) as string[];
    expect(asOf.map(String)).to.deep.equal(Array(7).fill('2026-11-27'));
    expect(await refreshStaleEligibility(t.db, '2026-11-27', 2)).to.equal(0);
  });
});
