import { expect } from 'chai';
import { checkHte, checkTsme, displayStatus, hteNumberYear, hteValidUntil } from '../../src/domain/certifications.js';
import { type ComplianceCert, type DeadlineSettings, dueWithin, firmCompliance, mayApplyHte } from '../../src/domain/compliance.js';

const hte = (over: Partial<ComplianceCert>): ComplianceCert => ({
  id: 1,
  firmId: 7,
  kind: 'hte',
  year: 2023,
  mode: 'first',
  status: 'active',
  appliedOn: null,
  issuedOn: '2023-12-08',
  validUntil: '2026-12-08',
  statusOn: null,
  ...over,
});
const none = new Map<number, DeadlineSettings>();
const reportItems = (r: ReturnType<typeof firmCompliance>) => r.items.filter((i) => i.kind === 'hte_annual_report').map((i) => [i.dataYear, i.dueOn, i.state]);

describe('certification register rules (domain.md §1.3, §3.5)', () => {
  describe('HTE validity, 办法 第九条 + 民法典 第二百零二条', () => {
    it('ends on the same calendar day three years later, or the month end (leap years)', () => {
      expect(hteValidUntil('2023-12-08')).to.equal('2026-12-08');
      expect(hteValidUntil('2024-02-29')).to.equal('2027-02-28');
      expect(hteValidUntil('2020-02-29')).to.equal('2023-02-28');
      expect(hteValidUntil('2021-02-28')).to.equal('2024-02-28'); // not stretched to the leap day
    });
    it('is 期满当年 from 1 January of the expiry year, expired from the next 1 January, cancelled from status_on', () => {
      const c = { kind: 'hte' as const, year: 2023, status: 'active' as const, issuedOn: '2023-12-08', validUntil: '2026-12-08', statusOn: null };
      expect(displayStatus(c, '2025-12-31')).to.equal('valid');
      expect(displayStatus(c, '2026-01-01')).to.equal('expiry_year');
      expect(displayStatus(c, '2026-12-31')).to.equal('expiry_year');
      expect(displayStatus(c, '2027-01-01')).to.equal('expired');
      expect(displayStatus(c, '2023-12-07')).to.equal('pending');
      const cancelled = { ...c, status: 'revoked' as const, statusOn: '2025-04-01' };
      expect(displayStatus(cancelled, '2025-03-31')).to.equal('valid');
      expect(displayStatus(cancelled, '2025-04-01')).to.equal('cancelled');
    });
    it('a tech-SME registration is valid for its evaluation year only', () => {
      const c = { kind: 'tsme' as const, year: 2025, status: 'active' as const, issuedOn: '2025-06-01', validUntil: null, statusOn: null };
      expect(displayStatus(c, '2025-12-31')).to.equal('registered');
      expect(displayStatus(c, '2026-01-01')).to.equal('lapsed');
    });
  });

  describe('HTE annual report, 办法 第十三条 and 指引 五（二）', () => {
    it('is due 31 May for the previous year in each valid year — a Saturday 31 May stays 31 May', () => {
      const r = firmCompliance([hte({})], [], [], none, '2024-01-10');
      expect(reportItems(r)).to.deep.equal([
        [2023, '2024-05-31', 'open'],
        [2024, '2025-05-31', 'open'], // 2025-05-31 is a Saturday
        [2025, '2026-05-31', 'open'],
      ]);
      expect(new Date('2025-05-31T00:00:00Z').getUTCDay()).to.equal(6);
    });
    it('a certificate whose last valid day is 31 May owes that day too; issued on 31 May it does not owe it', () => {
      const onDay = firmCompliance([hte({ issuedOn: '2023-05-31', validUntil: '2026-05-31' })], [], [], none, '2023-06-01');
      expect(reportItems(onDay).map((x) => x[1])).to.deep.equal(['2024-05-31', '2025-05-31', '2026-05-31']);
    });
    it('moves only with a local deadline configured for that year; a report on that day is on time, a day later is late', () => {
      const settings = new Map<number, DeadlineSettings>([[2025, { hteReportDueOn: '2025-06-03', tsmeInfoDueOn: null }]]);
      const ticks = (on: string) => [{ certificationId: 1, kind: 'hte_annual_report' as const, dataYear: 2024, reportedOn: on }];
      const onTime = firmCompliance([hte({})], ticks('2025-06-03'), [], settings, '2025-07-01');
      expect(reportItems(onTime)[1]).to.deep.equal([2024, '2025-06-03', 'done']);
      const late = firmCompliance([hte({})], ticks('2025-06-04'), [], settings, '2025-07-01');
      expect(reportItems(late)[1]).to.deep.equal([2024, '2025-06-03', 'late']);
    });
    it('counts a deadline as missed only after its day has passed', () => {
      expect(reportItems(firmCompliance([hte({})], [], [], none, '2024-05-31'))[0]![2]).to.equal('open');
      expect(reportItems(firmCompliance([hte({})], [], [], none, '2024-06-01'))[0]![2]).to.equal('missed');
    });
    it('one missed report warns; two in one validity period say 资格可能被取消', () => {
      const one = firmCompliance([hte({})], [], [], none, '2024-06-01');
      expect(one.warnings.map((w) => w.severity)).to.deep.equal(['warn']);
      const two = firmCompliance([hte({})], [{ certificationId: 1, kind: 'hte_annual_report', dataYear: 2023, reportedOn: '2024-06-02' }], [], none, '2025-06-01');
      expect(two.warnings[0]!.severity).to.equal('danger');
      expect(two.warnings[0]!.message).to.contain('资格可能被取消');
      expect(two.warnings[0]!.article).to.contain('指引 五（二）');
    });
    it('one missed in each of two validity periods is two warnings, not a cancellation risk', () => {
      const first = hte({ id: 1, year: 2020, issuedOn: '2020-12-01', validUntil: '2023-12-01' });
      const second = hte({ id: 2, year: 2023, mode: 'renewal', issuedOn: '2023-11-20', validUntil: '2026-11-20' });
      const tick = (id: number, y: number) => ({ certificationId: id, kind: 'hte_annual_report' as const, dataYear: y, reportedOn: null });
      // first: 2020 and 2021 reported, 2022 missed; second: 2023 reported, 2024 missed
      const r = firmCompliance([first, second], [tick(1, 2020), tick(1, 2021), tick(2, 2023)], [], none, '2025-07-01');
      expect(r.items.filter((i) => i.state === 'missed').map((i) => [i.certificationId, i.dataYear])).to.deep.equal([
        [1, 2022],
        [2, 2024],
      ]);
      expect(r.warnings.filter((w) => w.severity === 'danger')).to.have.length(0);
      // the first certificate has expired: its warning is not repeated
      expect(r.warnings.map((w) => w.severity)).to.deep.equal(['warn']);
    });
  });

  describe('expiry year, 指引 四、3', () => {
    it('shows 期满当年 – 需重新认定 from 1 January with a task for the counsellor, until a re-certification is applied for', () => {
      const before = firmCompliance([hte({})], [], [], none, '2025-12-31');
      const item = before.items.find((i) => i.kind === 'expiry_year')!;
      expect(item.showFrom).to.equal('2026-01-01');
      expect(before.warnings.some((w) => w.message.includes('期满当年'))).to.equal(false);
      expect(dueWithin(before.items, '2025-12-31', 0).some((i) => i.kind === 'expiry_year')).to.equal(false);
      expect(dueWithin(before.items, '2025-12-31', 1).some((i) => i.kind === 'expiry_year')).to.equal(true);
      const on = firmCompliance([hte({})], [], [], none, '2026-01-01');
      const e = on.items.find((i) => i.kind === 'expiry_year')!;
      expect([e.title, e.state, e.counsellorTask !== null]).to.deep.equal(['期满当年 – 需重新认定', 'notice', true]);
      const applying = firmCompliance([hte({}), hte({ id: 2, year: 2026, mode: 'renewal', status: 'pending', issuedOn: null, validUntil: null, appliedOn: '2026-05-01' })], [], [], none, '2026-06-01');
      const a = applying.items.find((i) => i.kind === 'expiry_year')!;
      expect([a.state, a.counsellorTask]).to.deep.equal(['done', null]);
    });
  });

  describe('changes, cancellations and the tech-SME 信息表', () => {
    it('a name change is due three months later, at the month end when there is no such day (第十七条)', () => {
      const r = firmCompliance([hte({})], [], [{ id: 5, kind: 'rename', eventOn: '2025-11-30', dueOn: '2026-02-28', description: '更名', reportedOn: null }], none, '2026-03-01');
      const c = r.items.find((i) => i.kind === 'change_report')!;
      expect([c.dueOn, c.state]).to.deep.equal(['2026-02-28', 'overdue']);
      expect(r.warnings[0]!.severity).to.equal('danger');
    });
    it('a cancellation bars a new application in the same year only (指引 五（六）3)', () => {
      const cancelled = [{ kind: 'hte', status: 'revoked' as const, statusOn: '2026-03-01' }];
      expect(mayApplyHte(cancelled, 2026).ok).to.equal(false);
      expect(mayApplyHte(cancelled, 2027).ok).to.equal(true);
      const r = firmCompliance([hte({ status: 'revoked', statusOn: '2026-03-01' })], [], [], none, '2026-04-01');
      expect(r.items.find((i) => i.kind === 'no_reapply')?.dueOn).to.equal('2026-12-31');
      // no annual report is owed after the cancellation
      expect(reportItems(r).map((x) => x[0])).to.deep.equal([2023, 2024]);
    });
    it('the 信息表 of evaluation year Y is due 31 March of Y+1, or the configured day (2017 办法 第十二条)', () => {
      const tsme = hte({ id: 9, kind: 'tsme', year: 2023, mode: null, issuedOn: '2023-06-01', validUntil: null });
      const r = firmCompliance([tsme], [], [], none, '2024-03-31');
      expect(r.items.map((i) => [i.kind, i.dueOn, i.state])).to.deep.equal([['tsme_info_update', '2024-03-31', 'open']]);
      expect(firmCompliance([tsme], [], [], none, '2024-04-01').items[0]!.state).to.equal('missed');
      const moved = new Map([[2024, { hteReportDueOn: null, tsmeInfoDueOn: '2024-04-15' }]]);
      expect(firmCompliance([tsme], [], [], moved, '2024-04-01').items[0]!.state).to.equal('open');
    });
  });

  describe('bad input', () => {
    const firm = { foundedOn: '2015-06-01' };
    const today = '2026-12-02';
    const base = { year: 2023, mode: 'first', number: 'GR202333102308', appliedOn: '2023-05-10', publicizedOn: '2023-11-01', filedOn: '2023-11-20', issuedOn: '2023-12-08', validUntil: null };
    it('accepts a whole HTE record; reads the year of the number', () => {
      expect(checkHte(base, firm, today)).to.deep.equal({});
      expect(hteNumberYear('GR202333102308')).to.equal(2023);
    });
    it('refuses a number of the wrong form, a number of another year, a future or pre-founding date, steps out of order', () => {
      expect(checkHte({ ...base, number: 'GR20233310230' }, firm, today).number).to.contain('GR 加 12 位数字');
      expect(checkHte({ ...base, number: 'GR202133102308' }, firm, today).number).to.contain('年份');
      expect(checkHte({ ...base, issuedOn: '2026-12-03', year: 2026, number: 'GR202633102308' }, firm, today).issuedOn).to.equal('日期不能晚于今天。');
      expect(checkHte({ ...base, issuedOn: '2026-12-02', year: 2026, number: 'GR202633102308', appliedOn: null, publicizedOn: null, filedOn: null }, firm, today)).to.deep.equal({});
      expect(checkHte({ ...base }, { foundedOn: '2023-12-09' }, today).issuedOn).to.contain('成立日期');
      expect(checkHte({ ...base, filedOn: '2023-10-01' }, firm, today).filedOn).to.contain('不能早于');
      expect(checkHte({ ...base, issuedOn: null }, firm, today).issuedOn).to.exist;
    });
    it('refuses a tech-SME number for a year the firm was not evaluated', () => {
      const t = { year: 2024, number: '20243302810A000123', issuedOn: '2024-06-30' };
      expect(checkTsme(t, firm, today)).to.deep.equal({});
      expect(checkTsme({ ...t, number: '20233302810A000123' }, firm, today).number).to.contain('属于 2023 年度');
      expect(checkTsme({ ...t, issuedOn: '2025-01-02' }, firm, today).issuedOn).to.contain('2024 年度内');
      expect(checkTsme({ ...t, year: 2016, number: '2016000000' }, firm, today).year).to.contain('2017');
      expect(checkTsme({ ...t, year: 2027, number: '20273302810A000123' }, firm, today).year).to.exist;
      expect(checkTsme(t, { foundedOn: '2025-01-01' }, today).year).to.contain('尚未成立');
    });
  });
});
