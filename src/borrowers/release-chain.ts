/**
 * The data release log as a hash chain, pure. Each borrower has one chain (see docs/borrowers.md
 * for why per borrower): entry n stores the hash of entry n−1, and its own hash covers its
 * canonical form and that previous hash. Changing, removing or reordering any entry breaks every
 * link after it; the head row (last seq and hash) catches a removed tail.
 */
import { createHash } from 'node:crypto';
import type { PiiCategory } from './categories.ts';

export const GENESIS_HASH = '0'.repeat(64);
const CANONICAL_TAG = 'lendgate-release-v1';

/** What one release says: who got which categories of whose data, when, under which consent. */
export interface ReleaseFacts {
  readonly id: string;
  readonly borrowerId: string;
  readonly seq: number;
  readonly lenderId: string;
  /** The lender's public partner id (its code in the envelope). */
  readonly partnerId: string;
  readonly categories: readonly PiiCategory[];
  readonly consentId: string;
  readonly requestId: string;
  /** ISO 8601 with milliseconds, UTC. */
  readonly releasedAt: string;
  readonly prevHash: string;
}

export interface ReleaseEntry extends ReleaseFacts {
  readonly categories: PiiCategory[];
  readonly hash: string;
}

/**
 * One line of JSON over a fixed field order: JSON escaping makes the encoding unambiguous (no
 * value can imitate a separator), and a fixed array order needs no key sorting.
 */
export function canonicalRelease(facts: ReleaseFacts): string {
  return JSON.stringify([
    CANONICAL_TAG,
    facts.id,
    facts.borrowerId,
    facts.seq,
    facts.lenderId,
    facts.partnerId,
    [...facts.categories],
    facts.consentId,
    facts.requestId,
    facts.releasedAt,
  ]);
}

/** SHA-256 (lower-case hex) over the canonical entry, a newline, and the previous entry's hash. */
export function releaseHash(facts: ReleaseFacts): string {
  return createHash('sha256')
    .update(`${canonicalRelease(facts)}\n${facts.prevHash}`, 'utf8')
    .digest('hex');
}

/** Seals the next entry of a chain whose last entry is `previous` (`{ seq: 0, hash: GENESIS_HASH }` if empty). */
export function nextEntry(
  previous: ChainPosition,
  facts: Omit<ReleaseFacts, 'seq' | 'prevHash'>,
): ReleaseEntry {
  const full = {
    ...facts,
    categories: [...facts.categories],
    seq: previous.seq + 1,
    prevHash: previous.hash,
  };
  return { ...full, hash: releaseHash(full) };
}

export interface ChainPosition {
  readonly seq: number;
  readonly hash: string;
}

export const CHAIN_START: ChainPosition = Object.freeze({ seq: 0, hash: GENESIS_HASH });

export type ChainProblemReason =
  | 'hash_mismatch'
  | 'broken_link'
  | 'sequence_gap'
  | 'head_mismatch'
  | 'missing_head'
  | 'wrong_borrower';

export interface ChainProblem {
  readonly borrowerId: string;
  readonly seq: number;
  readonly reason: ChainProblemReason;
}

/**
 * Checks consecutive entries of one borrower's chain that follow `previous`; entries must be in
 * seq order. Returns the problems found and the position to continue from with the next batch.
 * After a problem the walk continues from the entry as stored, so one edit reports one place.
 */
export function checkLinks(
  borrowerId: string,
  previous: ChainPosition,
  entries: readonly ReleaseEntry[],
): { readonly problems: ChainProblem[]; readonly last: ChainPosition } {
  const problems: ChainProblem[] = [];
  let last = previous;
  for (const entry of entries) {
    if (entry.borrowerId !== borrowerId)
      problems.push({ borrowerId, seq: entry.seq, reason: 'wrong_borrower' });
    if (entry.seq !== last.seq + 1) problems.push({ borrowerId, seq: entry.seq, reason: 'sequence_gap' });
    if (entry.prevHash !== last.hash) problems.push({ borrowerId, seq: entry.seq, reason: 'broken_link' });
    if (releaseHash(entry) !== entry.hash)
      problems.push({ borrowerId, seq: entry.seq, reason: 'hash_mismatch' });
    last = { seq: entry.seq, hash: entry.hash };
  }
  return { problems, last };
}

/** The stored head must point at the last entry walked; a removed tail shows up here. */
export function checkHead(
  borrowerId: string,
  last: ChainPosition,
  head: ChainPosition | undefined,
): ChainProblem[] {
  if (head === undefined)
    return last.seq === 0 ? [] : [{ borrowerId, seq: last.seq, reason: 'missing_head' }];
  return head.seq === last.seq && head.hash === last.hash
    ? []
    : [{ borrowerId, seq: head.seq, reason: 'head_mismatch' }];
}
