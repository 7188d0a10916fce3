/**
 * Official result lists through the list pipeline (issue 10 item 2): a code match, a name match
 * (flagged), a shared name (never applied), an unmatched row (waiting with its reason); the 备案
 * list recording certificates and moving the firm to 高新技术企业 through decideMove; its revert
 * undoing exactly what it wrote, or refusing when a record was changed since.
 */
import { expect } from 'chai';
import { createFirm, validUscc } from '../helpers/factories.js';
import type { Cell } from '../helpers/list-files.js';
import { commitPreviewed, previewList } from '../helpers/list-import.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';

describe('official result lists: 公示, 备案/证书, 科技型中小企业入库', function () {
  this.timeout(60_000);
  let t: TestContext;

  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  const preview = (rows: Cell[][], kind: string, year = 2025) => previewList(t, rows, { kind, year });
  const commit = (id: number) => commitPreviewed(t, id);
  const rowsOf = (id: number) => t.db('import_rows').where({ batch_id: id }).orderBy('line');
  const actorId = () => t.basics.users.admin!.id;

  it('备案 list: records the certificate by code and by name (flagged), moves the firm to 高新技术企业; a shared name and an unknown firm are not applied', async () => {
    const byCode = await createFirm(t.db, { stage: 'hte_applying', name: '余姚市甲科技有限公司', actorId: actorId() });
    const byName = await createFirm(t.db, { stage: 'hte_applying', name: '余姚市乙科技有限公司', actorId: actorId() });
    await createFirm(t.db, { stage: 'hte_applying', name: '余姚市丙科技有限公司', actorId: actorId() });
    await createFirm(t.db, { stage: 'hte_reserve', name: '余姚市丙科技有限公司', actorId: actorId() });
    const id = await preview(
      [
        ['企业名称', '统一社会信用代码', '证书编号', '发证日期'],
        [byCode.name, byCode.uscc, 'GR202533001234', '2025-12-01'],
        [byName.name, validUscc(990_001), 'GR202533001235', '2025-12-01'],
        ['余姚市丙科技有限公司', validUscc(990_002), 'GR202533001236', '2025-12-01'],
        ['余姚市丁科技有限公司', validUscc(990_003), 'GR202533001237', '2025-12-01'],
      ],
      'hte_filing',
    );
    const rows = await rowsOf(id);
    expect(rows.map((r) => r.status)).to.deep.equal(['match', 'name_match', 'rejected', 'rejected']);
    expect(rows[0].warning).to.contain('GR202533001234').and.contain('→ 高新技术企业');
    expect(rows[1].reason).to.contain('按企业名称对应，请确认');
    expect(rows[2].reason).to.contain('不会自动登记');
    expect(rows[3].reason).to.contain('待处理队列');
    const page = (await t.admin.get(`/lists/imports/${id}`).expect(200)).text;
    expect(page).to.contain('不会自动登记').and.contain('待处理队列').and.contain('→ 高新技术企业');

    const batch = await commit(id);
    expect(batch.status, batch.error ?? '').to.equal('committed');
    const certs = await t.db('certifications').where({ import_batch_id: id }).orderBy('firm_id');
    expect(certs.map((c) => [c.firm_id, c.kind, c.number, c.status])).to.deep.equal([
      [byCode.id, 'hte', 'GR202533001234', 'active'],
      [byName.id, 'hte', 'GR202533001235', 'active'],
    ]);
    for (const f of [byCode, byName]) {
      expect((await t.db('firms').where({ id: f.id }).first()).stage).to.equal('hte_certified');
      const ev = await t.db('stage_events').where({ firm_id: f.id, to_stage: 'hte_certified' }).first();
      expect(ev, 'the move is a stage event').to.not.equal(undefined);
    }
    expect(await t.db('list_entries').where({ batch_id: id }).count({ n: '*' }).first().then((r) => Number(r!.n))).to.equal(0);

    // The shared name and the unknown firm wait in the review queue, with their batch.
    const queue = html((await t.admin.get('/certifications/review').expect(200)).text);
    const queued = queue.querySelectorAll('table.review-queue tbody tr').map((tr) => tr.text);
    expect(queued).to.have.length(2);
    expect(queued[0]).to.contain('余姚市丙科技有限公司').and.contain(`#${id}`).and.contain('不会自动登记');
    expect(queued[1]).to.contain('余姚市丁科技有限公司').and.contain('待处理队列');
    expect(page).to.contain('href="/certifications/review"');

    // The revert page says what it will undo; the revert voids the rows and moves the firms back.
    const plan = html((await t.admin.get(`/lists/imports/${id}`).expect(200)).text).querySelector('.revert-plan')!.text;
    expect(plan).to.contain('作废导入时新建的 2 条资质记录').and.contain('2 家企业退回导入前的阶段（高企申报中）');
    await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);
    expect((await t.db('import_batches').where({ id }).first()).status).to.equal('reverted');
    const after = await t.db('certifications').where({ import_batch_id: id }).orderBy('firm_id');
    expect(after.map((c) => Boolean(c.is_void))).to.deep.equal([true, true]);
    for (const f of [byCode, byName]) {
      expect((await t.db('firms').where({ id: f.id }).first()).stage).to.equal('hte_applying');
      const last = await t.db('stage_events').where({ firm_id: f.id }).orderBy('id', 'desc').first();
      expect([last.from_stage, last.to_stage]).to.deep.equal(['hte_certified', 'hte_applying']);
      expect(last.reason).to.contain(`导入批次 #${id} 已撤销`);
    }
    expect(await t.db('audit_log').where({ action: 'certification.revert' }).count({ n: '*' }).first().then((r) => Number(r!.n))).to.equal(2);
    // The numbers are free again: the corrected list can be imported.
    const again = await preview([['企业名称', '统一社会信用代码', '证书编号', '发证日期'], [byCode.name, byCode.uscc, 'GR202533001234', '2025-12-01']], 'hte_filing');
    expect((await rowsOf(again))[0].status).to.equal('match');
  });

  it('revert of a 备案 list puts the application it completed back as it was; a record changed since blocks the whole revert', async () => {
    const a = await createFirm(t.db, { stage: 'hte_applying', name: '余姚市庚科技有限公司', actorId: actorId() });
    const b = await createFirm(t.db, { stage: 'hte_applying', name: '余姚市辛科技有限公司', actorId: actorId() });
    const pub = await preview([['企业名称', '统一社会信用代码', '公示日期'], [a.name, a.uscc, '2025-10-20'], [b.name, b.uscc, '2025-10-20']], 'hte_publicity');
    expect((await commit(pub)).status).to.equal('committed');
    const [ra, rb] = [await t.db('certifications').where({ firm_id: a.id }).first(), await t.db('certifications').where({ firm_id: b.id }).first()];
    expect([ra.publicized_on, rb.publicized_on]).to.deep.equal(['2025-10-20', '2025-10-20']);

    // Someone completes b's application by hand after the import: the revert would overwrite it.
    await t.db('certifications').where({ id: rb.id }).update({ note: '人工补充', version: rb.version + 1 });
    await t.db('certification_history').insert({ ...(await t.db('certification_history').where({ certification_id: rb.id }).orderBy('id', 'desc').first()), id: undefined, note: '人工补充', change: 'update', import_batch_id: null, recorded_at: new Date().toISOString() });
    const refused = await t.admin.post(`/lists/imports/${pub}/revert`).type('form').send({ confirmRevert: '1' });
    expect(refused.status).to.equal(409);
    const message = html(refused.text).querySelector('.revert-error')!.text;
    expect(message).to.contain('余姚市辛科技有限公司').and.contain('导入后又被修改').and.contain('没有撤销');
    expect((await t.db('import_batches').where({ id: pub }).first()).status).to.equal('committed');
    expect((await t.db('certifications').where({ id: ra.id }).first()).publicized_on).to.equal('2025-10-20');
    // The confirmation says so before anyone clicks.
    expect(html((await t.admin.get(`/lists/imports/${pub}`).expect(200)).text).querySelector('.revert-blocked')!.text).to.contain('余姚市辛科技有限公司');

    // The 备案 list completes a's application (opened by the 公示 list); its revert puts the row
    // back as the 公示 left it — not voided — and the firm back in 高企申报中.
    const filing = await preview([['企业名称', '统一社会信用代码', '证书编号', '发证日期'], [a.name, a.uscc, 'GR202533009876', '2025-12-01']], 'hte_filing');
    expect((await commit(filing)).status).to.equal('committed');
    expect((await t.db('firms').where({ id: a.id }).first()).stage).to.equal('hte_certified');
    expect(html((await t.admin.get(`/lists/imports/${filing}`).expect(200)).text).querySelector('.revert-plan')!.text).to.contain('恢复为导入前的内容');
    await t.admin.post(`/lists/imports/${filing}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);
    const restored = await t.db('certifications').where({ id: ra.id }).first();
    expect([restored.number, restored.issued_on, restored.status, restored.publicized_on, Boolean(restored.is_void)]).to.deep.equal([null, null, 'pending', '2025-10-20', false]);
    expect((await t.db('firms').where({ id: a.id }).first()).stage).to.equal('hte_applying');
  });

  it('公示 list by name only records 公示 on the year’s application; 入库 list records the registration number', async () => {
    const a = await createFirm(t.db, { stage: 'hte_applying', name: '余姚市戊科技有限公司', actorId: actorId() });
    const pub = await preview([['企业名称'], [a.name]], 'hte_publicity');
    const [row] = await rowsOf(pub);
    expect(row.status).to.equal('name_match');
    expect((await commit(pub)).status).to.equal('committed');
    const hte = await t.db('certifications').where({ firm_id: a.id, kind: 'hte', year: 2025 }).first();
    expect(hte.publicized_on).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(hte.status).to.equal('pending');
    expect((await t.db('firms').where({ id: a.id }).first()).stage).to.equal('hte_applying');

    const reg = await preview([['企业名称', '统一社会信用代码', '入库登记编号', '入库日期'], [a.name, a.uscc, '20253302810A001234', '2025-05-20']], 'tsme_registration');
    expect((await rowsOf(reg))[0].status).to.equal('match');
    expect((await commit(reg)).status).to.equal('committed');
    const tsme = await t.db('certifications').where({ firm_id: a.id, kind: 'tsme', year: 2025 }).first();
    expect(tsme.number).to.equal('20253302810A001234');
  });
});
