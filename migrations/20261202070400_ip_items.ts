import type { Knex } from 'knex';

/**
 * The IP register (issue 12 item 1): one row per item of a firm — kind, number, title, application and
 * grant dates, how obtained, co-holders, status, the earlier certification application that used it,
 * and whether it supports the main products. `number_key` is the normalised number; one number belongs
 * to one firm only (unique over every firm), so the same patent is never counted for two.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ip_items', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('kind', 20).notNullable();
    t.string('number', 60).notNullable();
    t.string('number_key', 60).notNullable().unique('ip_items_number_key');
    t.string('title', 200).notNullable();
    t.date('applied_on');
    t.date('granted_on');
    t.string('acquisition', 20).notNullable();
    t.string('co_holders', 200).notNullable().defaultTo('');
    t.boolean('co_holder_use').notNullable().defaultTo(false);
    t.string('status', 10).notNullable();
    t.string('used_in_application', 100);
    t.boolean('supports_main_products').notNullable().defaultTo(false);
    // Where the row came from: typed on the inputs page, or a 授权专利 list row.
    t.string('source', 20).notNullable().defaultTo('form');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['firm_id'], 'ip_items_firm');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('ip_items');
}
