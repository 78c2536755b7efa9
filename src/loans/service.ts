import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Executor, inTransaction, ownTables, type SharedExecutor } from '../db/transaction.ts';
import type { DayCount, RepaymentMethod } from '../money/index.ts';
import { isCallRequestBody } from '../protocol/contract-validators.ts';
import { enqueueLenderCall, type OutboxMessage } from '../protocol/outbox.ts';
import type { DeadLetterReason } from '../protocol/outbox-worker.ts';
import { chinaDate } from '../shared/china-date.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { isUuid } from '../shared/ids.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import { type InstallmentState, payoffFromSchedule, type SchedulePayoff } from './payoff.ts';
import type { ApplicationLifecycle } from './ports.ts';
import type { LoanRow, LoanTables } from './tables.ts';

export const REPAY_PATH = '/lendgate/v1/repayments';

/** Whether the borrower has a loan that still needs their data (not settled or written off). */
export async function hasActiveLoans(executor: SharedExecutor, borrowerId: string): Promise<boolean> {
  const row = await ownTables<LoanTables>(executor)
    .selectFrom('loans')
    .select('id')
    .where('borrower_id', '=', borrowerId)
    .where('status', 'in', ['repaying', 'overdue'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** An installment of a loan, as the lender last reported it. */
export type Installment = InstallmentState;

export interface Loan {
  readonly id: string;
  readonly applicationId: string;
  readonly partnerId: string;
  readonly productName: string;
  readonly lenderName: string;
  readonly principalFen: number;
  readonly termMonths: number;
  readonly method: string;
  readonly annualRate: string;
  readonly dayCount: string;
  readonly startDate: string;
  readonly status: LoanRow['status'];
  readonly scheduleVersion: number;
  readonly installments: Installment[];
}

/** A borrower's repayment as asked of the lender, and how it ended. */
export interface RepaymentRequest {
  readonly id: string;
  readonly kind: 'installment' | 'payoff';
  readonly periods: number[];
  readonly amountFen: number;
  /** `requested` until the lender confirms (`completed`) or refuses / cannot be reached (`failed`). */
  readonly status: 'requested' | 'completed' | 'failed';
  readonly failureCode: string | null;
  /** The lender's own words when it refused, else why the call was given up. */
  readonly failureReason: string | null;
  readonly createdAt: string;
}

/**
 * The borrower's side of a loan: their loans with the schedule as the lender last reported it,
 * the free early payoff quote, repaying installments or paying off early through the lender, and
 * how those repayment requests ended (a refused or undeliverable repay call fails its request).
 * What the lenders report (disbursement, schedule, repayments, status) is LoanCallbacks.
 */
export class LoanService {
  readonly #db: Executor<LoanTables>;
  readonly #clock: Clock;
  readonly #applications: Pick<ApplicationLifecycle, 'offerNames'>;

  /** `applications` gives the names the borrower applied under (the offer's product and lender). */
  constructor(
    db: Executor<LoanTables>,
    clock: Clock,
    applications: Pick<ApplicationLifecycle, 'offerNames'>,
  ) {
    this.#db = db;
    this.#clock = clock;
    this.#applications = applications;
    this.callDeadLettered = this.callDeadLettered.bind(this);
  }

  async list(principal: BorrowerPrincipal): Promise<Loan[]> {
    const rows = await this.#db
      .selectFrom('loans')
      .selectAll()
      .where('borrower_id', '=', principal.borrowerId)
      .orderBy('created_at', 'desc')
      .execute();
    return Promise.all(rows.map((row) => this.#withSchedule(this.#db, row)));
  }

  async get(
    principal: BorrowerPrincipal,
    id: string,
    executor: Executor<LoanTables> = this.#db,
  ): Promise<Loan> {
    const row = await executor
      .selectFrom('loans')
      .selectAll()
      .where('id', '=', id)
      .where('borrower_id', '=', principal.borrowerId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No such loan.');
    return this.#withSchedule(executor, row);
  }

  async #withSchedule(executor: Executor<LoanTables>, row: Selectable<LoanRow>): Promise<Loan> {
    const installments = await executor
      .selectFrom('loan_installments')
      .selectAll()
      .where('loan_id', '=', row.id)
      .orderBy('period')
      .execute();
    const names = await this.#applications.offerNames(executor, row.application_id);
    return {
      id: row.id,
      applicationId: row.application_id,
      partnerId: row.partner_id,
      ...names,
      principalFen: row.principal_fen,
      termMonths: row.term_months,
      method: row.method,
      annualRate: row.annual_rate,
      dayCount: row.day_count,
      startDate: row.start_date,
      status: row.status,
      scheduleVersion: row.schedule_version,
      installments: installments.map((i) => ({
        period: i.period,
        dueDate: i.due_date,
        principalFen: i.principal_fen,
        interestFen: i.interest_fen,
        feeFen: i.fee_fen,
        penaltyFen: i.penalty_fen,
        paidFen: i.paid_fen,
        status: i.status,
      })),
    };
  }

  /**
   * The free early payoff amount today, from the loan as the lender last reported it: interest only
   * up to today, none for a period already paid ahead, no fee (src/loans/payoff.ts).
   */
  async payoffQuote(
    principal: BorrowerPrincipal,
    id: string,
    executor: Executor<LoanTables> = this.#db,
  ): Promise<SchedulePayoff> {
    const loan = await this.get(principal, id, executor);
    if (loan.status === 'settled' || loan.status === 'written_off') {
      throw new AppError('INVALID_STATE', `The loan is ${loan.status}.`);
    }
    if (loan.installments.length === 0) {
      throw new AppError('INVALID_STATE', 'The lender has not sent the schedule yet.');
    }
    return payoffFromSchedule(
      {
        principalFen: loan.principalFen,
        termMonths: loan.termMonths,
        method: loan.method as RepaymentMethod,
        annualRate: loan.annualRate.replace(/0+$/, '').replace(/\.$/, ''),
        startDate: loan.startDate,
        dayCount: loan.dayCount as DayCount,
      },
      loan.installments,
      chinaDate(this.#clock()),
    );
  }

  /** Repays the given installments, or pays the loan off early, through the lender. */
  async repay(
    principal: BorrowerPrincipal,
    id: string,
    request: { kind: 'installment'; periods: readonly number[] } | { kind: 'payoff' },
  ): Promise<{ repaymentId: string; amountFen: number }> {
    return inTransaction(this.#db, async (trx) => {
      // Lock the loan so that two repayment requests are considered one after the other.
      const locked = await trx
        .selectFrom('loans')
        .select('id')
        .where('id', '=', id)
        .where('borrower_id', '=', principal.borrowerId)
        .forUpdate()
        .executeTakeFirst();
      if (!locked) throw new AppError('NOT_FOUND', 'No such loan.');
      const loan = await this.get(principal, id, trx);
      if (loan.status === 'settled' || loan.status === 'written_off') {
        throw new AppError('INVALID_STATE', `The loan is ${loan.status}.`);
      }
      const open = await trx
        .selectFrom('repayment_requests')
        .select('id')
        .where('loan_id', '=', id)
        .where('status', '=', 'requested')
        .executeTakeFirst();
      if (open) throw new AppError('CONFLICT', 'A repayment of this loan is already in progress.');
      let amountFen: number;
      let periods: number[];
      if (request.kind === 'payoff') {
        amountFen = (await this.payoffQuote(principal, id, trx)).totalFen;
        periods = loan.installments.filter((i) => i.status !== 'paid').map((i) => i.period);
      } else {
        periods = [...new Set(request.periods)].sort((a, b) => a - b);
        const due = periods.map((period) => loan.installments.find((i) => i.period === period));
        if (periods.length === 0 || due.some((i) => i === undefined)) {
          throw invalidField('body.periods', 'must name installments of this loan');
        }
        if (due.some((i) => i!.status === 'paid'))
          throw invalidField('body.periods', 'an installment is already paid');
        amountFen = due.reduce(
          (sum, i) => sum + i!.principalFen + i!.interestFen + i!.feeFen + i!.penaltyFen - i!.paidFen,
          0,
        );
      }
      if (amountFen <= 0) throw new AppError('INVALID_STATE', 'Nothing is left to repay.');
      const repaymentId = randomUUID();
      const now = this.#clock();
      await trx
        .insertInto('repayment_requests')
        .values({
          id: repaymentId,
          loan_id: id,
          borrower_id: principal.borrowerId,
          kind: request.kind,
          periods,
          amount_fen: amountFen,
          status: 'requested',
        })
        .execute();
      const lenderLoan = await trx
        .selectFrom('loans')
        .select('lender_loan_id')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await enqueueLenderCall(
        trx,
        {
          partnerId: loan.partnerId,
          call: 'repay',
          path: REPAY_PATH,
          requestId: `repay-${repaymentId}`,
          body: {
            loanId: lenderLoan.lender_loan_id,
            repaymentId,
            kind: request.kind,
            ...(request.kind === 'installment' ? { periods } : {}),
            amountFen,
            requestedAt: now.toISOString(),
          },
        },
        now,
      );
      return { repaymentId, amountFen };
    });
  }

  /**
   * The lender refused a repayment call, or it could not be delivered before the outbox gave up:
   * the request ends as failed with the reason, which unlocks the loan for another try.
   * Idempotent; a request already completed (its money confirmed by callback) stays completed.
   */
  async repaymentCallFailed(
    repaymentId: string,
    failure: { readonly code: string; readonly reason: string },
  ): Promise<boolean> {
    if (!isUuid(repaymentId)) return false;
    // Also fails a request still open after an operator requeued its call and the lender refused
    // again; a request that completed in the meantime is left alone by the status filter.
    const updated = await this.#db
      .updateTable('repayment_requests')
      .set({
        status: 'failed',
        failure_code: failure.code.slice(0, 64),
        failure_reason: failure.reason.slice(0, 300),
        failed_at: this.#clock(),
      })
      .where('id', '=', repaymentId)
      .where('status', '=', 'requested')
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /**
   * The outbox gave up a call of this module: a repay call's request fails with the reason. Bound
   * to the instance: it is handed out as the outbox's OnDeadLettered hook.
   */
  async callDeadLettered(message: OutboxMessage, reason: DeadLetterReason): Promise<void> {
    if (message.call !== 'repay' || !isCallRequestBody('repay', message.body)) return;
    await this.repaymentCallFailed(message.body.repaymentId, {
      code: reason.lenderError?.code ?? 'LENDER_UNREACHABLE',
      reason: reason.lenderError?.message || reason.error,
    });
  }

  /**
   * Loans whose lender owes an answer since before `cutoff` — a repayment request still open, or
   * no schedule yet — oldest first, by the lender's loan id: the pull fallback asks about them.
   */
  async awaitingLender(cutoff: Date, limit: number): Promise<{ lenderLoanId: string; partnerId: string }[]> {
    const requested = await this.#db
      .selectFrom('repayment_requests as r')
      .innerJoin('loans as l', 'l.id', 'r.loan_id')
      .select(['l.lender_loan_id', 'l.partner_id', 'r.created_at as since'])
      .where('r.status', '=', 'requested')
      .where('r.created_at', '<', cutoff)
      .orderBy('r.created_at')
      .limit(limit)
      .execute();
    const unscheduled = await this.#db
      .selectFrom('loans')
      .select(['lender_loan_id', 'partner_id', 'created_at as since'])
      .where('schedule_version', '=', 0)
      .where('created_at', '<', cutoff)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    const seen = new Set<string>();
    return [...requested, ...unscheduled]
      .sort((a, b) => a.since.getTime() - b.since.getTime())
      .filter((row) => {
        const key = `${row.partner_id}\u0000${row.lender_loan_id}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .slice(0, limit)
      .map((row) => ({ lenderLoanId: row.lender_loan_id, partnerId: row.partner_id }));
  }

  /** The borrower's repayment requests of a loan, newest first. */
  async repaymentRequests(principal: BorrowerPrincipal, id: string): Promise<RepaymentRequest[]> {
    const rows = await this.#db
      .selectFrom('repayment_requests')
      .selectAll()
      .where('loan_id', '=', id)
      .where('borrower_id', '=', principal.borrowerId)
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      periods: row.periods,
      amountFen: row.amount_fen,
      status: row.status,
      failureCode: row.failure_code,
      failureReason: row.failure_reason,
      createdAt: row.created_at.toISOString(),
    }));
  }

  async repayments(principal: BorrowerPrincipal, id: string) {
    await this.get(principal, id);
    const rows = await this.#db
      .selectFrom('loan_repayments')
      .selectAll()
      .where('loan_id', '=', id)
      .orderBy('paid_at')
      .execute();
    return rows.map((row) => ({
      repaymentId: row.lender_repayment_id,
      paidAt: row.paid_at.toISOString(),
      principalFen: row.principal_fen,
      interestFen: row.interest_fen,
      feeFen: row.fee_fen,
      penaltyFen: row.penalty_fen,
      periods: row.periods,
      earlyPayoff: row.early_payoff,
      reversalOf: row.reversal_of,
    }));
  }
}
