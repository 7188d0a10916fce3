import { expect } from 'chai';
import { decideMove, classifyMove, type GateCheck, type MoveContext } from '../../src/domain/transitions.js';
import type { StageKey } from '../../src/domain/stages.js';

const ctx = (from: StageKey, extra: Partial<MoveContext> = {}): MoveContext => ({ from, today: '2026-11-27', mayOverride: true, ...extra });
const passing: GateCheck = { status: 'pass', ruleSet: 'hte-2016', inputYears: [2023, 2024, 2025], blocking: [] };
const failing: GateCheck = {
  status: 'fail',
  ruleSet: 'hte-2016',
  inputYears: [2023, 2024, 2025],
  blocking: [{ id: 'hte.rd_ratio', label: '研发费用占比', status: 'fail', detail: '3.20%' }],
};

describe('stage transitions (design.md, Moves)', () => {
  it('classifies forward, skip, backward, exit and re-entry moves', () => {
    expect(classifyMove('candidate', 'incubating')).to.equal('forward');
    expect(classifyMove('incubating', 'hte_reserve')).to.equal('skip');
    expect(classifyMove('hte_applying', 'hte_reserve')).to.equal('backward');
    expect(classifyMove('tech_sme', 'exited')).to.equal('exit');
    expect(classifyMove('exited', 'candidate')).to.equal('reentry');
    expect(classifyMove('tech_sme', 'tech_sme')).to.equal(null);
  });

  it('When a firm moves forward one step, then no reason is needed', () => {
    const d = decideMove({ to: 'incubating' }, ctx('candidate'));
    expect(d).to.deep.include({ ok: true, kind: 'forward', reasonCode: null, reason: null });
  });

  it('When a move skips a stage without a reason, then it asks for the reason', () => {
    const d = decideMove({ to: 'hte_reserve' }, ctx('incubating'));
    expect(d.ok).to.equal(false);
    if (!d.ok) {
      expect(d.code).to.equal('INPUT_NEEDED');
      expect(d.needs).to.deep.equal(['reason']);
      expect(d.fieldErrors.reason).to.include('跨阶段');
    }
  });

  it('When a skip carries a reason, then it is allowed and recorded as a skip', () => {
    const d = decideMove({ to: 'hte_reserve', reason: '  已入库国家科技型中小企业 ' }, ctx('incubating'));
    expect(d).to.deep.include({ ok: true, kind: 'skip', reasonCode: 'skip', reason: '已入库国家科技型中小企业' });
  });

  it('When a firm goes backward without a reason, then it asks for one; with one, it is allowed', () => {
    const d = decideMove({ to: 'hte_reserve' }, ctx('hte_applying'));
    expect(d.ok).to.equal(false);
    if (!d.ok) expect(d.needs).to.deep.equal(['reason']);
    const ok = decideMove({ to: 'hte_reserve', reason: '认定未通过' }, ctx('hte_applying'));
    expect(ok).to.deep.include({ ok: true, kind: 'backward', reasonCode: 'backward' });
  });

  it('When a reason is only whitespace, then it counts as missing', () => {
    const d = decideMove({ to: 'hte_reserve', reason: ' \n ' }, ctx('hte_applying'));
    expect(d.ok).to.equal(false);
  });

  it('When a reason is longer than 500 characters, then the move is refused with that message', () => {
    const d = decideMove({ to: 'hte_reserve', reason: '长'.repeat(501) }, ctx('hte_applying'));
    expect(d.ok).to.equal(false);
    if (!d.ok) expect(d.fieldErrors.reason).to.include('500');
  });

  describe('exit', () => {
    it('When a firm exits without a reason, then it asks for one from the fixed list', () => {
      const d = decideMove({ to: 'exited' }, ctx('tech_sme'));
      expect(d.ok).to.equal(false);
      if (!d.ok) expect(d.needs).to.deep.equal(['exit_reason']);
    });
    it('When the exit reason is not on the fixed list, then it is refused', () => {
      const d = decideMove({ to: 'exited', exitReason: 'bankrupt' }, ctx('tech_sme'));
      expect(d.ok).to.equal(false);
    });
    it('When the exit reason is on the list, then the move is allowed and the label becomes the reason', () => {
      const d = decideMove({ to: 'exited', exitReason: 'moved_away' }, ctx('tech_sme'));
      expect(d).to.deep.include({ ok: true, kind: 'exit', reasonCode: 'moved_away', reason: '迁出本地' });
    });
    it('When the exit reason is 其他, then a text is required', () => {
      const d = decideMove({ to: 'exited', exitReason: 'other' }, ctx('tech_sme'));
      expect(d.ok).to.equal(false);
      if (!d.ok) expect(d.needs).to.deep.equal(['reason']);
      expect(decideMove({ to: 'exited', exitReason: 'other', reason: '企业被并购' }, ctx('tech_sme'))).to.deep.include({ ok: true, reason: '企业被并购' });
    });
    it('When a firm exits from any stage, then it is allowed', () => {
      for (const from of ['candidate', 'incubating', 'tech_sme', 'hte_reserve', 'hte_applying', 'hte_certified', 'benchmark'] as const) {
        expect(decideMove({ to: 'exited', exitReason: 'declined' }, ctx(from)).ok, from).to.equal(true);
      }
    });
  });

  describe('back in from exited', () => {
    it('When an exited firm returns to candidate or incubating with a reason, then it is allowed', () => {
      expect(decideMove({ to: 'candidate', reason: '重新列入清单' }, ctx('exited'))).to.deep.include({ ok: true, kind: 'reentry' });
      expect(decideMove({ to: 'incubating', reason: '迁回本地' }, ctx('exited'))).to.deep.include({ ok: true, kind: 'reentry' });
    });
    it('When an exited firm is sent anywhere else, then it is refused whatever the reason', () => {
      const d = decideMove({ to: 'hte_reserve', reason: '想直接入库' }, ctx('exited'));
      expect(d).to.deep.include({ ok: false, code: 'NOT_ALLOWED' });
    });
    it('When an exited firm returns without a reason, then it asks for one', () => {
      const d = decideMove({ to: 'candidate' }, ctx('exited'));
      expect(d.ok).to.equal(false);
    });
  });

  it('When the target is the current stage, then it is refused as SAME_STAGE', () => {
    expect(decideMove({ to: 'tech_sme' }, ctx('tech_sme'))).to.deep.include({ ok: false, code: 'SAME_STAGE' });
  });

  describe('gate: certificate to enter hte_certified', () => {
    it('When the certificate number or date is missing, then it asks for both', () => {
      const d = decideMove({ to: 'hte_certified' }, ctx('hte_applying'));
      expect(d.ok).to.equal(false);
      if (!d.ok) {
        expect(d.needs).to.deep.equal(['certificate']);
        expect(d.fieldErrors).to.have.keys('certificateNo', 'certificateDate');
      }
    });
    it('When the number does not match GR + 12 digits, then it is refused', () => {
      for (const no of ['GR2023331023', 'XR202333102308', 'GR20233310230A']) {
        expect(decideMove({ to: 'hte_certified', certificateNo: no, certificateDate: '2023-12-08' }, ctx('hte_applying')).ok, no).to.equal(false);
      }
    });
    it('When the date is invalid or in the future, then it is refused', () => {
      expect(decideMove({ to: 'hte_certified', certificateNo: 'GR202333102308', certificateDate: '2023-02-30' }, ctx('hte_applying')).ok).to.equal(false);
      expect(decideMove({ to: 'hte_certified', certificateNo: 'GR202333102308', certificateDate: '2026-11-28' }, ctx('hte_applying')).ok).to.equal(false);
    });
    it('When both are valid (lower-case gr accepted), then the move carries them in its details', () => {
      const d = decideMove({ to: 'hte_certified', certificateNo: 'gr202333102308', certificateDate: '2023-12-08' }, ctx('hte_applying'));
      expect(d).to.deep.include({ ok: true, details: { certificateNo: 'GR202333102308', certificateDate: '2023-12-08' } });
    });
    it('When a skip into hte_certified lacks both reason and certificate, then it asks for everything at once', () => {
      const d = decideMove({ to: 'hte_certified' }, ctx('hte_reserve'));
      expect(d.ok).to.equal(false);
      if (!d.ok) expect(d.needs).to.have.members(['reason', 'certificate']);
    });
  });

  describe('gate: eligibility to enter hte_applying', () => {
    it('When the check passes, then the move is allowed and records the verdict reference', () => {
      const d = decideMove({ to: 'hte_applying' }, ctx('hte_reserve', { applyingCheck: passing }));
      expect(d).to.deep.include({ ok: true });
      if (d.ok) expect(d.details).to.deep.equal({ eligibility: { ruleSet: 'hte-2016', inputYears: [2023, 2024, 2025], status: 'pass' } });
    });
    it('When the check has a review item only, then the move is allowed (review is not a hard failure)', () => {
      const d = decideMove({ to: 'hte_applying' }, ctx('hte_reserve', { applyingCheck: { ...passing, status: 'review' } }));
      expect(d.ok).to.equal(true);
    });
    it('When the check fails, then the move is refused listing the failing conditions and offering an override', () => {
      const d = decideMove({ to: 'hte_applying' }, ctx('hte_reserve', { applyingCheck: failing }));
      expect(d.ok).to.equal(false);
      if (!d.ok) {
        expect(d.needs).to.deep.equal(['override']);
        expect(d.blocking?.[0]?.label).to.equal('研发费用占比');
      }
    });
    it('When data is missing, then the gate blocks just like a failure', () => {
      const d = decideMove({ to: 'hte_applying' }, ctx('hte_reserve', { applyingCheck: { ...failing, status: 'missing' } }));
      expect(d.ok).to.equal(false);
    });
    it('When the override has no reason, then it asks for the reason', () => {
      const d = decideMove({ to: 'hte_applying', override: true }, ctx('hte_reserve', { applyingCheck: failing }));
      expect(d.ok).to.equal(false);
      if (!d.ok) expect(d.needs).to.deep.equal(['reason']);
    });
    it('When a caseworker overrides with a reason, then the move is allowed and the override is recorded', () => {
      const d = decideMove({ to: 'hte_applying', override: true, reason: '企业已补充审计报告' }, ctx('hte_reserve', { applyingCheck: failing }));
      expect(d).to.deep.include({ ok: true, reasonCode: 'override', reason: '企业已补充审计报告' });
      if (d.ok) expect(d.details).to.include({ override: true });
    });
    it('When the actor may not override, then a failing check refuses the move outright', () => {
      const d = decideMove({ to: 'hte_applying', override: true, reason: 'x' }, ctx('hte_reserve', { applyingCheck: failing, mayOverride: false }));
      expect(d).to.deep.include({ ok: false, code: 'NOT_ALLOWED' });
    });
  });
});
