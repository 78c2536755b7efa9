import type { ColumnType, Generated } from 'kysely';

export interface LoanRow {
  id: string;
  application_id: string;
  borrower_id: string;
  partner_id: string;
  /** The lender's own id of the loan, as in its callbacks. */
  lender_loan_id: string;
  principal_fen: number;
  term_months: number;
  method: string;
  annual_rate: string;
  day_count: string;
  start_date: string;
  status: 'repaying' | 'overdue' | 'settled' | 'written_off';
  schedule_version: number;
  status_version: number;
  created_at: Generated<Date>;
}

export interface LoanInstallmentRow {
  loan_id: string;
  period: number;
  due_date: string;
  principal_fen: number;
  interest_fen: number;
  fee_fen: number;
  penalty_fen: number;
  paid_fen: number;
  status: 'pending' | 'paid' | 'overdue' | 'waived';
}

/** Money the lender reports collected on a loan, or a reversal of an earlier report. */
export interface LoanRepaymentRow {
  id: string;
  loan_id: string;
  partner_id: string;
  lender_repayment_id: string;
  paid_at: Date;
  principal_fen: number;
  interest_fen: number;
  fee_fen: number;
  penalty_fen: number;
  periods: number[];
  early_payoff: boolean;
  reversal_of: string | null;
  created_at: Generated<Date>;
}

/** A repayment the borrower asked for in Lendgate, sent to the lender through the outbox. */
export interface RepaymentRequestRow {
  id: string;
  loan_id: string;
  borrower_id: string;
  kind: 'installment' | 'payoff';
  periods: number[];
  amount_fen: number;
  status: 'requested' | 'completed' | 'failed';
  created_at: Generated<Date>;
  /** For a failed request: the lender's error code (or why the call was given up) and its words. */
  failure_code: ColumnType<string | null, string | null | undefined, string | null>;
  failure_reason: ColumnType<string | null, string | null | undefined, string | null>;
  failed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface LoanTables {
  loans: LoanRow;
  loan_installments: LoanInstallmentRow;
  loan_repayments: LoanRepaymentRow;
  repayment_requests: RepaymentRequestRow;
}
