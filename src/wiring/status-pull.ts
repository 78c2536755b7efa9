import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApplicationService } from '../applications/service.ts';
import type { PulledLoanEnd } from '../loans/callbacks.ts';
import type { LoanService } from '../loans/service.ts';
import { callResponseProblem, isCallResponseBody } from '../protocol/contract-validators.ts';
import type { CallbackKind, StatusQueryRequest, StatusQueryResponse } from '../protocol/envelope/index.ts';
import type { InboundCallbacks } from '../protocol/inbound.ts';
import type { Clock } from '../shared/clock.ts';

/** The internal kind a pulled end of a loan is ingested under (no lender sends it). */
export const PULLED_LOAN_END = 'pulled-loan-end';

/** Whether a stored body is a pulled end of a loan, as callbacksFromStatus builds it. */
export function isPulledLoanEnd(body: unknown): body is PulledLoanEnd {
  if (typeof body !== 'object' || body === null) return false;
  const { loanId, status } = body as Record<string, unknown>;
  return typeof loanId === 'string' && loanId !== '' && (status === 'settled' || status === 'written_off');
}

/** What asking a lender's status endpoint came to: its signed, successful answer, or why not. */
export type StatusAnswer =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly error: string };

export interface StatusPullOptions {
  readonly applications: Pick<ApplicationService, 'awaitingLender'>;
  readonly loans: Pick<LoanService, 'awaitingLender'>;
  readonly inbound: Pick<InboundCallbacks, 'ingest'>;
  /** Sends a signed status query to the partner (lender-client.ts) and returns its answer. */
  readonly ask: (partnerId: string, query: StatusQueryRequest) => Promise<StatusAnswer>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long an object may wait for its callback before the lender is asked. */
  readonly afterMs: number;
  /** Pause between passes. */
  readonly pollMs: number;
  /** Objects asked about per pass (of each sort: applications, loans). */
  readonly batchSize?: number;
}

/** One callback reconstructed from a status answer. */
export interface PulledCallback {
  readonly kind: CallbackKind | typeof PULLED_LOAN_END;
  readonly businessId: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * Turns a lender's status answer into the callbacks it stands for, in the order they apply: the
 * decision, the drawdowns' outcomes, the loan's schedule, and its end if it ended. Pending parts
 * (`decision: "pending"`, `status: "processing"`) and a loan still running add nothing: only a
 * callback can tell a version of the loan's status, so a running status is left to callbacks.
 */
export function callbacksFromStatus(answer: StatusQueryResponse): PulledCallback[] {
  const out: PulledCallback[] = [];
  const application = answer.application;
  if (application && application.decision !== 'pending') {
    out.push({ kind: 'credit-decision', businessId: application.applicationId, body: { ...application } });
  }
  for (const drawdown of answer.drawdowns ?? []) {
    if (drawdown.status === 'processing') continue;
    out.push({ kind: 'disbursement', businessId: drawdown.drawdownId, body: { ...drawdown } });
  }
  if (answer.loan) {
    const { schedule, status } = answer.loan;
    out.push({
      kind: 'repayment-schedule',
      businessId: `${schedule.loanId}:${schedule.version}`,
      body: { ...schedule },
    });
    if (status === 'settled' || status === 'written_off') {
      out.push({
        kind: PULLED_LOAN_END,
        businessId: `${schedule.loanId}:${status}`,
        body: { loanId: schedule.loanId, status },
      });
    }
  }
  return out;
}

/**
 * The pull fallback (status_query): for every application, drawdown and repayment that has waited
 * longer than `afterMs` for its callback, asks the lender's status endpoint and applies what it
 * says through the inbound pipeline — the same handlers and the same idempotency as a callback, so
 * an answer pulled and a callback that arrives after it have one effect between them (the same
 * business id with the same content is a repeat). A lender that never calls back still sees every
 * loan through. Each object is asked about at most once per `afterMs`; several processes may pull
 * at once harmlessly.
 */
export class StatusPuller {
  readonly #options: Required<StatusPullOptions>;
  /** When each object may be asked about again (`partner\0kind\0id` → ms). */
  readonly #nextAsk = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = true;

  constructor(options: StatusPullOptions) {
    this.#options = { batchSize: 50, ...options };
  }

  /** One pass. Returns how many lenders' answers were asked for and how many callbacks applied. */
  async runOnce(): Promise<{ asked: number; applied: number }> {
    const { applications, loans, clock, afterMs, batchSize } = this.#options;
    const now = clock().getTime();
    const cutoff = new Date(now - afterMs);
    const queries: { partnerId: string; query: StatusQueryRequest; key: string }[] = [];
    for (const row of await applications.awaitingLender(cutoff, batchSize)) {
      queries.push({
        partnerId: row.partnerId,
        query: { applicationId: row.applicationId },
        key: `${row.partnerId}\u0000application\u0000${row.applicationId}`,
      });
    }
    for (const row of await loans.awaitingLender(cutoff, batchSize)) {
      queries.push({
        partnerId: row.partnerId,
        query: { loanId: row.lenderLoanId },
        key: `${row.partnerId}\u0000loan\u0000${row.lenderLoanId}`,
      });
    }
    let asked = 0;
    let applied = 0;
    for (const { partnerId, query, key } of queries) {
      if ((this.#nextAsk.get(key) ?? 0) > now) continue;
      this.#nextAsk.set(key, now + afterMs);
      asked += 1;
      applied += await this.#pull(partnerId, query);
    }
    // Forget objects that are no longer waiting, so the map stays as small as the backlog.
    for (const [key, at] of this.#nextAsk) if (at <= now) this.#nextAsk.delete(key);
    return { asked, applied };
  }

  async #pull(partnerId: string, query: StatusQueryRequest): Promise<number> {
    const { ask, inbound, logger } = this.#options;
    const answer = await ask(partnerId, query);
    if (!answer.ok) {
      logger.warn({ partner: partnerId, query, error: answer.error }, 'status query failed; will ask again');
      return 0;
    }
    const { body } = answer;
    if (!isCallResponseBody('status-query', body)) {
      const problem = callResponseProblem('status-query', body);
      logger.warn({ partner: partnerId, query, problem }, 'status answer breaks the contract; ignored');
      return 0;
    }
    let applied = 0;
    const opened: string[] = [];
    // Each part of the answer is a callback's body, validated with the answer's schema above.
    for (const callback of callbacksFromStatus(body)) {
      const text = JSON.stringify(callback.body);
      try {
        const result = await inbound.ingest({
          partnerId,
          // One request id per pulled state: asking again and getting the same answer is a repeat.
          requestId: `pull:${callback.kind}:${callback.businessId}`,
          kind: callback.kind,
          businessId: callback.businessId,
          bodySha256: createHash('sha256').update(text).digest('base64'),
          body: callback.body,
        });
        if (result.httpStatus === 200 && !result.replayed) {
          applied += 1;
          if (callback.kind === 'disbursement' && callback.body.status === 'succeeded')
            opened.push(String(callback.body.loanId));
        }
        if (result.httpStatus >= 400)
          logger.warn(
            { partner: partnerId, kind: callback.kind, answer: result.body },
            'pulled state refused',
          );
      } catch (error) {
        logger.warn({ partner: partnerId, kind: callback.kind, err: error }, 'pulled state not applied');
      }
    }
    // A loan that the pull just opened: its schedule is asked for at once, not a deadline later.
    for (const loanId of opened) applied += await this.#pull(partnerId, { loanId });
    return applied;
  }

  /** Polls until stopped; a failed pass (the database away, say) is logged and the next one comes. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const loop = async () => {
      if (this.#stopped) return;
      try {
        await this.runOnce();
      } catch (error) {
        this.#options.logger.error({ err: error }, 'status pull pass failed');
      }
      if (!this.#stopped) this.#timer = setTimeout(() => (this.#running = loop()), this.#options.pollMs);
    };
    this.#running = loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
