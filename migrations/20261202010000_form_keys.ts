import type { Knex } from 'knex';

/**
 * One-time form keys: a create form carries a random key; the write that uses it records it here in
 * its own transaction, so a second submission of the same form (a double click, a retry after a
 * timeout, the Back button) finds the record already made instead of making another. The primary
 * key makes two concurrent submissions collide in the database rather than both succeed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('form_keys', (t) => {
    t.integer('user_id').notNullable().references('users.id');
    t.string('form_key', 64).notNullable();
    // The form's action: the same key on two different forms of one page stays two keys.
    t.string('action', 200).notNullable();
    // Where the first submission ended (the record it created); the repeat is sent there.
    t.string('result_url', 500);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.primary(['user_id', 'form_key', 'action']);
    t.index(['created_at'], 'form_keys_created');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('form_keys');
}
