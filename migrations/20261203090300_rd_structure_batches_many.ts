import type { Knex } from 'knex';

/**
 * 研发费用结构明细表 batches (issue 12 item 2) write the firms' R&D data, not a list: like annual figures, many of a
 * year may be committed. The one-committed-list index (20261127000600) leaves them out too.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_batches', (t) => {
    t.dropIndex(['kind', 'year'], 'import_batches_one_committed');
  });
  await knex.schema.alterTable('import_batches', (t) => {
    t.unique(['kind', 'year'], {
      indexName: 'import_batches_one_committed',
      predicate: knex.whereRaw("status = 'committed' AND kind NOT IN ('annual_figures', 'rd_structure')"),
    });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_batches', (t) => {
    t.dropIndex(['kind', 'year'], 'import_batches_one_committed');
  });
  await knex.schema.alterTable('import_batches', (t) => {
    t.unique(['kind', 'year'], {
      indexName: 'import_batches_one_committed',
      predicate: knex.whereRaw("status = 'committed' AND kind <> 'annual_figures'"),
    });
  });
}
