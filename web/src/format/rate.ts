/**
 * Rates arrive as exact decimal strings ("0.180000"). They are shown as percentages by shifting
 * the decimal point with BigInt arithmetic and rounding half-up, so "0.0360" is 3.60%, exactly.
 */

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** "0.18" → "18.00%"; digits after the point of the percentage (default 2). */
export function percent(decimal: string, digits = 2): string {
  const match = DECIMAL.exec(decimal.trim());
  if (!match) return '—';
  const fraction = match[2] ?? '';
  const scaled = BigInt(`${match[1]}${fraction}`);
  const numerator = scaled * 10n ** BigInt(digits + 2);
  const denominator = 10n ** BigInt(fraction.length);
  let units = numerator / denominator;
  if ((numerator % denominator) * 2n >= denominator) units += 1n;
  const text = units.toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  return digits === 0 ? `${whole}%` : `${whole}.${text.slice(text.length - digits)}%`;
}

/** The lower and upper APR as one range: "7.20% – 18.00%", or one figure when they agree. */
export function percentRange(min: string, max: string): string {
  const low = percent(min);
  const high = percent(max);
  return low === high ? low : `${low} – ${high}`;
}
