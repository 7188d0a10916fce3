/**
 * Issue 13: every figure kept by triggers or snapshots equals a recount from the base tables after
 * random sequences of creates, stage moves, list imports, reverts and profile edits (both databases:
 * TEST_DIALECT=postgres runs it on PostgreSQL).
 */
import { expect } from 'chai';
import { conversionCountsRecountSql, stageCountsRecountSql, stageEntriesRecountSql } from '../../src/db/counters.js';
import { Random } from '../../src/demo/random.js';
import { MAIN_LINE, type StageKey } from '../../src/domain/stages.js';
import { overlapForYear, recountOverlap, refreshOverlapSnapshot } from '../../src/features/lists/overlap-snapshot.queries.js';
import { createFirm, validUscc } from '../helpers/factories.js';
import { commitList } from '../helpers/list-import.js';
import { createTestContext, type TestContext } from '../helpers/test-app.js';

type Row = Record<string, unknown>;
const norm = (rows: Row[], keys: string[]) =>
  rows
    .map((r) => keys.map((k) => (typeof r[k] === 'boolean' ? Number(r[k]) : typeof r[k] === 'string' && /^\d+$/.test(r[k] as string) ? Number(r[k]) : r[k])).join('|'))
    .sort();
const raw = async (t: TestContext, sql: string): Promise<Row[]> => {
  const r = (await t.db.raw(sql)) as Row[] | { rows: Row[] };
  return Array.isArray(r) ? r : r.rows;
};

describe('kept counters equal a recount from the base tables', function () {
  this.timeout(120_000);
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext();
  });
  afterEach(() => t.destroy());

  async function expectCountersHold(step: string): Promise<void> {
    const keptCounts = (await t.db('stage_counts').where('n', '>', 0)) as Row[];
    expect(norm(keptCounts, ['park_key', 'town_key', 'field_key', 'stage', 'n']), `stage_counts after ${step}`).to.deep.equal(
      norm(await raw(t, stageCountsRecountSql()), ['park_key', 'town_key', 'field_key', 'stage', 'n']),
    );
    // Entries keep the park/town/field of the time (a profile edit does not move them): compare without the keys.
    const keptEntries = (await t.db('stage_entries')) as Row[];
    expect(norm(keptEntries, ['firm_id', 'stage', 'year', 'advanced']), `stage_entries after ${step}`).to.deep.equal(
      norm(await raw(t, stageEntriesRecountSql(t.db)), ['firm_id', 'stage', 'year', 'advanced']),
    );
    const keptConversion = (await t.db('conversion_counts').where('entered', '>', 0)) as Row[];
    expect(norm(keptConversion, ['year', 'stage', 'park_key', 'town_key', 'field_key', 'entered', 'advanced']), `conversion_counts after ${step}`).to.deep.equal(
      norm(await raw(t, conversionCountsRecountSql(t.db)), ['year', 'stage', 'park_key', 'town_key', 'field_key', 'entered', 'advanced']),
    );
  }

  for (const seed of [1, 2, 3]) {
    it(`random sequence ${seed}: creates, moves, imports, reverts and profile edits`, async () => {
      const rng = new Random(seed);
      const admin = t.basics.users.admin.id;
      const parks = [t.basics.parks.a, t.basics.parks.b, null];
      const firms: { id: number; uscc: string; name: string }[] = [];
      const batches: number[] = [];
      let codes = 9000;
      const done = { moved: 0, imported: 0, reverted: 0 };
      for (let i = 0; i < 6; i++) firms.push(await createFirm(t.db, { stage: 'candidate', parkId: rng.pick(parks), actorId: admin }));
      for (let step = 0; step < 24; step++) {
        const op = rng.pick(['create', 'move', 'move', 'import', 'revert', 'edit'] as const);
        if (op === 'create') {
          firms.push(await createFirm(t.db, { stage: rng.pick(['candidate', 'incubating', 'tech_sme'] as const), parkId: rng.pick(parks), actorId: admin }));
        } else if (op === 'move') {
          const f = rng.pick(firms);
          const row = (await t.db('firms').where({ id: f.id }).first('stage', 'version', 'uscc')) as { stage: string; version: number; uscc: string };
          const i = MAIN_LINE.indexOf(row.stage as StageKey);
          const exit = rng.chance(0.2) || i < 0 || i >= MAIN_LINE.length - 1;
          const body = exit && row.stage !== 'exited' ? { to: 'exited', exitReason: 'deregistered' } : row.stage === 'exited' ? { to: 'candidate', reason: '重新纳入' } : { to: MAIN_LINE[i + 1]!, reason: '推进' };
          const res = await t.admin.post(`/firms/${row.uscc}/stage`).set('HX-Request', 'true').type('form').send({ version: row.version, source: 'board', ...body });
          expect(res.status, `move ${row.stage} → ${body.to}: ${res.text.slice(0, 200)}`).to.be.oneOf([200, 409, 422]);
          if (res.status === 200) done.moved++;
        } else if (op === 'import') {
          const rows = firms.filter(() => rng.chance(0.4)).map((f) => [f.uscc, f.name]);
          rows.push([validUscc(codes++), `测试新增${codes}科技有限公司`]);
          done.imported++;
          batches.push(await commitList(t, rows, { kind: rng.pick(['patent', 'rd_deduction', 'incubator']), year: rng.pick([2024, 2025]) }));
        } else if (op === 'revert' && batches.length) {
          const id = batches.splice(rng.int(0, batches.length - 1), 1)[0]!;
          await t.admin.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }).expect(303);
          done.reverted++;
        } else if (op === 'edit') {
          const f = rng.pick(firms);
          await t.db('firms').where({ id: f.id }).update({ park_id: rng.pick(parks), field: rng.pick(['electronic_info', 'new_materials', null]) });
        }
        await expectCountersHold(`step ${step} (${op})`);
      }
      expect(done.moved, JSON.stringify(done)).to.be.above(2);
      expect(done.imported, JSON.stringify(done)).to.be.above(0);
      // The overlap snapshot, once recomputed, equals a recount; and so do the page figures.
      await refreshOverlapSnapshot(t.db);
      const kept = (await t.db('list_overlap_counts')) as Row[];
      expect(norm(kept, ['year', 'mask', 'park_key', 'town_key', 'n'])).to.deep.equal(norm((await recountOverlap(t.db)) as unknown as Row[], ['year', 'mask', 'park_key', 'town_key', 'n']));
      const overlap = await overlapForYear(t.db, 2025, {}, { parkIds: null });
      const live = await raw(t, "SELECT count(DISTINCT firm_id) AS n FROM list_entries WHERE year = 2025 AND kind = 'patent' AND is_current = " + (t.dialect === 'postgres' ? 'true' : '1'));
      expect(overlap.matrix.patent.patent).to.equal(Number(live[0]!.n));
    });
  }
});
