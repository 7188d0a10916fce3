import { expect } from 'chai';
import { EVENT_MESSAGES, attendanceNotes, attendanceRecordChanges, checkEventDates, decideAttendance, decideReschedule, mayManageEvent, planWrapUp } from '../../src/domain/events.js';

const event = { title: '高企申报讲诊会', startsOn: '2026-05-20', endsOn: '2026-05-21', wrappedUp: false };

describe('coaching events (domain/events.ts)', () => {
  it('checks the dates: start required, end on or after it, blank end = one day', () => {
    expect(checkEventDates('2026-05-20', '')).to.deep.equal({ ok: true, dates: { startsOn: '2026-05-20', endsOn: '2026-05-20' } });
    expect(checkEventDates('2026-05-20', '2026-05-19')).to.deep.include({ ok: false });
    expect(checkEventDates('', '')).to.deep.include({ ok: false });
    expect(checkEventDates('2026-02-30', '')).to.deep.include({ ok: false });
  });

  it('refuses attended or absent before the event starts (Shanghai date), allows them from its first day', () => {
    expect(decideAttendance('attended', event, '2026-05-19')).to.deep.equal({ ok: false, message: EVENT_MESSAGES.future('2026-05-20') });
    expect(decideAttendance('absent', event, '2026-05-19')).to.deep.include({ ok: false });
    expect(decideAttendance('attended', event, '2026-05-20')).to.deep.equal({ ok: true });
    expect(decideAttendance('absent', event, '2026-06-01')).to.deep.equal({ ok: true });
    for (const s of ['invited', 'registered', 'cancelled'] as const) expect(decideAttendance(s, event, '2026-01-01')).to.deep.equal({ ok: true });
  });

  it('changes nothing once the follow-ups were generated', () => {
    expect(decideAttendance('registered', { ...event, wrappedUp: true }, '2026-06-01')).to.deep.equal({ ok: false, message: EVENT_MESSAGES.wrappedUp });
  });

  it('plans the after-event action: action items for attendees (+14 days), catch-up calls for the rest (+7), unmarked become absent, cancelled get nothing', () => {
    const r = planWrapUp(event, [
      { id: 1, firmId: 11, status: 'attended' },
      { id: 2, firmId: 12, status: 'absent' },
      { id: 3, firmId: 13, status: 'registered' },
      { id: 4, firmId: 14, status: 'invited' },
      { id: 5, firmId: 15, status: 'cancelled' },
      { id: 6, firmId: 16, status: 'attended' },
    ], '2026-05-21');
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.plan.attendedFirmIds).to.deep.equal([11, 16]);
    expect(r.plan.markAbsent).to.deep.equal([3, 4]);
    expect(r.plan.followUps.map((f) => [f.firmId, f.kind, f.dueOn])).to.deep.equal([
      [11, 'action', '2026-06-04'],
      [12, 'catch_up', '2026-05-28'],
      [13, 'catch_up', '2026-05-28'],
      [14, 'catch_up', '2026-05-28'],
      [16, 'action', '2026-06-04'],
    ]);
    expect(r.plan.followUps[0]!.title).to.equal('落实“高企申报讲诊会”的行动事项');
    expect(r.plan.followUps[1]!.title).to.equal('电话回访：未出席“高企申报讲诊会”');
  });

  it('due dates cross month and year ends on calendar days', () => {
    const r = planWrapUp({ ...event, startsOn: '2026-12-28', endsOn: '2026-12-28' }, [{ id: 1, firmId: 1, status: 'attended' }, { id: 2, firmId: 2, status: 'absent' }], '2026-12-28');
    expect(r.ok && r.plan.followUps.map((f) => f.dueOn)).to.deep.equal(['2027-01-11', '2027-01-04']);
  });

  it('refuses the action before the event, a second time, or with nobody invited', () => {
    expect(planWrapUp(event, [{ id: 1, firmId: 1, status: 'attended' }], '2026-05-19')).to.deep.equal({ ok: false, message: EVENT_MESSAGES.wrapUpFuture('2026-05-20') });
    expect(planWrapUp({ ...event, wrappedUp: true }, [{ id: 1, firmId: 1, status: 'attended' }], '2026-05-22')).to.deep.equal({ ok: false, message: EVENT_MESSAGES.wrapUpTwice });
    expect(planWrapUp(event, [{ id: 1, firmId: 1, status: 'cancelled' }], '2026-05-22')).to.deep.equal({ ok: false, message: EVENT_MESSAGES.wrapUpNobody });
  });

  it('attendance is contact from its check-in: attended joins the event\'s record, any other status leaves it, nothing twice', () => {
    const rows = [
      { id: 1, firmId: 11, status: 'invited' as const, interactionId: null },
      { id: 2, firmId: 12, status: 'attended' as const, interactionId: 7 },
      { id: 3, firmId: 13, status: 'absent' as const, interactionId: null },
      // Marked attended before check-ins did this: joins when ticked again.
      { id: 4, firmId: 14, status: 'attended' as const, interactionId: null },
    ];
    const attended = attendanceRecordChanges(rows, 'attended');
    expect(attended.join.map((r) => r.id)).to.deep.equal([1, 3, 4]);
    expect(attended.leave).to.deep.equal([]);
    for (const to of ['invited', 'registered', 'absent', 'cancelled'] as const) {
      const other = attendanceRecordChanges(rows, to);
      expect(other.join).to.deep.equal([]);
      expect(other.leave.map((r) => r.id)).to.deep.equal([2]);
    }
  });

  it('an event with attendance cannot move to a day that has not come; the record\'s notes name it', () => {
    expect(decideReschedule('2026-05-22', 3, '2026-05-21')).to.deep.equal({ ok: false, message: EVENT_MESSAGES.movedToFuture });
    expect(decideReschedule('2026-05-21', 3, '2026-05-21')).to.deep.equal({ ok: true });
    expect(decideReschedule('2026-06-30', 0, '2026-05-21')).to.deep.equal({ ok: true });
    expect(attendanceNotes({ ...event, place: '科技局' })).to.equal('参加高企申报讲诊会（2026-05-20 至 2026-05-21，科技局）');
    expect(attendanceNotes({ ...event, endsOn: event.startsOn, place: null })).to.equal('参加高企申报讲诊会（2026-05-20）');
  });

  it('an event is run by administrators, caseworkers and the counsellor who organises it', () => {
    expect(mayManageEvent({ id: 1, role: 'admin' }, { ownerId: 9 })).to.equal(true);
    expect(mayManageEvent({ id: 1, role: 'caseworker' }, { ownerId: 9 })).to.equal(true);
    expect(mayManageEvent({ id: 9, role: 'counsellor' }, { ownerId: 9 })).to.equal(true);
    expect(mayManageEvent({ id: 1, role: 'counsellor' }, { ownerId: 9 })).to.equal(false);
    expect(mayManageEvent({ id: 9, role: 'leader' }, { ownerId: 9 })).to.equal(false);
  });
});
