import type { BorrowerPlan } from './plan.ts';
import { drawn, paysOff, repaysInstallment } from './plan.ts';

/**
 * A borrower's client as a real one would be written against the borrower API, facing servers
 * that die mid-request:
 *
 * - an answer 2xx or 4xx (but 408/429) is definitive;
 * - 408/429 means the request was not taken: it is sent again after a pause;
 * - no answer (connection dropped, timeout) or a 5xx means the outcome is unknown. Reads and
 *   requests idempotent by contract (profile PUT, consent POST — "200 when the same consent is
 *   already active" —, sign-in, offers) are simply sent again. The others are not idempotent
 *   (apply, drawdown, repayment create a new id each time): the client re-reads its state first
 *   and only sends again when the request is not there.
 */

export interface ClientStats {
  requests: number;
  /** Requests whose outcome was unknown (no answer, 5xx). */
  unknown: number;
  /** Unknown outcomes of non-idempotent requests resolved by re-reading state. */
  rereads: number;
  /** Of those, how many had in fact taken effect. */
  tookEffect: number;
  /** 429/408 answers (rate limits). */
  throttled: number;
  /** 5xx answers, by status. */
  serverErrors: Record<string, number>;
  /** Requests that got no answer at all. */
  dropped: number;
}

export function emptyStats(): ClientStats {
  return { requests: 0, unknown: 0, rereads: 0, tookEffect: 0, throttled: 0, serverErrors: {}, dropped: 0 };
}

type Reply =
  | { readonly kind: 'ok'; readonly status: number; readonly json: Record<string, unknown> }
  | { readonly kind: 'refused'; readonly status: number; readonly code: string; readonly json: unknown }
  | { readonly kind: 'unknown'; readonly status: number | undefined; readonly why: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ChaosFailure extends Error {
  override readonly name = 'ChaosFailure';
}

interface Application {
  readonly id: string;
  readonly status: string;
  readonly productId: string;
  readonly approval: { readonly apr: string; readonly limitFen: number } | null;
  readonly decisionReason: string | null;
}
interface Installment {
  readonly period: number;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly status: string;
}
interface Loan {
  readonly id: string;
  readonly applicationId: string;
  readonly status: string;
  readonly installments: readonly Installment[];
}
interface LoanView {
  readonly loan: Loan;
  readonly repayments: readonly { readonly periods: number[]; readonly earlyPayoff: boolean }[];
  /** Newer servers list the borrower's repayment requests; used when present. */
  readonly repaymentRequests?: readonly { readonly kind: string; readonly status: string }[];
}

/** What the client saw of its journey, for the final checks. */
export interface JourneyRecord {
  applicationId?: string;
  applicationStatus?: string;
  decisionReason?: string | null;
  disclosure?: { readonly apr: string; readonly totalRepaymentFen: number; readonly installments: unknown[] };
  loanId?: string;
  installmentAmountFen?: number;
  payoffQuote?: { readonly principalFen: number; readonly interestFen: number; readonly totalFen: number };
  payoffAmountFen?: number;
  finishedAtMs?: number;
}

export interface ClientOptions {
  readonly baseUrl: string;
  readonly stats: ClientStats;
  /** How long to wait for a lender's answer to show (decision, loan, repayment). */
  readonly waitMs: number;
  readonly requestTimeoutMs: number;
  /** Counts the client's progress, for the chaos controller. */
  readonly onStep?: () => void;
}

export class BorrowerClient {
  readonly #o: ClientOptions;
  readonly #plan: BorrowerPlan;
  #token = '';
  readonly record: JourneyRecord = {};

  constructor(plan: BorrowerPlan, options: ClientOptions) {
    this.#plan = plan;
    this.#o = options;
  }

  async #send(method: string, path: string, body?: unknown): Promise<Reply> {
    const stats = this.#o.stats;
    stats.requests += 1;
    let response: Response;
    try {
      response = await fetch(`${this.#o.baseUrl}${path}`, {
        method,
        headers: {
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#o.requestTimeoutMs),
      });
    } catch (error) {
      stats.dropped += 1;
      return {
        kind: 'unknown',
        status: undefined,
        why: error instanceof Error ? error.message : String(error),
      };
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      json = undefined;
    }
    const status = response.status;
    if (status >= 200 && status < 300)
      return { kind: 'ok', status, json: (json ?? {}) as Record<string, unknown> };
    if (status >= 500) {
      stats.serverErrors[status] = (stats.serverErrors[status] ?? 0) + 1;
      return { kind: 'unknown', status, why: JSON.stringify(json)?.slice(0, 300) ?? '' };
    }
    const code = (json as { error?: { code?: string } } | undefined)?.error?.code ?? String(status);
    return { kind: 'refused', status, code, json };
  }

  /** Sends until the answer is definitive; only for requests that are safe to repeat. */
  async #idempotent(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Reply & { kind: 'ok' | 'refused' }> {
    for (let attempt = 1; ; attempt++) {
      const reply = await this.#send(method, path, body);
      if (reply.kind === 'refused' && (reply.status === 429 || reply.status === 408)) {
        this.#o.stats.throttled += 1;
        await sleep(Math.min(2_000, 100 * attempt));
        continue;
      }
      if (reply.kind !== 'unknown') return reply;
      this.#o.stats.unknown += 1;
      if (attempt > 60)
        throw new ChaosFailure(`${method} ${path}: no definitive answer after ${attempt} tries`);
      await sleep(Math.min(1_000, 100 * attempt));
    }
  }

  async #ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const reply = await this.#idempotent(method, path, body);
    if (reply.kind !== 'ok')
      throw new ChaosFailure(
        `${method} ${path} → ${reply.status} ${JSON.stringify(reply.json).slice(0, 300)}`,
      );
    return reply.json as T;
  }

  /**
   * A request that is not idempotent: on an unknown outcome, `reread` looks at the state and says
   * whether it took effect (its value) or not (`undefined`, and the request is sent again).
   */
  async #once<T>(
    method: string,
    path: string,
    body: unknown,
    reread: () => Promise<T | undefined>,
    onRefused?: (reply: Reply & { kind: 'refused' }) => Promise<T | undefined>,
  ): Promise<{ readonly value: T | Record<string, unknown>; readonly fresh: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const reply = await this.#send(method, path, body);
      if (reply.kind === 'ok') return { value: reply.json, fresh: true };
      if (reply.kind === 'refused') {
        if (reply.status === 429 || reply.status === 408) {
          this.#o.stats.throttled += 1;
          await sleep(Math.min(2_000, 100 * attempt));
          continue;
        }
        const handled = await onRefused?.(reply);
        if (handled !== undefined) return { value: handled, fresh: false };
        throw new ChaosFailure(
          `${method} ${path} → ${reply.status} ${JSON.stringify(reply.json).slice(0, 300)}`,
        );
      }
      this.#o.stats.unknown += 1;
      this.#o.stats.rereads += 1;
      if (attempt > 30)
        throw new ChaosFailure(`${method} ${path}: no definitive answer after ${attempt} tries`);
      await sleep(Math.min(1_000, 150 * attempt));
      const seen = await reread();
      if (seen !== undefined) {
        this.#o.stats.tookEffect += 1;
        return { value: seen, fresh: false };
      }
    }
  }

  async #until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + this.#o.waitMs;
    for (let i = 0; ; i++) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new ChaosFailure(
          `borrower ${this.#plan.index}: timed out after ${this.#o.waitMs} ms waiting for ${what}`,
        );
      await sleep(Math.min(600, 200 + 50 * i) + Math.random() * 100);
    }
  }

  #step(): void {
    this.#o.onStep?.();
  }

  async #signIn(): Promise<void> {
    const plan = this.#plan;
    for (let attempt = 1; ; attempt++) {
      // Minting is stateless; a sign-in whose answer was lost may have opened a session (harmless)
      // and used the token's jti: a new token is minted for every try.
      const minted = await this.#ok<{ token: string }>(
        'POST',
        `/api/v1/dev/channels/${plan.channelCode}/tokens`,
        {
          channelUserId: plan.channelUserId,
        },
      );
      const reply = await this.#send('POST', `/api/v1/channels/${plan.channelCode}/sessions`, {
        token: minted.token,
      });
      if (reply.kind === 'ok') {
        this.#token = String(reply.json.token);
        return;
      }
      if (reply.kind === 'refused' && reply.status !== 429 && reply.status !== 408)
        throw new ChaosFailure(`sign-in → ${reply.status} ${JSON.stringify(reply.json).slice(0, 300)}`);
      if (reply.kind === 'unknown') this.#o.stats.unknown += 1;
      else this.#o.stats.throttled += 1;
      if (attempt > 30) throw new ChaosFailure('sign-in: no definitive answer');
      await sleep(Math.min(1_000, 100 * attempt));
    }
  }

  async #applications(): Promise<Application[]> {
    return (await this.#ok<{ items: Application[] }>('GET', '/api/v1/borrower/applications')).items;
  }

  async #application(id: string): Promise<Application> {
    return (await this.#ok<{ application: Application }>('GET', `/api/v1/borrower/applications/${id}`))
      .application;
  }

  async #loanView(id: string): Promise<LoanView> {
    return this.#ok<LoanView>('GET', `/api/v1/borrower/loans/${id}`);
  }

  /** The whole planned journey; throws `ChaosFailure` when something is not as planned. */
  async run(): Promise<JourneyRecord> {
    const plan = this.#plan;
    const record = this.record;
    await this.#signIn();
    this.#step();
    const entry = await this.#ok<{ visible: boolean }>('GET', '/api/v1/borrower/entry');
    if (!entry.visible) throw new ChaosFailure(`borrower ${plan.index}: the entry is not open`);
    await this.#ok('PUT', '/api/v1/borrower/profile', {
      name: plan.name,
      idNumber: plan.idNumber,
      phone: plan.phone,
      bankCard: plan.bankCard,
      contacts: [{ name: plan.contactName, phone: plan.contactPhone, relation: 'spouse' }],
    });
    this.#step();

    // Offers: the planned product must be pre-approved; a pre-check lost to a fault is asked again.
    interface Offer {
      readonly productId: string;
      readonly productCode: string;
      readonly preCheck: string;
      readonly lender: { readonly id: string };
    }
    let offer: Offer | undefined;
    for (let attempt = 1; offer === undefined; attempt++) {
      const offers = await this.#ok<{ offers: Offer[] }>('GET', '/api/v1/borrower/offers');
      offer = offers.offers.find(
        (o) => o.productCode === plan.product.productCode && o.preCheck === 'accepted',
      );
      if (offer === undefined) {
        if (attempt >= 15)
          throw new ChaosFailure(
            `borrower ${plan.index}: ${plan.product.productCode} never pre-approved: ${JSON.stringify(
              offers.offers.map((o) => [o.productCode, o.preCheck]),
            )}`,
          );
        await sleep(200 * attempt);
      }
    }
    this.#step();

    const agreements = await this.#ok<{ items: { id: string; version: number }[] }>(
      'GET',
      `/api/v1/agreements?lenderId=${offer.lender.id}`,
    );
    await this.#ok('POST', '/api/v1/borrower/consents', {
      lenderId: offer.lender.id,
      agreements: agreements.items.map((a) => ({ id: a.id, version: a.version })),
      device: { platform: 'web', model: 'chaos' },
    });
    this.#step();

    // Apply: not idempotent. After an unknown outcome, my applications say whether it is there.
    const productId = offer.productId;
    const applied = await this.#once<Application>(
      'POST',
      '/api/v1/borrower/applications',
      { productId, amountFen: plan.amountFen, termMonths: plan.termMonths, method: plan.method },
      async () => (await this.#applications()).find((a) => a.productId === productId),
    );
    const applicationId = String((applied.value as { id: string }).id);
    record.applicationId = applicationId;
    this.#step();

    const decided = await this.#until('the credit decision', async () => {
      const current = await this.#application(applicationId);
      return ['approved', 'rejected'].includes(current.status) ? current : undefined;
    });
    record.applicationStatus = decided.status;
    record.decisionReason = decided.decisionReason;
    this.#step();
    if (plan.outcome === 'rejected') {
      if (decided.status !== 'rejected')
        throw new ChaosFailure(`borrower ${plan.index}: planned a rejection, got ${decided.status}`);
      record.finishedAtMs = Date.now();
      return record;
    }
    if (decided.status !== 'approved')
      throw new ChaosFailure(
        `borrower ${plan.index}: planned an approval, got ${decided.status} (${decided.decisionReason})`,
      );
    const terms = { amountFen: plan.amountFen, termMonths: plan.termMonths, method: plan.method };
    record.disclosure = await this.#ok(
      'POST',
      `/api/v1/borrower/applications/${applicationId}/disclosure`,
      terms,
    );
    this.#step();
    if (!drawn(plan)) {
      record.finishedAtMs = Date.now();
      return record;
    }

    // Drawdown: not idempotent; the application's state says whether it was taken.
    const notApproved = async () => {
      const current = await this.#application(applicationId);
      return current.status !== 'approved' ? current : undefined;
    };
    await this.#once(
      'POST',
      `/api/v1/borrower/applications/${applicationId}/drawdowns`,
      { ...terms, disclosureAccepted: true },
      notApproved,
      // A repeat after a lost answer whose first try was taken: the state is past approved.
      async (reply) => (reply.code === 'INVALID_STATE' ? notApproved() : undefined),
    );
    this.#step();

    const loan = await this.#until('the loan with its schedule', async () => {
      const { items } = await this.#ok<{ items: Loan[] }>('GET', '/api/v1/borrower/loans');
      const found = items.find((l) => l.applicationId === applicationId);
      return found && found.installments.length === plan.installments ? found : undefined;
    });
    record.loanId = loan.id;
    this.#step();

    if (repaysInstallment(plan)) {
      const taken = async () => {
        const view = await this.#loanView(loan.id);
        const requested = view.repaymentRequests?.some(
          (r) => r.kind === 'installment' && r.status !== 'failed',
        );
        const recorded = view.repayments.some((r) => !r.earlyPayoff && r.periods.includes(1));
        const paid = view.loan.installments.find((i) => i.period === 1)?.status === 'paid';
        return requested || recorded || paid ? view : undefined;
      };
      const repaid = await this.#once(
        'POST',
        `/api/v1/borrower/loans/${loan.id}/repayments`,
        { kind: 'installment', periods: [1] },
        taken,
        // "already in progress" / "already paid" after a lost answer: it was taken.
        async (reply) =>
          reply.code === 'CONFLICT' || reply.code === 'VALIDATION_FAILED' || reply.code === 'INVALID_STATE'
            ? taken()
            : undefined,
      );
      if (repaid.fresh)
        record.installmentAmountFen = Number((repaid.value as { amountFen: number }).amountFen);
      await this.#until('installment 1 paid', async () => {
        const view = await this.#loanView(loan.id);
        const paid = view.loan.installments.find((i) => i.period === 1)?.status === 'paid';
        const recorded = view.repayments.some((r) => r.periods.includes(1));
        return paid && recorded ? true : undefined;
      });
      this.#step();
    }

    if (paysOff(plan)) {
      record.payoffQuote = await this.#ok('GET', `/api/v1/borrower/loans/${loan.id}/payoff-quote`);
      const taken = async () => {
        const view = await this.#loanView(loan.id);
        const requested = view.repaymentRequests?.some((r) => r.kind === 'payoff' && r.status !== 'failed');
        const recorded = view.repayments.some((r) => r.earlyPayoff);
        return requested || recorded || view.loan.status === 'settled' ? view : undefined;
      };
      const paid = await this.#once(
        'POST',
        `/api/v1/borrower/loans/${loan.id}/repayments`,
        { kind: 'payoff' },
        taken,
        async (reply) => (reply.code === 'CONFLICT' || reply.code === 'INVALID_STATE' ? taken() : undefined),
      );
      if (paid.fresh) record.payoffAmountFen = Number((paid.value as { amountFen: number }).amountFen);
      this.#step();
    }

    if (paysOff(plan) || (repaysInstallment(plan) && plan.installments === 1)) {
      await this.#until('the loan settled', async () => {
        const view = await this.#loanView(loan.id);
        const application = await this.#application(applicationId);
        const recorded = !paysOff(plan) || view.repayments.some((r) => r.earlyPayoff);
        return view.loan.status === 'settled' && application.status === 'settled' && recorded
          ? true
          : undefined;
      });
      this.#step();
    } else {
      await this.#until('the application repaying', async () => {
        const application = await this.#application(applicationId);
        return application.status === 'repaying' ? true : undefined;
      });
    }
    record.finishedAtMs = Date.now();
    return record;
  }
}
