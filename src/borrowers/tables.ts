import type { Generated } from 'kysely';

/** A borrower: one person as Lendgate knows them. Personal data lives in the vault tables. */
export interface BorrowerRow {
  id: string;
  status: 'active' | 'deleted';
  created_at: Generated<Date>;
}

/** A borrower's session, opened by a channel sign-in; only the token's SHA-256 is stored. */
export interface BorrowerSessionRow {
  token_hash: string;
  borrower_id: string;
  channel_code: string;
  created_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface BorrowerTables {
  borrowers: BorrowerRow;
  borrower_sessions: BorrowerSessionRow;
}
