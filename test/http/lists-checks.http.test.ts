/**
 * What a list import checks before anything is stored (issue 8 item 2, issue 8 item 13, issue 11):
 * a unit written in the header wins over a remembered one; amounts the figures form refuses are
 * refused by the import with the same function; a value 10,000× off the firm's previous year and
 * R&D above revenue are flagged; town-scoped caseworkers import their towns' firms; a park's old
 * name is matched; a scoped user learns of same-name firms outside their scope only that they exist.
 */
import { expect } from 'chai';
import { FIGURE_CHECK_MESSAGES } from '../../src/domain/figure-checks.js';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { createFirm, testPasswordHash, validUscc } from '../helpers/factories.js';
import { type Cell, writeCsv } from '../helpers/list-files.js';
import { Client, createTestContext, html, type TestContext } from '../helpers/test-app.js';

// Whole preview and commit jobs in worker threads, several per test: a minute on PostgreSQL under load.
describe('list import checks: units, signs, scope and names', function () {
  this.timeout(60_000);
  let t: TestContext;
  let runner: ImportRunner;
  let n = 81_000;

  beforeEach(async () => {
    t = await createTestContext();
    runner = t.app.locals.importRunner as ImportRunner;
  });
  afterEach(() => t.destroy());

  function batchIdOf(res: { headers: Record<string, string>; status: number; text: string }): number {
    const m = /\/lists\/imports\/(\d+)/.exec(res.headers.location ?? '');
    if (!m) throw new Error(`no batch in response ${res.status}: ${res.text.slice(0, 300)}`);
    return Number(m[1]);
  }

  /** The mapping form as the page draws it: every select's chosen value, and hidden inputs (units stated in the header). */
  async function mappingForm(c: Client, id: number) {
    const doc = html((await c.get(`/lists/imports/${id}`).expect(200)).text);
    const fields: Record<string, string> = {};
    for (const sel of doc.querySelectorAll('form.mapping-form select')) fields[sel.getAttribute('name')!] = sel.querySelector('option[selected]')?.getAttribute('value') ?? '';
    for (const input of doc.querySelectorAll('form.mapping-form input[type="hidden"]')) {
      const name = input.getAttribute('name')!;
      if (name !== '_csrf') fields[name] = input.getAttribute('value') ?? '';
    }
    return { fields, doc };
  }

  async function upload(rows: Cell[][], kind: string, year = 2025, c: Client = t.admin) {
    const res = await c.post('/lists/imports').field('kind', kind).field('year', String(year)).attach('file', writeCsv(rows));
    return batchIdOf(res);
  }

  async function preview(rows: Cell[][], kind: string, opts: { year?: number; client?: Client; override?: Record<string, string> } = {}) {
    const c = opts.client ?? t.admin;
    const id = await upload(rows, kind, opts.year, c);
    const { fields } = await mappingForm(c, id);
    await c.post(`/lists/imports/${id}/mapping`).type('form').send({ ...fields, ...(opts.override ?? {}) }).expect(303);
    await runner.settled(id);
    return id;
  }

  async function commit(id: number, c: Client = t.admin, body: Record<string, string> = {}) {
    await c.post(`/lists/imports/${id}/commit`).type('form').send(body).expect(303);
    await runner.settled(id);
    return t.db('import_batches').where({ id }).first();
  }

  async function townCaseworker(towns: number[]) {
    const username = `imptown${n++}`;
    const at = new Date().toISOString();
    const [row] = await t.db('users').insert({ username, display_name: '孙莉', role: 'caseworker', password_hash: await testPasswordHash(), is_active: true, version: 1, created_at: at, updated_at: at }).returning('id');
    const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    await t.db('user_towns').insert(towns.map((town_id) => ({ user_id: id, town_id })));
    const c = new Client(t.server, t.origin);
    expect((await c.login(username)).status).to.equal(303);
    return c;
  }
  const townId = async (name: string) => ((await t.db('towns').where({ name }).first('id')) as { id: number }).id;

  it('reads 营业收入（万元） in 万元 although the last figures file, headed （元）, was remembered in 元 — and the mapping screen says so', async () => {
    const firm = await createFirm(t.db, { parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const first = await preview([['统一社会信用代码', '企业名称', '营业收入（元）'], [firm.uscc, firm.name, '5,000,000']], 'annual_figures', { year: 2024 });
    await commit(first);
    expect(Number((await t.db('annual_figures').where({ firm_id: firm.id, year: 2024 }).first()).sales_revenue)).to.equal(5_000_000);

    const id = await upload([['统一社会信用代码', '企业名称', '营业收入（万元）'], [firm.uscc, firm.name, '1,234.5']], 'annual_figures');
    const { fields, doc } = await mappingForm(t.admin, id);
    expect(fields.unit_2).to.equal('wan');
    expect(doc.querySelector('.header-unit-override')?.text).to.include('营业收入（万元）').and.include('万元');
    expect(doc.querySelector('form.mapping-form .header-unit')?.text).to.equal('万元');
    // Even a form that sends another unit cannot override what the header says.
    await t.admin.post(`/lists/imports/${id}/mapping`).type('form').send({ ...fields, unit_2: 'yuan' }).expect(303);
    await runner.settled(id);
    await commit(id);
    expect(Number((await t.db('annual_figures').where({ firm_id: firm.id, year: 2025 }).first()).sales_revenue)).to.equal(12_345_000);
  });

  it('refuses negative amounts — （1,000） and -500 — with the figures form’s own message; 净资产 may be negative', async () => {
    const a = await createFirm(t.db, { actorId: t.basics.users.admin.id });
    const b = await createFirm(t.db, { actorId: t.basics.users.admin.id });
    const c = await createFirm(t.db, { actorId: t.basics.users.admin.id });
    const id = await preview(
      [
        ['统一社会信用代码', '企业名称', '研发费用（万元）', '净资产（万元）'],
        [a.uscc, a.name, '（1,000）', '10'],
        [b.uscc, b.name, '-500', '10'],
        [c.uscc, c.name, '12', '-3'],
      ],
      'annual_figures',
    );
    const batch = await t.db('import_batches').where({ id }).first();
    expect({ matched: batch.rows_matched, rejected: batch.rows_rejected }).to.deep.equal({ matched: 1, rejected: 2 });
    const reasons = (await t.db('import_rows').where({ batch_id: id, status: 'rejected' }).orderBy('line').select('reason')).map((r: { reason: string }) => r.reason);
    expect(reasons).to.deep.equal([`研发费用：${FIGURE_CHECK_MESSAGES.negative}`, `研发费用：${FIGURE_CHECK_MESSAGES.negative}`]);
    // The form says the same of the same value.
    const form = await t.admin.post(`/firms/${a.uscc}/figures/2025`).type('form').send({ version: 0, rdExpense: '-500' }).expect(422);
    expect(form.text).to.include(FIGURE_CHECK_MESSAGES.negative);
    await commit(id);
    expect(Number((await t.db('annual_figures').where({ firm_id: c.id }).first()).net_assets)).to.equal(-30_000);
    expect(await t.db('annual_figures').whereIn('firm_id', [a.id, b.id]).first()).to.equal(undefined);
  });

  it('flags a value 10,000× off the firm’s previous year, and R&D above revenue, in the preview (imported, not refused)', async () => {
    const a = await createFirm(t.db, { actorId: t.basics.users.admin.id });
    const b = await createFirm(t.db, { actorId: t.basics.users.admin.id });
    const c = await createFirm(t.db, { actorId: t.basics.users.admin.id });
    const at = new Date().toISOString();
    for (const f of [a, b, c]) await t.db('annual_figures').insert({ firm_id: f.id, year: 2024, sales_revenue: 50_000_000, rd_expense: 2_000_000, version: 1, updated_at: at });
    const id = await preview(
      [
        ['统一社会信用代码', '企业名称', '营业收入（元）', '研发费用（元）'],
        [a.uscc, a.name, '5000', '2,100,000'], // 5000 元 against 5,000 万元: a 万元 figure read as 元
        [b.uscc, b.name, '52,000,000', '60,000,000'], // R&D above revenue
        [c.uscc, c.name, '52,000,000', '2,100,000'], // plausible
      ],
      'annual_figures',
    );
    const batch = await t.db('import_batches').where({ id }).first();
    expect({ matched: batch.rows_matched, flagged: batch.rows_flagged }).to.deep.equal({ matched: 3, flagged: 2 });
    const page = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text);
    const rows = page.querySelectorAll('table.warned tbody tr').map((tr) => ({ line: tr.querySelector('td')!.text, reason: tr.querySelector('.reason')!.text }));
    expect(rows.map((r) => r.line)).to.deep.equal(['2', '3']);
    expect(rows[0]!.reason).to.include('营业收入').and.include('10,000 分之一').and.include('单位');
    expect(rows[1]!.reason).to.include(FIGURE_CHECK_MESSAGES.rdOverRevenue);
    expect(page.querySelector('.stat-flagged')?.text).to.include('2');
  });

  it('lets a caseworker limited to a town import its firms and create new ones there; a firm outside says only that it is registered', async () => {
    const simen = await townId('泗门镇');
    const mazhu = await townId('马渚镇');
    const mine = await createFirm(t.db, { townId: simen, actorId: t.basics.users.admin.id });
    const other = await createFirm(t.db, { townId: mazhu, parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
    const c = await townCaseworker([simen]);
    const fresh = validUscc(81_001);
    const id = await preview(
      [
        ['统一社会信用代码', '企业名称', '属地'],
        [mine.uscc, mine.name, ''],
        [fresh, '余姚市泗门新创科技有限公司', '泗门镇'],
        [validUscc(81_002), '余姚市马渚新创科技有限公司', '马渚镇'],
        [other.uscc, other.name, ''],
      ],
      'patent',
      { client: c },
    );
    const batch = await t.db('import_batches').where({ id }).first();
    expect({ matched: batch.rows_matched, created: batch.rows_new, rejected: batch.rows_rejected }).to.deep.equal({ matched: 1, created: 1, rejected: 2 });
    const reasons = (await t.db('import_rows').where({ batch_id: id, status: 'rejected' }).orderBy('line').select('reason')).map((r: { reason: string }) => r.reason);
    expect(reasons[0]).to.include('你负责的园区或属地');
    expect(reasons[1]).to.include('已登记，不在你的负责范围');
    const b = await commit(id, c);
    expect(b.status).to.equal('committed');
    expect(await t.db('firms').where({ uscc: fresh }).first()).to.include({ town_id: simen, park_id: null, stage: 'candidate' });
    expect(await t.db('list_entries').where({ batch_id: id }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(2);
  });

  it('matches a park column holding a renamed park’s old name, and a merged park’s name, to the park it is now', async () => {
    await t.admin.post(`/admin/parks/park/${t.basics.parks.a}/rename`).type('form').send({ name: '余姚高新区' }).expect(303);
    const [c] = await t.db('parks').insert({ code: 'park-c', name: '余姚小微园', kind: 'park', is_active: true, sort_order: 3 }).returning('id');
    const parkC = typeof c === 'object' ? (c as { id: number }).id : (c as number);
    await t.admin.post(`/admin/parks/park/${parkC}/merge`).type('form').send({ into: String(t.basics.parks.b), confirm: '1' }).expect(303);
    expect(Boolean((await t.db('parks').where({ id: parkC }).first()).is_active)).to.equal(false);
    const id = await preview(
      [
        ['统一社会信用代码', '企业名称', '所在园区'],
        [validUscc(81_010), '余姚市旧名园区科技有限公司', '余姚经济开发区'],
        [validUscc(81_011), '余姚市新名园区科技有限公司', '余姚高新区'],
        [validUscc(81_012), '余姚市合并园区科技有限公司', '余姚小微园'],
      ],
      'patent',
    );
    const rows = (await t.db('import_rows').where({ batch_id: id }).orderBy('line').select('status', 'park_id')) as { status: string; park_id: number | null }[];
    expect(rows.slice(0, 2)).to.deep.equal([
      { status: 'new', park_id: t.basics.parks.a },
      { status: 'new', park_id: t.basics.parks.a },
    ]);
    // Merged (retired) into park b: its name leads there.
    expect(rows[2]).to.deep.equal({ status: 'new', park_id: t.basics.parks.b });
  });

  it('tells a scoped caseworker of same-name firms outside their parks only that the firm is registered, not how many there are', async () => {
    const name = '余姚市同名精工科技有限公司';
    await createFirm(t.db, { name, parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
    await createFirm(t.db, { name, parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
    const scoped = await t.as('scoped');
    const id = await preview([['统一社会信用代码', '企业名称'], ['', name]], 'patent', { client: scoped });
    const row = await t.db('import_rows').where({ batch_id: id }).first();
    expect(row.status).to.equal('rejected');
    expect(row.reason).to.include('已登记，不在你的负责范围').and.not.include('不止一家').and.not.include('同名');
    const page = (await scoped.get(`/lists/imports/${id}`).expect(200)).text;
    expect(page).to.not.include('不止一家');
    // An administrator is told the truth: two firms share the name.
    const adminId = await preview([['统一社会信用代码', '企业名称'], ['', name]], 'patent', { year: 2024 });
    expect((await t.db('import_rows').where({ batch_id: adminId }).first()).reason).to.include('不止一家同名企业');
  });
});
