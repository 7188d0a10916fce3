import type { Knex } from 'knex';

/**
 * Targets and frozen annual reports (issue 10 items 4 and 5).
 *
 * 1. `targets`: one number per year × metric, for the county (`park_key` 0) or one park
 *    (`park_key` = parks.id). Set by administrators and leaders; optimistic `version`. Actuals are
 *    never stored: they come from the register and the coaching records.
 * 2. `report_snapshots`: a leader's 定稿 of an annual report — the whole computed report as JSON,
 *    the instant it was computed as of, who froze it and when. Never updated or deleted: a later
 *    定稿 is a new row; the page shows the latest and says so.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('targets', (t) => {
    t.increments('id');
    t.integer('year').notNullable();
    t.string('metric', 30).notNullable();
    t.integer('park_key').notNullable().defaultTo(0);
    t.integer('value').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.integer('updated_by').references('users.id');
    t.unique(['year', 'metric', 'park_key'], { indexName: 'targets_once' });
  });
  await knex.schema.createTable('report_snapshots', (t) => {
    t.increments('id');
    t.integer('year').notNullable();
    t.timestamp('as_of', { useTz: true }).notNullable();
    t.text('data').notNullable();
    t.text('note');
    t.timestamp('frozen_at', { useTz: true }).notNullable();
    t.integer('frozen_by').notNullable().references('users.id');
    t.index(['year', 'frozen_at'], 'report_snapshots_year');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('report_snapshots');
  await knex.schema.dropTableIfExists('targets');
}
