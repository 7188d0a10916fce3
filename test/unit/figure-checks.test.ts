import { expect } from 'chai';
import { checkFigures, FIGURE_CHECK_MESSAGES, unitSlip } from '../../src/domain/figure-checks.js';
import { parseFigureForm } from '../../src/features/figures/figures-form.js';

describe('figure checks shared by the figures form and the import (issue 8 item 2)', () => {
  it('refuses negative amounts except 净资产, and parts above their whole', () => {
    expect(checkFigures({ rdExpense: -1, netAssets: -5 }).errors).to.deep.equal({ rdExpense: FIGURE_CHECK_MESSAGES.negative });
    expect(checkFigures({ techStaff: 12, staffTotal: 10, rdDomestic: 5, rdExpense: 4 }).errors).to.deep.equal({
      techStaff: FIGURE_CHECK_MESSAGES.techOverTotal,
      rdDomestic: FIGURE_CHECK_MESSAGES.domesticOverTotal,
    });
    expect(checkFigures({ salesRevenue: 0, rdExpense: 0 }).errors).to.deep.equal({});
  });

  it('warns, without refusing, when R&D is above sales revenue', () => {
    const c = checkFigures({ salesRevenue: 100, rdExpense: 101 });
    expect(c.errors).to.deep.equal({});
    expect(c.warnings).to.deep.equal({ rdExpense: FIGURE_CHECK_MESSAGES.rdOverRevenue });
  });

  it('is what the figures form refuses with', () => {
    const parsed = parseFigureForm({ rdExpense: '-0.5', netAssets: '-3' });
    expect(parsed.ok).to.equal(false);
    if (!parsed.ok) expect(parsed.errors).to.deep.equal({ rdExpense: FIGURE_CHECK_MESSAGES.negative });
  });

  it('sees a unit slip at 1,000× either way, never at zero or a plausible change', () => {
    expect(unitSlip(50_000_000, 5_000)).to.equal(10_000);
    expect(unitSlip(5_000, 50_000_000)).to.equal(0.0001);
    expect(unitSlip(3_000_000, 1_000_000)).to.equal(null);
    expect(unitSlip(0, 5)).to.equal(null);
    expect(unitSlip(5, null)).to.equal(null);
  });
});
