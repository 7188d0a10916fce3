/**
 * The counters the triggers keep (migrations 0002, 0007, 060100): stage_counts (board and funnel
 * counts), stage_entries and conversion_counts (the dashboard's conversion). Here, once, the same
 * figures computed from the base tables:
 * - after a bulk load with the triggers off (the demo data, src/db/bulk-load.ts), to fill them;
 * - in tests, to prove the kept figures equal a recount after any sequence of writes (issue 13).
 * The rules are the triggers' own: a firm withdrawn by a list revert is not counted; a firm's first
 * entry into a stage in a Shanghai calendar year is one entry, keyed by the park, town and field it
 * had then (for a recount: now — the triggers keep the keys of the time, which equal today's for
 * firms that never moved park, as in the demo data); an entry has `advanced` once a later event
 * (at or after it) reached a stage further along the main line.
 */
import type { Knex } from 'knex';
import { isSqlite } from './dialect.js';

// The main line's order, as in src/domain/stages.ts (exited: none), the triggers' CASE.
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

export function stageCountsRecountSql(): string {
  return `SELECT coalesce(park_id, 0) AS park_key, coalesce(town_id, 0) AS town_key, coalesce(field, '') AS field_key, stage, count(*) AS n
    FROM firms WHERE withdrawn_batch_id IS NULL
    GROUP BY coalesce(park_id, 0), coalesce(town_id, 0), coalesce(field, ''), stage`;
}

export function stageEntriesRecountSql(db: Knex): string {
  const sqlite = isSqlite(db);
  const yearOf = sqlite ? "CAST(strftime('%Y', e.at, '+8 hours') AS INTEGER)" : "EXTRACT(YEAR FROM e.at AT TIME ZONE 'Asia/Shanghai')::int";
  const yes = sqlite ? '1' : 'true';
  const no = sqlite ? '0' : 'false';
  return `SELECT x.firm_id, x.stage, x.year, x.at, x.park_key, x.town_key, x.field_key,
      CASE WHEN EXISTS (SELECT 1 FROM stage_events n WHERE n.firm_id = x.firm_id AND n.at >= x.at AND ${orderOf('n.to_stage')} > ${orderOf('x.stage')}) THEN ${yes} ELSE ${no} END AS advanced
    FROM (
      SELECT e.firm_id, e.to_stage AS stage, ${yearOf} AS year, min(e.at) AS at,
        coalesce(f.park_id, 0) AS park_key, coalesce(f.town_id, 0) AS town_key, coalesce(f.field, '') AS field_key
      FROM stage_events e JOIN firms f ON f.id = e.firm_id
      WHERE f.withdrawn_batch_id IS NULL
      GROUP BY e.firm_id, e.to_stage, ${yearOf}, coalesce(f.park_id, 0), coalesce(f.town_id, 0), coalesce(f.field, '')
    ) x`;
}

export function conversionCountsRecountSql(db: Knex, from = 'stage_entries'): string {
  const one = isSqlite(db) ? 'advanced' : 'CASE WHEN advanced THEN 1 ELSE 0 END';
  return `SELECT year, stage, park_key, town_key, field_key, count(*) AS entered, sum(${one}) AS advanced FROM ${from}
    GROUP BY year, stage, park_key, town_key, field_key`;
}

/**
 * Refill the three counter tables from the base tables. With the triggers on, only inside a bulk
 * load (the stage_entries insert would count twice otherwise): `exec` runs on the loading connection.
 */
export async function rebuildCounters(db: Knex, exec: (sql: string) => Promise<void>): Promise<void> {
  await exec('DELETE FROM stage_counts');
  await exec(`INSERT INTO stage_counts (park_key, town_key, field_key, stage, n) ${stageCountsRecountSql()}`);
  await exec('DELETE FROM conversion_counts');
  await exec('DELETE FROM stage_entries');
  await exec(`INSERT INTO stage_entries (firm_id, stage, year, at, park_key, town_key, field_key, advanced) ${stageEntriesRecountSql(db)}`);
  await exec(`INSERT INTO conversion_counts (year, stage, park_key, town_key, field_key, entered, advanced) ${conversionCountsRecountSql(db)}`);
}
