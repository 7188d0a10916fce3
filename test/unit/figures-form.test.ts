import { expect } from 'chai';
import { figureFormFrom, parseFigureForm } from '../../src/features/figures/figures-form.js';
import { formatWanExact } from '../../src/lib/money.js';

describe('the figures form keeps money exact', () => {
  it('shows stored 元 as 万元 with every digit', () => {
    expect(formatWanExact(123456)).to.equal('12.3456');
    expect(formatWanExact(120000)).to.equal('12');
    expect(formatWanExact(1)).to.equal('0.0001');
    expect(formatWanExact(-5000)).to.equal('-0.5');
    expect(formatWanExact(0)).to.equal('0');
  });

  it('saves a form opened and submitted unchanged back to exactly the stored amounts', () => {
    const stored = { salesRevenue: 123456, totalIncome: 98765432, netAssets: -5001, staffTotal: 12.5, ipClass1: 3, hasRdInstitution: true };
    const parsed = parseFigureForm(figureFormFrom(stored));
    expect(parsed.ok).to.equal(true);
    if (parsed.ok) expect(parsed.values).to.include(stored);
  });
});
