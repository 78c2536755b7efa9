import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divHalfUp, divIntHalfUp, fraction, mulHalfUp } from './fraction.ts';

describe('fraction', () => {
  it('reduces and keeps a number view when small', () => {
    const f = fraction(24n, 1200n);
    expect([f.num, f.den, f.numN, f.denN, f.small]).toEqual([1n, 50n, 1, 50, true]);
    expect(fraction(0n, 7n)).toMatchObject({ num: 0n, den: 1n });
    expect(fraction(10n ** 20n + 1n, 10n ** 21n).small).toBe(false);
  });

  it('rejects a zero denominator', () => {
    expect(() => fraction(1n, 0n)).toThrow(RangeError);
  });
});

describe('half-up rounding', () => {
  it('rounds ties up and everything else to nearest', () => {
    expect(divHalfUp(5n, 2n)).toBe(3n);
    expect(divHalfUp(7n, 3n)).toBe(2n);
    expect(divHalfUp(8n, 3n)).toBe(3n);
    expect(divIntHalfUp(15, 10)).toBe(2);
    expect(divIntHalfUp(14, 10)).toBe(1);
    expect(mulHalfUp(925440, fraction(1n, 50n))).toBe(18509); // 18508.8
    expect(mulHalfUp(25, fraction(1n, 50n))).toBe(1); // 0.5 exactly
    expect(mulHalfUp(24, fraction(1n, 50n))).toBe(0); // 0.48
  });

  it('number fast path agrees with bigint arithmetic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        (x, num, den) => {
          const f = fraction(num, den);
          expect(mulHalfUp(x, f)).toBe(Number(divHalfUp(BigInt(x) * f.num, f.den)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('divIntHalfUp agrees with bigint arithmetic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), fc.integer({ min: 1, max: 2 ** 40 }), (a, b) => {
        expect(divIntHalfUp(a, b)).toBe(Number(divHalfUp(BigInt(a), BigInt(b))));
      }),
      { numRuns: 3000 },
    );
  });
});
