import type { Knex } from 'knex';

/**
 * Towns (属地: Yuyao's 街道, 镇 and 乡), park history, and firms a list revert took out.
 *
 * 1. `towns`: a firm belongs to a town and may also sit in a park. Loaded with Yuyao's 6 街道,
 *    14 镇 and 1 乡 (the city's divisions as published, 2019 onwards); administrators change them
 *    at /admin/parks. `user_towns` scopes a caseworker by town the way `user_parks` does by park.
 * 2. Parks and towns are merged and retired, never deleted (`merged_into`, `retired_at`), and a
 *    rename keeps the old name in `area_names`.
 * 3. `firms.withdrawn_batch_id`: the import batch whose revert took this candidate out. Such a
 *    firm is at 退库 with its history, but it never entered cultivation, so the counters leave it
 *    out: stage_counts (board, funnel) does not count it, its stage_entries (conversion) are
 *    removed, and later stage events of it are not entered while it stays withdrawn. Moving it
 *    out of 退库 again makes it an ordinary firm (the flag is cleared by trigger).
 * 4. The counters gain a town key, so a caseworker scoped by town reads them as cheaply as one
 *    scoped by park; they are rebuilt from firms and stage_entries.
 */
const isSqlite = (knex: Knex) => (knex.client as { dialect?: string }).dialect === 'sqlite3';

export const YUYAO_TOWNS: readonly { code: string; name: string; kind: 'subdistrict' | 'town' | 'township' }[] = [
  { code: 'fengshan', name: '凤山街道', kind: 'subdistrict' },
  { code: 'yangming', name: '阳明街道', kind: 'subdistrict' },
  { code: 'lizhou', name: '梨洲街道', kind: 'subdistrict' },
  { code: 'lanjiang', name: '兰江街道', kind: 'subdistrict' },
  { code: 'langxia', name: '朗霞街道', kind: 'subdistrict' },
  { code: 'ditang', name: '低塘街道', kind: 'subdistrict' },
  { code: 'linshan', name: '临山镇', kind: 'town' },
  { code: 'huangjiabu', name: '黄家埠镇', kind: 'town' },
  { code: 'xiaocaoe', name: '小曹娥镇', kind: 'town' },
  { code: 'simen', name: '泗门镇', kind: 'town' },
  { code: 'mazhu', name: '马渚镇', kind: 'town' },
  { code: 'moushan', name: '牟山镇', kind: 'town' },
  { code: 'zhangting', name: '丈亭镇', kind: 'town' },
  { code: 'sanqishi', name: '三七市镇', kind: 'town' },
  { code: 'hemudu', name: '河姆渡镇', kind: 'town' },
  { code: 'dayin', name: '大隐镇', kind: 'town' },
  { code: 'lubu', name: '陆埠镇', kind: 'town' },
  { code: 'liangnong', name: '梁弄镇', kind: 'town' },
  { code: 'dalan', name: '大岚镇', kind: 'town' },
  { code: 'simingshan', name: '四明山镇', kind: 'town' },
  { code: 'luting', name: '鹿亭乡', kind: 'township' },
];

// The main line's order (src/domain/stages.ts; exited has none), as in migration 7.
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
  await knex.schema.createTable('towns', (t) => {
    t.increments('id');
    t.string('code', 32).notNullable().unique();
    t.string('name', 100).notNullable().unique();
    t.string('kind', 20).notNullable(); // subdistrict 街道 | town 镇 | township 乡
    t.boolean('is_active').notNullable().defaultTo(true);
    t.integer('sort_order').notNullable().defaultTo(0);
    t.integer('merged_into').references('towns.id');
    t.timestamp('retired_at', { useTz: true });
  });
  await knex('towns').insert(YUYAO_TOWNS.map((tw, i) => ({ code: tw.code, name: tw.name, kind: tw.kind, is_active: true, sort_order: i + 1 })));

  await knex.schema.alterTable('parks', (t) => {
    t.integer('merged_into'); // a park id; no REFERENCES, so SQLite can drop it in place (down)
    t.timestamp('retired_at', { useTz: true });
  });
  await knex.schema.createTable('area_names', (t) => {
    t.increments('id');
    t.string('area_type', 10).notNullable(); // park | town
    t.integer('area_id').notNullable();
    t.string('name', 100).notNullable(); // the name it had until `until`
    t.timestamp('until', { useTz: true }).notNullable();
    t.integer('changed_by').references('users.id');
    t.index(['area_type', 'area_id'], 'area_names_area');
  });
  await knex.schema.createTable('user_towns', (t) => {
    t.integer('user_id').notNullable().references('users.id');
    t.integer('town_id').notNullable().references('towns.id');
    t.primary(['user_id', 'town_id']);
  });

  await knex.schema.alterTable('firms', (t) => {
    // No REFERENCES: SQLite can drop a plain column in place (down), not one in a foreign key,
    // and rebuilding firms would lose its triggers. The app writes only ids it has checked.
    t.integer('town_id');
    t.integer('withdrawn_batch_id');
    t.index(['town_id', 'stage', 'updated_at', 'id'], 'firms_town_stage_updated');
    t.index(['withdrawn_batch_id'], 'firms_withdrawn');
  });

  await dropCounterTriggers(knex);
  await knex.schema.dropTable('stage_counts');
  await knex.schema.createTable('stage_counts', (t) => {
    t.integer('park_key').notNullable(); // park id, 0 for none
    t.integer('town_key').notNullable(); // town id, 0 for none
    t.string('field_key', 40).notNullable(); // field key, '' for none
    t.string('stage', 20).notNullable();
    t.integer('n').notNullable();
    t.primary(['park_key', 'town_key', 'field_key', 'stage']);
  });
  await knex.raw(`INSERT INTO stage_counts (park_key, town_key, field_key, stage, n)
    SELECT coalesce(park_id, 0), coalesce(town_id, 0), coalesce(field, ''), stage, count(*) FROM firms
    WHERE withdrawn_batch_id IS NULL GROUP BY coalesce(park_id, 0), coalesce(town_id, 0), coalesce(field, ''), stage`);

  await knex.schema.alterTable('stage_entries', (t) => t.integer('town_key').notNullable().defaultTo(0));
  await knex.schema.dropTable('conversion_counts');
  await knex.schema.createTable('conversion_counts', (t) => {
    t.integer('year').notNullable();
    t.string('stage', 20).notNullable();
    t.integer('park_key').notNullable();
    t.integer('town_key').notNullable();
    t.string('field_key', 40).notNullable();
    t.integer('entered').notNullable();
    t.integer('advanced').notNullable();
    t.primary(['year', 'stage', 'park_key', 'town_key', 'field_key']);
  });
  const one = isSqlite(knex) ? 'advanced' : 'CASE WHEN advanced THEN 1 ELSE 0 END';
  await knex.raw(`INSERT INTO conversion_counts (year, stage, park_key, town_key, field_key, entered, advanced)
    SELECT year, stage, park_key, town_key, field_key, count(*), sum(${one}) FROM stage_entries
    GROUP BY year, stage, park_key, town_key, field_key`);

  if (isSqlite(knex)) await sqliteTriggers(knex);
  else await postgresTriggers(knex);
}

async function dropCounterTriggers(knex: Knex): Promise<void> {
  if (isSqlite(knex)) {
    for (const tr of ['firms_counts_ins', 'firms_counts_del', 'firms_counts_upd', 'stage_events_entries', 'stage_entries_entered', 'stage_entries_advanced']) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${tr}`);
    }
    return;
  }
  await knex.raw('DROP TRIGGER IF EXISTS firms_counts ON firms');
  await knex.raw('DROP TRIGGER IF EXISTS firms_counts_upd ON firms');
  await knex.raw('DROP TRIGGER IF EXISTS stage_events_entries ON stage_events');
  await knex.raw('DROP TRIGGER IF EXISTS stage_entries_counts ON stage_entries');
}

const KEYS_OF = (r: 'new' | 'old' | 'NEW' | 'OLD') => `coalesce(${r}.park_id, 0), coalesce(${r}.town_id, 0), coalesce(${r}.field, ''), ${r}.stage`;
const MATCH_OF = (r: 'old' | 'OLD') => `park_key = coalesce(${r}.park_id, 0) AND town_key = coalesce(${r}.town_id, 0) AND field_key = coalesce(${r}.field, '') AND stage = ${r}.stage`;

async function sqliteTriggers(knex: Knex): Promise<void> {
  const add = `INSERT INTO stage_counts (park_key, town_key, field_key, stage, n) VALUES (${KEYS_OF('new')}, 1)
        ON CONFLICT (park_key, town_key, field_key, stage) DO UPDATE SET n = n + 1;`;
  const sub = `UPDATE stage_counts SET n = n - 1 WHERE ${MATCH_OF('old')};`;
  await knex.raw(`CREATE TRIGGER firms_counts_ins AFTER INSERT ON firms WHEN new.withdrawn_batch_id IS NULL BEGIN ${add} END`);
  await knex.raw(`CREATE TRIGGER firms_counts_del AFTER DELETE ON firms WHEN old.withdrawn_batch_id IS NULL BEGIN ${sub} END`);
  // Two triggers for an update (a WHEN covers a whole trigger): leave the old cell, enter the new one.
  const changed = `(old.park_id IS NOT new.park_id OR old.town_id IS NOT new.town_id OR old.field IS NOT new.field OR old.stage IS NOT new.stage OR old.withdrawn_batch_id IS NOT new.withdrawn_batch_id)`;
  await knex.raw(`CREATE TRIGGER firms_counts_upd AFTER UPDATE OF park_id, town_id, field, stage, withdrawn_batch_id ON firms
    WHEN ${changed} AND old.withdrawn_batch_id IS NULL BEGIN ${sub} END`);
  await knex.raw(`CREATE TRIGGER firms_counts_upd_new AFTER UPDATE OF park_id, town_id, field, stage, withdrawn_batch_id ON firms
    WHEN ${changed} AND new.withdrawn_batch_id IS NULL BEGIN ${add} END`);
  // A withdrawn firm moved out of 退库 is an ordinary firm again.
  await knex.raw(`CREATE TRIGGER firms_withdrawn_clear AFTER UPDATE OF stage ON firms
    WHEN new.withdrawn_batch_id IS NOT NULL AND new.stage <> 'exited' BEGIN
      UPDATE firms SET withdrawn_batch_id = NULL WHERE id = new.id;
    END`);
  await knex.raw(`CREATE TRIGGER firms_withdrawn_entries AFTER UPDATE OF withdrawn_batch_id ON firms
    WHEN old.withdrawn_batch_id IS NULL AND new.withdrawn_batch_id IS NOT NULL BEGIN
      DELETE FROM stage_entries WHERE firm_id = new.id;
    END`);

  const year = (col: string) => `CAST(strftime('%Y', ${col}, '+8 hours') AS INTEGER)`;
  await knex.raw(`CREATE TRIGGER stage_events_entries AFTER INSERT ON stage_events BEGIN
      UPDATE stage_entries SET advanced = 1
        WHERE firm_id = new.firm_id AND advanced = 0 AND at <= new.at AND ${orderOf('stage')} < ${orderOf('new.to_stage')};
      INSERT INTO stage_entries (firm_id, stage, year, at, park_key, town_key, field_key, advanced)
        SELECT new.firm_id, new.to_stage, ${year('new.at')}, new.at, coalesce(f.park_id, 0), coalesce(f.town_id, 0), coalesce(f.field, ''), 0
        FROM firms f WHERE f.id = new.firm_id AND f.withdrawn_batch_id IS NULL
        ON CONFLICT (firm_id, stage, year) DO NOTHING;
    END`);
  await knex.raw(`CREATE TRIGGER stage_entries_entered AFTER INSERT ON stage_entries BEGIN
      INSERT INTO conversion_counts (year, stage, park_key, town_key, field_key, entered, advanced)
        VALUES (new.year, new.stage, new.park_key, new.town_key, new.field_key, 1, new.advanced)
        ON CONFLICT (year, stage, park_key, town_key, field_key) DO UPDATE SET entered = entered + 1, advanced = advanced + excluded.advanced;
    END`);
  const entryMatch = (r: string) => `year = ${r}.year AND stage = ${r}.stage AND park_key = ${r}.park_key AND town_key = ${r}.town_key AND field_key = ${r}.field_key`;
  await knex.raw(`CREATE TRIGGER stage_entries_advanced AFTER UPDATE OF advanced ON stage_entries WHEN old.advanced = 0 AND new.advanced = 1 BEGIN
      UPDATE conversion_counts SET advanced = advanced + 1 WHERE ${entryMatch('new')};
    END`);
  await knex.raw(`CREATE TRIGGER stage_entries_removed AFTER DELETE ON stage_entries BEGIN
      UPDATE conversion_counts SET entered = entered - 1, advanced = advanced - old.advanced WHERE ${entryMatch('old')};
    END`);
}

async function postgresTriggers(knex: Knex): Promise<void> {
  await knex.raw(`CREATE OR REPLACE FUNCTION stage_counts_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.withdrawn_batch_id IS NULL THEN
        UPDATE stage_counts SET n = n - 1 WHERE ${MATCH_OF('OLD')};
      END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.withdrawn_batch_id IS NULL THEN
        INSERT INTO stage_counts (park_key, town_key, field_key, stage, n) VALUES (${KEYS_OF('NEW')}, 1)
          ON CONFLICT (park_key, town_key, field_key, stage) DO UPDATE SET n = stage_counts.n + 1;
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.withdrawn_batch_id IS NULL AND NEW.withdrawn_batch_id IS NOT NULL THEN
        DELETE FROM stage_entries WHERE firm_id = NEW.id;
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER firms_counts AFTER INSERT OR DELETE ON firms FOR EACH ROW EXECUTE FUNCTION stage_counts_maintain()`);
  await knex.raw(`CREATE TRIGGER firms_counts_upd AFTER UPDATE OF park_id, town_id, field, stage, withdrawn_batch_id ON firms
    FOR EACH ROW
    WHEN (OLD.stage IS DISTINCT FROM NEW.stage OR OLD.park_id IS DISTINCT FROM NEW.park_id OR OLD.town_id IS DISTINCT FROM NEW.town_id
      OR OLD.field IS DISTINCT FROM NEW.field OR OLD.withdrawn_batch_id IS DISTINCT FROM NEW.withdrawn_batch_id)
    EXECUTE FUNCTION stage_counts_maintain()`);
  // A withdrawn firm moved out of 退库 is an ordinary firm again.
  await knex.raw(`CREATE FUNCTION firms_withdrawn_clear() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.withdrawn_batch_id := NULL; RETURN NEW; END $$`);
  await knex.raw(`CREATE TRIGGER firms_withdrawn_clear BEFORE UPDATE OF stage ON firms FOR EACH ROW
    WHEN (NEW.withdrawn_batch_id IS NOT NULL AND OLD.withdrawn_batch_id IS NOT NULL AND NEW.stage <> 'exited')
    EXECUTE FUNCTION firms_withdrawn_clear()`);

  await knex.raw(`CREATE OR REPLACE FUNCTION stage_events_entries() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE stage_entries SET advanced = true
          WHERE firm_id = NEW.firm_id AND NOT advanced AND at <= NEW.at AND ${orderOf('stage')} < ${orderOf('NEW.to_stage')};
        INSERT INTO stage_entries (firm_id, stage, year, at, park_key, town_key, field_key, advanced)
          SELECT NEW.firm_id, NEW.to_stage, EXTRACT(YEAR FROM NEW.at AT TIME ZONE 'Asia/Shanghai')::int, NEW.at,
            coalesce(f.park_id, 0), coalesce(f.town_id, 0), coalesce(f.field, ''), false
          FROM firms f WHERE f.id = NEW.firm_id AND f.withdrawn_batch_id IS NULL
          ON CONFLICT (firm_id, stage, year) DO NOTHING;
        RETURN NULL;
      END $$`);
  await knex.raw(`CREATE TRIGGER stage_events_entries AFTER INSERT ON stage_events FOR EACH ROW EXECUTE FUNCTION stage_events_entries()`);
  const entryMatch = (r: string) => `year = ${r}.year AND stage = ${r}.stage AND park_key = ${r}.park_key AND town_key = ${r}.town_key AND field_key = ${r}.field_key`;
  await knex.raw(`CREATE OR REPLACE FUNCTION stage_entries_counts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO conversion_counts (year, stage, park_key, town_key, field_key, entered, advanced)
            VALUES (NEW.year, NEW.stage, NEW.park_key, NEW.town_key, NEW.field_key, 1, CASE WHEN NEW.advanced THEN 1 ELSE 0 END)
            ON CONFLICT (year, stage, park_key, town_key, field_key)
            DO UPDATE SET entered = conversion_counts.entered + 1, advanced = conversion_counts.advanced + excluded.advanced;
        ELSIF TG_OP = 'DELETE' THEN
          UPDATE conversion_counts SET entered = entered - 1, advanced = advanced - CASE WHEN OLD.advanced THEN 1 ELSE 0 END
            WHERE ${entryMatch('OLD')};
        ELSIF NOT OLD.advanced AND NEW.advanced THEN
          UPDATE conversion_counts SET advanced = advanced + 1 WHERE ${entryMatch('NEW')};
        END IF;
        RETURN NULL;
      END $$`);
  await knex.raw(`CREATE TRIGGER stage_entries_counts AFTER INSERT OR DELETE OR UPDATE OF advanced ON stage_entries
    FOR EACH ROW EXECUTE FUNCTION stage_entries_counts()`);
}

/**
 * Back to the counters of migrations 2, 7 and 9 (no town key, withdrawn firms counted again), the
 * firms' new columns dropped, towns and park history gone.
 */
export async function down(knex: Knex): Promise<void> {
  const sqlite = isSqlite(knex);
  await dropCounterTriggers(knex);
  if (sqlite) {
    for (const tr of ['firms_counts_upd_new', 'firms_withdrawn_clear', 'firms_withdrawn_entries', 'stage_entries_removed']) await knex.raw(`DROP TRIGGER IF EXISTS ${tr}`);
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS firms_withdrawn_clear ON firms');
    await knex.raw('DROP FUNCTION IF EXISTS firms_withdrawn_clear()');
  }
  await knex.schema.dropTable('stage_counts');
  await knex.schema.createTable('stage_counts', (t) => {
    t.integer('park_key').notNullable();
    t.string('field_key', 40).notNullable();
    t.string('stage', 20).notNullable();
    t.integer('n').notNullable();
    t.primary(['park_key', 'field_key', 'stage']);
  });
  await knex.raw(`INSERT INTO stage_counts (park_key, field_key, stage, n)
    SELECT coalesce(park_id, 0), coalesce(field, ''), stage, count(*) FROM firms GROUP BY coalesce(park_id, 0), coalesce(field, ''), stage`);
  await knex.schema.dropTable('conversion_counts');
  await knex.schema.createTable('conversion_counts', (t) => {
    t.integer('year').notNullable();
    t.string('stage', 20).notNullable();
    t.integer('park_key').notNullable();
    t.string('field_key', 40).notNullable();
    t.integer('entered').notNullable();
    t.integer('advanced').notNullable();
    t.primary(['year', 'stage', 'park_key', 'field_key']);
  });
  const one = sqlite ? 'advanced' : 'CASE WHEN advanced THEN 1 ELSE 0 END';
  await knex.raw(`INSERT INTO conversion_counts (year, stage, park_key, field_key, entered, advanced)
    SELECT year, stage, park_key, field_key, count(*), sum(${one}) FROM stage_entries GROUP BY year, stage, park_key, field_key`);
  await knex.raw('ALTER TABLE stage_entries DROP COLUMN town_key');
  await knex.schema.alterTable('firms', (t) => {
    t.dropIndex(['town_id', 'stage', 'updated_at', 'id'], 'firms_town_stage_updated');
    t.dropIndex(['withdrawn_batch_id'], 'firms_withdrawn');
  });
  await knex.raw('ALTER TABLE firms DROP COLUMN town_id');
  await knex.raw('ALTER TABLE firms DROP COLUMN withdrawn_batch_id');
  if (sqlite) await sqliteTriggersBefore(knex);
  else await postgresTriggersBefore(knex);
  await knex.schema.dropTable('user_towns');
  await knex.schema.dropTable('area_names');
  await knex.raw('ALTER TABLE parks DROP COLUMN merged_into');
  await knex.raw('ALTER TABLE parks DROP COLUMN retired_at');
  await knex.schema.dropTable('towns');
}

async function sqliteTriggersBefore(knex: Knex): Promise<void> {
  const add = `INSERT INTO stage_counts (park_key, field_key, stage, n) VALUES (coalesce(new.park_id, 0), coalesce(new.field, ''), new.stage, 1)
      ON CONFLICT (park_key, field_key, stage) DO UPDATE SET n = n + 1;`;
  const sub = `UPDATE stage_counts SET n = n - 1 WHERE park_key = coalesce(old.park_id, 0) AND field_key = coalesce(old.field, '') AND stage = old.stage;`;
  await knex.raw(`CREATE TRIGGER firms_counts_ins AFTER INSERT ON firms BEGIN ${add} END`);
  await knex.raw(`CREATE TRIGGER firms_counts_del AFTER DELETE ON firms BEGIN ${sub} END`);
  await knex.raw(`CREATE TRIGGER firms_counts_upd AFTER UPDATE OF park_id, field, stage ON firms
    WHEN old.park_id IS NOT new.park_id OR old.field IS NOT new.field OR old.stage IS NOT new.stage BEGIN ${sub} ${add} END`);
  const year = `CAST(strftime('%Y', new.at, '+8 hours') AS INTEGER)`;
  await knex.raw(`CREATE TRIGGER stage_events_entries AFTER INSERT ON stage_events BEGIN
      UPDATE stage_entries SET advanced = 1
        WHERE firm_id = new.firm_id AND advanced = 0 AND at <= new.at AND ${orderOf('stage')} < ${orderOf('new.to_stage')};
      INSERT INTO stage_entries (firm_id, stage, year, at, park_key, field_key, advanced)
        SELECT new.firm_id, new.to_stage, ${year}, new.at, coalesce(f.park_id, 0), coalesce(f.field, ''), 0
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
}

async function postgresTriggersBefore(knex: Knex): Promise<void> {
  await knex.raw(`CREATE OR REPLACE FUNCTION stage_counts_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
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
  await knex.raw(`CREATE TRIGGER firms_counts AFTER INSERT OR DELETE ON firms FOR EACH ROW EXECUTE FUNCTION stage_counts_maintain()`);
  await knex.raw(`CREATE TRIGGER firms_counts_upd AFTER UPDATE OF park_id, field, stage ON firms
    FOR EACH ROW
    WHEN (OLD.stage IS DISTINCT FROM NEW.stage OR OLD.park_id IS DISTINCT FROM NEW.park_id OR OLD.field IS DISTINCT FROM NEW.field)
    EXECUTE FUNCTION stage_counts_maintain()`);
  await knex.raw(`CREATE OR REPLACE FUNCTION stage_events_entries() RETURNS trigger LANGUAGE plpgsql AS $$
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
  await knex.raw(`CREATE OR REPLACE FUNCTION stage_entries_counts() RETURNS trigger LANGUAGE plpgsql AS $$
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
}
