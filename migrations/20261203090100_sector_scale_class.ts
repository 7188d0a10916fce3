import type { Knex } from 'knex';

/**
 * 规上 / 规下 (issue 12 item 6; domain.md §6).
 *
 * - `firms.sector`: the firm's 国民经济行业门类 (GB/T 4754-2017, one letter A–T), which says whether it is
 *   an 工业 legal entity at all (门类 B, C, D).
 * - `annual_figures.main_revenue`: 主营业务收入 (integer 元), the statistics threshold's basis; 销售收入
 *   (sales_revenue) also holds 其他业务收入, so it cannot stand in for it.
 * - `firms.scale_class`: the class derived by src/domain/scale.ts ('above' | 'below' | 'not_industrial' |
 *   'unknown'), written by the services that change a sector or figures in their own transaction, so the
 *   board filters on a column with an index in the shape of its others (class, stage, updated_at, id)
 *   instead of reading every firm's figures per request.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('firms', (t) => {
    t.string('sector', 1);
    t.string('scale_class', 16).notNullable().defaultTo('unknown');
  });
  await knex.schema.alterTable('annual_figures', (t) => {
    t.bigInteger('main_revenue');
  });
  await knex.schema.alterTable('firms', (t) => {
    t.index(['scale_class', 'stage', 'updated_at', 'id'], 'firms_scale_stage_updated');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('firms', (t) => t.dropIndex(['scale_class', 'stage', 'updated_at', 'id'], 'firms_scale_stage_updated'));
  // Plain DROP COLUMN (SQLite ≥ 3.35): knex's table rebuild on SQLite would lose the firms triggers.
  await knex.raw('ALTER TABLE annual_figures DROP COLUMN main_revenue');
  await knex.raw('ALTER TABLE firms DROP COLUMN scale_class');
  await knex.raw('ALTER TABLE firms DROP COLUMN sector');
}
