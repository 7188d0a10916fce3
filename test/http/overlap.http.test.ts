/**
 * The whole story of the lists: four lists imported for a year, the overlap read, the firms on
 * three or more lists screened into the pool in one action, and the board showing them with badges.
 */
import { expect } from 'chai';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { createFirm, validUscc } from '../helpers/factories.js';
import { type Cell, writeCsv, writeXlsx } from '../helpers/list-files.js';
import { type Client, createTestContext, html, snapshot, type TestContext } from '../helpers/test-app.js';

describe('list overlap and screening into the pool', function () {
  this.timeout(30_000);
  let t: TestContext;
  let cw: Client;
  const firm = (i: number) => ({ uscc: validUscc(800000 + i), name: `余姚市交叉${i}号科技有限公司` });

  async function importList(kind: string, file: string): Promise<number> {
    const res = await cw.post('/lists/imports').field('kind', kind).field('year', '2025').attach('file', file).expect(303);
    const id = Number(/(\d+)$/.exec(res.headers.location!)![1]);
    const page = html((await cw.get(`/lists/imports/${id}`)).text);
    const fields = Object.fromEntries(page.querySelectorAll('form.mapping-form select').map((s) => [s.getAttribute('name')!, s.querySelector('option[selected]')?.getAttribute('value') ?? '']));
    fields.version = page.querySelector('form.mapping-form input[name=version]')!.getAttribute('value')!;
    await cw.post(`/lists/imports/${id}/mapping`).type('form').send(fields).expect(303);
    const runner = t.app.locals.importRunner as ImportRunner;
    await runner.settled(id);
    await cw.post(`/lists/imports/${id}/commit`).type('form').send({}).expect(303);
    await runner.settled(id);
    expect((await t.db('import_batches').where({ id }).first()).status).to.equal('committed');
    return id;
  }

  before(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    // Firm 1 is already further along; firms 2–4 are candidates on several lists; 5 on one list only.
    await createFirm(t.db, { ...firm(1), stage: 'tech_sme', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const rows = (ids: number[]): Cell[][] => ids.map((i) => [firm(i).uscc, firm(i).name]);
    await importList('rd_deduction', writeCsv([['纳税人识别号', '纳税人名称', '加计扣除额（元）'], ...rows([1, 2, 3, 4]).map((r) => [...r, 100000])], { encoding: 'gbk' }));
    await importList('patent', await writeXlsx([['专利号', '专利权人', '统一社会信用代码'], ...[1, 2, 3].map((i) => [`ZL2025100000${i}.X`, firm(i).name, firm(i).uscc])], { title: '2025年授权专利企业' }));
    await importList('below_scale', writeCsv([['统一社会信用代码', '单位详细名称', '营业收入（万元）'], ...rows([1, 2, 5]).map((r) => [...r, 1500])]));
    await importList('incubator', writeCsv([['信用代码', '在孵企业名称', '所在孵化器'], ...rows([2, 3]).map((r) => [...r, '余姚经济开发区'])], { delimiter: ';' }));
  });
  after(() => t.destroy());

  it('counts firms by the number of lists they are on, and each pair of lists', async () => {
    const doc = html((await cw.get('/lists/overlap?year=2025').expect(200)).text);
    const byCount = doc.querySelectorAll('table.data-table')[0]!.querySelectorAll('tbody tr').map((tr) => tr.querySelectorAll('td').map((td) => td.text.trim()));
    // firm 1: rd, patent, below → 3; firm 2: all four; firm 3: rd, patent, incubator → 3; firm 4: rd → 1; firm 5: below → 1
    expect(byCount).to.deep.equal([['1 张', '2'], ['2 张', '0'], ['3 张', '2'], ['4 张', '1']]);
    const matrix = doc.querySelector('table.matrix')!;
    const cell = (row: number, col: number) => matrix.querySelectorAll('tbody tr')[row]!.querySelectorAll('td')[col]!.text.trim();
    expect(cell(0, 0)).to.equal('4'); // 加计 itself
    expect(cell(0, 1)).to.equal('3'); // 加计 × 专利: 1, 2, 3
    expect(cell(1, 3)).to.equal('2'); // 专利 × 在孵: 2, 3
    expect(cell(2, 3)).to.equal('1'); // 规下 × 在孵: 2
    expect(matrix.querySelectorAll('a')[1]!.getAttribute('href')).to.include('kinds=rd_deduction,patent');
  });

  it('lists the firms behind a number, with their list badges', async () => {
    const doc = html((await cw.get('/lists/firms?year=2025&min=3').expect(200)).text);
    const names = doc.querySelectorAll('tbody tr').map((tr) => tr.querySelectorAll('td')[1]!.text.trim());
    expect(names).to.have.members([firm(1).name, firm(2).name, firm(3).name]);
    const badges = doc.querySelectorAll('tbody tr').find((tr) => tr.text.includes(firm(2).name))!.querySelectorAll('.badge').map((b) => b.text);
    expect(badges).to.deep.equal(['加计', '专利', '规下', '在孵']);
    // Only candidates can be ticked.
    expect(doc.querySelectorAll('input[name=firm]')).to.have.length(2);
  });

  it('screens the firms on three or more lists into the pool in one action, with a result per firm, through the board\'s rules', async () => {
    const res = await cw.post('/lists/screen').type('form').send({ year: 2025, min: 3, scope: 'all', reason: '2025年同时在三张及以上名单上' }).expect(200);
    const doc = html(res.text);
    expect(doc.querySelector('.subtitle')!.text).to.include('入库 2 家');
    for (const i of [2, 3]) {
      const row = await t.db('firms').where({ uscc: firm(i).uscc }).first();
      expect(row.stage).to.equal('incubating');
      const event = await t.db('stage_events').where({ firm_id: row.id, to_stage: 'incubating' }).first();
      expect(event).to.include({ source: 'bulk', reason: '2025年同时在三张及以上名单上', actor_id: t.basics.users.caseworker.id });
    }
    expect((await t.db('firms').where({ uscc: firm(1).uscc }).first()).stage).to.equal('tech_sme');
    expect(await t.db('audit_log').where({ action: 'firm.stage' }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(2);
    const board = html((await cw.get('/board?list=incubator').expect(200)).text);
    const card = board.querySelector(`#cards-incubating #card-${firm(2).uscc}`)!;
    expect(card.querySelectorAll('.badge').map((b) => b.text)).to.deep.equal(['加计2025', '专利2025', '规下2025', '在孵2025']);
  });

  it('screens only ticked firms, refusing stale ones without moving them', async () => {
    const f = await createFirm(t.db, { ...firm(9), stage: 'candidate', actorId: t.basics.users.admin.id });
    await t.db('firms').where({ id: f.id }).update({ version: 2 }); // changed by someone else meanwhile
    const res = await cw.post('/lists/screen').type('form').send({ year: 2025, firm: `${f.uscc}:1`, reason: '手工遴选' }).expect(200);
    expect(html(res.text).querySelector('.status-fail')!.text).to.include('刚被他人修改');
    expect((await t.db('firms').where({ id: f.id }).first()).stage).to.equal('candidate');
  });

  it('keeps the ticked firms and the typed reason when screening is refused (nothing ticked, or no reason), with the message by the form', async () => {
    const four = await t.db('firms').where({ uscc: firm(4).uscc }).first();
    expect(four.stage).to.equal('candidate');
    const ticked = `${four.uscc}:${four.version}`;
    const before = await snapshot(t.db);
    const noReason = await cw.post('/lists/screen').type('form').send({ year: 2025, kinds: 'rd_deduction', firm: ticked, reason: '  ', scope: 'selected' }).expect(422);
    const doc = html(noReason.text);
    expect(doc.querySelector('#screen .screen-error')!.text).to.include('请填写遴选入库的理由');
    expect(doc.querySelector(`input[name=firm][value="${ticked}"]`)!.hasAttribute('checked')).to.equal(true);
    expect(doc.querySelector('input[name=kinds]')!.getAttribute('value')).to.equal('rd_deduction');

    const nothing = await cw.post('/lists/screen').type('form').send({ year: 2025, kinds: 'rd_deduction', reason: '园区推荐的重点企业', scope: 'selected' }).expect(422);
    const page = html(nothing.text);
    expect(page.querySelector('#screen .screen-error')!.text).to.include('没有勾选要入库的候选企业');
    expect(page.querySelector('input[name=reason]')!.getAttribute('value')).to.equal('园区推荐的重点企业');
    expect(page.querySelectorAll('input[name=firm][checked]')).to.have.length(0);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('pages the firms behind a number by name, forwards and back, with the total of the snapshot', async () => {
    // 130 firms on the 2023 加计扣除 and 专利 lists (entries written directly: the paging is under test, not the import).
    const at = new Date().toISOString();
    const by = t.basics.users.admin.id;
    const batch = async (kind: string) => {
      const [row] = (await t.db('import_batches').insert({ kind, year: 2023, file_name: `${kind}.csv`, file_hash: `paging-${kind}`, file_size: 1, file_type: 'csv', status: 'committed', created_by: by, created_at: at, version: 1 }).returning('id')) as { id: number }[];
      return row!.id;
    };
    const [rd, pat] = [await batch('rd_deduction'), await batch('patent')];
    const names: string[] = [];
    for (let i = 0; i < 130; i++) {
      const f = await createFirm(t.db, { uscc: validUscc(860000 + i), name: `余姚市翻页${String(i).padStart(3, '0')}号有限公司`, stage: 'candidate', actorId: by });
      names.push(f.name);
      const line = i + 2;
      await t.db('list_entries').insert([
        { batch_id: rd, firm_id: f.id, kind: 'rd_deduction', year: 2023, is_current: true, line, name_matched: false, data: '{}' },
        { batch_id: pat, firm_id: f.id, kind: 'patent', year: 2023, is_current: true, line, name_matched: false, data: '{}' },
      ]);
    }
    await t.db('aggregate_snapshots').update({ stale: true });
    const rowsOf = (text: string) => html(text).querySelectorAll('tbody tr').map((tr) => tr.querySelectorAll('td')[1]!.text.trim());
    const first = await cw.get('/lists/firms?year=2023&kinds=rd_deduction,patent').expect(200);
    expect(html(first.text).querySelector('.subtitle')!.text).to.match(/共 130 家（截至 [\d:\- ]+）/);
    expect(rowsOf(first.text)).to.deep.equal(names.slice(0, 100));
    const next = html(first.text).querySelector('nav.pager a')!;
    expect(next.text).to.equal('下一页');
    const second = await cw.get(next.getAttribute('href')!).expect(200);
    expect(rowsOf(second.text)).to.deep.equal(names.slice(100));
    const pager = html(second.text).querySelectorAll('nav.pager a');
    expect(pager.map((a) => a.text)).to.deep.equal(['上一页']);
    // A refused screening on page 2 comes back to page 2.
    const refused = await cw.post('/lists/screen').type('form').send(Object.fromEntries([...html(second.text).querySelectorAll('form.screen-form input[type=hidden]').map((i) => [i.getAttribute('name')!, i.getAttribute('value')!]), ['reason', ''], ['scope', 'selected']])).expect(422);
    expect(rowsOf(refused.text)).to.deep.equal(names.slice(100));
    const back = await cw.get(pager[0]!.getAttribute('href')!.replace(/&amp;/g, '&')).expect(200);
    expect(rowsOf(back.text)).to.deep.equal(names.slice(0, 100));
    expect(html(back.text).querySelectorAll('nav.pager a').map((a) => a.text)).to.deep.equal(['下一页']);
  });

  it('asks for a reason and refuses counsellors and leaders', async () => {
    const res = await cw.post('/lists/screen').type('form').send({ year: 2025, min: 3, scope: 'all', reason: '' });
    expect(res.status).to.equal(422);
    for (const role of ['counsellor', 'leader'] as const) {
      const c = await t.as(role);
      expect((await c.post('/lists/screen').type('form').send({ year: 2025, min: 3, scope: 'all', reason: 'x' })).status).to.equal(403);
      const page = (await c.get('/lists/firms?year=2025&min=3').expect(200)).text;
      expect(page).to.not.include('name="firm"');
    }
  });
});
