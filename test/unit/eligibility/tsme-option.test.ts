/** The firm's recorded 研发投入 option (《科技型中小企业评价办法》第七条2: "企业从(1)、(2)两项指标中选择一个指标进行评分"). */
import { expect } from 'chai';
import { checkTechSme, type TsmeRdOption, type Verdict, type YearFigures } from '../../../src/domain/eligibility/index.js';
import { conditionOf, firmWith, WAN } from './factories.js';

// 科技人员 30% → 20; 研发投入 (1) 3% of sales → 20; 科技成果 3 Class II → 18: 58 with option (1).
const SCORE_58: Partial<YearFigures> = { techStaff: 30, rdDeductible: 120 * WAN, ipClass1: 0, ipClass2: 3 };
const check = (y: Partial<YearFigures>, option: TsmeRdOption | null): Verdict => checkTechSme(firmWith({ 2024: y }, { tsmeRdOption: option }), { evaluationYear: 2025 });
const rd = (v: Verdict) => v.score!.indicators.find((i) => i.id === 'tsme.score.rd')!;
const item = (v: Verdict, id: string) => rd(v).items.find((i) => i.id === id)!;

describe('tech-SME 研发投入 option recorded per firm', () => {
  it('without a choice, a missing 成本费用 keeps (五) open; with (1) chosen it no longer does', () => {
    const open = check({ ...SCORE_58, totalCost: null }, null);
    expect(conditionOf(open, 'tsme.score').status).to.equal('missing');
    expect(rd(open).points).to.deep.equal([20, 50]);
    const chosen = check({ ...SCORE_58, totalCost: null }, 'sales');
    expect(rd(chosen).points).to.deep.equal([20, 20]);
    expect(chosen.score!.total).to.deep.equal([58, 58]);
    expect(conditionOf(chosen, 'tsme.score').status).to.equal('fail');
    expect(item(chosen, 'tsme.score.rd.sales')).to.deep.include({ selected: true });
    expect(item(chosen, 'tsme.score.rd.cost')).to.deep.include({ selected: false, status: 'missing' });
    expect(item(chosen, 'tsme.score.rd.cost').note).to.include('企业未选此项');
  });

  it('the chosen option scores even when the other is higher, and both scores are shown', () => {
    // (1) 120万/4000万 = 3% → 20; (2) 120万/400万 = 30% → 50
    const v = check({ ...SCORE_58, totalCost: 400 * WAN }, 'sales');
    expect(item(v, 'tsme.score.rd.sales').points).to.deep.equal([20, 20]);
    expect(item(v, 'tsme.score.rd.cost').points).to.deep.equal([50, 50]);
    expect(rd(v).points).to.deep.equal([20, 20]);
    expect(rd(v).note).to.include('企业已选择按（1）');
    const higher = check({ ...SCORE_58, totalCost: 400 * WAN }, null);
    expect(rd(higher).points).to.deep.equal([50, 50]);
    expect(conditionOf(higher, 'tsme.score').status).to.equal('pass');
  });

  it('with (2) chosen, a missing 成本费用 keeps the score open (missing), never fail', () => {
    const v = check({ ...SCORE_58, totalCost: null }, 'cost');
    expect(rd(v).points).to.deep.equal([0, 50]);
    expect(conditionOf(v, 'tsme.score').status).to.equal('missing');
  });
});
