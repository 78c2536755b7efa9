import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { isRetryableStatus, retryDelayMs } from './backoff.ts';
import { claimDueMessages, markDelivered, markFailed, type OutboxMessage } from './outbox.ts';

/** What a delivery attempt came to. */
export type DeliveryOutcome =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | { readonly ok: false; readonly error: string; readonly status?: number; readonly retryable: boolean };

/** Sends one message to its lender (see lender-client.ts); never throws for a lender's failure. */
export type Deliver = (message: OutboxMessage) => Promise<DeliveryOutcome>;

/** Called after a message was delivered, to let the owning module act on the lender's answer. */
export type OnDelivered = (
  message: OutboxMessage,
  response: { status: number; body: unknown },
) => Promise<void>;

export interface OutboxWorkerOptions {
  readonly db: Executor;
  readonly deliver: Deliver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onDelivered?: OnDelivered;
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
  readonly #options: Required<Omit<OutboxWorkerOptions, 'onDelivered'>> &
    Pick<OutboxWorkerOptions, 'onDelivered'>;
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
    await Promise.all(batch.map((message) => this.#deliverOne(message)));
    return batch.length;
  }

  async #deliverOne(message: OutboxMessage): Promise<void> {
    const { db, clock, deliver, logger, owner, random, onDelivered } = this.#options;
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
  }

  /** Polls until stopped; a pass that found work is followed at once by another. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const loop = async () => {
      if (this.#stopped) return;
      let handled = 0;
      try {
        handled = await this.runOnce();
      } catch (error) {
        this.#options.logger.error({ err: error }, 'outbox pass failed');
      }
      if (!this.#stopped)
        this.#timer = setTimeout(() => void this.#schedule(loop), handled > 0 ? 0 : this.#options.pollMs);
    };
    void this.#schedule(loop);
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
