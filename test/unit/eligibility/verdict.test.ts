import { expect } from 'chai';
import { checkHighTech, checkTechSme, overallStatus } from '../../../src/domain/eligibility/index.js';
import type { Status, Verdict, YearFigures } from '../../../src/domain/eligibility/index.js';
import { conditionOf, firmWith, WAN } from './factories.js';

/** Small deterministic PRNG (mulberry32) so the property checks are repeatable. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function assertConsistent(v: Verdict): void {
  const statuses = v.conditions.map((c) => c.status);
  expect(v.status).to.equal(overallStatus(statuses));
  if (v.status === 'pass') expect(statuses.every((s) => s === 'pass')).to.equal(true);
  for (const c of v.conditions) {
    if (c.status === 'pass') expect(c.gap, `${c.id} has a gap while passing`).to.equal(undefined);
  }
}

describe('verdict aggregation', () => {
  it('When statuses are combined, then fail beats missing beats review beats pass', () => {
    const cases: [Status[], Status][] = [
      [['pass', 'pass'], 'pass'],
      [['pass', 'review'], 'review'],
      [['review', 'missing'], 'missing'],
      [['missing', 'fail', 'review'], 'fail'],
      [[], 'pass'],
    ];
    for (const [input, expected] of cases) expect(overallStatus(input)).to.equal(expected);
  });

  it('When random firms are checked, then a verdict is never pass while a condition is review or missing', () => {
    const next = rng(20250601);
    const maybe = <T>(value: T): T | null => (next() < 0.1 ? null : value);
    for (let i = 0; i < 200; i += 1) {
      const years: Record<number, Partial<YearFigures>> = {};
      for (const y of [2021, 2022, 2023, 2024, 2025]) {
        const sales = Math.floor(next() * 30000) * WAN;
        const staff = Math.floor(next() * 600 * 100) / 100;
        years[y] = {
          salesRevenue: maybe(sales),
          rdExpense: maybe(Math.floor(sales * next() * 0.1)),
          rdDeductible: maybe(Math.floor(sales * next() * 0.1)),
          staffTotal: maybe(staff),
          techStaff: maybe(Math.floor(staff * next() * 0.4 * 100) / 100),
          netAssets: maybe(Math.floor((next() - 0.2) * 10000) * WAN),
          totalAssets: maybe(Math.floor(next() * 30000) * WAN),
          conversions: maybe(Math.floor(next() * 7)),
          ipClass1: maybe(next() < 0.5 ? 0 : 1),
          ipClass2: maybe(Math.floor(next() * 6)),
          majorIncident: maybe(next() < 0.05),
          standardsLed: maybe(next() < 0.1 ? 1 : 0),
        };
      }
      const facts = firmWith(years, { registeredOn: maybe('2019-05-01'), field: maybe('新材料') });
      assertConsistent(checkHighTech(facts, { applyDate: '2025-06-01' }));
      assertConsistent(checkTechSme(facts, { evaluationYear: 2025 }));
    }
  });

  it('When net assets are not entered (used only by the growth score), then （七） reports missing data, not just review', () => {
    const v = checkHighTech(firmWith({ 2023: { netAssets: null } }), { applyDate: '2025-06-01' });
    const c = conditionOf(v, 'hte.innovation');
    expect(c.status).to.equal('missing');
    expect(c.note).to.contain('净资产增长率');
    expect(v.status).to.equal('missing');
  });

  it('When a led standard exists only before the three-year window, then the bonus is labelled as an interpretation', () => {
    const v = checkHighTech(firmWith({ 2020: { standardsLed: 1 } }), { applyDate: '2025-06-01' });
    const bonus = v.score?.indicators.flatMap((i) => i.items).find((i) => i.id === 'hte.score.ip.standards');
    expect(bonus).to.deep.include({ band: 'A', status: 'review', interpretation: true });
    const inWindow = checkHighTech(firmWith({ 2023: { standardsLed: 1 } }), { applyDate: '2025-06-01' });
    const bonus2 = inWindow.score?.indicators.flatMap((i) => i.items).find((i) => i.id === 'hte.score.ip.standards');
    expect(bonus2?.interpretation).to.equal(undefined);
  });
});

describe('standards bonus data requirements', () => {
  it('When an old row has no standards count but the three-year window is entered, then the bonus is still computed', () => {
    const v = checkHighTech(firmWith({ 2020: { standardsLed: null } }), { applyDate: '2025-06-01' });
    const bonus = v.score?.indicators.flatMap((i) => i.items).find((i) => i.id === 'hte.score.ip.standards');
    expect(bonus).to.deep.include({ status: 'computed', band: 'B', points: [0, 0] });
  });

  it('When a year of the three-year window has no standards count, then the bonus is missing', () => {
    const v = checkHighTech(firmWith({ 2023: { standardsLed: null } }), { applyDate: '2025-06-01' });
    const bonus = v.score?.indicators.flatMap((i) => i.items).find((i) => i.id === 'hte.score.ip.standards');
    expect(bonus).to.deep.include({ status: 'missing', points: [0, 2] });
  });
});
