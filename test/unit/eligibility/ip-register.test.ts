/** The IP register: each counting rule of 指引 三（二） at its boundary, and the yearly counts as the fallback. */
import { expect } from 'chai';
import { checkHighTech, checkTechSme } from '../../../src/domain/eligibility/index.js';
import { checkIpNumber, checkPatentNumber, countRegister, hteItemVerdict, type IpItem, listedPatentKind, patentTermEnd, tsmeItemVerdict } from '../../../src/domain/eligibility/ip-register.js';
import { itemOfListedPatent } from '../../../src/features/ip-register/listed-patents.js';
import { conditionOf, firmWith } from './factories.js';

const REF = '2025-06-30';
const item = (over: Partial<IpItem> = {}): IpItem => ({
  kind: 'utility', number: 'ZL201710601862.3', title: '一种测试装置', appliedOn: '2020-01-10', grantedOn: '2021-03-02', acquisition: 'own',
  coHolders: '', coHolderUse: false, status: 'valid', usedInApplication: null, supportsMainProducts: true, ...over,
});
const hte = (over: Partial<IpItem>) => hteItemVerdict(item(over), REF);

describe('IP register: counting rules (指引 三（二）)', () => {
  it('granted the day before the reference date counts; the day after does not; on the day it counts', () => {
    expect(hte({ grantedOn: '2025-06-29' }).counts).to.equal(true);
    expect(hte({ grantedOn: REF }).counts).to.equal(true);
    const after = hte({ grantedOn: '2025-07-01' });
    expect(after.counts).to.equal(false);
    expect(after.reason).to.include('晚于');
    expect(hte({ grantedOn: null }).reason).to.include('申请中的不计入');
  });

  it('co-held: counts only where the holders agreed this firm uses it (三（二）5)', () => {
    expect(hte({ coHolders: '宁波大学' }).counts).to.equal(false);
    expect(hte({ coHolders: '宁波大学' }).reason).to.include('只能由一个权属人使用');
    expect(hte({ coHolders: '宁波大学', coHolderUse: true }).counts).to.equal(true);
  });

  it('transferred, donated or merged in counts; an exclusive licence does not (办法 第十一条（二）所有权)', () => {
    for (const acquisition of ['transfer', 'gift', 'merger'] as const) expect(hte({ acquisition }).counts).to.equal(true);
    expect(hte({ acquisition: 'exclusive_license' }).counts).to.equal(false);
  });

  it('Class II used in an earlier application does not count for the high-tech check; Class I does; the tech-SME check ignores it', () => {
    const used = hte({ usedInApplication: '2022年高企认定' });
    expect(used).to.deep.include({ counts: false, usedBefore: true });
    expect(hte({ kind: 'invention', number: 'ZL201710601862.3', usedInApplication: '2022年高企认定' }).counts).to.equal(true);
    expect(tsmeItemVerdict(item({ usedInApplication: '2022年高企认定' }), REF).counts).to.equal(true);
  });

  it('disputed or lapsed does not count; a trademark and a foreign patent never count', () => {
    expect(hte({ status: 'disputed' }).reason).to.include('争议');
    expect(hte({ status: 'lapsed' }).counts).to.equal(false);
    expect(hte({ kind: 'trademark', number: '12345678' }).reason).to.include('商标');
    expect(hte({ kind: 'foreign_patent', number: 'US1234567B2' }).reason).to.include('境内');
    expect(tsmeItemVerdict(item({ kind: 'trademark' }), REF).counts).to.equal(false);
  });

  it('a utility model is in force through the tenth anniversary of its application (专利法 第四十二条), not the day after', () => {
    expect(patentTermEnd({ kind: 'utility', appliedOn: '2015-06-30' })).to.equal('2025-06-30');
    expect(hte({ appliedOn: '2015-06-30', grantedOn: '2016-01-05' }).counts).to.equal(true);
    expect(hte({ appliedOn: '2015-06-29', grantedOn: '2016-01-05' }).reason).to.include('届满');
    expect(patentTermEnd({ kind: 'design', appliedOn: '2021-06-01' })).to.equal('2036-06-01');
    expect(patentTermEnd({ kind: 'design', appliedOn: '2021-05-31' })).to.equal('2031-05-31');
  });

  it('the tech-SME check counts only items related to the main products (评价办法 第七条3)', () => {
    expect(tsmeItemVerdict(item({ supportsMainProducts: false }), REF).counts).to.equal(false);
  });

  it('derives the counts and drives both checks; with no items the yearly counts stay the fallback and give the same verdicts', () => {
    const items = [item(), item({ number: 'ZL201820000001.6', usedInApplication: '2022年高企认定' }), item({ kind: 'trademark', number: '30000001' })];
    const c = countRegister(items, REF, 'hte');
    expect(c).to.deep.include({ class1: 0, class2: 1, class2UsedBefore: 1, ownRd: true });
    const withItems = checkHighTech(firmWith({ 2024: { ipClass1: 0, ipClass2: 0, ipClass2Used: 0 } }, { ipItems: items }), { applyDate: REF });
    const ip = conditionOf(withItems, 'hte.ip');
    expect(ip.status).to.equal('review');
    expect(ip.value).to.include('按知识产权清单').and.include('Ⅱ类可用 1 项');
    expect(ip.note).to.include('商标');
    const yearly = { 2024: { ipClass1: 0, ipClass2: 2, ipClass2Used: 1 } };
    const fallback = checkHighTech(firmWith(yearly), { applyDate: REF });
    const fromItems = checkHighTech(firmWith(yearly, { ipItems: items }), { applyDate: REF });
    expect(conditionOf(fallback, 'hte.ip').status).to.equal(conditionOf(fromItems, 'hte.ip').status);
    expect(fallback.status).to.equal(fromItems.status);
    const q = (v: typeof fallback) => v.score!.indicators.flatMap((i) => i.items).find((i) => i.id === 'hte.score.ip.quantity')!.points;
    expect(q(fromItems)).to.deep.equal(q(fallback));
    expect(checkHighTech(firmWith(yearly, { ipItems: [] }), { applyDate: REF })).to.deep.equal(fallback);
    const tsme = checkTechSme(firmWith({}, { ipItems: items }), { evaluationYear: 2025, evaluationDate: REF });
    expect(tsme.score!.indicators.find((i) => i.id === 'tsme.score.ip')!.points).to.deep.equal([12, 12]); // 2 Class II (earlier use ignored)
  });
});

describe('IP numbers', () => {
  it('checks the patent check character (12 and 8 digits) and the kind digit', () => {
    expect(checkPatentNumber('utility', 'ZL 201720601862.0')).to.deep.include({ ok: false });
    expect(checkPatentNumber('invention', '201710601862.3')).to.deep.equal({ ok: true, normalized: 'ZL201710601862.3' });
    expect(checkPatentNumber('invention', 'ZL95115608.X')).to.deep.equal({ ok: true, normalized: 'ZL95115608.X' });
    expect(checkPatentNumber('invention', 'ZL201710601862.4')).to.deep.include({ ok: false });
    const wrongKind = checkPatentNumber('utility', 'ZL201710601862.3');
    expect(wrongKind.ok).to.equal(false);
    expect(!wrongKind.ok && wrongKind.message).to.include('类别位');
    expect(checkPatentNumber('design', '专利123').ok).to.equal(false);
  });

  it('software copyright registration numbers are YYYYSR + digits', () => {
    expect(checkIpNumber('software', '2019sr0123456')).to.deep.equal({ ok: true, normalized: '2019SR0123456' });
    expect(checkIpNumber('software', '软著登字第123号').ok).to.equal(false);
  });
});

describe('授权专利 list rows as register items', () => {
  it('takes the kind from the 专利类型 cell, else from the number\'s kind digit', () => {
    expect(listedPatentKind('发明专利', 'ZL201710601862.3')).to.equal('invention');
    expect(listedPatentKind('实用新型', 'ZL201710601862.3')).to.equal('utility');
    expect(listedPatentKind(' 外观设计 ', 'ZL201710601862.3')).to.equal('design');
    expect(listedPatentKind('', 'ZL201720601862.9')).to.equal('utility');
    expect(listedPatentKind(undefined, 'CN 201810601862.1')).to.equal('invention');
    expect(listedPatentKind(null, '98300123.4')).to.equal('design');
    expect(listedPatentKind('', '2020SR0001')).to.equal(null);
  });

  it('a row becomes a granted, own, valid item with its grant date; a number that does not check becomes nothing', () => {
    const x = itemOfListedPatent({ firmId: 1, number: 'zl 201720601862.9', type: '实用新型', title: '', grantDate: '2024年6月1日' })!;
    expect(x.numberKey).to.equal('patent:ZL201720601862.9');
    expect([x.item.kind, x.item.number, x.item.grantedOn, x.item.acquisition, x.item.status, x.item.title]).to.deep.equal(['utility', 'ZL201720601862.9', '2024-06-01', 'own', 'valid', '（由授权专利名单导入）']);
    expect(itemOfListedPatent({ firmId: 1, number: 'ZL201720601862.3', type: '实用新型', title: 'x', grantDate: null })).to.equal(null);
    // The kind cell contradicts the number's kind digit: not entered, rather than entered wrongly.
    expect(itemOfListedPatent({ firmId: 1, number: 'ZL201720601862.9', type: '发明', title: 'x', grantDate: null })).to.equal(null);
    expect(itemOfListedPatent({ firmId: 1, number: 12345, type: '发明', title: 'x', grantDate: null })).to.equal(null);
  });
});
