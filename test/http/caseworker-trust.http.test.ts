/**
 * Issue 11, through HTTP as a caseworker meets it: an unchanged save changes nothing and says so;
 * candidates a list revert takes out are findable but not counted as exits (board, funnel,
 * conversion); destructive buttons share the danger style.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { addFigures, createFirm, validUscc } from '../helpers/factories.js';
import { commitList } from '../helpers/list-import.js';
import { type Client, createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';
import { TODAY } from '../helpers/today.js';

type Doc = ReturnType<typeof html>;

/** What a browser would submit for this form: its fields (checked boxes only, selected options), no button. */
function formBody(form: NonNullable<ReturnType<Doc['querySelector']>>): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const had = body[name];
    body[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  };
  for (const el of form.querySelectorAll('input, select, textarea')) {
    const name = el.getAttribute('name');
    if (!name || name === '_csrf') continue;
    const type = el.getAttribute('type') ?? 'text';
    if (el.tagName === 'SELECT') {
      const options = el.querySelectorAll('option');
      const chosen = options.filter((o) => o.hasAttribute('selected'));
      for (const o of el.hasAttribute('multiple') ? chosen : [chosen[0] ?? options[0]].filter((o) => o !== undefined)) add(name, o.getAttribute('value') ?? o.text);
    } else if (el.tagName === 'TEXTAREA') add(name, el.text.replace(/^\n/, ''));
    else if (type === 'checkbox' || type === 'radio') {
      if (el.hasAttribute('checked')) add(name, el.getAttribute('value') ?? 'on');
    } else if (type !== 'submit' && type !== 'button') add(name, el.getAttribute('value') ?? '');
  }
  return body;
}

/** Every table a save could write (sessions, throttles and form keys are the request's, not the data's). */
async function wholeDb(db: TestContext['db']): Promise<Record<string, string[]>> {
  const skip = new Set(['sessions', 'login_throttle', 'request_rates', 'form_keys', 'knex_migrations', 'knex_migrations_lock']);
  const tables = db.client.config.client === 'pg'
    ? ((await db.raw("select tablename as name from pg_tables where schemaname = current_schema()")) as { rows: { name: string }[] }).rows
    : ((await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")) as { name: string }[]);
  const out: Record<string, string[]> = {};
  for (const { name } of tables.filter((r) => !skip.has(r.name))) out[name] = ((await db(name).select()) as unknown[]).map((r) => JSON.stringify(r)).sort();
  return out;
}

/** What a button that deletes, reverts, voids, discards, disables, merges or retires says or posts to. */
const DESTRUCTIVE_WORDS = /删除|撤销|作废|移除|放弃|停用|注销|退库|合并|撤回|取消此|登记取消|清空/;
const DESTRUCTIVE_ACTIONS = /\/(delete|revert|void|discard|disable|retire|merge|cancel|remove)(["?#]|$)/;

function templates(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? templates(path.join(dir, e.name)) : e.name.endsWith('.hbs') ? [path.join(dir, e.name)] : []));
}

/**
 * Every destructive button in every template, read from the source so that a button behind a
 * condition no fixture reaches is checked too: by its label (handlebars and a parenthetical such as
 * "（退库企业除外…）" left out), by a `delete`/`remove` name, or by the action of its form.
 */
function destructiveButtons(): { where: string; attrs: string; label: string }[] {
  const found: { where: string; attrs: string; label: string }[] = [];
  for (const file of templates('views')) {
    const src = fs.readFileSync(file, 'utf8');
    const forms = [...src.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => ({ start: m.index, end: m.index + m[0].length, action: /action="([^"]*)"/.exec(m[1]!)?.[1] ?? '' }));
    for (const b of src.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)) {
      // A class set behind a condition (the move dialog's, red only for 退库) counts as set: the
      // rendered checks below hold the condition to it.
      const attrs = b[1]!.replace(/\{\{[^}]*\}\}/g, '');
      const label = b[2]!.replace(/\{\{[^}]*\}\}/g, '').replace(/（[^）]*）/g, '').trim();
      const action = forms.find((f) => f.start < b.index && b.index < f.end)?.action ?? '';
      if (DESTRUCTIVE_WORDS.test(label) || /name="(delete|remove)"/.test(attrs) || DESTRUCTIVE_ACTIONS.test(action)) found.push({ where: `${path.relative('views', file)} ${label}`, attrs, label });
    }
  }
  return found;
}

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

    /**
     * Every other form that saves a record whole: saved again exactly as the page shows it, nothing is
     * written (no version, no audit row, no refreshed verdicts) and the page says 没有修改.
     */
    const LAST = Number(TODAY.slice(0, 4)) - 1;
    const cases: { name: string; as: 'caseworker' | 'admin'; prepare: (c: Client, uscc: string) => Promise<{ page: string; form: string }> }[] = [
      {
        name: 'a year of staff by month',
        as: 'caseworker',
        prepare: async (c, uscc) => {
          const months: Record<string, string> = {};
          for (let m = 0; m <= 12; m += 1) Object.assign(months, { [`t${m}`]: String(20 + m), [`k${m}`]: '3' });
          await c.postForm(`/firms/${uscc}/staff/${LAST}`, { version: '0', ...months, p0_label: '兼职甲', p0_days: '200', p0_from: '1', p0_to: '12', p0_tech: 'yes' }).expect(303);
          return { page: `/firms/${uscc}/inputs?year=${LAST}`, form: 'form.staff-form' };
        },
      },
      {
        name: "a year's R&D expense structure",
        as: 'caseworker',
        prepare: async (c, uscc) => {
          await c.postForm(`/firms/${uscc}/rd/${LAST}`, { version: '0', personnel: '100.5', outsourcedDomestic: '20', typedTotal: '120.5' }).expect(303);
          return { page: `/firms/${uscc}/inputs?year=${LAST}`, form: `#rd form[action$="/rd/${LAST}"]` };
        },
      },
      {
        name: 'an R&D project',
        as: 'caseworker',
        prepare: async (c, uscc) => {
          await c.postForm(`/firms/${uscc}/rd/${LAST}/projects`, { version: '0', code: 'RD01', name: '高精度光学镜头研发', startDate: `${LAST}-01-01`, endDate: `${LAST}-12-31`, budget: '80', techField: '光电', personnel: '30', direct: '12.5' }).expect(303);
          return { page: `/firms/${uscc}/inputs?year=${LAST}`, form: 'details.rd-project-form form[action*="/projects/"]' };
        },
      },
      {
        name: 'the check of the public records',
        as: 'caseworker',
        prepare: async (c, uscc) => {
          await c.postForm(`/firms/${uscc}/compliance/check`, { version: '0', checkedOn: TODAY, source: '信用中国' }).expect(303);
          return { page: `/firms/${uscc}/inputs`, form: '#compliance form[action$="/compliance/check"]' };
        },
      },
      {
        name: 'the tech-SME R&D scoring option',
        as: 'caseworker',
        prepare: async (c, uscc) => {
          await c.postForm(`/firms/${uscc}/tsme-option`, { version: '0', option: 'cost' }).expect(303);
          return { page: `/firms/${uscc}/inputs`, form: 'form[action$="/tsme-option"]' };
        },
      },
      {
        name: "a user's name, role and areas",
        as: 'admin',
        prepare: async () => ({ page: `/admin/users/${t.basics.users.scoped.id}`, form: 'form.user-form' }),
      },
      {
        name: "an event's details",
        as: 'admin',
        prepare: async (c) => {
          const page = await c.get('/coaching/events/new').expect(200);
          const key = html(page.text).querySelector('input[name=_formKey]')!.getAttribute('value')!;
          const res = await c.post('/coaching/events').type('form').send({ _formKey: key, kind: 'clinic', title: '高企申报讲诊会', startsOn: TODAY, place: '市科技局三楼会议室', organiser: '余姚市科学技术局', topics: ['ip', 'rd_expense'] }).expect(303);
          return { page: res.headers.location!, form: '#event-form' };
        },
      },
      {
        name: 'a coaching plan template',
        as: 'admin',
        prepare: async (c) => {
          await c.postForm('/coaching/templates', { lifecycle: 'growth', name: '成长期培育', status: 'active', steps: '+0 走访\n+30 知识产权梳理' }).expect(303);
          return { page: '/coaching/templates', form: 'form.coaching-form[action*="/coaching/templates/"]' };
        },
      },
      {
        name: "a year's certification settings",
        as: 'admin',
        prepare: async (c) => {
          await c.postForm('/certifications/settings', { year: String(LAST), provincialAgency: '浙江省经济和信息化厅', hteReportDueOn: `${LAST}-06-15` }).expect(303);
          return { page: '/certifications/settings', form: `form.settings-form:has(input[name=year][value="${LAST}"])` };
        },
      },
    ];
    for (const c of cases) {
      it(`${c.name}, saved unchanged, writes nothing and says 没有修改`, async () => {
        const firm = await createFirm(t.db, { stage: 'hte_reserve', parkId: t.basics.parks.a, foundedOn: '2015-03-01', actorId: t.basics.users.admin.id });
        const client = c.as === 'admin' ? t.admin : await t.as(c.as);
        const { page, form } = await c.prepare(client, firm.uscc);
        const doc = html((await client.get(page).expect(200)).text);
        const el = doc.querySelectorAll('form').find((f) => doc.querySelectorAll(form).includes(f));
        expect(el, form).to.not.equal(undefined);
        const before = await wholeDb(t.db);
        const res = await client.post(el!.getAttribute('action')!).type('form').send(formBody(el!)).expect(303);
        expect(await wholeDb(t.db)).to.deep.equal(before);
        expect(html((await client.get(res.headers.location!).expect(200)).text).querySelector('#flash')!.text).to.include('没有修改');
      });
    }

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

  it('destructive actions share one danger style: revert, discard, disable a user, 退库, merge, retire, every delete', async () => {
    // Every template: no destructive button in the quiet or the plain style.
    const buttons = destructiveButtons();
    expect(buttons.filter((b) => !/class="[^"]*button-danger/.test(b.attrs)).map((b) => b.where)).to.deep.equal([]);
    // The scan does find them (a scan that matches nothing would pass on anything).
    for (const where of ['partials/inputs/staff.hbs', 'partials/inputs/rd.hbs', 'partials/inputs/rd-project.hbs', 'partials/inputs/ip.hbs', 'partials/inputs/compliance.hbs', 'lists/batch.hbs', 'admin/parks.hbs', 'certifications/form.hbs']) {
      expect(buttons.some((b) => b.where.startsWith(where)), where).to.equal(true);
    }
    // …and as rendered: the inputs page with a year of staff and R&D, a patent, an incident and a listing.
    const inputsFirm = await createFirm(t.db, { stage: 'hte_reserve', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const cw = await t.as('caseworker');
    const year = new Date().getFullYear() - 1;
    const months: Record<string, string> = {};
    for (let m = 0; m <= 12; m += 1) Object.assign(months, { [`t${m}`]: '10', [`k${m}`]: '2' });
    await cw.postForm(`/firms/${inputsFirm.uscc}/staff/${year}`, { version: '0', ...months }).expect(303);
    await cw.postForm(`/firms/${inputsFirm.uscc}/rd/${year}`, { version: '0', personnel: '100' }).expect(303);
    const formKey = (page: string, form: string) => html(page).querySelector(`${form} input[name=_formKey]`)!.getAttribute('value')!;
    let inputs = (await cw.get(`/firms/${inputsFirm.uscc}/inputs?year=${year}`).expect(200)).text;
    await cw.postForm(`/firms/${inputsFirm.uscc}/ip`, { _formKey: formKey(inputs, '#ip-form'), kind: 'utility', number: 'ZL 201720601862.9', title: '一种调焦装置', appliedOn: '2017-05-02', grantedOn: '2018-01-09', acquisition: 'own', status: 'valid', supportsMainProducts: 'yes' }).expect(303);
    inputs = (await cw.get(`/firms/${inputsFirm.uscc}/inputs?year=${year}`).expect(200)).text;
    await cw.postForm(`/firms/${inputsFirm.uscc}/compliance/events`, { _formKey: formKey(inputs, '#compliance form[action$="/events"]'), kind: 'other_penalty', date: `${year}-03-01`, authority: '余姚市市场监督管理局', docNumber: '余市监罚〔1〕号' }).expect(303);
    inputs = (await cw.get(`/firms/${inputsFirm.uscc}/inputs?year=${year}`).expect(200)).text;
    await cw.postForm(`/firms/${inputsFirm.uscc}/compliance/listings`, { _formKey: formKey(inputs, '#compliance form[action$="/listings"]'), list: 'abnormal', listedOn: `${year}-04-01` }).expect(303);
    const deletes = html((await cw.get(`/firms/${inputsFirm.uscc}/inputs?year=${year}`).expect(200)).text).querySelectorAll('button').filter((b) => b.text.includes('删除'));
    expect(deletes.map((b) => b.text.trim())).to.include.members(['删除该年月度人数', '删除该年结构', '删除']).and.have.length(5);
    expect(deletes.filter((b) => !b.classList.contains('button-danger')).map((b) => b.text)).to.deep.equal([]);

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
