import type { Knex } from 'knex';

/**
 * Parks, users, firms, annual figures, stage events and the audit log.
 * Conventions: instants are written by the app as ISO-8601 UTC strings (no DB defaults), calendar
 * dates as 'YYYY-MM-DD', money as integer 元 (bigint), head counts as hundredths (annual monthly
 * averages such as 45.5 people are legal, and ratios against 10% must be exact).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('parks', (t) => {
    t.increments('id');
    t.string('code', 32).notNullable().unique();
    t.string('name', 100).notNullable().unique();
    t.string('kind', 20).notNullable(); // park | platform | incubator
    t.string('town', 60);
    t.boolean('is_active').notNullable().defaultTo(true);
    t.integer('sort_order').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('username', 40).notNullable().unique();
    t.string('display_name', 60).notNullable();
    t.string('role', 20).notNullable();
    t.string('password_hash', 200);
    t.boolean('is_active').notNullable().defaultTo(true);
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('firms', (t) => {
    t.increments('id');
    t.string('uscc', 18).notNullable().unique();
    t.string('name', 200).notNullable();
    // Normalised name (full-width/half-width, brackets, spaces) for matching list rows without a code.
    t.string('name_norm', 200).notNullable().index('firms_name_norm');
    t.integer('park_id').references('parks.id');
    t.string('field', 40);
    t.date('founded_on');
    t.string('address', 300);
    t.string('contact_name', 60);
    t.string('contact_phone', 40);
    t.integer('counsellor_id').references('users.id');
    t.string('lifecycle', 20);
    t.string('stage', 20).notNullable();
    t.text('notes');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    // Board columns: newest first within a stage, optionally narrowed by park, field or counsellor.
    t.index(['stage', 'updated_at', 'id'], 'firms_stage_updated');
    t.index(['park_id', 'stage', 'updated_at', 'id'], 'firms_park_stage_updated');
    t.index(['field', 'stage', 'updated_at', 'id'], 'firms_field_stage_updated');
    t.index(['counsellor_id', 'stage', 'updated_at', 'id'], 'firms_counsellor_stage_updated');
  });

  await knex.schema.createTable('annual_figures', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.integer('year').notNullable();
    t.bigInteger('sales_revenue'); // 销售收入 = 主营业务收入 + 其他业务收入
    t.bigInteger('total_income'); // 收入总额
    t.bigInteger('non_taxable_income'); // 不征税收入
    t.bigInteger('hitech_income'); // 高新技术产品（服务）收入
    t.bigInteger('total_cost'); // 成本费用支出总额
    t.bigInteger('rd_expense'); // 研发费用总额（高企口径）
    t.bigInteger('rd_domestic'); // 其中境内研发费用
    t.bigInteger('rd_outsourced'); // 其中委托外部研发费用（实际发生额）
    t.bigInteger('rd_deductible'); // 加计扣除口径研发费用
    t.integer('staff_total_x100'); // 职工总数（全年月平均）× 100
    t.integer('tech_staff_x100'); // 科技人员数（全年月平均）× 100
    t.bigInteger('total_assets');
    t.bigInteger('net_assets');
    t.integer('ip_class1');
    t.integer('ip_class2');
    t.integer('ip_class2_used');
    t.integer('conversions');
    t.boolean('major_incident');
    t.integer('standards_led');
    t.boolean('has_rd_institution');
    t.boolean('national_award_top3');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.unique(['firm_id', 'year'], { indexName: 'annual_figures_firm_year' });
  });

  await knex.schema.createTable('stage_events', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('from_stage', 20);
    t.string('to_stage', 20).notNullable();
    t.string('reason_code', 40); // exit reason key, or skip / backward / reentry / override
    t.text('reason');
    t.text('details'); // JSON: certificate number and date, eligibility verdict reference, override
    t.string('source', 20).notNullable(); // board | menu | firm_page | bulk | import | create | seed
    t.integer('actor_id').notNullable().references('users.id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['firm_id', 'at'], 'stage_events_firm_at');
    t.index(['to_stage', 'at'], 'stage_events_to_at');
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.integer('actor_id').references('users.id');
    t.string('actor_name', 60); // as typed at a failed login, or the user's name at the time
    t.string('action', 60).notNullable();
    t.string('object_type', 30);
    t.string('object_id', 60);
    t.text('before'); // JSON
    t.text('after'); // JSON
    t.string('ip', 64);
    t.index(['at'], 'audit_log_at');
    t.index(['actor_id', 'at'], 'audit_log_actor_at');
    t.index(['object_type', 'object_id', 'at'], 'audit_log_object_at');
    t.index(['action', 'at'], 'audit_log_action_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['audit_log', 'stage_events', 'annual_figures', 'firms', 'users', 'parks']) {
    await knex.schema.dropTableIfExists(table);
  }
}
