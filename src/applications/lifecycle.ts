import type { Updateable } from 'kysely';
import { type Executor, ownTables, type SharedExecutor, type SharedTransaction } from '../db/transaction.ts';
import type { ApplicationLifecycle, DrawdownToDisburse, LoanStatus } from '../loans/ports.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { isUuid } from '../shared/ids.ts';
import { applicationNames, applyEvent, lockApplication } from './repository.ts';
import type { ApplicationEvent } from './state-machine.ts';
import type { ApplicationTables, DrawdownRow } from './tables.ts';

/** The application event each loan status means (a written-off loan leaves its application be). */
const STATUS_EVENTS: Readonly<Record<LoanStatus, ApplicationEvent | undefined>> = {
  repaying: 'loan_current',
  overdue: 'loan_overdue',
  settled: 'loan_settled',
  written_off: undefined,
};

/**
 * The application side of a loan (loans/ports.ts): what the lender's disbursement, schedule and
 * status callbacks do to the drawdown and to the application's state. Each method works in the
 * callback's transaction, on rows it locks itself.
 */
export class ApplicationLifecycleService implements ApplicationLifecycle {
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async drawdownFor(
    shared: SharedTransaction,
    partnerId: string,
    drawdownId: string,
  ): Promise<DrawdownToDisburse> {
    const trx = ownTables<ApplicationTables>(shared);
    // Drawdown ids are the platform's UUIDs; any other id the contract allows is simply unknown.
    const drawdown = isUuid(drawdownId) ? await this.#lockDrawdown(trx, drawdownId) : undefined;
    const application = drawdown ? await lockApplication(trx, drawdown.application_id) : undefined;
    if (!drawdown || !application) throw new AppError('NOT_FOUND', `No drawdown ${drawdownId}.`);
    if (application.partner_id !== partnerId)
      throw new AppError('FORBIDDEN', 'This drawdown was not sent to you.');
    return {
      drawdownId: drawdown.id,
      applicationId: application.id,
      borrowerId: application.borrower_id,
      channelCode: application.channel_code,
      amountFen: drawdown.amount_fen,
      termMonths: drawdown.term_months,
      method: drawdown.method,
      approvedApr: application.approved_apr,
      dayCount: application.day_count,
    };
  }

  async drawdownFailed(
    shared: SharedTransaction,
    drawdownId: string,
    reason: string | null,
    requestId: string,
  ): Promise<void> {
    await this.#drawdownSettled(shared, drawdownId, requestId, {
      columns: { status: 'failed', failure_reason: reason },
      event: 'disbursement_failed',
      details: {},
    });
  }

  async drawdownSucceeded(
    shared: SharedTransaction,
    drawdownId: string,
    loan: { readonly loanId: string; readonly lenderLoanId: string },
    requestId: string,
  ): Promise<void> {
    await this.#drawdownSettled(shared, drawdownId, requestId, {
      columns: { status: 'succeeded', lender_loan_id: loan.lenderLoanId },
      event: 'disbursement_succeeded',
      details: { loanId: loan.loanId },
    });
  }

  /**
   * The lender's disbursement outcome: the drawdown gets its final columns and the application
   * its event, caused by the lender's callback, both on rows locked here.
   */
  async #drawdownSettled(
    shared: SharedTransaction,
    drawdownId: string,
    requestId: string,
    outcome: {
      readonly columns: Updateable<DrawdownRow>;
      readonly event: ApplicationEvent;
      readonly details: Record<string, unknown>;
    },
  ): Promise<void> {
    const trx = ownTables<ApplicationTables>(shared);
    const { drawdown, application } = await this.#locked(trx, drawdownId);
    await trx.updateTable('drawdowns').set(outcome.columns).where('id', '=', drawdown.id).execute();
    await applyEvent(
      trx,
      application,
      outcome.event,
      { type: 'lender', id: requestId },
      this.#clock(),
      {},
      { drawdownId: drawdown.id, ...outcome.details },
    );
  }

  async loanScheduleReceived(
    shared: SharedTransaction,
    applicationId: string,
    requestId: string,
  ): Promise<void> {
    const trx = ownTables<ApplicationTables>(shared);
    const application = await lockApplication(trx, applicationId);
    if (application?.status === 'disbursed') {
      await applyEvent(
        trx,
        application,
        'schedule_received',
        { type: 'lender', id: requestId },
        this.#clock(),
      );
    }
  }

  async loanStatusChanged(
    shared: SharedTransaction,
    applicationId: string,
    status: LoanStatus,
    requestId: string,
  ): Promise<void> {
    const trx = ownTables<ApplicationTables>(shared);
    const event = STATUS_EVENTS[status];
    const application = await lockApplication(trx, applicationId);
    if (event && application && application.status !== 'settled') {
      await applyEvent(trx, application, event, { type: 'lender', id: requestId }, this.#clock());
    }
  }

  offerNames(
    executor: SharedExecutor,
    applicationId: string,
  ): Promise<{ productName: string; lenderName: string }> {
    return applicationNames(ownTables<ApplicationTables>(executor), applicationId);
  }

  #lockDrawdown(trx: Executor<ApplicationTables>, id: string) {
    return trx.selectFrom('drawdowns').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** The drawdown and its application, locked (already, by drawdownFor, in the same transaction). */
  async #locked(trx: Executor<ApplicationTables>, drawdownId: string) {
    const drawdown = isUuid(drawdownId) ? await this.#lockDrawdown(trx, drawdownId) : undefined;
    const application = drawdown ? await lockApplication(trx, drawdown.application_id) : undefined;
    if (!drawdown || !application) throw new AppError('NOT_FOUND', `No drawdown ${drawdownId}.`);
    return { drawdown, application };
  }
}
