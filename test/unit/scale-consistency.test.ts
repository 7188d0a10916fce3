import { expect } from 'chai';
import { consistencyHints, type HintInput, type RegisterRow, tsmeYearExpected } from '../../src/domain/consistency.js';
import { isIndustrial, scaleClassOf } from '../../src/domain/scale.js';

describe('规上 / 规下 (国统字〔2010〕87号: 年主营业务收入 2000万元及以上的工业法人单位)', () => {
  const year = (mainRevenue: number | null, y = 2025) => [{ year: y, mainRevenue, salesRevenue: mainRevenue }];

  it('puts an industrial firm at exactly 20,000,000 元 above scale, and one 元 less below', () => {
    const at = scaleClassOf('C', year(20_000_000));
    expect(at.scaleClass).to.equal('above');
    expect(at.basis).to.equal('2025年主营业务收入 2,000 万元 ≥ 2000 万元 → 规上工业');
    const under = scaleClassOf('C', year(19_999_999));
    expect(under.scaleClass).to.equal('below');
    // Every digit shown: rounded to 0.01 万元 it would read 2,000.00 万元 and contradict the verdict.
    expect(under.basis).to.equal('2025年主营业务收入 1,999.9999 万元 < 2000 万元 → 规下工业');
    expect(scaleClassOf('C', year(23_456_000)).basis).to.equal('2025年主营业务收入 2,345.6 万元 ≥ 2000 万元 → 规上工业');
  });

  it('counts only 门类 B, C and D as industry; other sectors are not measured by this threshold', () => {
    expect(['B', 'C', 'D'].every(isIndustrial)).to.equal(true);
    for (const s of ['A', 'E', 'F', 'I', 'M']) expect(isIndustrial(s), s).to.equal(false);
    expect(scaleClassOf('B', year(30_000_000)).scaleClass).to.equal('above');
    expect(scaleClassOf('D', year(1_000_000)).scaleClass).to.equal('below');
    const software = scaleClassOf('I', year(90_000_000));
    expect(software.scaleClass).to.equal('not_industrial');
    expect(software.basis).to.contain('I 信息传输、软件和信息技术服务业');
    expect(scaleClassOf('E', year(90_000_000)).scaleClass).to.equal('not_industrial');
  });

  it('cannot tell without a sector, without figures, or when the latest year\'s accounts have no 主营业务收入', () => {
    expect(scaleClassOf(null, year(30_000_000)).scaleClass).to.equal('unknown');
    expect(scaleClassOf('C', []).scaleClass).to.equal('unknown');
    const gap = scaleClassOf('C', [{ year: 2024, mainRevenue: 30_000_000, salesRevenue: 31_000_000 }, { year: 2025, mainRevenue: null, salesRevenue: 32_000_000 }]);
    expect(gap).to.deep.include({ scaleClass: 'unknown', year: 2025 });
    expect(gap.basis).to.equal('工业企业，2025年未填主营业务收入，无法判断');
    // A year with no revenue at all (only this year's incident declaration) is not a statistics year yet.
    const declared = scaleClassOf('C', [{ year: 2025, mainRevenue: 30_000_000, salesRevenue: null }, { year: 2026, mainRevenue: null, salesRevenue: null }]);
    expect(declared).to.deep.include({ scaleClass: 'above', year: 2025 });
    // The latest year decides, in whatever order the years come.
    expect(scaleClassOf('C', [...year(1_000), ...year(90_000_000, 2023)]).scaleClass).to.equal('below');
  });
});

describe('consistency hints between the stage, the register and the lists', () => {
  const tsme = (y: number, extra: Partial<RegisterRow> = {}): RegisterRow => ({ kind: 'tsme', year: y, status: 'active', number: `2026330281A${y}`, issuedOn: `${y}-08-01`, validUntil: null, isVoid: false, ...extra });
  const hte = (issuedOn: string, extra: Partial<RegisterRow> = {}): RegisterRow => ({ kind: 'hte', year: Number(issuedOn.slice(0, 4)), status: 'active', number: 'GR202333100001', issuedOn, validUntil: null, isVoid: false, ...extra });
  const hints = (over: Partial<HintInput>) => consistencyHints({ stage: 'incubating', certifications: [], onBelowScaleSample: false, scaleClass: 'unknown', today: '2026-12-03', ...over });
  const codes = (over: Partial<HintInput>) => hints(over).map((h) => h.code);

  it('suggests 科技型中小企业 for a firm at 候选/孵化培育 holding this year\'s registration, not last year\'s', () => {
    const [h] = hints({ certifications: [tsme(2026)] });
    expect(h).to.deep.include({ code: 'tsme_valid_early', suggest: 'tech_sme' });
    expect(h!.message).to.contain('2026 年度').and.contain('孵化培育');
    expect(codes({ stage: 'candidate', certifications: [tsme(2026)] })).to.deep.equal(['tsme_valid_early']);
    expect(codes({ certifications: [tsme(2025)] })).to.deep.equal([]);
    expect(codes({ certifications: [tsme(2026, { status: 'revoked' })] })).to.deep.equal([]);
    expect(codes({ certifications: [tsme(2026, { isVoid: true })] })).to.deep.equal([]);
  });

  it('warns of a lapsed registration at 高企培育库 only once this year\'s season has closed (1 November)', () => {
    expect(tsmeYearExpected('2026-10-31')).to.equal(2025);
    expect(tsmeYearExpected('2026-11-01')).to.equal(2026);
    expect(codes({ stage: 'hte_reserve', certifications: [tsme(2025)], today: '2026-10-31' })).to.deep.equal([]);
    const [h] = hints({ stage: 'hte_reserve', certifications: [tsme(2025)], today: '2026-11-01' });
    expect(h).to.deep.include({ code: 'tsme_lapsed', suggest: null });
    expect(h!.message).to.contain('没有 2026 年度').and.contain('最近一次为 2025 年度');
    expect(codes({ stage: 'tech_sme', certifications: [tsme(2024)], today: '2026-06-01' })).to.deep.equal(['tsme_lapsed']);
    expect(codes({ stage: 'hte_reserve', certifications: [tsme(2026)], today: '2026-12-03' })).to.deep.equal([]);
    expect(hints({ stage: 'tech_sme' })[0]!.message).to.contain('登记簿中没有入库记录');
  });

  it('suggests 高新技术企业 for a valid certificate below that stage, up to its last valid day', () => {
    const [h] = hints({ stage: 'hte_applying', certifications: [hte('2023-12-08')] });
    expect(h).to.deep.include({ code: 'hte_valid_early', suggest: 'hte_certified' });
    expect(h!.message).to.contain('GR202333100001').and.contain('2026-12-08');
    expect(codes({ stage: 'hte_reserve', certifications: [tsme(2026), hte('2023-12-08')], today: '2026-12-08' })).to.deep.equal(['hte_valid_early']);
    expect(codes({ stage: 'hte_reserve', certifications: [tsme(2026), hte('2023-12-08')], today: '2026-12-09' })).to.deep.equal([]);
    expect(codes({ stage: 'hte_reserve', certifications: [tsme(2026), hte('2023-12-08', { status: 'revoked' })] })).to.deep.equal([]);
  });

  it('warns at 高新技术企业 without a valid certificate and suggests the reserve', () => {
    expect(hints({ stage: 'hte_certified', certifications: [hte('2023-12-02')] })[0]).to.deep.include({ code: 'hte_missing', suggest: 'hte_reserve' });
    expect(codes({ stage: 'hte_certified', certifications: [hte('2023-12-03')] })).to.deep.equal([]);
    // A caseworker's override of the last valid day counts.
    expect(codes({ stage: 'hte_certified', certifications: [hte('2023-12-02', { validUntil: '2027-01-31' })] })).to.deep.equal([]);
    expect(codes({ stage: 'benchmark' })).to.deep.equal([]);
    expect(codes({ stage: 'exited', certifications: [hte('2025-01-01'), tsme(2026)] })).to.deep.equal([]);
  });

  it('flags a 规上 firm on the current 规下样本 list', () => {
    expect(codes({ scaleClass: 'above', onBelowScaleSample: true })).to.deep.equal(['above_scale_on_sample']);
    expect(codes({ scaleClass: 'below', onBelowScaleSample: true })).to.deep.equal([]);
    expect(codes({ scaleClass: 'above', onBelowScaleSample: false })).to.deep.equal([]);
  });
});
