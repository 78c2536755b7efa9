/**
 * Operator counters of the sandbox (`GET /sandbox/stats`): calls received per kind, refusals per
 * code, and for each callback kind how many were sent, acknowledged, retried or given up. Tests
 * use them to check exactly-once delivery from the outside.
 */

export interface CallbackCounters {
  /** Distinct callbacks whose delivery started (duplicates not included). */
  sent: number;
  /** Distinct callbacks the platform acknowledged with a signed 2xx. */
  acknowledged: number;
  /** HTTP attempts, first tries and retries, duplicates included. */
  attempts: number;
  /** Attempts that failed: network error, timeout, 5xx/401/429, or an answer that did not verify. */
  failedAttempts: number;
  /** Callbacks the platform refused for good (a 4xx such as 409 or 422): not retried. */
  refused: number;
  /** Callbacks abandoned after the attempt limit or the horizon. */
  gaveUp: number;
  /** Extra copies sent by the duplicate-callbacks fault, and how many of them were acknowledged. */
  duplicatesSent: number;
  duplicatesAcknowledged: number;
}

export type CallbackEvent = keyof CallbackCounters;

interface PartnerStats {
  readonly calls: Record<string, number>;
  readonly refused: Record<string, number>;
  injectedErrors: number;
  replayedAnswers: number;
  readonly callbacks: Record<string, CallbackCounters>;
}

function emptyCounters(): CallbackCounters {
  return {
    sent: 0,
    acknowledged: 0,
    attempts: 0,
    failedAttempts: 0,
    refused: 0,
    gaveUp: 0,
    duplicatesSent: 0,
    duplicatesAcknowledged: 0,
  };
}

/** Calls and refusals for a partner id this process does not host are counted under this key. */
export const UNKNOWN_PARTNER_KEY = '(unknown)';

export class SandboxStats {
  readonly #partners = new Map<string, PartnerStats>();
  readonly #hosted: ReadonlySet<string>;
  #pending = 0;

  constructor(hostedPartnerIds: readonly string[]) {
    this.#hosted = new Set(hostedPartnerIds);
    for (const id of hostedPartnerIds) this.#of(id);
  }

  #of(partnerId: string): PartnerStats {
    // Never key on an unchecked header value: an unknown id would let anyone grow this map.
    const key = this.#hosted.has(partnerId) ? partnerId : UNKNOWN_PARTNER_KEY;
    let stats = this.#partners.get(key);
    if (stats === undefined) {
      stats = { calls: {}, refused: {}, injectedErrors: 0, replayedAnswers: 0, callbacks: {} };
      this.#partners.set(key, stats);
    }
    return stats;
  }

  call(partnerId: string, kind: string): void {
    const calls = this.#of(partnerId).calls;
    calls[kind] = (calls[kind] ?? 0) + 1;
  }

  refusal(partnerId: string, code: string): void {
    const refused = this.#of(partnerId).refused;
    refused[code] = (refused[code] ?? 0) + 1;
  }

  injectedError(partnerId: string): void {
    this.#of(partnerId).injectedErrors += 1;
  }

  replayedAnswer(partnerId: string): void {
    this.#of(partnerId).replayedAnswers += 1;
  }

  callback(partnerId: string, kind: string, event: CallbackEvent): void {
    const callbacks = this.#of(partnerId).callbacks;
    const counters = callbacks[kind] ?? emptyCounters();
    callbacks[kind] = counters;
    counters[event] += 1;
  }

  /** Callbacks queued or in flight (a test waits for 0 before reading the counters). */
  pending(delta: number): void {
    this.#pending += delta;
  }

  snapshot(): unknown {
    return {
      pendingCallbacks: this.#pending,
      partners: Object.fromEntries(this.#partners),
    };
  }
}
