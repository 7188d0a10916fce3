/** Dated penalties, incidents and list entries: the HTE 365-day window and the tech-SME "上一年及当年". */
import { expect } from 'chai';
import { addDays } from '../../../src/domain/eligibility/dates.js';
import { checkHighTech, checkTechSme } from '../../../src/domain/eligibility/index.js';
import type { ComplianceEvent, ComplianceRecord } from '../../../src/domain/eligibility/compliance.js';
import { conditionOf, firmWith } from './factories.js';

const APPLY = '2025-06-30';
const event = (kind: ComplianceEvent['kind'], date: string): ComplianceEvent => ({ kind, date, authority: '余姚市应急管理局', docNumber: '余应急罚〔2024〕12号' });
const record = (events: ComplianceEvent[], extra: Partial<ComplianceRecord> = {}): ComplianceRecord => ({ events, listings: [], checkedOn: '2025-06-01', ...extra });
const hteIncident = (c: ComplianceRecord | null, yearly: Parameters<typeof firmWith>[0] = {}) =>
  conditionOf(checkHighTech(firmWith(yearly, { compliance: c }), { applyDate: APPLY }), 'hte.no_major_incident');

describe('compliance events: high-tech 第十一条（八）, 365 days before the application (指引 三（一）)', () => {
  it('an incident 364 or 365 days before the application fails; 366 days before passes', () => {
    expect(hteIncident(record([event('major_safety', addDays(APPLY, -364))])).status).to.equal('fail');
    expect(hteIncident(record([event('serious_environmental', addDays(APPLY, -365))])).status).to.equal('fail');
    const outside = hteIncident(record([event('major_quality', addDays(APPLY, -366))]));
    expect(outside.status).to.equal('pass');
    expect(outside.note).to.include('超过365天');
  });

  it('a penalty 410 days before the application no longer refuses, though the yearly flag of that year said yes', () => {
    const date = addDays(APPLY, -410); // 2024-05-16
    expect(hteIncident(null, { 2024: { majorIncident: true } }).status).to.equal('fail');
    expect(hteIncident(record([event('major_safety', date)]), { 2024: { majorIncident: true } }).status).to.equal('pass');
  });

  it('an unclassified penalty inside the window gives review, not missing; outside it does not count', () => {
    const c = hteIncident(record([event('other_penalty', addDays(APPLY, -30))]));
    expect(c.status).to.equal('review');
    expect(c.note).to.include('未分类');
    expect(hteIncident(record([event('other_penalty', addDays(APPLY, -400))])).status).to.equal('pass');
  });

  it('without a check date, nothing recorded proves nothing: the yearly flags decide (missing when absent)', () => {
    expect(hteIncident(record([], { checkedOn: null }), { 2024: { majorIncident: null } }).status).to.equal('missing');
    expect(hteIncident(record([], { checkedOn: null })).status).to.equal('pass');
    expect(hteIncident(record([event('major_safety', addDays(APPLY, -10))], { checkedOn: null })).status).to.equal('fail');
  });
});

describe('compliance events: tech-SME 第六条（四）, the previous and the current year', () => {
  const tsme = (c: ComplianceRecord | null, id: string, over: Parameters<typeof firmWith>[1] = {}) =>
    conditionOf(checkTechSme(firmWith({}, { compliance: c, ...over }), { evaluationYear: 2025, evaluationDate: '2025-06-30' }), id);

  it('an incident on 1 January of the previous year fails; on 31 December two years back it does not', () => {
    expect(tsme(record([event('major_safety', '2024-01-01')]), 'tsme.integrity.incident').status).to.equal('fail');
    expect(tsme(record([event('major_safety', '2023-12-31')]), 'tsme.integrity.incident').status).to.equal('pass');
  });

  it('科研严重失信 or 严重弄虚作假 fails the dishonesty condition; an unclassified penalty is review', () => {
    expect(tsme(record([event('research_dishonesty', '2025-02-01')]), 'tsme.integrity.dishonesty').status).to.equal('fail');
    expect(tsme(record([event('serious_fraud', '2024-07-01')]), 'tsme.integrity.dishonesty').status).to.equal('fail');
    expect(tsme(record([event('other_penalty', '2024-07-01')]), 'tsme.integrity.incident').status).to.equal('review');
  });

  it('a list entry overlapping the two years fails, even if removed since; one removed before them passes', () => {
    const listed = (listedOn: string, removedOn: string | null) => record([], { listings: [{ list: 'abnormal', listedOn, removedOn }] });
    expect(tsme(listed('2022-03-01', '2024-01-01'), 'tsme.integrity.abnormal_list').status).to.equal('fail');
    expect(tsme(listed('2025-03-01', null), 'tsme.integrity.abnormal_list').status).to.equal('fail');
    expect(tsme(listed('2022-03-01', '2023-12-31'), 'tsme.integrity.abnormal_list').status).to.equal('pass');
    expect(tsme(record([], { listings: [{ list: 'dishonest', listedOn: '2025-07-01', removedOn: null }] }), 'tsme.integrity.abnormal_list').status).to.equal('pass'); // after the evaluation date
  });

  it('with a check date and no records, the integrity conditions pass instead of staying missing', () => {
    const none = { listedAbnormal: null, seriousDishonesty: null };
    expect(tsme(null, 'tsme.integrity.abnormal_list', none).status).to.equal('missing');
    expect(tsme(record([]), 'tsme.integrity.abnormal_list', none).status).to.equal('pass');
    expect(tsme(record([]), 'tsme.integrity.dishonesty', none).status).to.equal('pass');
  });
});
