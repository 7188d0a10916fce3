import { expect } from 'chai';
import { createFirm } from '../helpers/factories.js';
import { insertCert } from '../helpers/certs.js';
import { createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

describe('targets /targets', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
    const by = t.basics.users.admin.id;
    const f = await createFirm(t.db, { stage: 'hte_certified', parkId: t.basics.parks.a, actorId: by });
    await insertCert(t.db, { firmId: f.id, kind: 'hte', year: 2023, mode: 'first', number: 'GR202333009001', issuedOn: '2023-12-08', validUntil: '2026-12-08', at: '2023-12-10T02:00:00.000Z', by });
  });
  after(() => t.destroy());

  const row = (doc: ReturnType<typeof html>, metric: string) => doc.querySelector(`tr[data-metric=${metric}]`)!;
  const form = (values: Record<string, string>, versions: Record<string, string> = {}) => ({
    year: '2023',
    ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`t_${k}`, v])),
    ...Object.fromEntries(Object.entries(versions).map(([k, v]) => [`v_${k}`, v])),
  });

  it('a leader sets the 2023 targets (166 and 250); actuals come from the register, with the completion rate', async () => {
    const leader = await t.as('leader');
    await leader.post('/targets').type('form').send(form({ hte_new: '166', tsme_prov: '250' })).expect(303);
    const doc = html((await leader.get('/targets?year=2023').expect(200)).text);
    expect(row(doc, 'hte_new').querySelector('input[name=t_hte_new]')!.getAttribute('value')).to.equal('166');
    expect(row(doc, 'hte_new').querySelector('[data-actual]')!.text.trim()).to.equal('1');
    expect(row(doc, 'hte_new').text).to.include('0.6%');
    expect(row(doc, 'tsme_prov').querySelector('input[name=t_tsme_prov]')!.getAttribute('value')).to.equal('250');
    expect(row(doc, 'demands').querySelector('[data-actual]')!.text.trim()).to.equal('辅导记录尚未启用');
    const audit = await t.db('audit_log').where({ action: 'target.set' }).first();
    expect(JSON.parse(audit.after)).to.deep.equal({ 新认定高企: 166, 省级科技型中小企业: 250 });
  });

  it('a negative or fractional target is refused in Chinese, the form kept as typed, nothing saved', async () => {
    const before = await t.db('targets').orderBy('id');
    const res = await t.admin.post('/targets').type('form').send(form({ hte_new: '170', tsme: '-3', benchmark: '2.5' }, { hte_new: '1' })).expect(422);
    const doc = html(res.text);
    expect(doc.text).to.include('科技型中小企业入库：目标不能为负数。');
    expect(doc.text).to.include('科技领军/小巨人：目标必须是整数');
    expect(row(doc, 'tsme').querySelector('input[name=t_tsme]')!.getAttribute('value')).to.equal('-3');
    expect(row(doc, 'hte_new').querySelector('input[name=t_hte_new]')!.getAttribute('value')).to.equal('170');
    expect(await t.db('targets').orderBy('id')).to.deep.equal(before);
  });

  it('a target changed by someone else meanwhile answers 409 with the fresh values and saves nothing', async () => {
    const before = await snapshot(t.db);
    const targets = await t.db('targets').orderBy('id');
    const res = await t.admin.post('/targets').type('form').send(form({ hte_new: '180', tsme_prov: '250' }, { hte_new: '0', tsme_prov: '1' })).expect(409);
    expect(res.text).to.include('目标已被他人修改');
    expect(row(html(res.text), 'hte_new').querySelector('input[name=t_hte_new]')!.getAttribute('value')).to.equal('166');
    expect(await t.db('targets').orderBy('id')).to.deep.equal(targets);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('blank removes a target; a caseworker and a counsellor read but may not set', async () => {
    await t.admin.post('/targets').type('form').send(form({ hte_new: '166', tsme_prov: '' }, { hte_new: '1', tsme_prov: '1' })).expect(303);
    expect((await t.db('targets').where({ year: 2023 })).map((r: { metric: string }) => r.metric)).to.deep.equal(['hte_new']);
    for (const who of ['caseworker', 'counsellor'] as const) {
      const c = await t.as(who);
      const page = html((await c.get('/targets?year=2023').expect(200)).text);
      expect(page.querySelector('input[name=t_hte_new]')).to.equal(null);
      expect(row(page, 'hte_new').querySelectorAll('td')[0]!.text.trim()).to.equal('166');
      await c.post('/targets').type('form').send(form({ hte_new: '1' }, { hte_new: '1' })).expect(403);
    }
    expect((await t.db('targets').where({ year: 2023, metric: 'hte_new' }).first()).value).to.equal(166);
  });

  it('a target per park is kept apart from the county one', async () => {
    await t.admin.post('/targets').type('form').send({ ...form({ hte_new: '40' }), park: String(t.basics.parks.a) }).expect(303);
    const doc = html((await t.admin.get(`/targets?year=2023&park=${t.basics.parks.a}`).expect(200)).text);
    expect(row(doc, 'hte_new').querySelector('input[name=t_hte_new]')!.getAttribute('value')).to.equal('40');
    expect(row(doc, 'hte_new').querySelector('[data-actual]')!.text.trim()).to.equal('1');
    const county = html((await t.admin.get('/targets?year=2023').expect(200)).text);
    expect(row(county, 'hte_new').querySelector('input[name=t_hte_new]')!.getAttribute('value')).to.equal('166');
  });
});
