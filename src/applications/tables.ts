import type { ColumnType, Generated } from 'kysely';

type Json<T = unknown> = ColumnType<T, string, string>;

export interface ApplicationRow {
  id: string;
  borrower_id: string;
  channel_code: string;
  lender_id: string;
  /** The lender's protocol identity (its code), as in X-Lendgate-Partner. */
  partner_id: string;
  product_id: string;
  product_code: string;
  /** Names as offered when the borrower applied, for the borrower's lists. */
  product_name: ColumnType<string, string | undefined, never>;
  lender_name: ColumnType<string, string | undefined, never>;
  requested_amount_fen: number;
  term_months: number;
  method: string;
  day_count: string;
  status: string;
  consent_id: string;
  approved_limit_fen: number | null;
  approved_apr: string | null;
  approved_terms: number[] | null;
  approved_methods: string[] | null;
  approval_valid_until: Date | null;
  decision_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Date;
}

/** Every transition of an application, with its cause: who or what made it happen. */
export interface ApplicationEventRow {
  id: Generated<number>;
  application_id: string;
  event: string;
  from_status: string;
  to_status: string;
  cause_type: 'borrower' | 'lender' | 'system';
  cause_id: string | null;
  at: Date;
  details: Json<Record<string, unknown>>;
}

export interface DrawdownRow {
  id: string;
  application_id: string;
  amount_fen: number;
  term_months: number;
  method: string;
  start_date: string;
  status: 'requested' | 'succeeded' | 'failed';
  lender_loan_id: string | null;
  failure_reason: string | null;
  created_at: Generated<Date>;
}

export interface ApplicationTables {
  applications: ApplicationRow;
  application_events: ApplicationEventRow;
  drawdowns: DrawdownRow;
}
