/**
 * Idempotency of the calls a lender receives (PROTOCOL.md: "a repeat returns the first answer; the
 * same id with a different body is a conflict error, never a second effect"), on two keys: the
 * request id, and the business id of the call (application, drawdown, repayment id).
 *
 * Bodies are compared by a fingerprint of their meaning, not their bytes: an apply retried with a
 * new request id must re-encrypt its PII (the encryption is bound to the request id), so the same
 * application arrives as different bytes. The fingerprint is taken over the decrypted content and
 * only the hash is kept — never the personal data.
 */
import { createHash } from 'node:crypto';

/** A remembered answer. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

export type IdempotencyVerdict =
  | { readonly kind: 'new' }
  | { readonly kind: 'repeat'; readonly answer: StoredAnswer }
  | { readonly kind: 'conflict'; readonly on: 'request id' | 'business id' };

interface Entry {
  readonly fingerprint: string;
  readonly answer: StoredAnswer;
}

/** JSON with object keys sorted, so that key order does not change a fingerprint. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the call kind and its meaning. */
export function fingerprint(kind: string, meaning: unknown): string {
  return createHash('sha256').update(kind).update('\n').update(stableJson(meaning)).digest('hex');
}

/** One remembered answer under one key: `request:<request id>` or `business:<kind>:<business id>`. */
export interface AnswerEntry {
  readonly key: string;
  readonly fingerprint: string;
  readonly answer: StoredAnswer;
}

/**
 * One lender's memory of answers, kept for the life of its book (store.ts writes through what
 * `takeChanges()` hands over; a real lender keeps it at least for the platform's 24-hour retry
 * horizon).
 */
export class IdempotencyMemory {
  readonly #byRequest = new Map<string, Entry>();
  readonly #byBusiness = new Map<string, Entry>();
  readonly #changed = new Set<string>();

  /** A memory holding `entries` (as written by an earlier process). */
  constructor(entries: readonly AnswerEntry[] = []) {
    for (const { key, fingerprint, answer } of entries) {
      const entry = { fingerprint, answer };
      if (key.startsWith('request:')) this.#byRequest.set(key.slice('request:'.length), entry);
      else if (key.startsWith('business:')) this.#byBusiness.set(key.slice('business:'.length), entry);
    }
  }

  /** What to do with a call. Synchronous, so check-then-remember cannot interleave with another call. */
  check(requestId: string, businessKey: string | undefined, print: string): IdempotencyVerdict {
    const byRequest = this.#byRequest.get(requestId);
    if (byRequest !== undefined) {
      return byRequest.fingerprint === print
        ? { kind: 'repeat', answer: byRequest.answer }
        : { kind: 'conflict', on: 'request id' };
    }
    const byBusiness = businessKey === undefined ? undefined : this.#byBusiness.get(businessKey);
    if (byBusiness !== undefined) {
      if (byBusiness.fingerprint !== print) return { kind: 'conflict', on: 'business id' };
      // The same call under a new request id: remember that id too, then answer as the first time.
      this.#byRequest.set(requestId, byBusiness);
      this.#changed.add(`request:${requestId}`);
      return { kind: 'repeat', answer: byBusiness.answer };
    }
    return { kind: 'new' };
  }

  remember(requestId: string, businessKey: string | undefined, print: string, answer: StoredAnswer): void {
    const entry = { fingerprint: print, answer };
    this.#byRequest.set(requestId, entry);
    this.#changed.add(`request:${requestId}`);
    if (businessKey !== undefined) {
      this.#byBusiness.set(businessKey, entry);
      this.#changed.add(`business:${businessKey}`);
    }
  }

  #entry(key: string): AnswerEntry {
    const entry = key.startsWith('request:')
      ? this.#byRequest.get(key.slice('request:'.length))!
      : this.#byBusiness.get(key.slice('business:'.length))!;
    return { key, fingerprint: entry.fingerprint, answer: entry.answer };
  }

  /** Every entry, as `takeChanges()` would hand them over. */
  entries(): AnswerEntry[] {
    return [
      ...[...this.#byRequest.keys()].map((id) => this.#entry(`request:${id}`)),
      ...[...this.#byBusiness.keys()].map((key) => this.#entry(`business:${key}`)),
    ];
  }

  /** The entries added since the last call, to be written through; then forgets them. */
  takeChanges(): AnswerEntry[] {
    const changes = [...this.#changed].map((key) => this.#entry(key));
    this.#changed.clear();
    return changes;
  }
}
