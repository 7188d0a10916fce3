/**
 * Issue 11, through HTTP as a caseworker meets it: an unchanged save changes nothing and says so;
 * candidates a list revert takes out are findable but not counted as exits (board, funnel,
 * conversion); destructive buttons share the danger style.
 */
import { expect } from 'chai';
import { addFigures, createFirm, validUscc } from '../helpers/factories.js';
import { commitList } from '../helpers/list-import.js';
import { createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

describe('what a caseworker can trust', () => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  describe('a save that changes nothing', () => {
    it('a profile saved unchanged writes no version and no audit row, and says 没有修改', async () => {
      const firm = await createFirm(t.db, { name: '余姚市原样保存科技有限公司', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
      const cw = await t.as('caseworker');
      const form = html((await cw.get(`/firms/${firm.uscc}/edit`).expect(200)).text);
      const body: Record<string, string> = {};
      for (const el of form.querySelectorAll('#firm-form input, #firm-form textarea')) {
        const name = el.getAttribute('name');
        if (name && name !== '_csrf') body[name] = el.tagName === 'TEXTAREA' ? el.text : (el.getAttribute('value') ?? '');
      }
      for (const sel of form.querySelectorAll('#firm-form select')) body[sel.getAttribute('name')!] = sel.querySelector('option[selected]')?.getAttribute('value') ?? '';
      const before = await snapshot(t.db);
      const res = await cw.post(`/firms/${firm.uscc}`).type('form').send(body).expect(303);
      expect(await snapshot(t.db)).to.deep.equal(before);
      const page = (await cw.get(res.headers.location!).expect(200)).text;
      expect(html(page).querySelector('#flash')!.text).to.include('没有修改');
      expect(page).to.include('第 1 版');
      // A real change is saved and announced.
      const changed = await cw.post(`/firms/${firm.uscc}`).type('form').send({ ...body, notes: '新备注' }).expect(303);
      expect(html((await cw.get(changed.headers.location!)).text).querySelector('#flash')!.text).to.include('已保存企业资料（1 项修改）');
      expect(await t.db('audit_log').where({ action: 'firm.update' }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(1);
    });

    it('figures saved unchanged write no version and no audit row, and say 没有修改 in the live region', async () => {
      const firm = await createFirm(t.db, { parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
      await addFigures(t.db, firm.id, 2024, { salesRevenue: 12_345_600, staffTotal: 4550 });
      const cw = await t.as('caseworker');
      const form = html((await cw.get(`/firms/${firm.uscc}/figures/edit?year=2024`).set('HX-Request', 'true').expect(200)).text);
      const body: Record<string, string> = {};
      for (const el of form.querySelectorAll('form.figures-form input')) if (el.getAttribute('name') !== '_csrf') body[el.getAttribute('name')!] = el.getAttribute('value') ?? '';
      for (const sel of form.querySelectorAll('form.figures-form select')) body[sel.getAttribute('name')!] = sel.querySelector('option[selected]')?.getAttribute('value') ?? '';
      expect(body.salesRevenue).to.equal('1234.56');
      const before = await snapshot(t.db);
      const res = await cw.post(`/firms/${firm.uscc}/figures/2024`).set('HX-Request', 'true').type('form').send(body).expect(200);
      expect(await snapshot(t.db)).to.deep.equal(before);
      const doc = html(res.text);
      expect(doc.querySelector('[hx-swap-oob="innerHTML:#flash"]')!.text).to.include('没有修改');
      expect(doc.querySelector('th.figures-saved')!.text).to.include('2024 年');
      // Without htmx: back on the firm page, the year marked, not on the form's URL.
      const plain = await cw.post(`/firms/${firm.uscc}/figures/2024`).type('form').send({ ...body, salesRevenue: '2000' }).expect(303);
      expect(plain.headers.location).to.equal(`/firms/${firm.uscc}?saved=2024#figures-saved-year`);
      const page = html((await cw.get(plain.headers.location!).expect(200)).text);
      expect(page.querySelector('#figures-saved-year')!.text).to.include('2024 年');
      expect(page.querySelector('#flash')!.text).to.include('已保存 2024 年指标（1 项修改）');
    });

    it('a stale figures form is still answered as a conflict, even when its values equal the stored ones', async () => {
      const firm = await createFirm(t.db, { parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
      await addFigures(t.db, firm.id, 2024, { salesRevenue: 10_000_000 });
      await t.db('annual_figures').where({ firm_id: firm.id, year: 2024 }).update({ version: 2 });
      const cw = await t.as('caseworker');
      await cw.post(`/firms/${firm.uscc}/figures/2024`).set('HX-Request', 'true').type('form').send({ version: '1', salesRevenue: '1000' }).expect(409);
    });
  });

  describe('a reverted list', function () {
    this.timeout(30_000); // each case commits a list through a worker job
    it('takes out the candidates it created without counting them as exits; they stay findable with their history', async () => {
      const real = await createFirm(t.db, { name: '余姚市真实退库科技有限公司', stage: 'incubating', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
      const id = await commitList(t, [[validUscc(810_001), '余姚市撤回一号科技有限公司'], [validUscc(810_002), '余姚市撤回二号科技有限公司']]);
      // One real exit, through the board's rules.
      await t.admin.post(`/firms/${real.uscc}/stage`).type('form').send({ to: 'exited', exitReason: 'moved_away', reason: '迁出余姚', version: 1, source: 'firm_page' }).expect(303);

      const boardBefore = (await t.admin.get('/board').expect(200)).text;
      expect(boardBefore).to.include('id="count-candidate">2<');
      await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);

      const board = (await t.admin.get('/board').expect(200)).text;
      expect(board).to.include('id="count-exited">1<').and.include('id="count-candidate">0<');
      expect(board).to.include(`id="card-${real.uscc}"`).and.not.include(`id="card-${validUscc(810_001)}"`);
      // The same with a live-counted filter (a search), which does not read the counter table.
      expect((await t.admin.get(`/board?q=${encodeURIComponent('科技有限公司')}`).expect(200)).text).to.include('id="count-exited">1<');
      const dash = (await t.admin.get('/dashboard?year=' + new Date().getFullYear()).expect(200)).text;
      expect(dash).to.include('data-stage-count="exited">1<');
      const conversion = await t.db('conversion_counts').where({ stage: 'exited' }).sum({ n: 'entered' }).first();
      expect(Number(conversion?.n)).to.equal(1);
      const candidates = await t.db('conversion_counts').where({ stage: 'candidate' }).sum({ n: 'entered' }).first();
      expect(Number(candidates?.n ?? 0)).to.equal(0);

      // Findable: the firm list (and its total), the firm page with its history and why it left.
      const list = (await t.admin.get(`/firms?q=${encodeURIComponent('撤回一号')}`).expect(200)).text;
      expect(list).to.include(validUscc(810_001));
      const all = html((await t.admin.get('/firms?stage=exited').expect(200)).text);
      expect(all.querySelectorAll('tbody tr').length).to.equal(3);
      const page = (await t.admin.get(`/firms/${validUscc(810_001)}`).expect(200)).text;
      expect(page).to.include(`因撤销<a href="/lists/imports/${id}">导入批次 #${id}</a>移出`);
      expect(page).to.include(`导入批次 #${id} 已撤销`);
    });

    it('a withdrawn candidate moved back into the pipeline counts again', async () => {
      const id = await commitList(t, [[validUscc(810_010), '余姚市重新入库科技有限公司']]);
      await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);
      const firm = await t.db('firms').where({ uscc: validUscc(810_010) }).first();
      expect(firm.withdrawn_batch_id).to.equal(id);
      await t.admin.post(`/firms/${firm.uscc}/stage`).type('form').send({ to: 'candidate', reason: '重新核实后入库', version: firm.version, source: 'firm_page' }).expect(303);
      expect((await t.db('firms').where({ id: firm.id }).first()).withdrawn_batch_id).to.equal(null);
      expect((await t.admin.get('/board').expect(200)).text).to.include('id="count-candidate">1<').and.include('id="count-exited">0<');
    });
  });

  it('a search of several words finds the firms whose name holds all of them, short words and long, on the list and the board', async () => {
    const both = await createFirm(t.db, { name: '余姚市海东精密机械有限公司', stage: 'incubating', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const onlyHaidong = await createFirm(t.db, { name: '宁波海东科技有限公司', stage: 'incubating', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const onlyYuyao = await createFirm(t.db, { name: '余姚市江丰电子有限公司', stage: 'incubating', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const found = async (q: string) => {
      const text = (await t.admin.get(`/firms?q=${encodeURIComponent(q)}`).expect(200)).text;
      return [both, onlyHaidong, onlyYuyao].filter((f) => text.includes(f.uscc)).map((f) => f.name);
    };
    expect(await found('余姚 海东')).to.deep.equal([both.name]); // two short words
    expect(await found('海东　科技有限公司')).to.deep.equal([onlyHaidong.name]); // short and long, a full-width space
    expect(await found('精密机械 余姚市')).to.deep.equal([both.name]); // two long words, in another order
    expect(await found('余姚市 有限公司')).to.have.members([both.name, onlyYuyao.name]);
    expect(await found('余姚 不存在的词')).to.deep.equal([]);
    const board = (await t.admin.get(`/board?q=${encodeURIComponent('余姚 海东')}`).expect(200)).text;
    expect(board).to.include(`id="card-${both.uscc}"`).and.not.include(`id="card-${onlyHaidong.uscc}"`).and.not.include(`id="card-${onlyYuyao.uscc}"`);
    expect(board).to.include('id="count-incubating">1<');
  });

  it('destructive actions share one danger style: revert, discard, disable a user, 退库, merge, retire', async () => {
    const users = (await t.admin.get(`/admin/users/${t.basics.users.leader.id}`).expect(200)).text;
    expect(html(users).querySelector('form[action$="/disable"] button')!.getAttribute('class')).to.include('button-danger');
    const parks = html((await t.admin.get('/admin/parks').expect(200)).text);
    expect(parks.querySelectorAll('form[action$="/merge"] button, form[action$="/retire"] button').every((b) => b.getAttribute('class')!.includes('button-danger'))).to.equal(true);
    const firm = await createFirm(t.db, { stage: 'incubating', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const menu = html((await t.admin.get(`/firms/${firm.uscc}/move-menu`).set('HX-Request', 'true').expect(200)).text);
    expect(menu.querySelector('button[value="exited"]')!.getAttribute('class')).to.include('button-danger');
    expect(menu.querySelector('button[value="tech_sme"]')!.getAttribute('class')).to.not.include('button-danger');
    const dialog = html((await t.admin.post(`/firms/${firm.uscc}/stage`).set('HX-Request', 'true').type('form').send({ to: 'exited', version: 1, source: 'menu' }).expect(422)).text);
    expect(dialog.querySelector('button[type=submit]')!.getAttribute('class')).to.include('button-danger');
    const css = (await t.admin.get('/css/app.css').expect(200)).text;
    expect(css.lastIndexOf('.button.button-danger')).to.be.greaterThan(css.indexOf('.button {'));
  });
});
