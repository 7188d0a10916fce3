import type { Knex } from 'knex';

/** A knex handle or a transaction: repositories accept either, so callers choose the transaction. */
export type Db = Knex | Knex.Transaction;
