import type { Knex } from 'knex';

/**
 * Which process runs an import job, and that it is still alive (PostgreSQL, several app processes):
 * the process holding a job beats its lease every few seconds; another process starting up marks a
 * batch 提交中断 only when its lease has stopped beating, not while a live process is committing it.
 * A table of its own, so the beat never waits on the batch row the commit holds locked.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('import_job_leases', (t) => {
    t.integer('batch_id').primary().references('import_batches.id');
    t.string('holder', 100).notNullable();
    t.timestamp('beat_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('import_job_leases');
}
