import { expect } from 'chai';
import {
  contactCutoff,
  decideNextStep,
  decodeTopics,
  encodeTopics,
  followUpState,
  isWithoutContact,
  NEXT_STEP_MESSAGES,
  parseTemplateSteps,
  templateDueDates,
} from '../../src/domain/coaching/index.js';
import { todayInShanghai } from '../../src/lib/dates.js';

describe('coaching rules', () => {
  describe('followUpState (Asia/Shanghai calendar dates)', () => {
    it('is due today up to Shanghai midnight and overdue from the first instant after it', () => {
      // 2026-03-10 23:59:59 in Shanghai is 15:59:59 UTC; midnight is 16:00:00 UTC.
      const before = todayInShanghai(new Date('2026-03-10T15:59:59.999Z'));
      const after = todayInShanghai(new Date('2026-03-10T16:00:00.000Z'));
      expect(before).to.equal('2026-03-10');
      expect(after).to.equal('2026-03-11');
      expect(followUpState('2026-03-10', before)).to.equal('today');
      expect(followUpState('2026-03-10', after)).to.equal('overdue');
      // UTC midnight changes nothing: still the same Shanghai day (08:00 there).
      expect(followUpState('2026-03-11', todayInShanghai(new Date('2026-03-11T00:00:00.000Z')))).to.equal('today');
      expect(followUpState('2026-03-11', todayInShanghai(new Date('2026-03-10T23:59:59.000Z')))).to.equal('today');
    });

    it('groups the next seven days as this week, later beyond, and never calls closed follow-ups overdue', () => {
      const today = '2026-12-28';
      expect(followUpState('2026-12-29', today)).to.equal('week');
      expect(followUpState('2027-01-04', today)).to.equal('week'); // today + 7, across the year
      expect(followUpState('2027-01-05', today)).to.equal('later');
      expect(followUpState('2026-01-01', today, 'done')).to.equal('done');
      expect(followUpState('2026-01-01', today, 'cancelled')).to.equal('cancelled');
    });
  });

  describe('the next-step rule', () => {
    const on = '2026-05-20';
    it('accepts a next step due on or after the interaction, or an explicit no follow-up', () => {
      expect(decideNextStep({ title: '寄送研发辅助账模板', dueOn: '2026-05-20', noFollowUp: false }, on)).to.deep.equal({
        ok: true,
        next: { kind: 'follow_up', title: '寄送研发辅助账模板', dueOn: '2026-05-20' },
      });
      expect(decideNextStep({ title: '', dueOn: '', noFollowUp: true }, on)).to.deep.equal({ ok: true, next: { kind: 'none' } });
    });

    it('refuses neither, a step without a date or title, a date before the interaction, and both at once', () => {
      expect(decideNextStep({ title: '', dueOn: '', noFollowUp: false }, on)).to.deep.equal({ ok: false, errors: { nextStep: NEXT_STEP_MESSAGES.missing } });
      expect(decideNextStep({ title: '回访', dueOn: '', noFollowUp: false }, on)).to.deep.equal({ ok: false, errors: { nextDue: NEXT_STEP_MESSAGES.dueMissing } });
      expect(decideNextStep({ title: '', dueOn: '2026-06-01', noFollowUp: false }, on)).to.deep.equal({ ok: false, errors: { nextStep: NEXT_STEP_MESSAGES.titleMissing } });
      expect(decideNextStep({ title: '回访', dueOn: '2026-05-19', noFollowUp: false }, on)).to.deep.equal({ ok: false, errors: { nextDue: NEXT_STEP_MESSAGES.dueBefore } });
      expect(decideNextStep({ title: '回访', dueOn: '2026-02-30', noFollowUp: false }, on)).to.deep.equal({ ok: false, errors: { nextDue: NEXT_STEP_MESSAGES.dueMissing } });
      expect(decideNextStep({ title: '回访', dueOn: '2026-06-01', noFollowUp: true }, on)).to.deep.equal({ ok: false, errors: { nextStep: NEXT_STEP_MESSAGES.both } });
      expect(decideNextStep({ title: '长'.repeat(201), dueOn: '2026-06-01', noFollowUp: false }, on)).to.deep.equal({ ok: false, errors: { nextStep: NEXT_STEP_MESSAGES.titleTooLong } });
    });
  });

  describe('plan templates', () => {
    it('puts each step on start + offset calendar days (month ends, leap years)', () => {
      const steps = [
        { title: '走访', offsetDays: 0 },
        { title: '知识产权梳理', offsetDays: 30 },
        { title: '研发费用归集辅导', offsetDays: 60 },
      ];
      expect(templateDueDates(steps, '2028-01-31')).to.deep.equal([
        { title: '走访', dueOn: '2028-01-31' },
        { title: '知识产权梳理', dueOn: '2028-03-01' }, // 2028 is a leap year: Feb has 29 days
        { title: '研发费用归集辅导', dueOn: '2028-03-31' },
      ]);
      expect(templateDueDates(steps, '2026-12-15').map((s) => s.dueOn)).to.deep.equal(['2026-12-15', '2027-01-14', '2027-02-13']);
    });

    it('reads steps typed one per line, in either order, sorted by offset; refuses what it cannot read', () => {
      const parsed = parseTemplateSteps('+60 研发费用归集辅导\n走访 0\n\n30 知识产权梳理');
      expect(parsed).to.deep.equal({
        ok: true,
        steps: [
          { title: '走访', offsetDays: 0 },
          { title: '知识产权梳理', offsetDays: 30 },
          { title: '研发费用归集辅导', offsetDays: 60 },
        ],
      });
      const bad = parseTemplateSteps('走访\n+30 知识产权梳理');
      expect(bad.ok).to.equal(false);
      expect(!bad.ok && bad.message).to.include('第 1 行');
      expect(parseTemplateSteps('').ok).to.equal(false);
      expect(parseTemplateSteps('+2000 太远').ok).to.equal(false);
    });
  });

  describe('no successful contact in N days', () => {
    it('counts a firm as without contact from the Nth day after its last reached contact, or when it never had one', () => {
      expect(contactCutoff('2026-06-30', 30)).to.equal('2026-06-01');
      expect(isWithoutContact('2026-06-01', '2026-06-30', 30)).to.equal(false); // 29 days
      expect(isWithoutContact('2026-05-31', '2026-06-30', 30)).to.equal(true); // 30 days
      expect(isWithoutContact(null, '2026-06-30', 30)).to.equal(true);
    });
  });

  it('keeps topics in checklist order and drops unknown keys', () => {
    expect(encodeTopics(['finance', 'ip'])).to.equal('ip,finance');
    expect(decodeTopics('ip,bogus,finance')).to.deep.equal(['ip', 'finance']);
  });
});
