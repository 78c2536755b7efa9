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

/**
 * A decimal APR string as the API sends it (any number of decimals; offers, quotes and approvals
 * carry 6: "0.136800") as a percentage with 2 decimals, half up, by integer arithmetic on the digits.
 */
export function percentText(decimal: string): string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match) throw new Error(`not a decimal rate: ${decimal}`);
  const fraction = match[2] ?? '';
  // Percent hundredths are the rate × 10,000: the whole part, then four decimals, half up on the rest.
  const kept = BigInt(`${match[1]}${fraction.slice(0, 4).padEnd(4, '0')}`);
  const rest = fraction.slice(4);
  const hundredths = rest !== '' && rest[0]! >= '5' ? kept + 1n : kept;
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}%`;
}

export function percentRangeText(min: string, max: string): string {
  const low = percentText(min);
  const high = percentText(max);
  return low === high ? low : `${low} – ${high}`;
}
