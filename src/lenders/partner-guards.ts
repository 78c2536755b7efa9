/**
 * The partner-row checks the services under a partner share: a list names an existing partner
 * (an unknown one is a 404, not an empty page), and a change to what a partner holds locks the
 * partner row first, so that a concurrent termination cannot slip in between check and write.
 */
import type { Executor } from '../db/transaction.ts';
import { AppError } from '../shared/errors.ts';
import type { LenderRow, LenderTables } from './tables.ts';

const NO_SUCH_PARTNER = 'No partner has this id.';

/** Throws NOT_FOUND unless a partner has this id. */
export async function requirePartner(db: Executor<LenderTables>, lenderId: string): Promise<void> {
  const lender = await db.selectFrom('lenders').select('id').where('id', '=', lenderId).executeTakeFirst();
  if (!lender) throw new AppError('NOT_FOUND', NO_SUCH_PARTNER);
}

/** Locks the partner row in `trx` (NOT_FOUND when there is none) and answers its status. */
export async function lockPartner(
  trx: Executor<LenderTables>,
  lenderId: string,
): Promise<LenderRow['status']> {
  const lender = await trx
    .selectFrom('lenders')
    .select('status')
    .where('id', '=', lenderId)
    .forUpdate()
    .executeTakeFirst();
  if (!lender) throw new AppError('NOT_FOUND', NO_SUCH_PARTNER);
  return lender.status;
}

/** {@link lockPartner}, refusing a terminated partner with CONFLICT and `refusal`. */
export async function lockPartnerTakingChanges(
  trx: Executor<LenderTables>,
  lenderId: string,
  refusal: string,
): Promise<void> {
  if ((await lockPartner(trx, lenderId)) === 'terminated') throw new AppError('CONFLICT', refusal);
}
