import type { Knex } from 'knex';

/**
 * PostgreSQL only: the counters kept by triggers (stage_counts, stage_entries, conversion_counts) are
 * maintained once per INSERT statement instead of once per row (issue 13 item 5).
 *
 * Why: a list commit inserts tens of thousands of candidate firms, their stage events and stage
 * entries in one transaction, and nearly all of them add 1 to the same few counter rows. Row-level
 * triggers updated such a row once per firm; under MVCC each update of a row already updated in the
 * transaction adds a version its next update must step over, so the cost grew with the square of
 * the rows (a 50,000-row commit: a median of 45 s, against about 4 s on SQLite, whose rows are
 * updated in place). Statement-level triggers with transition tables add each INSERT's rows to a
 * counter in one grouped upsert: a chunk of 400 firms is one update per counter row.
 *
 * The same counts as before: the INSERT functions below do what stage_counts_maintain,
 * stage_events_entries and stage_entries_counts (migration 20261202060100) do for one row, for all
 * the statement's rows. UPDATE and DELETE stay row-level (a move changes one firm; PostgreSQL
 * allows no transition tables on triggers with a column list). SQLite keeps its row triggers.
 *
 * Named after 20261202060100 on purpose (outside the imports range 030000–039999): it replaces the
 * triggers that migration creates, so it must run after it on a fresh database.
 */
const isPostgres = (knex: Knex) => (knex.client as { dialect?: string }).dialect === 'postgresql';

// The main line's order (src/domain/stages.ts), as in migration 20261202060100.
const ORDER = [
  ['candidate', 0],
  ['incubating', 1],
  ['tech_sme', 2],
  ['hte_reserve', 3],
  ['hte_applying', 4],
  ['hte_certified', 5],
  ['benchmark', 6],
] as const;
const orderOf = (col: string) => `(CASE ${col} ${ORDER.map(([k, o]) => `WHEN '${k}' THEN ${o}`).join(' ')} END)`;

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  // firms: inserted firms counted per (park, town, field, stage), one upsert per key.
  await knex.raw(`CREATE OR REPLACE FUNCTION stage_counts_insert_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO stage_counts (park_key, town_key, field_key, stage, n)
        SELECT coalesce(park_id, 0), coalesce(town_id, 0), coalesce(field, ''), stage, count(*) FROM new_rows
        WHERE withdrawn_batch_id IS NULL
        GROUP BY coalesce(park_id, 0), coalesce(town_id, 0), coalesce(field, ''), stage
        ON CONFLICT (park_key, town_key, field_key, stage) DO UPDATE SET n = stage_counts.n + excluded.n;
      RETURN NULL;
    END $$`);
  await knex.raw('DROP TRIGGER firms_counts ON firms');
  await knex.raw('CREATE TRIGGER firms_counts_del AFTER DELETE ON firms FOR EACH ROW EXECUTE FUNCTION stage_counts_maintain()');
  await knex.raw('CREATE TRIGGER firms_counts_ins AFTER INSERT ON firms REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stage_counts_insert_rows()');

  // stage_events: the firm's earlier entries below the new stage are advanced, and the new stage
  // entered (once per firm, stage and year). The update runs after the insert too, so that of two
  // events of one firm in the same statement the earlier's entry is advanced by the later, as the
  // row trigger did event by event.
  const advance = `UPDATE stage_entries se SET advanced = true FROM new_rows n
          WHERE se.firm_id = n.firm_id AND NOT se.advanced AND se.at <= n.at AND ${orderOf('se.stage')} < ${orderOf('n.to_stage')};`;
  await knex.raw(`CREATE OR REPLACE FUNCTION stage_events_entries_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${advance}
        INSERT INTO stage_entries (firm_id, stage, year, at, park_key, town_key, field_key, advanced)
          SELECT DISTINCT ON (n.firm_id, n.to_stage, EXTRACT(YEAR FROM n.at AT TIME ZONE 'Asia/Shanghai')::int)
            n.firm_id, n.to_stage, EXTRACT(YEAR FROM n.at AT TIME ZONE 'Asia/Shanghai')::int, n.at,
            coalesce(f.park_id, 0), coalesce(f.town_id, 0), coalesce(f.field, ''), false
          FROM new_rows n JOIN firms f ON f.id = n.firm_id
          WHERE f.withdrawn_batch_id IS NULL
          ORDER BY n.firm_id, n.to_stage, EXTRACT(YEAR FROM n.at AT TIME ZONE 'Asia/Shanghai')::int, n.at, n.id
          ON CONFLICT (firm_id, stage, year) DO NOTHING;
        ${advance}
        RETURN NULL;
      END $$`);
  await knex.raw('DROP TRIGGER stage_events_entries ON stage_events');
  await knex.raw('CREATE TRIGGER stage_events_entries AFTER INSERT ON stage_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stage_events_entries_rows()');

  // stage_entries: entered (and already advanced) per key, one upsert per key.
  await knex.raw(`CREATE OR REPLACE FUNCTION stage_entries_insert_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO conversion_counts (year, stage, park_key, town_key, field_key, entered, advanced)
          SELECT year, stage, park_key, town_key, field_key, count(*), sum(CASE WHEN advanced THEN 1 ELSE 0 END) FROM new_rows
          GROUP BY year, stage, park_key, town_key, field_key
          ON CONFLICT (year, stage, park_key, town_key, field_key)
          DO UPDATE SET entered = conversion_counts.entered + excluded.entered, advanced = conversion_counts.advanced + excluded.advanced;
        RETURN NULL;
      END $$`);
  await knex.raw('DROP TRIGGER stage_entries_counts ON stage_entries');
  await knex.raw('CREATE TRIGGER stage_entries_counts AFTER DELETE OR UPDATE OF advanced ON stage_entries FOR EACH ROW EXECUTE FUNCTION stage_entries_counts()');
  await knex.raw('CREATE TRIGGER stage_entries_counts_ins AFTER INSERT ON stage_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stage_entries_insert_rows()');
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('DROP TRIGGER stage_entries_counts_ins ON stage_entries');
  await knex.raw('DROP TRIGGER stage_entries_counts ON stage_entries');
  await knex.raw('CREATE TRIGGER stage_entries_counts AFTER INSERT OR DELETE OR UPDATE OF advanced ON stage_entries FOR EACH ROW EXECUTE FUNCTION stage_entries_counts()');
  await knex.raw('DROP TRIGGER stage_events_entries ON stage_events');
  await knex.raw('CREATE TRIGGER stage_events_entries AFTER INSERT ON stage_events FOR EACH ROW EXECUTE FUNCTION stage_events_entries()');
  await knex.raw('DROP TRIGGER firms_counts_ins ON firms');
  await knex.raw('DROP TRIGGER firms_counts_del ON firms');
  await knex.raw('CREATE TRIGGER firms_counts AFTER INSERT OR DELETE ON firms FOR EACH ROW EXECUTE FUNCTION stage_counts_maintain()');
  for (const fn of ['stage_entries_insert_rows', 'stage_events_entries_rows', 'stage_counts_insert_rows']) await knex.raw(`DROP FUNCTION ${fn}()`);
}
