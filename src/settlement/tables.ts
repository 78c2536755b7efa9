import type { ColumnType, Generated } from 'kysely';
import type { ContractTerms } from './contract-terms.ts';

type Json<T> = ColumnType<T, string, string>;
/** `YYYY-MM-DD` on both back ends (db/type-parsers.ts). */
type DateColumn = ColumnType<string, string, string>;

/** One version of a lender's revenue-share contract; never changed, superseded by a later version. */
export interface RevenueContractRow {
  id: string;
  lender_code: string;
  version: number;
  /** CST date from which this version prices events (their business date). */
  effective_from: DateColumn;
  terms: Json<ContractTerms>;
  reference: string | null;
  note: string | null;
  created_by: string | null;
  created_at: Date;
}

/**
 * One money event of a loan as settlement saw it — a disbursement, a repayment, or the reversal of
 * a repayment — with the fees it caused and the ledger entry that booked them. Append-only;
 * amounts of a reversal are the negated amounts of what it reverses.
 */
export interface FeeAccrualRow {
  id: Generated<number>;
  lender_code: string;
  channel_code: string;
  /** As in the lender's reconciliation file: `disbursement` or `repayment`. */
  record_type: 'disbursement' | 'repayment';
  /** drawdownId of a disbursement, the lender's repaymentId of a repayment. */
  business_id: string;
  /** Set on a reversal: the repayment id it reverses. */
  reversal_of: string | null;
  loan_id: string;
  lender_loan_id: string;
  application_id: string;
  occurred_at: Date;
  business_date: DateColumn;
  business_month: string;
  principal_fen: number;
  interest_fen: number;
  fee_fen: number;
  penalty_fen: number;
  early_payoff: boolean;
  contract_id: string | null;
  contract_version: number | null;
  /** Rates applied (service fee); the previous month's volume that chose the tier. */
  interest_bps: number;
  fee_bps: number;
  tier: number | null;
  tier_volume_fen: number | null;
  referral_fen: number;
  service_interest_fen: number;
  service_fee_fen: number;
  ledger_seq: number | null;
  request_id: string | null;
  note: string | null;
  recorded_at: Date;
}

/** Principal disbursed per lender and CST month, kept as accruals are recorded (for tiers). */
export interface MonthlyVolumeRow {
  lender_code: string;
  month: string;
  disbursed_fen: number;
  loans: number;
}

export type StatementStatus = 'draft' | 'issued' | 'confirmed' | 'disputed' | 'settled';

/** The money columns of a statement and of each of its lines (statement-builder.ts OwedAmounts). */
export interface StatementAmountColumns {
  disbursed_principal_fen: number;
  principal_collected_fen: number;
  interest_collected_fen: number;
  fees_collected_fen: number;
  referral_fen: number;
  service_interest_fen: number;
  service_fee_fen: number;
  total_fen: number;
}

export interface StatementRow extends StatementAmountColumns {
  id: string;
  lender_code: string;
  month: string;
  /** `*` for the lender's statement; a channel code for an internal attribution statement. */
  channel_scope: string;
  status: StatementStatus;
  /** Highest accrual id of the lender when generated; with the previous statement's, the cut. */
  watermark: number;
  previous_statement_id: string | null;
  line_count: number;
  event_count: number;
  settlement_ledger_seq: number | null;
  generated_at: Date;
  generated_by: string | null;
  updated_at: Date;
}

export interface StatementLineRow extends StatementAmountColumns {
  statement_id: string;
  line_no: number;
  loan_id: string;
  lender_loan_id: string;
  channel_code: string;
  /** The month of the events; earlier than the statement's month for a late (carried) line. */
  business_month: string;
  events: number;
}

export interface StatementEventRow {
  id: Generated<number>;
  statement_id: string;
  from_status: StatementStatus | null;
  to_status: StatementStatus;
  note: string | null;
  actor_type: string;
  actor_id: string | null;
  at: Date;
}

export interface ReconciliationRunRow {
  id: string;
  lender_code: string;
  file_date: DateColumn;
  file_name: string | null;
  file_sha256: string;
  content: string;
  file_rows: number;
  lendgate_records: number;
  matched: number;
  differences: number;
  imported_by: string | null;
  imported_at: Date;
}

export const DIFFERENCE_KINDS = [
  'missing_in_file',
  'missing_in_lendgate',
  'unknown_loan',
  'amount_mismatch',
  'status_mismatch',
  'duplicate',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export interface ReconciliationDifferenceRow {
  id: Generated<number>;
  run_id: string;
  kind: DifferenceKind;
  record_type: string;
  business_id: string;
  loan_id: string;
  /** Which fields differ (amount and status mismatches). */
  fields: string[];
  file_values: Json<Record<string, unknown> | null>;
  lendgate_values: Json<Record<string, unknown> | null>;
  message: string;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
}

export interface SettlementTables {
  revenue_contracts: RevenueContractRow;
  fee_accruals: FeeAccrualRow;
  settlement_monthly_volumes: MonthlyVolumeRow;
  statements: StatementRow;
  statement_lines: StatementLineRow;
  statement_events: StatementEventRow;
  reconciliation_runs: ReconciliationRunRow;
  reconciliation_differences: ReconciliationDifferenceRow;
}
