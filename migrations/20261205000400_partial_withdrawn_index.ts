import type { Knex } from 'knex';

/**
 * firms_withdrawn indexed every firm, though all but a few have no withdrawn_batch_id: SQLite then
 * answered "withdrawn_batch_id IS NULL" (the coaching workspace, the board) from it — a million-row
 * lookup sorted afterwards — instead of walking the name index. Only the withdrawn firms are indexed
 * now (what countWithdrawn and the list reverts ask for), and the index is a few pages instead of ~20 B a firm.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX firms_withdrawn');
  await knex.raw('CREATE INDEX firms_withdrawn ON firms (withdrawn_batch_id) WHERE withdrawn_batch_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX firms_withdrawn');
  await knex.raw('CREATE INDEX firms_withdrawn ON firms (withdrawn_batch_id)');
}
