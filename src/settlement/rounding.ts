/**
 * The one rounding rule of settlement: a fee is `amount × bps / 10,000` rounded half-up (ties away
 * from zero) to the fen, computed exactly on integers — once per posting, never on a running sum.
 *
 * Bound: rounding each of n postings moves each by less than half a fen, and rounding the aggregate
 * moves it by at most half a fen, so |Σ round(xᵢ·r) − round(Σxᵢ·r)| < (n + 1)/2, i.e. at most
 * ⌊n/2⌋ fen for n postings at one rate (0 for one posting, 1 for two or three, …).
 */

const BPS_DENOMINATOR = 10_000n;

/** round_half_up(amountFen · bps / 10,000), exact for any safe integer amount. */
export function bpsOf(amountFen: number, bps: number): number {
  if (!Number.isSafeInteger(amountFen)) throw new RangeError(`amount ${amountFen} is not an integer of fen`);
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new RangeError(`bps ${bps} is not 0–10000`);
  const product = BigInt(amountFen) * BigInt(bps);
  const magnitude = product < 0n ? -product : product;
  const rounded = (2n * magnitude + BPS_DENOMINATOR) / (2n * BPS_DENOMINATOR);
  return Number(product < 0n ? -rounded : rounded);
}

/** The largest difference allowed between n rounded postings and the rounded aggregate. */
export function roundingBound(postings: number): number {
  return Math.floor(postings / 2);
}

/** `12345` → `"123.45"`, `-5` → `"-0.05"`: yuan with two decimals, exact. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
