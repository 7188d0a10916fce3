import type { Knex } from 'knex';

/**
 * Eligibility verdicts. eligibility_verdicts keeps, append-only, every verdict the app relied on
 * (the gate into hte_applying; later the annual report), with the rule-set version, the inputs and
 * their years, so it can be reproduced after a rule or a figure is corrected. eligibility_current
 * holds the latest verdict summary per firm and rule set, refreshed whenever its inputs change, so
 * the ranked reserve list and the board badges read it instead of evaluating thousands of firms.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('eligibility_verdicts', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('rule_set', 20).notNullable();
    t.date('as_of').notNullable();
    t.string('input_years', 60).notNullable(); // JSON array
    t.string('status', 10).notNullable();
    t.text('result').notNullable(); // JSON: the whole verdict
    t.text('inputs').notNullable(); // JSON: the firm facts it was computed from
    t.string('purpose', 20).notNullable(); // gate | report
    t.integer('actor_id').references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['firm_id', 'rule_set', 'created_at'], 'eligibility_verdicts_firm');
  });

  await knex.schema.createTable('eligibility_current', (t) => {
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('rule_set', 20).notNullable();
    t.date('as_of').notNullable();
    t.string('input_years', 60).notNullable();
    t.string('status', 10).notNullable();
    t.integer('fails').notNullable();
    t.integer('missing').notNullable();
    t.integer('reviews').notNullable();
    // The R&D spending still needed (元) when that condition fails: the usual coaching lever, and a tie-breaker.
    t.bigInteger('rd_gap');
    t.text('summary'); // the failing and missing conditions, short, for lists
    t.timestamp('computed_at', { useTz: true }).notNullable();
    t.primary(['firm_id', 'rule_set']);
    t.index(['rule_set', 'fails', 'missing'], 'eligibility_current_rank');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('eligibility_current');
  await knex.schema.dropTableIfExists('eligibility_verdicts');
}
