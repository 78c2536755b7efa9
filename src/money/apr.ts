/**
 * APR (综合年化) by the IRR method: 12 × the monthly internal rate of return of
 * (−amount received at month 0; each installment total at its month).
 *
 * The IRR is a reported approximation (6 places), so it is solved in float64. Substituting
 * x = 1/(1+i) turns NPV into f(x) = Σ c_k·x^k − received, a polynomial with non-negative
 * coefficients: increasing and convex for x > 0, so it has exactly one positive root when any
 * c_k > 0. Newton's method is safeguarded by a bracket [lo, hi] with f(lo) < 0 < f(hi) and falls
 * back to bisection whenever a step leaves the bracket, so it always converges.
 */
import { MoneyValidationError } from './errors.ts';

const MAX_ITERATIONS = 300;

/** f(x) = Σ flows[k-1]·x^k − received and f'(x), by Horner's rule. */
function evaluate(received: number, flows: ArrayLike<number>, x: number): { f: number; df: number } {
  let p = 0;
  let dp = 0;
  for (let k = flows.length - 1; k >= 0; k--) {
    dp = dp * x + p;
    p = p * x + flows[k]!;
  }
  // p(x) = Σ flows[k]·x^k (k from 0); f(x) = x·p(x) − received, f'(x) = p(x) + x·p'(x).
  return { f: x * p - received, df: p + x * dp };
}

/**
 * Monthly IRR i such that −received + Σ flows[k−1]/(1+i)^k = 0, where flows[k−1] is the amount
 * paid at month k (zero where nothing is due). Requires received > 0, every flow ≥ 0 and at
 * least one flow > 0; then the root is unique and may be negative (repaying less than received).
 * Accurate to about 1e-15 relative in the discount factor 1/(1+i).
 */
export function solveMonthlyIrr(received: number, flows: ArrayLike<number>): number {
  if (!(received > 0) || !Number.isFinite(received)) {
    throw new MoneyValidationError('amountReceivedFen', 'amount received must be positive to compute an APR');
  }
  let total = 0;
  for (let k = 0; k < flows.length; k++) {
    const c = flows[k]!;
    if (!(c >= 0) || !Number.isFinite(c))
      throw new RangeError('solveMonthlyIrr: flows must be finite and ≥ 0');
    total += c;
  }
  if (!(total > 0)) throw new RangeError('solveMonthlyIrr: at least one flow must be positive');

  // f(0) = −received < 0 and f(1) = total − received: pick the bracket side from f(1).
  let lo = 0;
  let hi = 1;
  if (total < received) {
    // Negative IRR: the root lies above x = 1; double until f turns non-negative.
    lo = 1;
    hi = 2;
    while (evaluate(received, flows, hi).f < 0) {
      lo = hi;
      hi *= 2;
    }
  } else if (total === received) {
    return 0;
  }

  // Start at hi: for an increasing convex f, Newton from the right of the root moves
  // monotonically towards it, so the bracket is normally never needed — but it is kept.
  let x = hi;
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    const { f, df } = evaluate(received, flows, x);
    if (f === 0) return 1 / x - 1;
    if (f < 0) lo = x;
    else hi = x;
    let next = x - f / df;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * x || hi - lo <= 1e-16 * hi) {
      return 1 / next - 1;
    }
    x = next;
  }
  return 1 / x - 1;
}

/** Formats an annual rate as a decimal string with 6 places, rounding half away from zero. */
export function formatApr(annual: number): string {
  const sign = annual < 0 ? '-' : '';
  // The float is accurate far beyond 1e-6, so rounding its scaled value is faithful.
  const micro = Math.floor(Math.abs(annual) * 1e6 + 0.5);
  if (micro === 0) return '0.000000';
  const whole = Math.floor(micro / 1e6);
  const frac = String(micro - whole * 1e6).padStart(6, '0');
  return `${sign}${whole}.${frac}`;
}

/** The unrounded APR (12 × monthly IRR) for an amount received and per-month payments. */
export function annualIrr(received: number, flows: ArrayLike<number>): number {
  return 12 * solveMonthlyIrr(received, flows);
}
