/** Amounts in fen (0.01 yuan): validation and display. */
import { MoneyValidationError } from './errors.ts';

/** Largest principal accepted: 10,000,000.00 yuan. */
export const MAX_PRINCIPAL_FEN = 1_000_000_000;

/**
 * Returns `value` as fen if it is a safe integer within [min, max]; otherwise throws a
 * MoneyValidationError naming `field`. Accepts `unknown` because terms arrive from JSON.
 */
export function requireFen(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new MoneyValidationError(field, `${field} must be an integer amount in fen`);
  }
  if (value < 0) throw new MoneyValidationError(field, `${field} must not be negative`);
  if (value < min || value > max) {
    throw new MoneyValidationError(field, `${field} must be between ${min} and ${max} fen`);
  }
  return value;
}

/** Formats fen as a yuan string with two decimals: 94560 → "945.60", -5 → "-0.05". */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`formatYuan: not an integer fen amount: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const cents = abs % 100;
  return `${sign}${(abs - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
}
