/**
 * Issue 13: a page sends a bounded number of statements whatever the data size — the same number
 * with a handful of firms as with many times more (no statement per firm, per row or per page).
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createFirm, validUscc } from '../helpers/factories.js';
import { commitList } from '../helpers/list-import.js';
import { createTestContext, type TestContext } from '../helpers/test-app.js';

const PAGES = ['/board', '/firms', '/firms?q=科技有限', '/firms?q=科技', '/lists', '/lists/overlap', '/lists/firms?year=2025&min=1', '/readiness', '/readiness?check=tsme', '/dashboard', '/coaching', '/certifications', '/reports/2025'];

async function statementsOf(db: Knex, run: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const count = () => void n++;
  db.on('query', count);
  try {
    await run();
  } finally {
    db.off('query', count);
  }
  return n;
}

describe('statements per page do not grow with the data', function () {
  this.timeout(120_000);
  let t: TestContext;
  before(async () => {
    // Each page is read twice per measure, twice over: more than the per-user burst allows in a
    // second, and the limit is not what this test is about.
    t = await createTestContext({ config: { searchRateLimit: null } });
  });
  after(() => t.destroy());

  async function measure(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const p of PAGES) {
      await t.admin.get(p).expect(200); // warm: caches and one-time lookups
      out[p] = await statementsOf(t.db, () => t.admin.get(p).expect(200));
    }
    return out;
  }

  async function addFirms(n: number, from: number, year: number): Promise<void> {
    const admin = t.basics.users.admin.id;
    const stages = ['candidate', 'incubating', 'tech_sme', 'hte_reserve', 'hte_applying'] as const;
    const made = [];
    for (let i = 0; i < n; i++) made.push(await createFirm(t.db, { stage: stages[i % stages.length]!, parkId: i % 2 ? t.basics.parks.a : t.basics.parks.b, actorId: admin }));
    await commitList(t, [...made.map((f) => [f.uscc, f.name]), [validUscc(from + n), `新名单企业${from}科技有限公司`]], { kind: 'patent', year });
  }

  it('answers each page with as many statements at 60 firms as at 6', async () => {
    await addFirms(6, 7000, 2025);
    const small = await measure();
    await addFirms(54, 8000, 2024);
    const large = await measure();
    expect(large).to.deep.equal(small);
    // The annual report gathers seven tables and twelve monthly curves: more statements, as bounded.
    for (const [p, n] of Object.entries(large)) expect(n, p).to.be.within(1, p.startsWith('/reports/') ? 120 : 40);
  });
});
