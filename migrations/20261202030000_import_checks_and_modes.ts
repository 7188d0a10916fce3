import type { Knex } from 'knex';

/**
 * List imports: what the preview asks the user to check, how a commit applies, and where it stages.
 *
 * 0. `import_rows.town_id`: the town column's match (current or earlier name), for new firms.
 * 1. `import_rows.warning`: a staged row that is accepted but worth a second look (an amount about
 *    10,000× the firm's previous year — a unit mix-up —, R&D above revenue); `import_batches.rows_flagged`
 *    counts them (issue 8 item 2).
 * 2. `import_batches.commit_mode`: 'replace' (the file is the whole list) or 'append' (its rows add to
 *    the current list), chosen on the preview (issue 11 item 1). Null for a batch that replaced nothing.
 * 3. `list_entries` of a batch being committed are staged (is_current false, batch 提交中) in short
 *    transactions and published in one short one (issue 8 item 5): `import_batches.staged_rows` is how
 *    far the staging got, so a resumed commit knows where it is, and a discarded one what to delete.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_rows', (t) => {
    t.text('warning');
    t.integer('town_id'); // the town (属地) column's match: a new firm is created in it
  });
  await knex.schema.alterTable('import_batches', (t) => {
    t.integer('rows_flagged');
    t.string('commit_mode', 10);
    t.integer('staged_rows');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_batches', (t) => {
    t.dropColumn('staged_rows');
    t.dropColumn('commit_mode');
    t.dropColumn('rows_flagged');
  });
  await knex.schema.alterTable('import_rows', (t) => {
    t.dropColumn('town_id');
    t.dropColumn('warning');
  });
}
