/** One balanced set of postings: the unit the ledger appends, chained by hash to the one before. */
export interface LedgerEntryRow {
  /** Position in the hash chain, 1, 2, 3… without gaps (assigned under the chain head's lock). */
  seq: number;
  kind: string;
  /** What caused the entry; (cause_type, cause_id) is unique, so posting is idempotent on it. */
  cause_type: string;
  cause_id: string;
  /** The request id of the lender callback or operator request that carried the cause. */
  request_id: string | null;
  /** When the money event happened (business time), e.g. the lender's `paidAt`. */
  occurred_at: Date;
  recorded_at: Date;
  /** Set on a reversing entry: the entry it cancels (each entry is reversed at most once). */
  reverses_seq: number | null;
  memo: string;
  prev_hash: string;
  hash: string;
}

/** One leg of an entry: positive amounts are debits, negative amounts credits. */
export interface LedgerPostingRow {
  entry_seq: number;
  account: string;
  amount_fen: number;
}

/** The single row holding the last entry of the chain; locked by every post. */
export interface LedgerChainHeadRow {
  id: number;
  seq: number;
  hash: string;
}

export interface LedgerTables {
  ledger_entries: LedgerEntryRow;
  ledger_postings: LedgerPostingRow;
  ledger_chain_head: LedgerChainHeadRow;
}
