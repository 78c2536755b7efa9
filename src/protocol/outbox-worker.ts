import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { isRetryableStatus, retryDelayMs } from './backoff.ts';
import { claimDueMessages, markDelivered, markFailed, type OutboxMessage } from './outbox.ts';
import type { ProtocolTables } from './tables.ts';

/** The longest pause between two failed outbox passes (unless the poll interval is longer). */
export const MAX_FAILURE_DELAY_MS = 5_000;

/** What a delivery attempt came to. */
export type DeliveryOutcome =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | {
      readonly ok: false;
      readonly error: string;
      readonly status?: number;
      readonly retryable: boolean;
      /** The code and message of the lender's own (signed) error answer, when it gave one. */
      readonly lenderError?: LenderError;
    };

/** A lender's refusal as it worded it: `{ error: { code, message } }` of its answer. */
export interface LenderError {
  readonly code: string;
  readonly message: string;
}

/** Why a call was given up for good (a final refusal, or retries exhausted). */
export interface DeadLetterReason {
  readonly error: string;
  readonly status?: number;
  readonly lenderError?: LenderError;
}

/** Sends one message to its lender (see lender-client.ts); never throws for a lender's failure. */
export type Deliver = (message: OutboxMessage) => Promise<DeliveryOutcome>;

/** Called after a message was delivered, to let the owning module act on the lender's answer. */
export type OnDelivered = (
  message: OutboxMessage,
  response: { status: number; body: unknown },
) => Promise<void>;

/**
 * Called after a message became a dead letter, to let the owning module end what waited for it
 * (a repayment request fails with the lender's reason, so the borrower can try again).
 */
export type OnDeadLettered = (message: OutboxMessage, reason: DeadLetterReason) => Promise<void>;

export interface OutboxWorkerOptions {
  readonly db: Executor<ProtocolTables>;
  readonly deliver: Deliver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onDelivered?: OnDelivered;
  readonly onDeadLettered?: OnDeadLettered;
  /** How long a claim lasts; longer than the slowest lender call. */
  readonly leaseMs?: number;
  readonly batchSize?: number;
  readonly pollMs?: number;
  readonly random?: () => number;
  readonly owner?: string;
}

/**
 * Delivers outbox messages: claims due ones, sends them in parallel, records each outcome. Any
 * number of workers (in one process or many) can run against one database; each message is held
 * by one lease at a time, so no two deliver it at once. Delivery is at least once — a worker that
 * dies after sending but before recording leaves the message to be sent again after its lease —
 * and lenders make it exactly once in effect through the unchanged request id.
 */
export class OutboxWorker {
  readonly #options: Required<Omit<OutboxWorkerOptions, 'onDelivered' | 'onDeadLettered'>> &
    Pick<OutboxWorkerOptions, 'onDelivered' | 'onDeadLettered'>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: OutboxWorkerOptions) {
    this.#options = {
      leaseMs: 60_000,
      batchSize: 20,
      pollMs: 500,
      random: Math.random,
      owner: `worker-${randomUUID()}`,
      ...options,
    };
  }

  get owner(): string {
    return this.#options.owner;
  }

  /** One pass: claim a batch and deliver it. Returns how many messages were handled. */
  async runOnce(): Promise<number> {
    const { db, clock, leaseMs, batchSize, owner } = this.#options;
    const now = clock();
    const batch = await claimDueMessages(db, owner, now, new Date(now.getTime() + leaseMs), batchSize);
    // Every delivery of the batch finishes before the pass does (so that `stop()` waits for them
    // all), even when recording one of them fails — the database went away, say. That message
    // stays claimed until its lease ends and is then sent again (lenders dedupe on the request id).
    const results = await Promise.allSettled(batch.map((message) => this.#deliverOne(message)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return batch.length;
  }

  async #deliverOne(message: OutboxMessage): Promise<void> {
    const { db, clock, deliver, logger, owner, random, onDelivered, onDeadLettered } = this.#options;
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliver(message);
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error), retryable: true };
    }
    const now = clock();
    if (outcome.ok) {
      const recorded = await markDelivered(db, message, owner, outcome, now);
      if (recorded && onDelivered) await onDelivered(message, outcome);
      return;
    }
    const final = !outcome.retryable || (outcome.status !== undefined && !isRetryableStatus(outcome.status));
    const verdict = await markFailed(
      db,
      message,
      owner,
      {
        error: outcome.error,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        final,
        retryAt: new Date(now.getTime() + retryDelayMs(message.attempts, random)),
      },
      now,
    );
    logger.warn(
      {
        outbox: message.id,
        call: message.call,
        partner: message.partnerId,
        attempts: message.attempts,
        verdict,
      },
      verdict === 'dead' ? 'lender call dead-lettered' : 'lender call failed; will retry',
    );
    if (verdict === 'dead' && onDeadLettered) {
      await onDeadLettered(message, {
        error: outcome.error,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        ...(outcome.lenderError ? { lenderError: outcome.lenderError } : {}),
      });
    }
  }

  /**
   * Polls until stopped; a pass that found work is followed at once by another. A pass that failed
   * (the database is away, say) is logged and never ends the loop; the next one waits longer after
   * each failure in a row (twice the poll interval each time, up to `MAX_FAILURE_DELAY_MS` or the
   * poll interval if that is longer), so an outage is neither a hot loop nor a flood of log lines,
   * and the first pass that succeeds again resumes the normal pace.
   */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    let failures = 0;
    const loop = async () => {
      if (this.#stopped) return;
      let handled = 0;
      try {
        handled = await this.runOnce();
        if (failures > 0) this.#options.logger.info({ failures }, 'outbox passes succeed again');
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#options.logger.error({ err: error, failures }, 'outbox pass failed');
      }
      if (!this.#stopped)
        this.#timer = setTimeout(() => void this.#schedule(loop), this.#delayAfter(handled, failures));
    };
    void this.#schedule(loop);
  }

  #delayAfter(handled: number, failures: number): number {
    const { pollMs } = this.#options;
    if (failures > 0) return Math.max(pollMs, Math.min(pollMs * 2 ** failures, MAX_FAILURE_DELAY_MS));
    return handled > 0 ? 0 : pollMs;
  }

  #schedule(loop: () => Promise<void>): Promise<void> {
    this.#running = loop();
    return this.#running;
  }

  /** Stops polling and waits for the pass in flight to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
