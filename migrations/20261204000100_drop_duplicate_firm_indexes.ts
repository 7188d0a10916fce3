import type { Knex } from 'knex';

/**
 * 20261203090002 added firms_updated_id and firms_name_id for the keyset pages of /firms, but
 * 20261127000700 had already built the same two indexes as firms_updated and firms_name
 * (updated_at, id) and (name, id). Each copy cost about 45 bytes a firm and a write per firm
 * change for nothing; the planner uses either. The older names stay.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('firms', (t) => {
    t.dropIndex(['updated_at', 'id'], 'firms_updated_id');
    t.dropIndex(['name', 'id'], 'firms_name_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('firms', (t) => {
    t.index(['updated_at', 'id'], 'firms_updated_id');
    t.index(['name', 'id'], 'firms_name_id');
  });
}
