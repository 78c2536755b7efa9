/**
 * fast-check generators of valid loan terms, shared by the property tests. Not part of the
 * public API. Term lengths are biased towards short loans to keep the suite fast while still
 * reaching 360 months.
 */
import fc from 'fast-check';
import { daysInMonth } from './dates.ts';
import { type LoanTerms, REPAYMENT_METHODS } from './terms.ts';

/** A rate string in [0, 1] with 0–12 decimals; half of them "realistic" (0–36%, 4 places). */
export const rateArb: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 0, max: 3600 }).map((bp) => (bp / 10_000).toFixed(4)),
  fc.integer({ min: 0, max: 12 }).chain((places) =>
    fc.bigInt({ min: 0n, max: 10n ** BigInt(places) }).map((v) => {
      if (places === 0) return v.toString();
      const text = v.toString().padStart(places + 1, '0');
      return `${text.slice(0, -places)}.${text.slice(-places)}`;
    }),
  ),
);

/** ISO dates 1990–2100, with month ends over-represented (they exercise clamping). */
export const dateArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1990, max: 2100 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 31 }),
  )
  .map(([y, m, day]) => {
    const dd = Math.min(day, daysInMonth(y, m));
    return `${y}-${String(m).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
  });

/** Principal: tiny, small and large amounts all get a share. */
export const principalArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: 1000 }),
  fc.integer({ min: 1000, max: 10_000_000 }),
  fc.integer({ min: 10_000_000, max: 1_000_000_000 }),
);

export const termArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 36 }), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 360 }), weight: 1 },
);

/** Valid terms without fees. */
export const feeFreeTermsArb: fc.Arbitrary<LoanTerms> = fc.record({
  principalFen: principalArb,
  termMonths: termArb,
  method: fc.constantFrom(...REPAYMENT_METHODS),
  annualRate: rateArb,
  startDate: dateArb,
  dayCount: fc.constantFrom('ACT/360' as const, 'ACT/365' as const),
});

/** Valid terms, with fees sometimes. */
export const termsArb: fc.Arbitrary<LoanTerms> = feeFreeTermsArb.chain((terms) =>
  fc
    .record({
      upfrontFen: fc.integer({ min: 0, max: terms.principalFen - 1 }),
      perInstallmentFen: fc.integer({ min: 0, max: 100_000 }),
    })
    .map((fees) => ({ ...terms, fees })),
);
