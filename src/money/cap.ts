/**
 * The all-in price rule: every APR must lie within [3.6%, 24%], inclusive. Comparisons are
 * exact on the decimal strings (bigint cross-multiplication), never on floats.
 */
import { MoneyValidationError } from './errors.ts';

/** Highest all-in APR ever shown or accepted. */
export const APR_CAP = '0.240000';
/** Lowest APR a product may quote. */
export const APR_FLOOR = '0.036000';

/** Result of a cap check; on failure names the breached limit and carries a readable message. */
export type CapCheckResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'APR_ABOVE_CAP' | 'APR_BELOW_FLOOR';
      /** The offending APR as a decimal string. */
      readonly apr: string;
      /** The limit breached, as a decimal string. */
      readonly limit: string;
      readonly message: string;
    };

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

interface SignedRatio {
  readonly num: bigint;
  readonly den: bigint;
}

function parseDecimal(value: unknown, field: string): SignedRatio {
  const match = typeof value === 'string' ? DECIMAL.exec(value) : null;
  if (match === null) {
    throw new MoneyValidationError(field, `${field} must be a decimal string such as "0.18"`);
  }
  const frac = match[3] ?? '';
  const magnitude = BigInt(match[2]! + frac);
  return { num: match[1] === '-' ? -magnitude : magnitude, den: 10n ** BigInt(frac.length) };
}

/** -1, 0 or 1 as a is below, equal to or above b. */
function compare(a: SignedRatio, b: SignedRatio): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

const CAP = parseDecimal(APR_CAP, 'cap');
const FLOOR = parseDecimal(APR_FLOOR, 'floor');

function asPercent(apr: string): string {
  const r = parseDecimal(apr, 'apr');
  // Percent with up to 4 decimals, enough to show why 24.0008% is over the cap.
  const scaled = (r.num * 1_000_000n) / r.den;
  const sign = scaled < 0n ? '-' : '';
  const abs = scaled < 0n ? -scaled : scaled;
  const whole = abs / 10_000n;
  const frac = (abs % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${sign}${whole}${frac === '' ? '' : `.${frac}`}%`;
}

function above(apr: string): CapCheckResult {
  return {
    ok: false,
    reason: 'APR_ABOVE_CAP',
    apr,
    limit: APR_CAP,
    message: `APR ${asPercent(apr)} is above the 24% all-in cap`,
  };
}

function below(apr: string): CapCheckResult {
  return {
    ok: false,
    reason: 'APR_BELOW_FLOOR',
    apr,
    limit: APR_FLOOR,
    message: `APR ${asPercent(apr)} is below the 3.6% floor`,
  };
}

/**
 * A computed APR measured at the precision the rule is written in ("24.00%", i.e. basis points),
 * rounded half-up. Without this, a loan priced at exactly 24% nominal would breach the cap by
 * rounding alone: its payment is rounded up to the fen, which lifts the IRR to 24.00006%.
 */
function toBasisPoints(value: SignedRatio): SignedRatio {
  if (value.num < 0n) return value;
  return { num: (value.num * 20_000n + value.den) / (2n * value.den), den: 10_000n };
}

/**
 * Checks one computed APR decimal string (e.g. a quote's 6-place `apr`) against [3.60%, 24.00%]
 * inclusive, at basis-point precision (see toBasisPoints): 0.240049 passes, 0.240050 does not.
 * Throws MoneyValidationError (field `apr`) if it is not a decimal string.
 */
export function checkAprWithinCap(apr: string, field = 'apr'): CapCheckResult {
  const value = toBasisPoints(parseDecimal(apr, field));
  if (compare(value, CAP) > 0) return above(apr);
  if (compare(value, FLOOR) < 0) return below(apr);
  return { ok: true };
}

/** A product's advertised APR range, as decimal strings. */
export interface ProductAprRange {
  readonly aprMin: string;
  readonly aprMax: string;
}

/**
 * Checks that a product's whole APR range lies within [3.6%, 24%]. The top is checked first:
 * a range that breaches the cap must never be shown, whatever its floor.
 */
export function checkProductAprRange(range: ProductAprRange): CapCheckResult {
  const min = parseDecimal(range.aprMin, 'aprMin');
  const max = parseDecimal(range.aprMax, 'aprMax');
  if (compare(min, max) > 0) throw new MoneyValidationError('aprMin', 'aprMin must not exceed aprMax');
  if (compare(max, CAP) > 0) return above(range.aprMax);
  if (compare(min, FLOOR) < 0) return below(range.aprMin);
  return { ok: true };
}
