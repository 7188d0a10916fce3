import type { Knex } from 'knex';

/**
 * Technical demands (技术需求) with their partners and status history, and coaching events (讲诊会,
 * 培训, 对接活动, 政策宣讲) with invitations by firm and named attendees.
 *
 * Interactions and follow-ups (branch coaching-core) are referred to by id without a foreign key, so
 * this migration does not depend on the order in which the two branches' migrations run.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('demands', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    // The interaction in which it was collected, when there was one (coaching-core's interactions).
    t.integer('interaction_id');
    t.string('title', 100).notNullable();
    t.string('field', 40);
    t.text('description');
    t.text('targets'); // quantified targets (量化指标)
    t.string('budget_band', 20);
    t.string('contact_name', 60);
    t.string('contact_phone', 40);
    t.string('status', 20).notNullable();
    t.date('collected_on').notNullable();
    t.text('resolution'); // how it was solved (已解决)
    t.bigInteger('contract_value'); // 元 (已解决)
    t.date('resolved_on');
    t.text('status_reason'); // the reason given with the latest move that needed one
    t.integer('created_by').notNullable().references('users.id');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['firm_id', 'collected_on'], 'demands_firm');
    t.index(['collected_on', 'status'], 'demands_collected');
    t.index(['status', 'updated_at'], 'demands_status');
  });

  await knex.schema.createTable('demand_partners', (t) => {
    t.increments('id');
    t.integer('demand_id').notNullable().references('demands.id');
    t.string('kind', 20).notNullable(); // university | institute | firm
    t.string('name', 100).notNullable();
    t.string('contact', 100);
    t.date('started_on').notNullable();
    t.date('ended_on');
    t.string('note', 500);
    t.integer('created_by').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['demand_id'], 'demand_partners_demand');
  });

  // Every change of a demand: created, moved, edited, partner added — who, when, from, to, why.
  await knex.schema.createTable('demand_changes', (t) => {
    t.increments('id');
    t.integer('demand_id').notNullable().references('demands.id');
    t.string('kind', 20).notNullable(); // create | move | edit | partner
    t.string('from_status', 20);
    t.string('to_status', 20);
    t.text('reason');
    t.text('details'); // JSON
    t.integer('actor_id').notNullable().references('users.id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['demand_id', 'at'], 'demand_changes_demand');
    t.index(['to_status', 'at'], 'demand_changes_to');
  });

  await knex.schema.createTable('coaching_events', (t) => {
    t.increments('id');
    t.string('kind', 20).notNullable(); // clinic | training | matchmaking | policy
    t.string('title', 100).notNullable();
    t.date('starts_on').notNullable();
    t.date('ends_on').notNullable();
    t.string('place', 100);
    t.string('organiser', 100);
    t.text('topics'); // JSON array of interaction topic keys
    t.text('notes');
    t.integer('owner_id').notNullable().references('users.id');
    // The after-event action (follow-ups and interactions created): once.
    t.timestamp('wrapped_up_at', { useTz: true });
    t.integer('wrapped_up_by').references('users.id');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['starts_on'], 'coaching_events_starts');
  });

  await knex.schema.createTable('event_invitations', (t) => {
    t.increments('id');
    t.integer('event_id').notNullable().references('coaching_events.id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('status', 20).notNullable(); // invited | registered | attended | absent | cancelled
    t.timestamp('checked_in_at', { useTz: true });
    t.integer('interaction_id'); // the firm's timeline entry for its attendance
    t.integer('follow_up_id'); // the follow-up the after-event action created
    t.integer('invited_by').notNullable().references('users.id');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.unique(['event_id', 'firm_id'], { indexName: 'event_invitations_event_firm' });
    t.index(['firm_id'], 'event_invitations_firm');
  });

  await knex.schema.createTable('event_attendees', (t) => {
    t.increments('id');
    t.integer('invitation_id').notNullable().references('event_invitations.id');
    t.string('name', 60).notNullable();
    t.string('position', 60);
    t.string('phone', 40);
    t.boolean('signed_in').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['invitation_id'], 'event_attendees_invitation');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['event_attendees', 'event_invitations', 'coaching_events', 'demand_changes', 'demand_partners', 'demands']) {
    await knex.schema.dropTableIfExists(table);
  }
}
