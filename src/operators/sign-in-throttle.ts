import type { Clock } from '../shared/clock.ts';
import { FAILURE_WINDOW_MINUTES } from './lockout.ts';

/**
 * The per-source failure budget of operator sign-in. A source (a client address) may fail
 * `maxFailures` times; from then on every sign-in from it is refused (429, without checking the
 * password) until it has made no attempt for FAILURE_WINDOW_MINUTES. Refused attempts count too,
 * so a source that keeps trying stays refused.
 *
 * An attempt takes a unit of the budget before the password is checked (so parallel attempts
 * cannot all pass a check made before any of them failed) and gives it back when the sign-in did
 * not fail on the password. Because the count only resets after a quiet window as long as the
 * account's failure window, all failures one source can make inside one account window come out of
 * one budget: with `maxFailures` below LOCKOUT_THRESHOLD one source can never lock an account.
 */
export interface FailureCounter {
  /** Adds one to `key` and (re)starts its expiry; returns the count and how long until it expires. */
  increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  /** Takes one back from `key` (never below zero). */
  decrement(key: string): Promise<void>;
}

export const FAILURE_WINDOW_MS = FAILURE_WINDOW_MINUTES * 60_000;

export type SignInSlot =
  | { readonly allowed: true; release(): Promise<void> }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

export class SignInThrottle {
  readonly #counter: FailureCounter;
  readonly #maxFailures: number;

  constructor(counter: FailureCounter, maxFailures: number) {
    this.#counter = counter;
    this.#maxFailures = maxFailures;
  }

  /** Takes a unit of `source`'s budget for one attempt, or says how long it must wait. */
  async acquire(source: string): Promise<SignInSlot> {
    const key = `sign-in-failures:${source}`;
    const { count, ttlMs } = await this.#counter.increment(key, FAILURE_WINDOW_MS);
    if (count > this.#maxFailures) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
    }
    let released = false;
    return {
      allowed: true,
      release: async () => {
        if (released) return;
        released = true;
        await this.#counter.decrement(key);
      },
    };
  }
}

/**
 * An in-process FailureCounter: enough for one process; several processes behind one address
 * each keep their own count (use the Redis one, RATE_LIMIT_REDIS_URL). Holds at most `capacity`
 * keys, dropping the oldest first.
 */
export class MemoryFailureCounter implements FailureCounter {
  readonly #entries = new Map<string, { count: number; expiresAt: number }>();
  readonly #clock: Clock;
  readonly #capacity: number;

  constructor(clock: Clock, capacity = 50_000) {
    this.#clock = clock;
    this.#capacity = capacity;
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const now = this.#clock().getTime();
    const entry = this.#entries.get(key);
    const count = entry && entry.expiresAt > now ? entry.count + 1 : 1;
    // Re-inserted so that the map's order stays oldest-touched first.
    this.#entries.delete(key);
    this.#entries.set(key, { count, expiresAt: now + windowMs });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return { count, ttlMs: windowMs };
  }

  async decrement(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry && entry.count > 0) entry.count -= 1;
  }
}
