import { expect } from 'chai';
import { createDb } from '../../src/db/knex.js';
import { migrateLatest, rollbackAll } from '../../src/db/migrate.js';
import { createFirm, seedBasics, validUscc } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

describe('schema and migrations', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  it('migrates down to nothing and up again', async () => {
    await rollbackAll(t.db);
    expect(await t.db.schema.hasTable('firms')).to.equal(false);
    await migrateLatest(t.db);
    expect(await t.db.schema.hasTable('firms')).to.equal(true);
    expect(await t.db.schema.hasTable('stage_counts')).to.equal(true);
  });

  it('refuses a second firm with the same credit code', async () => {
    const { users } = await seedBasics(t.db);
    await createFirm(t.db, { uscc: validUscc(1), actorId: users.admin.id });
    let error: unknown;
    try {
      await createFirm(t.db, { uscc: validUscc(1), actorId: users.admin.id });
    } catch (err) {
      error = err;
    }
    expect(String((error as { code?: string })?.code)).to.match(/SQLITE_CONSTRAINT_UNIQUE|23505/);
  });

  it('enforces foreign keys (a firm in a park that does not exist)', async () => {
    await seedBasics(t.db);
    let error: unknown;
    try {
      await t.db('firms').insert({ uscc: validUscc(2), name: 'x', name_norm: 'X', park_id: 9999, stage: 'candidate', version: 1, created_at: 'now', updated_at: 'now' });
    } catch (err) {
      error = err;
    }
    expect(String((error as { code?: string })?.code)).to.match(/SQLITE_CONSTRAINT_FOREIGNKEY|23503|22007/);
  });

  it('keeps stage_counts equal to a live count through inserts, moves, park changes and deletes', async () => {
    const { users, parks } = await seedBasics(t.db);
    const firms = [];
    for (let i = 0; i < 12; i++) {
      firms.push(await createFirm(t.db, { stage: i % 3 ? 'candidate' : 'tech_sme', parkId: i % 2 ? parks.a : null, field: i % 4 ? 'new_materials' : null, actorId: users.admin.id }));
    }
    await t.db('firms').whereIn('id', firms.slice(0, 4).map((f) => f.id)).update({ stage: 'hte_reserve' });
    await t.db('firms').where({ id: firms[5]!.id }).update({ park_id: parks.b, field: 'biomedicine' });
    await t.db('stage_events').where({ firm_id: firms[11]!.id }).del();
    await t.db('stage_entries').where({ firm_id: firms[11]!.id }).del();
    await t.db('firms').where({ id: firms[11]!.id }).del();
    const live = await t.db('firms').select('stage').select(t.db.raw('coalesce(park_id, 0) as park_key')).select(t.db.raw("coalesce(field, '') as field_key")).count({ n: '*' }).groupBy('stage', 'park_id', 'field');
    const counted = await t.db('stage_counts').where('n', '>', 0).select('stage', 'park_key', 'field_key', 'n');
    const key = (r: { stage: string; park_key: number | string; field_key: string; n: number | string }) => `${r.stage}|${Number(r.park_key)}|${r.field_key}|${Number(r.n)}`;
    expect(counted.map(key).sort()).to.deep.equal(live.map((r) => key(r as never)).sort());
  });

  it('leaves stage_counts unwritten (so unlocked) when an update keeps stage, park and field', async () => {
    const { users, parks } = await seedBasics(t.db);
    const firm = await createFirm(t.db, { stage: 'candidate', parkId: parks.a, field: 'new_materials', actorId: users.admin.id });
    // Each dialect's own witness of a write: PostgreSQL's row versions, a temporary trigger on SQLite.
    let writes: () => Promise<unknown>;
    if (t.dialect === 'postgres') {
      writes = async () => t.db('stage_counts').select(t.db.raw('park_key, field_key, stage, xmin::text AS v')).orderBy(['park_key', 'field_key', 'stage']);
    } else {
      await t.db.raw('CREATE TEMP TABLE counts_written (n INTEGER)');
      await t.db.raw('CREATE TEMP TRIGGER counts_written_on_update AFTER UPDATE ON stage_counts BEGIN INSERT INTO counts_written VALUES (1); END');
      writes = async () => Number(((await t.db('counts_written').count({ n: '*' }).first()) as { n: number }).n);
    }
    const before = await writes();
    await t.db('firms').where({ id: firm.id }).update({ name: '改名不改阶段有限公司', stage: 'candidate', park_id: parks.a, field: 'new_materials' });
    expect(await writes()).to.deep.equal(before);
    await t.db('firms').where({ id: firm.id }).update({ stage: 'incubating', park_id: parks.a, field: 'new_materials' });
    expect(await writes()).to.not.deep.equal(before);
    const after = (await t.db('stage_counts').where('n', '>', 0).select('stage', 'n')) as { stage: string; n: number }[];
    expect(after.map((r) => `${r.stage}:${Number(r.n)}`)).to.deep.equal(['incubating:1']);
  });

  it('refuses to update or delete audit rows', async () => {
    await t.db('audit_log').insert({ at: new Date().toISOString(), action: 'test' });
    for (const attempt of [() => t.db('audit_log').update({ action: 'changed' }), () => t.db('audit_log').del()]) {
      let error: unknown;
      try {
        await attempt();
      } catch (err) {
        error = err;
      }
      expect(String(error)).to.include('append-only');
    }
    expect((await t.db('audit_log').first()).action).to.equal('test');
  });
});

describe('database URLs', () => {
  it('opens a SQLite file by relative path and creates its folder', async () => {
    const dir = `tmp-test-${process.pid}`;
    const db = createDb(`sqlite:${dir}/nested/x.sqlite`);
    await migrateLatest(db);
    expect(await db.schema.hasTable('firms')).to.equal(true);
    await db.destroy();
    const fs = await import('node:fs');
    expect(fs.existsSync(`${dir}/nested/x.sqlite`)).to.equal(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('conversion counts kept by triggers', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  /** The definition, computed the slow way from the events. */
  async function live(year: number) {
    const order = "CASE ?? WHEN 'candidate' THEN 0 WHEN 'incubating' THEN 1 WHEN 'tech_sme' THEN 2 WHEN 'hte_reserve' THEN 3 WHEN 'hte_applying' THEN 4 WHEN 'hte_certified' THEN 5 WHEN 'benchmark' THEN 6 END";
    const start = new Date(Date.UTC(year, 0, 1) - 8 * 3600_000).toISOString();
    const end = new Date(Date.UTC(year + 1, 0, 1) - 8 * 3600_000).toISOString();
    const rows = await t.db('stage_events as e')
      .where('e.at', '>=', start)
      .andWhere('e.at', '<', end)
      .select('e.to_stage as stage')
      .countDistinct({ entered: 'e.firm_id' })
      .select(
        t.db.raw(`count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM stage_events n WHERE n.firm_id = e.firm_id AND n.at >= e.at AND ${order} > ${order}) THEN e.firm_id END) AS advanced`, ['n.to_stage', 'e.to_stage']),
      )
      .groupBy('e.to_stage');
    return Object.fromEntries((rows as { stage: string; entered: number | string; advanced: number | string }[]).map((r) => [r.stage, [Number(r.entered), Number(r.advanced)]]));
  }

  it('agree with the definition computed from the events, across years, skips, returns and exits', async () => {
    const { users, parks } = await seedBasics(t.db);
    const stages = ['candidate', 'incubating', 'tech_sme', 'hte_reserve', 'hte_applying', 'hte_certified', 'exited'];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 40; i++) {
      const f = await createFirm(t.db, { stage: 'candidate', parkId: i % 2 ? parks.a : parks.b, at: '2024-03-01T02:00:00.000Z', actorId: users.admin.id });
      let ms = Date.parse('2024-03-01T02:00:00.000Z');
      for (let k = 0; k < 5; k++) {
        ms += Math.floor(rand() * 200) * 86400_000 + 3600_000;
        const to = stages[Math.floor(rand() * stages.length)]!;
        await t.db('stage_events').insert({ firm_id: f.id, from_stage: null, to_stage: to, source: 'seed', actor_id: users.admin.id, at: new Date(ms).toISOString() });
      }
    }
    for (const year of [2024, 2025, 2026]) {
      const counted = await t.db('conversion_counts').where({ year }).select('stage').sum({ entered: 'entered', advanced: 'advanced' }).groupBy('stage');
      const fromTriggers = Object.fromEntries((counted as { stage: string; entered: number | string; advanced: number | string }[]).map((r) => [r.stage, [Number(r.entered), Number(r.advanced)]]));
      expect(fromTriggers, String(year)).to.deep.equal(await live(year));
    }
  });

  it('20261206000100 gives attendance checked in before it its event\'s one record, and keeps that record to one per event', async () => {
    const { up, down } = await import('../../migrations/20261206000100_event_attendance_records.js');
    const { users, parks } = await seedBasics(t.db);
    const [f1, f2, f3, f4] = [await createFirm(t.db, { parkId: parks.a, actorId: users.admin.id }), await createFirm(t.db, { parkId: parks.a, actorId: users.admin.id }), await createFirm(t.db, { parkId: parks.a, actorId: users.admin.id }), await createFirm(t.db, { parkId: parks.a, actorId: users.admin.id })];
    const at = '2026-05-20T03:00:00.000Z';
    const idOf = (r: unknown) => (typeof r === 'object' ? (r as { id: number }).id : (r as number));
    await down(t.db);
    const event = async (title: string) => idOf((await t.db('coaching_events').insert({ kind: 'clinic', title, starts_on: '2026-05-20', ends_on: '2026-05-20', place: '科技局', topics: 'ip', owner_id: users.caseworker.id, version: 1, created_at: at, updated_at: at }).returning('id'))[0]);
    const invite = async (eventId: number, firmId: number, status: string, interactionId: number | null = null) =>
      t.db('event_invitations').insert({ event_id: eventId, firm_id: firmId, status, interaction_id: interactionId, checked_in_at: status === 'attended' ? at : null, invited_by: users.admin.id, version: 1, created_at: at, updated_at: at });
    // Checked in, never wrapped up: no record yet.
    const plain = await event('讲诊会');
    await invite(plain, f1.id, 'attended');
    await invite(plain, f2.id, 'absent');
    // A record already there (one firm in it), and another firm attended without it.
    const mixed = await event('培训');
    const [x] = await t.db('interactions').insert({ occurred_on: '2026-05-20', channel: 'event', event_id: mixed, reached: true, created_by: users.admin.id, created_at: at }).returning('id');
    await t.db('interaction_firms').insert({ interaction_id: idOf(x), firm_id: f3.id });
    await invite(mixed, f3.id, 'attended', idOf(x));
    await invite(mixed, f4.id, 'attended');
    await up(t.db);

    const [record] = await t.db('interactions').where({ event_id: plain });
    expect(record).to.include({ channel: 'event', occurred_on: '2026-05-20', counsellor_id: users.caseworker.id, topics: 'ip', notes: '参加讲诊会（2026-05-20，科技局）' });
    expect(Boolean(record.reached)).to.equal(true);
    expect((await t.db('interaction_firms').where({ interaction_id: record.id })).map((r) => r.firm_id)).to.deep.equal([f1.id]);
    expect((await t.db('event_invitations').where({ event_id: plain }).orderBy('firm_id')).map((r) => r.interaction_id)).to.deep.equal([record.id, null]);
    expect(await t.db('interactions').where({ event_id: mixed })).to.have.length(1);
    expect((await t.db('interaction_firms').where({ interaction_id: idOf(x) }).orderBy('firm_id')).map((r) => r.firm_id)).to.deep.equal([f3.id, f4.id]);
    let error: unknown;
    try {
      await t.db('interactions').insert({ occurred_on: '2026-05-20', channel: 'event', event_id: plain, reached: true, created_by: users.admin.id, created_at: at });
    } catch (err) {
      error = err;
    }
    expect(String((error as { code?: string })?.code)).to.match(/SQLITE_CONSTRAINT_UNIQUE|23505/);
    // Interactions of no event are as many as they like.
    await t.db('interactions').insert([1, 2].map(() => ({ occurred_on: '2026-05-20', channel: 'visit', reached: true, created_by: users.admin.id, created_at: at })));
  });
});
