/**
 * Input the app does not expect, outside request bodies (issue 8, item 3): control characters in
 * the query or the path are refused with 400 before any handler (or the database: PostgreSQL
 * cannot hold a NUL) sees them; and a refused mapping writes nothing, not even the choices.
 */
import { expect } from 'chai';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { createFirm, validUscc } from '../helpers/factories.js';
import { writeCsv } from '../helpers/list-files.js';
import { createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

describe('control characters in the query and the path', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  const urls = [
    '/firms?q=%E4%BD%99%00%E5%A7%9A',
    '/firms?q=abc%00',
    '/board?q=%00',
    '/board?park=1%00',
    '/firms/check-uscc?uscc=91330281%00',
    '/lists/firms?year=2025%00',
    '/readiness?q=%01',
    '/admin/audit?q=%00',
    '/firms/9133028100001%00',
    '/firms/%00/edit',
    '/lists/imports/1%00',
  ];
  for (const url of urls) {
    it(`GET ${url} → 400 with a message, as a page and as a fragment`, async () => {
      const page = await t.admin.get(url);
      expect(page.status, page.text.slice(0, 200)).to.equal(400);
      expect(page.text).to.include('控制字符');
      const fragment = await t.admin.get(url).set('HX-Request', 'true');
      expect(fragment.status).to.equal(400);
      expect(fragment.headers['hx-retarget']).to.equal('#flash');
    });
  }

  it('still serves the same searches without the control character', async () => {
    const firm = await createFirm(t.db, { name: '余姚市控制字符测试有限公司', stage: 'candidate', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    expect((await t.admin.get('/firms?q=' + encodeURIComponent('控制字符测试')).expect(200)).text).to.include(firm.uscc);
    // Tabs and line breaks are ordinary text a textarea sends; they are not refused.
    await t.admin.get('/firms?q=%09abc%0A').expect(200);
  });
});

describe('a refused column mapping writes nothing', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  it('an empty or missing choice for a required column: 422, the batch row untouched, the choices shown as sent', async () => {
    const file = writeCsv([['统一社会信用代码', '企业名称', '所在园区'], [validUscc(91_001), '余姚市映射测试有限公司', '余姚经济开发区']]);
    const res = await t.admin.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', file).expect(303);
    const id = Number(/(\d+)$/.exec(res.headers.location!)![1]);
    const row = await t.db('import_batches').where({ id }).first();
    const before = await snapshot(t.db);
    for (const body of [
      { field_0: '', field_1: 'name', field_2: 'park', version: '1' }, // the code column left empty
      { field_1: 'name', version: '1' }, // choices missing altogether
      { field_0: 'uscc', field_1: 'uscc', field_2: '', version: '1' }, // one column twice, no name
    ]) {
      const refused = await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send(body).expect(422);
      const doc = html(refused.text);
      expect(doc.querySelector('#mapping .alert-error')?.text).to.match(/统一社会信用代码|企业名称/);
      // What the user chose is on the screen although nothing was saved.
      for (const [name, value] of Object.entries(body)) {
        if (!name.startsWith('field_')) continue;
        const selected = doc.querySelector(`select[name="${name}"] option[selected]`)?.getAttribute('value') ?? '';
        expect(selected, name).to.equal(value);
      }
      expect(await t.db('import_batches').where({ id }).first()).to.deep.equal(row);
      expect(await snapshot(t.db)).to.deep.equal(before);
    }
    // The suggested mapping still goes through afterwards.
    await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name', field_2: 'park', version: '1' }).expect(303);
    await (t.app.locals.importRunner as ImportRunner).settled(id);
  });
});
