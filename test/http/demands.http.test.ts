/** Technical demands through HTTP: collecting, moving, partners, the register; scope, roles, 409, double submits. */
import { expect } from 'chai';
import { createFirm, type SeededFirm } from '../helpers/factories.js';
import { type Client, createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { TODAY } from '../helpers/today.js';

const YEAR = Number(TODAY.slice(0, 4));
const shift = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

async function demandState(t: TestContext) {
  const [demands, partners, changes, audit] = await Promise.all([
    t.db('demands').select('id', 'status', 'version', 'status_reason', 'resolution', 'contract_value').orderBy('id'),
    t.db('demand_partners').count({ n: '*' }).first(),
    t.db('demand_changes').count({ n: '*' }).first(),
    t.db('audit_log').where('action', 'like', 'demand.%').count({ n: '*' }).first(),
  ]);
  return { demands, partners: Number(partners?.n), changes: Number(changes?.n), audit: Number(audit?.n) };
}

const formKeyOf = (page: string) => html(page).querySelector('input[name=_formKey]')!.getAttribute('value')!;

describe('technical demands (技术需求)', () => {
  let t: TestContext;
  let cw: Client;
  let firm: SeededFirm;
  let mine: SeededFirm;
  let others: SeededFirm;
  let otherCounsellor: number;

  beforeEach(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    const [row] = await t.db('users')
      .insert({ username: 'counsellor2', display_name: '赵敏', role: 'counsellor', is_active: true, version: 1, created_at: TODAY, updated_at: TODAY })
      .returning('id');
    otherCounsellor = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    const admin = t.basics.users.admin.id;
    firm = await createFirm(t.db, { name: '余姚市需求测试科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.b, field: 'new_materials', actorId: admin });
    mine = await createFirm(t.db, { name: '余姚市我的辅导企业有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, counsellorId: t.basics.users.counsellor.id, actorId: admin });
    others = await createFirm(t.db, { name: '余姚市别人的辅导企业有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, counsellorId: otherCounsellor, actorId: admin });
  });
  afterEach(() => t.destroy());

  async function collect(c: Client, f: SeededFirm, extra: Record<string, string> = {}) {
    const page = await c.get(`/firms/${f.uscc}/demands/new`).expect(200);
    const res = await c.post(`/firms/${f.uscc}/demands`).type('form').send({ _formKey: formKeyOf(page.text), title: '高导热复合材料配方优化', field: 'new_materials', description: '导热系数不足', targets: '导热系数≥5 W/(m·K)', budgetBand: '50_100', contactName: '张工', contactPhone: '13800000000', collectedOn: TODAY, ...extra });
    return res;
  }
  async function created(c: Client, f: SeededFirm, extra: Record<string, string> = {}) {
    const res = await collect(c, f, extra);
    expect(res.status, res.text.slice(0, 500)).to.equal(303);
    return res;
  }
  const idFrom = (location: string | undefined) => Number(/\/coaching\/demands\/(\d+)$/.exec(location ?? "")![1]);
  const move = (c: Client, id: number, version: number, body: Record<string, string>) => c.post(`/coaching/demands/${id}/move`).type('form').send({ version, ...body });

  it('collects a demand once on a double submit, with its change, its audit row and the register counting it against 100', async () => {
    const page = await cw.get(`/firms/${firm.uscc}/demands/new`).expect(200);
    const key = formKeyOf(page.text);
    const body = { _formKey: key, title: '高导热复合材料配方优化', field: 'new_materials', targets: '导热系数≥5', budgetBand: '50_100', collectedOn: TODAY };
    const [a, b] = await Promise.all([cw.post(`/firms/${firm.uscc}/demands`).type('form').send(body), cw.post(`/firms/${firm.uscc}/demands`).type('form').send(body)]);
    expect([a.status, b.status]).to.deep.equal([303, 303]);
    const again = await cw.post(`/firms/${firm.uscc}/demands`).type('form').send(body).expect(303);
    expect(again.headers.location).to.equal(a.headers.location);
    const rows = await t.db('demands');
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ status: 'collected', title: '高导热复合材料配方优化', budget_band: '50_100', firm_id: firm.id });
    expect(await t.db('demand_changes').where({ demand_id: rows[0].id, kind: 'create', to_status: 'collected' })).to.have.length(1);
    const audit = await t.db('audit_log').where({ action: 'demand.create' });
    expect(audit).to.have.length(1);
    expect(audit[0].object_id).to.equal(firm.uscc);
    const register = html((await cw.get(`/coaching/demands?year=${YEAR}`).expect(200)).text);
    expect(register.querySelector('[data-figure=collected]')!.text).to.equal('1');
    expect(register.text).to.include('目标 100 项以上');
    expect(register.querySelector('[data-status=collected] .count')!.text).to.equal('1');
    expect(register.querySelector('#demands-table tbody')!.text).to.include('高导热复合材料配方优化').and.include('余姚市需求测试科技有限公司');
    const log = html((await t.admin.get('/admin/audit').expect(200)).text);
    expect(log.text).to.include('登记技术需求');
  });

  it('keeps the interaction a demand was collected in only when it covers the firm', async () => {
    const { insertInteraction } = await import('../../src/features/coaching/interactions.queries.js');
    const at = new Date().toISOString();
    const visit = await insertInteraction(t.db, { firmIds: [firm.id], occurredOn: TODAY, channel: 'visit', counsellorId: null, reached: true, createdBy: t.basics.users.caseworker.id, at });
    const other = await insertInteraction(t.db, { firmIds: [mine.id], occurredOn: TODAY, channel: 'visit', counsellorId: null, reached: true, createdBy: t.basics.users.caseworker.id, at });
    const a = idFrom((await created(cw, firm, { interactionId: String(visit) })).headers.location);
    const b = idFrom((await created(cw, firm, { interactionId: String(other) })).headers.location);
    expect((await t.db('demands').where({ id: a }).first()).interaction_id).to.equal(visit);
    expect((await t.db('demands').where({ id: b }).first()).interaction_id).to.equal(null);
  });

  it('collects a demand in an interaction: offered after the visit and in the firm\'s timeline, and the demand says which interaction it came from', async () => {
    const counsellor = await t.as('counsellor');
    const visitedOn = shift(TODAY, -1);
    const recorded = await counsellor.post('/coaching/interactions').type('form')
      .send({ firm: mine.uscc, occurredOn: visitedOn, channel: 'visit', reached: 'yes', topic: ['ip'], notes: '企业提出导热材料难题', nextStep: '回访', nextDue: TODAY }).expect(303);
    const visit = (await t.db('interaction_firms').where({ firm_id: mine.id }).first()).interaction_id as number;
    const offer = `/firms/${mine.uscc}/demands/new?interaction=${visit}`;
    const firmPage = html((await counsellor.get(recorded.headers.location!).expect(200)).text);
    const after = firmPage.querySelector('#flash a[data-flash-action]')!;
    expect(after.getAttribute('href')).to.equal(offer);
    expect(after.text).to.equal('登记技术需求');
    expect(firmPage.querySelector('#coaching .timeline li.tl-interaction a[data-action]')!.getAttribute('href')).to.equal(offer);

    const form = html((await counsellor.get(offer).expect(200)).text);
    expect(form.querySelector('#demand-form input[name=interactionId]')!.getAttribute('value')).to.equal(String(visit));
    expect(form.querySelector('[data-demand-source]')!.text).to.include(`${visitedOn} 走访 · 李志强`);
    expect(form.querySelector('input[name=collectedOn]')!.getAttribute('value')).to.equal(visitedOn);
    const saved = await counsellor.post(`/firms/${mine.uscc}/demands`).type('form')
      .send({ _formKey: form.querySelector('#demand-form input[name=_formKey]')!.getAttribute('value'), interactionId: String(visit), title: '导热材料配方', collectedOn: visitedOn }).expect(303);
    const id = idFrom(saved.headers.location);
    expect((await t.db('demands').where({ id }).first()).interaction_id).to.equal(visit);
    const demandPage = html((await counsellor.get(`/coaching/demands/${id}`).expect(200)).text);
    const source = demandPage.querySelector('[data-demand-source]')!;
    expect(source.text).to.include(`${visitedOn} 走访 · 李志强`);
    expect(source.querySelector('a')!.getAttribute('href')).to.equal(`/firms/${mine.uscc}#coaching`);

    // Another firm's interaction is not carried: the form collects on its own, and so does the demand.
    const { insertInteraction } = await import('../../src/features/coaching/interactions.queries.js');
    const elsewhere = await insertInteraction(t.db, { firmIds: [others.id], occurredOn: TODAY, channel: 'phone', counsellorId: null, reached: true, createdBy: t.basics.users.admin.id, at: new Date().toISOString() });
    const plain = html((await counsellor.get(`/firms/${mine.uscc}/demands/new?interaction=${elsewhere}`).expect(200)).text);
    expect(plain.querySelector('#demand-form input[name=interactionId]')).to.equal(null);
    expect(plain.querySelector('[data-demand-source]')).to.equal(null);
    const own = idFrom((await created(counsellor, mine)).headers.location);
    expect(html((await counsellor.get(`/coaching/demands/${own}`).expect(200)).text).querySelector('[data-demand-source]')!.text).to.equal('单独登记');

    // An event's attendance is an interaction too: its timeline entry offers the same, and the demand links to the event.
    const eventForm = await cw.get('/coaching/events/new').expect(200);
    const made = await cw.post('/coaching/events').type('form').send({ _formKey: formKeyOf(eventForm.text), kind: 'matchmaking', title: '产学研对接会', startsOn: TODAY }).expect(303);
    const eventId = Number(/(\d+)$/.exec(made.headers.location!)![1]);
    await cw.post(`/coaching/events/${eventId}/invitations`).type('form').send({ codes: mine.uscc }).expect(303);
    const invitation = await t.db('event_invitations').where({ event_id: eventId }).first();
    await cw.post(`/coaching/events/${eventId}/attendance`).type('form').send({ status: 'attended', invitation: String(invitation.id) }).expect(303);
    const record = (await t.db('interactions').where({ event_id: eventId }).first()).id as number;
    const timeline = html((await counsellor.get(`/firms/${mine.uscc}`).expect(200)).text).querySelectorAll('#coaching .timeline li.tl-interaction');
    const attended = timeline.find((li) => li.text.includes('产学研对接会'))!;
    expect(attended.querySelector('a[data-action]')!.getAttribute('href')).to.equal(`/firms/${mine.uscc}/demands/new?interaction=${record}`);
    const atEvent = html((await counsellor.get(`/firms/${mine.uscc}/demands/new?interaction=${record}`).expect(200)).text);
    expect(atEvent.querySelector('[data-demand-source]')!.text).to.include(`${TODAY} 活动`);
    expect(atEvent.querySelector('[data-demand-source] a')!.getAttribute('href')).to.equal(`/coaching/events/${eventId}`);

    // Who may not collect is not offered it.
    const leader = html((await (await t.as('leader')).get(`/firms/${mine.uscc}`).expect(200)).text);
    expect(leader.querySelectorAll('#coaching .timeline li.tl-interaction')).to.have.length(2);
    expect(leader.querySelector('#coaching a[data-action]')).to.equal(null);
  });

  it('records when a partner\'s matching ended: not before it started, not in the future; with history and audit', async () => {
    const id = idFrom((await created(cw, firm)).headers.location);
    await move(cw, id, 1, { to: 'diagnosed' }).expect(303);
    await move(cw, id, 2, { to: 'published' }).expect(303);
    const started = shift(TODAY, -10);
    await move(cw, id, 3, { to: 'matching', partnerKind: 'university', partnerName: '宁波大学材料学院', partnerStartedOn: started }).expect(303);
    const partner = await t.db('demand_partners').where({ demand_id: id }).first();
    expect(partner.ended_on).to.equal(null);
    const page = html((await cw.get(`/coaching/demands/${id}`).expect(200)).text);
    const endForm = page.querySelector(`tr[data-partner="${partner.id}"] form.partner-end`)!;
    expect(endForm.getAttribute('action')).to.equal(`/coaching/demands/${id}/partners/${partner.id}/end`);
    expect(endForm.querySelector('input[name=endedOn]')!.getAttribute('min')).to.equal(started);
    const end = (endedOn: string, version = 4) => cw.post(`/coaching/demands/${id}/partners/${partner.id}/end`).type('form').send({ version, endedOn });

    const before = await demandState(t);
    for (const [endedOn, message] of [
      [shift(started, -1), `对接结束日期不能早于开始日期（${started}）`],
      [shift(TODAY, 1), '对接结束日期不能晚于今天'],
      ['2026-02-30', '请填写对接结束日期'],
    ] as [string, string][]) {
      const res = await end(endedOn).expect(422);
      expect(res.text).to.include(message);
      expect(html(res.text).querySelector(`tr[data-partner="${partner.id}"] input[name=endedOn]`)!.getAttribute('value')).to.equal(endedOn);
    }
    const stale = await end(shift(TODAY, -2), 3).expect(409);
    expect(stale.text).to.include('刚被他人修改过');
    expect((await cw.post(`/coaching/demands/${id}/partners/999999/end`).type('form').send({ version: 4, endedOn: TODAY })).status).to.equal(404);
    expect(await demandState(t)).to.deep.equal(before);
    expect((await t.db('demand_partners').where({ id: partner.id }).first()).ended_on).to.equal(null);

    const ended = shift(TODAY, -2);
    await end(ended).expect(303);
    expect((await t.db('demand_partners').where({ id: partner.id }).first()).ended_on).to.equal(ended);
    expect((await t.db('demands').where({ id }).first()).version).to.equal(5);
    expect(await t.db('demand_changes').where({ demand_id: id, kind: 'partner_end' })).to.have.length(1);
    expect(await t.db('audit_log').where({ action: 'demand.partner_end', object_id: firm.uscc })).to.have.length(1);
    const shown = html((await cw.get(`/coaching/demands/${id}`).expect(200)).text);
    expect(shown.querySelector(`tr[data-partner="${partner.id}"] [data-ended]`)!.text.trim()).to.equal(ended);
    expect(shown.querySelector('.history')!.text).to.include(`对接方结束对接：宁波大学材料学院（${started} 至 ${ended}）`);
    expect(html((await t.admin.get('/admin/audit').expect(200)).text).text).to.include('技术需求对接方结束对接');
    // The same date again writes nothing.
    const again = await demandState(t);
    await end(ended, 5).expect(303);
    expect(await demandState(t)).to.deep.equal(again);
    // Someone else's firm: read-only.
    const counsellor = await t.as('counsellor');
    expect((await counsellor.post(`/coaching/demands/${id}/partners/${partner.id}/end`).type('form').send({ version: 5, endedOn: TODAY })).status).to.equal(403);
  });

  it('refuses bad input with 422, keeping what was typed and saving nothing', async () => {
    const before = await demandState(t);
    for (const [extra, message] of [
      [{ title: '' }, '请填写需求名称'],
      [{ title: '题'.repeat(101) }, '需求名称不能超过 100 字'],
      [{ description: '述'.repeat(2001) }, '需求描述不能超过 2000 字'],
      [{ collectedOn: '2999-01-01' }, '征集日期不能晚于今天'],
      [{ budgetBand: 'lots' }, '请选择预算区间'],
    ] as [Record<string, string>, string][]) {
      const res = await collect(cw, firm, extra);
      expect(res.status, message).to.equal(422);
      expect(res.text).to.include(message);
      const doc = html(res.text);
      expect(doc.querySelector('textarea[name=targets]')!.text).to.equal('导热系数≥5 W/(m·K)');
    }
    expect(await demandState(t)).to.deep.equal(before);
  });

  it('moves a demand along its lifecycle to 已解决, with partners, history and audit', async () => {
    const id = idFrom((await created(cw, firm)).headers.location);
    await move(cw, id, 1, { to: 'diagnosed' }).expect(303);
    await move(cw, id, 2, { to: 'published' }).expect(303);
    // 对接中 without a partner is refused; with one given in the same form it goes through.
    const refused = await move(cw, id, 3, { to: 'matching' }).expect(422);
    expect(refused.text).to.include('须至少登记一个对接方');
    await move(cw, id, 3, { to: 'matching', partnerKind: 'university', partnerName: '宁波大学材料学院', partnerStartedOn: TODAY }).expect(303);
    const added = await cw.post(`/coaching/demands/${id}/partners`).type('form').send({ version: 4, partnerKind: 'institute', partnerName: '中科院宁波材料所', partnerStartedOn: TODAY }).expect(303);
    expect(added.headers.location).to.equal(`/coaching/demands/${id}`);
    await move(cw, id, 5, { to: 'resolved', resolution: '与宁波大学签订技术开发合同', contractValue: '35.5' }).expect(303);
    const row = await t.db('demands').where({ id }).first();
    expect(row).to.include({ status: 'resolved', resolution: '与宁波大学签订技术开发合同', version: 6 });
    expect(Number(row.contract_value)).to.equal(355_000);
    expect(await t.db('demand_partners').where({ demand_id: id })).to.have.length(2);
    const moves = await t.db('demand_changes').where({ demand_id: id, kind: 'move' }).orderBy('id');
    expect(moves.map((m) => `${m.from_status}>${m.to_status}`)).to.deep.equal(['collected>diagnosed', 'diagnosed>published', 'published>matching', 'matching>resolved']);
    expect(moves.every((m) => m.actor_id === t.basics.users.caseworker.id)).to.equal(true);
    const page = html((await cw.get(`/coaching/demands/${id}`).expect(200)).text);
    expect(page.querySelector('[data-demand-status]')!.text).to.equal('已解决');
    expect(page.text).to.include('宁波大学材料学院').and.include('中科院宁波材料所').and.include('35.50 万元').and.include('对接中 → 已解决');
    expect(await t.db('audit_log').where({ action: 'demand.move' })).to.have.length(4);
    // The firm page lists the demand and its moves in the coaching timeline.
    const firmPage = html((await cw.get(`/firms/${firm.uscc}`).expect(200)).text);
    expect(firmPage.querySelector('.firm-demands')!.text).to.include('高导热复合材料配方优化').and.include('已解决');
    const demandEntries = firmPage.querySelectorAll('.timeline li.tl-demand').map((li) => li.text);
    expect(demandEntries).to.have.length(5);
    expect(demandEntries.join('|')).to.include('对接中 → 已解决').and.include('登记（征集）');
    expect(await t.db('audit_log').where({ action: 'demand.partner' })).to.have.length(1);
  });

  it('refuses a move backwards without a reason (422, nothing saved) and takes it with one', async () => {
    const id = idFrom((await created(cw, firm)).headers.location);
    await move(cw, id, 1, { to: 'diagnosed' }).expect(303);
    const before = await demandState(t);
    const res = await move(cw, id, 2, { to: 'collected', reason: '  ' }).expect(422);
    expect(res.text).to.include('退回到“征集”须说明原因');
    expect(await demandState(t)).to.deep.equal(before);
    await move(cw, id, 2, { to: 'collected', reason: '企业补充了新的指标' }).expect(303);
    expect(await t.db('demands').where({ id }).first()).to.include({ status: 'collected', status_reason: '企业补充了新的指标' });
    const skip = await move(cw, id, 3, { to: 'published' }).expect(422);
    expect(skip.text).to.include('须逐步推进');
  });

  it('answers a stale version with 409 and the fresh record, changing nothing', async () => {
    const id = idFrom((await created(cw, firm)).headers.location);
    await move(cw, id, 1, { to: 'diagnosed' }).expect(303);
    const before = await demandState(t);
    const res = await move(cw, id, 1, { to: 'closed', reason: '无合适团队' }).expect(409);
    expect(res.text).to.include('刚被他人修改过').and.include('第 2 版');
    const doc = html(res.text);
    expect(doc.querySelector('#demand-move input[name=version]')!.getAttribute('value')).to.equal('2');
    expect(doc.querySelector('#demand-move textarea[name=reason]')!.text).to.equal('无合适团队');
    expect(doc.querySelector('[data-demand-status]')!.text).to.equal('诊断');
    expect(await demandState(t)).to.deep.equal(before);
    const stalePartner = await cw.post(`/coaching/demands/${id}/partners`).type('form').send({ version: 1, partnerKind: 'firm', partnerName: '宁波某企业', partnerStartedOn: TODAY }).expect(409);
    expect(stalePartner.text).to.include('刚被他人修改过');
    expect(await demandState(t)).to.deep.equal(before);
  });

  it('a counsellor writes for their own firms only: another counsellor\'s firm is read-only (403), a leader only reads', async () => {
    const counsellor = await t.as('counsellor');
    const ownId = idFrom((await created(counsellor, mine)).headers.location);
    await move(counsellor, ownId, 1, { to: 'diagnosed' }).expect(303);

    const theirs = idFrom((await created(cw, others)).headers.location);
    const page = html((await counsellor.get(`/coaching/demands/${theirs}`).expect(200)).text);
    expect(page.querySelector('#demand-move')).to.equal(null);
    expect(page.text).to.include('你可以查看这条需求');
    const before = await demandState(t);
    expect((await counsellor.get(`/firms/${others.uscc}/demands/new`)).status).to.equal(403);
    const refused = await counsellor.post(`/firms/${others.uscc}/demands`).type('form').send({ title: '越权登记', collectedOn: TODAY });
    expect(refused.status).to.equal(403);
    expect(refused.text).to.include('不是分配给你的辅导对象');
    expect((await move(counsellor, theirs, 1, { to: 'diagnosed' })).status).to.equal(403);
    expect((await counsellor.post(`/coaching/demands/${theirs}/partners`).type('form').send({ version: 1, partnerKind: 'firm', partnerName: '某企业', partnerStartedOn: TODAY })).status).to.equal(403);
    expect(await demandState(t)).to.deep.equal(before);

    const leader = await t.as('leader');
    expect((await leader.get('/coaching/demands')).status).to.equal(200);
    expect((await leader.get(`/coaching/demands/${theirs}`)).status).to.equal(200);
    expect((await leader.get(`/firms/${firm.uscc}/demands/new`)).status).to.equal(403);
    expect((await leader.post(`/firms/${firm.uscc}/demands`).type('form').send({ title: 'x', collectedOn: TODAY })).status).to.equal(403);
    expect((await move(leader, theirs, 1, { to: 'diagnosed' })).status).to.equal(403);
    expect(await demandState(t)).to.deep.equal(before);
  });

  it('a caseworker limited to park A gets 404 for a firm or demand in park B, and its register leaves them out', async () => {
    const outside = idFrom((await created(cw, firm)).headers.location);
    const inside = idFrom((await created(cw, mine)).headers.location);
    const scoped = await t.as('scoped');
    const before = await demandState(t);
    expect((await scoped.get(`/coaching/demands/${outside}`)).status).to.equal(404);
    expect((await scoped.get(`/firms/${firm.uscc}/demands/new`)).status).to.equal(404);
    expect((await scoped.get(`/coaching/demands/new?firm=${firm.uscc}`)).status).to.equal(404);
    expect((await scoped.post(`/firms/${firm.uscc}/demands`).type('form').send({ title: '越权', collectedOn: TODAY })).status).to.equal(404);
    expect((await move(scoped, outside, 1, { to: 'diagnosed' })).status).to.equal(404);
    expect((await scoped.post(`/coaching/demands/${outside}/partners`).type('form').send({ version: 1, partnerKind: 'firm', partnerName: '某企业', partnerStartedOn: TODAY })).status).to.equal(404);
    expect(await demandState(t)).to.deep.equal(before);
    const register = html((await scoped.get('/coaching/demands').expect(200)).text);
    expect(register.querySelector('#demands-table tbody')!.text).to.include('余姚市我的辅导企业有限公司').and.not.include('余姚市需求测试科技有限公司');
    expect(register.querySelector('[data-figure=collected]')!.text).to.equal('1');
    await move(scoped, inside, 1, { to: 'diagnosed' }).expect(303);
  });

  it('filters the register by status, field, park, counsellor and year; counts by status ignore the status filter', async () => {
    const a = idFrom((await created(cw, firm)).headers.location);
    await created(cw, mine, { field: 'electronic_info' });
    await created(cw, others, { collectedOn: `${YEAR - 1}-06-01` });
    await move(cw, a, 1, { to: 'diagnosed' }).expect(303);
    const rowsOf = async (q: string) => html((await cw.get(`/coaching/demands${q}`).expect(200)).text).querySelectorAll('#demands-table tbody tr').length;
    expect(await rowsOf('')).to.equal(3);
    expect(await rowsOf('?status=diagnosed')).to.equal(1);
    expect(await rowsOf('?field=electronic_info')).to.equal(1);
    expect(await rowsOf(`?park=${t.basics.parks.a}`)).to.equal(2);
    expect(await rowsOf(`?counsellor=${otherCounsellor}`)).to.equal(1);
    expect(await rowsOf(`?year=${YEAR - 1}`)).to.equal(1);
    const doc = html((await cw.get('/coaching/demands?status=diagnosed').expect(200)).text);
    expect(doc.querySelector('[data-status=collected] .count')!.text).to.equal('2');
    expect(doc.querySelector('[data-status=diagnosed] .count')!.text).to.equal('1');
    const fragment = await cw.get('/coaching/demands?status=diagnosed').set('HX-Request', 'true').expect(200);
    expect(fragment.text.trim().startsWith('<div id="demands-table"')).to.equal(true);
  });
});
