/**
 * Issue 12 item 1: the rows of the 授权专利 list feed the IP register on commit — number, kind,
 * title, grant date — and the readiness check counts them; an item already typed is left as typed;
 * a number that does not check is not entered; reverting the list takes out what it entered (but
 * not an item a counsellor has edited since).
 */
import { expect } from 'chai';
import { createFirm } from '../helpers/factories.js';
import { commitList } from '../helpers/list-import.js';
import { createTestContext, type TestContext } from '../helpers/test-app.js';

/** A Chinese patent number with its check character (as checkPatentNumber computes it). */
function patentNo(year: number, kindDigit: 1 | 2 | 3, serial: number): string {
  const digits = `${year}${kindDigit}${String(serial).padStart(7, '0')}`;
  const weights = [2, 3, 4, 5, 6, 7, 8, 9];
  const r = [...digits].reduce((s, d, i) => s + Number(d) * weights[i % 8]!, 0) % 11;
  return `ZL${digits}.${r === 10 ? 'X' : r}`;
}

const COLUMNS: [string, string][] = [
  ['统一社会信用代码', 'uscc'],
  ['企业名称', 'name'],
  ['专利号', 'patent_no'],
  ['专利名称', 'patent_name'],
  ['专利类型', 'patent_type'],
  ['授权公告日', 'grant_date'],
];

describe('授权专利 list → IP register', function () {
  this.timeout(60_000);
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  it('enters each listed patent once, leaves typed items alone, skips numbers that do not check, and its revert takes them out again', async () => {
    const by = t.basics.users.admin.id;
    const a = await createFirm(t.db, { stage: 'hte_reserve', name: '余姚市专利甲科技有限公司', actorId: by });
    const b = await createFirm(t.db, { stage: 'candidate', name: '余姚市专利乙科技有限公司', actorId: by });
    const typed = patentNo(2021, 1, 601862);
    await t.db('ip_items').insert({
      firm_id: a.id, kind: 'invention', number: typed, number_key: `patent:${typed}`, title: '顾问录入的发明', granted_on: '2022-03-01',
      acquisition: 'transfer', co_holders: '', co_holder_use: false, status: 'valid', supports_main_products: true, source: 'form', version: 1,
      created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
    });
    const fresh = patentNo(2022, 1, 123456);
    const utility = patentNo(2023, 2, 345678);
    const bad = `${patentNo(2023, 2, 999999).slice(0, -1)}${patentNo(2023, 2, 999999).endsWith('0') ? '1' : '0'}`;
    const id = await commitList(
      t,
      [
        [a.uscc, a.name, typed, '名单上的名称', '发明专利', '2022-03-01'],
        [a.uscc, a.name, fresh, '一种传感器', '发明', '2024/5/10'],
        [b.uscc, b.name, utility, '一种夹具', '', '2024年6月1日'],
        [b.uscc, b.name, bad, '校验位错误的专利', '实用新型', '2024-06-02'],
      ],
      { kind: 'patent', columns: COLUMNS },
    );
    const batch = await t.db('import_batches').where({ id }).first();
    expect(batch.status, batch.error ?? '').to.equal('committed');

    const items = await t.db('ip_items').orderBy('id');
    expect(items.map((i) => [i.firm_id, i.number, i.kind, i.title, i.granted_on, i.source, i.acquisition])).to.deep.equal([
      [a.id, typed, 'invention', '顾问录入的发明', '2022-03-01', 'form', 'transfer'],
      [a.id, fresh, 'invention', '一种传感器', '2024-05-10', 'list', 'own'],
      [b.id, utility, 'utility', '一种夹具', '2024-06-01', 'list', 'own'],
    ]);
    // The firm's inputs page lists the entered patent with its verdict, as for a typed one.
    const inputs = (await t.admin.get(`/firms/${a.uscc}/inputs`).expect(200)).text;
    expect(inputs).to.include(fresh).and.include('一种传感器');
    expect(await t.db('audit_log').where({ action: 'ip.list_import' }).count({ n: '*' }).first().then((r) => Number(r!.n))).to.equal(1);

    // A counsellor corrects b's item; the revert takes out a's listed patent but keeps b's edited one.
    const bItem = items.find((i) => i.number === utility)!;
    await t.db('ip_items').where({ id: bItem.id }).update({ acquisition: 'transfer', version: 2 });
    await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);
    const left = await t.db('ip_items').orderBy('id').select('number');
    expect(left.map((i) => i.number)).to.deep.equal([typed, utility]);
  });

  it('a listed patent already held by another firm is not moved to this one', async () => {
    const by = t.basics.users.admin.id;
    const holder = await createFirm(t.db, { stage: 'candidate', name: '余姚市原持有人科技有限公司', actorId: by });
    const other = await createFirm(t.db, { stage: 'candidate', name: '余姚市另一家科技有限公司', actorId: by });
    const no = patentNo(2020, 3, 42);
    await commitList(t, [[holder.uscc, holder.name, no, '外观', '外观设计', '2021-01-05']], { kind: 'patent', columns: COLUMNS, year: 2024 });
    await commitList(t, [[other.uscc, other.name, no, '外观', '外观设计', '2021-01-05']], { kind: 'patent', columns: COLUMNS, year: 2025 });
    const rows = await t.db('ip_items').select('firm_id', 'number');
    expect(rows).to.deep.equal([{ firm_id: holder.id, number: no }]);
  });
});
