import { expect } from 'chai';
import { createFirm } from '../helpers/factories.js';
import { insertCert } from '../helpers/certs.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';

/**
 * The register page pages by keyset in register order (year newest first, kind, registration order):
 * forwards and back again land on the same rows, no row twice or missed, filters kept in the links.
 */
describe('certification register paging (/certifications)', () => {
  let t: TestContext;
  let expected: number[];

  before(async () => {
    t = await createTestContext();
    const by = t.basics.users.admin.id;
    const at = '2025-12-20T02:00:00.000Z';
    for (let i = 0; i < 80; i++) {
      const f = await createFirm(t.db, { stage: 'tech_sme', parkId: t.basics.parks.a, actorId: by });
      await insertCert(t.db, { firmId: f.id, kind: 'tsme', year: 2024, issuedOn: '2024-06-01', at, by });
      await insertCert(t.db, { firmId: f.id, kind: 'tsme', year: 2025, issuedOn: '2025-06-01', at, by });
      if (i % 2 === 0) await insertCert(t.db, { firmId: f.id, kind: 'hte', year: 2025, mode: 'first', appliedOn: '2025-05-10', status: 'pending', at, by });
    }
    const kinds = await t.db('certifications').select('id', 'year', 'kind');
    expected = kinds.sort((a, b) => b.year - a.year || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || a.id - b.id).map((r) => Number(r.id));
  });
  after(() => t.destroy());

  const page = async (url: string) => {
    const doc = html((await t.admin.get(url).expect(200)).text);
    const ids = doc.querySelectorAll('#register-table tbody a[href$="/edit"]').map((a) => Number(/\/certifications\/(\d+)\/edit/.exec(a.getAttribute('href')!)![1]));
    const link = (text: string) => doc.querySelectorAll('#register-table .pager a').find((a) => a.text.trim() === text)?.getAttribute('href')?.replace(/&amp;/g, '&') ?? null;
    return { ids, prev: link('上一页'), next: link('下一页'), summary: doc.querySelector('#register-table .table-summary')!.text };
  };

  it('walks forwards through every row once, in register order, and back to the same pages', async () => {
    const p1 = await page('/certifications');
    expect(p1.summary).to.include('共 200 条');
    expect(p1.prev).to.equal(null);
    const p2 = await page(p1.next!);
    expect(p2.next).to.equal(null);
    expect([...p1.ids, ...p2.ids]).to.deep.equal(expected);
    const back = await page(p2.prev!);
    expect(back.ids).to.deep.equal(p1.ids);
    expect(back.prev).to.equal(null);
    expect(back.next).to.be.a('string');
  });

  it('keeps the filters in the page links and counts only what matches', async () => {
    const p1 = await page('/certifications?kind=tsme');
    expect(p1.summary).to.include('共 160 条');
    expect(p1.next).to.match(/kind=tsme&after=2024\.tsme\.\d+$/);
    const p2 = await page(p1.next!);
    expect([...p1.ids, ...p2.ids]).to.have.length(160);
    expect(new Set([...p1.ids, ...p2.ids]).size).to.equal(160);
    const y = await page('/certifications?year=2024');
    expect(y.summary).to.include('共 80 条');
    expect(y.next).to.equal(null);
    // A cursor that is not one is the first page, not an error.
    expect((await page('/certifications?after=abc')).ids).to.deep.equal(expected.slice(0, 100));
  });

  it('says "超过 1,000 条" rather than count every row, and still pages through them', async () => {
    const firms = (await t.db('certifications').distinct('firm_id')).map((r: { firm_id: number }) => r.firm_id);
    const at = new Date().toISOString();
    const rows = firms.flatMap((firmId: number) => Array.from({ length: 11 }, (_, i) => ({ firm_id: firmId, kind: 'tsme', year: 2010 + i, status: 'active', source: 'manual', created_at: at, updated_at: at })));
    for (let i = 0; i < rows.length; i += 100) await t.db('certifications').insert(rows.slice(i, i + 100));
    const p1 = await page('/certifications');
    expect(p1.summary).to.include('超过 1,000 条');
    expect(p1.ids).to.deep.equal(expected.slice(0, 100)); // the newest years first: the added ones come last
    expect(p1.next).to.be.a('string');
  });
});
