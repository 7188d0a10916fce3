import { expect } from 'chai';
import { seedDemoData } from '../../src/demo/seed.js';
import { refreshScaleClasses } from '../../src/features/firms/firms.queries.js';
import { testPasswordHash } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

describe('demo data: sectors and 主营业务收入 (issue 12 item 6)', function () {
  this.timeout(60_000);
  let t: TestDb;
  before(async () => {
    t = await createTestDb();
    await seedDemoData(t.db, { firms: 400, passwordHash: await testPasswordHash() });
  });
  after(() => t.destroy());

  it('gives firms sectors and 主营业务收入, so each 规上/规下 class has firms on a fresh start', async () => {
    const rows = (await t.db('firms').select('scale_class').count({ n: '*' }).groupBy('scale_class')) as { scale_class: string; n: number | string }[];
    const counts = Object.fromEntries(rows.map((r) => [r.scale_class, Number(r.n)]));
    for (const c of ['above', 'below', 'not_industrial']) expect(counts[c] ?? 0, c).to.be.greaterThan(0);
    expect(Number(((await t.db('firms').whereNull('sector').count({ n: '*' }).first()) as { n: number }).n)).to.equal(0);
    const over = await t.db('annual_figures').whereRaw('main_revenue > sales_revenue').first();
    expect(over).to.equal(undefined);
  });

  it('stores the class the app itself would compute', async () => {
    const before = await t.db('firms').select('id', 'scale_class').orderBy('id');
    await refreshScaleClasses(t.db, before.map((f) => f.id as number));
    expect(await t.db('firms').select('id', 'scale_class').orderBy('id')).to.deep.equal(before);
  });
});
