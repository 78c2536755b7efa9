/**
 * Callback delivery: each callback is signed with the SDK and POSTed to the platform until the
 * platform acknowledges it with a correctly signed 2xx, retrying with exponential backoff and
 * jitter. Callbacks of one application (its decision, disbursement, schedules, repayments) go out
 * one after the other, in order — unless a fault says otherwise. Each callback is planned with its
 * request id and due time (`plan`) so that the caller can write it to the lender's store with the
 * change that caused it; the store forgets it once it is acknowledged, refused or given up
 * (`settled`), and a restarted process starts what it still holds again, under the same request id.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  businessIdOf,
  type CallbackBodies,
  type CallbackKind,
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
  /** A callback's delivery ended: acknowledged, refused or given up (not stopped by `close`). */
  readonly settled?: (callback: QueuedCallback) => void;
}

/** One callback to deliver: what `plan` makes of a planned callback, and what the store keeps. */
export interface QueuedCallback {
  /** Kept across retries, and across a restart. */
  readonly requestId: string;
  readonly partnerId: string;
  /** Ordering key (the application id): one stream's callbacks go one after the other. */
  readonly stream: string;
  readonly kind: CallbackKind;
  readonly body: CallbackBodies[CallbackKind];
  /** When the first attempt is due (ms since the epoch). */
  readonly dueAtMs: number;
  /** The duplicate-callbacks fault's copy: a request id of its own, the same bytes. */
  readonly duplicate: boolean;
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
  /** The wake-ups of callbacks waiting for their due time (not of retries waiting out a backoff). */
  readonly #waitingDue = new Set<() => void>();
  #closed = false;

  constructor(options: DeliveryOptions) {
    this.#options = options;
  }

  /**
   * What the callbacks one event caused become: in delivery order (reversed by the out-of-order
   * fault), each due `delayMs` after now plus the late-callback fault, each followed by its copy
   * under the duplicate fault; none under the silent fault. Nothing is sent until `start`.
   */
  plan(sender: CallbackSender, batch: readonly PlannedCallback[], nowMs = Date.now()): QueuedCallback[] {
    if (batch.length === 0) return [];
    const faults = sender.faults();
    if (faults.silentCallbacks) {
      this.#options.log.info(
        { partnerId: sender.partnerId, kinds: batch.map((c) => c.kind) },
        'callbacks withheld (fault)',
      );
      return [];
    }
    return deliveryOrder(faults, batch).flatMap((callback) => {
      const queued = {
        partnerId: sender.partnerId,
        stream: callback.stream,
        kind: callback.kind,
        body: callback.body,
        dueAtMs: nowMs + callback.delayMs + faults.callbackDelayMs,
      };
      // A retry keeps the request id; the duplicate copy gets its own, like a lender re-sending
      // from another worker, so the platform must recognise it by business id.
      return [
        { ...queued, requestId: randomUUID(), duplicate: false },
        ...(faults.duplicateCallbacks ? [{ ...queued, requestId: randomUUID(), duplicate: true }] : []),
      ];
    });
  }

  /**
   * Sends planned callbacks: each stream's after every earlier callback of that stream is done,
   * each no earlier than it is due.
   */
  start(sender: CallbackSender, queued: readonly QueuedCallback[]): void {
    if (queued.length === 0 || this.#closed) return;
    this.#options.stats.pending(queued.length);
    const streams = new Map<string, QueuedCallback[]>();
    for (const callback of queued) {
      const list = streams.get(callback.stream) ?? [];
      list.push(callback);
      streams.set(callback.stream, list);
    }
    for (const [stream, list] of streams) {
      const key = `${sender.partnerId}\u0000${stream}`;
      const next = (this.#chains.get(key) ?? Promise.resolve()).then(async () => {
        for (const callback of list) {
          await this.#sleep(callback.dueAtMs - Date.now(), this.#waitingDue);
          await this.#deliver(sender, callback);
        }
      });
      this.#chains.set(key, next);
      void next.finally(() => {
        if (this.#chains.get(key) === next) this.#chains.delete(key);
      });
    }
  }

  /** Plans and sends at once (nothing kept: for callers without a store). */
  enqueue(sender: CallbackSender, batch: readonly PlannedCallback[]): void {
    this.start(sender, this.plan(sender, batch));
  }

  /** Stops retrying and wakes every waiting delivery so the process can exit. */
  close(): void {
    this.#closed = true;
    for (const wake of this.#sleeping) wake();
  }

  /**
   * Sends at once every callback now waiting for its due time (its delay or the late-callback
   * fault), as if it had come: an operator's way to end a delay without waiting it out. Retries
   * keep their backoff. Returns how many were released.
   */
  releaseDelayed(): number {
    const waiting = [...this.#waitingDue];
    for (const wake of waiting) wake();
    return waiting.length;
  }

  #sleep(ms: number, also?: Set<() => void>): Promise<void> {
    if (ms <= 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleeping.delete(wake);
        also?.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleeping.add(wake);
      also?.add(wake);
    });
  }

  #backoffMs(attempt: number): number {
    const { retryBaseMs, retryCapMs } = this.#options.settings;
    const exponential = Math.min(retryCapMs, retryBaseMs * 2 ** (attempt - 1));
    return Math.round(exponential / 2 + (this.#options.random ?? Math.random)() * (exponential / 2));
  }

  /** One callback (or its duplicate copy) until acknowledged, refused, or given up. */
  async #deliver(sender: CallbackSender, callback: QueuedCallback): Promise<void> {
    const { stats, settings } = this.#options;
    const { requestId, duplicate } = callback;
    const count = (event: Parameters<SandboxStats['callback']>[2]) =>
      stats.callback(sender.partnerId, callback.kind, event);
    const settle = () => {
      try {
        this.#options.settled?.(callback);
      } catch (error) {
        this.#options.log.error({ err: error, requestId }, 'a delivered callback could not be forgotten');
      }
    };
    count(duplicate ? 'duplicatesSent' : 'sent');
    const started = Date.now();
    try {
      for (let attempt = 1; !this.#closed; attempt++) {
        count('attempts');
        const outcome = await this.#attempt(sender, callback, requestId, attempt);
        if (outcome === 'acknowledged') {
          count(duplicate ? 'duplicatesAcknowledged' : 'acknowledged');
          settle();
          return;
        }
        if (outcome === 'refused') {
          count('refused');
          settle();
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
          settle();
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
    callback: QueuedCallback,
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
      // The retry-refusals fault: a final refusal is retried too, against the protocol.
      return retryable(result.status) || sender.faults().retryRefusals ? 'retry' : 'refused';
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
