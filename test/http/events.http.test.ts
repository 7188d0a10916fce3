/** Events through HTTP: invitations, attendees, check-in, attendance → interactions → follow-ups, sign-in sheet; roles and scope. */
import ExcelJS from 'exceljs';
import { expect } from 'chai';
import { createFirm, type SeededFirm } from '../helpers/factories.js';
import { type Client, createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { TODAY } from '../helpers/today.js';

const shift = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

async function eventState(t: TestContext) {
  const [events, invitations, attendees, interactions, followUps, audit] = await Promise.all([
    t.db('coaching_events').select('id', 'version', 'title', 'wrapped_up_at').orderBy('id'),
    t.db('event_invitations').select('id', 'status', 'version').orderBy('id'),
    t.db('event_attendees').count({ n: '*' }).first(),
    t.db('interactions').count({ n: '*' }).first(),
    t.db('follow_ups').count({ n: '*' }).first(),
    t.db('audit_log').where('action', 'like', 'event.%').count({ n: '*' }).first(),
  ]);
  return { events, invitations, attendees: Number(attendees?.n), interactions: Number(interactions?.n), followUps: Number(followUps?.n), audit: Number(audit?.n) };
}

const formKeyOf = (page: string, form = '#event-form') => html(page).querySelector(`${form} input[name=_formKey]`)!.getAttribute('value')!;

describe('coaching events (辅导活动)', () => {
  let t: TestContext;
  let cw: Client;
  let a1: SeededFirm;
  let a2: SeededFirm;
  let a3: SeededFirm;
  let b1: SeededFirm;

  beforeEach(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    const admin = t.basics.users.admin.id;
    const counsellor = t.basics.users.counsellor.id;
    a1 = await createFirm(t.db, { name: '余姚市甲科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, counsellorId: counsellor, actorId: admin });
    a2 = await createFirm(t.db, { name: '余姚市乙科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, counsellorId: counsellor, actorId: admin });
    a3 = await createFirm(t.db, { name: '余姚市丙科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, actorId: admin });
    b1 = await createFirm(t.db, { name: '余姚市丁科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.b, actorId: admin });
  });
  afterEach(() => t.destroy());

  async function newEvent(c: Client, extra: Record<string, unknown> = {}): Promise<number> {
    const page = await c.get('/coaching/events/new').expect(200);
    const res = await c.post('/coaching/events').type('form').send({ _formKey: formKeyOf(page.text), kind: 'clinic', title: '高企申报讲诊会', startsOn: TODAY, place: '市科技局三楼会议室', organiser: '余姚市科学技术局', topics: ['ip', 'rd_expense'], ...extra });
    expect(res.status, res.text.slice(0, 400)).to.equal(303);
    return Number(/(\d+)$/.exec(res.headers.location ?? '')![1]);
  }
  const invite = (c: Client, id: number, codes: string[]) => c.post(`/coaching/events/${id}/invitations`).type('form').send({ codes: codes.join('\n') });
  const invitationIds = async (id: number, firms: SeededFirm[]) =>
    (await t.db('event_invitations').where({ event_id: id }).whereIn('firm_id', firms.map((f) => f.id)).select('id')).map((r) => String(r.id));
  const checkIn = (c: Client, id: number, ids: string[], status = 'attended') => c.post(`/coaching/events/${id}/attendance`).type('form').send({ status, invitation: ids });

  it('runs a clinic: invitations, named attendees, bulk check-in, then one action → interaction for attendees and follow-ups for all', async () => {
    const id = await newEvent(cw);
    expect(await t.db('coaching_events').where({ id }).first()).to.include({ title: '高企申报讲诊会', topics: 'ip,rd_expense', owner_id: t.basics.users.caseworker.id });
    const invited = await invite(cw, id, [a1.uscc, a2.uscc, `${a3.uscc.toLowerCase()}`, b1.uscc]).expect(303);
    expect(invited.headers.location).to.equal(`/coaching/events/${id}`);
    expect(await t.db('event_invitations').where({ event_id: id, status: 'invited' })).to.have.length(4);
    // Inviting again changes nothing for the firms already invited.
    await invite(cw, id, [a1.uscc]).expect(303);
    expect(await t.db('event_invitations').where({ event_id: id })).to.have.length(4);

    const page = await cw.get(`/coaching/events/${id}`).expect(200);
    await cw.post(`/coaching/events/${id}/attendees`).type('form').send({ _formKey: formKeyOf(page.text, '#attendee-form'), attendeeFirm: a1.uscc, attendeeName: '王明', attendeePosition: '研发总监', attendeePhone: '13900000001' }).expect(303);
    await checkIn(cw, id, await invitationIds(id, [a1, a2])).expect(303);
    await checkIn(cw, id, await invitationIds(id, [b1]), 'cancelled').expect(303);
    // Attendance is contact from the check-in: one record for the event, the attending firms in it; no follow-ups yet.
    const before = await eventState(t);
    expect(before.interactions).to.equal(1);
    expect(before.followUps).to.equal(0);

    const eventPage = await cw.get(`/coaching/events/${id}`).expect(200);
    const version = html(eventPage.text).querySelector('#wrap-up-form input[name=version]')!.getAttribute('value');
    const key = formKeyOf(eventPage.text, '#wrap-up-form');
    const [w1, w2] = await Promise.all([
      cw.post(`/coaching/events/${id}/wrap-up`).type('form').send({ version, _formKey: key }),
      cw.post(`/coaching/events/${id}/wrap-up`).type('form').send({ version, _formKey: key }),
    ]);
    expect([w1.status, w2.status]).to.deep.equal([303, 303]);

    // a3 was never marked: absent. b1 was cancelled: nothing.
    const statuses = Object.fromEntries((await t.db('event_invitations').where({ event_id: id }).select('firm_id', 'status')).map((r) => [r.firm_id, r.status]));
    expect(statuses).to.deep.equal({ [a1.id]: 'attended', [a2.id]: 'attended', [a3.id]: 'absent', [b1.id]: 'cancelled' });
    const interactions = await t.db('interactions').where({ event_id: id });
    expect(interactions).to.have.length(1);
    expect(interactions[0]).to.include({ channel: 'event', occurred_on: TODAY, topics: 'ip,rd_expense' });
    expect(Boolean(interactions[0].reached)).to.equal(true);
    const covered = (await t.db('interaction_firms').where({ interaction_id: interactions[0].id }).select('firm_id')).map((r) => r.firm_id).sort();
    expect(covered).to.deep.equal([a1.id, a2.id].sort());
    const followUps = await t.db('follow_ups').where({ source_event_id: id }).orderBy('firm_id');
    expect(followUps.map((f) => [f.firm_id, f.title, String(f.due_on).slice(0, 10), f.source_interaction_id])).to.deep.equal([
      [a1.id, '落实“高企申报讲诊会”的行动事项', shift(TODAY, 14), interactions[0].id],
      [a2.id, '落实“高企申报讲诊会”的行动事项', shift(TODAY, 14), interactions[0].id],
      [a3.id, '电话回访：未出席“高企申报讲诊会”', shift(TODAY, 7), null],
    ]);
    expect(followUps.every((f) => f.status === 'open')).to.equal(true);
    expect(await t.db('audit_log').where({ action: 'event.wrap_up' })).to.have.length(1);

    // Done once: attendance is now fixed, and the action is not repeated.
    const after = await eventState(t);
    expect((await checkIn(cw, id, await invitationIds(id, [a3]))).status).to.equal(422);
    const again = await cw.post(`/coaching/events/${id}/wrap-up`).type('form').send({ version: Number(version) + 1 });
    expect(again.status).to.equal(422);
    expect(again.text).to.include('已经生成过');
    expect(await eventState(t)).to.deep.equal(after);
    const done = html((await cw.get(`/coaching/events/${id}`).expect(200)).text);
    expect(done.querySelector('[data-wrapped-up]')).to.not.equal(null);
    expect(done.querySelector('[data-count=attended]')!.text).to.include('2');
    // Firm timelines: the attendee's attendance as an interaction (活动), the absentee's as the event.
    const attendedPage = html((await cw.get(`/firms/${a1.uscc}`).expect(200)).text);
    expect(attendedPage.querySelectorAll('.timeline li.tl-interaction').map((li) => li.text).join('|')).to.include('活动');
    expect(attendedPage.querySelectorAll('.timeline li.tl-event')).to.have.length(0);
    const absentPage = html((await cw.get(`/firms/${a3.uscc}`).expect(200)).text);
    expect(absentPage.querySelector('.timeline li.tl-event')!.text).to.include('高企申报讲诊会 · 缺席');
  });

  it('counts attendance as contact from the check-in; a corrected status keeps timeline, last contact and figures in step, losing nothing typed', async () => {
    const held = shift(TODAY, -3);
    const id = await newEvent(cw, { startsOn: held, title: '研发费用归集培训', kind: 'training' });
    await invite(cw, id, [a1.uscc, a2.uscc]).expect(303);
    const page = await cw.get(`/coaching/events/${id}`).expect(200);
    await cw.post(`/coaching/events/${id}/attendees`).type('form').send({ _formKey: formKeyOf(page.text, '#attendee-form'), attendeeFirm: a1.uscc, attendeeName: '王明' }).expect(303);
    const counsellor = await t.as('counsellor');
    const lastContact = async (f: SeededFirm) => {
      const doc = html((await counsellor.get('/coaching').expect(200)).text);
      const row = doc.querySelectorAll('table.coaching-firms tbody tr').find((tr) => tr.text.includes(f.name))!;
      return row.querySelector('td[data-last-contact]')!.text.trim();
    };
    const contacted = async () => html((await cw.get(`/coaching/summary?year=${held.slice(0, 4)}`).expect(200)).text).querySelector('[data-total=contacted]')!.text;
    const record = async () => t.db('interactions').where({ event_id: id });
    const inRecord = async () => (await t.db('interaction_firms as x').join('interactions as i', 'i.id', 'x.interaction_id').where('i.event_id', id).select('x.firm_id')).map((r) => r.firm_id).sort();
    expect(await lastContact(a1)).to.equal('从未');
    expect(await contacted()).to.equal('0');

    const checkedIn = await checkIn(cw, id, await invitationIds(id, [a1, a2])).expect(303);
    const flash = html((await cw.get(checkedIn.headers.location!).expect(200)).text).querySelector('#flash')!.text;
    expect(flash).to.include('已将 2 家企业登记为“已出席”').and.include('记入各企业的辅导记录');
    const [rec] = await record();
    expect(await record()).to.have.length(1);
    expect(rec).to.include({ channel: 'event', occurred_on: held, notes: '参加研发费用归集培训（' + held + '，市科技局三楼会议室）' });
    expect(await inRecord()).to.deep.equal([a1.id, a2.id].sort());
    expect((await t.db('event_invitations').where({ event_id: id })).map((r) => r.interaction_id)).to.deep.equal([rec.id, rec.id]);
    // Last contact, "no contact in N days" and the leaders' figures count it before any follow-up exists.
    expect(await lastContact(a1)).to.include(held).and.include('3 天前');
    expect(html((await counsellor.get('/coaching').expect(200)).text).querySelector('#nocontact-title')!.parentNode!.text).to.not.include(a1.name);
    expect(await contacted()).to.equal('2');
    const firmPage = html((await cw.get(`/firms/${a1.uscc}`).expect(200)).text);
    expect(firmPage.querySelector('.timeline li.tl-interaction')!.text).to.include('活动').and.include('参加研发费用归集培训');
    expect(firmPage.querySelectorAll('.timeline li.tl-event')).to.have.length(0);

    // Ticking the same again changes nothing, not even the audit log.
    const audited = async () => (await t.db('audit_log').where({ action: 'event.attendance' })).length;
    const n = await audited();
    await checkIn(cw, id, await invitationIds(id, [a1])).expect(303);
    expect(await audited()).to.equal(n);

    // Corrected to absent: a1 leaves the record (which stays for a2), its attendee stays; last contact and figures follow.
    await checkIn(cw, id, await invitationIds(id, [a1]), 'absent').expect(303);
    expect(await record()).to.have.length(1);
    expect(await inRecord()).to.deep.equal([a2.id]);
    expect((await t.db('event_invitations').where({ event_id: id, firm_id: a1.id }).first()).interaction_id).to.equal(null);
    expect(await t.db('event_attendees').where({ name: '王明' })).to.have.length(1);
    expect(await lastContact(a1)).to.equal('从未');
    expect(await contacted()).to.equal('1');
    const absentPage = html((await cw.get(`/firms/${a1.uscc}`).expect(200)).text);
    expect(absentPage.querySelectorAll('.timeline li.tl-interaction')).to.have.length(0);
    expect(absentPage.querySelector('.timeline li.tl-event')!.text).to.include('研发费用归集培训 · 缺席').and.include('王明');
    // …and back to attended: the same record again, once.
    await checkIn(cw, id, await invitationIds(id, [a1])).expect(303);
    expect(await record()).to.have.length(1);
    expect(await inRecord()).to.deep.equal([a1.id, a2.id].sort());
    expect(await lastContact(a1)).to.include(held);

    // The record follows the event's date; an event with attendance cannot move into the future.
    const versionOf = async () => html((await cw.get(`/coaching/events/${id}`).expect(200)).text).querySelector('#event-form input[name=version]')!.getAttribute('value');
    const moved = shift(TODAY, -2);
    await cw.post(`/coaching/events/${id}`).type('form').send({ version: await versionOf(), kind: 'training', title: '研发费用归集培训', startsOn: moved, place: '市科技局三楼会议室' }).expect(303);
    expect((await record())[0]).to.include({ occurred_on: moved, notes: `参加研发费用归集培训（${moved}，市科技局三楼会议室）` });
    const state = await eventState(t);
    const future = await cw.post(`/coaching/events/${id}`).type('form').send({ version: await versionOf(), kind: 'training', title: '研发费用归集培训', startsOn: shift(TODAY, 5) }).expect(422);
    expect(future.text).to.include('活动日期不能改到今天以后');
    expect(await eventState(t)).to.deep.equal(state);

    // The after-event action only adds the follow-ups, tied to the same record.
    const version = await versionOf();
    await cw.post(`/coaching/events/${id}/wrap-up`).type('form').send({ version }).expect(303);
    expect(await record()).to.have.length(1);
    const actions = await t.db('follow_ups').where({ source_event_id: id }).orderBy('firm_id');
    expect(actions.map((f) => [f.firm_id, f.source_interaction_id])).to.deep.equal([[a1.id, rec.id], [a2.id, rec.id]].sort((x, y) => x[0]! - y[0]!));
  });

  it('refuses an attendee for a firm not invited, a check-in before the event, an event with bad input — nothing saved', async () => {
    const future = await newEvent(cw, { startsOn: shift(TODAY, 10), title: '下周的对接活动', kind: 'matchmaking' });
    await invite(cw, future, [a1.uscc]).expect(303);
    const before = await eventState(t);
    const notInvited = await cw.post(`/coaching/events/${future}/attendees`).type('form').send({ attendeeFirm: a2.uscc, attendeeName: '李四' }).expect(422);
    expect(notInvited.text).to.include('没有受邀参加本次活动');
    expect(html(notInvited.text).querySelector('#attendee-form input[name=attendeeName]')!.getAttribute('value')).to.equal('李四');
    const early = await checkIn(cw, future, await invitationIds(future, [a1])).expect(422);
    expect(early.text).to.include('尚未开始');
    const earlyWrap = await cw.post(`/coaching/events/${future}/wrap-up`).type('form').send({ version: 2 }).expect(422);
    expect(earlyWrap.text).to.include('活动结束后才能生成跟进事项');
    // A registered status may be set before the event.
    expect(await eventState(t)).to.deep.equal(before);
    await checkIn(cw, future, await invitationIds(future, [a1]), 'registered').expect(303);

    const again = await eventState(t);
    for (const [body, message] of [
      [{ title: '' }, '请填写活动名称'],
      [{ title: '名'.repeat(101) }, '活动名称不能超过 100 字'],
      [{ endsOn: shift(TODAY, -1) }, '结束日期不能早于开始日期'],
      [{ kind: 'party' }, '请选择活动类型'],
    ] as [Record<string, string>, string][]) {
      const res = await cw.post('/coaching/events').type('form').send({ kind: 'clinic', title: '讲诊会', startsOn: TODAY, place: '科技局', ...body }).expect(422);
      expect(res.text).to.include(message);
      expect(html(res.text).querySelector('input[name=place]')!.getAttribute('value')).to.equal('科技局');
    }
    const badCodes = await invite(cw, future, [a2.uscc, '91330281XXXXXXXXXX']).expect(422);
    expect(badCodes.text).to.include('91330281XXXXXXXXXX').and.include('本次没有保存任何邀请');
    expect(await eventState(t)).to.deep.equal(again);
  });

  it('answers a stale edit with 409 and the fresh record', async () => {
    const id = await newEvent(cw);
    await cw.post(`/coaching/events/${id}`).type('form').send({ version: 1, kind: 'clinic', title: '高企申报讲诊会（第二期）', startsOn: TODAY }).expect(303);
    const before = await eventState(t);
    const res = await cw.post(`/coaching/events/${id}`).type('form').send({ version: 1, kind: 'clinic', title: '另一个名称', startsOn: TODAY }).expect(409);
    expect(res.text).to.include('刚被他人修改过').and.include('第 2 版').and.include('高企申报讲诊会（第二期）');
    expect(await eventState(t)).to.deep.equal(before);
    expect(await t.db('audit_log').where({ action: 'event.update' })).to.have.length(1);
  });

  it('a counsellor runs their own event and invites only their own firms; another counsellor\'s event is read-only; a leader reads', async () => {
    const counsellor = await t.as('counsellor');
    const own = await newEvent(counsellor, { title: '辅导员的培训', kind: 'training' });
    await invite(counsellor, own, [a1.uscc, a2.uscc]).expect(303);
    const refused = await invite(counsellor, own, [a3.uscc]).expect(422);
    expect(refused.text).to.include('不是分配给你的辅导对象');
    const theirs = await newEvent(cw);
    await invite(cw, theirs, [a1.uscc]).expect(303);
    const before = await eventState(t);
    const page = html((await counsellor.get(`/coaching/events/${theirs}`).expect(200)).text);
    expect(page.querySelector('#invite-form')).to.equal(null);
    expect(page.querySelector('#wrap-up-form')).to.equal(null);
    expect((await invite(counsellor, theirs, [a2.uscc])).status).to.equal(403);
    expect((await checkIn(counsellor, theirs, await invitationIds(theirs, [a1]))).status).to.equal(403);
    expect((await counsellor.post(`/coaching/events/${theirs}/wrap-up`).type('form').send({ version: 2 })).status).to.equal(403);
    const leader = await t.as('leader');
    expect((await leader.get('/coaching/events')).status).to.equal(200);
    expect((await leader.get(`/coaching/events/${theirs}`)).status).to.equal(200);
    expect((await leader.get(`/coaching/events/${theirs}/sign-in`)).status).to.equal(200);
    expect((await leader.get('/coaching/events/new')).status).to.equal(403);
    expect((await leader.post('/coaching/events').type('form').send({ kind: 'clinic', title: 'x', startsOn: TODAY })).status).to.equal(403);
    expect((await invite(leader, theirs, [a2.uscc])).status).to.equal(403);
    expect((await checkIn(leader, theirs, await invitationIds(theirs, [a1]))).status).to.equal(403);
    expect(await eventState(t)).to.deep.equal(before);
  });

  it('a caseworker limited to park A cannot invite a firm of park B (nothing saved) and sees only park A\'s part of an event', async () => {
    const id = await newEvent(cw);
    await invite(cw, id, [a1.uscc, b1.uscc]).expect(303);
    const scoped = await t.as('scoped');
    const before = await eventState(t);
    const res = await invite(scoped, id, [a2.uscc, b1.uscc]).expect(422);
    expect(res.text).to.include('找不到这家企业');
    expect((await scoped.post(`/coaching/events/${id}/attendees`).type('form').send({ attendeeFirm: b1.uscc, attendeeName: '越权' })).status).to.equal(422);
    expect((await checkIn(scoped, id, await invitationIds(id, [b1]))).status).to.equal(422);
    expect(await eventState(t)).to.deep.equal(before);
    const page = html((await scoped.get(`/coaching/events/${id}`).expect(200)).text);
    expect(page.querySelectorAll('.invitations tbody tr[data-firm]').map((r) => r.getAttribute('data-firm'))).to.deep.equal([a1.uscc]);
    const sheet = (await scoped.get(`/coaching/events/${id}/sign-in`).expect(200)).text;
    expect(sheet).to.include(a1.uscc).and.not.include(b1.uscc);
    await checkIn(scoped, id, await invitationIds(id, [a1])).expect(303);
    expect((await scoped.get('/coaching/events/999999')).status).to.equal(404);
  });

  it('prints the sign-in sheet and exports it as XLSX with the codes as text cells', async () => {
    const id = await newEvent(cw);
    await invite(cw, id, [a1.uscc, a2.uscc]).expect(303);
    const page = await cw.get(`/coaching/events/${id}`).expect(200);
    await cw.post(`/coaching/events/${id}/attendees`).type('form').send({ _formKey: formKeyOf(page.text, '#attendee-form'), attendeeFirm: a1.uscc, attendeeName: '=HYPERLINK("x")', attendeePhone: '057462000000' }).expect(303);
    const sheet = html((await cw.get(`/coaching/events/${id}/sign-in`).expect(200)).text);
    expect(sheet.querySelector('h1')!.text).to.equal('高企申报讲诊会 签到表');
    expect(sheet.querySelectorAll('.signin-sheet tbody tr')).to.have.length(2 + 5);
    const res = await cw.get(`/coaching/events/${id}/sign-in.xlsx`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).to.include('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const ws = wb.getWorksheet('签到表')!;
    expect(ws.getCell('A1').value).to.equal('高企申报讲诊会 签到表');
    const codes = [ws.getCell('C4').value, ws.getCell('C5').value];
    expect(codes).to.have.members([a1.uscc, a2.uscc]);
    const row = ws.getCell('C4').value === a1.uscc ? 4 : 5;
    expect(ws.getCell(`D${row}`).value).to.equal('\'=HYPERLINK("x")');
    expect(ws.getCell(`F${row}`).value).to.equal('057462000000');
    expect(ws.getCell(`C${row}`).numFmt).to.equal('@');
  });
});
