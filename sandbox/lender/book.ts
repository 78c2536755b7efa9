/**
 * The book of one sandbox lender: applications, drawdowns, loans and the money ledger, and the
 * transitions each call makes. Pure apart from its own memory: the time and new ids are passed in,
 * nothing is sent from here — each transition returns the callbacks it causes, and the caller
 * delivers them.
 *
 * Effects are decided when the call arrives and become visible (to the status query) when their
 * callback is due, so a late callback can be pulled while it is still on its way.
 *
 * Persistence (store.ts) stays outside: the book is the working model, held in memory, and every
 * record a transition touches is handed over by `takeChanges()` for the caller to write through —
 * with the answer remembered and the callbacks queued, in one transaction — and a book is rebuilt
 * from what was written (`state`). So the transitions remain pure functions of the book, the call
 * and the time, tested without a database, and a call never waits on I/O between its check and its
 * effect (SQLite's synchronous API keeps the write inside the same synchronous step).
 */
import { createHash } from 'node:crypto';
import { chinaDate } from '../../src/shared/china-date.ts';
import type {
  ApplyRequest,
  CallbackBodies,
  CallbackKind,
  CreditDecisionCallback,
  DisbursementCallback,
  DrawdownRequest,
  LoanStatus,
  PreCheckRequest,
  PreCheckResponse,
  RepayRequest,
  ScheduleInstallment,
  StatusQueryRequest,
  StatusQueryResponse,
} from '../sdk/index.ts';
import { InvalidTermsError } from './calculator.ts';
import {
  hasOverdue,
  initialSchedule,
  type LoanTerms,
  type OverdueTerms,
  overdueSchedule,
  planInstallments,
  planPayoff,
  withAmount,
  withPrepaymentFee,
} from './loans.ts';
import {
  type ApplicantProfile,
  creditDecision,
  drawdownRefusal,
  type ProductPolicy,
  preCheckDecision,
} from './policy.ts';
import { CustomerIndex, type PreCheckKeyConfig } from './pre-check-keys.ts';
import type { LedgerEntry } from './reconciliation.ts';

/** How long after the call each kind of outcome is decided and called back. */
export interface OutcomeDelays {
  readonly decisionMs: number;
  readonly disbursementMs: number;
  readonly repaymentMs: number;
}

/** A callback a transition causes. Callbacks of one stream are delivered in order. */
export interface PlannedCallback<K extends CallbackKind = CallbackKind> {
  readonly kind: K;
  readonly body: CallbackBodies[K];
  readonly delayMs: number;
  /** Ordering key: the application id, so one loan's callbacks keep their order. */
  readonly stream: string;
}

export type BookAnswer =
  | {
      readonly ok: true;
      readonly status: number;
      readonly body: unknown;
      readonly callbacks: readonly PlannedCallback[];
    }
  | { readonly ok: false; readonly code: 'NOT_FOUND' | 'INVALID_STATE'; readonly message: string };

/** An application as the lender holds it (persisted as is). */
export interface ApplicationRecord {
  readonly applicationId: string;
  readonly productCode: string;
  readonly decision: CreditDecisionCallback;
  readonly visibleAtMs: number;
  drawnFen: number;
  readonly drawdownIds: string[];
}

export interface DrawdownRecord {
  readonly result: DisbursementCallback;
  readonly visibleAtMs: number;
}

export interface LoanRecord {
  readonly loanId: string;
  readonly applicationId: string;
  readonly terms: LoanTerms;
  readonly visibleAtMs: number;
  installments: readonly ScheduleInstallment[];
  scheduleVersion: number;
  status: LoanStatus;
  statusVersion: number;
}

/** Applications looked at per product and China Standard Time day, against the daily quota. */
export interface DayCount {
  readonly productCode: string;
  readonly day: string;
  readonly count: number;
}

/**
 * A book's records: all of them (`state()`, and what a book is rebuilt from), or those changed
 * since the last `takeChanges()`. The ledger only grows: `ledger` holds its entries from position
 * `ledgerFrom` on.
 */
export interface BookState {
  readonly applications: readonly ApplicationRecord[];
  readonly drawdowns: readonly DrawdownRecord[];
  readonly loans: readonly LoanRecord[];
  readonly appliedPerDay: readonly DayCount[];
  readonly ledgerFrom: number;
  readonly ledger: readonly LedgerEntry[];
}

export const EMPTY_BOOK: BookState = {
  applications: [],
  drawdowns: [],
  loans: [],
  appliedPerDay: [],
  ledgerFrom: 0,
  ledger: [],
};

/** What an apply meets besides the policy: the faults of the moment. */
export interface ApplyOptions {
  /** The decision is taken this much later than the configured delay (the status query says pending). */
  readonly decisionDelayMs?: number;
  /** Every application is rejected with this reason. */
  readonly rejectReason?: string | null;
  /** Every application is approved whatever the policy says about the applicant (a broken policy). */
  readonly approveAll?: boolean;
}

/** What a repay meets besides the loan: the faults of the moment. */
export interface RepayOptions {
  /** The debit bounces: the repayment is called back, then reversed. */
  readonly reverse?: boolean;
  /** An early payoff is charged this fee (fen) on top of principal and interest to date. */
  readonly prepaymentFeeFen?: number;
}

/** An installment fallen overdue: the callbacks, and what was charged. */
export interface OverdueOutcome {
  readonly callbacks: readonly PlannedCallback[];
  readonly periods: readonly number[];
  readonly penaltyFen: number;
  readonly capped: boolean;
}

const ACCEPTED = { accepted: true } as const;

/** The id of the reversal of a repayment: derived, so the same repayment always has the same one. */
export function reversalIdOf(repaymentId: string): string {
  const id = `rev:${repaymentId}`;
  return id.length <= 64 ? id : `rev:${createHash('sha256').update(repaymentId).digest('hex').slice(0, 60)}`;
}

function dayKey(productCode: string, day: string): string {
  return `${productCode}@${day}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function notFound(what: string): BookAnswer {
  return { ok: false, code: 'NOT_FOUND', message: `${what} is not known to this lender` };
}

function invalid(message: string): BookAnswer {
  return { ok: false, code: 'INVALID_STATE', message };
}

export interface LenderBookOptions {
  readonly products: readonly ProductPolicy[];
  readonly delays: OutcomeDelays;
  /** Phones and id numbers of current customers: their pre-checks are declined as `existing_customer`. */
  readonly existingCustomers?: readonly string[];
  /** The partner's pre-check keys: pre-checks under any other key id are declined as `unknown_hash_key`. */
  readonly preCheckKeys?: readonly PreCheckKeyConfig[];
  /** New loan ids; injected so tests get stable ids. */
  readonly newLoanId: () => string;
  /** The records to start from (a book read back from its store); none for an empty book. */
  readonly state?: BookState;
}

export class LenderBook {
  readonly #products: ReadonlyMap<string, ProductPolicy>;
  readonly #customers: CustomerIndex;
  readonly #delays: OutcomeDelays;
  readonly #newLoanId: () => string;
  readonly #applications = new Map<string, ApplicationRecord>();
  readonly #drawdowns = new Map<string, DrawdownRecord>();
  readonly #loans = new Map<string, LoanRecord>();
  readonly #appliedPerDay = new Map<string, DayCount>();
  readonly #ledger: LedgerEntry[] = [];
  // What changed since the last takeChanges(), by key; the ledger from #savedLedger on.
  readonly #dirty = {
    applications: new Set<string>(),
    drawdowns: new Set<string>(),
    loans: new Set<string>(),
    days: new Set<string>(),
  };
  #savedLedger = 0;

  constructor(options: LenderBookOptions) {
    this.#products = new Map(options.products.map((p) => [p.productCode, p]));
    this.#customers = new CustomerIndex(options.existingCustomers ?? [], options.preCheckKeys ?? []);
    this.#delays = options.delays;
    this.#newLoanId = options.newLoanId;
    const state = structuredClone(options.state ?? EMPTY_BOOK);
    for (const app of state.applications) this.#applications.set(app.applicationId, app);
    for (const d of state.drawdowns) this.#drawdowns.set(d.result.drawdownId, d);
    for (const loan of state.loans) this.#loans.set(loan.loanId, loan);
    for (const day of state.appliedPerDay) this.#appliedPerDay.set(dayKey(day.productCode, day.day), day);
    this.#ledger.push(...state.ledger);
    this.#savedLedger = this.#ledger.length;
  }

  #appliedToday(productCode: string, nowMs: number): number {
    return this.#appliedPerDay.get(dayKey(productCode, chinaDate(nowMs)))?.count ?? 0;
  }

  #countApplied(productCode: string, nowMs: number): void {
    const day = chinaDate(nowMs);
    const key = dayKey(productCode, day);
    this.#appliedPerDay.set(key, { productCode, day, count: this.#appliedToday(productCode, nowMs) + 1 });
    this.#dirty.days.add(key);
  }

  /** Every record, or only those changed (copies, so that later transitions do not reach them). */
  #records(changedOnly: boolean): BookState {
    const select = <T>(map: ReadonlyMap<string, T>, keys: ReadonlySet<string>): T[] =>
      changedOnly ? [...keys].map((k) => map.get(k)!) : [...map.values()];
    const ledgerFrom = changedOnly ? this.#savedLedger : 0;
    return structuredClone({
      applications: select(this.#applications, this.#dirty.applications),
      drawdowns: select(this.#drawdowns, this.#dirty.drawdowns),
      loans: select(this.#loans, this.#dirty.loans),
      appliedPerDay: select(this.#appliedPerDay, this.#dirty.days),
      ledgerFrom,
      ledger: this.#ledger.slice(ledgerFrom),
    });
  }

  /** Every record (copies). */
  state(): BookState {
    return this.#records(false);
  }

  /** The records changed since the last call (copies), to be written through; then forgets them. */
  takeChanges(): BookState {
    const changes = this.#records(true);
    for (const keys of Object.values(this.#dirty)) keys.clear();
    this.#savedLedger = this.#ledger.length;
    return changes;
  }

  /** Whether anything changed since the last `takeChanges()`. */
  hasChanges(): boolean {
    return (
      this.#savedLedger !== this.#ledger.length || Object.values(this.#dirty).some((keys) => keys.size > 0)
    );
  }

  preCheck(request: PreCheckRequest, nowMs: number): PreCheckResponse {
    const seen = this.#customers.recognise(request, nowMs);
    return preCheckDecision(this.#products.get(request.productCode), request, {
      appliedToday: this.#appliedToday(request.productCode, nowMs),
      existingCustomer: seen.existingCustomer,
      hashKeyKnown: seen.keyKnown,
    });
  }

  /** 进件: decides now (the applicant is reduced to a profile first), calls back after the delay. */
  apply(
    request: ApplyRequest,
    applicant: ApplicantProfile,
    nowMs: number,
    options: ApplyOptions = {},
  ): BookAnswer {
    if (this.#applications.has(request.applicationId))
      return invalid('this application id was already used with another request');
    const appliedToday = this.#appliedToday(request.productCode, nowMs);
    const delayMs = this.#delays.decisionMs + (options.decisionDelayMs ?? 0);
    const decidedAtMs = nowMs + delayMs;
    const product = this.#products.get(request.productCode);
    // The approve-all fault: the applicant is taken for one the product serves, whoever it is.
    const judged =
      options.approveAll && product !== undefined
        ? { ageBand: product.ageBands[0], region: '000000' }
        : applicant;
    const outcome =
      typeof options.rejectReason === 'string'
        ? { decision: 'rejected' as const, reason: options.rejectReason }
        : creditDecision(product, request, judged, { appliedToday, decidedAtMs });
    // Every application that is looked at counts against the quota; one refused for quota does not.
    if (outcome.reason !== 'over_quota') this.#countApplied(request.productCode, nowMs);
    const decision: CreditDecisionCallback = {
      applicationId: request.applicationId,
      ...outcome,
      decidedAt: iso(decidedAtMs),
    };
    this.#dirty.applications.add(request.applicationId);
    this.#applications.set(request.applicationId, {
      applicationId: request.applicationId,
      productCode: request.productCode,
      decision,
      visibleAtMs: decidedAtMs,
      drawnFen: 0,
      drawdownIds: [],
    });
    return {
      ok: true,
      status: 202,
      body: ACCEPTED,
      callbacks: [{ kind: 'credit-decision', body: decision, delayMs, stream: request.applicationId }],
    };
  }

  /** 借款: disburses (or fails) after the delay, then pushes the first schedule. */
  drawdown(request: DrawdownRequest, nowMs: number): BookAnswer {
    const app = this.#applications.get(request.applicationId);
    if (app === undefined) return notFound('the application');
    if (nowMs < app.visibleAtMs) return invalid('the application is not decided yet');
    if (this.#drawdowns.has(request.drawdownId))
      return invalid('this drawdown id was already used with another request');
    const delayMs = this.#delays.disbursementMs;
    const disbursedAtMs = nowMs + delayMs;
    const loanId = this.#newLoanId();
    const base = {
      drawdownId: request.drawdownId,
      applicationId: request.applicationId,
      loanId,
      principalFen: request.amountFen,
      disbursedAt: iso(disbursedAtMs),
      startDate: request.startDate,
    };
    const stream = request.applicationId;
    let reason = drawdownRefusal(app.decision, request, app.drawnFen, nowMs);
    let installments: ScheduleInstallment[] = [];
    const terms: LoanTerms = {
      principalFen: request.amountFen,
      termMonths: request.termMonths,
      method: request.method,
      apr: app.decision.apr ?? '',
      startDate: request.startDate,
      dayCount: this.#products.get(app.productCode)?.dayCount ?? 'ACT/360',
    };
    if (reason === undefined) {
      try {
        installments = initialSchedule(terms);
      } catch (error) {
        if (!(error instanceof InvalidTermsError)) throw error;
        reason = 'invalid_terms';
      }
    }
    app.drawdownIds.push(request.drawdownId);
    this.#dirty.applications.add(request.applicationId);
    this.#dirty.drawdowns.add(request.drawdownId);
    if (reason !== undefined) {
      const failed: DisbursementCallback = { ...base, status: 'failed', reason };
      this.#drawdowns.set(request.drawdownId, { result: failed, visibleAtMs: disbursedAtMs });
      return {
        ok: true,
        status: 202,
        body: ACCEPTED,
        callbacks: [{ kind: 'disbursement', body: failed, delayMs, stream }],
      };
    }
    const result: DisbursementCallback = { ...base, status: 'succeeded' };
    app.drawnFen += request.amountFen;
    this.#drawdowns.set(request.drawdownId, { result, visibleAtMs: disbursedAtMs });
    const loan: LoanRecord = {
      loanId,
      applicationId: request.applicationId,
      terms,
      visibleAtMs: disbursedAtMs,
      installments,
      scheduleVersion: 1,
      status: 'repaying',
      statusVersion: 0,
    };
    this.#loans.set(loanId, loan);
    this.#dirty.loans.add(loanId);
    this.#ledger.push({
      type: 'disbursement',
      businessId: request.drawdownId,
      loanId,
      applicationId: request.applicationId,
      occurredAt: result.disbursedAt,
      date: chinaDate(disbursedAtMs),
      amountFen: request.amountFen,
      principalFen: request.amountFen,
      interestFen: 0,
      feeFen: 0,
      penaltyFen: 0,
    });
    return {
      ok: true,
      status: 202,
      body: ACCEPTED,
      callbacks: [
        { kind: 'disbursement', body: result, delayMs, stream },
        { kind: 'repayment-schedule', body: this.#schedule(loan), delayMs, stream },
      ],
    };
  }

  #schedule(loan: LoanRecord): CallbackBodies['repayment-schedule'] {
    return { loanId: loan.loanId, version: loan.scheduleVersion, installments: loan.installments };
  }

  #visibleLoan(loanId: string, nowMs: number): LoanRecord | undefined {
    const loan = this.#loans.get(loanId);
    return loan !== undefined && nowMs >= loan.visibleAtMs ? loan : undefined;
  }

  /** 还款: settles installments or pays off; calls back the repayment, the new schedule, the status. */
  repay(request: RepayRequest, nowMs: number, options: RepayOptions = {}): BookAnswer {
    const loan = this.#visibleLoan(request.loanId, nowMs);
    if (loan === undefined) return notFound('the loan');
    const plan =
      request.kind === 'installment'
        ? planInstallments(loan.installments, request.periods ?? [])
        : withPrepaymentFee(
            planPayoff(loan.terms, loan.installments, chinaDate(Date.parse(request.requestedAt))),
            options.prepaymentFeeFen ?? 0,
          );
    const result = withAmount(plan, request.amountFen);
    if (!result.ok) return invalid(result.message);

    const delayMs = this.#delays.repaymentMs;
    const paidAt = iso(nowMs + delayMs);
    const before = loan.installments;
    loan.installments = result.installments;
    loan.scheduleVersion += 1;
    this.#dirty.loans.add(loan.loanId);
    const repayment: CallbackBodies['repayment'] = {
      loanId: loan.loanId,
      repaymentId: request.repaymentId,
      paidAt,
      principalFen: result.principalFen,
      interestFen: result.interestFen,
      feeFen: result.feeFen,
      penaltyFen: result.penaltyFen,
      periods: result.periods,
      earlyPayoff: result.earlyPayoff,
    };
    this.#record(loan, 'repayment', request.repaymentId, nowMs + delayMs, 1, result);
    const stream = loan.applicationId;
    const callbacks: PlannedCallback[] = [
      { kind: 'repayment', body: repayment, delayMs, stream },
      { kind: 'repayment-schedule', body: this.#schedule(loan), delayMs, stream },
      ...this.#statusChange(loan, nowMs + delayMs, delayMs),
    ];
    if (options.reverse) callbacks.push(...this.#reverse(loan, before, repayment, nowMs, 2 * delayMs));
    return { ok: true, status: 202, body: ACCEPTED, callbacks };
  }

  /** A repayment in the ledger; `sign` −1 for its reversal (a repayment row with negative amounts). */
  #record(
    loan: LoanRecord,
    type: LedgerEntry['type'],
    businessId: string,
    atMs: number,
    sign: 1 | -1,
    parts: { principalFen: number; interestFen: number; feeFen: number; penaltyFen: number },
  ): void {
    const amountFen = parts.principalFen + parts.interestFen + parts.feeFen + parts.penaltyFen;
    const signed = (fen: number) => (sign === 1 ? fen : 0 - fen); // 0 - 0 is 0, where -1 * 0 is -0
    this.#ledger.push({
      type,
      businessId,
      loanId: loan.loanId,
      applicationId: loan.applicationId,
      occurredAt: iso(atMs),
      date: chinaDate(atMs),
      amountFen: signed(amountFen),
      principalFen: signed(parts.principalFen),
      interestFen: signed(parts.interestFen),
      feeFen: signed(parts.feeFen),
      penaltyFen: signed(parts.penaltyFen),
    });
  }

  /** The loan's status as its schedule now says, with a loan-status callback when it moved. */
  #statusChange(loan: LoanRecord, atMs: number, delayMs: number): PlannedCallback[] {
    const open = loan.installments.some((row) => row.status === 'pending' || row.status === 'overdue');
    const status: LoanStatus = !open ? 'settled' : hasOverdue(loan.installments) ? 'overdue' : 'repaying';
    if (status === loan.status) return [];
    loan.status = status;
    loan.statusVersion += 1;
    this.#dirty.loans.add(loan.loanId);
    return [
      {
        kind: 'loan-status',
        body: { loanId: loan.loanId, status, version: loan.statusVersion, asOf: iso(atMs) },
        delayMs,
        stream: loan.applicationId,
      },
    ];
  }

  /**
   * The debit bounced (the `reverseRepayments` fault): a repayment callback with `reversalOf` and
   * the same parts, the installments it paid back as they were before it, the ledger's negative row.
   */
  #reverse(
    loan: LoanRecord,
    before: readonly ScheduleInstallment[],
    repayment: CallbackBodies['repayment'],
    nowMs: number,
    delayMs: number,
  ): PlannedCallback[] {
    const atMs = nowMs + delayMs;
    const reversed = new Set(repayment.periods);
    loan.installments = loan.installments.map((row) =>
      reversed.has(row.period) ? before.find((b) => b.period === row.period)! : row,
    );
    loan.scheduleVersion += 1;
    const reversal: CallbackBodies['repayment'] = {
      ...repayment,
      repaymentId: reversalIdOf(repayment.repaymentId),
      paidAt: iso(atMs),
      reversalOf: repayment.repaymentId,
    };
    this.#record(loan, 'repayment', reversal.repaymentId, atMs, -1, repayment);
    const stream = loan.applicationId;
    return [
      { kind: 'repayment', body: reversal, delayMs, stream },
      { kind: 'repayment-schedule', body: this.#schedule(loan), delayMs, stream },
      ...this.#statusChange(loan, atMs, delayMs),
    ];
  }

  /**
   * The `overdue` fault: installment `period` of the loan (default the earliest unpaid) and any
   * unpaid one before it fall overdue, each charged its penalty (loans.ts `overdueSchedule`); the
   * schedule is pushed with the next version and the loan's status becomes `overdue`. Nothing
   * happens (`undefined`) to a loan that is unknown, ended, or has no pending installment there.
   * A loan not yet disbursed falls overdue when it is (its callbacks come after the disbursement's).
   */
  markOverdue(loanId: string, overdue: OverdueTerms, nowMs: number): OverdueOutcome | undefined {
    const loan = this.#loans.get(loanId);
    if (loan === undefined || loan.status === 'settled' || loan.status === 'written_off') return undefined;
    const plan = overdueSchedule(loan.terms, loan.installments, overdue);
    if (plan === undefined) return undefined;
    const atMs = Math.max(nowMs, loan.visibleAtMs);
    const delayMs = atMs - nowMs;
    loan.installments = plan.installments;
    loan.scheduleVersion += 1;
    this.#dirty.loans.add(loanId);
    const callbacks: PlannedCallback[] = [
      { kind: 'repayment-schedule', body: this.#schedule(loan), delayMs, stream: loan.applicationId },
      ...this.#statusChange(loan, atMs, delayMs),
    ];
    return { callbacks, periods: plan.periods, penaltyFen: plan.penaltyFen, capped: plan.capped };
  }

  /** Ids of the loans still being repaid (disbursed, not settled or written off). */
  openLoanIds(): string[] {
    return [...this.#loans.values()]
      .filter((loan) => loan.status === 'repaying' || loan.status === 'overdue')
      .map((loan) => loan.loanId);
  }

  /** The pull fallback: the state as it stands now, in the shapes of the callbacks. */
  statusQuery(request: StatusQueryRequest, nowMs: number): BookAnswer {
    let answer: StatusQueryResponse = {};
    if (request.applicationId !== undefined) {
      const app = this.#applications.get(request.applicationId);
      if (app === undefined) return notFound('the application');
      const application =
        nowMs >= app.visibleAtMs
          ? app.decision
          : { applicationId: request.applicationId, decision: 'pending' as const };
      const drawdowns = app.drawdownIds.map((id) => {
        const d = this.#drawdowns.get(id)!;
        return nowMs >= d.visibleAtMs
          ? d.result
          : { drawdownId: id, applicationId: request.applicationId!, status: 'processing' as const };
      });
      answer = { application, ...(drawdowns.length > 0 ? { drawdowns } : {}) };
    }
    if (request.loanId !== undefined) {
      const loan = this.#visibleLoan(request.loanId, nowMs);
      if (loan === undefined) return notFound('the loan');
      answer = { ...answer, loan: { status: loan.status, schedule: this.#schedule(loan) } };
    }
    return { ok: true, status: 200, body: answer, callbacks: [] };
  }

  /** Every money movement so far, for the reconciliation file. */
  ledger(): readonly LedgerEntry[] {
    return this.#ledger;
  }
}
