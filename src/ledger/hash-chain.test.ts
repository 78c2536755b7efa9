import { describe, expect, it } from 'vitest';
import { type ChainedEntry, canonicalEntry, entryHash, verifyRun } from './hash-chain.ts';
import { GENESIS_HASH } from './migrations.ts';

function chain(n: number): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      seq,
      kind: 'service',
      causeType: 'repayment',
      causeId: `bank/R-${seq}`,
      requestId: `cb-${seq}`,
      occurredAt: new Date(Date.UTC(2026, 0, seq)),
      recordedAt: new Date(Date.UTC(2026, 0, seq, 1)),
      reversesSeq: null,
      memo: '',
      postings: [
        { account: 'lender:bank:receivable', amountFen: 100 * seq },
        { account: 'revenue:service:shop', amountFen: -100 * seq },
      ],
    };
    const hash = entryHash(prev, content);
    out.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('hash chain', () => {
  it('hashes a fixed canonical form', () => {
    const [first] = chain(1);
    expect(canonicalEntry(first!)).toBe(
      '[1,"service","repayment","bank/R-1","cb-1","2026-01-01T00:00:00.000Z","2026-01-01T01:00:00.000Z",null,"",' +
        '[["lender:bank:receivable",100],["revenue:service:shop",-100]]]',
    );
    expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies an intact chain and returns its tip', () => {
    const entries = chain(5);
    expect(verifyRun({ seq: 0, hash: GENESIS_HASH }, entries)).toEqual({
      ok: true,
      tip: { seq: 5, hash: entries[4]!.hash },
    });
    // In two runs, the second continuing from the first's tip.
    const first = verifyRun({ seq: 0, hash: GENESIS_HASH }, entries.slice(0, 2));
    expect(first.ok && verifyRun(first.tip, entries.slice(2)).ok).toBe(true);
  });

  it('detects a changed amount, a removed entry, a reordering and an unbalanced entry', () => {
    const entries = chain(4);
    const changed = entries.map((e) =>
      e.seq === 2
        ? {
            ...e,
            postings: [
              { ...e.postings[0]!, amountFen: 201 },
              { ...e.postings[1]!, amountFen: -201 },
            ],
          }
        : e,
    );
    expect(verifyRun({ seq: 0, hash: GENESIS_HASH }, changed)).toEqual({
      ok: false,
      problem: { seq: 2, problem: 'hash_mismatch' },
    });
    expect(verifyRun({ seq: 0, hash: GENESIS_HASH }, [entries[0]!, entries[2]!])).toMatchObject({
      ok: false,
      problem: { seq: 3, problem: 'gap', expectedSeq: 2 },
    });
    const swapped = [entries[0]!, { ...entries[2]!, seq: 2 }, { ...entries[1]!, seq: 3 }];
    expect(verifyRun({ seq: 0, hash: GENESIS_HASH }, swapped)).toMatchObject({
      ok: false,
      problem: { seq: 2, problem: 'broken_link' },
    });
    const unbalanced = entries.map((e) =>
      e.seq === 3 ? { ...e, postings: [e.postings[0]!, { ...e.postings[1]!, amountFen: -1 }] } : e,
    );
    expect(verifyRun({ seq: 0, hash: GENESIS_HASH }, unbalanced)).toMatchObject({
      ok: false,
      problem: { seq: 3, problem: 'unbalanced', sumFen: 299 },
    });
  });
});
