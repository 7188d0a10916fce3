import type { Knex } from 'knex';

/**
 * Dated compliance events (issue 12 item 4): penalties and incidents (kind, date, authority, document
 * number), list entries (经营异常名录, 严重违法失信企业名单, dates in and out), and the date the counsellor
 * last checked the public records — up to which the register is complete (src/domain/eligibility/compliance.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('compliance_events', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('kind', 30).notNullable();
    t.date('occurred_on').notNullable();
    t.string('authority', 100).notNullable();
    t.string('doc_number', 100).notNullable();
    t.string('note', 500);
    t.integer('created_by').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['firm_id', 'occurred_on'], 'compliance_events_firm_date');
  });
  await knex.schema.createTable('compliance_listings', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('list', 20).notNullable();
    t.date('listed_on').notNullable();
    t.date('removed_on');
    t.string('authority', 100);
    t.integer('created_by').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['firm_id'], 'compliance_listings_firm');
  });
  await knex.schema.createTable('compliance_checks', (t) => {
    t.integer('firm_id').primary().references('firms.id');
    t.date('checked_on').notNullable();
    t.string('source', 200).notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['compliance_checks', 'compliance_listings', 'compliance_events']) await knex.schema.dropTableIfExists(table);
}
