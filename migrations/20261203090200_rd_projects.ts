import type { Knex } from 'knex';

/**
 * R&D projects per firm and year (issue 12 item 2, optional): code RD01…, name, dates, budget, the 技术领域 served,
 * and the eight categories as actual amounts (integer 元). A year with projects keeps its rd_structures row as their
 * sum (from_projects), so every reader of the year structure sees the same figures.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rd_projects', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.integer('year').notNullable();
    t.string('code', 16).notNullable();
    t.string('name', 200).notNullable();
    t.string('start_date', 10);
    t.string('end_date', 10);
    t.bigInteger('budget');
    t.string('tech_field', 100);
    for (const c of ['personnel', 'direct', 'depreciation', 'amortization', 'design', 'equipment', 'outsourced_domestic', 'outsourced_foreign', 'other']) {
      t.bigInteger(c).notNullable();
    }
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.unique(['firm_id', 'year', 'code'], { indexName: 'rd_projects_firm_year_code' });
  });
  await knex.schema.alterTable('rd_structures', (t) => {
    t.boolean('from_projects').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rd_structures', (t) => {
    t.dropColumn('from_projects');
  });
  await knex.schema.dropTableIfExists('rd_projects');
}
