import { describe, expect, it } from 'vitest';
import { type LendgateRecord, reconcile, recordKey } from './matching.ts';
import type { FileRecord } from './reconciliation-file.ts';

const ours = (businessId: string, extra: Partial<LendgateRecord> = {}): LendgateRecord => ({
  type: 'repayment',
  businessId,
  loanId: 'L-1',
  applicationId: 'A-1',
  occurredAt: '2026-02-10T02:00:00.000Z',
  amountFen: 1000,
  principalFen: 800,
  interestFen: 200,
  feeFen: 0,
  penaltyFen: 0,
  businessDate: '2026-02-10',
  reversal: false,
  ...extra,
});

const line = (record: LendgateRecord, n: number, extra: Partial<FileRecord> = {}): FileRecord => {
  const { businessDate: _d, reversal: _r, ...rest } = record;
  return { ...rest, line: n, ...extra };
};

describe('reconciliation matching', () => {
  it('matches identical records and lists nothing', () => {
    const a = ours('R-1');
    const b = ours('R-2');
    expect(
      reconcile({
        date: '2026-02-10',
        file: [line(a, 2), line(b, 3)],
        lendgate: [a, b],
        elsewhere: new Map(),
        knownLoans: new Set(['L-1']),
      }),
    ).toEqual({
      matched: 2,
      differences: [],
    });
  });

  it('lists each kind of difference once', () => {
    const missing = ours('R-missing');
    const off = ours('R-off');
    const dup = ours('R-dup');
    const reversal = ours('R-rev', {
      amountFen: -1000,
      principalFen: -800,
      interestFen: -200,
      reversal: true,
    });
    const late = ours('R-late', { businessDate: '2026-02-09' });
    const result = reconcile({
      date: '2026-02-10',
      file: [
        line(off, 2, { interestFen: 201, amountFen: 1001 }),
        line(dup, 3),
        line(dup, 4),
        line(ours('R-new'), 5),
        line(ours('R-x', { loanId: 'L-unknown' }), 6),
        line(reversal, 7, { amountFen: 1000, principalFen: 800, interestFen: 200 }),
        line(late, 8),
      ],
      lendgate: [missing, off, dup, reversal],
      elsewhere: new Map([[recordKey(late), late]]),
      knownLoans: new Set(['L-1']),
    });
    expect(result.matched).toBe(1); // the first R-dup
    expect(result.differences.map((d) => [d.kind, d.businessId, d.fields])).toEqual([
      ['amount_mismatch', 'R-off', ['amountFen', 'interestFen']],
      ['duplicate', 'R-dup', []],
      ['missing_in_lendgate', 'R-new', []],
      ['unknown_loan', 'R-x', []],
      ['status_mismatch', 'R-rev', ['reversal', 'amountFen', 'principalFen', 'interestFen']],
      ['status_mismatch', 'R-late', ['businessDate']],
      ['missing_in_file', 'R-missing', []],
    ]);
    expect(result.differences[1]?.message).toBe('listed 2 times (lines 3, 4)');
  });
});
