import { expect } from 'chai';
import { seedDemoData } from '../../src/demo/seed.js';
import { countCertifications, findCertification, ticksOf } from '../../src/features/certifications/certifications.queries.js';
import { firmCompliance } from '../../src/domain/compliance.js';
import { testPasswordHash } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

describe('demo registers (issue 10 item 8)', function () {
  this.timeout(60_000);
  let t: TestDb;
  before(async () => {
    t = await createTestDb();
    await seedDemoData(t.db, { firms: 600, passwordHash: await testPasswordHash() });
  });
  after(() => t.destroy());

  it('holds four years of tech-SME registrations and HTE batches with first-time and re-certified firms', async () => {
    for (const year of [2023, 2024, 2025, 2026]) {
      expect(await countCertifications(t.db, 'tsme', { year }), `tsme ${year}`).to.be.greaterThan(0);
      expect(await countCertifications(t.db, 'hte_valid', { year }), `valid ${year}`).to.be.greaterThan(0);
    }
    const renewed = await t.db('certifications').where({ kind: 'hte', mode: 'renewal' }).whereNotNull('issued_on').count({ n: '*' }).first();
    expect(Number(renewed?.n)).to.be.greaterThan(0);
    const failed = await t.db('certifications').where({ kind: 'hte', status: 'failed' }).count({ n: '*' }).first();
    expect(Number(failed?.n)).to.be.greaterThan(0);
    // Some annual reports missed (one, and two in one validity period), most ticked.
    const rows = await t.db('certifications').where({ kind: 'hte', status: 'active' }).select('id');
    const ids = rows.map((r) => r.id as number);
    const certs = await Promise.all(ids.map((id) => findCertification(t.db, id)));
    const ticks = await ticksOf(t.db, ids);
    const checks = certs.map((c) => firmCompliance([c!], ticks.filter((k) => k.certificationId === c!.id), [], new Map(), '2026-11-20'));
    const missedPer = checks.map((r) => r.items.filter((i) => i.state === 'missed').length);
    expect(missedPer.filter((n) => n === 1).length, 'one missed').to.be.greaterThan(0);
    expect(checks.flatMap((r) => r.items).filter((i) => i.state === 'done').length).to.be.greaterThan(missedPer.reduce((a, b) => a + b, 0) * 5);
  });

  it('agrees with the stages: every certified firm holds a certificate valid this year, no other firm one valid today; numbers are unique', async () => {
    const certified = (await t.db('firms').whereIn('stage', ['hte_certified', 'benchmark']).select('id')).map((r) => r.id as number);
    const holding = new Set(
      (await t.db('certifications').where({ kind: 'hte', status: 'active' }).andWhere('issued_on', '<=', '2026-11-20').andWhere('valid_until', '>=', '2026-01-01').select('firm_id')).map((r) => r.firm_id as number),
    );
    expect(certified.filter((id) => !holding.has(id))).to.deep.equal([]);
    const elsewhere = await t.db('certifications as c').join('firms as f', 'f.id', 'c.firm_id').where({ 'c.kind': 'hte', 'c.status': 'active' }).andWhere('c.valid_until', '>=', '2026-11-20').whereNotIn('f.stage', ['hte_certified', 'benchmark']).count({ n: '*' }).first();
    expect(Number(elsewhere?.n)).to.equal(0);
    const dup = await t.db('certifications').whereNotNull('number').groupBy('kind', 'number').havingRaw('count(*) > 1').select('number');
    expect(dup).to.deep.equal([]);
    // Every certificate a stage event carries is in the register.
    const events = await t.db('stage_events').where({ to_stage: 'hte_certified' }).whereNotNull('details').select('firm_id', 'details');
    for (const e of events) {
      const no = JSON.parse(e.details).certificateNo as string;
      expect(await t.db('certifications').where({ firm_id: e.firm_id, number: no }).first(), no).to.exist;
    }
    // Cancelled certificates sent their firms back to 高企培育库.
    const cancelled = await t.db('certifications as c').join('firms as f', 'f.id', 'c.firm_id').where({ 'c.kind': 'hte', 'c.status': 'revoked' }).select('f.stage');
    for (const c of cancelled) expect(c.stage).to.equal('hte_reserve');
  });
});
