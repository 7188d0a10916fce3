import type { Knex } from 'knex';

/**
 * Per-firm choices the rules take as input (issue 12 item 5): the tech-SME 研发投入 option the firm chose
 * (《科技型中小企业评价办法》第七条2: 'sales' = (1) 研发费用/销售收入, 'cost' = (2) 研发费用/成本费用支出).
 * No row, or a null option: not chosen, the higher one is pre-selected.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('eligibility_settings', (t) => {
    t.integer('firm_id').primary().references('firms.id');
    t.string('tsme_rd_option', 10);
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('eligibility_settings');
}
