/**
 * insertMany (src/db/insert-chunked.ts), the list commit's bulk insert: on PostgreSQL rows go as one
 * JSON parameter per statement (json_populate_recordset), and must land exactly as knex's own
 * multi-row INSERT writes them — texts of every kind, nulls, numbers, booleans, instants, defaults —
 * across statement boundaries, with the new ids returned in order, and refused where knex's are.
 */
import { expect } from 'chai';
import { insertChunked, insertMany, PG_BULK_ROWS } from '../../src/db/insert-chunked.js';
import { seedBasics, type Basics } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

describe('insertMany: bulk rows as knex writes them', () => {
  let t: TestDb;
  let basics: Basics;
  before(async () => {
    t = await createTestDb();
    basics = await seedBasics(t.db);
  });
  after(() => t.destroy());

  const TEXTS = ['余姚市“星远”科技有限公司', "O'Brien \\ 反斜杠 \"引号\"", '换行\n制表\t回车\r', '{"looks":"like json"}', '😀 emoji 𠀋', '', ' 前后空格 ', 'NULL', '\\N'];
  const at = '2025-03-04T05:06:07.089Z';
  const firm = (prefix: string, i: number) => ({
    uscc: `${prefix}${String(i).padStart(17, '0')}`,
    name: TEXTS[i % TEXTS.length]! + i,
    name_norm: TEXTS[(i + 3) % TEXTS.length]!,
    park_id: i % 3 === 0 ? null : basics.parks.a,
    address: i % 2 ? null : TEXTS[(i + 1) % TEXTS.length]!,
    stage: 'candidate',
    version: 1 + (i % 7),
    created_at: at,
    updated_at: at,
  });
  /** The statements `fn` sends. */
  const sent = async (fn: () => Promise<unknown>) => {
    const sqls: string[] = [];
    const listen = (q: { sql: string }) => sqls.push(q.sql);
    t.db.on('query', listen);
    try {
      await fn();
    } finally {
      t.db.off('query', listen);
    }
    return sqls;
  };
  const strip = ({ id: _id, uscc: _uscc, ...rest }: Record<string, unknown>) => rest;
  const rowsOf = async (prefix: string) => ((await t.db('firms').where('uscc', 'like', `${prefix}%`).orderBy('uscc')) as Record<string, unknown>[]).map(strip);

  it('writes what insertChunked writes, across statement boundaries, and returns the new ids in order (PostgreSQL)', async () => {
    const n = PG_BULK_ROWS + 7;
    const items = Array.from({ length: n }, (_, i) => i);
    await t.db.transaction(async (trx) => {
      await insertChunked(trx, 'firms', items, (i) => firm('A', i));
      let returned: Record<string, unknown>[] = [];
      const sqls = await sent(async () => (returned = await insertMany(trx, 'firms', items, (i) => firm('B', i), { returning: ['id', 'uscc'] })));
      if (t.dialect === 'postgres') {
        expect(sqls.filter((q) => q.includes('json_populate_recordset')), 'one statement per PG_BULK_ROWS rows').to.have.length(2);
        expect(returned.map((r) => r.uscc)).to.deep.equal(items.map((i) => firm('B', i).uscc));
        const ids = new Map(((await trx('firms').where('uscc', 'like', 'B%').select('id', 'uscc')) as { id: number; uscc: string }[]).map((r) => [r.uscc, Number(r.id)]));
        expect(returned.map((r) => Number(r.id))).to.deep.equal(returned.map((r) => ids.get(r.uscc as string)));
      } else {
        expect(returned).to.deep.equal([]);
      }
    });
    const a = await rowsOf('A');
    expect(a).to.have.length(n);
    expect(await rowsOf('B')).to.deep.equal(a);
  });

  it('keeps knex’s defaults for keys a row lacks or leaves undefined, and texts JSON would not carry as they are', async () => {
    // Different shapes: on PostgreSQL a row without a version (knex writes DEFAULT 1, never NULL;
    // SQLite's compound INSERT has no DEFAULT), a row with an undefined address, a lone surrogate.
    const shaped = (prefix: string) => [
      ...(t.dialect === 'postgres' ? [(({ version: _v, ...rest }) => rest)(firm(prefix, 1))] : []),
      { ...firm(prefix, 2), address: undefined },
      { ...firm(prefix, 3), name: `孤立代理项 \ud800 结束` },
    ];
    await insertChunked(t.db, 'firms', shaped('C'));
    const sqls = await sent(() => insertMany(t.db, 'firms', shaped('D'), (r) => r));
    expect(sqls.some((q) => q.includes('json_populate_recordset')), 'knex’s own INSERT').to.equal(false);
    const c = await rowsOf('C');
    expect(c.map((r) => r.version)).to.deep.equal(t.dialect === 'postgres' ? [1, 3, 4] : [3, 4]);
    expect(await rowsOf('D')).to.deep.equal(c);
  });

  it('stores booleans, and refuses an over-long text as knex does (nothing written)', async () => {
    const [batch] = await t.db('import_batches')
      .insert({ kind: 'below_scale', year: 2025, file_name: 'x.csv', file_hash: 'h', file_size: 1, file_type: 'csv', status: 'committing', created_by: basics.users.admin.id, created_at: at, version: 1 })
      .returning('id');
    const batchId = typeof batch === 'object' ? (batch as { id: number }).id : (batch as number);
    await insertChunked(t.db, 'firms', [firm('E', 1), firm('E', 2)]);
    const firmIds = ((await t.db('firms').where('uscc', 'like', 'E%').orderBy('uscc').select('id')) as { id: number }[]).map((r) => r.id);
    const entries = firmIds.map((firmId, i) => ({ batch_id: batchId, firm_id: firmId, kind: 'below_scale', year: 2025, is_current: i === 0, line: i + 2, name_matched: i === 1, data: JSON.stringify({ revenue: 1.5 * i, note: TEXTS[i] }) }));
    await insertMany(t.db, 'list_entries', entries, (e) => e);
    const stored = (await t.db('list_entries').where({ batch_id: batchId }).orderBy('line').select('is_current', 'name_matched', 'data', 'line')) as Record<string, unknown>[];
    expect(stored.map((r) => [Boolean(r.is_current), Boolean(r.name_matched), r.data, Number(r.line)])).to.deep.equal(entries.map((e) => [e.is_current, e.name_matched, e.data, e.line]));

    if (t.dialect !== 'postgres') return; // SQLite does not enforce varchar lengths
    const tooLong = { ...firm('F', 1), name: '长'.repeat(201) };
    const codes: string[] = [];
    for (const insert of [() => insertChunked(t.db, 'firms', [tooLong]), () => insertMany(t.db, 'firms', [firm('F', 2), tooLong], (r) => r)]) {
      try {
        await insert();
        codes.push('inserted');
      } catch (err) {
        codes.push((err as { code?: string }).code ?? 'no code');
      }
    }
    expect(codes).to.deep.equal(['22001', '22001']);
    expect(await rowsOf('F')).to.deep.equal([]);
  });
});
