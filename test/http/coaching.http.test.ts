/**
 * Coaching (issue 9) through HTTP, on SQLite and PostgreSQL: the workspace, interactions with the
 * next-step rule (one record for many firms), follow-ups closed but never deleted, plans, counsellor
 * assignment, templates and contact thresholds — with every permission and scope refusal changing
 * nothing.
 */
import { expect } from 'chai';
import { addDays } from '../../src/domain/eligibility/dates.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import { refreshEligibility } from '../../src/features/eligibility/eligibility.service.js';
import { addPassingHteFigures, createFirm, type SeededFirm, TEST_PASSWORD, testPasswordHash } from '../helpers/factories.js';
import { Client, coachingSnapshot, createTestContext, csrfFrom, html, snapshot, type TestContext } from '../helpers/test-app.js';
import { TODAY as today } from '../helpers/today.js';

describe('coaching', () => {
  let t: TestContext;
  let counsellorId: number;
  let otherCounsellorId: number;
  let other: Client;

  before(async () => {
    t = await createTestContext();
    counsellorId = t.basics.users.counsellor.id;
    const [row] = await t.db('users')
      .insert({ username: 'counsellor2', display_name: '赵敏', role: 'counsellor', password_hash: await testPasswordHash(), is_active: true, version: 1, created_at: new Date().toISOString(), updated_at: new Date().toISOString() })
      .returning('id');
    otherCounsellorId = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    other = t.anonymous();
    expect((await other.login('counsellor2', TEST_PASSWORD)).status).to.equal(303);
  });
  after(() => t.destroy());

  const firm = (over: { counsellorId?: number | null; parkId?: number | null; stage?: 'incubating' | 'tech_sme' | 'hte_reserve' } = {}) =>
    createFirm(t.db, { stage: over.stage ?? 'hte_reserve', parkId: over.parkId === undefined ? t.basics.parks.a : over.parkId, counsellorId: over.counsellorId === undefined ? counsellorId : over.counsellorId, actorId: t.basics.users.admin.id });

  const visit = (firms: SeededFirm[], over: Record<string, unknown> = {}) => ({
    firm: firms.map((f) => f.uscc),
    occurredOn: today,
    channel: 'visit',
    reached: 'yes',
    peopleMet: '财务负责人 王芳',
    topic: ['ip', 'rd_expense'],
    notes: '梳理了专利和研发辅助账。',
    nextStep: '寄送研发费用辅助账模板',
    nextDue: addDays(today, 3),
    ...over,
  });

  describe('the counsellor’s home', () => {
    it('When a counsellor signs in, then they land on /coaching, and / sends them there too', async () => {
      const c = t.anonymous();
      const res = await c.login('counsellor');
      expect(res.headers.location).to.equal('/coaching');
      expect((await c.get('/')).headers.location).to.equal('/coaching');
      expect((await t.admin.get('/')).headers.location).to.equal('/board');
    });

    it('shows my firms by lifecycle, the queue by due state and the firms without contact; others choose a counsellor', async () => {
      const mine = await firm();
      await t.db('firms').where({ id: mine.id }).update({ lifecycle: 'growth' });
      const theirs = await firm({ counsellorId: otherCounsellorId });
      const unassigned = await firm({ counsellorId: null });
      const c = await t.as('counsellor');
      await t.db('follow_ups').insert([
        { firm_id: mine.id, title: '逾期事项', due_on: addDays(today, -1), status: 'open', created_by: counsellorId, version: 1, created_at: new Date().toISOString(), updated_at: new Date().toISOString() },
        { firm_id: mine.id, title: '今天事项', due_on: today, status: 'open', created_by: counsellorId, version: 1, created_at: new Date().toISOString(), updated_at: new Date().toISOString() },
        { firm_id: mine.id, title: '本周事项', due_on: addDays(today, 7), status: 'open', created_by: counsellorId, version: 1, created_at: new Date().toISOString(), updated_at: new Date().toISOString() },
        { firm_id: mine.id, title: '完成的事项', due_on: addDays(today, -5), status: 'done', done_on: today, result: '好', created_by: counsellorId, version: 2, created_at: new Date().toISOString(), updated_at: new Date().toISOString() },
      ]);
      const page = (await c.get('/coaching').expect(200)).text;
      const doc = html(page);
      expect(doc.querySelector('h1')!.text).to.include('李志强');
      expect(page).to.include('成长期');
      expect(page).to.include(mine.name);
      expect(page).to.not.include(theirs.name);
      expect(page).to.not.include(unassigned.name);
      const stats = doc.querySelectorAll('.queue-counts .stat-n').map((e) => e.text);
      expect(stats.slice(0, 3)).to.deep.equal(['1', '1', '1']);
      expect(doc.querySelector('.queue-overdue')!.parentNode!.text).to.include('逾期事项');
      expect(page).to.not.include('完成的事项'); // done follow-ups are never overdue
      expect(doc.querySelector('#nocontact-title')!.parentNode!.text).to.include(mine.name); // never contacted

      const cw = await t.as('caseworker');
      const forOther = (await cw.get(`/coaching?counsellor=${otherCounsellorId}`).expect(200)).text;
      expect(forOther).to.include(theirs.name);
      expect(forOther).to.not.include(mine.name);
      const none = (await cw.get('/coaching?counsellor=unassigned').expect(200)).text;
      expect(none).to.include(unassigned.name);
      expect(html(none).querySelector('form[action="/coaching/assign"]')).to.not.equal(null);
      const leader = (await (await t.as('leader')).get('/coaching?counsellor=unassigned').expect(200)).text;
      expect(leader).to.include(unassigned.name);
      expect(html(leader).querySelector('form[action="/coaching/assign"]')).to.equal(null);
    });
  });

  it('shows each firm’s readiness badge and its last successful contact (not a later call nobody answered)', async () => {
    const admin = t.basics.users.admin.id;
    const ready = await createFirm(t.db, { name: '余姚市工作台达标科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, counsellorId, foundedOn: '2012-01-01', field: 'new_materials', actorId: admin });
    const short = await createFirm(t.db, { name: '余姚市工作台差一项科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, counsellorId, foundedOn: '2012-01-01', field: 'new_materials', actorId: admin });
    const year = Number(today.slice(0, 4));
    await addPassingHteFigures(t.db, ready.id, year - 1);
    await addPassingHteFigures(t.db, short.id, year - 1);
    await t.db('annual_figures').where({ firm_id: short.id }).whereNot('year', year).update({ tech_staff_x100: 500 });
    await refreshEligibility(t.db, [ready.id, short.id]);
    const c = await t.as('counsellor');
    await c.post('/coaching/interactions').type('form').send(visit([ready], { occurredOn: addDays(today, -20), nextDue: addDays(today, 30) })).expect(303);
    await c.post('/coaching/interactions').type('form').send(visit([ready], { occurredOn: addDays(today, -5), channel: 'phone', reached: 'no', nextStep: '', nextDue: '', noFollowUp: '1' })).expect(303);
    const rowOf = (doc: ReturnType<typeof html>, f: SeededFirm) => doc.querySelectorAll('table.coaching-firms tbody tr').find((tr) => tr.text.includes(f.name))!;
    const doc = html((await c.get('/coaching').expect(200)).text);
    const chip = rowOf(doc, ready).querySelector('.readiness-chip')!;
    expect(chip.text).to.equal('高企达标待评审');
    expect(chip.classList.contains('readiness-ok')).to.equal(true);
    expect(rowOf(doc, short).querySelector('.readiness-chip')!.text).to.equal('高企差 1 项');
    expect(rowOf(doc, ready).querySelector('td[data-last-contact]')!.text.replace(/\s+/g, ' ').trim()).to.equal(`${addDays(today, -20)} 20 天前`);
    expect(rowOf(doc, short).querySelector('td[data-last-contact]')!.text.trim()).to.equal('从未');
    // Another reader of the same counsellor's firms sees the same.
    const cw = html((await (await t.as('caseworker')).get(`/coaching?counsellor=${counsellorId}`).expect(200)).text);
    expect(rowOf(cw, ready).querySelector('.readiness-chip')!.text).to.equal('高企达标待评审');
    expect(rowOf(cw, ready).querySelector('td[data-last-contact]')!.text).to.include(addDays(today, -20));
  });

  it('The firm page’s coaching timeline shows stage moves among the rest, newest first', async () => {
    const f = await createFirm(t.db, { stage: 'incubating', parkId: t.basics.parks.a, counsellorId, actorId: t.basics.users.admin.id });
    const c = await t.as('counsellor');
    await c.post('/coaching/interactions').type('form').send(visit([f], { occurredOn: addDays(today, -30), nextStep: '协助建立研发费用辅助账', nextDue: addDays(today, -25) })).expect(303);
    const fu = await t.db('follow_ups').where({ firm_id: f.id }).first();
    await c.post(`/coaching/follow-ups/${fu.id}/done`).type('form').send({ version: 1, doneOn: addDays(today, -20), result: '辅助账已建立' }).expect(303);
    await c.post('/coaching/interactions').type('form').send(visit([f], { occurredOn: addDays(today, -3), channel: 'phone', notes: '电话了解评价材料', nextStep: '', nextDue: '', noFollowUp: '1' })).expect(303);
    await t.admin.post(`/firms/${f.uscc}/stage`).type('form').send({ to: 'tech_sme', version: 1, source: 'firm_page' }).expect(303);
    const entries = html((await c.get(`/firms/${f.uscc}`).expect(200)).text).querySelectorAll('#coaching .timeline li');
    const seen = entries.map((li) => [li.classNames.split(' ')[0], li.querySelector('.tl-date')!.text]);
    expect(seen).to.deep.equal([
      ['tl-stage', today],
      ['tl-interaction', addDays(today, -3)],
      ['tl-follow_up', addDays(today, -20)],
      ['tl-interaction', addDays(today, -30)],
      ['tl-stage', '2024-01-01'],
    ]);
    expect(entries[0]!.text).to.include('孵化培育 → 科技型中小企业').and.include('系统管理员');
    expect(entries[4]!.text).to.include('孵化培育');
    expect(entries[2]!.text).to.include('辅助账已建立');
  });

  it('The board card shows the next follow-up date and flags an overdue one', async () => {
    const late = await firm({ counsellorId: otherCounsellorId });
    const soon = await firm({ counsellorId: otherCounsellorId });
    const at = new Date().toISOString();
    const row = (firmId: number, due: string) => ({ firm_id: firmId, title: '回访', due_on: due, status: 'open', created_by: counsellorId, version: 1, created_at: at, updated_at: at });
    await t.db('follow_ups').insert([row(late.id, addDays(today, -2)), row(late.id, addDays(today, 5)), row(soon.id, addDays(today, 4))]);
    const doc = html((await t.admin.get('/board').expect(200)).text);
    const lateCard = doc.getElementById(`card-${late.uscc}`)!.querySelector('.card-follow-up')!;
    expect(lateCard.text).to.include(`跟进逾期 ${addDays(today, -2)}`);
    expect(lateCard.classList.contains('due-overdue')).to.equal(true);
    expect(doc.getElementById(`card-${soon.uscc}`)!.querySelector('.card-follow-up')!.text).to.include(`下次跟进 ${addDays(today, 4)}`);
  });

  describe('interactions and the next-step rule', () => {
    it('When a counsellor records a visit with a next step, then the interaction, its follow-up and an audit row are saved together', async () => {
      const f = await firm();
      const c = await t.as('counsellor');
      const res = await c.post('/coaching/interactions').type('form').send(visit([f])).expect(303);
      expect(res.headers.location).to.equal(`/firms/${f.uscc}#coaching`);
      const links = await t.db('interaction_firms').where({ firm_id: f.id });
      expect(links).to.have.length(1);
      const i = await t.db('interactions').where({ id: links[0].interaction_id }).first();
      expect(i).to.include({ channel: 'visit', counsellor_id: counsellorId, topics: 'ip,rd_expense', occurred_on: today });
      expect(!!i.reached).to.equal(true);
      const fu = await t.db('follow_ups').where({ firm_id: f.id }).first();
      expect(fu).to.include({ title: '寄送研发费用辅助账模板', due_on: addDays(today, 3), status: 'open', source_interaction_id: i.id });
      const audit = await t.db('audit_log').where({ action: 'coaching.interaction', object_id: f.uscc }).first();
      expect(JSON.parse(audit.after)).to.include({ 方式: '走访', 联系结果: '已联系上', 议题: '知识产权、研发费用归集' });
      const firmPage = (await c.get(`/firms/${f.uscc}`).expect(200)).text;
      const panel = html(firmPage).getElementById('coaching')!;
      expect(panel.text).to.include('寄送研发费用辅助账模板');
      expect(panel.querySelector('.timeline')!.text).to.include('财务负责人 王芳');
      const audited = (await t.admin.get('/admin/audit').expect(200)).text;
      expect(audited).to.include('记录辅导');
    });

    it('When one park visit covers several firms, then it is recorded once for all of them, with a follow-up each', async () => {
      const a = await firm();
      const b = await firm();
      const before = await coachingSnapshot(t.db);
      await (await t.as('counsellor')).post('/coaching/interactions').type('form').send(visit([a, b])).expect(303);
      const after = await coachingSnapshot(t.db);
      expect(after.interactions - before.interactions).to.equal(1);
      expect(after.interactionFirms - before.interactionFirms).to.equal(2);
      expect(after.followUps.length - before.followUps.length).to.equal(2);
      const ia = await t.db('interaction_firms').where({ firm_id: a.id }).first();
      const ib = await t.db('interaction_firms').where({ firm_id: b.id }).first();
      expect(ia.interaction_id).to.equal(ib.interaction_id);
    });

    it('With an explicit "no follow-up", then the interaction is saved without a follow-up', async () => {
      const f = await firm();
      await (await t.as('counsellor')).post('/coaching/interactions').type('form').send(visit([f], { nextStep: '', nextDue: '', noFollowUp: '1', reached: 'no', channel: 'phone' })).expect(303);
      expect(await t.db('follow_ups').where({ firm_id: f.id })).to.have.length(0);
      const i = await t.db('interactions').whereIn('id', t.db('interaction_firms').select('interaction_id').where({ firm_id: f.id })).first();
      expect(!!i.no_follow_up).to.equal(true);
      expect(!!i.reached).to.equal(false);
    });

    const refusals: [string, Record<string, unknown>, string][] = [
      ['neither a next step nor "no follow-up"', { nextStep: '', nextDue: '' }, '请填写下一步及其到期日，或勾选“无需跟进”。'],
      ['a follow-up due before the interaction', { occurredOn: addDays(today, -3), nextDue: addDays(today, -4) }, '下一步的到期日不能早于本次辅导的日期。'],
      ['an interaction in the future', { occurredOn: addDays(today, 1), nextDue: addDays(today, 2) }, '辅导日期不能晚于今天。'],
      ['notes over the limit', { notes: '记'.repeat(4001) }, '记录不能超过 4000 个字'],
      ['a channel outside the list', { channel: 'event' }, '请选择辅导方式'],
      ['no firm', { firm: [] }, '请至少选择一家企业。'],
    ];
    for (const [what, over, message] of refusals) {
      it(`refuses ${what}: 422, a Chinese message, the form as typed, nothing saved`, async () => {
        const f = await firm();
        const c = await t.as('counsellor');
        const before = await snapshot(t.db);
        const res = await c.post('/coaching/interactions').type('form').send(visit([f], over)).expect(422);
        expect(res.text).to.include(message);
        expect(res.text).to.include('财务负责人 王芳');
        expect(await snapshot(t.db)).to.deep.equal(before);
      });
    }

    it('When the same form is submitted twice (double click), then one interaction is recorded', async () => {
      const f = await firm();
      const c = await t.as('counsellor');
      const form = (await c.get(`/coaching/interactions/new?firm=${f.uscc}`).expect(200)).text;
      const key = html(form).querySelector('input[name="_formKey"]')!.getAttribute('value');
      const body = { ...visit([f]), _formKey: key };
      const [r1, r2] = await Promise.all([c.post('/coaching/interactions').type('form').send(body), c.post('/coaching/interactions').type('form').send(body)]);
      expect([r1.status, r2.status].sort()).to.deep.equal([303, 303]);
      expect(await t.db('interaction_firms').where({ firm_id: f.id })).to.have.length(1);
      expect(await t.db('follow_ups').where({ firm_id: f.id })).to.have.length(1);
    });
  });

  describe('permissions and scope', () => {
    it('A counsellor reads another counsellor’s firm but cannot write for it (403, nothing saved)', async () => {
      const f = await firm({ counsellorId: otherCounsellorId });
      const c = await t.as('counsellor');
      const page = (await c.get(`/firms/${f.uscc}`).expect(200)).text;
      expect(page).to.include('辅导记录只能查看');
      expect(html(page).querySelector(`a[href^="/coaching/interactions/new"]`)).to.equal(null);
      const before = await snapshot(t.db);
      const res = await c.post('/coaching/interactions').type('form').send(visit([f])).expect(403);
      expect(res.text).to.include('不是分配给你的辅导对象');
      await c.get(`/firms/${f.uscc}/coaching/plan`).expect(403);
      await c.post(`/firms/${f.uscc}/coaching/plan`).type('form').send({ lifecycle: 'growth', firmVersion: 1, planVersion: '' }).expect(403);
      expect(await snapshot(t.db)).to.deep.equal(before);
      // Its own counsellor may.
      await other.post('/coaching/interactions').type('form').send(visit([f])).expect(303);
    });

    it('A multi-firm visit with one firm that is not mine is refused whole', async () => {
      const mine = await firm();
      const theirs = await firm({ counsellorId: otherCounsellorId });
      const before = await snapshot(t.db);
      await (await t.as('counsellor')).post('/coaching/interactions').type('form').send(visit([mine, theirs])).expect(403);
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('A caseworker limited to park A writes for any firm of park A; a firm of park B answers 404 and nothing is saved', async () => {
      const inA = await firm({ counsellorId: null });
      const inB = await firm({ parkId: t.basics.parks.b });
      const scoped = await t.as('scoped');
      const before = await snapshot(t.db);
      const res = await scoped.post('/coaching/interactions').type('form').send(visit([inB])).expect(404);
      expect(res.text).to.include('找不到这家企业');
      await scoped.get(`/firms/${inB.uscc}/coaching/plan`).expect(404);
      await scoped.post(`/firms/${inB.uscc}/coaching/plan`).type('form').send({ lifecycle: 'growth', firmVersion: 1, planVersion: '' }).expect(404);
      await scoped.post('/coaching/assign').type('form').send({ firm: inB.uscc, counsellorId }).expect(404);
      expect(await snapshot(t.db)).to.deep.equal(before);
      await scoped.post('/coaching/interactions').type('form').send(visit([inA])).expect(303);
      const queue = (await scoped.get('/coaching').expect(200)).text;
      expect(queue).to.not.include(inB.name);
    });

    it('A leader reads every coaching page and writes nothing (403)', async () => {
      const f = await firm();
      const leader = await t.as('leader');
      await leader.get('/coaching').expect(200);
      await leader.get(`/firms/${f.uscc}`).expect(200);
      const before = await snapshot(t.db);
      await leader.post('/coaching/interactions').type('form').send(visit([f])).expect(403);
      await leader.post('/coaching/assign').type('form').send({ firm: f.uscc, counsellorId }).expect(403);
      await leader.post('/coaching/apply').type('form').send({ templateId: 1, startOn: today, firm: f.uscc }).expect(403);
      expect(await snapshot(t.db)).to.deep.equal(before);
    });
  });

  describe('follow-ups are closed, never deleted', () => {
    async function openFollowUp(f: SeededFirm) {
      await (await t.as('counsellor')).post('/coaching/interactions').type('form').send(visit([f])).expect(303);
      return t.db('follow_ups').where({ firm_id: f.id }).first();
    }

    it('open → done with a date and a result; it stays in the timeline, and closing it again answers 409 with its state', async () => {
      const f = await firm();
      const fu = await openFollowUp(f);
      const c = await t.as('counsellor');
      await c.post(`/coaching/follow-ups/${fu.id}/done`).type('form').send({ version: 1, doneOn: today, result: '已寄送，企业确认收到' }).expect(303);
      const row = await t.db('follow_ups').where({ id: fu.id }).first();
      expect(row).to.include({ status: 'done', done_on: today, result: '已寄送，企业确认收到', version: 2, closed_by: counsellorId });
      const page = html((await c.get(`/firms/${f.uscc}`).expect(200)).text);
      expect(page.querySelector('.timeline')!.text).to.include('已寄送，企业确认收到');
      const again = await c.post(`/coaching/follow-ups/${fu.id}/cancel`).set('HX-Request', 'true').type('form').send({ version: 1, reason: '重复' }).expect(409);
      expect(again.text).to.include('已经办结');
      expect(again.text).to.include('已完成');
      expect((await t.db('follow_ups').where({ id: fu.id }).first()).status).to.equal('done');
    });

    it('open → cancelled needs a reason; a stale version answers 409 with the fresh record', async () => {
      const f = await firm();
      const fu = await openFollowUp(f);
      const c = await t.as('counsellor');
      const before = await snapshot(t.db);
      const res = await c.post(`/coaching/follow-ups/${fu.id}/cancel`).set('HX-Request', 'true').type('form').send({ version: 1, reason: '' }).expect(422);
      expect(res.text).to.include('请填写取消原因。');
      await c.post(`/coaching/follow-ups/${fu.id}/done`).type('form').send({ version: 1, doneOn: addDays(today, 1), result: '好' }).expect(422);
      await c.post(`/coaching/follow-ups/${fu.id}/done`).type('form').send({ version: 1, doneOn: today, result: '长'.repeat(1001) }).expect(422);
      expect(await snapshot(t.db)).to.deep.equal(before);
      await t.db('follow_ups').where({ id: fu.id }).update({ due_on: addDays(today, 10), version: 2 }); // someone rescheduled it
      const stale = await c.post(`/coaching/follow-ups/${fu.id}/cancel`).type('form').send({ version: 1, reason: '企业暂停申报' }).expect(409);
      expect(stale.text).to.include('刚被他人处理或修改过');
      expect(stale.text).to.include(addDays(today, 10));
      await c.post(`/coaching/follow-ups/${fu.id}/cancel`).type('form').send({ version: 2, reason: '企业暂停申报' }).expect(303);
      expect(await t.db('follow_ups').where({ id: fu.id }).first()).to.include({ status: 'cancelled', cancel_reason: '企业暂停申报' });
    });

    it('another counsellor cannot close my follow-up (403), a scoped caseworker outside the park gets 404', async () => {
      const f = await firm({ parkId: t.basics.parks.b });
      const fu = await openFollowUp(f);
      await other.post(`/coaching/follow-ups/${fu.id}/done`).type('form').send({ version: 1, doneOn: today, result: '好' }).expect(403);
      await (await t.as('scoped')).post(`/coaching/follow-ups/${fu.id}/done`).type('form').send({ version: 1, doneOn: today, result: '好' }).expect(404);
      expect((await t.db('follow_ups').where({ id: fu.id }).first()).status).to.equal('open');
    });

    it('the queue lists an item without its forms and fetches them when 办结… is opened (a page without script), returning to the workspace', async () => {
      const f = await firm();
      const fu = await openFollowUp(f);
      await t.db('follow_ups').where({ id: fu.id }).update({ due_on: today });
      const c = await t.as('counsellor');
      const item = html((await c.get('/coaching').expect(200)).text).getElementById(`follow-up-${fu.id}`)!;
      expect(item.querySelector('form')).to.equal(null);
      const details = item.querySelector('details.follow-up-close')!;
      expect(details.getAttribute('hx-trigger')).to.equal('toggle once');
      const url = details.getAttribute('hx-get')!;
      expect(url).to.equal(`/coaching/follow-ups/${fu.id}?next=%2Fcoaching`);
      expect(item.querySelector('.follow-up-close-body a')!.getAttribute('href')).to.equal(url);

      const forms = html((await c.get(url).set('HX-Request', 'true').expect(200)).text);
      expect(forms.querySelectorAll('form').map((x) => x.getAttribute('action'))).to.deep.equal([`/coaching/follow-ups/${fu.id}/done`, `/coaching/follow-ups/${fu.id}/cancel`]);
      expect(forms.querySelector('input[name="next"]')!.getAttribute('value')).to.equal('/coaching');
      expect(forms.querySelector('input[name="_csrf"]')!.getAttribute('value')).to.not.equal('');
      const page = html((await c.get(url).expect(200)).text);
      expect(page.querySelector('h1')!.text).to.equal('处理跟进事项');
      expect(page.querySelector('details.follow-up-close')!.getAttribute('open')).to.not.equal(undefined);

      await other.get(url).expect(403);
      const outside = await openFollowUp(await firm({ parkId: t.basics.parks.b }));
      await (await t.as('scoped')).get(`/coaching/follow-ups/${outside.id}`).expect(404);
      await c.get('/coaching/follow-ups/999999').expect(404);
      await c.post(`/coaching/follow-ups/${fu.id}/done`).type('form').send({ version: 1, doneOn: today, result: '已办' }).expect(303);
      expect((await c.get(url).set('HX-Request', 'true').expect(200)).text).to.include('这个跟进事项已经完成');
    });
  });

  describe('plans, lifecycle and assignment', () => {
    it('A counsellor sets the lifecycle and the plan of their firm; a stale version answers 409 keeping what was typed', async () => {
      const f = await firm();
      const c = await t.as('counsellor');
      const form = (await c.get(`/firms/${f.uscc}/coaching/plan`).expect(200)).text;
      expect(html(form).querySelector('input[name="firmVersion"]')!.getAttribute('value')).to.equal('1');
      const year = Number(today.slice(0, 4)) + 1;
      await c.post(`/firms/${f.uscc}/coaching/plan`).type('form').send({ lifecycle: 'growth', goals: '明年申报高企', targetCertification: 'hte', targetYear: year, firmVersion: 1, planVersion: '' }).expect(303);
      expect(await t.db('firms').where({ id: f.id }).first()).to.include({ lifecycle: 'growth', version: 2 });
      expect(await t.db('coaching_plans').where({ firm_id: f.id }).first()).to.include({ goals: '明年申报高企', target_certification: 'hte', target_year: year, version: 1 });
      const stale = await c.post(`/firms/${f.uscc}/coaching/plan`).type('form').send({ lifecycle: 'mature', goals: '我的新目标', targetCertification: 'hte', targetYear: year, firmVersion: 1, planVersion: '' }).expect(409);
      expect(stale.text).to.include('已被他人修改');
      expect(stale.text).to.include('我的新目标');
      expect(html(stale.text).querySelector('input[name="firmVersion"]')!.getAttribute('value')).to.equal('2');
      const bad = await c.post(`/firms/${f.uscc}/coaching/plan`).type('form').send({ lifecycle: 'growth', goals: '长'.repeat(2001), targetYear: '1999', firmVersion: 2, planVersion: 1 }).expect(422);
      expect(bad.text).to.include('辅导目标不能超过 2000 个字');
      expect(bad.text).to.include('目标年度应为');
      // The counsellor still may not move stages or edit the firm's profile and figures.
      await c.post(`/firms/${f.uscc}/stage`).type('form').send({ to: 'hte_applying', version: 2, source: 'board' }).expect(403);
      await c.post(`/firms/${f.uscc}/figures/2025`).type('form').send({ version: 0, salesRevenue: '100' }).expect(403);
      const audit = await t.db('audit_log').where({ action: 'coaching.plan', object_id: f.uscc }).first();
      expect(JSON.parse(audit.after)).to.include({ lifecycle: 'growth', targetCertification: 'hte' });
    });

    it('Setting the lifecycle asks the permission table’s firms.lifecycle, wherever it is set (the plan, the firm’s profile)', async () => {
      const f = await firm();
      const c = await t.as('counsellor');
      const cw = await t.as('caseworker');
      const table = PERMISSIONS as unknown as Record<string, readonly string[]>;
      const kept = table['firms.lifecycle']!;
      // The table as it is: a counsellor sets the lifecycle of their firm with its plan.
      expect(html((await c.get(`/firms/${f.uscc}/coaching/plan`).expect(200)).text).querySelector('#plan-form select[name=lifecycle]')).to.not.equal(null);
      table['firms.lifecycle'] = ['admin'];
      try {
        const form = html((await c.get(`/firms/${f.uscc}/coaching/plan`).expect(200)).text);
        expect(form.querySelector('#plan-form select[name=lifecycle]')).to.equal(null);
        expect(form.querySelector('[data-lifecycle-readonly]')!.text).to.include('未判断').and.include('你的角色不能设定生命周期');
        const before = await snapshot(t.db);
        const refused = await c.post(`/firms/${f.uscc}/coaching/plan`).type('form').send({ lifecycle: 'growth', goals: '申报高企', firmVersion: 1, planVersion: '' }).expect(403);
        expect(refused.text).to.include('不能执行此操作');
        const profile = { uscc: f.uscc, name: f.name, parkId: String(t.basics.parks.a), foundedOn: '2015-06-01', counsellorId: String(counsellorId), lifecycle: 'mature', version: '1' };
        const edit = await cw.post(`/firms/${f.uscc}`).type('form').send(profile).expect(403);
        expect(edit.text).to.include('你的角色不能设定企业的生命周期');
        expect(await snapshot(t.db)).to.deep.equal(before);
        // The rest of the plan is still theirs to save.
        await c.post(`/firms/${f.uscc}/coaching/plan`).type('form').send({ lifecycle: '', goals: '申报高企', firmVersion: 1, planVersion: '' }).expect(303);
        expect(await t.db('coaching_plans').where({ firm_id: f.id }).first()).to.include({ goals: '申报高企' });
        expect((await t.db('firms').where({ id: f.id }).first()).lifecycle).to.equal(null);
      } finally {
        table['firms.lifecycle'] = kept;
      }
      await cw.post(`/firms/${f.uscc}`).type('form').send({ uscc: f.uscc, name: f.name, parkId: String(t.basics.parks.a), foundedOn: '2015-06-01', counsellorId: String(counsellorId), lifecycle: 'mature', version: '1' }).expect(303);
      expect((await t.db('firms').where({ id: f.id }).first()).lifecycle).to.equal('mature');
    });

    it('A caseworker assigns a counsellor to many firms at once (checkboxes, or everything a filter matches); a counsellor may not', async () => {
      const a = await firm({ counsellorId: null, stage: 'incubating' });
      const b = await firm({ counsellorId: null, stage: 'incubating' });
      const c = await t.as('counsellor');
      await c.post('/coaching/assign').type('form').send({ firm: [a.uscc, b.uscc], counsellorId }).expect(403);
      const cw = await t.as('caseworker');
      await cw.post('/coaching/assign').type('form').send({ firm: [a.uscc, b.uscc], counsellorId: otherCounsellorId }).expect(303);
      expect((await t.db('firms').whereIn('id', [a.id, b.id])).map((r) => r.counsellor_id)).to.deep.equal([otherCounsellorId, otherCounsellorId]);
      expect(await t.db('audit_log').where({ action: 'coaching.assign' }).whereIn('object_id', [a.uscc, b.uscc])).to.have.length(2);
      // From a board filter: every firm of park B in 孵化培育 (not those of park A).
      const inB = await firm({ counsellorId: null, stage: 'incubating', parkId: t.basics.parks.b });
      const board = html((await cw.get(`/board?park=${t.basics.parks.b}`).expect(200)).text).querySelector('.assign-filtered form')!;
      expect(board.querySelector('input[name="park"]')!.getAttribute('value')).to.equal(String(t.basics.parks.b));
      expect(board.querySelector('input[name="scope"]')!.getAttribute('value')).to.equal('filter');
      expect(html((await (await t.as('leader')).get(`/board?park=${t.basics.parks.b}`).expect(200)).text).querySelector('.assign-filtered')).to.equal(null);
      await cw.post('/coaching/assign').type('form').send({ scope: 'filter', park: t.basics.parks.b, stage: 'incubating', counsellorId }).expect(303);
      expect((await t.db('firms').where({ id: inB.id }).first()).counsellor_id).to.equal(counsellorId);
      expect((await t.db('firms').where({ id: a.id }).first()).counsellor_id).to.equal(otherCounsellorId);
      const unknown = await cw.post('/coaching/assign').type('form').send({ firm: a.uscc, counsellorId: t.basics.users.leader.id }).expect(422);
      expect(unknown.text).to.include('请选择列表中的辅导员');
      // One firm with a stale version: 409, nothing changed.
      const stale = await cw.post('/coaching/assign').type('form').send({ firm: a.uscc, version: 1, counsellorId }).expect(409);
      expect(stale.text).to.include('刚被他人修改过');
      expect((await t.db('firms').where({ id: a.id }).first()).counsellor_id).to.equal(otherCounsellorId);
    });
  });

  describe('templates and contact thresholds', () => {
    it('An administrator edits templates; applying one to many firms creates follow-ups at start + offset, once', async () => {
      const admin = t.admin;
      const c = await t.as('counsellor');
      await c.get('/coaching/templates').expect(403);
      await c.post('/coaching/templates').type('form').send({ lifecycle: 'growth', name: 'x', steps: '+0 走访' }).expect(403);
      const bad = await admin.post('/coaching/templates').type('form').send({ lifecycle: 'growth', name: '成长期', steps: '走访' }).expect(422);
      expect(bad.text).to.include('第 1 行看不懂');
      await admin.post('/coaching/templates').type('form').send({ lifecycle: 'growth', name: '成长期培育', steps: '+0 走访\n+30 知识产权梳理\n+60 研发费用归集辅导' }).expect(303);
      const tpl = await t.db('coaching_templates').where({ name: '成长期培育' }).first();
      const a = await firm();
      const b = await firm();
      const start = '2026-01-15';
      await c.post('/coaching/apply').type('form').send({ templateId: tpl.id, startOn: start, firm: [a.uscc, b.uscc] }).expect(303);
      const rows = await t.db('follow_ups').where({ firm_id: a.id }).orderBy('due_on');
      expect(rows.map((r) => [r.title, r.due_on])).to.deep.equal([['走访', '2026-01-15'], ['知识产权梳理', '2026-02-14'], ['研发费用归集辅导', '2026-03-16']]);
      await c.post('/coaching/apply').type('form').send({ templateId: tpl.id, startOn: start, firm: [a.uscc] }).expect(303);
      expect(await t.db('follow_ups').where({ firm_id: a.id })).to.have.length(3);
      expect(await t.db('follow_ups').where({ firm_id: b.id })).to.have.length(3);
      // A counsellor cannot apply to another counsellor's firm.
      const theirs = await firm({ counsellorId: otherCounsellorId });
      await c.post('/coaching/apply').type('form').send({ templateId: tpl.id, startOn: start, firm: theirs.uscc }).expect(403);
      // Concurrent edit of a template: 409 keeping the text typed.
      await admin.post(`/coaching/templates/${tpl.id}`).type('form').send({ version: 1, lifecycle: 'growth', name: '成长期培育', steps: '+0 走访\n+45 知识产权梳理' }).expect(303);
      const stale = await admin.post(`/coaching/templates/${tpl.id}`).type('form').send({ version: 1, lifecycle: 'growth', name: '成长期培育', steps: '+0 走访\n+99 我的版本' }).expect(409);
      expect(stale.text).to.include('+99 我的版本');
      expect(stale.text).to.include('已被他人修改');
    });

    it('An administrator sets "no contact in N days" per stage; every page uses the new N', async () => {
      const f = await firm({ stage: 'tech_sme' });
      const c = await t.as('counsellor');
      await c.post('/coaching/interactions').type('form').send(visit([f], { occurredOn: addDays(today, -40), nextDue: addDays(today, -39) })).expect(303);
      const section = async () => html((await c.get('/coaching').expect(200)).text).querySelector('#nocontact-title')!.parentNode!.text;
      expect(await section()).to.not.include(f.name); // 40 days < 120
      await c.post('/coaching/settings').type('form').send({ tech_sme: 30 }).expect(403);
      const bad = await t.admin.post('/coaching/settings').type('form').send({ incubating: 180, tech_sme: 'x', hte_reserve: 60, hte_applying: 30, hte_certified: 180, benchmark: 180 }).expect(422);
      expect(bad.text).to.include('请填写 1–730 之间的天数');
      await t.admin.post('/coaching/settings').type('form').send({ incubating: 180, tech_sme: 40, hte_reserve: 60, hte_applying: 30, hte_certified: 180, benchmark: 180 }).expect(303);
      expect(await section()).to.include(f.name); // 40 days ≥ 40
      expect(csrfFrom((await t.admin.get('/coaching/settings').expect(200)).text)).to.be.a('string');
    });
  });
});
