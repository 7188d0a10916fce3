import type { Knex } from 'knex';

/**
 * How the four lists overlap (/lists, /lists/overlap) took seconds per request at 1M firms (every
 * current entry of a year grouped per firm). It is now a snapshot, recomputed in the background:
 * - list_overlap_counts: firms per year, set of lists (a bit mask, src/domain/list-kinds.ts order)
 *   and park/town keys — a few thousand rows whatever the number of firms, from which every page
 *   figure (firms on n lists, the pairwise matrix, the size of each list) is a sum;
 * - aggregate_snapshots: when each snapshot was computed (the pages say "截至 HH:MM"), whether a
 *   write has made it stale, and a lease so one process of several recomputes it at a time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('list_overlap_counts', (t) => {
    t.integer('year').notNullable();
    t.integer('mask').notNullable();
    t.integer('park_key').notNullable();
    t.integer('town_key').notNullable();
    t.integer('n').notNullable();
    t.primary(['year', 'mask', 'park_key', 'town_key']);
  });
  await knex.schema.createTable('aggregate_snapshots', (t) => {
    t.string('name', 40).primary();
    t.timestamp('computed_at', { useTz: true }).notNullable();
    t.boolean('stale').notNullable().defaultTo(false);
    t.timestamp('refreshing_until', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('aggregate_snapshots');
  await knex.schema.dropTableIfExists('list_overlap_counts');
}
