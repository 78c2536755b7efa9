/**
 * Exact non-negative rationals and half-up rounding to integers.
 *
 * Schedule amounts must be exact, and decimal.js per period is too slow for the quote budget,
 * so rates are kept as reduced integer fractions. Multiplication by a fen amount takes a
 * plain-number path when every intermediate is exactly representable, and bigint otherwise.
 */

/** A reduced fraction num/den with den > 0 and num >= 0. */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
  /** num and den as numbers, valid only when `small` is true. */
  readonly numN: number;
  readonly denN: number;
  /** Both num and den are below 2^52, so the number fast path may be tried. */
  readonly small: boolean;
}

// Below 2^52 a product p and q*den (≤ p + den) both stay under 2^53: exact in float64.
const FAST_LIMIT = 2 ** 52;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** Builds the reduced fraction num/den (num >= 0, den > 0). */
export function fraction(num: bigint, den: bigint): Fraction {
  if (den <= 0n || num < 0n) throw new RangeError('fraction: need num >= 0 and den > 0');
  const g = num === 0n ? den : gcd(num, den);
  const n = num / g;
  const d = den / g;
  const small = n < BigInt(FAST_LIMIT) && d < BigInt(FAST_LIMIT);
  return { num: n, den: d, numN: small ? Number(n) : 0, denN: small ? Number(d) : 0, small };
}

/** Multiplies two fractions exactly. */
export function multiply(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.num, a.den * b.den);
}

/** round(num/den) with ties away from zero, for num >= 0, den > 0 (bigint). */
export function divHalfUp(num: bigint, den: bigint): bigint {
  return (2n * num + den) / (2n * den);
}

/**
 * round(x · f) half-up, exactly, for a non-negative safe integer x (an amount in fen).
 * Returns a number; callers keep amounts within safe-integer range.
 */
export function mulHalfUp(x: number, f: Fraction): number {
  if (f.small) {
    const p = x * f.numN;
    if (p < FAST_LIMIT) {
      const d = f.denN;
      // Float division may be off by one next to an integer; fix it with the exact remainder.
      let q = Math.floor(p / d);
      let rem = p - q * d;
      if (rem < 0) {
        q -= 1;
        rem += d;
      } else if (rem >= d) {
        q += 1;
        rem -= d;
      }
      return 2 * rem >= d ? q + 1 : q;
    }
  }
  return Number(divHalfUp(BigInt(x) * f.num, f.den));
}

/** round(a / b) half-up for non-negative safe integers a and positive b. */
export function divIntHalfUp(a: number, b: number): number {
  const q = Math.floor(a / b);
  const rem = a - q * b;
  // Same off-by-one guard as mulHalfUp: the float quotient may round up to the next integer.
  if (rem < 0) return 2 * (rem + b) >= b ? q : q - 1;
  return 2 * rem >= b ? q + 1 : q;
}
