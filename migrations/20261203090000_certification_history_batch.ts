import type { Knex } from 'knex';

/**
 * Which import batch wrote each history row of the register. A revert of an official result list
 * (issue 10 item 2) undoes exactly that batch's writes: it finds them here, puts back the state
 * each row had before, and refuses if a row has been written again since.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('certification_history', (t) => {
    t.integer('import_batch_id');
    t.index(['import_batch_id'], 'certification_history_batch');
  });
  // The rows an official list created before this column: their creation is the batch's write.
  await knex('certification_history')
    .where('change', 'create')
    .update({ import_batch_id: knex('certifications').select('import_batch_id').where('certifications.id', knex.ref('certification_history.certification_id')) });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('certification_history', (t) => {
    t.dropIndex(['import_batch_id'], 'certification_history_batch');
    t.dropColumn('import_batch_id');
  });
}
