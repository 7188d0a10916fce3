import { expect } from 'chai';
import { suggestLifecycle } from '../../src/domain/lifecycle.js';
import { checkKindFor, readinessTone } from '../../src/domain/readiness.js';

describe('readiness: which check a stage points to', () => {
  it('points 微成长 stages to the tech-SME evaluation and 小升高/高壮大 stages to high-tech certification', () => {
    expect(checkKindFor('candidate')).to.equal('tsme');
    expect(checkKindFor('incubating')).to.equal('tsme');
    for (const s of ['tech_sme', 'hte_reserve', 'hte_applying', 'hte_certified', 'benchmark'] as const) expect(checkKindFor(s), s).to.equal('hte');
    expect(checkKindFor('exited')).to.equal(null);
  });
  it('reads a summary as a gap, missing data, or ready for the experts', () => {
    expect(readinessTone({ status: 'fail', fails: 2, missing: 1 })).to.deep.equal({ tone: 'gap', text: '差 2 项' });
    expect(readinessTone({ status: 'missing', fails: 0, missing: 3 })).to.deep.equal({ tone: 'data', text: '缺 3 项数据' });
    expect(readinessTone({ status: 'review', fails: 0, missing: 0 })).to.deep.equal({ tone: 'ok', text: '达标待评审' });
  });
});

describe('lifecycle suggestion (an interpretation, shown beside the counsellor\'s choice)', () => {
  const today = '2026-11-27';
  it('suggests 初创期 for firms under three years or under 500万 sales', () => {
    expect(suggestLifecycle('2024-06-01', { year: 2025, yuan: 80_000_000 }, today)?.key).to.equal('startup');
    expect(suggestLifecycle('2010-06-01', { year: 2025, yuan: 4_999_999 }, today)?.key).to.equal('startup');
  });
  it('suggests 成熟期 for firms of ten years and 1亿 sales, 成长期 otherwise', () => {
    expect(suggestLifecycle('2012-01-01', { year: 2025, yuan: 100_000_000 }, today)?.key).to.equal('mature');
    expect(suggestLifecycle('2012-01-01', { year: 2025, yuan: 99_999_999 }, today)?.key).to.equal('growth');
    expect(suggestLifecycle('2019-01-01', { year: 2025, yuan: 30_000_000 }, today)).to.deep.equal({ key: 'growth', basis: '成立 7 年，2025 年销售收入 3000 万元' });
  });
  it('says nothing without an age or figures', () => {
    expect(suggestLifecycle(null, null, today)).to.equal(null);
  });
});
