/**
 * Pure checks of a posting set before it reaches the database (which checks the sum again at
 * commit): integer fen, no zero legs, legs to one account merged, at least two legs, sum zero.
 */
import { isAccountName } from './accounts.ts';

export interface Posting {
  readonly account: string;
  /** Debit positive, credit negative, integer fen. */
  readonly amountFen: number;
}

export class UnbalancedEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnbalancedEntryError';
  }
}

/**
 * Returns the postings merged by account, without zero legs, sorted by account name (the order the
 * hash chain uses). Throws UnbalancedEntryError unless they sum to zero over two or more accounts.
 */
export function normalizePostings(postings: readonly Posting[]): Posting[] {
  const byAccount = new Map<string, number>();
  for (const { account, amountFen } of postings) {
    if (!isAccountName(account)) throw new UnbalancedEntryError(`"${account}" is not an account name`);
    if (!Number.isSafeInteger(amountFen)) {
      throw new UnbalancedEntryError(`${account}: ${amountFen} is not an integer amount of fen`);
    }
    byAccount.set(account, (byAccount.get(account) ?? 0) + amountFen);
  }
  const merged = [...byAccount]
    .filter(([, amountFen]) => amountFen !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([account, amountFen]) => ({ account, amountFen }));
  const total = merged.reduce((sum, p) => sum + p.amountFen, 0);
  if (merged.length < 2) throw new UnbalancedEntryError('an entry needs postings to two or more accounts');
  if (total !== 0) throw new UnbalancedEntryError(`postings sum to ${total} fen, not 0`);
  return merged;
}

/** The postings that cancel `postings` exactly (a reversing entry). */
export function negatePostings(postings: readonly Posting[]): Posting[] {
  return postings.map((p) => ({ account: p.account, amountFen: -p.amountFen }));
}
