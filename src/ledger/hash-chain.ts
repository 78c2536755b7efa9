/**
 * The hash chain over ledger entries: each entry's hash covers its content and the hash of the
 * entry before it, so changing, removing or reordering any entry breaks every hash after it.
 * Pure: SHA-256 of a canonical JSON array with a fixed field order.
 */
import { createHash } from 'node:crypto';
import type { Posting } from './postings.ts';

export interface ChainedContent {
  readonly seq: number;
  readonly kind: string;
  readonly causeType: string;
  readonly causeId: string;
  readonly requestId: string | null;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  readonly reversesSeq: number | null;
  readonly memo: string;
  /** Sorted by account (normalizePostings). */
  readonly postings: readonly Posting[];
}

export interface ChainedEntry extends ChainedContent {
  readonly prevHash: string;
  readonly hash: string;
}

/** The exact bytes hashed for an entry (besides the previous hash). */
export function canonicalEntry(entry: ChainedContent): string {
  return JSON.stringify([
    entry.seq,
    entry.kind,
    entry.causeType,
    entry.causeId,
    entry.requestId,
    entry.occurredAt.toISOString(),
    entry.recordedAt.toISOString(),
    entry.reversesSeq,
    entry.memo,
    entry.postings.map((p) => [p.account, p.amountFen]),
  ]);
}

export function entryHash(prevHash: string, entry: ChainedContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalEntry(entry)).digest('hex');
}

export type ChainProblem =
  | { readonly seq: number; readonly problem: 'gap'; readonly expectedSeq: number }
  | { readonly seq: number; readonly problem: 'broken_link' }
  | { readonly seq: number; readonly problem: 'hash_mismatch' }
  | { readonly seq: number; readonly problem: 'unbalanced'; readonly sumFen: number };

/**
 * Checks a run of entries that follows `prev` (the genesis or the last verified entry): seq
 * increments by one, each links to the previous hash, each hash is recomputed equal, and each
 * entry's postings sum to zero. Returns the first problem, or the new tip.
 */
export function verifyRun(
  prev: { readonly seq: number; readonly hash: string },
  entries: readonly ChainedEntry[],
):
  | { readonly ok: true; readonly tip: { seq: number; hash: string } }
  | { readonly ok: false; readonly problem: ChainProblem } {
  let tip = { seq: prev.seq, hash: prev.hash };
  for (const entry of entries) {
    if (entry.seq !== tip.seq + 1) {
      return { ok: false, problem: { seq: entry.seq, problem: 'gap', expectedSeq: tip.seq + 1 } };
    }
    if (entry.prevHash !== tip.hash)
      return { ok: false, problem: { seq: entry.seq, problem: 'broken_link' } };
    const sumFen = entry.postings.reduce((sum, p) => sum + p.amountFen, 0);
    if (sumFen !== 0 || entry.postings.length < 2) {
      return { ok: false, problem: { seq: entry.seq, problem: 'unbalanced', sumFen } };
    }
    if (entryHash(entry.prevHash, entry) !== entry.hash) {
      return { ok: false, problem: { seq: entry.seq, problem: 'hash_mismatch' } };
    }
    tip = { seq: entry.seq, hash: entry.hash };
  }
  return { ok: true, tip };
}
