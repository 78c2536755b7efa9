/** The double-entry ledger: append-only, balanced, idempotent on causes, chained by hash. */
export { accounts, REVENUE_KINDS, type RevenueKind, UNATTRIBUTED_CHANNEL } from './accounts.ts';
export type { ChainProblem } from './hash-chain.ts';
export {
  type AccountBalance,
  type ChainVerification,
  type EntryCause,
  Ledger,
  type LedgerEntry,
  type NewEntry,
  type PostedEntry,
} from './ledger.ts';
export { type Posting, UnbalancedEntryError } from './postings.ts';
