import { expect } from 'chai';
import { daysInCurrentStage, stagePeriods, totalDaysByStage } from '../../src/domain/time-in-stage.js';

describe('time in stage (derived from stage events)', () => {
  const events = [
    { toStage: 'tech_sme' as const, at: '2025-03-01T02:00:00.000Z' },
    { toStage: 'candidate' as const, at: '2024-01-10T02:00:00.000Z' },
    { toStage: 'incubating' as const, at: '2024-03-01T02:00:00.000Z' },
  ];

  it('When events arrive out of order, then periods follow time and each closes at the next event', () => {
    const periods = stagePeriods(events, '2025-03-11');
    expect(periods.map((p) => [p.stage, p.days])).to.deep.equal([
      ['candidate', 51], // 2024-01-10 → 2024-03-01 (leap February)
      ['incubating', 365], // 2024-03-01 → 2025-03-01
      ['tech_sme', 10], // still running: 2025-03-01 → today
    ]);
    expect(periods[2]!.until).to.equal(null);
  });

  it('When an event happens late in the UTC day, then days count by the Shanghai calendar date', () => {
    // 2025-06-30T17:00Z is 2025-07-01 01:00 in Shanghai.
    const periods = stagePeriods([{ toStage: 'candidate', at: '2025-06-30T17:00:00.000Z' }], '2025-07-01');
    expect(periods[0]!.days).to.equal(0);
  });

  it('When a firm passes through a stage twice, then the totals add both stays', () => {
    const periods = stagePeriods(
      [
        { toStage: 'hte_reserve', at: '2024-01-01T02:00:00.000Z' },
        { toStage: 'hte_applying', at: '2024-01-11T02:00:00.000Z' },
        { toStage: 'hte_reserve', at: '2024-02-01T02:00:00.000Z' },
        { toStage: 'hte_applying', at: '2024-02-06T02:00:00.000Z' },
      ],
      '2024-02-16',
    );
    const totals = totalDaysByStage(periods);
    expect(totals.get('hte_reserve')).to.equal(15);
    expect(totals.get('hte_applying')).to.equal(31);
  });

  it('days in the current stage for a board card', () => {
    expect(daysInCurrentStage('2026-11-20T03:00:00.000Z', '2026-11-27')).to.equal(7);
    expect(daysInCurrentStage(null, '2026-11-27')).to.equal(null);
  });
});
