import type { Knex } from 'knex';

/**
 * Coaching (辅导, issue 9): a plan per firm, plan templates per lifecycle, interactions (one record
 * for a visit, a call, an online contact or a firm's part in an event; one interaction may cover
 * several firms), follow-ups (never deleted: open → done | cancelled) and the "no successful
 * contact in N days" threshold per stage.
 *
 * The firm's lifecycle category and counsellor stay on `firms` (lifecycle, counsellor_id).
 * `interactions.event_id` and `follow_ups.source_event_id` name an event of the events slice; they
 * carry no foreign key here because that table is created by a later migration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('coaching_plans', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id').unique('coaching_plans_firm');
    t.text('goals');
    // tsme | provincial_tsme | hte | benchmark (domain/coaching/plans.ts)
    t.string('target_certification', 30);
    t.integer('target_year');
    t.integer('version').notNullable().defaultTo(1);
    t.integer('updated_by').references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('coaching_templates', (t) => {
    t.increments('id');
    t.string('lifecycle', 20).notNullable(); // startup | growth | mature
    t.string('name', 100).notNullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['lifecycle'], 'coaching_templates_lifecycle');
  });

  await knex.schema.createTable('coaching_template_steps', (t) => {
    t.increments('id');
    t.integer('template_id').notNullable().references('coaching_templates.id');
    t.integer('position').notNullable();
    t.string('title', 100).notNullable();
    t.integer('offset_days').notNullable();
    t.unique(['template_id', 'position'], { indexName: 'coaching_template_steps_position' });
  });

  await knex.schema.createTable('interactions', (t) => {
    t.increments('id');
    t.date('occurred_on').notNullable();
    t.string('channel', 20).notNullable(); // visit | phone | online | event
    t.integer('event_id'); // channel 'event': the event attended (events slice)
    t.integer('counsellor_id').references('users.id');
    t.string('people_met', 200);
    t.boolean('reached').notNullable(); // attempted only (false) or reached (true)
    t.string('topics', 300); // comma-separated topic keys (domain/coaching/topics.ts)
    t.text('notes');
    t.text('outcome');
    t.boolean('no_follow_up').notNullable().defaultTo(false);
    t.integer('created_by').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['event_id'], 'interactions_event');
    t.index(['counsellor_id', 'occurred_on'], 'interactions_counsellor_on');
    t.index(['occurred_on'], 'interactions_on');
  });

  // One interaction, many firms: a park visit is recorded once for all of them.
  await knex.schema.createTable('interaction_firms', (t) => {
    t.integer('interaction_id').notNullable().references('interactions.id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.primary(['interaction_id', 'firm_id']);
    t.index(['firm_id', 'interaction_id'], 'interaction_firms_firm');
  });

  await knex.schema.createTable('follow_ups', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('title', 200).notNullable();
    t.date('due_on').notNullable();
    t.string('status', 20).notNullable().defaultTo('open'); // open | done | cancelled
    t.integer('source_interaction_id').references('interactions.id');
    t.integer('source_event_id'); // events slice
    t.integer('source_template_id').references('coaching_templates.id');
    t.date('done_on');
    t.text('result');
    t.text('cancel_reason');
    t.integer('closed_by').references('users.id');
    t.timestamp('closed_at', { useTz: true });
    t.integer('created_by').notNullable().references('users.id');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['firm_id', 'status', 'due_on'], 'follow_ups_firm_status_due');
    t.index(['status', 'due_on'], 'follow_ups_status_due');
    t.index(['source_interaction_id'], 'follow_ups_interaction');
    t.index(['source_event_id'], 'follow_ups_event');
  });

  // "No successful contact in N days", N per stage, set by an administrator.
  await knex.schema.createTable('coaching_contact_rules', (t) => {
    t.string('stage', 20).primary();
    t.integer('days').notNullable();
    t.integer('updated_by').references('users.id');
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['coaching_contact_rules', 'follow_ups', 'interaction_firms', 'interactions', 'coaching_template_steps', 'coaching_templates', 'coaching_plans']) {
    await knex.schema.dropTableIfExists(table);
  }
}
