/**
 * A repeated save creates nothing twice (issue 8, item 11): a create form carries a one-time key;
 * the same form sent again — after the first answer, or at the same moment — creates one record,
 * and the repeat is sent to it.
 */
import { expect } from 'chai';
import { createFirm, type SeededFirm, validUscc } from '../helpers/factories.js';
import { type Client, createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { TODAY } from '../helpers/today.js';

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

/**
 * The coaching, event and demand forms (issue 9: "a double-clicked save creates one record, not
 * two"): every one carries a key; sent twice — one after the other or at the same moment — it saves
 * once and the repeat is sent where the first ended. Two different submissions that collide on a
 * unique rule get a Chinese conflict message, never a 500.
 */
describe('double submits of the coaching, event and demand forms', () => {
  let t: TestContext;
  let cw: Client;
  let firms: SeededFirm[];
  before(async () => {
    t = await createTestContext();
    cw = await t.as('caseworker');
    firms = [];
    for (let i = 0; i < 4; i++) firms.push(await createFirm(t.db, { stage: 'hte_reserve', parkId: t.basics.parks.a, counsellorId: t.basics.users.counsellor.id, actorId: t.basics.users.admin.id }));
  });
  after(() => t.destroy());

  const keyOn = async (url: string, form: string) => {
    const key = html((await cw.get(url).expect(200)).text).querySelector(`${form} input[name="_formKey"]`)?.getAttribute('value');
    expect(key, `a form key in ${form} on ${url}`).to.be.a('string').with.length.above(15);
    return key!;
  };
  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await t.db(table).where(where).count({ n: '*' }).first())?.n);
  const twice = async (url: string, body: Record<string, unknown>) => {
    const together = await Promise.all([cw.post(url).type('form').send(body), cw.post(url).type('form').send(body)]);
    const after = await cw.post(url).type('form').send(body);
    return [...together, after];
  };
  const eventId = (location: string | undefined) => Number(/\/coaching\/events\/(\d+)$/.exec(location ?? '')![1]);
  let event = 0;

  it('a new event: one event, one audit row; every answer leads to it', async () => {
    const body = { _formKey: await keyOn('/coaching/events/new', '#event-form'), kind: 'clinic', title: '双击讲诊会', startsOn: TODAY };
    const answers = await twice('/coaching/events', body);
    expect(answers.map((a) => a.status)).to.deep.equal([303, 303, 303]);
    event = eventId(answers[0]!.headers.location);
    expect(new Set(answers.map((a) => a.headers.location))).to.deep.equal(new Set([`/coaching/events/${event}`]));
    expect(await count('coaching_events', { title: '双击讲诊会' })).to.equal(1);
    expect(await count('audit_log', { action: 'event.create' })).to.equal(1);
  });

  it('an invitation: each firm invited once, one audit row', async () => {
    const body = { _formKey: await keyOn(`/coaching/events/${event}`, '#invite-form'), codes: firms.slice(0, 2).map((f) => f.uscc).join('\n') };
    const answers = await twice(`/coaching/events/${event}/invitations`, body);
    expect(answers.map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(new Set(answers.map((a) => a.headers.location))).to.deep.equal(new Set([`/coaching/events/${event}`]));
    expect(await count('event_invitations', { event_id: event })).to.equal(2);
    expect(await count('audit_log', { action: 'event.invite' })).to.equal(1);
  });

  it('two invitations of one firm at the same moment (two forms): one invitation; the other answer says so in Chinese, never a 500', async () => {
    const firm = firms[2]!;
    // Another user's invitation of the firm is being saved (not yet committed) while this one is sent.
    const other = await t.db.transaction();
    let answer: Promise<Awaited<ReturnType<Client['post']>>>;
    try {
      await other('event_invitations').insert({ event_id: event, firm_id: firm.id, status: 'invited', invited_by: t.basics.users.admin.id, version: 1, created_at: new Date().toISOString(), updated_at: new Date().toISOString() });
      answer = Promise.resolve(cw.post(`/coaching/events/${event}/invitations`).type('form').send({ codes: firm.uscc }));
      if (t.dialect === 'postgres') {
        // Until this request waits on the other one's row (its insert, on the unique index).
        const { rows } = (await other.raw('SELECT pg_backend_pid() AS pid')) as { rows: { pid: number }[] };
        for (let i = 0; i < 100; i++) {
          const waiting = (await t.db.raw('SELECT count(*)::int AS n FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))', [rows[0]!.pid])) as { rows: { n: number }[] };
          if (waiting.rows[0]!.n > 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      } else {
        await new Promise((r) => setTimeout(r, 200));
      }
      await other.commit();
    } catch (err) {
      await other.rollback();
      throw err;
    }
    const res = await answer;
    if (t.dialect === 'postgres') {
      // Both read "not invited yet"; the second insert meets the first on event_invitations_event_firm.
      expect(res.status, res.text.slice(0, 300)).to.equal(409);
      expect(res.text).to.include('有企业刚刚已被他人邀请参加这次活动，本次没有保存任何邀请');
      expect(html(res.text).querySelector('#invite-form textarea[name=codes]')!.text).to.equal(firm.uscc);
    } else {
      // SQLite runs the writers one after the other: the second sees the first's invitation.
      expect(res.status).to.equal(303);
    }
    expect(await count('event_invitations', { event_id: event, firm_id: firm.id })).to.equal(1);
    expect(await count('audit_log', { action: 'event.invite' })).to.equal(1);
  });

  it('a check-in: one attendance record, the firms in it once, one audit row', async () => {
    const ids = (await t.db('event_invitations').where({ event_id: event }).whereIn('firm_id', firms.slice(0, 2).map((f) => f.id)).select('id')).map((r) => String(r.id));
    const answers = await twice(`/coaching/events/${event}/attendance`, { _formKey: await keyOn(`/coaching/events/${event}`, '#attendance-form'), status: 'attended', invitation: ids });
    expect(answers.map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(await count('interactions', { event_id: event })).to.equal(1);
    expect(await count('interaction_firms')).to.equal(2);
    expect(await count('audit_log', { action: 'event.attendance' })).to.equal(1);
  });

  it('an event edit and the after-event action: saved once each', async () => {
    const page = html((await cw.get(`/coaching/events/${event}`).expect(200)).text);
    const edit = { _formKey: page.querySelector('#event-form input[name=_formKey]')!.getAttribute('value'), version: page.querySelector('#event-form input[name=version]')!.getAttribute('value'), kind: 'clinic', title: '双击讲诊会（改）', startsOn: TODAY };
    expect((await twice(`/coaching/events/${event}`, edit)).map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(await count('audit_log', { action: 'event.update' })).to.equal(1);
    const fresh = html((await cw.get(`/coaching/events/${event}`).expect(200)).text);
    const wrap = { _formKey: fresh.querySelector('#wrap-up-form input[name=_formKey]')!.getAttribute('value'), version: fresh.querySelector('#wrap-up-form input[name=version]')!.getAttribute('value') };
    expect((await twice(`/coaching/events/${event}/wrap-up`, wrap)).map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(await count('follow_ups', { source_event_id: event })).to.equal(3);
    expect(await count('audit_log', { action: 'event.wrap_up' })).to.equal(1);
  });

  it('a follow-up closed, a plan saved, the thresholds saved: once each', async () => {
    const firm = firms[0]!;
    const fu = await t.db('follow_ups').where({ firm_id: firm.id }).first();
    const panel = html((await cw.get(`/firms/${firm.uscc}`).expect(200)).text);
    const done = { _formKey: panel.querySelector(`form[action="/coaching/follow-ups/${fu.id}/done"] input[name=_formKey]`)!.getAttribute('value'), version: fu.version, doneOn: TODAY, result: '已落实' };
    expect((await twice(`/coaching/follow-ups/${fu.id}/done`, done)).map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(await count('audit_log', { action: 'coaching.follow_up_done' })).to.equal(1);
    const plan = { _formKey: await keyOn(`/firms/${firm.uscc}/coaching/plan`, '#plan-form'), lifecycle: 'growth', goals: '明年申报高企', firmVersion: 1, planVersion: '' };
    expect((await twice(`/firms/${firm.uscc}/coaching/plan`, plan)).map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(await count('coaching_plans', { firm_id: firm.id })).to.equal(1);
    expect(await count('audit_log', { action: 'coaching.plan' })).to.equal(1);
    const admin = async (url: string, form: string) => html((await t.admin.get(url).expect(200)).text).querySelector(`${form} input[name="_formKey"]`)!.getAttribute('value');
    const days = { _formKey: await admin('/coaching/settings', '#contact-settings'), incubating: 170, tech_sme: 120, hte_reserve: 60, hte_applying: 30, hte_certified: 180, benchmark: 180 };
    const sent = await Promise.all([t.admin.post('/coaching/settings').type('form').send(days), t.admin.post('/coaching/settings').type('form').send(days)]);
    expect(sent.map((a) => a.status)).to.deep.equal([303, 303]);
    expect(await count('audit_log', { action: 'coaching.contact_rules' })).to.equal(1);
  });

  it('a demand moved, a partner added, a partner\'s end recorded: once each', async () => {
    const firm = firms[3]!;
    const at = new Date().toISOString();
    const [row] = await t.db('demands').insert({ firm_id: firm.id, title: '双击需求', status: 'published', collected_on: TODAY, created_by: t.basics.users.admin.id, version: 1, created_at: at, updated_at: at }).returning('id');
    const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    const url = `/coaching/demands/${id}`;
    const move = { _formKey: await keyOn(url, '#demand-move'), version: 1, to: 'matching', partnerKind: 'university', partnerName: '宁波大学', partnerStartedOn: TODAY };
    expect((await twice(`${url}/move`, move)).map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(await count('demand_changes', { demand_id: id, kind: 'move' })).to.equal(1);
    expect(await count('demand_partners', { demand_id: id })).to.equal(1);
    const partner = { _formKey: await keyOn(url, '#partner-form'), version: 2, partnerKind: 'institute', partnerName: '中科院宁波材料所', partnerStartedOn: TODAY };
    expect((await twice(`${url}/partners`, partner)).map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(await count('demand_partners', { demand_id: id })).to.equal(2);
    const first = await t.db('demand_partners').where({ demand_id: id }).orderBy('id').first();
    const end = { _formKey: await keyOn(url, `tr[data-partner="${first.id}"] form.partner-end`), version: 3, endedOn: TODAY };
    expect((await twice(`${url}/partners/${first.id}/end`, end)).map((a) => a.status)).to.deep.equal([303, 303, 303]);
    expect(await count('demand_changes', { demand_id: id, kind: 'partner_end' })).to.equal(1);
    expect((await t.db('demands').where({ id }).first()).version).to.equal(4);
  });
});
