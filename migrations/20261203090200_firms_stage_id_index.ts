import type { Knex } from 'knex';

/**
 * Firms of one stage in id order (issue 12 item 7): /readiness/hints pages each rule's candidates by
 * keyset on the firm id, a stage at a time, so a page reads about a page of index entries instead of
 * every firm of the stage sorted per request.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('firms', (t) => t.index(['stage', 'id'], 'firms_stage_id'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('firms', (t) => t.dropIndex(['stage', 'id'], 'firms_stage_id'));
}
