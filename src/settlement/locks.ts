import { sql } from 'kysely';
import type { Executor } from '../db/transaction.ts';
import type { SettlementTables } from './tables.ts';

/**
 * One advisory lock per lender, held to the end of the transaction. Recording an accrual takes it
 * shared (accruals of one lender run in parallel); generating a statement takes it exclusive, so
 * that when it reads the lender's highest accrual id, every accrual up to that id has committed
 * and every later one will get a higher id (see statements.ts).
 */
export function lenderLockKey(lenderCode: string) {
  return sql<number>`hashtextextended(${`settlement:${lenderCode}`}, 0)`;
}

export async function lockLender(
  trx: Executor<SettlementTables>,
  lenderCode: string,
  mode: 'shared' | 'exclusive',
): Promise<void> {
  const key = lenderLockKey(lenderCode);
  await (mode === 'shared'
    ? sql`SELECT pg_advisory_xact_lock_shared(${key})`
    : sql`SELECT pg_advisory_xact_lock(${key})`
  ).execute(trx);
}
