/**
 * Remembers nonces for replay protection. The platform implements it on its database; the SDK and
 * tests use {@link InMemoryNonceStore}.
 */
export interface NonceStore {
  /**
   * Records `nonce` for `partnerId` until `expiresAt` (ms since the epoch). Resolves `true` the first
   * time a (partner, nonce) pair is claimed while unexpired and `false` for a repeat. Must be atomic:
   * of two concurrent claims of the same pair, exactly one gets `true` (a unique index, not
   * check-then-insert). Rejects on infrastructure failure; the verifier lets that propagate.
   */
  claim(partnerId: string, nonce: string, expiresAt: number): Promise<boolean>;
}

/** Options of {@link InMemoryNonceStore}. */
export interface InMemoryNonceStoreOptions {
  /** Most live nonces held (default 100 000, i.e. ~330 requests/s sustained over the 5-minute window). */
  readonly maxEntries?: number;
  /** Clock, ms since the epoch (default `Date.now`); injected so tests control expiry. */
  readonly now?: () => number;
}

/** Thrown when the store is full of unexpired nonces: refusing is safer than forgetting one. */
export class NonceStoreFullError extends Error {
  override readonly name = 'NonceStoreFullError';
}

/**
 * A bounded, expiring, single-process nonce store. When it is full it first drops expired entries;
 * if every entry is still live it throws {@link NonceStoreFullError} rather than evict a live nonce,
 * because evicting one would re-open a replay window.
 */
export class InMemoryNonceStore implements NonceStore {
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #expiry = new Map<string, number>();
  #claimsSinceSweep = 0;
  #sizeAfterSweep = 0;

  constructor(options: InMemoryNonceStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? Date.now;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1)
      throw new RangeError('maxEntries must be ≥ 1');
  }

  /** Number of entries held (live or not yet swept). */
  get size(): number {
    return this.#expiry.size;
  }

  async claim(partnerId: string, nonce: string, expiresAt: number): Promise<boolean> {
    const now = this.#now();
    // A NUL cannot occur in a validated partner id, so the joined key is unambiguous.
    const key = `${partnerId}\u0000${nonce}`;
    const known = this.#expiry.get(key);
    if (known !== undefined && known > now) return false;
    // Sweeping after as many claims as there were live entries at the last sweep keeps memory within
    // about twice the live set without a timer, at an amortized constant cost per claim.
    this.#claimsSinceSweep += 1;
    const sweepDue = this.#claimsSinceSweep >= Math.max(1024, this.#sizeAfterSweep);
    if (sweepDue || this.#expiry.size >= this.#maxEntries) this.#sweep(now);
    if (known === undefined && this.#expiry.size >= this.#maxEntries) {
      throw new NonceStoreFullError(`nonce store holds ${this.#maxEntries} live nonces`);
    }
    // Re-insert so that Map order stays roughly by claim time.
    this.#expiry.delete(key);
    this.#expiry.set(key, expiresAt);
    return true;
  }

  #sweep(now: number): void {
    this.#claimsSinceSweep = 0;
    for (const [key, expiresAt] of this.#expiry) {
      if (expiresAt <= now) this.#expiry.delete(key);
    }
    this.#sizeAfterSweep = this.#expiry.size;
  }
}
