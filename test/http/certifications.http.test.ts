import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { addDays } from '../../src/domain/eligibility/dates.js';
import { createFirm, type SeededFirm } from '../helpers/factories.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { TODAY as today } from '../helpers/today.js';

const year = Number(today.slice(0, 4));

describe('certification register (/certifications) and the board', () => {
  let t: TestContext;
  let admin: number;
  beforeEach(async () => {
    t = await createTestContext();
    admin = t.basics.users.admin.id;
  });
  afterEach(() => t.destroy());

  const move = (firm: SeededFirm, body: Record<string, string | number>, version = firm.version) =>
    t.admin.post(`/firms/${firm.uscc}/stage`).set('HX-Request', 'true').type('form').send({ version, source: 'board', ...body });
  const newRow = (firm: SeededFirm, kind: string, body: Record<string, string | number>) => t.admin.postForm('/certifications/new', { firm: firm.uscc, kind, ...body });
  const rows = (firmId: number) => t.db('certifications').where({ firm_id: firmId }).orderBy('id');
  const number = (n: number, y = year) => `GR${y}33${String(100000 + n)}`;

  it('a move into 高新技术企业 on the board writes the HTE row, completing the open application', async () => {
    const firm = await createFirm(t.db, { stage: 'hte_applying', actorId: admin });
    await newRow(firm, 'hte', { year, mode: 'first', appliedOn: addDays(today, -30) }).expect(303);
    expect((await rows(firm.id)).map((r) => [r.status, r.number])).to.deep.equal([['pending', null]]);
    await move(firm, { to: 'hte_certified', certificateNo: number(1), certificateDate: today }).expect(200);
    const [row] = await rows(firm.id);
    expect(row).to.include({ status: 'active', number: number(1), issued_on: today, mode: 'first', kind: 'hte', year });
    const history = await t.db('certification_history').where({ certification_id: row.id }).orderBy('id');
    expect(history.map((h) => h.change)).to.deep.equal(['create', 'certify']);
  });

  it('a board move refuses a certificate number another firm holds, and saves nothing', async () => {
    const a = await createFirm(t.db, { stage: 'hte_applying', actorId: admin });
    const b = await createFirm(t.db, { stage: 'hte_applying', actorId: admin });
    await move(a, { to: 'hte_certified', certificateNo: number(2), certificateDate: today }).expect(200);
    const res = await move(b, { to: 'hte_certified', certificateNo: number(2), certificateDate: today }).expect(422);
    expect(res.text).to.contain('该编号已由另一家企业持有');
    expect((await t.db('firms').where({ id: b.id }).first()).stage).to.equal('hte_applying');
    expect(await rows(b.id)).to.have.length(0);
  });

  it('a certificate recorded in the register moves the firm through the same transition (source 资质登记)', async () => {
    const firm = await createFirm(t.db, { stage: 'hte_reserve', actorId: admin });
    const res = await newRow(firm, 'hte', { year, mode: 'first', number: number(3), issuedOn: today }).expect(303);
    expect(res.headers.location).to.equal(`/firms/${firm.uscc}#certifications`);
    const f = await t.db('firms').where({ id: firm.id }).first();
    expect(f).to.include({ stage: 'hte_certified', version: 2 });
    const e = await t.db('stage_events').where({ firm_id: firm.id, to_stage: 'hte_certified' }).first();
    expect(e).to.include({ source: 'register', reason_code: 'skip' });
    expect(JSON.parse(e.details)).to.deep.equal({ certificateNo: number(3), certificateDate: today });
    expect(await rows(firm.id)).to.have.length(1); // the move did not write a second row
    // The board may not step it back while the certificate is valid …
    const back = await move(firm, { to: 'hte_applying', reason: '录错' }, 2).expect(422);
    expect(back.text).to.contain('持有有效的高新技术企业证书');
    // … but cancelling it in the register moves it back to 高企培育库.
    const [row] = await rows(firm.id);
    await t.admin.postForm(`/certifications/${row.id}/cancel`, { version: row.version, reasonCode: 'incident', statusOn: today }).expect(303);
    expect((await t.db('firms').where({ id: firm.id }).first()).stage).to.equal('hte_reserve');
    expect((await rows(firm.id))[0]).to.include({ status: 'revoked', status_reason_code: 'incident' });
    // 指引 五（六）3: no new application the same year.
    const again = await newRow(firm, 'hte', { year, mode: 'renewal', appliedOn: today }).expect(422);
    expect(again.text).to.contain('当年不得再次申请');
  });

  it('bad input gets a Chinese message and nothing is saved', async () => {
    const firm = await createFirm(t.db, { stage: 'tech_sme', foundedOn: '2020-03-01', actorId: admin });
    const other = await createFirm(t.db, { stage: 'hte_reserve', actorId: admin });
    await newRow(other, 'hte', { year, mode: 'first', number: number(9), issuedOn: today }).expect(303);
    const cases: [string, Record<string, string | number>, string][] = [
      ['hte', { year, mode: 'first', number: 'GR2023331', issuedOn: today }, 'GR 加 12 位数字'],
      ['hte', { year, mode: 'first', number: number(9), issuedOn: today }, `该编号已由“${other.name}”持有`],
      ['hte', { year, mode: 'first', number: number(4), issuedOn: addDays(today, 1) }, '日期不能晚于今天'],
      ['hte', { year: 2019, mode: 'first', number: 'GR201933100004', issuedOn: '2019-12-01' }, '不能早于企业成立日期（2020-03-01）'],
      ['tsme', { year: 2023, number: '20223302810A000001', issuedOn: '2023-05-01' }, '属于 2022 年度'],
      ['tsme', { year: 2019, number: '20193302810A000001', issuedOn: '2019-05-01' }, '尚未成立'],
    ];
    for (const [kind, body, message] of cases) {
      const res = await newRow(firm, kind, body).expect(422);
      expect(html(res.text).text, message).to.contain(message);
    }
    expect(await rows(firm.id)).to.have.length(0);
    expect((await t.db('firms').where({ id: firm.id }).first()).stage).to.equal('tech_sme');
  });

  it('the register page lists rows with filters; a scoped caseworker sees only their parks; counsellors read but do not edit', async () => {
    const inA = await createFirm(t.db, { stage: 'tech_sme', parkId: t.basics.parks.a, name: '余姚市甲科技有限公司', actorId: admin });
    const inB = await createFirm(t.db, { stage: 'tech_sme', parkId: t.basics.parks.b, name: '余姚市乙科技有限公司', actorId: admin });
    await newRow(inA, 'tsme', { year, number: `${year}3302810A000011`, issuedOn: today }).expect(303);
    await newRow(inB, 'tsme', { year, number: `${year}3302810A000012`, issuedOn: today }).expect(303);
    await newRow(inB, 'leading', { year, level: '宁波市级' }).expect(303);
    const all = html((await t.admin.get('/certifications').expect(200)).text);
    expect(all.querySelectorAll('.register-table tbody tr')).to.have.length(3);
    expect(all.querySelector('nav.mainnav a[aria-current=page]')!.text).to.equal('资质');
    const tsmeOnly = html((await t.admin.get('/certifications?kind=leading').expect(200)).text);
    expect(tsmeOnly.querySelectorAll('.register-table tbody tr')).to.have.length(1);
    const scoped = await t.as('scoped');
    const mine = html((await scoped.get('/certifications').expect(200)).text);
    expect(mine.querySelectorAll('.register-table tbody tr').map((r) => r.querySelector('a')!.text)).to.deep.equal(['余姚市甲科技有限公司']);
    const bRow = (await rows(inB.id))[0];
    await scoped.get(`/certifications/${bRow.id}/edit`).expect(404);
    const counsellor = await t.as('counsellor');
    const page = html((await counsellor.get('/certifications').expect(200)).text);
    expect(page.querySelector('a[href$="/edit"]')).to.equal(null);
    await counsellor.postForm('/certifications/new', { firm: inA.uscc, kind: 'tsme', year, number: `${year}3302810A000099` }).expect(403);
    await (await t.as('caseworker')).get('/certifications/settings').expect(403);
  });

  it('the calendar shows a missed annual report, takes a tick, and exports XLSX with codes as text and CSV escaped', async () => {
    // A certificate issued 13 months ago owes the report due this or last 31 May.
    const issued = `${year - 2}-12-08`;
    const firm = await createFirm(t.db, { stage: 'hte_reserve', parkId: t.basics.parks.a, name: '=HYPERLINK("x")余姚市丙科技有限公司', actorId: admin });
    await newRow(firm, 'hte', { year: year - 2, mode: 'first', number: `GR${year - 2}33100123`, issuedOn: issued }).expect(303);
    const [row] = await rows(firm.id);
    const page = html((await t.admin.get('/certifications/calendar?days=90').expect(200)).text);
    const firmPage = html((await t.admin.get(`/firms/${firm.uscc}`).expect(200)).text);
    expect(firmPage.querySelector('#certifications')!.text).to.contain(`GR${year - 2}33100123`);
    const missedYear = today > `${year}-05-31` ? year - 1 : year - 2;
    const missed = firmPage.querySelectorAll('#compliance tbody tr').filter((r) => r.text.includes(`${missedYear} 年度发展情况报表`));
    expect(missed.map((r) => r.querySelector('.state')!.text)).to.deep.equal(['未报送（已过期限）']);
    expect(page.querySelector('.calendar-table')!.text).to.contain(`${missedYear} 年度发展情况报表`);
    await t.admin.postForm('/certifications/ticks', { certificationId: row.id, kind: 'hte_annual_report', dataYear: missedYear, reportedOn: today, back: `/firms/${firm.uscc}#compliance` }).expect(303);
    const ticks = await t.db('compliance_ticks').where({ certification_id: row.id });
    expect(ticks.map((x) => [x.data_year, x.reported_on])).to.deep.equal([[missedYear, today]]);
    // A year the certificate does not owe is refused.
    await t.admin.postForm('/certifications/ticks', { certificationId: row.id, kind: 'hte_annual_report', dataYear: 2001, back: '/certifications/calendar' }).expect(303);
    expect(await t.db('compliance_ticks').where({ certification_id: row.id })).to.have.length(1);

    const xlsx = await t.admin.get('/certifications/calendar.xlsx?days=90').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const ws = wb.worksheets[0]!;
    const data = ws.getRow(3);
    expect(data.getCell(2).value).to.equal(firm.uscc);
    expect(typeof data.getCell(2).value).to.equal('string');
    expect(data.getCell(1).value).to.equal(`'=HYPERLINK("x")余姚市丙科技有限公司`);
    ws.eachRow((r) => r.eachCell((c) => expect(c.type).to.not.equal(ExcelJS.ValueType.Formula)));
    const csv = await t.admin.get('/certifications/calendar.csv?days=90').expect(200);
    expect(csv.text).to.contain(`"'=HYPERLINK(""x"")余姚市丙科技有限公司"`);
  });
});
