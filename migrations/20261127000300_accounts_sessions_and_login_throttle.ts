import type { Knex } from 'knex';

/**
 * Accounts: the parks a caseworker is limited to, password bookkeeping, server-side sessions (in
 * the database, so they survive a restart and work across app instances on PostgreSQL), and the
 * login throttle (per account and per address, shared by all instances for the same reason).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_parks', (t) => {
    t.integer('user_id').notNullable().references('users.id');
    t.integer('park_id').notNullable().references('parks.id');
    t.primary(['user_id', 'park_id']);
  });

  await knex.schema.alterTable('users', (t) => {
    t.boolean('must_change_password').notNullable().defaultTo(false);
    t.timestamp('password_changed_at', { useTz: true });
    t.timestamp('last_login_at', { useTz: true });
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 128).primary();
    // Lets a password change or a disabled account end every session of that user at once.
    t.integer('user_id').references('users.id');
    t.text('data').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['user_id'], 'sessions_user');
    t.index(['expires_at'], 'sessions_expires');
  });

  // Instance-wide settings, e.g. the session-cookie signing secret when SESSION_SECRET is not set:
  // kept in the database so every instance and every restart signs cookies the same way.
  await knex.schema.createTable('app_settings', (t) => {
    t.string('key', 60).primary();
    t.text('value').notNullable();
  });

  await knex.schema.createTable('login_throttle', (t) => {
    t.string('key', 160).primary(); // 'user:<name>' or 'ip:<address>'
    t.integer('failures').notNullable();
    t.timestamp('first_failure_at', { useTz: true }).notNullable();
    t.timestamp('locked_until', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_throttle');
  await knex.schema.dropTableIfExists('app_settings');
  await knex.schema.dropTableIfExists('sessions');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('must_change_password');
    t.dropColumn('password_changed_at');
    t.dropColumn('last_login_at');
  });
  await knex.schema.dropTableIfExists('user_parks');
}
