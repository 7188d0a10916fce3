/**
 * A repeated save creates nothing twice (issue 8, item 11): a create form carries a one-time key;
 * the same form sent again — after the first answer, or at the same moment — creates one record,
 * and the repeat is sent to it.
 */
import { expect } from 'chai';
import { validUscc } from '../helpers/factories.js';
import { type Client, createTestContext, html, type TestContext } from '../helpers/test-app.js';

describe('double submits of create forms', () => {
  let t: TestContext;
  let n = 95_000;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  async function formKey(c: Client, url: string, form: string): Promise<string> {
    const doc = html((await c.get(url).expect(200)).text);
    const key = doc.querySelector(`${form} input[name="_formKey"]`)?.getAttribute('value');
    expect(key, `a form key in ${form} on ${url}`).to.be.a('string').with.length.above(15);
    return key!;
  }

  const count = async (table: string, where: Record<string, unknown>) => Number((await t.db(table).where(where).count({ n: '*' }).first())?.n);

  it('every page renders a fresh key', async () => {
    const a = await formKey(t.admin, '/firms/new', '#firm-form');
    const b = await formKey(t.admin, '/firms/new', '#firm-form');
    expect(a).to.not.equal(b);
  });

  it('a new firm sent twice, one after the other: one firm, one audit row; the repeat is sent to it', async () => {
    const key = await formKey(t.admin, '/firms/new', '#firm-form');
    const body = { _formKey: key, uscc: validUscc(n++), name: '余姚市双击测试科技有限公司', parkId: t.basics.parks.a, stage: 'candidate' };
    const first = await t.admin.post('/firms').type('form').send(body).expect(303);
    const second = await t.admin.post('/firms').type('form').send(body).expect(303);
    expect(second.headers.location).to.equal(first.headers.location);
    expect(await count('firms', { uscc: body.uscc })).to.equal(1);
    expect(await count('audit_log', { action: 'firm.create', object_id: body.uscc })).to.equal(1);
    const page = await t.admin.get(second.headers.location!).expect(200);
    expect(page.text).to.include('已经提交过');
    // htmx gets the same, as HX-Redirect.
    const third = await t.admin.post('/firms').set('HX-Request', 'true').type('form').send(body).expect(204);
    expect(third.headers['hx-redirect']).to.equal(first.headers.location);
  });

  it('a new firm sent twice at the same moment: one firm; both answers lead to it', async () => {
    const key = await formKey(t.admin, '/firms/new', '#firm-form');
    const body = { _formKey: key, uscc: validUscc(n++), name: '余姚市并发双击科技有限公司', parkId: t.basics.parks.a, stage: 'candidate' };
    const answers = await Promise.all([1, 2, 3].map(() => t.admin.post('/firms').type('form').send(body)));
    expect(answers.map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(new Set(answers.map((a) => a.headers.location))).to.deep.equal(new Set([`/firms/${body.uscc}`]));
    expect(await count('firms', { uscc: body.uscc })).to.equal(1);
    expect(await count('audit_log', { action: 'firm.create', object_id: body.uscc })).to.equal(1);
  });

  it('a refused form does not use up its key: corrected and sent again, it creates the firm', async () => {
    const key = await formKey(t.admin, '/firms/new', '#firm-form');
    const uscc = validUscc(n++);
    await t.admin.post('/firms').type('form').send({ _formKey: key, uscc, name: '', parkId: t.basics.parks.a, stage: 'candidate' }).expect(422);
    await t.admin.post('/firms').type('form').send({ _formKey: key, uscc, name: '余姚市改正后科技有限公司', parkId: t.basics.parks.a, stage: 'candidate' }).expect(303);
    expect(await count('firms', { uscc })).to.equal(1);
  });

  it('two different firms from two loads of the form are two firms; a key is one user’s only', async () => {
    const a = { _formKey: await formKey(t.admin, '/firms/new', '#firm-form'), uscc: validUscc(n++), name: '余姚市甲科技有限公司', parkId: t.basics.parks.a, stage: 'candidate' };
    const b = { _formKey: await formKey(t.admin, '/firms/new', '#firm-form'), uscc: validUscc(n++), name: '余姚市乙科技有限公司', parkId: t.basics.parks.a, stage: 'candidate' };
    await t.admin.post('/firms').type('form').send(a).expect(303);
    await t.admin.post('/firms').type('form').send(b).expect(303);
    // Someone else sending the admin's key creates their own firm, and learns nothing of the admin's.
    const other = await t.as('caseworker');
    const c = { ...a, uscc: validUscc(n++), name: '余姚市丙科技有限公司' };
    const res = await other.post('/firms').type('form').send(c).expect(303);
    expect(res.headers.location).to.equal(`/firms/${c.uscc}`);
    for (const f of [a, b, c]) expect(await count('firms', { uscc: f.uscc })).to.equal(1);
  });

  it('a new user sent twice (also at once): one account; the repeat opens it', async () => {
    const key = await formKey(t.admin, '/admin/users', 'form.user-form');
    const body = { _formKey: key, username: `double${n++}`, displayName: '双击用户', role: 'leader', password: '' };
    const answers = await Promise.all([1, 2].map(() => t.admin.post('/admin/users').type('form').send(body)));
    const again = await t.admin.post('/admin/users').type('form').send(body);
    expect(await count('users', { username: body.username })).to.equal(1);
    const user = await t.db('users').where({ username: body.username }).first('id');
    // The first answer shows the temporary password; the repeats go to the account.
    const statuses = [...answers, again].map((a) => a.status).sort();
    expect(statuses).to.deep.equal([200, 303, 303]);
    for (const a of [...answers, again].filter((r) => r.status === 303)) expect(a.headers.location).to.equal(`/admin/users/${user.id}`);
    expect(await count('audit_log', { action: 'user.create', object_id: body.username })).to.equal(1);
  });
});
