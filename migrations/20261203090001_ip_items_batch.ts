import type { Knex } from 'knex';

/** The 授权专利 list batch that entered an IP register item, so reverting the list takes it out again. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ip_items', (t) => {
    t.integer('import_batch_id');
    t.index(['import_batch_id'], 'ip_items_batch');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ip_items', (t) => {
    t.dropIndex(['import_batch_id'], 'ip_items_batch');
    t.dropColumn('import_batch_id');
  });
}
