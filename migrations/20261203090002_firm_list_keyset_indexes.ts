import type { Knex } from 'knex';

/**
 * /firms pages by keyset in its two orders (newest first; by name): without these an unfiltered
 * page sorted all firms — at 1,000,000 firms a full scan for every page, page 1 included.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('firms', (t) => {
    t.index(['updated_at', 'id'], 'firms_updated_id');
    t.index(['name', 'id'], 'firms_name_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('firms', (t) => {
    t.dropIndex(['updated_at', 'id'], 'firms_updated_id');
    t.dropIndex(['name', 'id'], 'firms_name_id');
  });
}
