import type { Knex } from 'knex';

/**
 * R&D expense structure per firm and year (issue 12 item 2; 指引 三（六）): the actual amounts (integer 元) of the
 * eight categories, 委托外部研究开发 split 境内/境外, and optionally the total as typed from the books (checked to add up).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rd_structures', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.integer('year').notNullable();
    for (const c of ['personnel', 'direct', 'depreciation', 'amortization', 'design', 'equipment', 'outsourced_domestic', 'outsourced_foreign', 'other']) {
      t.bigInteger(c).notNullable();
    }
    t.bigInteger('typed_total');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.unique(['firm_id', 'year'], { indexName: 'rd_structures_firm_year' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rd_structures');
}
