import { expect } from 'chai';
import { addFigures, createFirm, validUscc } from '../helpers/factories.js';
import { createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

describe('firms: create, page, edit, list', () => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  const form = (overrides: Record<string, string> = {}) => ({
    uscc: ' 91330281677691616q ',
    name: '宁波恒拓物联网有限公司',
    parkId: String(t.basics.parks.a),
    field: 'electronic_info',
    foundedOn: '2008-07-01',
    counsellorId: String(t.basics.users.counsellor.id),
    lifecycle: 'growth',
    stage: 'candidate',
    ...overrides,
  });

  describe('POST /firms', () => {
    it('When the form is valid, then the firm is created with its normalised code, a creation event and an audit row, and the browser goes to its page', async () => {
      const res = await t.admin.post('/firms').type('form').send(form()).expect(303);
      expect(res.headers.location).to.equal('/firms/91330281677691616Q');
      const firm = await t.db('firms').where({ uscc: '91330281677691616Q' }).first();
      expect(firm).to.include({ name: '宁波恒拓物联网有限公司', stage: 'candidate', version: 1, lifecycle: 'growth' });
      const events = await t.db('stage_events').where({ firm_id: firm.id });
      expect(events).to.have.length(1);
      expect(events[0]).to.include({ from_stage: null, to_stage: 'candidate', source: 'create' });
      const audit = await t.db('audit_log').where({ action: 'firm.create' }).first();
      expect(audit).to.include({ object_id: '91330281677691616Q', actor_id: t.basics.users.admin.id });
      const page = await t.admin.get(res.headers.location!).expect(200);
      expect(page.text).to.include('宁波恒拓物联网有限公司');
    });

    for (const [what, uscc, message] of [
      ['a wrong check character', '91330281677691616R', '校验位'],
      ['an old registration number', '330281000123456', '注册号'],
      ['a forbidden letter', '9133028167769161OQ', '字母 O'],
      ['a hyphen', '91330281-677691616Q', '符号'],
    ] as const) {
      it(`When the credit code has ${what}, then the form comes back (422) with a message, keeps what was typed, and nothing is created`, async () => {
        const before = await snapshot(t.db);
        const res = await t.admin.post('/firms').type('form').send(form({ uscc })).expect(422);
        const doc = html(res.text);
        expect(doc.querySelector('#uscc-feedback.inline-error')!.text).to.include(message);
        expect(doc.querySelector('input[name=name]')!.getAttribute('value')).to.equal('宁波恒拓物联网有限公司');
        expect(doc.querySelector('input[name=uscc]')!.getAttribute('value')).to.equal(uscc);
        expect(await snapshot(t.db)).to.deep.equal(before);
      });
    }

    it('When the code is already registered, then it says so and nothing is created', async () => {
      await createFirm(t.db, { uscc: '91330281677691616Q', actorId: t.basics.users.admin.id });
      const before = await snapshot(t.db);
      const res = await t.admin.post('/firms').type('form').send(form()).expect(422);
      expect(res.text).to.include('已登记为另一家企业');
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When the name is missing, the park is unknown or the founding date is in the future, then each field says why', async () => {
      const res = await t.admin
        .post('/firms')
        .type('form')
        .send(form({ name: '  ', parkId: '999', foundedOn: '2999-01-01' }))
        .expect(422);
      expect(res.text).to.include('请填写企业名称').and.include('成立日期不能晚于今天');
      const res2 = await t.admin.post('/firms').type('form').send(form({ parkId: '999' })).expect(422);
      expect(res2.text).to.include('请选择列表中的园区');
    });

    it('When the initial stage is beyond incubating, then it is refused (moves go through the board)', async () => {
      const res = await t.admin.post('/firms').type('form').send(form({ stage: 'hte_certified' })).expect(422);
      expect(res.text).to.include('只能从');
      expect(await t.db('firms').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
    });

    it('When htmx posts the form, then success answers with HX-Redirect and a refusal with the form fragment only', async () => {
      const ok = await t.admin.post('/firms').set('HX-Request', 'true').type('form').send(form()).expect(204);
      expect(ok.headers['hx-redirect']).to.equal('/firms/91330281677691616Q');
      const bad = await t.admin.post('/firms').set('HX-Request', 'true').type('form').send(form({ uscc: '123' })).expect(422);
      expect(bad.text).to.not.include('<html');
      expect(html(bad.text).getElementById('firm-form')).to.not.equal(null);
    });
  });

  describe('GET /firms/check-uscc (inline validation while typing)', () => {
    it('explains a wrong code, confirms a right one, and points to an existing firm', async () => {
      const bad = await t.admin.get('/firms/check-uscc?uscc=91330281677691616R').set('HX-Request', 'true').expect(200);
      expect(html(bad.text).querySelector('.inline-error')!.text).to.include('校验位');
      const good = await t.admin.get('/firms/check-uscc?uscc=９１３３０２８１６７７６９１６１６ｑ').set('HX-Request', 'true').expect(200);
      expect(html(good.text).querySelector('.inline-ok')!.text).to.include('91330281677691616Q');
      const firm = await createFirm(t.db, { actorId: t.basics.users.admin.id });
      const dup = await t.admin.get(`/firms/check-uscc?uscc=${firm.uscc}`).set('HX-Request', 'true').expect(200);
      expect(html(dup.text).querySelector('a')!.getAttribute('href')).to.equal(`/firms/${firm.uscc}`);
      const self = await t.admin.get(`/firms/check-uscc?uscc=${firm.uscc}&current=${firm.uscc}`).set('HX-Request', 'true').expect(200);
      expect(html(self.text).querySelector('.inline-ok')).to.not.equal(null);
    });
  });

  describe('GET /firms/:uscc', () => {
    it('shows the profile, the figures by year in 万元 and the stage history with days in each stage', async () => {
      const admin = t.basics.users.admin.id;
      const firm = await createFirm(t.db, { stage: 'candidate', at: '2024-01-10T02:00:00.000Z', parkId: t.basics.parks.a, actorId: admin });
      await t.admin.post(`/firms/${firm.uscc}/stage`).type('form').send({ to: 'incubating', version: 1, source: 'firm_page' }).expect(303);
      await t.db('stage_events').where({ firm_id: firm.id, to_stage: 'incubating' }).update({ at: '2024-03-01T02:00:00.000Z' });
      await addFigures(t.db, firm.id, 2024, { salesRevenue: 123456789, staffTotal: 45.5 });
      await addFigures(t.db, firm.id, 2025, { salesRevenue: 150000000 });
      const doc = html((await t.admin.get(`/firms/${firm.uscc}`).expect(200)).text);
      expect(doc.querySelector('h1')!.text).to.equal(firm.name);
      const figures = doc.querySelector('table.figures')!;
      expect(figures.querySelectorAll('thead th').map((th) => th.text.replace(' 编辑', ''))).to.deep.equal(['指标', '2024 年', '2025 年']);
      expect(figures.querySelector('tbody tr')!.text).to.include('12,345.68').and.include('15,000.00');
      expect(figures.text).to.include('45.5');
      const rows = doc.querySelectorAll('table.history tbody tr');
      expect(rows).to.have.length(2);
      expect(rows[1]!.text).to.include('候选').and.include('51 天');
      expect(rows[0]!.classList.contains('current')).to.equal(true);
    });

    it('carries the current version in every form that changes the firm', async () => {
      const firm = await createFirm(t.db, { actorId: t.basics.users.admin.id });
      const doc = html((await t.admin.get(`/firms/${firm.uscc}`).expect(200)).text);
      for (const f of doc.querySelectorAll('form[method=post]').filter((f) => f.getAttribute('action')!.startsWith('/firms/'))) {
        expect(f.querySelector('input[name=version]')!.getAttribute('value'), f.getAttribute('action')).to.equal('1');
      }
      const edit = html((await t.admin.get(`/firms/${firm.uscc}/edit`).set('HX-Request', 'true').expect(200)).text);
      expect(edit.querySelector('input[name=version]')!.getAttribute('value')).to.equal('1');
    });

    it('finds the firm whatever the case or width of the code in the address', async () => {
      const firm = await createFirm(t.db, { uscc: '91330281677691616Q', actorId: t.basics.users.admin.id });
      await t.admin.get('/firms/91330281677691616q').expect(200);
      expect(firm.uscc).to.equal('91330281677691616Q');
    });

    it('When the code is unknown, then a Chinese 404 page with a way back', async () => {
      const res = await t.admin.get('/firms/91330281677691616Q').expect(404);
      expect(res.text).to.include('找不到这家企业').and.include('href="/board"');
    });
  });

  describe('POST /firms/:uscc (edit the profile)', () => {
    it('When the version is current, then the profile changes, the version goes up and the audit row holds only what changed', async () => {
      const firm = await createFirm(t.db, { uscc: '91330281677691616Q', name: '宁波恒拓物联网有限公司', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
      await t.admin.post(`/firms/${firm.uscc}`).type('form').send({ ...form(), uscc: firm.uscc, name: '宁波恒拓物联网科技有限公司', version: '1' }).expect(303);
      const row = await t.db('firms').where({ id: firm.id }).first();
      expect(row).to.include({ name: '宁波恒拓物联网科技有限公司', version: 2 });
      const audit = await t.db('audit_log').where({ action: 'firm.update' }).first();
      expect(JSON.parse(audit.before)).to.include({ name: '宁波恒拓物联网有限公司' });
      expect(JSON.parse(audit.after)).to.include({ name: '宁波恒拓物联网科技有限公司' });
      expect(Object.keys(JSON.parse(audit.after))).to.not.include('uscc');
    });

    it('When the credit code is corrected, then the firm moves to its new address', async () => {
      const firm = await createFirm(t.db, { actorId: t.basics.users.admin.id });
      const res = await t.admin.post(`/firms/${firm.uscc}`).type('form').send({ ...form(), version: '1' }).expect(303);
      expect(res.headers.location).to.equal('/firms/91330281677691616Q?saved=profile');
    });

    it('When someone else saved first (stale version), then it answers 409, keeps what the user typed, shows the current data, and changes nothing', async () => {
      const firm = await createFirm(t.db, { uscc: '91330281677691616Q', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
      await t.admin.post(`/firms/${firm.uscc}`).type('form').send({ ...form(), name: '他人改过的名称有限公司', version: '1' }).expect(303);
      const before = await snapshot(t.db);
      const res = await t.admin.post(`/firms/${firm.uscc}`).type('form').send({ ...form(), name: '我的修改有限公司', version: '1' }).expect(409);
      const doc = html(res.text);
      expect(doc.querySelector('input[name=name]')!.getAttribute('value')).to.equal('我的修改有限公司');
      expect(doc.querySelector('.conflict-current')!.text).to.include('他人改过的名称有限公司');
      expect(doc.querySelector('input[name=version]')!.getAttribute('value')).to.equal('2');
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When the new code belongs to another firm, then it is refused and nothing changes', async () => {
      const a = await createFirm(t.db, { actorId: t.basics.users.admin.id });
      const b = await createFirm(t.db, { actorId: t.basics.users.admin.id });
      const before = await snapshot(t.db);
      await t.admin.post(`/firms/${a.uscc}`).type('form').send({ ...form(), uscc: b.uscc, version: '1' }).expect(422);
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it('When extra fields try to set the stage or the version, then they are ignored', async () => {
      const firm = await createFirm(t.db, { uscc: '91330281677691616Q', stage: 'candidate', actorId: t.basics.users.admin.id });
      await t.admin.post(`/firms/${firm.uscc}`).type('form').send({ ...form(), stage: 'hte_certified', version: '1', id: '999' }).expect(303);
      expect(await t.db('firms').where({ id: firm.id }).first()).to.include({ stage: 'candidate', version: 2 });
    });
  });

  describe('GET /firms (list and search)', () => {
    it('lists firms with their stage and finds them by name or code, with paging', async () => {
      const admin = t.basics.users.admin.id;
      await createFirm(t.db, { name: '余姚市舜宇光电科技有限公司', stage: 'hte_certified', actorId: admin });
      for (let i = 0; i < 55; i++) await createFirm(t.db, { stage: 'candidate', actorId: admin });
      const all = html((await t.admin.get('/firms').expect(200)).text);
      expect(all.querySelector('.table-summary')!.text).to.include('共 56 家');
      expect(all.querySelectorAll('table.data-table tbody tr')).to.have.length(50);
      expect(all.querySelector('.pager a')!.getAttribute('href')).to.include('page=2').and.include('after=');
      const found = html((await t.admin.get('/firms?q=' + encodeURIComponent('舜宇光电')).expect(200)).text);
      expect(found.querySelectorAll('tbody tr')).to.have.length(1);
      expect(found.querySelector('tbody tr')!.text).to.include('高新技术企业');
      const byStage = html((await t.admin.get('/firms?stage=hte_certified').set('HX-Request', 'true').expect(200)).text);
      expect(byStage.querySelectorAll('tbody tr')).to.have.length(1);
    });

    it('pages by keyset: 下一页 to the end shows every firm once in either order, 上一页 comes back to the same rows', async () => {
      const admin = t.basics.users.admin.id;
      // Many share one updated_at (the tie is broken by id), and names repeat.
      const at = '2026-01-05T02:00:00.000Z';
      for (let i = 0; i < 120; i++) {
        const f = await createFirm(t.db, { name: `余姚市翻页${String(i % 40).padStart(2, '0')}科技有限公司`, stage: 'candidate', actorId: admin });
        if (i % 3 === 0) await t.db('firms').where({ id: f.id }).update({ updated_at: at });
      }
      const rowsOf = (doc: ReturnType<typeof html>) => doc.querySelectorAll('table.data-table tbody tr').map((tr) => tr.querySelector('a')!.getAttribute('href'));
      for (const sort of ['updated', 'name']) {
        const seen: (string | undefined)[] = [];
        const pages: string[] = [];
        let url: string | null = `/firms?sort=${sort}`;
        while (url) {
          const doc = html((await t.admin.get(url).expect(200)).text);
          pages.push(url);
          seen.push(...rowsOf(doc));
          expect(doc.querySelector('.table-summary')!.text).to.include(`第 ${pages.length} / 3 页`);
          url = [...doc.querySelectorAll('.pager a')].find((a) => a.text === '下一页')?.getAttribute('href') ?? null;
        }
        expect(pages, sort).to.have.length(3);
        expect(seen, sort).to.have.length(120);
        expect(new Set(seen).size, sort).to.equal(120);
        // Back from page 3 to page 2: the same rows as on the way forward.
        const third = html((await t.admin.get(pages[2]!).expect(200)).text);
        const back = [...third.querySelectorAll('.pager a')].find((a) => a.text === '上一页')!.getAttribute('href')!;
        expect(rowsOf(html((await t.admin.get(back).expect(200)).text)), sort).to.deep.equal(seen.slice(50, 100));
      }
      // A cursor that is not one (typed by hand) gives the first page, not an error.
      expect(rowsOf(html((await t.admin.get('/firms?after=abc&page=7').expect(200)).text))).to.have.length(50);
    });
  });

  it('renders script and HTML in a firm name as text everywhere', async () => {
    const payload = '<img src=x onerror=alert(1)>"\'><svg onload=alert(1)>';
    const firm = await createFirm(t.db, { uscc: validUscc(77), name: payload, actorId: t.basics.users.admin.id });
    for (const url of ['/board', '/firms', `/firms/${firm.uscc}`]) {
      const res = await t.admin.get(url).expect(200);
      expect(res.text, url).to.not.include('<img src=x');
      expect(res.text, url).to.not.include('<svg onload');
      expect(res.text, url).to.include('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    }
  });
});
