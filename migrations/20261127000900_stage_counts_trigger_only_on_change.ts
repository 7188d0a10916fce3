import type { Knex } from 'knex';

/**
 * PostgreSQL's stage_counts trigger fired on every UPDATE that named park_id, field or stage, and
 * a firm-profile save names them all even when nothing moves: each such save took row locks on
 * two of the busiest stage_counts rows (the −1 and the +1 cancel out) and serialised concurrent
 * edits of firms in the same park, field and stage. SQLite's trigger already has a WHEN clause.
 * A WHEN may not refer to OLD on INSERT nor NEW on DELETE, so UPDATE gets a trigger of its own.
 * The function stage_counts_maintain() is unchanged.
 */
const isPostgres = (knex: Knex) => (knex.client as { dialect?: string }).dialect === 'postgresql';

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('DROP TRIGGER IF EXISTS firms_counts ON firms');
  await knex.raw(`CREATE TRIGGER firms_counts AFTER INSERT OR DELETE ON firms
    FOR EACH ROW EXECUTE FUNCTION stage_counts_maintain()`);
  await knex.raw(`CREATE TRIGGER firms_counts_upd AFTER UPDATE OF park_id, field, stage ON firms
    FOR EACH ROW
    WHEN (OLD.stage IS DISTINCT FROM NEW.stage OR OLD.park_id IS DISTINCT FROM NEW.park_id OR OLD.field IS DISTINCT FROM NEW.field)
    EXECUTE FUNCTION stage_counts_maintain()`);
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('DROP TRIGGER IF EXISTS firms_counts_upd ON firms');
  await knex.raw('DROP TRIGGER IF EXISTS firms_counts ON firms');
  await knex.raw(`CREATE TRIGGER firms_counts AFTER INSERT OR DELETE OR UPDATE OF park_id, field, stage ON firms
    FOR EACH ROW EXECUTE FUNCTION stage_counts_maintain()`);
}
