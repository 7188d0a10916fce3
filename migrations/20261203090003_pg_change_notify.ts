import type { Knex } from 'knex';

/**
 * PostgreSQL only: every statement that changes the data the read-model caches hold (the dashboard,
 * the filter bars' parks and counsellors, the report charts) notifies channel `miaopu_data` with
 * its schema's name, at commit (NOTIFY is transactional; one per transaction and payload). Each
 * app process listens (src/db/change-feed.ts) and drops its caches, so a write in one process is
 * seen by the caches of every other at once — the caches' TTL is only the bound while a listener
 * reconnects (issue 13 item 4). Statement-level: a 100,000-row import is one notification, not
 * 100,000. Left out: sessions, rate and throttle rows, form keys, the audit log, staging and the
 * counters kept by triggers (they change with the tables listed here).
 */
const TABLES = [
  'parks', 'towns', 'area_names', 'users', 'user_parks', 'user_towns', 'app_settings',
  'firms', 'annual_figures', 'stage_events', 'list_entries', 'import_batches', 'list_mappings',
  'eligibility_current', 'eligibility_settings', 'staff_months', 'compliance_events', 'compliance_listings', 'compliance_checks',
  'ip_items', 'rd_structures',
  'coaching_plans', 'interactions', 'interaction_firms', 'follow_ups', 'demands', 'coaching_events', 'event_invitations', 'event_attendees',
  'certifications', 'compliance_ticks', 'certification_changes', 'certification_year_settings', 'certification_follow_ups',
  'targets', 'report_snapshots',
];

const isPostgres = (knex: Knex) => (knex.client as { dialect?: string }).dialect === 'postgresql';

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw(`CREATE OR REPLACE FUNCTION miaopu_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('miaopu_data', current_schema());
      RETURN NULL;
    END $$`);
  for (const table of TABLES) {
    await knex.raw(`CREATE TRIGGER ${table}_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ?? FOR EACH STATEMENT EXECUTE FUNCTION miaopu_data_changed()`, [table]);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  for (const table of TABLES) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_notify ON ??`, [table]);
  await knex.raw('DROP FUNCTION IF EXISTS miaopu_data_changed()');
}
