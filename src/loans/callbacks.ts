import { randomUUID } from 'node:crypto';
import { type Executor, ownTables, type SharedTransaction } from '../db/transaction.ts';
import { checkScheduleWithinCap, MoneyValidationError } from '../money/index.ts';
import type {
  DisbursementCallback,
  LoanStatusCallback,
  RepaymentCallback,
  RepaymentScheduleCallback,
} from '../protocol/envelope/index.ts';
import type { CallbackContext, CallbackOutcome } from '../protocol/inbound.ts';
import { AppError } from '../shared/errors.ts';
import type { LoanEvents } from './events.ts';
import type { ApplicationLifecycle } from './ports.ts';
import type { LoanTables } from './tables.ts';

/** The end of a loan learnt by the status pull (settled or written off), ingested like a callback. */
export interface PulledLoanEnd {
  readonly loanId: string;
  readonly status: 'settled' | 'written_off';
}

/**
 * Loans as the lenders report them, one handler per callback kind, each applied inside the
 * transaction of the callback that carries it: a successful disbursement creates the loan, every
 * newer schedule version replaces its schedule, each repayment is recorded once, newer status
 * versions move its status. Lendgate checks what lenders push (the all-in APR of a schedule stays
 * within the cap). The borrower's side of a loan (reading it, repaying) is LoanService.
 *
 * The handlers are methods bound to the instance, so that they can be handed out as plain
 * functions (`callbackHandler(kind, callbacks.disbursementHandler)`) and still show by name in
 * stack traces.
 */
/**
 * The prerequisites callbacks wait for and provide (protocol/inbound.ts): one spelling for both
 * sides, so that a deferred callback is retried exactly when what it waits for arrives.
 */
const prerequisite = {
  disbursement: (lenderLoanId: string) => `disbursement of loan ${lenderLoanId}`,
  schedule: (lenderLoanId: string) => `schedule of loan ${lenderLoanId}`,
  repayment: (lenderRepaymentId: string) => `repayment ${lenderRepaymentId}`,
};

/** Holds a callback back until `what` has arrived. */
function waitFor(what: string): CallbackOutcome {
  return { status: 'deferred', waitingFor: what };
}

/** The answer to a versioned update no newer than what the loan already has. */
const STALE_VERSION: CallbackOutcome = { status: 'applied', result: { ignored: 'stale version' } };

export class LoanCallbacks {
  readonly #applications: ApplicationLifecycle;
  readonly #events: LoanEvents | undefined;

  /**
   * `applications` owns the drawdowns and the application's state: it hears of each disbursement,
   * schedule and status change; `events` hears of each disbursement and repayment. Both inside
   * the callback's transaction.
   */
  constructor(applications: ApplicationLifecycle, events?: LoanEvents) {
    this.#applications = applications;
    this.#events = events;
    this.disbursementHandler = this.disbursementHandler.bind(this);
    this.scheduleHandler = this.scheduleHandler.bind(this);
    this.repaymentHandler = this.repaymentHandler.bind(this);
    this.loanStatusHandler = this.loanStatusHandler.bind(this);
    this.pulledEndHandler = this.pulledEndHandler.bind(this);
  }

  /** The loan a lender names by its own loan id, locked for the callback that changes it. */
  async #byLenderId(trx: Executor<LoanTables>, partnerId: string, lenderLoanId: string) {
    return trx
      .selectFrom('loans')
      .selectAll()
      .where('partner_id', '=', partnerId)
      .where('lender_loan_id', '=', lenderLoanId)
      .forUpdate()
      .executeTakeFirst();
  }

  /** 放款结果: a successful disbursement opens the loan; a failure lets the borrower try again. */
  async disbursementHandler(
    shared: SharedTransaction,
    { partnerId, body, requestId }: CallbackContext<DisbursementCallback>,
  ): Promise<CallbackOutcome> {
    const trx = ownTables<LoanTables>(shared);
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
      provides: [prerequisite.disbursement(result.loanId)],
    };
  }

  /** 还款计划: the whole schedule, replaced by any newer version; older versions are ignored. */
  async scheduleHandler(
    shared: SharedTransaction,
    { partnerId, body, requestId }: CallbackContext<RepaymentScheduleCallback>,
  ): Promise<CallbackOutcome> {
    const trx = ownTables<LoanTables>(shared);
    const schedule = body;
    const loan = await this.#byLenderId(trx, partnerId, schedule.loanId);
    if (!loan) return waitFor(prerequisite.disbursement(schedule.loanId));
    if (schedule.version <= loan.schedule_version) return STALE_VERSION;
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
    return { status: 'applied', provides: [prerequisite.schedule(schedule.loanId)] };
  }

  /** 还款结果: recorded once per lender repayment id; kept until the loan's schedule is known. */
  async repaymentHandler(
    shared: SharedTransaction,
    { partnerId, body, requestId }: CallbackContext<RepaymentCallback>,
  ): Promise<CallbackOutcome> {
    const trx = ownTables<LoanTables>(shared);
    const repayment = body;
    const loan = await this.#byLenderId(trx, partnerId, repayment.loanId);
    if (!loan || loan.schedule_version === 0) {
      return waitFor(prerequisite.schedule(repayment.loanId));
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
      if (!original) return waitFor(prerequisite.repayment(repayment.reversalOf));
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
    return { status: 'applied', provides: [prerequisite.repayment(repayment.repaymentId)] };
  }

  /** 贷款状态: newer status versions move the loan (and its application); older ones are ignored. */
  async loanStatusHandler(
    shared: SharedTransaction,
    { partnerId, body, requestId }: CallbackContext<LoanStatusCallback>,
  ): Promise<CallbackOutcome> {
    const trx = ownTables<LoanTables>(shared);
    const update = body;
    const loan = await this.#byLenderId(trx, partnerId, update.loanId);
    if (!loan) return waitFor(prerequisite.disbursement(update.loanId));
    if (update.version <= loan.status_version) return STALE_VERSION;
    await trx
      .updateTable('loans')
      .set({ status: update.status, status_version: update.version })
      .where('id', '=', loan.id)
      .execute();
    await this.#applications.loanStatusChanged(trx, loan.application_id, update.status, requestId);
    return { status: 'applied' };
  }

  /**
   * A loan's end (settled, written off) learnt from the lender's status query rather than from a
   * loan-status callback: the status query carries no version, so only a terminal status — after
   * which nothing follows — is applied, and the version is left for the lender's own callbacks
   * (one arriving later with the same status is then a harmless repeat).
   */
  async pulledEndHandler(
    shared: SharedTransaction,
    { partnerId, body, requestId }: CallbackContext<PulledLoanEnd>,
  ): Promise<CallbackOutcome> {
    const trx = ownTables<LoanTables>(shared);
    const pulled = body;
    const loan = await this.#byLenderId(trx, partnerId, pulled.loanId);
    if (!loan) return waitFor(prerequisite.disbursement(pulled.loanId));
    if (loan.status === pulled.status) return { status: 'applied', result: { ignored: 'already so' } };
    await trx.updateTable('loans').set({ status: pulled.status }).where('id', '=', loan.id).execute();
    await this.#applications.loanStatusChanged(trx, loan.application_id, pulled.status, requestId);
    return { status: 'applied' };
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
