/**
 * The book of one sandbox lender: applications, drawdowns, loans and the money ledger, and the
 * transitions each call makes. Pure apart from its own memory: the time and new ids are passed in,
 * nothing is sent from here — each transition returns the callbacks it causes, and the caller
 * delivers them.
 *
 * Effects are decided when the call arrives and become visible (to the status query) when their
 * callback is due, so a late callback can be pulled while it is still on its way.
 */
import { MoneyValidationError } from '../../src/money/index.ts';
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
import { initialSchedule, type LoanTerms, planInstallments, planPayoff, withAmount } from './loans.ts';
import {
  type ApplicantProfile,
  creditDecision,
  cstDate,
  drawdownRefusal,
  type ProductPolicy,
  preCheckDecision,
} from './policy.ts';
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

interface ApplicationRecord {
  readonly productCode: string;
  readonly decision: CreditDecisionCallback;
  readonly visibleAtMs: number;
  drawnFen: number;
  readonly drawdownIds: string[];
}

interface DrawdownRecord {
  readonly result: DisbursementCallback;
  readonly visibleAtMs: number;
}

interface LoanRecord {
  readonly loanId: string;
  readonly applicationId: string;
  readonly terms: LoanTerms;
  readonly visibleAtMs: number;
  installments: readonly ScheduleInstallment[];
  scheduleVersion: number;
  status: LoanStatus;
  statusVersion: number;
}

const ACCEPTED = { accepted: true } as const;

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
  /** Salted phone hashes (as sent in pre-checks) of current customers: declined as `existing_customer`. */
  readonly existingCustomers?: readonly string[];
  /** New loan ids; injected so tests get stable ids. */
  readonly newLoanId: () => string;
}

export class LenderBook {
  readonly #products: ReadonlyMap<string, ProductPolicy>;
  readonly #existing: ReadonlySet<string>;
  readonly #delays: OutcomeDelays;
  readonly #newLoanId: () => string;
  readonly #applications = new Map<string, ApplicationRecord>();
  readonly #drawdowns = new Map<string, DrawdownRecord>();
  readonly #loans = new Map<string, LoanRecord>();
  readonly #appliedPerDay = new Map<string, number>();
  readonly #ledger: LedgerEntry[] = [];

  constructor(options: LenderBookOptions) {
    this.#products = new Map(options.products.map((p) => [p.productCode, p]));
    this.#existing = new Set(options.existingCustomers ?? []);
    this.#delays = options.delays;
    this.#newLoanId = options.newLoanId;
  }

  #appliedToday(productCode: string, nowMs: number): number {
    return this.#appliedPerDay.get(`${productCode}@${cstDate(nowMs)}`) ?? 0;
  }

  preCheck(request: PreCheckRequest, nowMs: number): PreCheckResponse {
    return preCheckDecision(this.#products.get(request.productCode), request, {
      appliedToday: this.#appliedToday(request.productCode, nowMs),
      existingCustomer: this.#existing.has(request.phoneSha256),
    });
  }

  /** 进件: decides now (the applicant is reduced to a profile first), calls back after the delay. */
  apply(request: ApplyRequest, applicant: ApplicantProfile, nowMs: number): BookAnswer {
    if (this.#applications.has(request.applicationId))
      return invalid('this application id was already used with another request');
    const appliedToday = this.#appliedToday(request.productCode, nowMs);
    const decidedAtMs = nowMs + this.#delays.decisionMs;
    const outcome = creditDecision(this.#products.get(request.productCode), request, applicant, {
      appliedToday,
      decidedAtMs,
    });
    // Every application that is looked at counts against the quota; one refused for quota does not.
    if (outcome.reason !== 'over_quota')
      this.#appliedPerDay.set(`${request.productCode}@${cstDate(nowMs)}`, appliedToday + 1);
    const decision: CreditDecisionCallback = {
      applicationId: request.applicationId,
      ...outcome,
      decidedAt: iso(decidedAtMs),
    };
    this.#applications.set(request.applicationId, {
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
      callbacks: [
        {
          kind: 'credit-decision',
          body: decision,
          delayMs: this.#delays.decisionMs,
          stream: request.applicationId,
        },
      ],
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
    };
    if (reason === undefined) {
      try {
        installments = initialSchedule(terms);
      } catch (error) {
        if (!(error instanceof MoneyValidationError)) throw error;
        reason = 'invalid_terms';
      }
    }
    app.drawdownIds.push(request.drawdownId);
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
    this.#ledger.push({
      type: 'disbursement',
      businessId: request.drawdownId,
      loanId,
      applicationId: request.applicationId,
      occurredAt: result.disbursedAt,
      date: cstDate(disbursedAtMs),
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
  repay(request: RepayRequest, nowMs: number): BookAnswer {
    const loan = this.#visibleLoan(request.loanId, nowMs);
    if (loan === undefined) return notFound('the loan');
    const plan =
      request.kind === 'installment'
        ? planInstallments(loan.installments, request.periods ?? [])
        : planPayoff(loan.terms, loan.installments, cstDate(Date.parse(request.requestedAt)));
    const result = withAmount(plan, request.amountFen);
    if (!result.ok) return invalid(result.message);

    const delayMs = this.#delays.repaymentMs;
    const paidAt = iso(nowMs + delayMs);
    loan.installments = result.installments;
    loan.scheduleVersion += 1;
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
    this.#ledger.push({
      type: 'repayment',
      businessId: request.repaymentId,
      loanId: loan.loanId,
      applicationId: loan.applicationId,
      occurredAt: paidAt,
      date: cstDate(nowMs + delayMs),
      amountFen: result.totalFen,
      principalFen: result.principalFen,
      interestFen: result.interestFen,
      feeFen: result.feeFen,
      penaltyFen: result.penaltyFen,
    });
    const stream = loan.applicationId;
    const callbacks: PlannedCallback[] = [
      { kind: 'repayment', body: repayment, delayMs, stream },
      { kind: 'repayment-schedule', body: this.#schedule(loan), delayMs, stream },
    ];
    if (result.settled) {
      loan.status = 'settled';
      loan.statusVersion += 1;
      callbacks.push({
        kind: 'loan-status',
        body: { loanId: loan.loanId, status: 'settled', version: loan.statusVersion, asOf: paidAt },
        delayMs,
        stream,
      });
    }
    return { ok: true, status: 202, body: ACCEPTED, callbacks };
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
