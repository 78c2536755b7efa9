import type { SharedExecutor, SharedTransaction } from '../db/transaction.ts';
import type { LoanRow } from './tables.ts';

/**
 * What loans needs from the application life cycle, as a narrow interface (declared here, where it
 * is used, as `LoanEvents` is for settlement): the applications module implements it
 * (`applications/lifecycle.ts`) and owns every write behind it — the drawdowns and every change of
 * an application's state. Loans never touches the application tables.
 *
 * The callback methods run inside the transaction of the lender callback that caused them (`trx`),
 * so a refused or failed callback leaves the application as it was. `requestId` is the callback's
 * request id, recorded as the lender cause of the transition.
 */
export interface ApplicationLifecycle {
  /**
   * The drawdown a disbursement callback reports on, locked with its application for the rest of
   * the transaction. Refuses a drawdown it does not know (NOT_FOUND) and one whose application went
   * to another lender than `partnerId` (FORBIDDEN).
   */
  drawdownFor(trx: SharedTransaction, partnerId: string, drawdownId: string): Promise<DrawdownToDisburse>;
  /** The lender could not disburse: the drawdown fails with the lender's reason; the borrower may draw again. */
  drawdownFailed(
    trx: SharedTransaction,
    drawdownId: string,
    reason: string | null,
    requestId: string,
  ): Promise<void>;
  /** The lender disbursed the drawdown as its loan `lenderLoanId`, opened here as loan `loanId`. */
  drawdownSucceeded(
    trx: SharedTransaction,
    drawdownId: string,
    loan: { readonly loanId: string; readonly lenderLoanId: string },
    requestId: string,
  ): Promise<void>;
  /** The loan's schedule arrived: a disbursed application is now being repaid. */
  loanScheduleReceived(trx: SharedTransaction, applicationId: string, requestId: string): Promise<void>;
  /**
   * The loan's status moved (a loan-status callback, or the loan's end learnt by the status pull):
   * the application follows it until it is settled.
   */
  loanStatusChanged(
    trx: SharedTransaction,
    applicationId: string,
    status: LoanStatus,
    requestId: string,
  ): Promise<void>;
  /** The product and lender names the loan's application was made for, as offered at the time. */
  offerNames(
    executor: SharedExecutor,
    applicationId: string,
  ): Promise<{ productName: string; lenderName: string }>;
}

export type LoanStatus = LoanRow['status'];

/** A drawdown as the lender was asked for it, with what its loan takes from the application. */
export interface DrawdownToDisburse {
  readonly drawdownId: string;
  readonly applicationId: string;
  readonly borrowerId: string;
  /** The channel the borrower came through, for attribution. */
  readonly channelCode: string;
  readonly amountFen: number;
  readonly termMonths: number;
  readonly method: string;
  /** The approved APR (a numeric string), null if the application has none. */
  readonly approvedApr: string | null;
  readonly dayCount: string;
}
