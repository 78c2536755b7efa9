import { IRR } from '@formulajs/formulajs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annualIrr, formatApr, solveMonthlyIrr } from './apr.ts';
import { feeFreeTermsArb } from './arbitraries.ts';
import { MoneyValidationError } from './errors.ts';
import { quoteLoan } from './quote.ts';
import type { LoanTerms } from './terms.ts';

/** Payments per month (index k−1 = month k) and the amount received, from a quote. */
function cashFlows(terms: LoanTerms): { received: number; flows: number[] } {
  const quote = quoteLoan(terms);
  const flows = Array<number>(terms.termMonths).fill(0);
  for (const row of quote.installments) {
    flows[terms.method === 'bullet' ? terms.termMonths - 1 : row.period - 1] = row.totalFen;
  }
  return { received: quote.amountReceivedFen, flows };
}

function npv(received: number, flows: readonly number[], i: number): number {
  return flows.reduce((sum, c, k) => sum + c / (1 + i) ** (k + 1), -received);
}

const base = {
  principalFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  startDate: '2026-01-15',
} as const;

describe('APR hand vectors', () => {
  it('fee-only loan: 10,000.00 at 0% with 100.00 a month for 12 months → 21.4571%', () => {
    // Flows: −1,000,000; 11 × 93,333; 93,337. Bisection in 60-digit decimal arithmetic gives
    // 12·IRR = 0.214571187031…, so the 6-place APR is 0.214571.
    const quote = quoteLoan({ ...base, annualRate: '0', fees: { perInstallmentFen: 10_000 } });
    expect(quote.apr).toBe('0.214571');
    expect(quote.totalInterestFen).toBe(0);
    expect(quote.totalFeeFen).toBe(120_000);
  });

  it('24% equal installment is 0.240001: rounding the payment up costs 0.00006%', () => {
    // 11 × 94,560 + 94,555 against 1,000,000: 12·IRR = 0.240000631878… (60-digit bisection).
    expect(quoteLoan({ ...base, annualRate: '0.24' }).apr).toBe('0.240001');
  });

  it('interest-first loans have APR equal to the nominal rate', () => {
    expect(quoteLoan({ ...base, method: 'interest_first', annualRate: '0.12' }).apr).toBe('0.120000');
  });

  it('bullet: 12 · ((1 + 0.12)^(1/12) − 1) = 0.113866 (simple interest compounds to less)', () => {
    expect(quoteLoan({ ...base, method: 'bullet', annualRate: '0.12' }).apr).toBe('0.113866');
  });

  it('single installment with an upfront fee: 12 · ((1,045,000 / 995,000)^(1/3) − 1)', () => {
    // 3-month bullet at 18%, 50.00 upfront: (1,045,000 / 995,000)^(1/3) − 1, × 12 = 0.197729065…
    const q = quoteLoan({
      ...base,
      termMonths: 3,
      method: 'bullet',
      annualRate: '0.18',
      fees: { upfrontFen: 5000 },
    });
    expect(q.apr).toBe('0.197729');
    expect(q.amountReceivedFen).toBe(995_000);
  });

  it('zero-rate, fee-free loans have APR 0, single installment included', () => {
    expect(quoteLoan({ ...base, annualRate: '0' }).apr).toBe('0.000000');
    expect(quoteLoan({ ...base, termMonths: 1, annualRate: '0' }).apr).toBe('0.000000');
  });

  it('upfront fee only, zero rate, one month: 12 · (1,000,000 / 990,000 − 1)', () => {
    const q = quoteLoan({ ...base, termMonths: 1, annualRate: '0', fees: { upfrontFen: 10_000 } });
    expect(q.apr).toBe('0.121212'); // 0.12121212…
  });
});

describe('solveMonthlyIrr', () => {
  it('solves a negative IRR when less is repaid than received', () => {
    const i = solveMonthlyIrr(100, [50, 40]);
    expect(i).toBeLessThan(0);
    expect(Math.abs(npv(100, [50, 40], i))).toBeLessThan(1e-12);
    // Closed form: 100x² ... → 1/(1+i) = (−50 + √(2500 + 16000)) / 80.
    expect(1 / (1 + i)).toBeCloseTo((-50 + Math.sqrt(18_500)) / 80, 14);
    // Almost everything lost: 1 repaid for 131,276 received, i = 1/131,276 − 1.
    expect(solveMonthlyIrr(131_276, [1])).toBeCloseTo(1 / 131_276 - 1, 14);
  });

  it('handles leading zero months and a single distant payment', () => {
    const flows = [...Array(359).fill(0), 2_000_000];
    const i = solveMonthlyIrr(1_000_000, flows);
    expect(i).toBeCloseTo(2 ** (1 / 360) - 1, 14);
  });

  it('handles enormous rates', () => {
    // 1 fen received, 1,000,000 repaid a month later: i = 999,999.
    expect(solveMonthlyIrr(1, [1_000_000])).toBeCloseTo(999_999, 6);
    const i = solveMonthlyIrr(1, [0, 0, 1e9]);
    expect(i).toBeCloseTo(1e3 - 1, 9);
  });

  it('refuses a non-positive amount received or all-zero flows', () => {
    expect(() => solveMonthlyIrr(0, [100])).toThrow(MoneyValidationError);
    expect(() => solveMonthlyIrr(-5, [100])).toThrow(MoneyValidationError);
    expect(() => solveMonthlyIrr(100, [0, 0])).toThrow(RangeError);
    expect(() => solveMonthlyIrr(100, [-1, 200])).toThrow(RangeError);
  });

  it('leaves a tiny NPV residual and brackets the root within 1e-9', () => {
    const flowsArb = fc.array(fc.integer({ min: 0, max: 200_000_000 }), { minLength: 1, maxLength: 360 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000_000 }), flowsArb, (received, flows) => {
        fc.pre(flows.some((c) => c > 0));
        const i = solveMonthlyIrr(received, flows);
        // Near i = −1 the float 1 + i itself loses digits (cancellation), so an NPV evaluated
        // from i cannot be small there whatever the solver does; those are tested above.
        fc.pre(i > -0.9);
        const scale = received + flows.reduce((s, c, k) => s + c / (1 + i) ** (k + 1), 0);
        expect(Math.abs(npv(received, flows, i)) / scale).toBeLessThan(1e-12);
        // NPV falls as i rises: the true root lies within 1e-9 of i whenever NPV changes sign
        // across [i − 1e-9, i + 1e-9]; only check where the step is visible above float noise.
        const lo = npv(received, flows, i - 1e-9);
        const hi = npv(received, flows, i + 1e-9);
        if (Math.abs(lo - hi) > 1e-9 * scale) {
          expect(lo).toBeGreaterThan(0);
          expect(hi).toBeLessThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with formulajs IRR on loan-like flows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100_000, max: 100_000_000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 400 }),
        (received, n, bp) => {
          const payment = Math.round((received * (1 + bp / 10_000)) / n);
          const flows = Array<number>(n).fill(payment);
          const theirs = IRR([-received, ...flows]) as number;
          expect(solveMonthlyIrr(received, flows)).toBeCloseTo(theirs, 7);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('formatApr', () => {
  it('prints 6 places, half away from zero', () => {
    expect(formatApr(0.12)).toBe('0.120000');
    expect(formatApr(0.214571187)).toBe('0.214571');
    expect(formatApr(0.2400006318)).toBe('0.240001');
    expect(formatApr(-0.0123456)).toBe('-0.012346');
    expect(formatApr(1.5)).toBe('1.500000');
    expect(formatApr(123.4567894)).toBe('123.456789');
    expect(formatApr(4e-7)).toBe('0.000000');
    expect(formatApr(-4e-7)).toBe('0.000000');
  });
});

describe('APR properties', () => {
  it('fee-free APR equals the nominal rate within the bound its rounding allows', () => {
    // Each interest is round(balance·r): off by e_k, |e_k| ≤ ½ fen, from the exact balance·r.
    // With exact interest the NPV at r is 0 for any principal pattern, so NPV(r) = Σ e_k/(1+r)^k
    // and |NPV(r)| ≤ ½ Σ (1+r)^−k. By the mean value theorem |i − r| ≤ |NPV(r)| / min |NPV'|,
    // and |NPV'(ξ)| = Σ k·c_k/(1+ξ)^(k+1) is smallest at the larger of r and i.
    // The 6-place rounding adds at most 5e-7. Bullet loans charge simple interest, so they
    // are checked against their closed form below instead.
    fc.assert(
      fc.property(
        feeFreeTermsArb.filter((t) => t.method !== 'bullet'),
        (terms) => {
          const r = Number(terms.annualRate) / 12;
          const { received, flows } = cashFlows(terms);
          const i = solveMonthlyIrr(received, flows);
          const top = Math.max(r, i);
          const err = flows.reduce((s, _c, k) => s + 0.5 / (1 + r) ** (k + 1), 0);
          const slope = flows.reduce((s, c, k) => s + ((k + 1) * c) / (1 + top) ** (k + 2), 0);
          const bound = 12 * (err / slope) + 5e-7 + 1e-12;
          const apr = Number(quoteLoan(terms).apr);
          expect(Math.abs(apr - 12 * r)).toBeLessThanOrEqual(bound);
          // For loans of 10,000 yuan or more the bound is far below a basis point.
          if (terms.principalFen >= 1_000_000) expect(Math.abs(apr - 12 * r)).toBeLessThan(1e-4);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('bullet APR is 12 · ((total / received)^(1/n) − 1)', () => {
    fc.assert(
      fc.property(
        feeFreeTermsArb.map((t) => ({ ...t, method: 'bullet' as const })),
        (terms) => {
          const q = quoteLoan(terms);
          const exact =
            12 * ((q.installments[0]!.totalFen / q.amountReceivedFen) ** (1 / terms.termMonths) - 1);
          const { received, flows } = cashFlows(terms);
          expect(annualIrr(received, flows)).toBeCloseTo(exact, 10);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('adding any fee raises the APR', () => {
    fc.assert(
      fc.property(
        feeFreeTermsArb,
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (terms, upfront, perInstallment) => {
          fc.pre(upfront + perInstallment > 0 && upfront < terms.principalFen);
          const before = cashFlows(terms);
          const withFees = { ...terms, fees: { upfrontFen: upfront, perInstallmentFen: perInstallment } };
          const after = cashFlows(withFees);
          expect(annualIrr(after.received, after.flows)).toBeGreaterThan(
            annualIrr(before.received, before.flows),
          );
          expect(Number(quoteLoan(withFees).apr)).toBeGreaterThanOrEqual(Number(quoteLoan(terms).apr));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
