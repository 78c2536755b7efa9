/**
 * Callback delivery: each callback is signed with the SDK and POSTed to the platform until the
 * platform acknowledges it with a correctly signed 2xx, retrying with exponential backoff and
 * jitter. Callbacks of one application (its decision, disbursement, schedules, repayments) go out
 * one after the other, in order — unless a fault says otherwise. In memory: a restart loses what
 * was still queued (a real lender uses a durable outbox, as the platform does).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  businessIdOf,
  callbackPath,
  ENVELOPE_HEADERS,
  type PrivateSigningKey,
  type PublicKeyRecord,
  ResponseVerificationError,
  sendCallback,
} from '../sdk/index.ts';
import type { PlannedCallback } from './book.ts';
import type { CallbackSettings } from './config.ts';
import { corruptSignature, deliveryOrder, type FaultSettings } from './faults.ts';
import type { SandboxStats } from './stats.ts';

/** Who sends: a hosted lender, its key and its current faults. */
export interface CallbackSender {
  readonly partnerId: string;
  readonly key: PrivateSigningKey;
  faults(): FaultSettings;
}

export interface DeliveryOptions {
  readonly platformUrl: string | undefined;
  readonly platformKeys: () => readonly PublicKeyRecord[] | undefined;
  readonly settings: CallbackSettings;
  readonly stats: SandboxStats;
  readonly log: Logger;
  readonly random?: () => number;
}

type AttemptOutcome = 'acknowledged' | 'refused' | 'retry';

/** Statuses worth retrying: the platform may answer differently later (401: our key not registered yet). */
function retryable(status: number): boolean {
  return status === 401 || status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A `fetch` that flips a bit of the signature on the way out (the bad-signature fault). */
const corruptingFetch: typeof fetch = (input, init) => {
  const headers = { ...(init?.headers as Record<string, string>) };
  headers[ENVELOPE_HEADERS.signature] = corruptSignature(headers[ENVELOPE_HEADERS.signature] ?? '');
  return fetch(input, { ...init, headers });
};

export class CallbackDelivery {
  readonly #options: DeliveryOptions;
  readonly #chains = new Map<string, Promise<void>>();
  readonly #sleeping = new Set<() => void>();
  #closed = false;

  constructor(options: DeliveryOptions) {
    this.#options = options;
  }

  /**
   * Queues the callbacks one event caused. They are due `delayMs` after now (plus the late-callback
   * fault), and go out after every earlier callback of the same stream is done.
   */
  enqueue(sender: CallbackSender, batch: readonly PlannedCallback[]): void {
    if (batch.length === 0 || this.#closed) return;
    const faults = sender.faults();
    if (faults.silentCallbacks) {
      this.#options.log.info(
        { partnerId: sender.partnerId, kinds: batch.map((c) => c.kind) },
        'callbacks withheld (fault)',
      );
      return;
    }
    const ordered = deliveryOrder(faults, batch);
    const dueAt = Date.now() + Math.max(...batch.map((c) => c.delayMs)) + faults.callbackDelayMs;
    this.#options.stats.pending(ordered.length * (faults.duplicateCallbacks ? 2 : 1));
    const key = `${sender.partnerId}\u0000${batch[0]!.stream}`;
    const next = (this.#chains.get(key) ?? Promise.resolve()).then(async () => {
      await this.#sleep(dueAt - Date.now());
      for (const callback of ordered) {
        await this.#deliver(sender, callback, false);
        if (faults.duplicateCallbacks) await this.#deliver(sender, callback, true);
      }
    });
    this.#chains.set(key, next);
    void next.finally(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
  }

  /** Stops retrying and wakes every waiting delivery so the process can exit. */
  close(): void {
    this.#closed = true;
    for (const wake of this.#sleeping) wake();
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleeping.add(wake);
    });
  }

  #backoffMs(attempt: number): number {
    const { retryBaseMs, retryCapMs } = this.#options.settings;
    const exponential = Math.min(retryCapMs, retryBaseMs * 2 ** (attempt - 1));
    return Math.round(exponential / 2 + (this.#options.random ?? Math.random)() * (exponential / 2));
  }

  /** One callback (or its duplicate copy) until acknowledged, refused, or given up. */
  async #deliver(sender: CallbackSender, callback: PlannedCallback, duplicate: boolean): Promise<void> {
    const { stats, settings } = this.#options;
    // A retry keeps the request id; the duplicate copy gets its own, like a lender re-sending from
    // another worker, so the platform must recognise it by business id.
    const requestId = randomUUID();
    const count = (event: Parameters<SandboxStats['callback']>[2]) =>
      stats.callback(sender.partnerId, callback.kind, event);
    count(duplicate ? 'duplicatesSent' : 'sent');
    const started = Date.now();
    try {
      for (let attempt = 1; !this.#closed; attempt++) {
        count('attempts');
        const outcome = await this.#attempt(sender, callback, requestId, attempt);
        if (outcome === 'acknowledged') {
          count(duplicate ? 'duplicatesAcknowledged' : 'acknowledged');
          return;
        }
        if (outcome === 'refused') {
          count('refused');
          return;
        }
        count('failedAttempts');
        const limitReached = settings.maxAttempts > 0 && attempt >= settings.maxAttempts;
        if (limitReached || Date.now() - started >= settings.horizonMs) {
          count('gaveUp');
          this.#options.log.warn(
            { partnerId: sender.partnerId, kind: callback.kind, requestId, attempts: attempt },
            'callback given up',
          );
          return;
        }
        await this.#sleep(this.#backoffMs(attempt));
      }
    } finally {
      stats.pending(-1);
    }
  }

  async #attempt(
    sender: CallbackSender,
    callback: PlannedCallback,
    requestId: string,
    attempt: number,
  ): Promise<AttemptOutcome> {
    const { log, settings } = this.#options;
    const context = {
      partnerId: sender.partnerId,
      kind: callback.kind,
      businessId: businessIdOf(callback.kind, callback.body),
      requestId,
      attempt,
    };
    const url = this.#options.platformUrl;
    const keys = this.#options.platformKeys();
    if (url === undefined || keys === undefined) {
      log.warn(context, url === undefined ? 'no platform URL configured' : 'platform keys not known yet');
      return 'retry';
    }
    try {
      const result = await sendCallback(url, callbackPath(callback.kind), callback.body, {
        partnerId: sender.partnerId,
        key: sender.key,
        requestId,
        timeoutMs: settings.timeoutMs,
        responseKeys: keys,
        ...(sender.faults().badSignature ? { fetch: corruptingFetch } : {}),
      });
      const code = (result.body as { error?: { code?: unknown } } | undefined)?.error?.code;
      log.info({ ...context, status: result.status, code }, 'callback answered');
      if (result.status >= 200 && result.status < 300) return 'acknowledged';
      return retryable(result.status) ? 'retry' : 'refused';
    } catch (error) {
      const reason =
        error instanceof ResponseVerificationError
          ? `answer refused: ${error.code}`
          : (error as Error).message;
      log.warn({ ...context, reason }, 'callback attempt failed');
      return 'retry';
    }
  }
}
