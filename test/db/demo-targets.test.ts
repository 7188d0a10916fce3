import { expect } from 'chai';
import { seedDemoData } from '../../src/demo/seed.js';
import { testPasswordHash } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

describe('demo data: targets for 2023–2026', function () {
  this.timeout(60_000);
  let t: TestDb;
  before(async () => {
    t = await createTestDb();
    await seedDemoData(t.db, { firms: 100, passwordHash: await testPasswordHash() });
  });
  after(() => t.destroy());

  it('holds the bureau’s 2023 promise — 166 new HTEs, 250 new provincial tech SMEs — and every metric for 2023–2026', async () => {
    const rows = (await t.db('targets').where({ park_key: 0 }).select('year', 'metric', 'value')) as { year: number; metric: string; value: number }[];
    const of = (year: number, metric: string) => rows.find((r) => Number(r.year) === year && r.metric === metric)?.value;
    expect(of(2023, 'hte_new')).to.equal(166);
    expect(of(2023, 'tsme_prov')).to.equal(250);
    for (const year of [2023, 2024, 2025, 2026]) expect(rows.filter((r) => Number(r.year) === year), String(year)).to.have.length(8);
  });
});
