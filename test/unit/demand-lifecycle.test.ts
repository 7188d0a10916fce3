import { expect } from 'chai';
import { DEMAND_STATUS_KEYS, type DemandMoveKind, type DemandStatus, checkPartnerEnd, decideDemandMove, demandTargets } from '../../src/domain/demands.js';

/**
 * The whole table: for each status, what each other status is (a move of this kind) or refused
 * (with this code). Every one of the 42 ordered pairs of distinct statuses is listed.
 */
const TABLE: Record<DemandStatus, Partial<Record<DemandStatus, DemandMoveKind | `!${string}`>>> = {
  collected: { diagnosed: 'forward', published: '!SKIP_REFUSED', matching: '!SKIP_REFUSED', long_term: '!LONG_TERM_NEEDS_DIAGNOSIS', resolved: '!RESOLVE_NEEDS_MATCHING', closed: 'close' },
  diagnosed: { collected: 'backward', published: 'forward', matching: '!SKIP_REFUSED', long_term: 'long_term', resolved: '!RESOLVE_NEEDS_MATCHING', closed: 'close' },
  published: { collected: 'backward', diagnosed: 'backward', matching: 'forward', long_term: 'long_term', resolved: '!RESOLVE_NEEDS_MATCHING', closed: 'close' },
  matching: { collected: 'backward', diagnosed: 'backward', published: 'backward', long_term: 'long_term', resolved: 'resolve', closed: 'close' },
  long_term: { collected: '!SKIP_REFUSED', diagnosed: 'backward', published: 'backward', matching: 'backward', resolved: 'resolve', closed: 'close' },
  resolved: { collected: '!RESOLVED_REOPEN_ONLY', diagnosed: '!RESOLVED_REOPEN_ONLY', published: '!RESOLVED_REOPEN_ONLY', matching: 'backward', long_term: '!RESOLVED_REOPEN_ONLY', closed: '!RESOLVED_REOPEN_ONLY' },
  closed: { collected: 'backward', diagnosed: 'backward', published: '!CLOSED_REOPEN_ONLY', matching: '!CLOSED_REOPEN_ONLY', long_term: '!CLOSED_REOPEN_ONLY', resolved: '!CLOSED_REOPEN_ONLY' },
};

/** The inputs that satisfy every requirement of a move of this kind. */
const complete = { reason: '企业调整了研发方向，需重新诊断', resolution: '与宁波大学签订技术开发合同', contractValueYuan: 500_000 };

describe('technical demand lifecycle (domain/demands.ts)', () => {
  it('the table covers every ordered pair of statuses', () => {
    for (const from of DEMAND_STATUS_KEYS) {
      expect(Object.keys(TABLE[from]).sort(), from).to.deep.equal(DEMAND_STATUS_KEYS.filter((s) => s !== from).sort());
    }
  });

  for (const from of DEMAND_STATUS_KEYS) {
    for (const to of DEMAND_STATUS_KEYS) {
      if (from === to) continue;
      const expected = TABLE[from][to]!;
      if (expected.startsWith('!')) {
        it(`refuses ${from} → ${to} (${expected.slice(1)}) even with every input given`, () => {
          const d = decideDemandMove({ to, ...complete }, { from, partnerCount: 3 });
          expect(d).to.deep.include({ ok: false, code: expected.slice(1), field: 'to' });
          expect(demandTargets(from).map((t) => t.to)).to.not.include(to);
        });
      } else {
        it(`allows ${from} → ${to} as ${expected}`, () => {
          const d = decideDemandMove({ to, ...complete }, { from, partnerCount: 1 });
          expect(d).to.deep.include({ ok: true, kind: expected });
          expect(demandTargets(from)).to.deep.include({ to, kind: expected });
        });
      }
    }
  }

  it('refuses staying in the same status', () => {
    for (const s of DEMAND_STATUS_KEYS) expect(decideDemandMove({ to: s, ...complete }, { from: s, partnerCount: 1 })).to.deep.include({ ok: false, code: 'SAME_STATUS' });
  });

  it('refuses every move backwards without a reason, and a blank reason counts as none', () => {
    let backwards = 0;
    for (const from of DEMAND_STATUS_KEYS) {
      for (const t of demandTargets(from).filter((x) => x.kind === 'backward')) {
        backwards++;
        for (const reason of [null, '', '   ']) {
          const d = decideDemandMove({ to: t.to, reason, resolution: null }, { from, partnerCount: 1 });
          expect(d, `${from} → ${t.to}`).to.deep.include({ ok: false, code: 'BACKWARD_NEEDS_REASON', field: 'reason' });
          if (!d.ok) expect(d.message).to.include('须说明原因');
        }
      }
    }
    expect(backwards).to.equal(12);
  });

  it('refuses 无法解决 without a reason, from every open status', () => {
    for (const from of ['collected', 'diagnosed', 'published', 'matching', 'long_term'] as DemandStatus[]) {
      expect(decideDemandMove({ to: 'closed' }, { from, partnerCount: 1 })).to.deep.include({ ok: false, code: 'CLOSE_NEEDS_REASON' });
      expect(decideDemandMove({ to: 'closed', reason: '企业已迁出本地' }, { from, partnerCount: 1 })).to.deep.include({ ok: true, kind: 'close', reason: '企业已迁出本地' });
    }
  });

  it('forward moves and 长期跟踪 need no reason', () => {
    expect(decideDemandMove({ to: 'diagnosed' }, { from: 'collected', partnerCount: 0 })).to.deep.include({ ok: true, kind: 'forward', reason: null });
    expect(decideDemandMove({ to: 'published' }, { from: 'diagnosed', partnerCount: 0 })).to.deep.include({ ok: true, kind: 'forward' });
    expect(decideDemandMove({ to: 'long_term' }, { from: 'diagnosed', partnerCount: 0 })).to.deep.include({ ok: true, kind: 'long_term' });
  });

  it('对接中 needs at least one partner, also when re-entered from 长期跟踪 or 已解决', () => {
    expect(decideDemandMove({ to: 'matching' }, { from: 'published', partnerCount: 0 })).to.deep.include({ ok: false, code: 'MATCHING_NEEDS_PARTNER', field: 'partner' });
    expect(decideDemandMove({ to: 'matching' }, { from: 'published', partnerCount: 1 })).to.deep.include({ ok: true, kind: 'forward' });
    expect(decideDemandMove({ to: 'matching', reason: '重新对接' }, { from: 'long_term', partnerCount: 0 })).to.deep.include({ ok: false, code: 'MATCHING_NEEDS_PARTNER' });
    expect(decideDemandMove({ to: 'matching', reason: '合同未履行' }, { from: 'resolved', partnerCount: 0 })).to.deep.include({ ok: false, code: 'MATCHING_NEEDS_PARTNER' });
  });

  it('已解决 needs how it was solved; the contract value is optional and never negative', () => {
    expect(decideDemandMove({ to: 'resolved' }, { from: 'matching', partnerCount: 1 })).to.deep.include({ ok: false, code: 'RESOLVE_NEEDS_HOW', field: 'resolution' });
    expect(decideDemandMove({ to: 'resolved', resolution: '联合攻关完成' }, { from: 'matching', partnerCount: 1 })).to.deep.include({ ok: true, kind: 'resolve', resolution: '联合攻关完成', contractValueYuan: null });
    expect(decideDemandMove({ to: 'resolved', resolution: '签约', contractValueYuan: 0 }, { from: 'long_term', partnerCount: 1 })).to.deep.include({ ok: true, contractValueYuan: 0 });
    expect(decideDemandMove({ to: 'resolved', resolution: '签约', contractValueYuan: -1 }, { from: 'matching', partnerCount: 1 })).to.deep.include({ ok: false, code: 'BAD_CONTRACT_VALUE' });
    expect(decideDemandMove({ to: 'resolved', resolution: '签约', contractValueYuan: 1.5 }, { from: 'matching', partnerCount: 1 })).to.deep.include({ ok: false, code: 'BAD_CONTRACT_VALUE' });
  });

  it('keeps the resolution and contract value only on 已解决', () => {
    const d = decideDemandMove({ to: 'closed', reason: '无合适团队', resolution: '不应保存', contractValueYuan: 100 }, { from: 'matching', partnerCount: 1 });
    expect(d).to.deep.include({ ok: true, resolution: null, contractValueYuan: null });
  });

  it('refuses texts over their limits', () => {
    expect(decideDemandMove({ to: 'closed', reason: '因'.repeat(501) }, { from: 'collected', partnerCount: 0 })).to.deep.include({ ok: false, code: 'REASON_TOO_LONG' });
    expect(decideDemandMove({ to: 'resolved', resolution: '解'.repeat(1001) }, { from: 'matching', partnerCount: 1 })).to.deep.include({ ok: false, code: 'RESOLUTION_TOO_LONG' });
  });

  it('refuses an unknown status', () => {
    expect(decideDemandMove({ to: 'done' as DemandStatus }, { from: 'collected', partnerCount: 0 })).to.deep.include({ ok: false, code: 'BAD_STATUS' });
  });

  it('a partner\'s matching ends on a real day, not before it started, not after today', () => {
    expect(checkPartnerEnd('2026-05-01', '2026-05-01', '2026-06-01')).to.deep.equal({ ok: true });
    expect(checkPartnerEnd('2026-06-01', '2026-05-01', '2026-06-01')).to.deep.equal({ ok: true });
    expect(checkPartnerEnd('2026-04-30', '2026-05-01', '2026-06-01')).to.deep.equal({ ok: false, message: '对接结束日期不能早于开始日期（2026-05-01）。' });
    expect(checkPartnerEnd('2026-06-02', '2026-05-01', '2026-06-01')).to.deep.include({ ok: false });
    expect(checkPartnerEnd('2026-02-30', '2026-01-01', '2026-06-01')).to.deep.include({ ok: false });
    expect(checkPartnerEnd('', '2026-01-01', '2026-06-01')).to.deep.include({ ok: false });
  });
});
