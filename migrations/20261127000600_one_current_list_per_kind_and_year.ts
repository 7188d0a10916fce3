import type { Knex } from 'knex';

/**
 * At most one committed batch per list and year. Two commits racing on PostgreSQL (READ COMMITTED)
 * could otherwise each miss the other and both stay in effect; with this index the second fails
 * and is marked interrupted, to be committed again (it then supersedes the first). Annual-figure
 * batches are not lists and may be many.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_batches', (t) => {
    t.unique(['kind', 'year'], {
      indexName: 'import_batches_one_committed',
      predicate: knex.whereRaw("status = 'committed' AND kind <> 'annual_figures'"),
    });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_batches', (t) => {
    // A partial unique index, not a constraint, on both databases.
    t.dropIndex(['kind', 'year'], 'import_batches_one_committed');
  });
}
