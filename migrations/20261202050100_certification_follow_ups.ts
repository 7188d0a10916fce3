import type { Knex } from 'knex';

/**
 * Which follow-up (coaching slice, follow_ups) the register created for a certificate: one per
 * certificate and kind ('expiry_year': 期满当年 – 需重新认定, 指引 四、3), so it is created once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('certification_follow_ups', (t) => {
    t.integer('certification_id').notNullable().references('certifications.id');
    t.string('kind', 20).notNullable();
    t.integer('follow_up_id').notNullable().references('follow_ups.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.primary(['certification_id', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('certification_follow_ups');
}
