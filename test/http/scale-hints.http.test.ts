/** 规上/规下 on the firm form, the figures and the board; consistency hints on the firm page and /readiness/hints (issue 12 items 6–7). */
import { expect } from 'chai';
import { insertCertification, type CertificationValues } from '../../src/features/certifications/certifications.queries.js';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { addFigures, createFirm, type SeededFirm } from '../helpers/factories.js';
import { commitList } from '../helpers/list-import.js';
import { writeCsv } from '../helpers/list-files.js';
import { createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

const THIS_YEAR = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));

function cert(firmId: number, v: Partial<CertificationValues> & Pick<CertificationValues, 'kind' | 'year'>): CertificationValues {
  return {
    firmId, number: null, level: null, mode: null, appliedOn: null, publicizedOn: null, filedOn: null, issuedOn: null, validUntil: null,
    validUntilOverride: false, status: 'active', statusReasonCode: null, statusReason: null, statusOn: null, note: null, ...v,
  };
}

describe('规上/规下: sector, 主营业务收入 and the board filter', function () {
  this.timeout(30_000);
  let t: TestContext;
  let firm: SeededFirm;
  beforeEach(async () => {
    t = await createTestContext();
    firm = await createFirm(t.db, { name: '余姚市规上测试机械有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
  });
  afterEach(() => t.destroy());

  const profile = (sector: string) => ({ uscc: firm.uscc, name: firm.name, parkId: t.basics.parks.a, townId: '', field: '', sector, foundedOn: '2015-06-01', address: '', contactName: '', contactPhone: '', counsellorId: '', lifecycle: '', notes: '' });
  const saveYear = (body: Record<string, string | number>) => t.admin.post(`/firms/${firm.uscc}/figures/2025`).set('HX-Request', 'true').type('form').send(body);
  const scaleText = async () => html((await t.admin.get(`/firms/${firm.uscc}`).expect(200)).text).getElementById('firm-scale')!.text.replace(/\s+/g, ' ');

  it('refuses an unknown 门类 with a Chinese message and saves nothing', async () => {
    const cw = await t.as('caseworker');
    const before = await snapshot(t.db);
    const res = await cw.postForm(`/firms/${firm.uscc}`, { ...profile('Z'), version: 1 }).expect(422);
    expect(html(res.text).querySelector('select[name=sector] ~ .field-error')!.text).to.equal('请选择列表中的国民经济行业门类（GB/T 4754-2017，A–T）。');
    expect(await snapshot(t.db)).to.deep.equal(before);
    expect((await t.db('firms').where({ id: firm.id }).first()).sector).to.equal(null);
  });

  it('classifies an industrial firm from its 主营业务收入: 2000 万元 is 规上, one 元 less is 规下, and a software firm is not measured', async () => {
    const cw = await t.as('caseworker');
    await cw.postForm(`/firms/${firm.uscc}`, { ...profile('C'), version: 1 }).expect(303);
    expect(await scaleText()).to.include('无法判断').and.include('尚无营业收入数据');
    await saveYear({ version: 0, salesRevenue: '2100', mainRevenue: '2000' }).expect(200);
    expect((await t.db('firms').where({ id: firm.id }).first()).scale_class).to.equal('above');
    expect(await scaleText()).to.include('规上工业').and.include('2025年主营业务收入 2,000 万元 ≥ 2000 万元 → 规上工业');
    await saveYear({ version: 1, salesRevenue: '2100', mainRevenue: '1999.9999' }).expect(200);
    expect(await scaleText()).to.include('2025年主营业务收入 1,999.9999 万元 < 2000 万元 → 规下工业');
    expect((await t.db('firms').where({ id: firm.id }).first()).scale_class).to.equal('below');
    await cw.postForm(`/firms/${firm.uscc}`, { ...profile('I'), version: 2 }).expect(303);
    expect(await scaleText()).to.include('非工业（不适用）').and.include('I 信息传输、软件和信息技术服务业');
    // The class is derived: the profile's version moved only for the sector edits, not for the figures.
    expect((await t.db('firms').where({ id: firm.id }).first())).to.include({ scale_class: 'not_industrial', version: 3 });
  });

  it('refuses 主营业务收入 above 销售收入 on the figures form, saving nothing', async () => {
    const res = await saveYear({ version: 0, salesRevenue: '100', mainRevenue: '120' }).expect(422);
    expect(html(res.text).getElementById('fig-err-mainRevenue')!.text).to.include('主营业务收入不能超过销售收入');
    expect(await t.db('annual_figures').where({ firm_id: firm.id }).first()).to.equal(undefined);
  });

  it('filters the board and the firm list by class', async () => {
    const admin = t.basics.users.admin.id;
    await t.db('firms').where({ id: firm.id }).update({ sector: 'C' });
    await addFigures(t.db, firm.id, 2025, { salesRevenue: 30_000_000, mainRevenue: 25_000_000 });
    const small = await createFirm(t.db, { name: '余姚市规下测试模具有限公司', stage: 'tech_sme', sector: 'C', parkId: t.basics.parks.a, actorId: admin });
    await addFigures(t.db, small.id, 2025, { salesRevenue: 9_000_000, mainRevenue: 8_000_000 });
    await createFirm(t.db, { name: '余姚市软件测试信息技术有限公司', stage: 'tech_sme', sector: 'I', parkId: t.basics.parks.a, actorId: admin });
    const cards = async (qs: string) => html((await t.admin.get(`/board?${qs}`).expect(200)).text).querySelectorAll('#cards-tech_sme .card-name').map((n) => n.text);
    expect(await cards('scale=above')).to.deep.equal(['余姚市规上测试机械有限公司']);
    expect(await cards('scale=below')).to.deep.equal(['余姚市规下测试模具有限公司']);
    expect(await cards('scale=not_industrial')).to.deep.equal(['余姚市软件测试信息技术有限公司']);
    const board = html((await t.admin.get('/board?scale=above').expect(200)).text);
    expect(board.getElementById('count-tech_sme')!.text).to.equal('1');
    expect(board.querySelector('select[name=scale] option[selected]')!.text).to.equal('规上工业');
    // A value not in the list is dropped, not passed on: every firm.
    expect(await cards('scale=huge')).to.have.length(3);
    expect(html((await t.admin.get('/firms?scale=below').expect(200)).text).querySelector('#firm-table')!.text).to.include('余姚市规下测试模具有限公司').and.not.include('余姚市规上测试机械有限公司');
  });

  it('imports 主营业务收入 as an optional figures column and keeps the class in step', async () => {
    await t.db('firms').where({ id: firm.id }).update({ sector: 'C' });
    const runner = t.app.locals.importRunner as ImportRunner;
    const up = await t.admin.post('/lists/imports').field('kind', 'annual_figures').field('year', '2025')
      .attach('file', writeCsv([['统一社会信用代码', '企业名称', '销售收入（万元）', '主营业务收入（万元）'], [firm.uscc, firm.name, '2600', '2345.6']])).expect(303);
    const id = Number(/(\d+)$/.exec(up.headers.location ?? '')![1]);
    await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name', field_2: 'revenue', unit_2: 'wan', field_3: 'main_revenue', unit_3: 'wan', version: 1 }).expect(303);
    await runner.settled(id);
    await t.admin.post(`/lists/imports/${id}/commit`).type('form').send({}).expect(303);
    await runner.settled(id);
    const row = await t.db('annual_figures').where({ firm_id: firm.id, year: 2025 }).first();
    expect(Number(row.main_revenue)).to.equal(23_456_000);
    expect((await t.db('firms').where({ id: firm.id }).first()).scale_class).to.equal('above');
    expect(await scaleText()).to.include('2025年主营业务收入 2,345.6 万元 ≥ 2000 万元 → 规上工业');
  });

  it('shows 规下样本 membership from the list only, and flags a 规上 firm on it', async () => {
    await t.db('firms').where({ id: firm.id }).update({ sector: 'C' });
    await addFigures(t.db, firm.id, 2025, { salesRevenue: 30_000_000, mainRevenue: 25_000_000 });
    expect(await scaleText()).to.include('尚未导入规下样本名单');
    await commitList(t, [[firm.uscc, firm.name]], { kind: 'below_scale', year: 2025 });
    expect(await scaleText()).to.include('在 2025 年规下样本名单上');
    const hints = html((await t.admin.get(`/firms/${firm.uscc}`).expect(200)).text).getElementById('firm-hints')!;
    expect(hints.text).to.include('已达规上工业标准').and.include('规下样本名单上');
    expect(hints.querySelector('a.button')).to.equal(null);
  });
});

describe('consistency hints: the firm page and /readiness/hints', function () {
  this.timeout(30_000);
  let t: TestContext;
  const at = new Date().toISOString();
  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  it('says a firm at 孵化培育 holds this year\'s tech-SME registration and opens the move form prefilled; nothing moves', async () => {
    const f = await createFirm(t.db, { name: '余姚市提示甲科技有限公司', stage: 'incubating', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    await insertCertification(t.db, cert(f.id, { kind: 'tsme', year: THIS_YEAR, number: `${THIS_YEAR}3302810A000001`, issuedOn: `${THIS_YEAR}-01-15` }), { source: 'register', at, by: null });
    const cw = await t.as('caseworker');
    const page = html((await cw.get(`/firms/${f.uscc}`).expect(200)).text);
    const panel = page.getElementById('firm-hints')!;
    expect(panel.text).to.include(`已取得 ${THIS_YEAR} 年度科技型中小企业入库登记编号 ${THIS_YEAR}3302810A000001`).and.include('孵化培育');
    const link = panel.querySelector('a.button')!;
    expect(link.text).to.equal('移到“科技型中小企业”…');
    const before = await snapshot(t.db);
    const form = html((await cw.get(link.getAttribute('href')!.replace(/#.*$/, '')).expect(200)).text).querySelector('#move-stage form')!;
    expect(form.querySelector('select[name=to] option[selected]')!.getAttribute('value')).to.equal('tech_sme');
    expect(form.querySelector('textarea[name=reason]')!.text).to.include('一致性提示：已取得');
    expect(await snapshot(t.db)).to.deep.equal(before);
    // A leader reads the hint but is offered no move.
    const leader = html((await (await t.as('leader')).get(`/firms/${f.uscc}`).expect(200)).text).getElementById('firm-hints')!;
    expect(leader.text).to.include('建议移到“科技型中小企业”');
    expect(leader.querySelector('a')).to.equal(null);
  });

  it('lists the firms with hints in the user\'s parks: a valid certificate below the stage, a lapsed registration, a certified firm without a certificate', async () => {
    const admin = t.basics.users.admin.id;
    const valid = await createFirm(t.db, { name: '余姚市提示乙科技有限公司', stage: 'hte_applying', parkId: t.basics.parks.a, actorId: admin });
    await insertCertification(t.db, cert(valid.id, { kind: 'hte', year: THIS_YEAR - 1, number: `GR${THIS_YEAR - 1}33100001`, issuedOn: `${THIS_YEAR - 1}-12-01`, validUntil: `${THIS_YEAR + 2}-12-01` }), { source: 'register', at, by: null });
    await insertCertification(t.db, cert(valid.id, { kind: 'tsme', year: THIS_YEAR, number: `${THIS_YEAR}3302810A000002` }), { source: 'register', at, by: null });
    const lapsed = await createFirm(t.db, { name: '余姚市提示丙科技有限公司', stage: 'hte_reserve', parkId: t.basics.parks.a, actorId: admin });
    await insertCertification(t.db, cert(lapsed.id, { kind: 'tsme', year: THIS_YEAR - 2, number: `${THIS_YEAR - 2}3302810A000003` }), { source: 'register', at, by: null });
    const elsewhere = await createFirm(t.db, { name: '余姚市提示丁科技有限公司', stage: 'hte_certified', parkId: t.basics.parks.b, actorId: admin });
    const fine = await createFirm(t.db, { name: '余姚市无提示科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, actorId: admin });
    await insertCertification(t.db, cert(fine.id, { kind: 'tsme', year: THIS_YEAR, number: `${THIS_YEAR}3302810A000004` }), { source: 'register', at, by: null });
    await insertCertification(t.db, cert(fine.id, { kind: 'tsme', year: THIS_YEAR - 1, number: `${THIS_YEAR - 1}3302810A000004` }), { source: 'register', at, by: null });

    const names = (text: string) => html(text).querySelectorAll('#hints-table tbody tr td:first-child a').map((a) => a.text);
    const all = (await t.admin.get('/readiness/hints').expect(200)).text;
    expect(names(all)).to.deep.equal([valid.name, lapsed.name, elsewhere.name]);
    const rowOf = (text: string, name: string) => html(text).querySelectorAll('#hints-table tbody tr').find((r) => r.text.includes(name))!;
    expect(rowOf(all, valid.name).text).to.include('有效期内的高新技术企业证书').and.include('移到“高新技术企业”…');
    expect(rowOf(all, lapsed.name).text).to.include(`最近一次为 ${THIS_YEAR - 2} 年度`);
    expect(rowOf(all, elsewhere.name).text).to.include('没有有效期内的高新技术企业证书');
    expect(rowOf(all, elsewhere.name).querySelector('.stage-chip')!.text).to.equal('高新技术企业');
    expect(names((await t.admin.get('/readiness/hints?code=tsme_lapsed').expect(200)).text)).to.deep.equal([lapsed.name]);
    // A caseworker limited to park A sees only park A's firms.
    const scoped = await t.as('scoped');
    expect(names((await scoped.get('/readiness/hints').expect(200)).text)).to.deep.equal([valid.name, lapsed.name]);
    expect(names((await scoped.get(`/readiness/hints?park=${t.basics.parks.b}`).expect(200)).text)).to.deep.equal([]);
    // The reserve page links to the tab.
    expect(html((await t.admin.get('/readiness').expect(200)).text).querySelector('nav.tabs a[href="/readiness/hints"]')).to.not.equal(null);
  });

  it('pages by keyset: 50 firms, then the rest after the last one', async () => {
    const admin = t.basics.users.admin.id;
    for (let i = 0; i < 53; i++) await createFirm(t.db, { name: `余姚市证书缺失${String(i).padStart(2, '0')}科技有限公司`, stage: 'hte_certified', parkId: t.basics.parks.a, actorId: admin });
    const first = html((await t.admin.get('/readiness/hints').expect(200)).text);
    expect(first.querySelectorAll('#hints-table tbody tr')).to.have.length(50);
    const next = first.querySelector('#hints-table .pager a:last-child')!.getAttribute('href')!;
    expect(next).to.match(/after=\d+$/);
    const second = html((await t.admin.get(next).expect(200)).text);
    const rest = second.querySelectorAll('#hints-table tbody tr td:first-child a').map((a) => a.text);
    expect(rest).to.deep.equal(['余姚市证书缺失50科技有限公司', '余姚市证书缺失51科技有限公司', '余姚市证书缺失52科技有限公司']);
    expect(second.querySelector('#hints-table .pager')!.text).to.include('第一页').and.not.include('下一页');
  });
});
