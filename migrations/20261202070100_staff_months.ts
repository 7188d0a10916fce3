import type { Knex } from 'knex';

/**
 * Staff by month (issue 12 item 3; 《高新技术企业认定管理工作指引》三（五）): per firm and year, the 在职
 * head count at the start of the year and at each month end, for 职工总数 and 科技人员, and the
 * part-time/temporary staff one by one (days of work, months with the firm, tech or not). The rules
 * compute the exact annual monthly average from it (src/domain/eligibility/staff.ts).
 *
 * `total_counts` and `tech_counts` are JSON arrays of 13 whole numbers ([0] = 年初, [1..12] = 月末);
 * `part_time` is a JSON array of { label, days, fromMonth, toMonth, tech }. A fixed 13×2 matrix is one
 * value of the year, read and written whole, so it is kept as one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('staff_months', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.integer('year').notNullable();
    t.text('total_counts').notNullable();
    t.text('tech_counts').notNullable();
    t.text('part_time').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.unique(['firm_id', 'year'], { indexName: 'staff_months_firm_year' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('staff_months');
}
