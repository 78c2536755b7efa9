import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PiiCategory } from './categories.ts';
import {
  CHAIN_START,
  type ChainPosition,
  canonicalRelease,
  checkHead,
  checkLinks,
  GENESIS_HASH,
  nextEntry,
  type ReleaseEntry,
} from './release-chain.ts';

const borrowerId = '00000000-0000-4000-8000-000000000001';

function chain(length: number): ReleaseEntry[] {
  const entries: ReleaseEntry[] = [];
  let previous: ChainPosition = CHAIN_START;
  for (let i = 0; i < length; i += 1) {
    const entry = nextEntry(previous, {
      id: randomUUID(),
      borrowerId,
      lenderId: randomUUID(),
      partnerId: `bank-${i}`,
      categories: ['name', 'phone'] as PiiCategory[],
      consentId: randomUUID(),
      requestId: `apply-${i}`,
      releasedAt: new Date(Date.UTC(2026, 10, 29, 0, 0, i)).toISOString(),
    });
    entries.push(entry);
    previous = entry;
  }
  return entries;
}

function verify(entries: readonly ReleaseEntry[], head: ChainPosition | undefined) {
  const { problems, last } = checkLinks(borrowerId, CHAIN_START, entries);
  return [...problems, ...checkHead(borrowerId, last, head)];
}

const headOf = (entries: readonly ReleaseEntry[]): ChainPosition => {
  const last = entries.at(-1);
  return last ? { seq: last.seq, hash: last.hash } : CHAIN_START;
};

describe('release chain', () => {
  it('links entries from the genesis hash and verifies clean', () => {
    const entries = chain(3);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
    expect(verify(entries, headOf(entries))).toEqual([]);
    expect(verify([], undefined)).toEqual([]);
  });

  it('has an unambiguous canonical form', () => {
    const [entry] = chain(1);
    const a = canonicalRelease({ ...entry!, partnerId: 'a","b' });
    const b = canonicalRelease({ ...entry!, partnerId: 'a', requestId: `b",${entry!.requestId}` });
    expect(a).not.toBe(b);
  });

  it('detects any changed field of any entry (property)', () => {
    const fields = [
      'id',
      'lenderId',
      'partnerId',
      'consentId',
      'requestId',
      'releasedAt',
      'hash',
      'prevHash',
    ] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        fc.constantFrom(...fields, 'categories' as const, 'seq' as const),
        (length, pick, field) => {
          const entries = chain(length);
          const at = pick % length;
          const original = entries[at]!;
          const changed: ReleaseEntry =
            field === 'categories'
              ? { ...original, categories: ['name', 'phone', 'bank_card'] }
              : field === 'seq'
                ? { ...original, seq: original.seq + 10 }
                : field === 'releasedAt'
                  ? { ...original, releasedAt: new Date(Date.parse(original.releasedAt) + 1).toISOString() }
                  : {
                      ...original,
                      [field]: `${original[field].slice(0, -1)}${original[field].endsWith('0') ? '1' : '0'}`,
                    };
          const tampered = entries.map((entry, i) => (i === at ? changed : entry));
          expect(verify(tampered, headOf(entries)).length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('detects a removed, reordered or appended-behind-the-head entry', () => {
    const entries = chain(4);
    const head = headOf(entries);
    expect(verify(entries.slice(0, 3), head)).toEqual([{ borrowerId, seq: 4, reason: 'head_mismatch' }]);
    expect(verify([entries[0]!, entries[2]!, entries[3]!], head).map((p) => p.reason)).toContain(
      'sequence_gap',
    );
    expect(verify([entries[1]!, entries[0]!, entries[2]!, entries[3]!], head).length).toBeGreaterThan(0);
    expect(verify(entries, undefined)).toEqual([{ borrowerId, seq: 4, reason: 'missing_head' }]);
  });

  it('detects a whole chain rewritten from a changed entry unless the head is rewritten too', () => {
    const entries = chain(3);
    const head = headOf(entries);
    // An attacker recomputing every hash after editing entry 2 still leaves the head behind.
    let previous: ChainPosition = entries[0]!;
    const rewritten = [entries[0]!];
    for (const entry of entries.slice(1)) {
      const { hash: _hash, prevHash: _prev, seq: _seq, ...facts } = entry;
      const next = nextEntry(previous, { ...facts, partnerId: 'someone-else' });
      rewritten.push(next);
      previous = next;
    }
    expect(verify(rewritten, head)).toEqual([{ borrowerId, seq: 3, reason: 'head_mismatch' }]);
  });
});
