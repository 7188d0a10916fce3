import type { Knex } from 'knex';

/**
 * Three things the schema builder cannot say, written once per dialect:
 * 1. stage_counts, a counter table kept by triggers, so board and funnel counts cost the same at
 *    1M firms as at 1k (a live GROUP BY takes ~90 ms at 1M; perf.md §7.1). Keyed by park and
 *    field because those are the board's cheap filters.
 * 2. Name search: FTS5 trigram on SQLite, pg_trgm (when installable) on PostgreSQL.
 * 3. The audit log is append-only: the database itself refuses UPDATE and DELETE.
 */
const isSqlite = (knex: Knex) => (knex.client as { dialect?: string }).dialect === 'sqlite3';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stage_counts', (t) => {
    t.integer('park_key').notNullable(); // park id, 0 for none
    t.string('field_key', 40).notNullable(); // field key, '' for none
    t.string('stage', 20).notNullable();
    t.integer('n').notNullable();
    t.primary(['park_key', 'field_key', 'stage']);
  });

  if (isSqlite(knex)) {
    await knex.raw(`CREATE TRIGGER firms_counts_ins AFTER INSERT ON firms BEGIN
      INSERT INTO stage_counts (park_key, field_key, stage, n)
        VALUES (coalesce(new.park_id, 0), coalesce(new.field, ''), new.stage, 1)
        ON CONFLICT (park_key, field_key, stage) DO UPDATE SET n = n + 1;
    END`);
    await knex.raw(`CREATE TRIGGER firms_counts_del AFTER DELETE ON firms BEGIN
      UPDATE stage_counts SET n = n - 1
        WHERE park_key = coalesce(old.park_id, 0) AND field_key = coalesce(old.field, '') AND stage = old.stage;
    END`);
    await knex.raw(`CREATE TRIGGER firms_counts_upd AFTER UPDATE OF park_id, field, stage ON firms
      WHEN old.park_id IS NOT new.park_id OR old.field IS NOT new.field OR old.stage IS NOT new.stage BEGIN
      UPDATE stage_counts SET n = n - 1
        WHERE park_key = coalesce(old.park_id, 0) AND field_key = coalesce(old.field, '') AND stage = old.stage;
      INSERT INTO stage_counts (park_key, field_key, stage, n)
        VALUES (coalesce(new.park_id, 0), coalesce(new.field, ''), new.stage, 1)
        ON CONFLICT (park_key, field_key, stage) DO UPDATE SET n = n + 1;
    END`);

    await knex.raw(`CREATE VIRTUAL TABLE firms_fts USING fts5(name, content='firms', content_rowid='id', tokenize='trigram')`);
    await knex.raw(`CREATE TRIGGER firms_fts_ins AFTER INSERT ON firms BEGIN
      INSERT INTO firms_fts (rowid, name) VALUES (new.id, new.name);
    END`);
    await knex.raw(`CREATE TRIGGER firms_fts_del AFTER DELETE ON firms BEGIN
      INSERT INTO firms_fts (firms_fts, rowid, name) VALUES ('delete', old.id, old.name);
    END`);
    // Only when the name changes: stage moves must not pay for re-indexing (perf.md §7.10).
    await knex.raw(`CREATE TRIGGER firms_fts_upd AFTER UPDATE OF name ON firms WHEN old.name IS NOT new.name BEGIN
      INSERT INTO firms_fts (firms_fts, rowid, name) VALUES ('delete', old.id, old.name);
      INSERT INTO firms_fts (rowid, name) VALUES (new.id, new.name);
    END`);

    await knex.raw(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
      SELECT RAISE(ABORT, 'audit_log is append-only');
    END`);
    await knex.raw(`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
      SELECT RAISE(ABORT, 'audit_log is append-only');
    END`);
    return;
  }

  await knex.raw(`CREATE FUNCTION stage_counts_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE stage_counts SET n = n - 1
          WHERE park_key = coalesce(OLD.park_id, 0) AND field_key = coalesce(OLD.field, '') AND stage = OLD.stage;
      END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO stage_counts (park_key, field_key, stage, n)
          VALUES (coalesce(NEW.park_id, 0), coalesce(NEW.field, ''), NEW.stage, 1)
          ON CONFLICT (park_key, field_key, stage) DO UPDATE SET n = stage_counts.n + 1;
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER firms_counts AFTER INSERT OR DELETE OR UPDATE OF park_id, field, stage ON firms
    FOR EACH ROW EXECUTE FUNCTION stage_counts_maintain()`);

  // pg_trgm makes ILIKE '%…%' an index lookup. Creating an extension needs privileges a deployment
  // may not grant; without it search still works, by a scan.
  const { rows } = await knex.raw<{ rows: { installed: boolean; creatable: boolean }[] }>(`SELECT
      EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS installed,
      EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')
        AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS creatable`);
  const trgm = rows[0];
  if (trgm && !trgm.installed && trgm.creatable) {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public');
  }
  if (trgm && (trgm.installed || trgm.creatable)) {
    await knex.raw('CREATE INDEX firms_name_trgm ON firms USING gin (name public.gin_trgm_ops)');
  }

  await knex.raw(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
  await knex.raw(`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  if (isSqlite(knex)) {
    for (const trigger of ['audit_log_no_update', 'audit_log_no_delete', 'firms_fts_ins', 'firms_fts_del', 'firms_fts_upd', 'firms_counts_ins', 'firms_counts_del', 'firms_counts_upd']) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${trigger}`);
    }
    await knex.raw('DROP TABLE IF EXISTS firms_fts');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log');
    await knex.raw('DROP FUNCTION IF EXISTS audit_log_append_only()');
    await knex.raw('DROP INDEX IF EXISTS firms_name_trgm');
    await knex.raw('DROP TRIGGER IF EXISTS firms_counts ON firms');
    await knex.raw('DROP FUNCTION IF EXISTS stage_counts_maintain()');
  }
  await knex.schema.dropTableIfExists('stage_counts');
}
