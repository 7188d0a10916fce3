import type { Knex } from 'knex';
import { bigramsSql } from '../src/db/name-bigrams.js';

const isSqlite = (knex: Knex) => (knex.client as { dialect?: string }).dialect === 'sqlite3';

/**
 * firms_bigrams: the character pairs of each firm's normalised name in a contentless FTS5 index, for
 * two-character searches (src/db/name-bigrams.ts), kept by triggers. SQLite only: PostgreSQL
 * searches with ILIKE (and pg_trgm where installed).
 */
export async function up(knex: Knex): Promise<void> {
  if (!isSqlite(knex)) return;
  await knex.raw(`CREATE VIRTUAL TABLE firms_bigrams USING fts5(grams, content='', contentless_delete=1, detail=none)`);
  await knex.raw(`INSERT INTO firms_bigrams (rowid, grams) SELECT id, ${bigramsSql('name_norm')} FROM firms`);
  await knex.raw(`CREATE TRIGGER firms_bigrams_ins AFTER INSERT ON firms BEGIN
    INSERT INTO firms_bigrams (rowid, grams) VALUES (new.id, ${bigramsSql('new.name_norm')});
  END`);
  await knex.raw(`CREATE TRIGGER firms_bigrams_del AFTER DELETE ON firms BEGIN
    DELETE FROM firms_bigrams WHERE rowid = old.id;
  END`);
  // Only when the name changes: stage moves must not pay for re-indexing (perf.md §7.10).
  await knex.raw(`CREATE TRIGGER firms_bigrams_upd AFTER UPDATE OF name_norm ON firms WHEN old.name_norm IS NOT new.name_norm BEGIN
    DELETE FROM firms_bigrams WHERE rowid = old.id;
    INSERT INTO firms_bigrams (rowid, grams) VALUES (new.id, ${bigramsSql('new.name_norm')});
  END`);
}

export async function down(knex: Knex): Promise<void> {
  if (!isSqlite(knex)) return;
  for (const t of ['firms_bigrams_ins', 'firms_bigrams_del', 'firms_bigrams_upd']) await knex.raw(`DROP TRIGGER IF EXISTS ${t}`);
  await knex.raw('DROP TABLE IF EXISTS firms_bigrams');
}
