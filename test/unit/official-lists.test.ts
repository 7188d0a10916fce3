import { expect } from 'chai';
import { type FirmRef, matchOfficialRow, planOfficialRow } from '../../src/domain/official-lists.js';
import { normalizeFirmName } from '../../src/domain/firm-name.js';

const a: FirmRef = { id: 1, uscc: '91330281MA2AAAAAA1', name: '余姚市甲科技有限公司', stage: 'hte_applying' };
const b: FirmRef = { id: 2, uscc: '91330281MA2BBBBBB2', name: '余姚市乙科技有限公司', stage: 'hte_certified' };
const b2: FirmRef = { id: 3, uscc: '91330281MA2CCCCCC3', name: '余姚市乙科技有限公司', stage: 'tech_sme' };
const lookup = {
  byCode: (u: string) => [a, b, b2].find((f) => f.uscc === u) ?? null,
  byNameNorm: (n: string) => [a, b, b2].filter((f) => normalizeFirmName(f.name) === n),
};

describe('official result lists (issue 10 item 2)', () => {
  it('matches by credit code, else by normalised name (flagged), never silently when two firms share the name', () => {
    expect(matchOfficialRow({ uscc: a.uscc, name: '别的名字' }, lookup)).to.deep.equal({ kind: 'code', firm: a });
    const byName = matchOfficialRow({ uscc: null, name: '余姚市甲科技有限公司 ' }, lookup);
    expect(byName.kind).to.equal('name');
    expect((byName as { note: string }).note).to.contain('请确认');
    expect(matchOfficialRow({ uscc: '91330281MA2ZZZZZZ9', name: '余姚市甲科技有限公司' }, lookup).kind).to.equal('name');
    const ambiguous = matchOfficialRow({ uscc: null, name: '余姚市乙科技有限公司' }, lookup);
    expect(ambiguous.kind).to.equal('ambiguous');
    expect(matchOfficialRow({ uscc: null, name: '余姚市丙科技有限公司' }, lookup).kind).to.equal('unmatched');
  });

  it('says what a 备案/证书 row records and which stage move follows; refuses a number of the wrong form or held by another firm', () => {
    const held = [{ kind: 'hte', year: 2025, number: null, status: 'pending', publicizedOn: '2025-11-01', filedOn: null, issuedOn: null }];
    expect(planOfficialRow('hte_filing', 2025, { certificateNo: 'GR202533100001', date: '2025-12-08' }, a, held, null)).to.deep.equal({
      action: 'record',
      what: '记录 2025 年度高企备案和证书 GR202533100001（2025-12-08 发证）',
      stageMove: 'hte_certified',
      updates: 'existing',
    });
    expect(planOfficialRow('hte_filing', 2025, { certificateNo: 'GR202533100001', date: '2025-12-08' }, b, [], null)).to.include({ action: 'record', stageMove: null });
    expect(planOfficialRow('hte_filing', 2025, { certificateNo: 'GR2025', date: '2025-12-08' }, a, held, null).action).to.equal('refuse');
    expect(planOfficialRow('hte_filing', 2025, { certificateNo: 'GR202533100001', date: '2025-12-08' }, a, held, b)).to.deep.equal({ action: 'refuse', reason: '该证书编号已由另一家企业持有。' });
    expect(planOfficialRow('hte_publicity', 2025, { date: '2025-11-01' }, a, held, null).action).to.equal('unchanged');
  });

  it('refuses a tech-SME number of another evaluation year', () => {
    expect(planOfficialRow('tsme_registration', 2025, { registrationNo: '20243302810A000001', date: '2025-06-01' }, a, [], null)).to.deep.equal({ action: 'refuse', reason: '该入库登记编号属于 2024 年度，不是 2025 年度的评价。' });
    expect(planOfficialRow('tsme_registration', 2025, { registrationNo: '20253302810A000001', date: '2025-06-01' }, a, [], null).action).to.equal('record');
  });
});
