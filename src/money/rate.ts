/**
 * Annual interest rates: parsed from decimal strings into exact fractions.
 *
 * Accepted: a plain decimal in [0, 1] written as `0`, `1`, `0.<digits>` or `1.<zeros>`, with at
 * most 12 fraction digits ("0.24", "0.036", "0", "1.0"). Rejected: numbers (floats are not exact),
 * signs, exponents ("1e-2"), leading dots (".5"), extra leading zeros ("00.5"), whitespace,
 * values above 1 ("1.5"). One spelling per value keeps stored contracts unambiguous.
 */
import { MoneyValidationError } from './errors.ts';
import { type Fraction, fraction } from './fraction.ts';

/** Maximum number of fraction digits in a rate string. */
export const MAX_RATE_DECIMALS = 12;

const RATE_PATTERN = /^(?:0|1)(?:\.\d{1,12})?$/;

/** An annual rate and the monthly rate annual/12, both exact. */
export interface Rate {
  /** The rate as given, e.g. "0.24". */
  readonly text: string;
  readonly annual: Fraction;
  readonly monthly: Fraction;
}

/** Parses a rate string (see module doc); throws MoneyValidationError naming `field`. */
export function parseRate(value: unknown, field = 'annualRate'): Rate {
  if (typeof value !== 'string') {
    throw new MoneyValidationError(field, `${field} must be a decimal string such as "0.24"`);
  }
  if (!RATE_PATTERN.test(value)) {
    throw new MoneyValidationError(
      field,
      `${field} must be a plain decimal between 0 and 1 with at most ${MAX_RATE_DECIMALS} decimals, e.g. "0.24"`,
    );
  }
  const dot = value.indexOf('.');
  const digits = dot < 0 ? value : value.slice(0, dot) + value.slice(dot + 1);
  const scale = dot < 0 ? 0 : value.length - dot - 1;
  const num = BigInt(digits);
  const den = 10n ** BigInt(scale);
  if (num > den) throw new MoneyValidationError(field, `${field} must not exceed 1`);
  return { text: value, annual: fraction(num, den), monthly: fraction(num, den * 12n) };
}
