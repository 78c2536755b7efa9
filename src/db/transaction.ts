import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** A handle usable both outside and inside a transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Runs `work` in one transaction; commits if it resolves, rolls back if it throws. Nested calls
 * join the outer transaction, so a service can be called alone or as part of a larger unit.
 */
export async function inTransaction<T>(
  db: Executor,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<Database>);
  return db.transaction().execute(work);
}
