import type { Knex } from 'knex';

/**
 * The live annual report, computed off the request path (issue 13): at 1M firms one computation
 * reads the whole register and takes minutes, so /reports/:year answers from the last one kept here
 * and says when it was computed ("截至 HH:MM"); one row per year, reader's jurisdiction and as-of date
 * ('' for live); the firm list (tens of thousands of rows at 1M) apart, read only by the export. refreshing_until is the lease: one process of several recomputes a row at a time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('live_reports', (t) => {
    t.integer('year').notNullable();
    t.string('scope_key', 200).notNullable();
    t.string('as_of_date', 10).notNullable();
    // The report without its firm list (the page shows the first FIRMS_SHOWN of it), and the whole list (the XLSX).
    t.text('data');
    t.text('firms');
    t.timestamp('computed_at', { useTz: true });
    t.timestamp('refreshing_until', { useTz: true });
    t.text('last_error');
    t.primary(['year', 'scope_key', 'as_of_date']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('live_reports');
}
