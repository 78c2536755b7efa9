/**
 * The test's own formatting of what the H5 must show, written independently of web/src/format so
 * that a bug there cannot hide itself: fen → "¥1,234.56"; decimal rate → "18.00%".
 */
export function yuanText(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`not an amount in fen: ${fen}`);
  const negative = fen < 0;
  const digits = String(Math.abs(fen)).padStart(3, '0');
  const whole = digits.slice(0, -2);
  const cents = digits.slice(-2);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}¥${grouped}.${cents}`;
}

/** A decimal APR string (at most 6 decimals, as the API sends) as a percentage with 2 decimals, half up. */
export function percentText(decimal: string): string {
  const [whole = '0', fraction = ''] = decimal.split('.');
  if (fraction.length > 6) throw new Error(`more decimals than the oracle handles: ${decimal}`);
  const micro = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
  const hundredths = Math.floor((micro + 50) / 100);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}%`;
}

export function percentRangeText(min: string, max: string): string {
  const low = percentText(min);
  const high = percentText(max);
  return low === high ? low : `${low} – ${high}`;
}
