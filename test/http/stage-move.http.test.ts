import { expect } from 'chai';
import { addFigures, addPassingHteFigures, createFirm, type SeededFirm } from '../helpers/factories.js';
import { createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

describe('POST /firms/:uscc/stage', () => {
  let t: TestContext;
  let admin: number;
  beforeEach(async () => {
    t = await createTestContext();
    admin = t.basics.users.admin.id;
  });
  afterEach(() => t.destroy());

  const move = (firm: SeededFirm, body: Record<string, string | number>) =>
    t.admin.post(`/firms/${firm.uscc}/stage`).set('HX-Request', 'true').type('form').send({ version: firm.version, source: 'board', ...body });

  describe('a move the rules allow', () => {
    it('When a card is moved forward from the board, then the firm, its stage event and the audit log change together, and the answer places the card and updates the counts', async () => {
      const firm = await createFirm(t.db, { stage: 'candidate', parkId: t.basics.parks.a, actorId: admin });
      await createFirm(t.db, { stage: 'incubating', actorId: admin });
      const res = await move(firm, { to: 'incubating' }).expect(200);

      expect(res.headers['hx-trigger']).to.equal('firm-moved');
      const doc = html(res.text);
      expect(doc.querySelector(`#card-${firm.uscc}[hx-swap-oob=delete]`)).to.not.equal(null);
      const placed = doc.querySelector('[hx-swap-oob="afterbegin:#cards-incubating"] .card')!;
      expect(placed.getAttribute('data-version')).to.equal('2');
      expect(placed.getAttribute('data-stage')).to.equal('incubating');
      expect(doc.getElementById('count-incubating')!.text).to.equal('2');
      expect(doc.getElementById('count-candidate')!.text).to.equal('0');
      expect(doc.getElementById('group-count-micro_growth')!.text).to.equal('2');

      const row = await t.db('firms').where({ id: firm.id }).first();
      expect(row).to.include({ stage: 'incubating', version: 2 });
      const events = await t.db('stage_events').where({ firm_id: firm.id }).orderBy('id');
      expect(events.at(-1)).to.include({ from_stage: 'candidate', to_stage: 'incubating', source: 'board', actor_id: admin });
      const audit = await t.db('audit_log').where({ action: 'firm.stage', object_id: firm.uscc }).first();
      expect(audit.actor_id).to.equal(admin);
      expect(JSON.parse(audit.before)).to.deep.equal({ stage: 'candidate', version: 1 });
      expect(JSON.parse(audit.after)).to.include({ stage: 'incubating', version: 2, kind: 'forward' });
    });

    it('When the board is filtered, then the counts in the answer follow the same filters', async () => {
      const firm = await createFirm(t.db, { stage: 'candidate', parkId: t.basics.parks.a, actorId: admin });
      await createFirm(t.db, { stage: 'incubating', parkId: t.basics.parks.b, actorId: admin });
      const res = await move(firm, { to: 'incubating', park: t.basics.parks.a }).expect(200);
      expect(html(res.text).getElementById('count-incubating')!.text).to.equal('1');
    });

    it('When a move needs a reason and carries one, then the reason is recorded on the event', async () => {
      const firm = await createFirm(t.db, { stage: 'hte_applying', actorId: admin });
      await move(firm, { to: 'hte_reserve', reason: '认定未通过，专家意见：研发费用归集不规范' }).expect(200);
      const e = await t.db('stage_events').where({ firm_id: firm.id, to_stage: 'hte_reserve' }).first();
      expect(e).to.include({ reason_code: 'backward', reason: '认定未通过，专家意见：研发费用归集不规范' });
    });

    it('When a firm exits with a reason from the list, then the exit reason is recorded', async () => {
      const firm = await createFirm(t.db, { stage: 'tech_sme', actorId: admin });
      await move(firm, { to: 'exited', exitReason: 'deregistered' }).expect(200);
      const e = await t.db('stage_events').where({ firm_id: firm.id, to_stage: 'exited' }).first();
      expect(e).to.include({ reason_code: 'deregistered', reason: '注销/吊销' });
    });

    it('When a firm enters hte_certified with its certificate, then the number and date are kept on the event', async () => {
      const firm = await createFirm(t.db, { stage: 'hte_applying', actorId: admin });
      await move(firm, { to: 'hte_certified', certificateNo: 'GR202533100123', certificateDate: '2025-12-08' }).expect(200);
      const e = await t.db('stage_events').where({ firm_id: firm.id, to_stage: 'hte_certified' }).first();
      expect(JSON.parse(e.details)).to.deep.equal({ certificateNo: 'GR202533100123', certificateDate: '2025-12-08' });
    });

    it('When the move comes from the firm page, then the browser is sent back to the firm page', async () => {
      const firm = await createFirm(t.db, { stage: 'candidate', actorId: admin });
      const res = await t.admin.post(`/firms/${firm.uscc}/stage`).type('form').send({ to: 'incubating', version: 1, source: 'firm_page' }).expect(303);
      expect(res.headers.location).to.equal(`/firms/${firm.uscc}`);
      const hx = await createFirm(t.db, { stage: 'candidate', actorId: admin });
      const res2 = await t.admin.post(`/firms/${hx.uscc}/stage`).set('HX-Request', 'true').type('form').send({ to: 'incubating', version: 1, source: 'firm_page' }).expect(204);
      expect(res2.headers['hx-redirect']).to.equal(`/firms/${hx.uscc}`);
    });

    it('When the card menu posts as a plain form (before htmx wired it up), then the firm moves and the browser goes back to the board', async () => {
      const firm = await createFirm(t.db, { stage: 'candidate', actorId: admin });
      const menu = html((await t.admin.get(`/firms/${firm.uscc}/move-menu`).set('HX-Request', 'true').expect(200)).text);
      const form = menu.querySelector('form.move-targets')!;
      expect(form.getAttribute('method')).to.equal('post');
      expect(form.getAttribute('action')).to.equal(`/firms/${firm.uscc}/stage`);
      const fields = Object.fromEntries(form.querySelectorAll('input[type=hidden]').map((i) => [i.getAttribute('name')!, i.getAttribute('value')!]));
      const res = await t.admin.post(form.getAttribute('action')!).type('form').send({ ...fields, to: 'incubating' }).expect(303);
      expect(res.headers.location).to.equal('/board');
      expect(await t.db('firms').where({ id: firm.id }).first()).to.include({ stage: 'incubating', version: 2 });
    });
  });

  describe('a refused move changes nothing', () => {
    it('When the version is stale, then it answers 409 with the reason and the card as it really is, and nothing changes', async () => {
      const firm = await createFirm(t.db, { stage: 'candidate', actorId: admin });
      await move(firm, { to: 'incubating' }).expect(200); // someone else moved it: version 2
      const before = await snapshot(t.db);
      const res = await move(firm, { to: 'tech_sme' }).expect(409);
      expect(res.headers['hx-retarget']).to.equal('#flash');
      const doc = html(res.text);
      expect(doc.querySelector('.alert')!.text).to.include('刚被他人修改');
      expect(doc.querySelector('[hx-swap-oob="afterbegin:#cards-incubating"] .card')!.getAttribute('data-version')).to.equal('2');
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When the firm is unknown, then it answers 404 in Chinese and nothing changes', async () => {
      const before = await snapshot(t.db);
      const res = await t.admin.post('/firms/91330281677691616Q/stage').set('HX-Request', 'true').type('form').send({ to: 'incubating', version: 1 }).expect(404);
      expect(res.text).to.include('找不到这家企业');
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When a reason is missing, then it answers 422 with a dialog asking for it (retargeted to the dialog host), and nothing changes', async () => {
      const firm = await createFirm(t.db, { stage: 'incubating', actorId: admin });
      const before = await snapshot(t.db);
      const res = await move(firm, { to: 'hte_reserve' }).expect(422);
      expect(res.headers['hx-retarget']).to.equal('#dialog-host');
      const doc = html(res.text);
      const dialog = doc.querySelector('dialog.move-dialog')!;
      expect(dialog).to.not.equal(null);
      expect(dialog.querySelector('textarea[name=reason]')).to.not.equal(null);
      expect(dialog.querySelector('input[name=to]')!.getAttribute('value')).to.equal('hte_reserve');
      expect(dialog.querySelector('input[name=version]')!.getAttribute('value')).to.equal('1');
      expect(dialog.querySelector('.field-error')!.text).to.include('跨阶段');
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When an exit has no reason, then the dialog offers the fixed list of exit reasons', async () => {
      const firm = await createFirm(t.db, { stage: 'tech_sme', actorId: admin });
      const res = await move(firm, { to: 'exited' }).expect(422);
      const options = html(res.text).querySelectorAll('select[name=exitReason] option').map((o) => o.text);
      expect(options).to.include.members(['迁出本地', '注销/吊销', '认定未通过', '资格被取消', '主动放弃', '领域不符', '其他']);
    });

    it('When hte_certified is entered without a certificate, then the dialog asks for number and date', async () => {
      const firm = await createFirm(t.db, { stage: 'hte_applying', actorId: admin });
      const before = await snapshot(t.db);
      const res = await move(firm, { to: 'hte_certified', certificateNo: 'GR123' }).expect(422);
      const doc = html(res.text);
      expect(doc.querySelector('input[name=certificateNo]')!.getAttribute('value')).to.equal('GR123');
      expect(doc.querySelector('input[name=certificateDate]')).to.not.equal(null);
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When an exited firm is sent to a stage other than candidate or incubating, then it is refused with the rule and nothing changes', async () => {
      const firm = await createFirm(t.db, { stage: 'exited', actorId: admin });
      const before = await snapshot(t.db);
      const res = await move(firm, { to: 'hte_reserve', reason: '直接入库' }).expect(422);
      expect(res.text).to.include('退库企业只能重新进入');
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When the target is the current stage, then it answers 409', async () => {
      const firm = await createFirm(t.db, { stage: 'tech_sme', actorId: admin });
      await move(firm, { to: 'tech_sme' }).expect(409);
    });

    it('When the target or the version is missing or malformed, then it answers 400 and nothing changes', async () => {
      const firm = await createFirm(t.db, { stage: 'candidate', actorId: admin });
      const before = await snapshot(t.db);
      await move(firm, { to: 'moon' }).expect(400);
      await t.admin.post(`/firms/${firm.uscc}/stage`).type('form').send({ to: 'incubating' }).expect(400);
      await t.admin.post(`/firms/${firm.uscc}/stage`).type('form').send({ to: 'incubating', version: '1.5' }).expect(400);
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When a refused request comes from a plain browser form, then it gets a full Chinese error page without SQL or a stack trace', async () => {
      const res = await t.admin.post('/firms/91330281677691616Q/stage').type('form').send({ to: 'incubating', version: 1 }).expect(404);
      expect(res.text).to.include('<html').and.include('找不到这家企业');
      expect(res.text).to.not.match(/select |at .*\.ts:|SqliteError/i);
    });
  });

  describe('the gate into hte_applying (high-tech check)', () => {
    it('When the firm has no figures, then the move is refused listing the missing data and offering an override', async () => {
      const firm = await createFirm(t.db, { stage: 'hte_reserve', foundedOn: '2015-01-01', field: 'electronic_info', actorId: admin });
      const before = await snapshot(t.db);
      const res = await move(firm, { to: 'hte_applying' }).expect(422);
      const doc = html(res.text);
      expect(doc.querySelectorAll('.gate-block li').length).to.be.greaterThan(0);
      expect(doc.querySelector('.gate-block')!.text).to.include('缺数据');
      expect(doc.querySelector('input[name=override]')).to.not.equal(null);
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When a condition fails (R&D ratio too low), then it is listed with the numbers', async () => {
      const firm = await createFirm(t.db, { stage: 'hte_reserve', foundedOn: '2015-01-01', field: 'electronic_info', actorId: admin });
      const year = new Date().getFullYear();
      await addPassingHteFigures(t.db, firm.id, year - 1);
      await t.db('annual_figures').where({ firm_id: firm.id }).update({ rd_expense: 100000, rd_domestic: 100000 });
      const res = await move(firm, { to: 'hte_applying' }).expect(422);
      expect(html(res.text).querySelector('.gate-block')!.text).to.include('研发');
    });

    it('When a caseworker overrides with a reason, then the move is made and the override is kept on the event and in the audit log', async () => {
      const firm = await createFirm(t.db, { stage: 'hte_reserve', actorId: admin });
      await addFigures(t.db, firm.id, new Date().getFullYear() - 1, { salesRevenue: 1000000 });
      await move(firm, { to: 'hte_applying', override: '1', reason: '企业已提交专项审计报告，数据待录入' }).expect(200);
      const e = await t.db('stage_events').where({ firm_id: firm.id, to_stage: 'hte_applying' }).first();
      expect(e.reason_code).to.equal('override');
      expect(JSON.parse(e.details)).to.include({ override: true });
      expect(JSON.parse(e.details).eligibility).to.include({ ruleSet: 'hte-2016' });
      const audit = await t.db('audit_log').where({ action: 'firm.stage', object_id: firm.uscc }).first();
      expect(JSON.parse(audit.after).details).to.include({ override: true });
      // The verdict the move relied on is kept, with its rule version and inputs, so it can be reproduced.
      const verdict = await t.db('eligibility_verdicts').where({ firm_id: firm.id }).first();
      expect(verdict).to.include({ rule_set: 'hte-2016', purpose: 'gate', status: 'missing' });
      expect(JSON.parse(verdict.inputs).figures[0]).to.include({ salesRevenue: 1000000 });
      expect(JSON.parse(e.details).eligibility.verdictId).to.equal(verdict.id);
    });

    it('When the figures meet every computable condition, then the move needs no override', async () => {
      const firm = await createFirm(t.db, { stage: 'hte_reserve', foundedOn: '2015-01-01', field: 'electronic_info', actorId: admin });
      await addPassingHteFigures(t.db, firm.id, new Date().getFullYear() - 1);
      await move(firm, { to: 'hte_applying' }).expect(200);
      const e = await t.db('stage_events').where({ firm_id: firm.id, to_stage: 'hte_applying' }).first();
      expect(JSON.parse(e.details).eligibility.status).to.be.oneOf(['pass', 'review']);
      expect(e.reason_code).to.equal(null);
    });
  });

  it('When two moves race on the same version, then exactly one wins and the other gets 409', async () => {
    const firm = await createFirm(t.db, { stage: 'candidate', actorId: admin });
    const [a, b] = await Promise.all([move(firm, { to: 'incubating' }), move(firm, { to: 'exited', exitReason: 'declined' })]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    const events = await t.db('stage_events').where({ firm_id: firm.id });
    expect(events.length).to.equal(2);
    const row = await t.db('firms').where({ id: firm.id }).first();
    expect(row.version).to.equal(2);
  });
});
