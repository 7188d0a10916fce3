/** The id knex returns from an insert with returning('id') (an object on PostgreSQL and SQLite ≥ 3.35, a number otherwise). */
export function idOf(row: unknown): number {
  return typeof row === 'object' && row !== null ? (row as { id: number }).id : (row as number);
}
