import type { Knex } from 'knex';

/**
 * The four candidate lists. An upload is an import batch; its rows are staged in import_rows for
 * the preview (matched / new / rejected and why); a commit turns the accepted rows into list
 * entries — one per firm, kind and year — in one transaction. A newer batch for the same kind and
 * year supersedes the earlier one's entries (kept, marked not current); a batch can be reverted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('import_batches', (t) => {
    t.increments('id');
    t.string('kind', 20).notNullable();
    t.integer('year').notNullable();
    t.string('file_name', 255).notNullable();
    t.string('file_hash', 64).notNullable();
    t.bigInteger('file_size').notNullable();
    t.string('file_type', 10).notNullable(); // csv | xlsx
    // uploaded → previewing → previewed → committing → committed | failed | interrupted; later superseded | reverted
    t.string('status', 20).notNullable();
    t.text('mapping'); // JSON: the confirmed column → field mapping
    t.text('source_info'); // JSON: encoding, delimiter or sheet, header line
    t.integer('rows_total');
    t.integer('rows_matched');
    t.integer('rows_name_matched');
    t.integer('rows_new');
    t.integer('rows_rejected');
    t.text('error'); // a parse failure, shown to the user
    t.integer('created_by').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.integer('committed_by').references('users.id');
    t.timestamp('committed_at', { useTz: true });
    t.integer('superseded_by').references('import_batches.id');
    t.timestamp('superseded_at', { useTz: true });
    t.integer('reverted_by').references('users.id');
    t.timestamp('reverted_at', { useTz: true });
    t.integer('version').notNullable().defaultTo(1);
    t.index(['kind', 'year', 'status'], 'import_batches_kind_year');
    t.index(['file_hash'], 'import_batches_hash');
  });

  await knex.schema.createTable('import_rows', (t) => {
    t.bigIncrements('id');
    t.integer('batch_id').notNullable().references('import_batches.id');
    t.integer('line').notNullable();
    // match | name_match | new | rejected
    t.string('status', 12).notNullable();
    t.text('reason');
    t.string('uscc', 18);
    t.string('name', 200);
    t.integer('firm_id').references('firms.id');
    t.integer('park_id').references('parks.id');
    t.text('raw').notNullable(); // JSON: the cells as read, by column
    t.text('data'); // JSON: parsed values by field
    t.index(['batch_id', 'status', 'line'], 'import_rows_batch_status');
  });

  await knex.schema.createTable('list_entries', (t) => {
    t.bigIncrements('id');
    t.integer('batch_id').notNullable().references('import_batches.id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('kind', 20).notNullable();
    t.integer('year').notNullable();
    t.boolean('is_current').notNullable();
    t.integer('line').notNullable();
    t.boolean('name_matched').notNullable().defaultTo(false);
    t.text('data'); // JSON: the row's own figures (amounts in 元, counts, patent numbers…)
    t.unique(['batch_id', 'firm_id'], { indexName: 'list_entries_batch_firm' });
    t.index(['firm_id', 'is_current'], 'list_entries_firm');
    t.index(['kind', 'year', 'is_current', 'firm_id'], 'list_entries_kind_year');
    t.index(['year', 'is_current', 'firm_id', 'kind'], 'list_entries_year_firm');
  });

  await knex.schema.createTable('list_mappings', (t) => {
    t.string('kind', 20).primary();
    t.text('mapping').notNullable(); // JSON: normalised header → field (and unit)
    t.integer('updated_by').notNullable().references('users.id');
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['list_mappings', 'list_entries', 'import_rows', 'import_batches']) await knex.schema.dropTableIfExists(table);
}
