import type { SharedTransaction } from '../db/transaction.ts';

/** A loan just opened by a successful disbursement callback. */
export interface DisbursedLoan {
  readonly loanId: string;
  readonly partnerId: string;
  readonly lenderLoanId: string;
  readonly applicationId: string;
  readonly drawdownId: string;
  /** The channel the borrower came through, for attribution. */
  readonly channelCode: string;
  readonly principalFen: number;
  /** ISO instant of the disbursement, as the lender reported it. */
  readonly disbursedAt: string;
  /** The callback's request id. */
  readonly requestId: string;
}

/** A lender repayment just recorded (or the reversal of one, with `reversalOf`). */
export interface RecordedRepayment {
  readonly id: string;
  readonly loanId: string;
  readonly partnerId: string;
  readonly lenderLoanId: string;
  readonly applicationId: string;
  readonly lenderRepaymentId: string;
  readonly paidAt: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly penaltyFen: number;
  readonly earlyPayoff: boolean;
  readonly reversalOf?: string;
  readonly requestId: string;
}

/**
 * Listeners of loan money events, called inside the transaction of the callback that caused them
 * (so their effect commits or rolls back with it, exactly once per callback). Throwing refuses
 * the callback.
 */
export interface LoanEvents {
  onDisbursed(trx: SharedTransaction, loan: DisbursedLoan): Promise<void>;
  onRepaymentRecorded(trx: SharedTransaction, repayment: RecordedRepayment): Promise<void>;
}
