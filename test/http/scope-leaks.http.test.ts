/**
 * Lookups by credit code or name, for a caseworker limited to some parks (issue 8, item 13): of a
 * firm outside their parks they learn at most "已登记，不在你的负责范围" — never its name, its park, its
 * stage, a link to it, or (when they typed only a name) its code.
 */
import { expect } from 'chai';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { createFirm, validUscc } from '../helpers/factories.js';
import { writeCsv } from '../helpers/list-files.js';
import { createTestContext, snapshot, type TestContext } from '../helpers/test-app.js';

describe('what a park-scoped caseworker learns of firms outside their parks', () => {
  let t: TestContext;
  let inside: { uscc: string; name: string };
  let outside: { uscc: string; name: string };
  before(async () => {
    t = await createTestContext();
    inside = await createFirm(t.db, { name: '余姚市园区内可查科技有限公司', stage: 'candidate', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    outside = await createFirm(t.db, { name: '余姚市园区外保密科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
  });
  after(() => t.destroy());

  /** Nothing that identifies or describes the outside firm. */
  function revealsNothing(text: string) {
    expect(text).to.not.include(outside.name);
    expect(text).to.not.include(`/firms/${outside.uscc}`);
    expect(text).to.not.include('中意宁波生态园');
  }

  it('the inline code check says only that the code is taken, outside their parks', async () => {
    const scoped = await t.as('scoped');
    const out = await scoped.get(`/firms/check-uscc?uscc=${outside.uscc}`).set('HX-Request', 'true').expect(200);
    expect(out.text).to.include('已登记，不在你的负责范围');
    revealsNothing(out.text);
    expect(out.text, 'its stage').to.not.include('科技型中小企业');
    const mine = await scoped.get(`/firms/check-uscc?uscc=${inside.uscc}`).set('HX-Request', 'true').expect(200);
    expect(mine.text).to.include('该信用代码已登记').and.include(`/firms/${inside.uscc}`);
    // A county-wide caseworker is told as before, with the link.
    const county = await t.as('caseworker');
    expect((await county.get(`/firms/check-uscc?uscc=${outside.uscc}`).expect(200)).text).to.include(`/firms/${outside.uscc}`);
  });

  it('registering or re-coding a firm with that code: the same words, nothing more, nothing written', async () => {
    const scoped = await t.as('scoped');
    const before = await snapshot(t.db);
    const create = await scoped.post('/firms').type('form').send({ uscc: outside.uscc, name: '余姚市新登记有限公司', parkId: t.basics.parks.a, stage: 'candidate' }).expect(422);
    expect(create.text).to.include('已登记，不在你的负责范围');
    revealsNothing(create.text);
    const recode = await scoped.post(`/firms/${inside.uscc}`).type('form').send({ uscc: outside.uscc, name: inside.name, parkId: t.basics.parks.a, version: 1 }).expect(422);
    expect(recode.text).to.include('已登记，不在你的负责范围');
    revealsNothing(recode.text);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a list row matched only by name to a firm outside their parks is refused without showing that firm’s code', async () => {
    const scoped = await t.as('scoped');
    const file = writeCsv([['统一社会信用代码', '企业名称'], ['', outside.name], [validUscc(93_001), '余姚市名单新企业有限公司']]);
    const res = await scoped.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', file).expect(303);
    const id = Number(/(\d+)$/.exec(res.headers.location!)![1]);
    await scoped.post(`/lists/imports/${id}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name', version: 1 }).expect(303);
    await (t.app.locals.importRunner as ImportRunner).settled(id);
    const page = (await scoped.get(`/lists/imports/${id}`).expect(200)).text;
    expect(page).to.include('已登记，不在你的负责范围').and.not.include('不止一家');
    expect(page).to.not.include(outside.uscc);
    const rejects = (await scoped.get(`/lists/imports/${id}/rejects.csv`).expect(200)).text;
    expect(rejects).to.not.include(outside.uscc);
  });

  it('the firm page, its fragments and search answer as for a code that does not exist', async () => {
    const scoped = await t.as('scoped');
    const missing = validUscc(93_999);
    for (const path of ['', '/edit', '/move-menu', '/figures', '/figures/edit?year=2025']) {
      const a = await scoped.get(`/firms/${outside.uscc}${path}`);
      const b = await scoped.get(`/firms/${missing}${path}`);
      expect(a.status, path).to.equal(404);
      expect(a.status, path).to.equal(b.status);
      revealsNothing(a.text);
    }
    revealsNothing((await scoped.get(`/firms?q=${outside.uscc}`).expect(200)).text);
    revealsNothing((await scoped.get(`/firms?q=${encodeURIComponent('园区外保密')}`).expect(200)).text);
  });
});
