/**
 * Parks and towns (属地) at /admin/parks: Yuyao's towns are there from the start; an
 * administrator creates, renames (old name kept), merges and retires; a caseworker limited by
 * town sees that town's firms, with counts from the counter tables; forms offer only what the
 * user may choose.
 */
import { expect } from 'chai';
import { createFirm, testPasswordHash, validUscc } from '../helpers/factories.js';
import { Client, createTestContext, html, type TestContext } from '../helpers/test-app.js';

describe('parks and towns', () => {
  let t: TestContext;
  let n = 70_000;
  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  const townId = async (name: string) => ((await t.db('towns').where({ name }).first('id')) as { id: number }).id;

  /** A caseworker limited to the given towns, signed in. */
  async function townCaseworker(towns: number[]) {
    const username = `town${n++}`;
    const at = new Date().toISOString();
    const [row] = await t.db('users').insert({ username, display_name: '孙莉', role: 'caseworker', password_hash: await testPasswordHash(), is_active: true, version: 1, created_at: at, updated_at: at }).returning('id');
    const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    await t.db('user_towns').insert(towns.map((town_id) => ({ user_id: id, town_id })));
    const c = new Client(t.server, t.origin);
    expect((await c.login(username)).status).to.equal(303);
    return c;
  }

  it("lists Yuyao's 6 街道, 14 镇 and 1 乡 and the parks for an administrator", async () => {
    const page = html((await t.admin.get('/admin/parks').expect(200)).text);
    const towns = page.querySelectorAll('#areas-town tbody tr').map((r) => r.querySelector('strong')!.text);
    expect(towns).to.have.length(21);
    expect(towns).to.include.members(['凤山街道', '阳明街道', '梨洲街道', '兰江街道', '朗霞街道', '低塘街道', '泗门镇', '河姆渡镇', '四明山镇', '鹿亭乡']);
    expect(page.querySelectorAll('#areas-park tbody tr').map((r) => r.querySelector('strong')!.text)).to.deep.equal(['余姚经济开发区', '中意宁波生态园']);
    expect((await t.admin.get('/board')).text).to.include('href="/admin/parks"');
    expect((await (await t.as('caseworker')).get('/board')).text).to.not.include('href="/admin/parks"');
  });

  it('creates a park; a name already taken is refused with the typed values kept', async () => {
    await t.admin.post('/admin/parks/park').type('form').send({ name: ' 余姚  科创园 ', kind: 'incubator' }).expect(303);
    const row = await t.db('parks').where({ name: '余姚 科创园' }).first();
    expect(row).to.include({ kind: 'incubator' });
    expect((await t.admin.get('/admin/parks')).text).to.include('已新增');
    const again = await t.admin.post('/admin/parks/park').type('form').send({ name: '余姚 科创园', kind: 'park' }).expect(422);
    expect(again.text).to.include('已有名为“余姚 科创园”的园区/平台');
    expect(html(again.text).querySelector('#areas-park form.area-new input[name="name"]')?.getAttribute('value')).to.equal('余姚 科创园');
    expect(await t.db('parks').where({ name: '余姚 科创园' }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(1);
    const audit = await t.db('audit_log').where({ action: 'park.create' }).first();
    expect(JSON.parse(audit.after)).to.deep.equal({ name: '余姚 科创园', kind: 'incubator' });
  });

  it('renames a town and keeps the old name in its history; the firm page shows the new name', async () => {
    const id = await townId('朗霞街道');
    const firm = await createFirm(t.db, { townId: id, actorId: t.basics.users.admin.id });
    await t.admin.post(`/admin/parks/town/${id}/rename`).type('form').send({ name: '朗霞新街道' }).expect(303);
    const page = html((await t.admin.get('/admin/parks').expect(200)).text);
    const row = page.querySelector(`#area-town-${id}`)!;
    expect(row.querySelector('strong')!.text).to.equal('朗霞新街道');
    expect(row.text).to.include('曾用名：朗霞街道');
    expect((await t.admin.get(`/firms/${firm.uscc}`)).text).to.include('朗霞新街道');
    const audit = await t.db('audit_log').where({ action: 'town.rename' }).first();
    expect([JSON.parse(audit.before), JSON.parse(audit.after)]).to.deep.equal([{ name: '朗霞街道' }, { name: '朗霞新街道' }]);
  });

  it('merges park A into park B: its firms, caseworkers and counts move, and A is retired', async () => {
    const { a, b } = t.basics.parks;
    for (let i = 0; i < 3; i++) await createFirm(t.db, { parkId: a, stage: 'tech_sme', actorId: t.basics.users.admin.id });
    await createFirm(t.db, { parkId: b, stage: 'tech_sme', actorId: t.basics.users.admin.id });
    const refused = await t.admin.post(`/admin/parks/park/${a}/merge`).type('form').send({ into: b }).expect(422);
    expect(refused.text).to.include('请先勾选“确认将 余姚经济开发区 并入 中意宁波生态园”');
    await t.admin.post(`/admin/parks/park/${a}/merge`).type('form').send({ into: b, confirm: '1' }).expect(303);
    expect(await t.db('firms').where({ park_id: a }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(0);
    const board = (await t.admin.get(`/board?park=${b}`).expect(200)).text;
    expect(board).to.include('id="count-tech_sme">4<');
    const conversions = await t.db('conversion_counts').where({ park_key: a }).count({ n: '*' }).first();
    expect(Number(conversions?.n)).to.equal(0);
    expect(await t.db('parks').where({ id: a }).first()).to.include({ merged_into: b });
    // The caseworker limited to A now covers B, and A is no longer offered anywhere.
    const scoped = await t.as('scoped');
    const form = html((await scoped.get('/firms/new').expect(200)).text);
    expect(form.querySelectorAll('select[name="parkId"] option').map((o) => o.text)).to.deep.equal(['中意宁波生态园']);
    expect((await scoped.get('/board').expect(200)).text).to.include('id="count-tech_sme">4<');
    const audit = await t.db('audit_log').where({ action: 'park.merge' }).first();
    expect(JSON.parse(audit.after)).to.deep.equal({ mergedInto: '中意宁波生态园', firms: 3, users: 1 });
  });

  it('retires only an empty area: one with firms is refused and must be merged', async () => {
    const id = await townId('鹿亭乡');
    await createFirm(t.db, { townId: id, actorId: t.basics.users.admin.id });
    const refused = await t.admin.post(`/admin/parks/town/${id}/retire`).type('form').send({}).expect(422);
    expect(refused.text).to.include('还有 1 家企业属于这个镇街，不能直接撤销');
    const empty = await townId('四明山镇');
    await t.admin.post(`/admin/parks/town/${empty}/retire`).type('form').send({}).expect(303);
    const form = (await t.admin.get('/firms/new').expect(200)).text;
    expect(form).to.include('鹿亭乡</option>').and.not.include('四明山镇</option>');
    const again = await t.admin.post(`/admin/parks/town/${empty}/rename`).type('form').send({ name: '四明山' });
    expect(again.status).to.equal(409);
  });

  describe('a caseworker limited to one town', () => {
    it('sees only that town’s firms, in whichever park, with counts from the counter table', async () => {
      const simen = await townId('泗门镇');
      const mazhu = await townId('马渚镇');
      const mine = await createFirm(t.db, { name: '余姚市泗门本镇科技有限公司', townId: simen, parkId: t.basics.parks.b, stage: 'incubating', actorId: t.basics.users.admin.id });
      await createFirm(t.db, { name: '余姚市泗门无园区科技有限公司', townId: simen, parkId: null, stage: 'incubating', actorId: t.basics.users.admin.id });
      const other = await createFirm(t.db, { name: '余姚市马渚外镇科技有限公司', townId: mazhu, parkId: t.basics.parks.b, stage: 'incubating', actorId: t.basics.users.admin.id });
      const c = await townCaseworker([simen]);
      const board = (await c.get('/board').expect(200)).text;
      expect(board).to.include(mine.uscc).and.not.include(other.uscc);
      expect(board).to.include('id="count-incubating">2<');
      expect((await c.get(`/firms/${other.uscc}`)).status).to.equal(404);
      expect((await c.get(`/firms/${mine.uscc}`)).status).to.equal(200);
      const dash = (await c.get('/dashboard').expect(200)).text;
      expect(dash).to.include('data-stage-count="incubating">2<');
      // Offered: their town only (no "未填"), and any park or none, since the town makes the firm theirs.
      const form = html((await c.get('/firms/new').expect(200)).text);
      expect(form.querySelectorAll('select[name="townId"] option').map((o) => o.text)).to.deep.equal(['泗门镇']);
      expect(form.querySelectorAll('select[name="parkId"] option').map((o) => o.text)).to.deep.equal(['（未落园区）', '余姚经济开发区', '中意宁波生态园']);
      const refused = await c.post('/firms').type('form').send({ uscc: validUscc(n++), name: '余姚市越镇科技有限公司', townId: mazhu, stage: 'candidate' }).expect(422);
      expect(refused.text).to.include('只能登记你负责园区或镇街的企业');
      await c.post('/firms').type('form').send({ uscc: validUscc(n++), name: '余姚市本镇新登记科技有限公司', townId: simen, stage: 'candidate' }).expect(303);
    });
  });

  it('a caseworker limited to one park is offered only that park, with no "未落园区", in forms and filters', async () => {
    const scoped = await t.as('scoped');
    const form = html((await scoped.get('/firms/new').expect(200)).text);
    expect(form.querySelectorAll('select[name="parkId"] option').map((o) => o.text)).to.deep.equal(['余姚经济开发区']);
    const board = html((await scoped.get('/board').expect(200)).text);
    expect(board.querySelectorAll('#board-filters select[name="park"] option').map((o) => o.text)).to.deep.equal(['全部', '余姚经济开发区']);
    const firm = await createFirm(t.db, { parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
    const edit = html((await scoped.get(`/firms/${firm.uscc}/edit`).expect(200)).text);
    expect(edit.querySelectorAll('select[name="parkId"] option').map((o) => o.text)).to.deep.equal(['余姚经济开发区']);
  });

  it('the user form scopes a caseworker by town; the list names the towns', async () => {
    const simen = await townId('泗门镇');
    const page = html((await t.admin.get('/admin/users').expect(200)).text);
    expect(page.querySelectorAll('input[name="townIds"]')).to.have.length(21);
    await t.admin.post('/admin/users').type('form').send({ username: 'simen-cw', displayName: '孙莉', role: 'caseworker', townIds: String(simen), password: '' }).expect(200);
    const user = await t.db('users').where({ username: 'simen-cw' }).first();
    expect(await t.db('user_towns').where({ user_id: user.id }).select('town_id')).to.deep.equal([{ town_id: simen }]);
    const audit = await t.db('audit_log').where({ action: 'user.create' }).orderBy('id', 'desc').first();
    expect(JSON.parse(audit.after)).to.deep.include({ townIds: [simen] });
    const list = (await t.admin.get('/admin/users').expect(200)).text;
    expect(list).to.include('<span class="tag">泗门镇</span>');
    const leader = await t.admin.post('/admin/users').type('form').send({ username: 'simen-leader', displayName: '领导', role: 'leader', townIds: String(simen), password: '' }).expect(422);
    expect(leader.text).to.include('field-error');
  });

  it('a new town needs a kind from the list', async () => {
    const res = await t.admin.post('/admin/parks/town').type('form').send({ name: '新镇', kind: 'city' }).expect(422);
    expect(res.text).to.include('请选择类型：街道、镇或乡');
    expect(await t.db('towns').where({ name: '新镇' }).first()).to.equal(undefined);
  });
});
