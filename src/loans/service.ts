import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Executor, inTransaction } from '../db/transaction.ts';
import {
  checkScheduleWithinCap,
  type DayCount,
  MoneyValidationError,
  type RepaymentMethod,
} from '../money/index.ts';
import { isCallRequestBody } from '../protocol/contract-validators.ts';
import type {
  DisbursementCallback,
  LoanStatusCallback,
  RepaymentCallback,
  RepaymentScheduleCallback,
} from '../protocol/envelope/index.ts';
import type { CallbackHandler } from '../protocol/inbound.ts';
import { enqueueLenderCall } from '../protocol/outbox.ts';
import type { OnDeadLettered } from '../protocol/outbox-worker.ts';
import { chinaDate } from '../shared/china-date.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { isUuid } from '../shared/ids.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import type { LoanEvents } from './events.ts';
import { payoffFromSchedule, type SchedulePayoff } from './payoff.ts';
import type { ApplicationLifecycle } from './ports.ts';
import type { LoanInstallmentRow, LoanRow } from './tables.ts';

export const REPAY_PATH = '/lendgate/v1/repayments';

/** Whether the borrower has a loan that still needs their data (not settled or written off). */
export async function hasActiveLoans(executor: Executor, borrowerId: string): Promise<boolean> {
  const row = await executor
    .selectFrom('loans')
    .select('id')
    .where('borrower_id', '=', borrowerId)
    .where('status', 'in', ['repaying', 'overdue'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The end of a loan learnt by the status pull (settled or written off), ingested like a callback. */
export interface PulledLoanEnd {
  readonly loanId: string;
  readonly status: 'settled' | 'written_off';
}

export interface Installment {
  readonly period: number;
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly penaltyFen: number;
  readonly paidFen: number;
  readonly status: LoanInstallmentRow['status'];
}

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
 * Loans as the lenders report them: created by a successful disbursement, their schedule replaced
 * by every newer schedule version, repayments recorded once each, status moved by newer status
 * versions. Lendgate checks what lenders push (the all-in APR of a schedule stays within the cap)
 * and lets the borrower repay or pay off early through the lender.
 */
export class LoanService {
  readonly #db: Executor;
  readonly #clock: Clock;
  readonly #applications: ApplicationLifecycle;
  readonly #events: LoanEvents | undefined;

  /**
   * `applications` owns the drawdowns and the application's state: it hears of each disbursement,
   * schedule and status change; `events` hears of each disbursement and repayment. Both inside
   * the callback's transaction.
   */
  constructor(db: Executor, clock: Clock, applications: ApplicationLifecycle, events?: LoanEvents) {
    this.#db = db;
    this.#clock = clock;
    this.#applications = applications;
    this.#events = events;
  }

  async #byLenderId(trx: Executor, partnerId: string, lenderLoanId: string) {
    return trx
      .selectFrom('loans')
      .selectAll()
      .where('partner_id', '=', partnerId)
      .where('lender_loan_id', '=', lenderLoanId)
      .forUpdate()
      .executeTakeFirst();
  }

  /** 放款结果: a successful disbursement opens the loan; a failure lets the borrower try again. */
  readonly disbursementHandler: CallbackHandler<DisbursementCallback> = async (
    trx,
    { partnerId, body, requestId },
  ) => {
    const result = body;
    // Locks the drawdown and its application; refuses one unknown or sent to another lender.
    const drawdown = await this.#applications.drawdownFor(trx, partnerId, result.drawdownId);
    if (drawdown.applicationId !== result.applicationId) {
      throw new AppError('VALIDATION_FAILED', 'applicationId does not match the drawdown.');
    }
    if (result.status === 'failed') {
      await this.#applications.drawdownFailed(trx, drawdown.drawdownId, result.reason ?? null, requestId);
      return { status: 'applied' };
    }
    if (result.principalFen !== drawdown.amountFen) {
      throw new AppError(
        'VALIDATION_FAILED',
        `principalFen ${result.principalFen} differs from the drawdown ${drawdown.amountFen}.`,
      );
    }
    // The lender's loan id names one loan of this lender: reusing it would open a second loan
    // under a name the lender's later callbacks cannot tell apart (a final refusal, not a 500).
    if (await this.#byLenderId(trx, partnerId, result.loanId)) {
      throw new AppError(
        'INVALID_STATE',
        `loanId ${result.loanId} already names another of your loans; send this drawdown's own loan id.`,
      );
    }
    const loanId = randomUUID();
    await trx
      .insertInto('loans')
      .values({
        id: loanId,
        application_id: drawdown.applicationId,
        borrower_id: drawdown.borrowerId,
        partner_id: partnerId,
        lender_loan_id: result.loanId,
        principal_fen: drawdown.amountFen,
        term_months: drawdown.termMonths,
        method: drawdown.method,
        annual_rate: drawdown.approvedApr ?? '0',
        day_count: drawdown.dayCount,
        start_date: result.startDate,
        status: 'repaying',
        schedule_version: 0,
        status_version: 0,
      })
      .execute();
    await this.#applications.drawdownSucceeded(
      trx,
      drawdown.drawdownId,
      { loanId, lenderLoanId: result.loanId },
      requestId,
    );
    await this.#events?.onDisbursed(trx, {
      loanId,
      partnerId,
      lenderLoanId: result.loanId,
      applicationId: drawdown.applicationId,
      drawdownId: drawdown.drawdownId,
      channelCode: drawdown.channelCode,
      principalFen: drawdown.amountFen,
      disbursedAt: result.disbursedAt,
      requestId,
    });
    return {
      status: 'applied',
      result: { loanId },
      provides: [`disbursement of loan ${result.loanId}`],
    };
  };

  /** 还款计划: the whole schedule, replaced by any newer version; older versions are ignored. */
  readonly scheduleHandler: CallbackHandler<RepaymentScheduleCallback> = async (
    trx,
    { partnerId, body, requestId },
  ) => {
    const schedule = body;
    const loan = await this.#byLenderId(trx, partnerId, schedule.loanId);
    if (!loan) return { status: 'deferred', waitingFor: `disbursement of loan ${schedule.loanId}` };
    if (schedule.version <= loan.schedule_version)
      return { status: 'applied', result: { ignored: 'stale version' } };
    const periods = schedule.installments.map((row) => row.period);
    if (new Set(periods).size !== periods.length)
      throw new AppError('VALIDATION_FAILED', 'Installment periods repeat.');
    const principal = schedule.installments.reduce((sum, row) => sum + row.principalFen, 0);
    if (principal !== loan.principal_fen) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Schedule principal ${principal} differs from the loan's ${loan.principal_fen}.`,
      );
    }
    // What the lender charges must stay within the cap, whatever it quoted before.
    const cap = scheduleWithinCap({
      amountReceivedFen: loan.principal_fen,
      startDate: loan.start_date,
      installments: schedule.installments.map((row) => ({
        dueDate: row.dueDate,
        totalFen: row.principalFen + row.interestFen + row.feeFen,
      })),
    });
    // Only the cap binds a lender: charging less than the floor (e.g. interest waived on an early
    // payoff) harms no borrower.
    if (!cap.ok && cap.reason === 'APR_ABOVE_CAP') {
      throw new AppError('APR_CAP_EXCEEDED', cap.message, { apr: cap.apr, limit: cap.limit });
    }
    await trx.deleteFrom('loan_installments').where('loan_id', '=', loan.id).execute();
    await trx
      .insertInto('loan_installments')
      .values(
        schedule.installments.map((row) => ({
          loan_id: loan.id,
          period: row.period,
          due_date: row.dueDate,
          principal_fen: row.principalFen,
          interest_fen: row.interestFen,
          fee_fen: row.feeFen,
          penalty_fen: row.penaltyFen,
          paid_fen: row.paidFen,
          status: row.status,
        })),
      )
      .execute();
    await trx
      .updateTable('loans')
      .set({ schedule_version: schedule.version })
      .where('id', '=', loan.id)
      .execute();
    // The schedule may show a repayment before its repayment callback arrives (callbacks can come
    // out of order): a request whose installments are all paid is complete either way.
    const paid = new Set(
      schedule.installments.filter((row) => row.status === 'paid').map((row) => row.period),
    );
    const open = await trx
      .selectFrom('repayment_requests')
      .select(['id', 'periods'])
      .where('loan_id', '=', loan.id)
      .where('status', '=', 'requested')
      .execute();
    const done = open
      .filter((request) => request.periods.every((period) => paid.has(period)))
      .map((r) => r.id);
    if (done.length > 0) {
      await trx
        .updateTable('repayment_requests')
        .set({ status: 'completed' })
        .where('id', 'in', done)
        .execute();
    }
    await this.#applications.loanScheduleReceived(trx, loan.application_id, requestId);
    return { status: 'applied', provides: [`schedule of loan ${schedule.loanId}`] };
  };

  /** 还款结果: recorded once per lender repayment id; kept until the loan's schedule is known. */
  readonly repaymentHandler: CallbackHandler<RepaymentCallback> = async (
    trx,
    { partnerId, body, requestId },
  ) => {
    const repayment = body;
    const loan = await this.#byLenderId(trx, partnerId, repayment.loanId);
    if (!loan || loan.schedule_version === 0) {
      return { status: 'deferred', waitingFor: `schedule of loan ${repayment.loanId}` };
    }
    // What cannot belong to this loan is refused for good: installments it does not have, or more
    // principal than it ever lent.
    const foreignPeriod = repayment.periods.find((period) => period > loan.term_months);
    if (foreignPeriod !== undefined) {
      throw new AppError(
        'VALIDATION_FAILED',
        `periods: installment ${foreignPeriod} does not exist; the loan has ${loan.term_months}.`,
      );
    }
    if (repayment.principalFen > loan.principal_fen) {
      throw new AppError(
        'VALIDATION_FAILED',
        `principalFen ${repayment.principalFen} is more than the loan's principal ${loan.principal_fen}.`,
      );
    }
    if (repayment.reversalOf !== undefined) {
      const original = await trx
        .selectFrom('loan_repayments')
        .select('id')
        .where('partner_id', '=', partnerId)
        .where('lender_repayment_id', '=', repayment.reversalOf)
        .executeTakeFirst();
      if (!original) return { status: 'deferred', waitingFor: `repayment ${repayment.reversalOf}` };
    }
    const recordId = randomUUID();
    await trx
      .insertInto('loan_repayments')
      .values({
        id: recordId,
        loan_id: loan.id,
        partner_id: partnerId,
        lender_repayment_id: repayment.repaymentId,
        paid_at: new Date(repayment.paidAt),
        principal_fen: repayment.principalFen,
        interest_fen: repayment.interestFen,
        fee_fen: repayment.feeFen,
        penalty_fen: repayment.penaltyFen,
        periods: [...repayment.periods],
        early_payoff: repayment.earlyPayoff,
        reversal_of: repayment.reversalOf ?? null,
      })
      .execute();
    await this.#events?.onRepaymentRecorded(trx, {
      id: recordId,
      loanId: loan.id,
      partnerId,
      lenderLoanId: loan.lender_loan_id,
      applicationId: loan.application_id,
      lenderRepaymentId: repayment.repaymentId,
      paidAt: repayment.paidAt,
      principalFen: repayment.principalFen,
      interestFen: repayment.interestFen,
      feeFen: repayment.feeFen,
      penaltyFen: repayment.penaltyFen,
      earlyPayoff: repayment.earlyPayoff,
      ...(repayment.reversalOf !== undefined ? { reversalOf: repayment.reversalOf } : {}),
      requestId,
    });
    // Money collected completes the borrower's open request of its kind; a reversal (a bounced
    // debit) collects nothing and completes nothing.
    if (repayment.reversalOf === undefined) {
      await trx
        .updateTable('repayment_requests')
        .set({ status: 'completed' })
        .where('loan_id', '=', loan.id)
        .where('status', '=', 'requested')
        .where('kind', '=', repayment.earlyPayoff ? 'payoff' : 'installment')
        .execute();
    }
    return { status: 'applied', provides: [`repayment ${repayment.repaymentId}`] };
  };

  /** 贷款状态: newer status versions move the loan (and its application); older ones are ignored. */
  readonly loanStatusHandler: CallbackHandler<LoanStatusCallback> = async (
    trx,
    { partnerId, body, requestId },
  ) => {
    const update = body;
    const loan = await this.#byLenderId(trx, partnerId, update.loanId);
    if (!loan) return { status: 'deferred', waitingFor: `disbursement of loan ${update.loanId}` };
    if (update.version <= loan.status_version)
      return { status: 'applied', result: { ignored: 'stale version' } };
    await trx
      .updateTable('loans')
      .set({ status: update.status, status_version: update.version })
      .where('id', '=', loan.id)
      .execute();
    await this.#applications.loanStatusChanged(trx, loan.application_id, update.status, requestId);
    return { status: 'applied' };
  };

  /**
   * A loan's end (settled, written off) learnt from the lender's status query rather than from a
   * loan-status callback: the status query carries no version, so only a terminal status — after
   * which nothing follows — is applied, and the version is left for the lender's own callbacks
   * (one arriving later with the same status is then a harmless repeat).
   */
  readonly pulledEndHandler: CallbackHandler<PulledLoanEnd> = async (trx, { partnerId, body, requestId }) => {
    const pulled = body;
    const loan = await this.#byLenderId(trx, partnerId, pulled.loanId);
    if (!loan) return { status: 'deferred', waitingFor: `disbursement of loan ${pulled.loanId}` };
    if (loan.status === pulled.status) return { status: 'applied', result: { ignored: 'already so' } };
    await trx.updateTable('loans').set({ status: pulled.status }).where('id', '=', loan.id).execute();
    await this.#applications.loanStatusChanged(trx, loan.application_id, pulled.status, requestId);
    return { status: 'applied' };
  };

  async list(principal: BorrowerPrincipal): Promise<Loan[]> {
    const rows = await this.#db
      .selectFrom('loans')
      .selectAll()
      .where('borrower_id', '=', principal.borrowerId)
      .orderBy('created_at', 'desc')
      .execute();
    return Promise.all(rows.map((row) => this.#withSchedule(this.#db, row)));
  }

  async get(principal: BorrowerPrincipal, id: string, executor: Executor = this.#db): Promise<Loan> {
    const row = await executor
      .selectFrom('loans')
      .selectAll()
      .where('id', '=', id)
      .where('borrower_id', '=', principal.borrowerId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No such loan.');
    return this.#withSchedule(executor, row);
  }

  async #withSchedule(executor: Executor, row: Selectable<LoanRow>): Promise<Loan> {
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
    executor: Executor = this.#db,
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

  /** The outbox gave up a call of this module: a repay call's request fails with the reason. */
  readonly callDeadLettered: OnDeadLettered = async (message, reason) => {
    if (message.call !== 'repay' || !isCallRequestBody('repay', message.body)) return;
    await this.repaymentCallFailed(message.body.repaymentId, {
      code: reason.lenderError?.code ?? 'LENDER_UNREACHABLE',
      reason: reason.lenderError?.message || reason.error,
    });
  };

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

/**
 * The cap check of a lender's schedule; a schedule the money module cannot read (due dates that are
 * not monthly dates of the start) is the lender's error, refused for good like any other invalid
 * body — not a defect left to retry.
 */
function scheduleWithinCap(input: Parameters<typeof checkScheduleWithinCap>[0]) {
  try {
    return checkScheduleWithinCap(input);
  } catch (error) {
    if (error instanceof MoneyValidationError) throw new AppError('VALIDATION_FAILED', error.message);
    throw error;
  }
}
