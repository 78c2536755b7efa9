import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bpsOf, roundingBound, yuan } from './rounding.ts';

describe('fee rounding (half-up per posting)', () => {
  it('rounds halves up, exactly', () => {
    expect(bpsOf(15_000, 1500)).toBe(2250);
    expect(bpsOf(1, 5000)).toBe(1); // 0.5 → 1
    expect(bpsOf(1, 4999)).toBe(0); // 0.4999 → 0
    expect(bpsOf(3, 5000)).toBe(2); // 1.5 → 2
    expect(bpsOf(-3, 5000)).toBe(-2); // ties away from zero on both sides
    expect(bpsOf(9_007_199_254_740_991, 10_000)).toBe(9_007_199_254_740_991);
    expect(() => bpsOf(1, 10_001)).toThrow(RangeError);
    expect(() => bpsOf(1.5, 1)).toThrow(RangeError);
  });

  it('property: equals decimal half-up rounding of amount × bps / 10000', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        const expected = new Decimal(amount).mul(bps).div(10_000).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
        expect(bpsOf(amount, bps)).toBe(expected.toNumber());
      }),
    );
  });

  it('property: n postings differ from the fee on their aggregate by at most ⌊n/2⌋ fen', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        (amounts, bps) => {
          const perPosting = amounts.reduce((sum, a) => sum + bpsOf(a, bps), 0);
          const aggregate = bpsOf(
            amounts.reduce((sum, a) => sum + a, 0),
            bps,
          );
          expect(Math.abs(perPosting - aggregate)).toBeLessThanOrEqual(roundingBound(amounts.length));
        },
      ),
    );
    // The bound is reached: two postings of 1 fen at 50% round to 1 + 1, their sum 2 × 50% to 1.
    expect(bpsOf(1, 5000) * 2 - bpsOf(2, 5000)).toBe(roundingBound(2));
  });

  it('formats yuan exactly', () => {
    expect(yuan(500_000)).toBe('5000.00');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(-1205)).toBe('-12.05');
    expect(yuan(0)).toBe('0.00');
  });
});
