/**
 * Two-character name searches answered by the pair index (firms_bigrams, kept by triggers on firms)
 * find exactly the firms a scan of the names finds, after creates, renames and deletes.
 */
import { expect } from 'chai';
import { firmIdsByShortName, isSqlite } from '../../src/db/dialect.js';
import { normalizeFirmName } from '../../src/domain/firm-name.js';
import { createFirm, seedBasics } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

describe('two-character name search (pair index)', () => {
  let t: TestDb;
  let by: number;
  before(async () => {
    t = await createTestDb();
    by = (await seedBasics(t.db)).users.admin.id;
  });
  after(() => t.destroy());

  /** Every pair of characters in the current names, plus pairs no name has. */
  const words = async () => {
    const names = (await t.db('firms').pluck('name_norm')) as string[];
    const pairs = new Set(names.flatMap((n) => [...n].slice(0, -1).map((ch, i) => ch + [...n][i + 1])));
    return [...pairs, '无此', 'ZZ'];
  };
  const scan = async (w: string) =>
    ((await t.db('firms').select('id', 'name_norm')) as { id: number; name_norm: string }[]).filter((f) => f.name_norm.includes(normalizeFirmName(w))).map((f) => Number(f.id)).sort((a, b) => a - b);
  const found = async (w: string) => ((await firmIdsByShortName(t.db, w)).map((r: { id: number }) => Number(r.id)) as number[]).sort((a, b) => a - b);
  const agree = async () => {
    for (const w of await words()) expect(await found(w), w).to.deep.equal(await scan(w));
  };

  it('finds what a scan finds, after creates, renames and deletes', async () => {
    const names = ['余姚市星远合科技有限公司', '宁波星远光电有限公司', '余姚市星辰（宁波）科技有限公司', '浙江ABC智能装备有限公司', '余姚市远星机械厂'];
    const firms = [];
    for (const name of names) firms.push(await createFirm(t.db, { name, actorId: by }));
    await agree();
    await t.db('firms').where({ id: firms[0]!.id }).update({ name: '余姚市合远新材料有限公司', name_norm: normalizeFirmName('余姚市合远新材料有限公司') });
    await t.db('firms').where({ id: firms[1]!.id }).update({ stage: 'incubating' }); // not a rename
    await agree();
    await t.db('stage_events').where({ firm_id: firms[4]!.id }).delete();
    await t.db('stage_entries').where({ firm_id: firms[4]!.id }).delete();
    await t.db('firms').where({ id: firms[4]!.id }).delete();
    await agree();
    expect(await found('星远')).to.have.length(1);
  });

  it('answers a two-character word with a one-character word as well, and a one-character word alone by a scan', async () => {
    const a = await createFirm(t.db, { name: '余姚市甬星科技有限公司', actorId: by });
    expect(await found('甬星 技')).to.deep.equal([a.id]);
    expect(await found('甬')).to.deep.equal([a.id]);
    if (isSqlite(t.db)) expect((await t.db('firms_bigrams').whereRaw('firms_bigrams MATCH ?', ['"甬星"']).pluck('rowid')).map(Number)).to.deep.equal([a.id]);
  });
});
