import type { Knex } from 'knex';

/**
 * The register page reads one keyset page in register order (year newest first, kind, id) instead of
 * sorting every row by firm name per request (issue 13): an index in that order, and one with the
 * kind first for the kind filter (it replaces (kind, year), which it covers).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX certifications_register_order ON certifications (year DESC, kind, id)');
  await knex.raw('CREATE INDEX certifications_kind_register_order ON certifications (kind, year DESC, id)');
  await knex.schema.alterTable('certifications', (t) => t.dropIndex(['kind', 'year'], 'certifications_kind_year'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('certifications', (t) => t.index(['kind', 'year'], 'certifications_kind_year'));
  await knex.raw('DROP INDEX certifications_kind_register_order');
  await knex.raw('DROP INDEX certifications_register_order');
}
