import type { Knex } from 'knex';

/**
 * The dashboard's conversion ("of the firms that entered a stage in year Y, how many have since
 * reached a later stage") took seconds at 1M firms when computed from stage_events per request.
 * Triggers on stage_events now keep it current, the way stage_counts keeps the board's counts:
 * - stage_entries: a firm's first entry into a stage in a Shanghai calendar year, with the park and
 *   field it had then, and whether it has since reached a later stage on the main line;
 * - conversion_counts: those entries counted per year, stage, park and field.
 * Stage events are written as they happen, so they arrive in time order; the triggers rely on it.
 * Also indexes for the firm list's two sort orders (newest first, by name).
 */
const isSqlite = (knex: Knex) => (knex.client as { dialect?: string }).dialect === 'sqlite3';

// The main line's order, as in src/domain/stages.ts at the time of this migration (exited: none).
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
  await knex.schema.alterTable('firms', (t) => {
    t.index(['updated_at', 'id'], 'firms_updated');
    t.index(['name', 'id'], 'firms_name');
  });

  await knex.schema.createTable('stage_entries', (t) => {
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('stage', 20).notNullable();
    t.integer('year').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.integer('park_key').notNullable();
    t.string('field_key', 40).notNullable();
    t.boolean('advanced').notNullable().defaultTo(false);
    t.primary(['firm_id', 'stage', 'year']);
  });
  await knex.schema.createTable('conversion_counts', (t) => {
    t.integer('year').notNullable();
    t.string('stage', 20).notNullable();
    t.integer('park_key').notNullable();
    t.string('field_key', 40).notNullable();
    t.integer('entered').notNullable();
    t.integer('advanced').notNullable();
    t.primary(['year', 'stage', 'park_key', 'field_key']);
  });

  if (isSqlite(knex)) {
    const year = (col: string) => `CAST(strftime('%Y', ${col}, '+8 hours') AS INTEGER)`;
    await knex.raw(`CREATE TRIGGER stage_events_entries AFTER INSERT ON stage_events BEGIN
      UPDATE stage_entries SET advanced = 1
        WHERE firm_id = new.firm_id AND advanced = 0 AND at <= new.at AND ${orderOf('stage')} < ${orderOf('new.to_stage')};
      INSERT INTO stage_entries (firm_id, stage, year, at, park_key, field_key, advanced)
        SELECT new.firm_id, new.to_stage, ${year('new.at')}, new.at, coalesce(f.park_id, 0), coalesce(f.field, ''), 0
        FROM firms f WHERE f.id = new.firm_id
        ON CONFLICT (firm_id, stage, year) DO NOTHING;
    END`);
    await knex.raw(`CREATE TRIGGER stage_entries_entered AFTER INSERT ON stage_entries BEGIN
      INSERT INTO conversion_counts (year, stage, park_key, field_key, entered, advanced)
        VALUES (new.year, new.stage, new.park_key, new.field_key, 1, new.advanced)
        ON CONFLICT (year, stage, park_key, field_key) DO UPDATE SET entered = entered + 1, advanced = advanced + excluded.advanced;
    END`);
    await knex.raw(`CREATE TRIGGER stage_entries_advanced AFTER UPDATE OF advanced ON stage_entries WHEN old.advanced = 0 AND new.advanced = 1 BEGIN
      UPDATE conversion_counts SET advanced = advanced + 1
        WHERE year = new.year AND stage = new.stage AND park_key = new.park_key AND field_key = new.field_key;
    END`);
    await backfill(knex, year('e.at'));
  } else {
    await knex.raw(`CREATE FUNCTION stage_events_entries() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE stage_entries SET advanced = true
          WHERE firm_id = NEW.firm_id AND NOT advanced AND at <= NEW.at AND ${orderOf('stage')} < ${orderOf('NEW.to_stage')};
        INSERT INTO stage_entries (firm_id, stage, year, at, park_key, field_key, advanced)
          SELECT NEW.firm_id, NEW.to_stage, EXTRACT(YEAR FROM NEW.at AT TIME ZONE 'Asia/Shanghai')::int, NEW.at, coalesce(f.park_id, 0), coalesce(f.field, ''), false
          FROM firms f WHERE f.id = NEW.firm_id
          ON CONFLICT (firm_id, stage, year) DO NOTHING;
        RETURN NULL;
      END $$`);
    await knex.raw(`CREATE TRIGGER stage_events_entries AFTER INSERT ON stage_events FOR EACH ROW EXECUTE FUNCTION stage_events_entries()`);
    await knex.raw(`CREATE FUNCTION stage_entries_counts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO conversion_counts (year, stage, park_key, field_key, entered, advanced)
            VALUES (NEW.year, NEW.stage, NEW.park_key, NEW.field_key, 1, CASE WHEN NEW.advanced THEN 1 ELSE 0 END)
            ON CONFLICT (year, stage, park_key, field_key) DO UPDATE SET entered = conversion_counts.entered + 1, advanced = conversion_counts.advanced + excluded.advanced;
        ELSIF NOT OLD.advanced AND NEW.advanced THEN
          UPDATE conversion_counts SET advanced = advanced + 1
            WHERE year = NEW.year AND stage = NEW.stage AND park_key = NEW.park_key AND field_key = NEW.field_key;
        END IF;
        RETURN NULL;
      END $$`);
    await knex.raw(`CREATE TRIGGER stage_entries_counts AFTER INSERT OR UPDATE OF advanced ON stage_entries FOR EACH ROW EXECUTE FUNCTION stage_entries_counts()`);
    await backfill(knex, "EXTRACT(YEAR FROM e.at AT TIME ZONE 'Asia/Shanghai')::int");
  }
  // The dashboard no longer reads stage_events by target stage; its index was the largest one.
  await knex.schema.alterTable('stage_events', (t) => t.dropIndex(['to_stage', 'at'], 'stage_events_to_at'));
}

/** Existing histories: first entries per firm, stage and year, then whether a later stage followed. */
async function backfill(knex: Knex, yearOfAt: string): Promise<void> {
  const yes = isSqlite(knex) ? '1' : 'true';
  const no = isSqlite(knex) ? '0' : 'false';
  // Insert with advanced already decided, so the insert trigger counts both numbers at once.
  await knex.raw(`INSERT INTO stage_entries (firm_id, stage, year, at, park_key, field_key, advanced)
    SELECT x.firm_id, x.stage, x.year, x.at, x.park_key, x.field_key,
      CASE WHEN EXISTS (SELECT 1 FROM stage_events n WHERE n.firm_id = x.firm_id AND n.at >= x.at AND ${orderOf('n.to_stage')} > ${orderOf('x.stage')}) THEN ${yes} ELSE ${no} END
    FROM (
      SELECT e.firm_id, e.to_stage AS stage, ${yearOfAt} AS year, min(e.at) AS at, coalesce(f.park_id, 0) AS park_key, coalesce(f.field, '') AS field_key
      FROM stage_events e JOIN firms f ON f.id = e.firm_id
      GROUP BY e.firm_id, e.to_stage, ${yearOfAt}, coalesce(f.park_id, 0), coalesce(f.field, '')
    ) x`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('stage_events', (t) => t.index(['to_stage', 'at'], 'stage_events_to_at'));
  if (isSqlite(knex)) {
    for (const trigger of ['stage_events_entries', 'stage_entries_entered', 'stage_entries_advanced']) await knex.raw(`DROP TRIGGER IF EXISTS ${trigger}`);
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS stage_events_entries ON stage_events');
    await knex.raw('DROP FUNCTION IF EXISTS stage_events_entries()');
    await knex.raw('DROP TRIGGER IF EXISTS stage_entries_counts ON stage_entries');
    await knex.raw('DROP FUNCTION IF EXISTS stage_entries_counts()');
  }
  await knex.schema.dropTableIfExists('conversion_counts');
  await knex.schema.dropTableIfExists('stage_entries');
  await knex.schema.alterTable('firms', (t) => {
    t.dropIndex(['updated_at', 'id'], 'firms_updated');
    t.dropIndex(['name', 'id'], 'firms_name');
  });
}
