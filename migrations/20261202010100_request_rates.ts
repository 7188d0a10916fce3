import type { Knex } from 'knex';

/**
 * Per-user request rates for the search and list pages (web/burst-limit.ts), shared by every app
 * instance on one PostgreSQL database: one row per user and limit, holding the "theoretical arrival
 * time" of the generic cell rate algorithm. On PostgreSQL the table is UNLOGGED: the state is
 * worthless after a crash and must not cost a WAL write per search. (A single SQLite process keeps
 * the same state in memory and leaves the table empty.)
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('request_rates', (t) => {
    t.integer('user_id').notNullable();
    t.string('bucket', 20).notNullable();
    t.bigInteger('tat').notNullable(); // ms since the epoch
    t.primary(['user_id', 'bucket']);
  });
  if ((knex.client as { dialect?: string }).dialect === 'postgresql') await knex.raw('ALTER TABLE request_rates SET UNLOGGED');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('request_rates');
}
