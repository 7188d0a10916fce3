import type { Knex } from 'knex';

/**
 * A batch's staged rows in file order (stagedRows: batch, statuses, `id > after`, ordered by id, a
 * page at a time), from an index in that order. With only (batch_id, status, line) both databases
 * read every remaining row of the batch for each page and sorted them for the first 2,000
 * (PostgreSQL before its first ANALYZE of the freshly previewed rows, SQLite always): a list commit
 * read its rows in time growing with the square of their number (50,000 rows: 26 pages, each
 * sorting up to 50,000 rows).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_rows', (t) => t.index(['batch_id', 'id'], 'import_rows_batch_order'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_rows', (t) => t.dropIndex(['batch_id', 'id'], 'import_rows_batch_order'));
}
